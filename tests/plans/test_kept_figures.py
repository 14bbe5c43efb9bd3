"""The overview's figures kept per county and year (issue 21 point 2; plans/models.py): the database
marks a household whatever writes its rows, the catch-up counts the marked ones again, and what is
kept equals the registry counted whole. The pages' own figures are tested on hand-counted registries
in tests/plans/test_population.py and tests/dashboard/test_incomes.py, which read them kept."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from common.actors import SYSTEM
from common.refusals import Refused
from households import services
from households.models import ExitRecord, Member
from plans.checks import run_checks
from plans.figure_selectors import figure_totals, figures_drift
from plans.models import FigureMark, FigureTotal, HouseholdFigure, PovertyLine
from plans.services import figures_catch_up, figures_rebuild, plan_record_save
from tests.conftest import DATIAN, NINGHUA, people
from tests.factories import household
from tests.postgres import ON_POSTGRESQL

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(places):
    """宁化县 城南村: a household of 3 identified in 2014 with 2,500 a person (2014's national line is
    2,800: below), one of 2 identified in 2016 with 3,000 (2016's line 2,952: near); 大田县 城关村: one
    of 4 identified in 2014, 5,000 (above). Counted, nothing marked."""
    h3 = household(village=places.chengnan, number="NH-3", members=people(3), income_per_capita=Decimal("2500"))
    h2 = household(village=places.chengnan, number="NH-2", members=people(2), identified_year=2016,
                   income_per_capita=Decimal("3000"))
    d4 = household(village=places.chengguan, number="DT-4", members=people(4, prefix=DATIAN),
                   income_per_capita=Decimal("5000"))
    figures_catch_up()
    assert not FigureMark.objects.exists()
    return h3, h2, d4


def persons(county, year) -> int:
    return figure_totals().get((county, year), {}).get("persons", 0)


def test_the_kept_figures_are_the_registry_s(counted):
    assert [persons(NINGHUA, y) for y in (2014, 2015, 2016, 2017)] == [3, 3, 5, 5]
    assert [persons(DATIAN, y) for y in (2014, 2016)] == [4, 4]
    kept = figure_totals()
    assert {k: (v["below"], v["near"], v["above"]) for k, v in kept.items() if v["below"] + v["near"] + v["above"]} == {
        (NINGHUA, 2014): (1, 0, 0), (NINGHUA, 2016): (0, 1, 0), (DATIAN, 2014): (0, 0, 1)}
    assert figures_drift() == []


def test_nothing_written_since_costs_one_query(counted, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert figures_catch_up() == 0


def test_an_exit_a_death_and_an_income_are_counted_by_the_next_catch_up(counted):
    h3, h2, _ = counted
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=h2, year=2016, income_per_capita=Decimal("3000")))
    child = h3.members.filter(relation="child").first()
    services.member_change_record(actor=SYSTEM, household=h3, kind="death", date=datetime.date(2015, 6, 1),
                                  member=child)
    services.income_record(actor=SYSTEM, household=h3, year=2016, total=Decimal("20000"))
    assert FigureMark.objects.exists()
    assert figures_catch_up() == 2  # the two households written
    # 2015: NH-3 lost one of its 3; 2016: NH-2 is out at the year's end, NH-3 counts its 2.
    assert [persons(NINGHUA, y) for y in (2014, 2015, 2016)] == [3, 2, 2]
    assert figure_totals()[NINGHUA, 2016]["above"] == 1  # 10,000 a person for the 2 left
    assert figures_drift() == []


def test_a_write_round_the_services_is_marked_by_the_database(counted):
    h3, _, _ = counted
    # A queryset update: no service, no signal, no history; the trigger still marks the household.
    Member.objects.filter(household=h3, relation="child").update(left_on=datetime.date(2014, 3, 1), active=False)
    assert list(FigureMark.objects.values_list("household_id", flat=True).distinct()) == [h3.pk]
    figures_catch_up()
    assert persons(NINGHUA, 2014) == 1
    assert figures_drift() == []


def test_a_poverty_line_changed_moves_every_band_at_once(counted, city_reviewer):
    line = PovertyLine.objects.get(standard="national", year=2014)
    line.amount = Decimal("2000")  # NH-3's 2,500 is now above 1.2 times of it (2,400)
    plan_record_save(actor=city_reviewer, record=line)
    assert not FigureMark.objects.exists()  # counted by the reviewer's save, not left to the next reader
    assert [figure_totals()[NINGHUA, 2014][band] for band in ("below", "near", "above")] == [0, 0, 1]
    assert figures_drift() == []


def test_a_poverty_line_rewritten_as_it_was_marks_nothing(counted):
    lines = PovertyLine.objects.filter(standard="national", year=2014)
    lines.update(amount=F("amount"))  # as loading the reference data again does
    assert not FigureMark.objects.exists()
    lines.update(amount=Decimal("2000"))
    assert list(FigureMark.objects.values_list("household_id", flat=True)) == [None]  # every household


def test_a_removed_household_leaves_the_figures(counted):
    h3, _, _ = counted
    services.household_remove(actor=SYSTEM, household=h3, reason="错评")
    figures_catch_up()
    assert figure_totals()[NINGHUA, 2014]["below"] == 0  # its income no longer shown
    assert persons(NINGHUA, 2014) == 3  # removed today: still poor at the end of 2014
    assert HouseholdFigure.objects.get(household_id=h3.pk).parts["2014"] == [NINGHUA, 3, "", ""]
    assert figures_drift() == []


def test_the_check_and_the_command_find_a_figure_that_drifted_and_the_rebuild_mends_it(counted, capsys):
    FigureTotal.objects.filter(county=NINGHUA, year=2015).update(persons=99)  # as a bad hand would
    [finding] = [f for f in run_checks("records") if f.check == "records.figures"]
    assert (finding.expected, finding.actual, finding.ok) == (0, 1, False)
    assert finding.items == ("350424 2015年 年底建档立卡贫困人口：保存 99，按记录 3",)
    with pytest.raises(CommandError) as failed:
        call_command("kept_figures")
    assert failed.value.returncode == 1
    call_command("kept_figures", "--rebuild")
    assert "已按记录重建各县年度数据：3 户" in capsys.readouterr().out
    assert persons(NINGHUA, 2015) == 3 and figures_drift() == []


def test_only_a_superuser_or_the_system_rebuilds(counted, city_reviewer):
    with pytest.raises(Refused):
        figures_rebuild(actor=city_reviewer)
    assert figures_rebuild(actor=SYSTEM) == 3


@ON_POSTGRESQL
def test_a_registry_emptied_by_truncate_marks_every_household(counted):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending foreign-key checks first
        cursor.execute("TRUNCATE households_household CASCADE")
    assert list(FigureMark.objects.values_list("household_id", flat=True).distinct()) == [None]
    figures_catch_up()
    assert figure_totals() == {} and not HouseholdFigure.objects.exists()
