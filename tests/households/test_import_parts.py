"""The import checks and writes a workbook's households a part at a time (services/imports.py's
PART): a part is written while the next is checked, and a problem in a later part undoes the parts
written before it. The parts here are two households, so that a few rows make several; on
PostgreSQL the parts go through the background writer (copies.background_writes)."""

from decimal import Decimal

import pytest

from common.actors import SYSTEM
from households.models import HelperAssignment, Household, HouseholdIncome, Member
from households.services import SheetRow, imports
from tests.factories import VillageFactory, household, member, resident_id
from tests.households.test_workbook import reasons, row, run, xlsx


@pytest.fixture
def village(db):
    return VillageFactory(code="350424100201", township__code="350424100")  # test_workbook.row's


@pytest.fixture(autouse=True)
def parts_of_two(monkeypatch):
    monkeypatch.setattr(imports, "PART", 2)


def counts():
    return (Household.objects.count(), Member.objects.count(), HouseholdIncome.objects.count(),
            HelperAssignment.objects.count())


def test_a_problem_in_the_last_part_undoes_the_parts_written_before_it(village):
    before = counts()
    twice = resident_id()
    rows = [row(f"H{i}", 帮扶责任人="陈干部", 帮扶责任人单位="宁化县财政局", 帮扶责任人电话="13800000000")
            for i in range(1, 5)]
    rows += [row("H1", 公民身份号码=twice, 与户主关系="子女", 姓名="小红"),
             row("H5"), row("H5", 公民身份号码=twice, 与户主关系="子女", 姓名="小明")]
    report = run(xlsx(rows))
    assert not report.written
    # The second of the number is refused, as in a workbook checked whole: H5 is the third part.
    assert [(r, c) for r, c, _ in reasons(report)] == [(8, "公民身份号码")]
    assert "在多户中登记" in report.problems[0].reason
    assert counts() == before


def test_a_person_of_a_household_outside_the_workbook_is_refused_in_whichever_part(village):
    taken = household(village=village).members.get().id_number
    before = counts()
    report = run(xlsx([row("H1"), row("H2"), row("H3"), row("H3", 公民身份号码=taken, 与户主关系="配偶", 姓名="李四")]))
    assert [(r, c) for r, c, _ in reasons(report)] == [(5, "公民身份号码")]
    assert "已登记在另一个有效的贫困户中" in report.problems[0].reason
    assert counts() == before


def test_a_number_the_checks_write_differently_is_looked_up_as_the_registry_holds_it(village):
    """The numbers are looked up as the rows give them before the first part; one that the
    member's checks write differently (a door that hands the service "…x": Member.clean_resident_id
    makes it "…X") is looked up again in its part, and refused there rather than by the database's
    unique index as the part is written."""
    number = next(n for n in iter(resident_id, None) if n.endswith("X"))
    household(village=village, members=[member(id_number=number)])
    before = counts()

    def values(household_number, id_number, relation="head"):
        return {"village": village.code, "number": household_number, "category": "ordinary", "main_cause": "illness",
                "identified_year": 2014, "income_per_capita": Decimal("2500"), "name": "张三", "id_number": id_number,
                "relation": relation, "labor": "ordinary"}

    rows = [SheetRow(2, values("H1", resident_id())), SheetRow(3, values("H2", resident_id())),
            SheetRow(4, values("H3", resident_id())), SheetRow(5, values("H3", number.lower(), "spouse"))]
    report = imports.registry_import(actor=SYSTEM, rows=rows, reason="测试")
    assert [(p.row, p.column) for p in report.problems] == [(5, "id_number")]
    assert "已登记在另一个有效的贫困户中" in report.problems[0].reason
    assert counts() == before


def test_new_and_registered_households_in_several_parts_are_all_written(village):
    head, wife, two, three = resident_id(), resident_id(sex="female"), resident_id(), resident_id()
    run(xlsx([row("H1", 公民身份号码=head), row("H1", 公民身份号码=wife, 与户主关系="配偶", 姓名="李四"),
              row("H2", 公民身份号码=two), row("H3", 公民身份号码=three)]))
    # The head handed over in H1 (a registered household, written last as one set) while H4 and H5
    # are new in the parts before and after it.
    report = run(xlsx([row("H4"), row("H1", 公民身份号码=head, 与户主关系="配偶"),
                       row("H1", 公民身份号码=wife, 姓名="李四"), row("H2", 公民身份号码=two), row("H5"),
                       row("H3", 公民身份号码=three, 贫困户类别="五保户")]))
    assert report.written, reasons(report)
    assert (report.households, report.members) == ({"new": 2, "update": 1, "skip": 2},
                                                   {"new": 2, "update": 2, "skip": 2})
    assert Member.objects.get(id_number=wife).relation == "head"
    assert Member.objects.get(id_number=head).relation == "spouse"
    assert Household.objects.get(number="H3").category == Household.Category.WUBAO
    assert set(Household.objects.values_list("number", flat=True)) == {"H1", "H2", "H3", "H4", "H5"}
    assert HouseholdIncome.objects.filter(household__number__in=["H4", "H5"]).count() == 2


def test_a_dry_run_in_parts_writes_nothing_and_reports_as_the_import_would(village):
    before = counts()
    report = run(xlsx([row(f"H{i}") for i in range(1, 6)]), dry_run=True)
    assert not report.written and not report.problems
    assert report.households == {"new": 5, "update": 0, "skip": 0}
    assert counts() == before


def test_a_household_whose_rows_are_apart_is_checked_and_written_whole(village):
    """H1's second row comes after three other households: it waits for it, and the households
    after it wait for H1 (the parts keep the sheet's order)."""
    child = resident_id()
    report = run(xlsx([row("H1"), row("H2"), row("H3"), row("H4"),
                       row("H1", 公民身份号码=child, 与户主关系="子女", 姓名="小红"), row("H5")]))
    assert report.written, reasons(report)
    assert Household.objects.get(number="H1").members.count() == 2
    assert Member.objects.get(id_number=child).household.number == "H1"
    assert Household.objects.filter(number__in=["H1", "H2", "H3", "H4", "H5"]).count() == 5
