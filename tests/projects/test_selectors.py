"""The projects' reads (projects/selectors.py): the counts the dashboards show, worked out by hand
on a small registry, each user's scope, and a fixed number of queries."""


import pytest

from common.actors import SYSTEM
from households.services import role_grant
from projects import selectors
from projects.models import (
    Job,
    Pilot,
)
from projects.services import link_save, pilot_save
from tests.conftest import DATIAN, NINGHUA
from tests.factories import VillageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank_regulator(db):
    """人行/银监: the department of 金融扶持, which runs the guarantee funds city-wide."""
    return role_grant(actor=SYSTEM, username="renhang", role="channel_department", channels=["financial_support"])


def by_county(rows) -> dict:
    return {r["county"]: r for r in rows}


# ---------------------------------------------------------------- the counts


def test_guarantee_funds_count_capital_loans_outstanding_and_households(projects, city_reviewer):
    rows = by_county(selectors.guarantee_funds(scope=selectors.project_scope(user=city_reviewer)))
    ninghua = rows[NINGHUA]
    assert (ninghua["funds"], ninghua["capital"], ninghua["loans"], ninghua["households"]) == (1, 2000000, 2, 2)
    assert (ninghua["amount"], ninghua["outstanding"], ninghua["subsidy"]) == (50000, 30000, 2300)
    assert (rows[DATIAN]["loans"], rows[DATIAN]["outstanding"]) == (1, 10000)
    assert len(rows) == 12 and rows["350402"]["funds"] == 0  # every county, with zeros


def test_a_year_counts_the_loans_of_that_year(projects, city_reviewer):
    rows = by_county(selectors.guarantee_funds(scope=selectors.project_scope(user=city_reviewer, year=2015)))
    assert (rows[NINGHUA]["loans"], rows[NINGHUA]["amount"], rows[NINGHUA]["outstanding"]) == (1, 20000, 0)


def test_doorstep_employment_counts_each_person_once_a_year(projects, city_reviewer):
    rows = {(r["county"], r["year"]): r for r in selectors.doorstep_employment(
        scope=selectors.project_scope(user=city_reviewer))}
    # 2016: a's head and a's child in the workshop, a's head and c's head on posts: three persons.
    assert {k: v for k, v in rows[(NINGHUA, 2016)].items() if k in ("jobs", "posts", "employed")} == {
        "jobs": 2, "posts": 2, "employed": 3}
    # 2017: b's head, and e's head of 大田, counted where the workshop is.
    assert (rows[(NINGHUA, 2017)]["jobs"], rows[(NINGHUA, 2017)]["employed"]) == (2, 2)
    assert set(rows) == {(NINGHUA, 2016), (NINGHUA, 2017)}


def test_workshops_and_posts_by_kind(projects, city_reviewer):
    ninghua = by_county(selectors.employment_units(scope=selectors.project_scope(user=city_reviewer)))[NINGHUA]
    assert (ninghua["workshops"], ninghua["outside"], ninghua["workers"]) == (1, 0, 4)
    assert (ninghua["post_village_cleaner"], ninghua["post_road_maintenance"], ninghua["posts"]) == (1, 1, 2)
    in_2015 = by_county(selectors.employment_units(scope=selectors.project_scope(user=city_reviewer, year=2015)))
    assert in_2015[NINGHUA]["workshops"] == 0  # founded in 2016


def test_pilots_by_county_link_type_and_households_brought_along(projects, city_reviewer):
    rows = by_county(selectors.pilots_by_county(scope=selectors.project_scope(user=city_reviewer)))
    ninghua, datian = rows[NINGHUA], rows[DATIAN]
    assert (ninghua["villages"], ninghua["organisations"], ninghua["brought"]) == (1, 1, 2)
    assert ninghua["link_enterprise_cooperative_household"] == 1 and ninghua["link_enterprise_household"] == 0
    assert (datian["villages"], datian["organisations"], datian["link_enterprise_household"], datian["brought"]) == (
        0, 1, 1, 2)


def test_education_funds_raised_granted_and_students(projects, city_reviewer):
    ninghua = by_county(selectors.education_funds(scope=selectors.project_scope(user=city_reviewer)))[NINGHUA]
    assert (ninghua["government"], ninghua["donations"], ninghua["raised"]) == (50000, 20000, 70000)
    assert (ninghua["grants"], ninghua["granted"], ninghua["students"]) == (2, 3000, 1)


def test_trainings_count_persons_waivers_priorities_and_certificates(projects, city_reviewer):
    (row,) = selectors.trainings(scope=selectors.project_scope(user=city_reviewer))
    assert (row["county"], row["year"], row["courses"], row["persons"], row["trainings"]) == (NINGHUA, 2016, 1, 2, 2)
    assert (row["n_fee_waived"], row["n_board_waived"], row["n_certification_waived"]) == (2, 2, 2)
    assert (row["n_guidance_given"], row["n_job_referred"], row["n_loan_subsidy_given"], row["n_certified"]) == (
        1, 0, 0, 1)


def test_counts_by_model(projects, city_reviewer):
    rows = {r["code"]: r for r in selectors.by_model(scope=selectors.project_scope(user=city_reviewer))}
    assert len(rows) == 8
    assert (rows["enterprise_led"]["pilots"], rows["enterprise_led"]["workshops"]) == (2, 1)
    assert (rows["party_building"]["pilots"], rows["financial_guarantee"]["measures"]) == (1, 1)
    assert (rows["tourism"]["measures"], rows["tourism"]["pilots"], rows["tourism"]["workshops"]) == (0, 0, 0)


# ---------------------------------------------------------------- the plan's ranges


def test_pilot_ranges_are_judged_for_the_whole_city(projects, city_reviewer):
    ranges = {r["key"]: r for r in selectors.pilot_ranges(
        scope=selectors.project_scope(user=city_reviewer),
        by_county=selectors.pilots_by_county(scope=selectors.project_scope(user=city_reviewer)))}
    assert (ranges["villages"]["low"], ranges["villages"]["high"], ranges["villages"]["actual"]) == (20, 30, 1)
    assert ranges["villages"]["status"] == "below"
    assert (ranges["organisations"]["low"], ranges["organisations"]["high"]) == (10, 20)


@pytest.mark.parametrize("villages, status", [(20, "within"), (31, "above")])
def test_pilot_village_range_within_and_above(projects, city_reviewer, villages, status):
    for i in range(villages - 1):  # 城南村 is one already
        village = VillageFactory(township=projects.registry.cuijiang, code=f"350424101{300 + i:03d}")
        pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=NINGHUA, village=village, year=2017))
    scope = selectors.project_scope(user=city_reviewer)
    ranges = {r["key"]: r for r in selectors.pilot_ranges(scope=scope, by_county=selectors.pilots_by_county(scope=scope))}
    assert (ranges["villages"]["actual"], ranges["villages"]["status"]) == (villages, status)


def test_a_county_is_not_judged_against_the_citys_range(projects, city_reviewer, ninghua_clerk):
    for scope in (selectors.project_scope(user=ninghua_clerk), selectors.project_scope(user=city_reviewer,
                                                                                        county=NINGHUA)):
        ranges = selectors.pilot_ranges(scope=scope, by_county=selectors.pilots_by_county(scope=scope))
        assert [(r["actual"], r["status"]) for r in ranges] == [(1, "partial"), (1, "partial")]


# ---------------------------------------------------------------- scoping


def test_clerk_reads_the_projects_of_their_county_only(projects, ninghua_clerk):
    scope = selectors.project_scope(user=ninghua_clerk)
    assert scope.choices == [(NINGHUA, "宁化县")]
    data = selectors.project_summary(scope=scope)
    for key in ("funds", "units", "pilots", "education"):
        assert {r["county"] for r in data[key]} == {NINGHUA}, key
    assert {p.county_id for p in data["pilot_list"]} == {NINGHUA}
    assert {r["county_name"] for r in data["loans"]} == {"宁化县"}
    assert data["models"][1]["pilots"] == 1  # 大田's enterprise is not theirs


def test_a_ledger_names_no_household_the_reader_does_not_see(projects, ninghua_clerk, city_reviewer):
    """e of 大田 works in 宁化's workshop: counted in 宁化, named only to those who see e."""
    rows = selectors.job_ledger(scope=selectors.project_scope(user=ninghua_clerk, year=2017))
    assert sorted((r["seen"], r["number"], r["member_name"]) for r in rows) == [
        (False, None, None), (True, "NH-B", "户主")]
    rows = selectors.job_ledger(scope=selectors.project_scope(user=city_reviewer, year=2017))
    assert {r["number"] for r in rows} == {"NH-B", "DT-E"}


def test_the_department_of_a_channel_reads_its_project_in_every_county(projects, bank_regulator):
    scope = selectors.project_scope(user=bank_regulator)
    assert len(scope.choices) == 12
    funds = by_county(selectors.guarantee_funds(scope=scope))
    assert (funds[NINGHUA]["loans"], funds[DATIAN]["loans"]) == (2, 1)
    assert {r["number"] for r in selectors.loan_ledger(scope=scope)} == {"NH-A", "NH-D", "DT-E"}
    assert selectors.doorstep_employment(scope=scope) == [] and selectors.pilot_list(scope=scope).count() == 0


def test_someone_without_a_role_reads_nothing(projects, django_user_model):
    scope = selectors.project_scope(user=django_user_model.objects.create_user("nobody"))
    assert scope.choices == []
    data = selectors.project_summary(scope=scope)
    assert all(not data[key] for key in ("funds", "loans", "employment", "jobs", "posts", "pilot_list", "aids",
                                         "training", "trainings"))


# ---------------------------------------------------------------- cost


# The page's fourteen tables in twenty queries, counted when the page was written: a change here is a
# query added or taken away, to be made on purpose. What matters most is below: more records, no more.
SUMMARY_QUERIES = 20


def test_the_summary_runs_a_fixed_number_of_queries(projects, city_reviewer, django_assert_num_queries):
    scope = selectors.project_scope(user=city_reviewer)
    with django_assert_num_queries(SUMMARY_QUERIES):
        small = selectors.project_summary(scope=scope)
    for i in range(3):  # more of every record: the same queries
        extra = VillageFactory(township=projects.registry.cuijiang, code=f"350424101{400 + i:03d}")
        pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=NINGHUA, village=extra, year=2017))
    link_save(actor=SYSTEM, record=Job(workshop=projects.workshop, member=projects.head["c"], year=2017))
    with django_assert_num_queries(SUMMARY_QUERIES):
        large = selectors.project_summary(scope=scope)
    assert len(large["pilot_list"]) == len(small["pilot_list"]) + 3
