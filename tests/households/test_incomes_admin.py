"""The household's admin page shows its incomes by year, and a clerk records or corrects one there
through the income services; bad input is refused naming the field, nothing written."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from common.actors import SYSTEM
from households import services
from households.models import Household, HouseholdIncome
from tests.factories import household, member, resident_id
from tests.households.test_admin import change_post, existing_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(village):
    return household(village=village, number="NH-ADM", identified_year=2015, income_per_capita=Decimal("2400"), members=[
        member(name="钱一"), member(name="钱二", relation="child", labor="none",
                                   id_number=resident_id(birth=datetime.date(2006, 1, 1)))])


@pytest.fixture
def clerk_client(client, ninghua_clerk):
    client.force_login(ninghua_clerk)
    return client


def income_row(**fields) -> dict:
    return {"year": "", "wages": "", "business": "", "property": "", "transfers": "", "total": "", **fields}


def post(client, h, incomes, initial=0, **fields):
    fields = {"identified_year": str(h.identified_year), **fields}
    data = change_post(h, [existing_row(m) for m in h.members.order_by("id")], **fields)
    data.update({"incomes-TOTAL_FORMS": str(len(incomes)), "incomes-INITIAL_FORMS": str(initial)})
    for i, row in enumerate(incomes):
        data.update({f"incomes-{i}-{k}": v for k, v in row.items()})
    data["members-INITIAL_FORMS"] = str(h.members.count())
    return client.post(reverse("admin:households_household_change", args=[h.pk]), data)


def test_the_page_shows_the_incomes_by_year(clerk_client, two):
    services.income_record(actor=SYSTEM, household=two, year=2016, total=Decimal("7000"))
    page = clerk_client.get(reverse("admin:households_household_change", args=[two.pk])).content.decode()
    assert "年度收入" in page and "7000" in page and "3500.00" in page
    assert page.index("2015") < page.index("7000")


def test_a_clerk_records_a_year_by_source_from_the_households_page(clerk_client, two, ninghua_clerk):
    response = post(clerk_client, two, [income_row(year="2016", wages="6000", transfers="1000.5")])
    assert response.status_code == 302, response.context and response.context.get("errors")
    income = two.incomes.get(year=2016)
    assert (income.total, income.business, income.per_capita, income.recorded_by) == (
        Decimal("7000.50"), 0, Decimal("3500.25"), ninghua_clerk)
    two.refresh_from_db()
    assert two.income_per_capita == Decimal("3500.25")


def test_the_households_own_figure_is_not_edited_on_its_page(clerk_client, two):
    response = post(clerk_client, two, [], income_per_capita="9999")
    assert response.status_code == 302
    two.refresh_from_db()
    assert two.income_per_capita == Decimal("2400.00")


@pytest.mark.parametrize(("row", "field"), [
    (income_row(year="2014", total="100"), "year"),  # before the identification year
    (income_row(year="2015", total="100"), "year"),  # a second record for 2015
    (income_row(year="2016", wages="-1"), "wages"),
    (income_row(year="2016", business="-1"), "business"),
    (income_row(year="2016", property="-1"), "property"),
    (income_row(year="2016", transfers="-1"), "transfers"),
    (income_row(year="2016", wages="100", total="150"), "total"),
    (income_row(year="2016"), "total"),
])
def test_bad_incomes_on_the_page_are_refused_naming_the_field(clerk_client, two, row, field):
    before = list(HouseholdIncome.objects.values()), list(Household.objects.values())
    response = post(clerk_client, two, [row])
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"]
    income_formset = next(f for f in errors if f.formset.prefix == "incomes").formset
    assert field in income_formset.errors[0], income_formset.errors
    assert re.search(r"[\u4e00-\u9fff]", income_formset.errors[0][field][0])
    assert (list(HouseholdIncome.objects.values()), list(Household.objects.values())) == before


def test_a_clerk_corrects_a_year_on_the_page_and_the_exit_follows(clerk_client, two, ninghua_clerk):
    from households.models import ExitRecord

    services.exit_save(actor=SYSTEM, record=ExitRecord(household=two, year=2016, income_per_capita=Decimal("3000")))
    first, second = two.incomes.order_by("year")
    rows = [income_row(id=str(first.pk), household=str(two.pk), year="2015", total="4800"),
            income_row(id=str(second.pk), household=str(two.pk), year="2016", wages="5000", transfers="1600")]
    response = post(clerk_client, two, rows, initial=2)
    assert response.status_code == 302
    assert HouseholdIncome.objects.get(pk=second.pk).per_capita == Decimal("3300.00")
    assert ExitRecord.objects.get(household=two).income_per_capita == Decimal("3300.00")
    assert HouseholdIncome.objects.get(pk=first.pk).history.latest("history_id").history_user is None  # unchanged
    assert HouseholdIncome.objects.get(pk=second.pk).history.latest("history_id").history_user == ninghua_clerk


def test_a_clerk_deletes_a_year_on_the_page_unless_an_exit_carries_it(clerk_client, two):
    from households.models import ExitRecord

    later = services.income_record(actor=SYSTEM, household=two, year=2017, total=Decimal("9000"))
    first = two.incomes.get(year=2015)
    rows = [income_row(id=str(first.pk), household=str(two.pk), year="2015", total="4800"),
            income_row(id=str(later.pk), household=str(two.pk), year="2017", total="9000", DELETE="on")]
    assert post(clerk_client, two, rows, initial=2).status_code == 302
    assert list(two.incomes.values_list("year", flat=True)) == [2015]
    two.refresh_from_db()
    assert two.income_per_capita == Decimal("2400.00")
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=two, year=2016, income_per_capita=Decimal("3000")))
    carried = two.incomes.get(year=2016)
    before = list(HouseholdIncome.objects.values()), list(Household.objects.values())
    rows = [income_row(id=str(first.pk), household=str(two.pk), year="2015", total="4800"),
            income_row(id=str(carried.pk), household=str(two.pk), year="2016", total="6000", DELETE="on")]
    response = post(clerk_client, two, rows, initial=2)
    assert response.status_code == 302  # back to the page, with the refusal as a message
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("脱贫记录" in m for m in messages), messages
    assert (list(HouseholdIncome.objects.values()), list(Household.objects.values())) == before
