"""Frozen means frozen, in the services (issue 19 point 3): while 宁化县's 2016 is accepted, every write
that would change what it counts is refused with one sentence naming the county and the year, whoever
acts (superusers and the system included), and nothing is written; 大田县's 2016 (open) is not
affected. The close is set up as a row (the flow's services are another helper's)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from common.actors import SYSTEM
from common.refusals import Refused
from households import services
from households.models import (
    CloseState,
    ExitRecord,
    Household,
    HouseholdIncome,
    Member,
    MemberChange,
    PovertyCause,
    ReliefMeasure,
    ReturnRecord,
    Transfer,
    YearClose,
)
from households.services.closes import frozen_guard, year_frozen
from tests.conftest import DATIAN, NINGHUA, exit_in, people
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db

FROZEN = "宁化县2016年度数据已锁定，不能再改动该年度的记录"


def accept(county: str, year: int, state=CloseState.ACCEPTED) -> YearClose:
    return YearClose.objects.create(county_id=county, year=year, state=state, figures="{}", figures_sha256="a" * 64,
                                    reason="" if state not in (CloseState.SENT_BACK, CloseState.REOPENED) else "重查")


@pytest.fixture
def frozen(db):
    """宁化县 2016 accepted; 宁化县 2017 submitted and 大田县 2016 reopened (neither frozen)."""
    accept(DATIAN, 2016, CloseState.REOPENED)
    accept(NINGHUA, 2017, CloseState.SUBMITTED)
    return accept(NINGHUA, 2016)


@pytest.fixture(params=["ninghua_clerk", "admin_user", "system"])
def actor(request):
    """Whoever acts: the county's clerk, a superuser, the system."""
    return SYSTEM if request.param == "system" else request.getfixturevalue(request.param)


def refused(excinfo, field="year"):
    assert (str(excinfo.value), excinfo.value.field) == (FROZEN, field)
    return True


def counts():
    """What a refused write must leave as it was."""
    return tuple(model.objects.count() for model in (Household, Member, ExitRecord, ReturnRecord, ReliefMeasure,
                                                    HouseholdIncome, MemberChange, Transfer)) + (
        Household.history.count(), ExitRecord.history.count())


def test_only_an_accepted_county_year_is_frozen(frozen):
    assert year_frozen(NINGHUA, 2016)
    assert not any([year_frozen(NINGHUA, 2015), year_frozen(NINGHUA, 2017), year_frozen(DATIAN, 2016)])
    frozen_guard(county_code=DATIAN, year=2016)  # reopened: open again
    with pytest.raises(Refused) as e:
        frozen_guard(county_code=NINGHUA, year=2016, field="date")
    assert refused(e, "date")


# ---------------------------------------------------------------- exits and returns


def test_an_exit_of_the_frozen_year_is_refused_to_anyone_and_nothing_is_written(frozen, village, datian_village, actor):
    h = household(village=village, members=people(2))
    before = counts()
    with pytest.raises(Refused) as e:
        services.exit_save(actor=actor, record=ExitRecord(household=h, year=2016, income_per_capita=Decimal(4000)))
    assert refused(e) and counts() == before
    h.refresh_from_db()
    assert h.status == Household.Status.REGISTERED
    # Another year of the county, and the same year of an open county, are not affected.
    exit_in(h, 2017)
    exit_in(household(village=datian_village, members=people(1, prefix=DATIAN)), 2016)


def test_an_exit_of_the_frozen_year_is_neither_changed_nor_taken_back(village, ninghua_clerk):
    h = household(village=village, members=people(2))
    record = exit_in(h, 2016)
    accept(NINGHUA, 2016)
    record.verified_by = "补记核验人"
    with pytest.raises(Refused) as e:
        services.exit_save(actor=ninghua_clerk, record=record)
    assert refused(e)
    with pytest.raises(Refused) as e:
        services.exit_delete(actor=ninghua_clerk, record=ExitRecord.objects.get(pk=record.pk))
    assert refused(e)
    stored = ExitRecord.objects.get(pk=record.pk)
    assert stored.verified_by == "" and Household.objects.get(pk=h.pk).status == Household.Status.EXITED


def test_a_return_of_the_frozen_year_is_refused_both_ways(village, ninghua_clerk):
    h = household(village=village, members=people(1))
    exit_in(h, 2015)
    back = services.return_save(actor=SYSTEM, record=ReturnRecord(household=h, year=2016, reason="因病"))
    other = household(village=village, members=[member(id_number=resident_id(birth=datetime.date(1980, 1, 1)))])
    exit_in(other, 2015)
    accept(NINGHUA, 2016)
    with pytest.raises(Refused):
        services.return_delete(actor=ninghua_clerk, record=back)
    with pytest.raises(Refused) as e:
        services.return_save(actor=ninghua_clerk, record=ReturnRecord(household=other, year=2016))
    assert refused(e) and ReturnRecord.objects.count() == 1


def test_an_exit_stays_frozen_where_it_was_counted_after_the_household_moves(village, datian_village):
    """An exit counts for the county it was recorded in: a household gone to 大田县 since cannot take
    back its frozen 宁化县 exit, and its 大田县 year is 大田县's."""
    h = household(village=village, members=people(1))
    record = exit_in(h, 2016)
    services.transfer_accept(actor=SYSTEM, transfer=services.transfer_release(
        actor=SYSTEM, household=h, to_village=datian_village, reason="family"))
    accept(NINGHUA, 2016)
    with pytest.raises(Refused) as e:
        services.exit_delete(actor=SYSTEM, record=ExitRecord.objects.get(pk=record.pk))
    assert refused(e)


# ---------------------------------------------------------------- households and members


def test_a_household_identified_in_the_frozen_year_is_not_registered(frozen, village, datian_village, actor):
    before = counts()
    with pytest.raises(Refused) as e:
        household(village=village, identified_year=2016)
    assert refused(e, "identified_year") and counts() == before
    household(village=village, identified_year=2017)
    household(village=datian_village, identified_year=2016, members=people(1, prefix=DATIAN))


@pytest.mark.parametrize(("change", "field"), [
    ({"category": "dibao"}, "category"),
    ({"main_cause_id": "lack_funds"}, "main_cause"),
    ({"identified_year": 2017}, "identified_year"),
    ({"standard": "provincial"}, "standard"),
])
def test_what_a_household_is_counted_by_is_frozen_with_its_identification_year(village, ninghua_clerk, change, field):
    h = household(village=village, identified_year=2016)
    accept(NINGHUA, 2016)
    for name, value in change.items():
        setattr(h, name, value)
    with pytest.raises(Refused) as e:
        services.household_save(actor=ninghua_clerk, household=h)
    assert refused(e, field)
    assert Household.objects.filter(pk=h.pk, category="ordinary", identified_year=2016, standard="national",
                                    main_cause_id="illness").exists()


def test_a_household_counted_in_a_frozen_year_by_its_exit_keeps_its_causes(village, ninghua_clerk):
    h = household(village=village, members=people(2))  # identified 2014, out in 2016
    exit_in(h, 2016)
    accept(NINGHUA, 2016)
    h.refresh_from_db()
    with pytest.raises(Refused) as e:
        services.household_save(actor=ninghua_clerk, household=h,
                                  other_causes=[PovertyCause.objects.get(pk="lack_funds")])
    assert refused(e, "other_causes") and not h.other_causes.exists()
    # What counts nowhere stays open.
    h.address = "城南村12号"
    services.household_save(actor=ninghua_clerk, household=h, other_causes=[])
    assert Household.objects.get(pk=h.pk).address == "城南村12号"
    # Nor is the helper counted: it changes while the year is accepted.
    services.household_helper_set(actor=ninghua_clerk, household=h, name="李干部", unit="宁化县农业局", phone="")
    assert h.helper_assignments.get().helper.name == "李干部"


def test_moving_a_household_into_the_frozen_year_is_refused(village, ninghua_clerk):
    h = household(village=village, identified_year=2015)
    accept(NINGHUA, 2016)
    h.identified_year = 2016
    with pytest.raises(Refused):
        services.household_save(actor=ninghua_clerk, household=h)


def test_persons_added_or_deleted_without_a_date_are_frozen_but_corrections_are_not(village, ninghua_clerk):
    h = household(village=village, identified_year=2016, members=people(2))
    accept(NINGHUA, 2016)
    with pytest.raises(Refused) as e:
        services.member_save(actor=ninghua_clerk, member=member(household=h, name="补录", relation="child",
                                                                id_number=resident_id(birth=datetime.date(2010, 1, 1))))
    assert refused(e, "household")
    child = h.members.get(relation="child")
    with pytest.raises(Refused):
        services.member_delete(actor=ninghua_clerk, member=child)
    with pytest.raises(Refused) as e:
        services.household_save(actor=ninghua_clerk, household=h, deleted_members=[child])
    assert refused(e, "members") and h.members.count() == 2
    child.name = "王小明"
    services.member_save(actor=ninghua_clerk, member=child)
    assert Member.objects.get(pk=child.pk).name == "王小明"


def test_a_household_of_the_frozen_year_is_not_deleted(village, ninghua_clerk):
    h = household(village=village, identified_year=2016)
    accept(NINGHUA, 2016)
    with pytest.raises(Refused):
        services.household_delete(actor=ninghua_clerk, household=h)
    assert Household.objects.filter(pk=h.pk).exists()


# ---------------------------------------------------------------- measures


def test_a_measure_of_the_frozen_year_is_neither_recorded_changed_moved_nor_deleted(frozen, village, actor):
    h = household(village=village)
    kept = services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=h, channel_id="medical_aid", year=2017,
                                                                      content="救助"))
    with pytest.raises(Refused) as e:
        services.measure_save(actor=actor, measure=ReliefMeasure(household=h, channel_id="medical_aid", year=2016,
                                                                 content="救助"))
    assert refused(e)
    kept.year = 2016  # moved into the frozen year
    with pytest.raises(Refused):
        services.measure_save(actor=actor, measure=kept)
    assert list(ReliefMeasure.objects.values_list("year", flat=True)) == [2017]


def test_a_measure_already_in_the_frozen_year_stays(village, health_department):
    h = household(village=village)
    m = services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=h, channel_id="medical_aid", year=2016,
                                                                   content="救助", amount=Decimal(100)))
    accept(NINGHUA, 2016)
    m.amount, m.year = Decimal(200), 2017  # moved out of it
    with pytest.raises(Refused):
        services.measure_save(actor=health_department, measure=m)
    with pytest.raises(Refused):
        services.measure_delete(actor=health_department, measure=ReliefMeasure.objects.get(pk=m.pk))
    assert ReliefMeasure.objects.get(pk=m.pk).amount == Decimal(100)


# ---------------------------------------------------------------- member changes, transfers, removals


def test_a_member_change_dated_in_the_frozen_year_is_refused_for_either_household(frozen, village, datian_village,
                                                                                 actor):
    h = household(village=village, members=people(2))
    child = h.members.get(relation="child")
    before = counts()
    with pytest.raises(Refused) as e:
        services.member_change_record(actor=actor, household=h, kind="move_out", date=datetime.date(2016, 6, 1),
                                      member=child, destination="福州")
    assert refused(e, "date") and counts() == before
    # Married into a 大田县 household in 2016: 大田县's year is open, 宁化县's is not.
    other = household(village=datian_village, members=people(1, prefix=DATIAN))
    with pytest.raises(Refused):
        services.member_change_record(actor=SYSTEM, household=other, kind="marry_out", date=datetime.date(2016, 6, 1),
                                      member=other.members.get(), other_household=h, relation="spouse")
    services.member_change_record(actor=actor, household=h, kind="move_out", date=datetime.date(2017, 6, 1),
                                  member=child, destination="福州")


@freeze_time("2017-06-01")
def test_a_transfers_steps_and_a_removal_are_refused_while_their_year_is_frozen(village, datian_village, places):
    """A move counts from the day it is accepted, a removal from the day it is recorded: today's year
    (2017 here), in both counties."""
    ninghua = household(village=village, members=people(1))
    datian = household(village=datian_village, members=people(1, prefix=DATIAN))
    pending = services.transfer_release(actor=SYSTEM, household=datian, to_village=village, reason="family")
    accept(NINGHUA, 2017)
    with pytest.raises(Refused) as e:
        services.transfer_release(actor=SYSTEM, household=ninghua, to_village=places.chengbei, reason="family")
    assert str(e.value) == "宁化县2017年度数据已锁定，不能再改动该年度的记录"
    with pytest.raises(Refused):
        services.transfer_accept(actor=SYSTEM, transfer=pending)
    with pytest.raises(Refused):
        services.transfer_refuse(actor=SYSTEM, transfer=pending, reason="满员")
    with pytest.raises(Refused):
        services.household_remove(actor=SYSTEM, household=ninghua, reason="错评")
    assert Transfer.objects.get().state == Transfer.State.PENDING
    assert Household.objects.get(pk=ninghua.pk).status == Household.Status.REGISTERED


# ---------------------------------------------------------------- incomes


def test_the_frozen_years_income_is_neither_recorded_changed_nor_deleted(frozen, village, datian_village, actor):
    h = household(village=village, identified_year=2015, members=people(2))
    income = services.income_record(actor=SYSTEM, household=h, year=2017, total=9000)
    YearClose.objects.filter(county_id=NINGHUA, year=2017).update(state=CloseState.ACCEPTED)  # submitted, now accepted
    with pytest.raises(Refused) as e:
        services.income_record(actor=actor, household=h, year=2016, total=8000)
    assert refused(e)
    with pytest.raises(Refused):
        services.income_change(actor=actor, income=income, total=9500)
    with pytest.raises(Refused):
        services.income_delete(actor=actor, income=income)
    assert list(HouseholdIncome.objects.filter(household=h).values_list("year", "total")) == [
        (2015, Decimal("5000.00")), (2017, Decimal("9000.00"))]
    other = household(village=datian_village, members=people(1, prefix=DATIAN))
    services.income_record(actor=SYSTEM, household=other, year=2016, total=3000)


# ---------------------------------------------------------------- the bulk path


def test_the_bulk_path_writes_nothing_into_a_frozen_year(frozen, village):
    new = Household(number="NH-BULK", village=village, category="ordinary", main_cause_id="illness",
                    identified_year=2016, income_per_capita=Decimal(2500))
    head = member(household=new)
    with pytest.raises(Refused) as e:
        services.registry_bulk_create(actor=SYSTEM, households=[new], members=[head])
    assert refused(e) and not Household.objects.exists()
    new.identified_year = 2015
    exit_ = ExitRecord(household=new, year=2016, income_per_capita=Decimal(4000))
    with pytest.raises(Refused):
        services.registry_bulk_create(actor=SYSTEM, households=[new], members=[head], exits=[exit_])
    assert not Household.objects.exists()


def test_a_refusal_is_a_permission_refusal_not_a_validation_error(frozen, village):
    """Every door maps a Refused (a PermissionDenied) to its answer; it is never a bad-input error."""
    with pytest.raises(Refused) as e:
        household(village=village, identified_year=2016)
    assert not isinstance(e.value, ValidationError)


# ---------------------------------------------------------------- the projects above the registry


def test_a_projects_record_does_not_take_its_frozen_measure_along(projects):
    """A job of 2016 in the workshop carries a measure of 2016 (projects.services.measure_for):
    deleting the job would delete the measure, so it is refused while 宁化县's 2016 is frozen."""
    from projects.models import Job
    from projects.services import link_save, project_delete

    job = Job.objects.get(member=projects.head["a"], year=2016)
    accept(NINGHUA, 2016)
    with pytest.raises(Refused) as e:
        project_delete(actor=SYSTEM, record=job)
    assert refused(e) and Job.objects.filter(pk=job.pk).exists() and ReliefMeasure.objects.filter(pk=job.measure_id).exists()
    with pytest.raises(Refused):  # and a new one would record a measure of 2016
        link_save(actor=SYSTEM, record=Job(workshop=projects.workshop, member=projects.head["c"], year=2016,
                                           monthly_wage=Decimal(1500)))
