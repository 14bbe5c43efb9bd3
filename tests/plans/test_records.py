"""The city's records of its actions: refused when bad, and checked against the plan."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from common.actors import SYSTEM
from common.refusals import Refused
from households.models import ExitRecord
from households.services import exit_save
from plans.checks import run_checks
from plans.models import Envoy, PovertyLine, Settlement, SupportStandard, TownshipPairing, VillageIncome
from plans.services import plan_record_delete, plan_record_save
from tests.factories import TownshipFactory, VillageFactory, household

pytestmark = pytest.mark.django_db


def refused(record) -> dict:
    with pytest.raises(ValidationError) as e:
        plan_record_save(actor=SYSTEM, record=record)
    return e.value.message_dict


def findings(as_of=datetime.date(2021, 1, 1)):
    return {f.check: f for f in run_checks("records", as_of=as_of)}


def test_village_income_once_a_year_and_never_negative():
    village = VillageFactory()
    plan_record_save(actor=SYSTEM, record=VillageIncome(village=village, year=2016, own_income=Decimal("12000")))
    assert "year" in refused(VillageIncome(village=village, year=2016, own_income=Decimal("5")))
    assert "own_income" in refused(VillageIncome(village=village, year=2017, own_income=Decimal("-1")))
    assert VillageIncome.objects.count() == 1


def test_hollow_villages_short_of_each_stage_are_listed():
    hollow_zero, hollow_ok, hollow_missing = (VillageFactory(is_hollow=True) for _ in range(3))
    for village, income in ((hollow_zero, "0"), (hollow_ok, "60000")):
        plan_record_save(actor=SYSTEM, record=VillageIncome(village=village, year=2016, own_income=Decimal(income)))
        plan_record_save(actor=SYSTEM, record=VillageIncome(village=village, year=2018, own_income=Decimal(income)))
    stage_2016 = findings(datetime.date(2017, 1, 1))["village_income.2016"]
    assert stage_2016.actual == 2 and not stage_2016.ok
    assert any(hollow_zero.code in item and "0" in item for item in stage_2016.items)
    assert any(hollow_missing.code in item and "无记录" in item for item in stage_2016.items)
    assert "village_income.2018" not in findings(datetime.date(2018, 6, 1))  # not due yet


def test_a_township_paired_twice_is_refused_with_a_clear_message():
    key_a, key_b = TownshipFactory(is_city_key=True), TownshipFactory(is_city_key=True)
    strong = TownshipFactory()
    plan_record_save(actor=SYSTEM, record=TownshipPairing(strong_town=strong, key_township=key_a))
    errors = refused(TownshipPairing(strong_town=strong, key_township=key_b))
    assert "只能结对一次" in errors["strong_town"][0]
    errors = refused(TownshipPairing(strong_town=TownshipFactory(), key_township=key_a))
    assert "只能结对一次" in errors["key_township"][0]
    assert "不是市级扶贫开发工作重点乡" in refused(TownshipPairing(strong_town=TownshipFactory(), key_township=TownshipFactory()))["key_township"][0]


def test_unpaired_key_townships_and_missing_envoys_are_listed():
    key = TownshipFactory(is_city_key=True, name="安远乡")
    ethnic = TownshipFactory(is_ethnic=True, name="治平畲族乡")
    plan_record_save(actor=SYSTEM, record=Envoy(name="陈工", unit="市农业局", township=key, year=2016))
    f = findings()
    assert f["pairings.key_townships"].items == (f"{key.code} 安远乡",)
    assert f["envoys.townships"].items == (f"{ethnic.code} 治平畲族乡",)
    assert "township" in refused(Envoy(name="x", unit="y", township=TownshipFactory(), year=2016))


def test_settlements_each_year_counted_when_large_enough():
    township = TownshipFactory()
    for i in range(30):
        plan_record_save(actor=SYSTEM, record=Settlement(name=f"安置区{i}", township=township, year=2016, households=30 + i))
    plan_record_save(actor=SYSTEM, record=Settlement(name="小安置点", township=township, year=2017, households=12))
    f = findings(datetime.date(2018, 1, 1))
    assert (f["settlements.2016"].actual, f["settlements.2016"].ok) == (30, True)
    assert (f["settlements.2017"].actual, f["settlements.2017"].ok, f["settlements.2017"].items) == (0, False, ("小安置点：12户",))


def test_wubao_standard_under_70_percent_is_flagged():
    plan_record_save(actor=SYSTEM, record=SupportStandard(county_id="350424", year=2016, standard=Decimal("4900"),
                                       rural_consumption_prev_year=Decimal("7000")))
    plan_record_save(actor=SYSTEM, record=SupportStandard(county_id="350425", year=2016, standard=Decimal("4899.99"),
                                       rural_consumption_prev_year=Decimal("7000")))
    f = findings()["support.ratio"]
    assert f.actual == 1 and "大田县 2016年" in f.items[0]
    assert "year" in refused(SupportStandard(county_id="350424", year=2016, standard=1, rural_consumption_prev_year=1))


def test_exits_below_the_line_or_without_one_are_flagged():
    low, ok = household(), household()
    ExitRecord.objects.create(household=low, county_id=low.county_code, village_id=low.village_id, year=2016, persons=1, income_per_capita=Decimal("2900"))
    ExitRecord.objects.create(household=ok, county_id=ok.county_code, village_id=ok.village_id, year=2016, persons=1, income_per_capita=Decimal("2952"))
    later = household()
    ExitRecord.objects.create(household=later, county_id=later.county_code, village_id=later.village_id, year=2017, persons=1,
                              income_per_capita=Decimal("5000"))
    f = findings()
    assert f["exits.line.national.2016"].items == (low.number,)
    assert f["exits.line.national.2017"].actual == "线未知"
    assert PovertyLine.objects.get(standard="national", year=2016).amount == Decimal("2952")


def test_plan_numbers_are_read_only_and_records_are_written_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:plans_annexrow_add")).status_code == 403
    assert admin_client.get(reverse("admin:plans_annexrow_changelist")).status_code == 200
    village = VillageFactory()
    response = admin_client.post(reverse("admin:plans_villageincome_add"), {
        "village": village.code, "year": "2016", "own_income": "-3",
    })
    assert response.status_code == 200 and VillageIncome.objects.count() == 0
    response = admin_client.post(reverse("admin:plans_villageincome_add"), {
        "village": village.code, "year": "2016", "own_income": "3000",
    })
    assert response.status_code == 302
    assert VillageIncome.objects.get().history.get().history_user.username == "admin"


def test_households_still_poor_after_their_deadline_are_listed():
    national, provincial = household(standard="national"), household(standard="provincial")
    assert "deadline.national" not in findings(datetime.date(2017, 12, 31))
    f = findings(datetime.date(2018, 1, 2))
    assert f["deadline.national"].items == (national.number,)
    assert "deadline.provincial" not in f
    exit_save(actor=SYSTEM, record=ExitRecord(household=provincial, year=2018, income_per_capita=Decimal("5000")))
    assert findings(datetime.date(2019, 1, 1))["deadline.provincial"].ok


def test_an_exit_counted_in_another_county_than_its_households_is_an_error():
    """Written around the services, which keep an exit's county: the one drift the check exists for."""
    kept, drifted = household(), household()
    exit_save(actor=SYSTEM, record=ExitRecord(household=kept, year=2016, income_per_capita=Decimal("5000")))
    ExitRecord.objects.create(household=drifted, county_id="350425", village_id=drifted.village_id, year=2016, persons=1,
                              income_per_capita=Decimal("5000"))
    f = findings()["records.county"]
    assert (f.severity, f.ok, f.items) == ("error", False, (f"脱贫记录 {drifted.number}",))


def test_the_citys_records_are_the_reviewers_to_keep(ninghua_clerk, city_reviewer):
    village = VillageFactory()
    record = VillageIncome(village=village, year=2016, own_income=Decimal("12000"))
    with pytest.raises(Refused):
        plan_record_save(actor=ninghua_clerk, record=record)
    assert not VillageIncome.objects.exists()
    plan_record_save(actor=city_reviewer, record=record)
    with pytest.raises(Refused):
        plan_record_delete(actor=ninghua_clerk, record=record)
    assert VillageIncome.objects.get().history.get().history_user == city_reviewer


def test_an_exit_placed_in_a_village_outside_its_county_is_an_error(places):
    """Written around the services, which place a record in its household's village of the time."""
    kept, misplaced = household(village=places.chengnan), household(village=places.chengnan)
    exit_save(actor=SYSTEM, record=ExitRecord(household=kept, year=2016, income_per_capita=Decimal("5000")))
    assert findings()["records.village"].ok
    ExitRecord.objects.create(household=misplaced, county_id=misplaced.county_code, village_id=places.chengguan.pk,
                              year=2016, persons=1, income_per_capita=Decimal("5000"))
    f = findings()["records.village"]
    assert (f.severity, f.ok, f.items) == ("error", False, (f"脱贫记录 {misplaced.number}",))
