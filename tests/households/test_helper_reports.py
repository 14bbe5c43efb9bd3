"""The helpers' four reports (households/helper_selectors.py) on a registry built here
(tests/helper_registry.py): each names the right households and helpers and no others, for each
role only what it sees, helpers' phones as the role may see them."""

import pytest
from django.utils import timezone

from households.helper_selectors import (
    helpers_over_ceiling,
    households_due_for_visit,
    households_without_helper,
    visits_by_unit,
)
from tests.conftest import DATIAN, NINGHUA
from tests.helper_registry import ago, build_helper_registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def helpers(places):
    return build_helper_registry(places)


def numbers(rows) -> list[str]:
    return [r["number"] for r in rows]


def test_households_without_a_helper_are_the_active_ones_nobody_answers_for(helpers, city_reviewer):
    rows = households_without_helper(user=city_reviewer)
    assert sorted(numbers(rows)) == ["DT-D1", "NH-H5", "NH-H6"]  # not h7, exited
    h6 = next(r for r in rows if r["number"] == "NH-H6")
    assert (h6["previous_helper"], h6["previous_unit"], h6["previous_ended_on"]) == ("张帮扶", "宁化县扶贫办", ago(20))
    assert (h6["status"], h6["village_name"], h6["head_name"]) == ("returned", "城南村", "户主h6")
    h5 = next(r for r in rows if r["number"] == "NH-H5")
    assert h5["previous_helper"] is None and h5["previous_ended_on"] is None


def test_a_household_without_a_helper_on_an_earlier_day_had_one_then(helpers, city_reviewer):
    assert "NH-H6" not in numbers(households_without_helper(user=city_reviewer, on=ago(30)))
    # Before P2's start h4 had nobody.
    assert "NH-H4" in numbers(households_without_helper(user=city_reviewer, on=ago(31)))


def test_each_role_sees_the_households_without_a_helper_of_its_scope(helpers, ninghua_clerk, datian_clerk,
                                                                     health_department, django_user_model):
    assert sorted(numbers(households_without_helper(user=ninghua_clerk))) == ["NH-H5", "NH-H6"]
    assert numbers(households_without_helper(user=datian_clerk)) == ["DT-D1"]
    assert numbers(households_without_helper(user=ninghua_clerk, county=DATIAN)) == []
    # 卫计委 sees the households its channel serves (因病), in any county: h5 is 缺资金.
    assert sorted(numbers(households_without_helper(user=health_department))) == ["DT-D1", "NH-H6"]
    assert households_without_helper(user=django_user_model.objects.create_user("nobody")) == []


def test_helpers_over_the_ceiling_count_their_households_today_exited_but_not_removed_ones(helpers, city_reviewer, settings):
    settings.HELPER_HOUSEHOLD_CEILING = 2
    [row] = helpers_over_ceiling(user=city_reviewer)
    assert (row["name"], row["unit"], row["households"], row["ceiling"], row["phone"]) == (
        "张帮扶", "宁化县扶贫办", 3, 2, "13800001111")
    # P2 carries h3, h4 and h9 (removed): 2, at the ceiling, not above it; P4 d2 and d3 (exited): 2.
    assert [r["name"] for r in helpers_over_ceiling(user=city_reviewer, most=1)] == ["张帮扶", "李帮扶", "陈帮扶"]
    assert [r["households"] for r in helpers_over_ceiling(user=city_reviewer, most=0)] == [3, 2, 2]
    # 250 days ago P1 carried h1, h2 and h6 (h8 was P3's); P2 only h9, removed (today's status counts); P4 d3.
    assert {r["name"]: r["households"] for r in helpers_over_ceiling(user=city_reviewer, most=0, on=ago(250))} == {
        "张帮扶": 3, "王帮扶": 1, "陈帮扶": 1}


def test_the_default_ceiling_is_ten(helpers, city_reviewer, settings):
    assert settings.HELPER_HOUSEHOLD_CEILING == 10
    assert helpers_over_ceiling(user=city_reviewer) == []


def test_helpers_over_the_ceiling_are_those_of_the_counties_the_user_sees(helpers, ninghua_clerk, datian_clerk,
                                                                          health_department):
    assert [r["name"] for r in helpers_over_ceiling(user=ninghua_clerk, most=0)] == ["张帮扶", "李帮扶"]
    assert [(r["name"], r["households"]) for r in helpers_over_ceiling(user=datian_clerk, most=0)] == [("陈帮扶", 2)]
    assert helpers_over_ceiling(user=ninghua_clerk, most=0, county=DATIAN) == []
    assert helpers_over_ceiling(user=health_department, most=0) == []  # a department has no county


def test_households_due_for_a_visit_since_their_last_visit_or_their_helpers_start(helpers, city_reviewer):
    rows = households_due_for_visit(user=city_reviewer)
    assert numbers(rows) == ["NH-H2", "DT-D2", "NH-H3"]  # the longest wait first
    by_number = {r["number"]: r for r in rows}
    assert (by_number["NH-H2"]["last_visited"], by_number["NH-H2"]["since"], by_number["NH-H2"]["days"]) == (
        ago(200), ago(200), 200)
    assert (by_number["NH-H3"]["last_visited"], by_number["NH-H3"]["since"], by_number["NH-H3"]["days"]) == (
        None, ago(100), 100)
    assert (by_number["NH-H3"]["helper_name"], by_number["NH-H3"]["helper_unit"]) == ("李帮扶", "宁化县农业局")
    # h8's new helper has not been, but P3 was there 60 days ago: not due; h4's helper started 30 days ago.
    assert {"NH-H1", "NH-H4", "NH-H8", "NH-H9"}.isdisjoint(by_number)


def test_the_days_before_a_visit_is_due_are_a_setting(helpers, city_reviewer, settings):
    settings.HELPER_VISIT_DAYS = 50
    assert numbers(households_due_for_visit(user=city_reviewer)) == ["NH-H2", "DT-D2", "NH-H3", "NH-H8"]
    assert numbers(households_due_for_visit(user=city_reviewer, days=150)) == ["NH-H2"]
    # Exactly N days is not more than N.
    assert "NH-H3" not in numbers(households_due_for_visit(user=city_reviewer, days=100))


def test_due_visits_are_scoped_and_show_phones_as_the_role_may_see_them(helpers, ninghua_clerk, datian_clerk,
                                                                        health_department):
    assert numbers(households_due_for_visit(user=ninghua_clerk)) == ["NH-H2", "NH-H3"]
    [d2] = households_due_for_visit(user=datian_clerk)
    assert (d2["number"], d2["helper_phone"]) == ("DT-D2", "13900004444")
    # 卫计委 sees these households (因病), the helpers' phones masked.
    rows = households_due_for_visit(user=health_department)
    assert numbers(rows) == ["NH-H2", "DT-D2", "NH-H3"]
    assert {r["helper_phone"] for r in rows} == {"138****1111", "139****4444", "138****2222"}


def test_visits_per_unit_and_month(helpers, city_reviewer, ninghua_clerk, datian_clerk):
    def month(days):
        return f"{ago(days):%Y-%m}"

    expected: dict[tuple[str, str], dict] = {}
    for unit, days, kind, household in (("宁化县扶贫办", 10, "home", "h1"), ("宁化县扶贫办", 300, "phone", "h1"),
                                        ("宁化县扶贫办", 200, "home", "h2"), ("宁化县教育局", 60, "home", "h8")):
        row = expected.setdefault((unit, month(days)), {"visits": 0, "home_visits": 0, "households": set()})
        row["visits"] += 1
        row["home_visits"] += kind == "home"
        row["households"].add(household)
    rows = visits_by_unit(user=city_reviewer)
    assert {(r["unit"], r["month"]): {"visits": r["visits"], "home_visits": r["home_visits"]} for r in rows} == {
        key: {"visits": v["visits"], "home_visits": v["home_visits"]} for key, v in expected.items()}
    assert {(r["unit"], r["month"]): r["households"] for r in rows} == {
        key: len(v["households"]) for key, v in expected.items()}
    assert {r["county"] for r in rows} == {NINGHUA}
    assert visits_by_unit(user=datian_clerk) == []
    assert visits_by_unit(user=ninghua_clerk) == rows
    this_year = timezone.localdate().year
    assert all(r["month"].startswith(str(this_year)) for r in visits_by_unit(user=city_reviewer, year=this_year))
    assert len(visits_by_unit(user=city_reviewer, year=this_year - 5)) == 0
