"""Household transfers (迁移, issue 18 point 3): within a county one step by its clerk; across
counties released by the sending county and accepted or refused by the receiving one, the household
staying where it was until then. Each bad input is refused naming the field, with nothing written;
exits and returns stay counted for the county where they were recorded."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from common.actors import SYSTEM
from common.refusals import Refused
from households import access, selectors, services
from households.audit import run_audit
from households.models import ExitRecord, Household, ReturnRecord, Transfer
from plans.checks import run_checks
from plans.selectors import place_progress, quota_progress
from tests.conftest import DATIAN, NINGHUA
from tests.factories import VillageFactory, household, member

pytestmark = pytest.mark.django_db


def chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def invalid(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as e:
        call(**kwargs)
    errors = e.value.message_dict
    assert all(chinese(m) for ms in errors.values() for m in ms), errors
    return errors


def refused(call, **kwargs) -> Refused:
    with pytest.raises(Refused) as e:
        call(**kwargs)
    assert chinese(e.value.message), e.value.message
    return e.value


def snapshot() -> tuple:
    """What a refused write must leave as it was: every transfer and every household's village."""
    return (list(Transfer.objects.order_by("id").values_list("id", "state", "refusal_reason", "decided_at")),
            list(Household.objects.order_by("id").values_list("id", "village_id")),
            Transfer.history.count(), Household.history.count())


@pytest.fixture
def released(poor, places, ninghua_clerk):
    """NH-1 of 宁化县 城南村, released to 大田县 城关村 by the 宁化 clerk: pending."""
    return services.transfer_release(actor=ninghua_clerk, household=poor, to_village=places.chengguan,
                                     reason="family", note="投靠女儿")


# ---------------------------------------------------------------- within a county, across counties


def test_within_a_county_a_transfer_is_one_step_and_the_household_moves(poor, places, ninghua_clerk):
    t = services.transfer_release(actor=ninghua_clerk, household=poor, to_village=places.chengbei,
                                  reason="relocation", settlement="翠江安置小区")
    assert (t.state, t.released_by, t.decided_by) == ("accepted", ninghua_clerk, ninghua_clerk)
    assert (t.from_village_id, t.to_village_id, t.settlement) == (places.chengnan.pk, places.chengbei.pk, "翠江安置小区")
    assert Household.objects.get(pk=poor.pk).village_id == places.chengbei.pk
    assert Household.history.filter(id=poor.pk).latest("history_id").history_user == ninghua_clerk


def test_across_counties_the_household_stays_until_the_receiving_clerk_accepts(released, poor, places,
                                                                               ninghua_clerk, datian_clerk):
    assert (released.state, released.released_by, released.decided_at) == ("pending", ninghua_clerk, None)
    assert Household.objects.get(pk=poor.pk).village_id == places.chengnan.pk
    # Listed as pending for both counties; the household is still 宁化's alone.
    for clerk in (ninghua_clerk, datian_clerk):
        assert list(access.transfers_visible_to(clerk).pending()) == [released]
    assert access.households_visible_to(ninghua_clerk).filter(pk=poor.pk).exists()
    assert not access.households_visible_to(datian_clerk).filter(pk=poor.pk).exists()

    services.transfer_accept(actor=datian_clerk, transfer=released)
    released.refresh_from_db()
    assert (released.state, released.decided_by) == ("accepted", datian_clerk)
    assert released.decided_at is not None
    assert Household.objects.get(pk=poor.pk).village_id == places.chengguan.pk
    assert access.households_visible_to(datian_clerk).filter(pk=poor.pk).exists()
    assert not access.households_visible_to(ninghua_clerk).filter(pk=poor.pk).exists()
    # The move stays in both counties' list of transfers, no longer pending.
    assert list(access.transfers_visible_to(ninghua_clerk)) == [released]
    assert not access.transfers_visible_to(ninghua_clerk).pending().exists()


def test_a_refused_transfer_leaves_the_household_where_it_was_and_it_may_be_released_again(
        released, poor, places, ninghua_clerk, datian_clerk):
    services.transfer_refuse(actor=datian_clerk, transfer=released, reason="迁入地无住房")
    released.refresh_from_db()
    assert (released.state, released.refusal_reason, released.decided_by) == ("refused", "迁入地无住房", datian_clerk)
    assert Household.objects.get(pk=poor.pk).village_id == places.chengnan.pk
    again = services.transfer_release(actor=ninghua_clerk, household=poor, to_village=places.chengguan, reason="other")
    assert again.state == "pending"


def test_the_issues_scenario_exits_stay_with_ninghua_returns_after_the_move_count_for_datian(
        poor, places, ninghua_clerk, datian_clerk):
    """A transfer from 宁化县 to 大田县 waits for 大田县's clerk; once accepted, 大田县 sees the household,
    宁化县 no longer does, and the quota progress still counts its earlier exit for 宁化县 and a later
    return for 大田县."""
    services.exit_save(actor=ninghua_clerk, record=ExitRecord(household=poor, year=2015,
                                                             income_per_capita=Decimal("4200")))
    t = services.transfer_release(actor=ninghua_clerk, household=poor, to_village=places.chengguan,
                                  reason="relocation", settlement="均溪安置区")
    # 宁化's clerk cannot take 大田's step.
    refused(services.transfer_accept, actor=ninghua_clerk, transfer=t)
    services.transfer_accept(actor=datian_clerk, transfer=t)
    assert access.households_visible_to(datian_clerk).filter(pk=poor.pk).exists()
    assert not access.households_visible_to(ninghua_clerk).filter(pk=poor.pk).exists()
    # 大田's clerk records the return now; 宁化's may no longer.
    refused(services.return_save, actor=ninghua_clerk, record=ReturnRecord(household=poor, year=2016))
    services.return_save(actor=datian_clerk, record=ReturnRecord(household=poor, year=2016, reason="因病返贫"))

    def persons(county, year):
        (row,) = quota_progress(county=county, year=year)
        return row.exited, row.returned

    assert persons(NINGHUA, 2015) == (2, 0)  # the household's two persons, exited in 宁化
    assert persons(DATIAN, 2015) == (0, 0)
    assert persons(NINGHUA, 2016) == (0, 0)
    assert persons(DATIAN, 2016) == (0, 2)  # returned after the move: 大田's
    # A correction of the 2015 exit, now by 大田's clerk, leaves it counted for 宁化.
    exit_record = poor.exits.get()
    exit_record.verified_by = "大田县扶贫办"
    services.exit_save(actor=datian_clerk, record=exit_record)
    assert ExitRecord.objects.get(pk=exit_record.pk).county_id == NINGHUA
    # Below the county, each record is placed in the village it was recorded in: the 2015 exit in
    # 宁化's 城南村 (the household lies in 大田 now), 大田's return in 城关村.
    assert place_progress(county=NINGHUA, level="village") == [
        {"code": places.chengnan.pk, "name": "城南村", "exited": 2, "returned": 0, "net": 2}]
    assert place_progress(county=DATIAN, level="village") == [
        {"code": places.chengguan.pk, "name": "城关村", "exited": 0, "returned": 2, "net": -2}]
    assert (ExitRecord.objects.get(pk=exit_record.pk).village_id, poor.returns.get().village_id) == (
        places.chengnan.pk, places.chengguan.pk)
    # The records check holds the new rule: an exit counted where its household moved out of is no drift.
    (county_check,) = [f for f in run_checks("records") if f.check == "records.county"]
    assert county_check.ok, county_check.items


def test_after_a_transfer_each_countys_drill_down_still_sums_to_its_total(poor, places, ninghua_clerk, datian_clerk):
    """宁化: NH-1 (2 persons, 城南村) exits in 2015, then moves to 大田 城关村 and falls back there in 2016;
    NH-S (1 person, 城北村) exits in 2016 and stays."""
    stays = household(village=places.chengbei, number="NH-S", members=[member(name="留守")])
    services.exit_save(actor=ninghua_clerk, record=ExitRecord(household=poor, year=2015,
                                                             income_per_capita=Decimal("4200")))
    services.exit_save(actor=ninghua_clerk, record=ExitRecord(household=stays, year=2016,
                                                             income_per_capita=Decimal("4200")))
    t = services.transfer_release(actor=ninghua_clerk, household=poor, to_village=places.chengguan, reason="other")
    services.transfer_accept(actor=datian_clerk, transfer=t)
    services.return_save(actor=datian_clerk, record=ReturnRecord(household=poor, year=2016, reason="因病返贫"))

    for county in (NINGHUA, DATIAN):
        total = quota_progress(county=county)
        exited, returned = sum(r.exited for r in total), sum(r.returned for r in total)
        for level in ("township", "village"):
            places_below = place_progress(county=county, level=level)
            assert (sum(p["exited"] for p in places_below), sum(p["returned"] for p in places_below)) == (
                exited, returned), (county, level)
    assert [(p["code"], p["exited"]) for p in place_progress(county=NINGHUA, level="village")] == [
        (places.chengnan.pk, 2), (places.chengbei.pk, 1)]
    assert [(p["code"], p["net"]) for p in place_progress(county=NINGHUA, level="township")] == [
        (places.chengnan.township_id, 3)]
    assert [(p["code"], p["returned"]) for p in place_progress(county=DATIAN, level="village")] == [
        (places.chengguan.pk, 2)]


def test_the_migration_places_existing_records_in_the_village_they_were_made_in(poor, places, ninghua_clerk,
                                                                               datian_clerk):
    """NH-1 exits in 宁化 城南村 (2015), moves to 大田 城关村 and falls back there (2016); NH-O exits in 宁化
    城北村 (2016) and moves to 大田, its exit older than its history (no version of it)."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("households.migrations.0009_event_village")
    old = household(village=places.chengbei, number="NH-O", members=[member(name="老户")])
    services.exit_save(actor=ninghua_clerk, record=ExitRecord(household=poor, year=2015,
                                                             income_per_capita=Decimal("4200")))
    services.exit_save(actor=ninghua_clerk, record=ExitRecord(household=old, year=2016,
                                                             income_per_capita=Decimal("4200")))
    for h in (poor, old):
        t = services.transfer_release(actor=ninghua_clerk, household=h, to_village=places.chengguan, reason="other")
        services.transfer_accept(actor=datian_clerk, transfer=t)
    services.return_save(actor=datian_clerk, record=ReturnRecord(household=poor, year=2016, reason="因病返贫"))
    ExitRecord.history.filter(household_id=old.pk).delete()
    # As before the migration, where no record had a village: every one set wrong here.
    wrong = VillageFactory()
    ExitRecord.objects.update(village=wrong)
    ReturnRecord.objects.update(village=wrong)

    migration.villages_then(apps, None)
    assert sorted(ExitRecord.objects.values_list("household__number", "county_id", "village_id")) == [
        ("NH-1", NINGHUA, places.chengnan.pk), ("NH-O", NINGHUA, places.chengbei.pk)]
    assert list(ReturnRecord.objects.values_list("county_id", "village_id")) == [(DATIAN, places.chengguan.pk)]


def test_the_households_history_shows_every_move(poor, places, ninghua_clerk, datian_clerk):
    services.transfer_release(actor=ninghua_clerk, household=poor, to_village=places.chengbei, reason="family")
    t = services.transfer_release(actor=ninghua_clerk, household=poor, to_village=places.chengguan, reason="other")
    services.transfer_refuse(actor=datian_clerk, transfer=t, reason="不符合迁入条件")
    moves = [(m.from_village_id, m.to_village_id, m.state) for m in selectors.household_transfers(poor)]
    assert moves == [(places.chengnan.pk, places.chengbei.pk, "accepted"),
                     (places.chengbei.pk, places.chengguan.pk, "refused")]
    history = selectors.household_history(poor, show_id=str)
    village_changes = [c for e in history if e["model"] == "household" for c in e["changes"] if c["field"] == "village"]
    assert village_changes == [{"field": "village", "old": places.chengnan.pk, "new": places.chengbei.pk}]
    transfer_entries = [(e["type"], e["user"]) for e in history if e["model"] == "transfer"]
    # Newest first: the refusal, the second release, the first (one step).
    assert transfer_entries == [("changed", "clerk_datian"), ("created", "clerk_ninghua"), ("created", "clerk_ninghua")]


def test_visible_to_the_sending_and_receiving_counties_and_the_city(released, city_reviewer, health_department,
                                                                    django_user_model):
    yongan = services.role_grant(actor=SYSTEM, username="clerk_yongan", role="county_clerk", counties=["350481"])
    nobody = django_user_model.objects.create_user("nobody")
    assert list(access.transfers_visible_to(city_reviewer)) == [released]
    for user in (yongan, health_department, nobody):
        assert not access.transfers_visible_to(user).exists()


# ---------------------------------------------------------------- bad input: refused, nothing written


def test_a_transfer_into_the_households_own_village_is_refused(poor, village, ninghua_clerk):
    before = snapshot()
    errors = invalid(services.transfer_release, actor=ninghua_clerk, household=poor, to_village=village,
                     reason="family")
    assert "to_village" in errors
    assert snapshot() == before


def test_releasing_a_household_with_a_pending_transfer_is_refused(released, poor, places, ninghua_clerk):
    before = snapshot()
    errors = invalid(services.transfer_release, actor=ninghua_clerk, household=poor, to_village=places.chengbei,
                     reason="family")
    assert "待接收" in errors["household"][0]
    assert snapshot() == before


def test_releasing_a_removed_household_is_refused(poor, places, ninghua_clerk):
    services.household_remove(actor=ninghua_clerk, household=poor, reason="错评")
    before = snapshot()
    errors = invalid(services.transfer_release, actor=ninghua_clerk, household=poor, to_village=places.chengguan,
                     reason="other")
    assert "清退" in errors["household"][0]
    assert snapshot() == before


def test_accepting_a_household_removed_while_it_waited_is_refused(released, poor, ninghua_clerk, datian_clerk):
    services.household_remove(actor=ninghua_clerk, household=poor, reason="错评")
    before = snapshot()
    assert "清退" in invalid(services.transfer_accept, actor=datian_clerk, transfer=released)["household"][0]
    assert snapshot() == before
    services.transfer_refuse(actor=datian_clerk, transfer=released, reason="该户已清退")


@pytest.mark.parametrize("fields, field", [
    ({"reason": "wedding"}, "reason"),
    ({"reason": "family", "settlement": "某安置区"}, "settlement"),
    ({"reason": "family", "to_village": "350425101999"}, "to_village"),
    ({"reason": "family", "to_village": ""}, "to_village"),
])
def test_bad_release_fields_are_refused_naming_them(poor, places, ninghua_clerk, fields, field):
    before = snapshot()
    errors = invalid(services.transfer_release, actor=ninghua_clerk, household=poor,
                     **{"to_village": places.chengguan, **fields})
    assert field in errors
    assert snapshot() == before


def test_a_clerk_releases_no_household_of_another_county(poor, places, datian_clerk, city_reviewer):
    before = snapshot()
    for actor in (datian_clerk, city_reviewer):
        refused(services.transfer_release, actor=actor, household=poor, to_village=places.chengguan, reason="family")
    assert snapshot() == before


def test_accepting_or_refusing_as_the_sending_county_is_refused_naming_the_field(released, ninghua_clerk):
    before = snapshot()
    assert refused(services.transfer_accept, actor=ninghua_clerk, transfer=released).field == "to_village"
    assert refused(services.transfer_refuse, actor=ninghua_clerk, transfer=released, reason="不要").field == "to_village"
    assert snapshot() == before


def test_the_reviewer_decides_no_transfer(released, city_reviewer):
    before = snapshot()
    refused(services.transfer_accept, actor=city_reviewer, transfer=released)
    refused(services.transfer_refuse, actor=city_reviewer, transfer=released, reason="不要")
    assert snapshot() == before


def test_refusing_without_a_reason_is_refused(released, datian_clerk):
    before = snapshot()
    assert "refusal_reason" in invalid(services.transfer_refuse, actor=datian_clerk, transfer=released, reason="  ")
    assert snapshot() == before


@pytest.mark.parametrize("decide", ["accept", "refuse"])
@pytest.mark.parametrize("then", ["accept", "refuse"])
def test_a_decided_transfer_is_not_decided_again(released, datian_clerk, decide, then):
    steps = {"accept": lambda t: services.transfer_accept(actor=datian_clerk, transfer=t),
             "refuse": lambda t: services.transfer_refuse(actor=datian_clerk, transfer=t, reason="无住房")}
    steps[decide](released)
    before = snapshot()
    errors = invalid(steps[then], t=released)
    assert "state" in errors and ("已接收" if decide == "accept" else "已拒收") in errors["state"][0]
    assert snapshot() == before


# ---------------------------------------------------------------- the constraints, past the services


def transfer_row(h, **fields):
    values = {"household": h, "from_village_id": h.village_id, "to_village_id": "350424101202", "reason": "family",
              "released_at": datetime.datetime(2017, 1, 1, tzinfo=datetime.UTC), **fields}
    return Transfer(**values)


@pytest.mark.parametrize("fields", [
    {"to_village_id": "350424101201"},  # into its own village
    {"state": "refused", "decided_at": datetime.datetime(2017, 2, 1, tzinfo=datetime.UTC)},  # refused, no reason
    {"refusal_reason": "无"},  # a reason, not refused
    {"state": "accepted"},  # decided, without a date
    {"reason": "family", "settlement": "安置区"},  # a settlement for another reason than relocation
    {"reason": "moved"},
])
def test_the_database_holds_each_rule(poor, places, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        transfer_row(poor, **fields).save()


def test_the_database_holds_one_pending_transfer_per_household(poor, places):
    transfer_row(poor).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        transfer_row(poor, to_village_id=places.chengguan.pk).save()


# ---------------------------------------------------------------- the data-quality check


def test_a_transfer_pending_over_30_days_is_a_finding_linked_to_its_household(released, poor, datian_clerk):
    Transfer.objects.filter(pk=released.pk).update(
        released_at=datetime.datetime(2017, 3, 1, 9, 30, tzinfo=datetime.UTC))

    def found(on):
        return [(f.check, f.county, f.household, f.household_number, f.url, f.detail)
                for f in run_audit(checks=["transfer_pending_long"], as_of=on)]

    assert found(datetime.date(2017, 3, 31)) == []  # 30 days: not yet
    url = reverse("dashboard:household", args=[poor.pk])
    assert found(datetime.date(2017, 4, 1)) == [
        ("transfer_pending_long", NINGHUA, poor.pk, "NH-1", url, "2017-03-01迁往大田县城关村，已待接收31天")]
    # Scoped like every check: the receiving county does not see the household yet.
    assert run_audit(checks=["transfer_pending_long"], as_of=datetime.date(2017, 4, 1),
                     households=access.households_visible_to(datian_clerk)) == []
    services.transfer_accept(actor=datian_clerk, transfer=released)
    assert found(datetime.date(2017, 6, 1)) == []  # decided: nothing waits


def test_a_transfer_pending_is_counted_in_sanming_s_days(released, poor):
    # 20:30 UTC on 1 March is 04:30 on 2 March in Sanming: on 1 April it has waited 30 days, not 31.
    Transfer.objects.filter(pk=released.pk).update(
        released_at=datetime.datetime(2017, 3, 1, 20, 30, tzinfo=datetime.UTC))

    def details(on):
        return [f.detail for f in run_audit(checks=["transfer_pending_long"], as_of=on)]

    assert details(datetime.date(2017, 4, 1)) == []
    assert details(datetime.date(2017, 4, 2)) == ["2017-03-02迁往大田县城关村，已待接收31天"]
