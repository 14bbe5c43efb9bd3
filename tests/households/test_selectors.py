"""households/selectors.py: the export's rows, read as values."""

import datetime
from decimal import Decimal

from households.layout import COLUMNS
from households.models import Household, PovertyCause
from households.selectors import household_export_rows
from tests.factories import household, member, resident_id

KEYS = [c.key for c in COLUMNS]


def exported(households) -> list[dict]:
    return [dict(zip(KEYS, row, strict=True)) for row in household_export_rows(households)]


def test_export_rows_are_each_member_with_its_households_fields(places):
    head, daughter = resident_id(), resident_id(sex="female", birth=datetime.date(2006, 3, 1))
    household(number="NH-2", village=places.chengnan, category="dibao", income_per_capita=Decimal("3120.50"),
              main_cause_id="lack_funds", other_causes=PovertyCause.objects.filter(code__in=["schooling", "disaster"]),
              address="翠江镇城南村12号", members=[
                  member(name="李大", id_number=head),
                  member(name="李小", relation="child", labor="none", id_number=daughter, draws_dibao=True),
              ])
    rows = exported(Household.objects.all())
    assert [(r["name"], r["id_number"], r["relation"], r["draws_dibao"]) for r in rows] == [
        ("李大", head, "head", False), ("李小", daughter, "child", True)]
    for r in rows:  # the household's fields on each of its members' rows, codes as stored
        assert (r["county_name"], r["township_name"], r["village_name"], r["village"], r["number"]) == (
            "宁化县", "翠江镇", "城南村", "350424101201", "NH-2")
        assert (r["category"], r["main_cause"], r["income_per_capita"], r["address"], r["status"]) == (
            "dibao", "缺资金", Decimal("3120.50"), "翠江镇城南村12号", "registered")
        # The secondary causes in the causes' own order (position), not their codes' (disaster < schooling).
        assert r["other_causes"] == "因学、因灾"
    assert rows[1]["birth_date"] == datetime.date(2006, 3, 1)


def test_export_rows_go_by_village_then_number_then_member(places):
    household(number="A", village=places.chengbei, members=[member(name="北甲")])
    household(number="C", village=places.chengnan, members=[member(name="南乙"),
                                                             member(name="南丙", relation="spouse", sex="female",
                                                                    id_number=resident_id(sex="female"))])
    household(number="B", village=places.chengnan, members=[member(name="南甲")])
    rows = exported(Household.objects.all())
    assert [(r["village_name"], r["number"], r["name"]) for r in rows] == [
        ("城南村", "B", "南甲"), ("城南村", "C", "南乙"), ("城南村", "C", "南丙"), ("城北村", "A", "北甲")]
    assert [r["other_causes"] for r in rows] == ["", "", "", ""]


def test_export_rows_are_only_the_households_given(places):
    household(number="NH", village=places.chengnan, members=[member(name="宁化人")])
    household(number="DT", village=places.chengguan, members=[member(name="大田人")])
    rows = exported(Household.objects.filter(village__township__county_id="350425"))
    assert [r["name"] for r in rows] == ["大田人"]


def test_export_rows_take_two_queries_whatever_the_number_of_households(places, django_assert_num_queries):
    for n in range(3):
        household(village=places.chengnan, other_causes=PovertyCause.objects.filter(code="schooling"),
                  members=[member(name=f"户主{n}")])
    with django_assert_num_queries(2):
        assert len(exported(Household.objects.all())) == 3
