"""Helpers (帮扶责任人) as people (issue 20): replacing a household's helper keeps the old assignment
with its dates; at most one current assignment per household; each bad input refused naming the
field, in Chinese, with nothing written; an actor outside the household's or helper's county
refused; the visible lists scoped like the households."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.timezone import localdate as today

from common.actors import SYSTEM
from common.refusals import Refused
from households import access, services
from households.models import Helper, HelperAssignment, HelperVisit, Household
from households.services import HelperRow, HelperRowsInvalid
from tests.conftest import DATIAN, NINGHUA
from tests.factories import household

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def invalid(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as e:
        call(**kwargs)
    errors = e.value.message_dict
    assert errors and all(chinese(m) for ms in errors.values() for m in ms), errors
    return errors


def counts() -> tuple[int, int, int]:
    return Helper.objects.count(), HelperAssignment.objects.count(), HelperVisit.objects.count()


@pytest.fixture
def lin(db):
    return services.helper_create(actor=SYSTEM, county=NINGHUA, name="林帮扶", unit="宁化县农业局", phone="13805981234")


@pytest.fixture
def chen(db):
    return services.helper_create(actor=SYSTEM, county=NINGHUA, name="陈干部", unit="宁化县财政局", phone="0598-6831234")


@pytest.fixture
def datian_helper(db):
    return services.helper_create(actor=SYSTEM, county=DATIAN, name="郑干部", unit="大田县扶贫办")


# ---------------------------------------------------------------- helpers


def test_a_helper_is_one_person_by_county_name_and_unit(lin):
    before = counts()
    errors = invalid(services.helper_create, actor=SYSTEM, county=NINGHUA, name="林帮扶", unit="宁化县农业局")
    assert "name" in errors and counts() == before
    # The same name in another unit, or in another county, is another person.
    assert services.helper_create(actor=SYSTEM, county=NINGHUA, name="林帮扶", unit="宁化县林业局").pk != lin.pk
    assert services.helper_create(actor=SYSTEM, county=DATIAN, name="林帮扶", unit="宁化县农业局").pk != lin.pk


@pytest.mark.parametrize("phone", ["call me", "12345", "0598-683", "1380598123", "23805981234", "138059812345"])
def test_a_phone_that_is_not_one_is_refused(phone, lin):
    before = counts()
    assert "phone" in invalid(services.helper_create, actor=SYSTEM, county=NINGHUA, name="甲", unit="乙", phone=phone)
    assert "phone" in invalid(services.helper_update, actor=SYSTEM, helper=lin, phone=phone)
    assert counts() == before and Helper.objects.get(pk=lin.pk).phone == "13805981234"


@pytest.mark.parametrize(("typed", "stored"), [
    ("13805981234", "13805981234"), ("+86 138 0598 1234", "13805981234"), ("0598-1234567", "0598-1234567"),
    ("05981234567", "05981234567"), ("0598-1234567-801", "0598-1234567-801"), ("010-87654321", "010-87654321"),
])
def test_a_mobile_or_a_landline_with_its_area_code_is_a_phone(typed, stored):
    helper = services.helper_create(actor=SYSTEM, county=NINGHUA, name="甲", unit="乙", phone=typed)
    assert Helper.objects.get(pk=helper.pk).phone == stored


def test_a_helper_is_created_and_changed_by_its_county_only(ninghua_clerk, datian_clerk, city_reviewer, lin):
    with pytest.raises(Refused):
        services.helper_create(actor=datian_clerk, county=NINGHUA, name="甲", unit="乙")
    with pytest.raises(Refused):
        services.helper_create(actor=city_reviewer, county=NINGHUA, name="甲", unit="乙")
    with pytest.raises(Refused):
        services.helper_update(actor=datian_clerk, helper=lin, post="科员")
    assert not Helper.objects.filter(name="甲").exists() and Helper.objects.get(pk=lin.pk).post == ""
    services.helper_update(actor=ninghua_clerk, helper=lin, post="科员", level="section")
    lin.refresh_from_db()
    assert (lin.post, lin.level) == ("科员", "section")
    assert lin.history.first().history_user == ninghua_clerk


# ---------------------------------------------------------------- assignments


def test_replacing_a_helper_keeps_the_old_assignment_with_its_dates(poor, lin, chen, ninghua_clerk):
    first = services.assignment_start(actor=ninghua_clerk, household=poor, helper=lin, started_on=today() - 100 * DAY)
    second = services.assignment_start(actor=ninghua_clerk, household=poor, helper=chen, started_on=today() - 10 * DAY,
                                       reason="原帮扶责任人调岗")
    had = list(HelperAssignment.objects.filter(household=poor).order_by("started_on")
               .values_list("helper__name", "started_on", "ended_on", "reason"))
    assert had == [("林帮扶", today() - 100 * DAY, today() - 11 * DAY, ""),
                   ("陈干部", today() - 10 * DAY, None, "原帮扶责任人调岗")]
    assert {first.pk, second.pk} == set(HelperAssignment.objects.filter(household=poor).values_list("pk", flat=True))


def test_a_household_has_at_most_one_current_assignment_in_the_database(poor, lin, chen):
    services.assignment_start(actor=SYSTEM, household=poor, helper=lin, started_on=today() - 5 * DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        HelperAssignment.objects.create(household=poor, helper=chen, started_on=today())
    with pytest.raises(IntegrityError), transaction.atomic():
        HelperAssignment.objects.create(household=poor, helper=chen, started_on=today(), ended_on=today() - 3 * DAY)


def test_each_bad_assignment_is_refused_with_nothing_written(poor, lin, chen, datian_helper):
    services.assignment_start(actor=SYSTEM, household=poor, helper=lin, started_on=today() - 30 * DAY)
    before = list(HelperAssignment.objects.values_list("pk", "helper_id", "started_on", "ended_on"))
    start = services.assignment_start
    assert "started_on" in invalid(start, actor=SYSTEM, household=poor, helper=chen, started_on=today() + DAY)
    # Not after the current one: it would overlap it.
    assert "started_on" in invalid(start, actor=SYSTEM, household=poor, helper=chen, started_on=today() - 30 * DAY)
    assert "started_on" in invalid(start, actor=SYSTEM, household=poor, helper=chen, started_on=today() - 40 * DAY)
    assert "helper" in invalid(start, actor=SYSTEM, household=poor, helper=lin, started_on=today())
    assert "reason" in invalid(start, actor=SYSTEM, household=poor, helper=datian_helper, started_on=today())
    assert list(HelperAssignment.objects.values_list("pk", "helper_id", "started_on", "ended_on")) == before
    # With a reason, a helper of another county may help.
    services.assignment_start(actor=SYSTEM, household=poor, helper=datian_helper, started_on=today(), reason="挂钩帮扶")


def test_an_assignment_may_not_overlap_an_ended_one_nor_end_before_it_starts(poor, lin, chen):
    old = services.assignment_start(actor=SYSTEM, household=poor, helper=lin, started_on=today() - 60 * DAY)
    services.assignment_end(actor=SYSTEM, assignment=old, ended_on=today() - 20 * DAY, reason="调离")
    before = list(HelperAssignment.objects.values_list("pk", "started_on", "ended_on", "reason"))
    assert before == [(old.pk, today() - 60 * DAY, today() - 20 * DAY, "调离")]
    assert "started_on" in invalid(services.assignment_start, actor=SYSTEM, household=poor, helper=chen,
                                   started_on=today() - 20 * DAY)
    new = services.assignment_start(actor=SYSTEM, household=poor, helper=chen, started_on=today() - 19 * DAY)
    assert "ended_on" in invalid(services.assignment_update, actor=SYSTEM, assignment=new, ended_on=today() - 25 * DAY)
    assert "started_on" in invalid(services.assignment_update, actor=SYSTEM, assignment=new, started_on=today() - 30 * DAY)
    assert "ended_on" in invalid(services.assignment_update, actor=SYSTEM, assignment=old, ended_on=today() - 10 * DAY)
    assert "ended_on" in invalid(services.assignment_end, actor=SYSTEM, assignment=old, ended_on=today())
    assert "ended_on" in invalid(services.assignment_end, actor=SYSTEM, assignment=new, ended_on=today() + DAY)
    assert list(HelperAssignment.objects.filter(pk=old.pk).values_list("pk", "started_on", "ended_on", "reason")) == before
    assert HelperAssignment.objects.get(pk=new.pk).started_on == today() - 19 * DAY
    services.assignment_update(actor=SYSTEM, assignment=new, started_on=today() - 15 * DAY)
    assert HelperAssignment.objects.get(pk=new.pk).started_on == today() - 15 * DAY


def test_a_removed_household_gets_no_helper(poor, lin):
    services.household_remove(actor=SYSTEM, household=poor, reason="识别不准")
    poor.refresh_from_db()
    assert poor.status == Household.Status.REMOVED
    assert "household" in invalid(services.assignment_start, actor=SYSTEM, household=poor, helper=lin, started_on=today())
    assert not HelperAssignment.objects.exists()


def test_the_household_is_written_by_its_county_only(poor, lin, datian_clerk, city_reviewer, ninghua_clerk):
    for actor in (datian_clerk, city_reviewer):
        with pytest.raises(Refused):
            services.assignment_start(actor=actor, household=poor, helper=lin, started_on=today())
        with pytest.raises(Refused):
            services.household_helper_set(actor=actor, household=poor, name="新人", unit="某局", phone="")
    assert counts() == (1, 0, 0)
    assignment = services.assignment_start(actor=ninghua_clerk, household=poor, helper=lin, started_on=today() - DAY)
    with pytest.raises(Refused):
        services.assignment_end(actor=datian_clerk, assignment=assignment, ended_on=today())
    with pytest.raises(Refused):
        services.visit_record(actor=datian_clerk, assignment=assignment, visited_on=today(), kind="home", found="好")
    assert HelperAssignment.objects.get(pk=assignment.pk).ended_on is None and not HelperVisit.objects.exists()


# ---------------------------------------------------------------- visits


def test_a_visit_falls_within_its_assignment_and_not_in_the_future(poor, lin, chen, ninghua_clerk):
    first = services.assignment_start(actor=SYSTEM, household=poor, helper=lin, started_on=today() - 50 * DAY)
    services.assignment_start(actor=SYSTEM, household=poor, helper=chen, started_on=today() - 10 * DAY)
    first.refresh_from_db()
    record = services.visit_record
    assert "visited_on" in invalid(record, actor=ninghua_clerk, assignment=first, visited_on=today() - 51 * DAY,
                                   kind="home", found="了解收入")
    assert "visited_on" in invalid(record, actor=ninghua_clerk, assignment=first, visited_on=today() - 10 * DAY,
                                   kind="home", found="了解收入")
    current = HelperAssignment.objects.get(household=poor, ended_on__isnull=True)
    assert "visited_on" in invalid(record, actor=ninghua_clerk, assignment=current, visited_on=today() + DAY,
                                   kind="phone", found="电话")
    assert "kind" in invalid(record, actor=ninghua_clerk, assignment=current, visited_on=today(), kind="letter", found="信")
    assert "found" in invalid(record, actor=ninghua_clerk, assignment=current, visited_on=today(), kind="home", found="")
    assert not HelperVisit.objects.exists()
    visit = record(actor=ninghua_clerk, assignment=first, visited_on=today() - 11 * DAY, kind="home", found="了解收入",
                   done="落实产业奖补")
    assert visit.recorded_by == ninghua_clerk
    # Its assignment may not then shrink past it, nor the visit move out of it.
    assert "ended_on" in invalid(services.assignment_update, actor=SYSTEM, assignment=first, ended_on=today() - 12 * DAY)
    assert "visited_on" in invalid(services.visit_update, actor=SYSTEM, visit=visit, visited_on=today() - 5 * DAY)
    services.visit_update(actor=ninghua_clerk, visit=visit, follow_up="下月再访")
    assert HelperVisit.objects.get(pk=visit.pk).follow_up == "下月再访"
    services.visit_delete(actor=ninghua_clerk, visit=visit)
    assert not HelperVisit.objects.exists()


# ---------------------------------------------------------------- through the household's fields


def test_writing_the_household_fields_finds_or_creates_the_helper_and_starts_an_assignment(poor, lin, ninghua_clerk):
    set_ = services.household_helper_set
    assert set_(actor=ninghua_clerk, household=poor, name="", unit="", phone="") is None
    assert not HelperAssignment.objects.exists()
    a = set_(actor=ninghua_clerk, household=poor, name="林帮扶", unit="宁化县农业局", phone="", on=today() - 9 * DAY)
    assert (a.helper_id, a.started_on, a.ended_on) == (lin.pk, today() - 9 * DAY, None)
    # The same helper again: nothing new, but a phone given updates the helper's.
    assert set_(actor=ninghua_clerk, household=poor, name="林帮扶", unit="宁化县农业局", phone="13905981111").pk == a.pk
    assert Helper.objects.get(pk=lin.pk).phone == "13905981111" and HelperAssignment.objects.count() == 1
    b = set_(actor=ninghua_clerk, household=poor, name="新干部", unit="宁化县教育局", phone="0598-6830000")
    assert (b.helper.county_id, b.helper.phone, b.started_on) == (NINGHUA, "0598-6830000", today())
    assert HelperAssignment.objects.get(pk=a.pk).ended_on == today() - DAY
    # Changed again the same day: a correction of the day's assignment, not a third one.
    c = set_(actor=ninghua_clerk, household=poor, name="林帮扶", unit="宁化县农业局", phone="")
    assert c.pk == b.pk and c.helper_id == lin.pk and HelperAssignment.objects.count() == 2


def test_bad_household_fields_name_the_field_and_write_nothing(poor, ninghua_clerk):
    set_ = services.household_helper_set
    assert "helper_unit" in invalid(set_, actor=ninghua_clerk, household=poor, name="新干部", unit="", phone="")
    assert "helper_phone" in invalid(set_, actor=ninghua_clerk, household=poor, name="新干部", unit="某局", phone="0598")
    assert counts() == (0, 0, 0)


# ---------------------------------------------------------------- in bulk


def test_an_import_starts_assignments_and_creates_helpers_in_bulk(places, lin, ninghua_clerk):
    one = household(village=places.chengnan, number="NH-1")
    two = household(village=places.chengbei, number="NH-2")
    services.assignment_start(actor=SYSTEM, household=one, helper=lin, started_on=today() - 30 * DAY)
    result = services.helper_assignments_import(actor=ninghua_clerk, on=today(), rows=[
        HelperRow("NH-1", "黄干部", "宁化县水利局", "13700000001", started_on=today() - 5 * DAY),
        HelperRow("NH-2", "黄干部", "宁化县水利局", ""),
    ])
    assert (result.helpers_new, result.assignments_new, result.unchanged, result.written) == (1, 2, 0, True)
    assert list(HelperAssignment.objects.filter(household=one).order_by("started_on")
                .values_list("helper__name", "started_on", "ended_on")) == [
        ("林帮扶", today() - 30 * DAY, today() - 6 * DAY), ("黄干部", today() - 5 * DAY, None)]
    assert HelperAssignment.objects.get(household=two, ended_on__isnull=True).started_on == today()
    assert Helper.objects.get(name="黄干部").phone == "13700000001"
    assert HelperAssignment.objects.get(household=two).history.first().history_user == ninghua_clerk
    again = services.helper_assignments_import(actor=ninghua_clerk, on=today(), rows=[
        HelperRow("NH-1", "黄干部", "宁化县水利局", "13700000002"), HelperRow("NH-2", "黄干部", "宁化县水利局")])
    assert (again.helpers_new, again.helpers_changed, again.assignments_new, again.unchanged) == (0, 1, 0, 2)
    assert Helper.objects.get(name="黄干部").phone == "13700000002"


def test_each_bad_import_row_is_refused_by_row_with_nothing_written(places, ninghua_clerk):
    household(village=places.chengnan, number="NH-1")
    household(village=places.chengbei, number="NH-2")
    household(village=places.chengbei, number="NH-3")
    household(village=places.chengguan, number="DT-1")
    rows = [
        HelperRow("NH-1", "黄干部", "宁化县水利局", "13700000001", row=2),
        HelperRow("NH-1", "黄干部", "宁化县水利局", "13700000001", row=3),  # the household twice
        HelperRow("NH-2", "黄干部", "宁化县水利局", "13700000009", row=4),  # one helper, two phones
        HelperRow("NH-404", "某人", "某局", row=5),  # unknown
        HelperRow("DT-1", "某人", "某局", row=6),  # not the clerk's county
        HelperRow("NH-3", "某人", "某局", "call me", row=7),
        HelperRow("NH-3x", "", "某局", row=8),
        HelperRow("NH-9", "某人", "某局", started_on=today() + DAY, row=9),
    ]
    with pytest.raises(HelperRowsInvalid) as e:
        services.helper_assignments_import(actor=ninghua_clerk, rows=rows, on=today())
    found = {(p.row, p.field) for p in e.value.problems}
    assert found == {(3, "household_number"), (4, "phone"), (5, "household_number"), (6, "household_number"),
                     (7, "phone"), (8, "name"), (9, "started_on")}
    assert all(chinese(p.message) for p in e.value.problems)
    assert counts() == (0, 0, 0)


def test_an_import_naming_the_current_helper_of_another_county_changes_nothing(places, datian_helper, ninghua_clerk):
    """A helper of 大田 helps a 宁化 household (with a reason): the export names it, and the same rows
    imported again are no change; a new phone for it is 大田's to give, refused by row."""
    one = household(village=places.chengnan, number="NH-1")
    services.assignment_start(actor=SYSTEM, household=one, helper=datian_helper, started_on=today() - 10 * DAY,
                              reason="挂钩帮扶")
    before = (counts(), list(HelperAssignment.objects.values_list("pk", "helper_id", "started_on", "ended_on")))
    same = services.helper_assignments_import(actor=ninghua_clerk, on=today(),
                                              rows=[HelperRow("NH-1", "郑干部", "大田县扶贫办", "")])
    assert (same.unchanged, same.assignments_new, same.helpers_new) == (1, 0, 0)
    with pytest.raises(HelperRowsInvalid) as e:
        services.helper_assignments_import(actor=ninghua_clerk, on=today(),
                                           rows=[HelperRow("NH-1", "郑干部", "大田县扶贫办", "13700000001")])
    assert [(p.row, p.field) for p in e.value.problems] == [(1, "phone")]
    assert (counts(), list(HelperAssignment.objects.values_list("pk", "helper_id", "started_on", "ended_on"))) == before
    assert Helper.objects.get(pk=datian_helper.pk).phone == ""


def test_an_import_refuses_overlap_with_the_current_or_an_ended_assignment(places, lin, chen, ninghua_clerk):
    one = household(village=places.chengnan, number="NH-1")
    two = household(village=places.chengbei, number="NH-2")
    services.assignment_start(actor=SYSTEM, household=one, helper=lin, started_on=today() - 10 * DAY)
    ended = services.assignment_start(actor=SYSTEM, household=two, helper=lin, started_on=today() - 30 * DAY)
    services.assignment_end(actor=SYSTEM, assignment=ended, ended_on=today() - 5 * DAY)
    before = counts()
    with pytest.raises(HelperRowsInvalid) as e:
        services.helper_assignments_import(actor=ninghua_clerk, on=today(), rows=[
            HelperRow("NH-1", "陈干部", "宁化县财政局", started_on=today() - 10 * DAY),
            HelperRow("NH-2", "陈干部", "宁化县财政局", started_on=today() - 5 * DAY)])
    assert {(p.row, p.field) for p in e.value.problems} == {(1, "started_on"), (2, "started_on")}
    assert counts() == before


def test_an_actor_without_a_county_imports_nothing(poor, city_reviewer):
    with pytest.raises(HelperRowsInvalid) as e:
        services.helper_assignments_import(actor=city_reviewer, on=today(), rows=[HelperRow("NH-1", "甲", "乙")])
    assert [(p.row, p.field) for p in e.value.problems] == [(1, "household_number")]
    assert counts() == (0, 0, 0)


# ---------------------------------------------------------------- who sees what


def test_each_role_sees_the_helpers_of_the_households_it_sees(registry, lin, datian_helper, ninghua_clerk, datian_clerk,
                                                             city_reviewer, health_department):
    services.assignment_start(actor=SYSTEM, household=registry.a, helper=lin, started_on=today())
    # 大田's helper helps a 宁化 household, with a reason: 宁化's clerk sees that helper too.
    services.assignment_start(actor=SYSTEM, household=registry.c, helper=datian_helper, started_on=today(), reason="挂钩")
    assert set(access.helpers_visible_to(city_reviewer)) == {lin, datian_helper}
    assert set(access.helpers_visible_to(ninghua_clerk)) == {lin, datian_helper}
    assert set(access.helpers_visible_to(datian_clerk)) == {datian_helper}
    # 医疗救助 serves the households whose cause is illness: a (林帮扶's), not c.
    assert set(access.helpers_visible_to(health_department)) == {lin}
    assert access.helper_assignments_visible_to(datian_clerk).count() == 0
    assert access.helper_assignments_visible_to(ninghua_clerk).count() == 2
    assert set(access.helper_assignments_visible_to(health_department).values_list("household_id", flat=True)) == {
        registry.a.pk}
    with pytest.raises(Refused):
        access.require_helper_writable(datian_clerk, lin)
    access.require_helper_writable(ninghua_clerk, lin)


def test_an_import_the_same_day_corrects_the_days_assignment(places, ninghua_clerk):
    one = household(village=places.chengnan, number="NH-1")
    rows = [HelperRow("NH-1", "黄干部", "宁化县水利局")]
    services.helper_assignments_import(actor=ninghua_clerk, on=today(), rows=rows)
    result = services.helper_assignments_import(actor=ninghua_clerk, on=today(), rows=[HelperRow("NH-1", "周干部", "宁化县水利局")])
    assert result.assignments_new == 1
    assert list(HelperAssignment.objects.filter(household=one).values_list("helper__name", "started_on", "ended_on")) == [
        ("周干部", today(), None)]
    # Once visited, the day's assignment is no longer a mistake to correct: a change must wait a day.
    services.visit_record(actor=ninghua_clerk, assignment=HelperAssignment.objects.get(household=one), visited_on=today(),
                          kind="home", found="初次走访")
    with pytest.raises(HelperRowsInvalid):
        services.helper_assignments_import(actor=ninghua_clerk, on=today(), rows=rows)
    assert HelperAssignment.objects.get(household=one).helper.name == "周干部"
