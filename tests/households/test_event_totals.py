"""The exits and returns kept per county and year (issue 21 point 2): after each kind of write (an exit,
a return, a correction, a record taken back through the service and through the API's and the admin's
doors, a transfer, a bulk write, the demo registry) they hold the figures counted by hand, and the same
as a recount of the records; the check `records.totals` reports a tampered row and nothing otherwise;
the rebuild and the migration count them from the records."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import F

from common.actors import SYSTEM
from common.refusals import Refused
from households import services
from households.models import EventTotal, ExitRecord, Household, ReturnRecord
from households.total_selectors import event_totals, events_counted, totals_drift
from plans.checks import ERROR, run_checks
from plans.figures import close_figures, figures_of
from plans.selectors import quota_progress
from tests.conftest import DATIAN, NINGHUA, api_as, exit_in, people
from tests.factories import household

pytestmark = pytest.mark.django_db


def kept(county: str, year: int) -> tuple[int, int, int, int]:
    """The kept totals of a county-year: exited households, persons, returned households, persons."""
    row = event_totals().get((county, year), {})
    return tuple(row.get(c, 0) for c in ("exited_households", "exited_persons", "returned_households",
                                           "returned_persons"))


def no_drift():
    """The kept totals are the records' count, and the check says so."""
    assert totals_drift() == []
    [check] = [f for f in run_checks("records") if f.check == "records.totals"]
    assert (check.ok, check.actual, check.items) == (True, 0, ())


def test_the_services_writes_keep_the_totals_of_each_county_and_year(registry):
    """The registry fixture: 宁化县 a (3) and b (2) out in 2015, d (2) out in 2016, b back in 2016;
    大田县 e (4) out in 2015."""
    assert kept(NINGHUA, 2015) == (2, 5, 0, 0)
    assert kept(NINGHUA, 2016) == (1, 2, 1, 2)
    assert kept(DATIAN, 2015) == (1, 4, 0, 0)
    assert kept(DATIAN, 2016) == (0, 0, 0, 0)
    no_drift()
    progress = {(r.county, r.year): r for r in quota_progress(as_of=datetime.date(2019, 1, 1))}
    assert (progress[NINGHUA, 2016].exited, progress[NINGHUA, 2016].returned) == (2, 2)


def test_a_correction_keeps_the_totals_and_taking_records_back_takes_them_away(registry):
    returned = ReturnRecord.objects.get(household=registry.b)
    returned.reason = "因灾返贫"
    services.return_save(actor=SYSTEM, record=returned)
    assert kept(NINGHUA, 2016) == (1, 2, 1, 2)
    services.return_delete(actor=SYSTEM, record=returned)
    assert kept(NINGHUA, 2016) == (1, 2, 0, 0)
    services.exit_delete(actor=SYSTEM, record=ExitRecord.objects.get(household=registry.b))
    assert kept(NINGHUA, 2015) == (1, 3, 0, 0)
    no_drift()


def test_a_refused_write_leaves_the_totals_as_they_were(registry):
    with pytest.raises(ValidationError):  # the latest record only may be taken back: b's return, not its exit
        services.exit_delete(actor=SYSTEM, record=ExitRecord.objects.get(household=registry.b))
    with pytest.raises(ValidationError):  # one exit a year
        exit_in(registry.a, 2015)
    assert (kept(NINGHUA, 2015), kept(NINGHUA, 2016)) == ((2, 5, 0, 0), (1, 2, 1, 2))
    no_drift()


def test_taking_back_through_the_api_and_the_admin_takes_from_the_totals(registry, ninghua_clerk, client):
    client_api = api_as(ninghua_clerk)
    returned = ReturnRecord.objects.get(household=registry.b)
    assert client_api.delete(f"/api/v1/returns/{returned.pk}/").status_code == 204
    assert kept(NINGHUA, 2016) == (1, 2, 0, 0)
    exited = ExitRecord.objects.get(household=registry.d)
    client.force_login(ninghua_clerk)
    answer = client.post(f"/admin/households/exitrecord/{exited.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302 and not ExitRecord.objects.filter(pk=exited.pk).exists()
    assert kept(NINGHUA, 2016) == (0, 0, 0, 0)
    posted = client_api.post("/api/v1/exits/", {"household": registry.c.pk, "year": 2017,
                                                 "income_per_capita": "4300.00"}, format="json")
    assert posted.status_code == 201, posted.json()
    assert kept(NINGHUA, 2017) == (1, 1, 0, 0)
    no_drift()


def test_a_transfer_moves_no_total_and_what_follows_counts_for_the_new_county(registry, ninghua_clerk, datian_clerk,
                                                                             places):
    """An exit stays counted for the county where it was recorded; the household's return after it
    moved counts for the county it lies in then."""
    moved = services.transfer_release(actor=ninghua_clerk, household=registry.a, to_village=places.chengguan,
                                      reason="other")
    services.transfer_accept(actor=datian_clerk, transfer=moved)
    assert Household.objects.get(pk=registry.a.pk).county_code == DATIAN
    assert (kept(NINGHUA, 2015), kept(DATIAN, 2015)) == ((2, 5, 0, 0), (1, 4, 0, 0))
    services.return_save(actor=datian_clerk, record=ReturnRecord(household=registry.a, year=2017, reason="因病返贫"))
    assert (kept(NINGHUA, 2017), kept(DATIAN, 2017)) == ((0, 0, 0, 0), (0, 0, 1, 3))
    no_drift()


def test_a_bulk_write_adds_its_exits_and_returns_in_one_go(places):
    made = []
    for number, village, size, prefix in (("NH-X", places.chengnan, 3, NINGHUA), ("NH-Y", places.chengbei, 2, NINGHUA),
                                          ("DT-Z", places.chengguan, 1, DATIAN)):
        h = Household(number=number, village=village, category="ordinary", main_cause_id="illness",
                      identified_year=2014, income_per_capita=Decimal(2500), status=Household.Status.EXITED)
        members = people(size, prefix=prefix)
        for m in members:
            m.household = h
        made.append((h, members))
    x, y, z = (h for h, _ in made)
    x.status = Household.Status.RETURNED
    exits = [ExitRecord(household=x, year=2015, persons=3, income_per_capita=Decimal(4000)),
             ExitRecord(household=y, year=2015, persons=2, income_per_capita=Decimal(4000)),
             ExitRecord(household=z, year=2016, persons=1, income_per_capita=Decimal(4000))]
    returns = [ReturnRecord(household=x, year=2016, persons=3, reason="因病返贫")]
    exit_in(household(village=places.chengnan, members=people(2)), 2015)  # one already there: added to
    services.registry_bulk_create(actor=SYSTEM, households=[h for h, _ in made],
                                  members=[m for _, ms in made for m in ms], exits=exits, returns=returns)
    assert kept(NINGHUA, 2015) == (3, 7, 0, 0)
    assert (kept(NINGHUA, 2016), kept(DATIAN, 2016)) == ((0, 0, 1, 3), (1, 1, 0, 0))
    no_drift()


def test_the_demo_registry_keeps_its_totals():
    call_command("seed_demo", "--persons", "600", "--seed", "6", "--without-closes", verbosity=0)
    assert sum(row["exited_households"] for row in event_totals().values()) == ExitRecord.objects.count() > 0
    assert sum(row["returned_persons"] for row in event_totals().values()) == sum(
        ReturnRecord.objects.values_list("persons", flat=True)) > 0
    no_drift()


# ---------------------------------------------------------------- the check, the rebuild, the migration


def test_the_check_reports_a_tampered_total_and_a_record_written_round_the_services(registry):
    EventTotal.objects.filter(county_id=NINGHUA, year=2016).update(returned_persons=F("returned_persons") + 5)
    [check] = [f for f in run_checks("records") if f.check == "records.totals"]
    assert (check.ok, check.severity, check.actual) == (False, ERROR, 1)
    assert check.items == (f"{NINGHUA} 2016年 返贫人数：保存 7，按记录 2",)
    services.event_totals_rebuild(actor=SYSTEM)
    ExitRecord.objects.filter(household=registry.e).update(persons=6)  # no service
    assert [(d.county, d.year, d.column, d.kept, d.counted) for d in totals_drift()] == [
        (DATIAN, 2015, "exited_persons", 4, 6)]
    with pytest.raises(CommandError):
        call_command("check_plan")


def test_the_command_lists_a_drift_and_rebuilds_the_totals_from_the_records(registry, capsys):
    EventTotal.objects.filter(county_id=DATIAN, year=2015).delete()
    EventTotal.objects.create(county_id=DATIAN, year=2018, exited_households=1, exited_persons=1)
    with pytest.raises(CommandError):
        call_command("event_totals")
    assert f"{DATIAN} 2018年 脱贫户数：保存 1，按记录 0" in capsys.readouterr().out
    call_command("event_totals", "--rebuild")
    assert "新增 1 行，更正 0 行，删除 1 行" in capsys.readouterr().out
    assert (kept(DATIAN, 2015), kept(DATIAN, 2018)) == ((1, 4, 0, 0), (0, 0, 0, 0))
    no_drift()
    call_command("event_totals")  # nothing to report: no error


def test_only_a_superuser_or_the_system_rebuilds(registry, ninghua_clerk):
    EventTotal.objects.filter(county_id=NINGHUA, year=2015).update(exited_persons=0)
    with pytest.raises(Refused):
        services.event_totals_rebuild(actor=ninghua_clerk)
    assert kept(NINGHUA, 2015) == (2, 0, 0, 0)


def test_a_close_keeps_the_kept_totals_and_its_drift_check_recounts_the_records(registry):
    """The acceptance reads the totals (a tampered row shows in what it would keep); the drift check
    of the closes counts the records."""
    EventTotal.objects.filter(county_id=NINGHUA, year=2016).update(exited_persons=F("exited_persons") + 1)
    kept_figures = close_figures(county=NINGHUA, year=2016)
    assert (kept_figures["exited"], kept_figures["progress"]["exited"]) == ({"households": 1, "persons": 3}, 3)
    recounted = figures_of([(NINGHUA, 2016)], recount=True)[NINGHUA, 2016]
    assert (recounted["exited"], recounted["progress"]["exited"]) == ({"households": 1, "persons": 2}, 2)


def test_a_recount_is_the_records_figures_not_the_kept_ones(registry):
    EventTotal.objects.all().delete()
    assert events_counted()[NINGHUA, 2016] == {"exited_households": 1, "exited_persons": 2,
                                                "returned_households": 1, "returned_persons": 2}
    assert [r.exited for r in quota_progress(county=NINGHUA, year=2015)] == [0]
    assert [r.exited for r in quota_progress(county=NINGHUA, year=2015, recount=True)] == [5]
