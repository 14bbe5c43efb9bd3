"""A clerk registers a household in the admin, in a real browser."""

import datetime

import pytest

from households.models import Household
from tests.factories import VillageFactory, resident_id

pytestmark = pytest.mark.django_db(transaction=True)


def choose(page, field: str, text: str) -> None:
    """Pick from a Django admin autocomplete (select2) box."""
    page.click(f"#id_{field} + .select2 .select2-selection")
    page.fill(".select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")


def test_clerk_registers_a_household_and_is_told_what_is_wrong(page):
    VillageFactory(name="城南村", code="350424101201", township__code="350424101")
    head = resident_id(birth=datetime.date(1956, 3, 12))
    wife = resident_id(birth=datetime.date(1958, 1, 1), sex="female")
    page.goto("/admin/households/household/add/")
    page.fill("#id_number", "350424101201-0001")
    page.select_option("#id_county", "350424")
    choose(page, "village", "城南村")
    page.select_option("#id_category", "ordinary")
    page.select_option("#id_main_cause", "illness")
    page.check("input[name=other_causes][value=lack_funds]")
    page.fill("#id_income_per_capita", "2350")
    page.fill("#id_members-0-name", "张大山")
    page.fill("#id_members-0-id_number", head)
    page.select_option("#id_members-0-relation", "head")
    page.select_option("#id_members-0-labor", "weak")
    page.click("#members-group .add-row a")
    page.fill("#id_members-1-name", "李秀英")
    page.fill("#id_members-1-id_number", wife[:-1] + ("0" if wife[-1] != "0" else "1"))
    page.select_option("#id_members-1-relation", "spouse")
    page.select_option("#id_members-1-labor", "lost")
    page.click("input[name=_save]")

    error = page.locator("#members-1 .errorlist")
    assert "校验码错误" in error.inner_text()
    assert Household.objects.count() == 0

    page.fill("#id_members-1-id_number", wife)
    page.click("input[name=_save]")
    assert "成功添加了" in page.locator(".messagelist").inner_text()
    household = Household.objects.get(number="350424101201-0001")
    assert sorted(household.members.values_list("name", "sex")) == [("张大山", "male"), ("李秀英", "female")]
    assert page.locator("#result_list").inner_text().count("张大山") == 1
