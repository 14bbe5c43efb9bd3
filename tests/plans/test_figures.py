"""The figures of a year-end close (issue 19 points 4 and 5): a county-year's figures counted by hand
on a small registry, their canonical JSON and its SHA-256 recomputed outside the application, and
the drift check, which recomputes every accepted county-year from the records."""

import datetime
import hashlib
import json
import subprocess
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, ReliefMeasure, ReturnRecord, Transfer, YearClose
from plans.checks import ERROR, WARNING, run_checks
from plans.figures import canonical_json, close_drift, close_figures, figures_of, sha256
from plans.models import AnnexRow, FigureTotal
from plans.services import figures_catch_up
from tests.conftest import DATIAN, NINGHUA
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db

D = datetime.date


def people(n, prefix=NINGHUA, **head):
    return [member(id_number=resident_id(prefix=prefix), **head),
            *(member(name=f"子{i}", relation="child", id_number=resident_id(prefix=prefix)) for i in range(n - 1))]


def measure(h, channel, amount, year=2016):
    services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=h, channel_id=channel, year=year,
                                                              content="帮扶", amount=Decimal(amount)))


@pytest.fixture
def year_2016(places, ninghua_clerk, datian_clerk):
    """宁化县, identified 2016: A (ordinary, 因病, 3 persons; a fourth born 2017-03-01), B (dibao,
    缺劳力, 2, exits 2016), C (ordinary, 因病, 2, 城北村, transferred to 大田县 on 2017-06-01),
    R (wubao, 缺资金, 2, removed today, after the year). D (identified 2015, 1 person, exits 2015,
    returns 2016). 大田县: E (identified 2016, 1 person). Measures of 2016: A 医疗救助 3000,
    B 医疗救助 200, C 教育扶贫 1800.50; of 2015: A 医疗救助 99.

    By hand, 宁化县 2016: exited 1 household / 2 persons, returned 1 / 1; at the year's end A3 + C2
    + D1 + R2 = 8 poor (B is out); identified A, B, C, R: 4 households, 3 + 2 + 2 + 2 = 9 persons;
    医疗救助 2 measures 3200.00, 教育扶贫 1 1800.50."""
    a = household(village=places.chengnan, number="A", members=[
        *people(3), member(name="新生", relation="child", id_number=resident_id(birth=D(2017, 3, 1)),
                           joined_on=D(2017, 3, 1))], identified_year=2016)
    b = household(village=places.chengnan, number="B", members=people(2), category="dibao",
                  main_cause_id="lack_labor", identified_year=2016)
    c = household(village=places.chengbei, number="C", members=people(2), identified_year=2016)
    r = household(village=places.chengnan, number="R", members=people(2), category="wubao",
                  main_cause_id="lack_funds", identified_year=2016)
    d = household(village=places.chengnan, number="D", members=people(1), identified_year=2015)
    e = household(village=places.chengguan, number="E", members=people(1, DATIAN), identified_year=2016)
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=b, year=2016, income_per_capita=Decimal("2500")))
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=d, year=2015, income_per_capita=Decimal("2500")))
    services.return_save(actor=SYSTEM, record=ReturnRecord(household=d, year=2016, reason="因病返贫"))
    measure(a, "medical_aid", "3000")
    measure(b, "medical_aid", "200")
    measure(c, "education_aid", "1800.50")
    measure(a, "medical_aid", "99", year=2015)
    t = services.transfer_release(actor=ninghua_clerk, household=c, to_village=places.chengguan, reason="family")
    services.transfer_accept(actor=datian_clerk, transfer=t)
    at = datetime.datetime(2017, 6, 1, 9, tzinfo=datetime.UTC)
    Transfer.objects.filter(pk=t.pk).update(released_at=at - datetime.timedelta(days=2), decided_at=at)
    services.household_remove(actor=SYSTEM, household=r, reason="错评")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "r": r}


def test_a_county_years_figures_counted_by_hand(year_2016):
    quota = AnnexRow.objects.get(county_id=NINGHUA).quota_2016
    assert close_figures(county=NINGHUA, year=2016) == {
        "form": 1, "county": NINGHUA, "county_name": "宁化县", "year": 2016,
        "progress": {"quota": quota, "exited": 2, "returned": 1, "net": 1, "percent": round(100 / quota, 1),
                     "shortfall": quota - 1, "status": "behind"},
        "exited": {"households": 1, "persons": 2},
        "returned": {"households": 1, "persons": 1},
        "population_year_end": 8,
        "identified": {"households": 4, "persons": 9,
                       "by_category": {"ordinary": {"households": 2, "persons": 5},
                                       "dibao": {"households": 1, "persons": 2},
                                       "wubao": {"households": 1, "persons": 2}},
                       "by_cause": {"illness": {"households": 2, "persons": 5},
                                    "lack_labor": {"households": 1, "persons": 2},
                                    "lack_funds": {"households": 1, "persons": 2}}},
        "measures_by_channel": {"medical_aid": {"measures": 2, "amount": "3200.00"},
                                "education_aid": {"measures": 1, "amount": "1800.50"}},
    }


def test_a_household_counts_for_the_county_it_lay_in_at_the_years_end(year_2016):
    """C moved to 大田县 in 2017: 宁化县's 2016 keeps it, 大田县 counts it from 2017's end."""
    figures = figures_of([(DATIAN, 2016), (DATIAN, 2017)])
    datian_2016, datian_2017 = figures[(DATIAN, 2016)], figures[(DATIAN, 2017)]
    assert datian_2016["identified"]["households"] == 1  # E alone
    assert datian_2016["measures_by_channel"] == {}
    assert datian_2016["population_year_end"] == 1
    assert datian_2017["population_year_end"] == 3  # E1 + C2


def test_figures_of_many_county_years_run_the_same_queries_as_one(year_2016, django_assert_max_num_queries):
    figures_catch_up()  # the fixture's writes counted into the kept figures, as by any read
    with django_assert_max_num_queries(18) as one:
        close_figures(county=NINGHUA, year=2016)
    with django_assert_max_num_queries(len(one.captured_queries)):
        figures_of([(c, y) for c in (NINGHUA, DATIAN) for y in (2015, 2016, 2017)])


def test_canonical_json_is_the_documented_form():
    figures = {"year": 2016, "county_name": "宁化县", "progress": {"percent": 12.5, "exited": 2}}
    assert canonical_json(figures) == '{"county_name":"宁化县","progress":{"exited":2,"percent":12.5},"year":2016}'


def accept(county, year, figures=None) -> YearClose:
    """An accepted close made directly (the flow's services are another branch's), with its figures."""
    text = canonical_json(figures or close_figures(county=county, year=year))
    return YearClose.objects.create(county_id=county, year=year, state=YearClose.State.ACCEPTED,
                                    acted_at=datetime.datetime(2017, 2, 1, tzinfo=datetime.UTC),
                                    figures=text, figures_sha256=sha256(text))


def test_the_hash_recomputed_outside_the_application_matches(year_2016):
    close = accept(NINGHUA, 2016)
    close.refresh_from_db()
    stored = close.figures.encode("utf-8")
    assert hashlib.sha256(stored).hexdigest() == close.figures_sha256
    printed = subprocess.run(["sha256sum"], input=stored, capture_output=True, check=True).stdout.decode()
    assert printed.split()[0] == close.figures_sha256
    assert "宁化县" in close.figures  # Chinese kept as it is, not \\u-escaped


def test_the_drift_checks_recomputation_equals_the_stored_figures(year_2016):
    accept(NINGHUA, 2016)
    accept(DATIAN, 2016)
    drifts = close_drift()
    assert [(d.close.county_id, d.ok, d.moved) for d in drifts] == [(NINGHUA, True, ()), (DATIAN, True, ())]
    for d in drifts:
        recomputed = close_figures(county=d.close.county_id, year=d.close.year)
        assert json.loads(d.close.figures) == recomputed
        assert canonical_json(recomputed) == d.close.figures
    by_code = {f.check: f for f in run_checks("records")}
    assert by_code["close.drift"].ok and by_code["close.drift.reopened"].ok


def test_after_a_reopen_and_a_change_the_drift_check_names_the_county_year_and_the_figure(year_2016):
    close = accept(NINGHUA, 2016)
    accept(DATIAN, 2016)
    YearClose.objects.filter(pk=close.pk).update(state=YearClose.State.REOPENED, reason="补录脱贫户")
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=year_2016["a"], year=2016,
                                                       income_per_capita=Decimal("2500")))
    by_code = {f.check: f for f in run_checks("records")}
    reopened = by_code["close.drift.reopened"]
    assert (reopened.ok, reopened.severity, reopened.actual) == (False, WARNING, 1)
    [item] = reopened.items
    assert item.startswith("宁化县2016年度：")
    # A leaves the population with its 3 persons of 2016's end; its exit counts the 4 it has today.
    for moved in ("progress.exited 2→6", "exited.households 1→2", "exited.persons 2→6", "population_year_end 8→5"):
        assert moved in item
    assert "identified" not in item and "measures" not in item
    assert by_code["close.drift"].ok  # 大田县's 2016, still accepted, has not moved


def test_an_acceptance_reads_the_kept_population_and_the_drift_check_counts_the_registry(year_2016):
    """The year-end population an acceptance keeps is the overview's kept figure (a tampered one
    shows in it); the drift check counts the registry and names the difference."""
    figures_catch_up()  # the fixture's writes counted, then the kept figure tampered with
    FigureTotal.objects.filter(county=NINGHUA, year=2016).update(persons=F("persons") + 3)
    close = accept(NINGHUA, 2016)
    assert json.loads(close.figures)["population_year_end"] == 11  # A3 + C2 + D1 + R2, kept as 11
    [drift] = close_drift()
    assert drift.hash_ok and drift.moved == (("population_year_end", 11, 8),)


def test_a_write_round_the_freeze_into_an_accepted_year_is_an_error(year_2016):
    accept(NINGHUA, 2016)
    ExitRecord.objects.filter(household=year_2016["b"]).update(persons=7)  # no service: round the freeze
    drift = {f.check: f for f in run_checks("records")}["close.drift"]
    assert (drift.ok, drift.severity) == (False, ERROR)
    q = AnnexRow.objects.get(county_id=NINGHUA).quota_2016
    assert drift.items == (f"宁化县2016年度：exited.persons 2→7；progress.exited 2→7；progress.net 1→6；"
                           f"progress.percent {round(100 / q, 1)}→{round(600 / q, 1)}；"
                           f"progress.shortfall {q - 1}→{q - 6}",)


def test_kept_figures_that_no_longer_match_their_hash_are_an_error(year_2016):
    close = accept(NINGHUA, 2016)
    YearClose.objects.filter(pk=close.pk).update(figures=close.figures.replace('"population_year_end":8',
                                                                               '"population_year_end":9'))
    [drift] = close_drift()
    assert not drift.hash_ok
    assert drift.moved == (("population_year_end", 9, 8),)
    assert drift.describe() == "宁化县2016年度：锁定数据与其SHA-256不符；population_year_end 9→8"


def test_check_plan_fails_on_a_drifted_accepted_year(year_2016, capsys):
    accept(NINGHUA, 2016)
    ExitRecord.objects.filter(household=year_2016["b"]).update(persons=7)
    with pytest.raises(CommandError):
        call_command("check_plan", "--json")
    report = json.loads(capsys.readouterr().out)
    [drift] = [f for f in report["consistency"] if f["check"] == "close.drift"]
    assert drift["items"][0].startswith("宁化县2016年度：")
