"""What the projects report rather than refuse: the plan's pilot ranges in the plan's report
(plans.checks, shown by check_plan and plans/consistency), and a training long after a household's
exit in the data-quality audit."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from common.actors import SYSTEM
from households.audit import run_audit
from households.models import ExitRecord, ReturnRecord
from households.services import exit_save, return_save
from plans.checks import run_checks
from projects.checks import TRAINING_YEARS_AFTER_EXIT
from projects.models import Pilot, Training, TrainingCourse, TrainingInstitution
from projects.services import link_save, pilot_save, project_save
from tests.factories import TownshipFactory, VillageFactory, household, member

NINGHUA = "350424"


@pytest.fixture
def township(db):
    return TownshipFactory(county_id=NINGHUA, code="350424101")


def pilot_villages(township, n: int, *, poor=True) -> None:
    for i in range(n):
        village = VillageFactory(township=township, code=f"350424101{200 + i:03d}", is_poor_village=poor)
        pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=NINGHUA, village=village, year=2016))


def organisations(n: int) -> None:
    for i in range(n):
        pilot_save(actor=SYSTEM, pilot=Pilot(kind="family_farm", name=f"示范农场{i}", county_id=NINGHUA,
                               link_type="enterprise_farm_household", year=2016))


def pilot_findings() -> dict:
    return {f.check: f for f in run_checks("records") if f.check.startswith("pilots.")}


def test_the_pilot_counts_are_held_against_the_plans_ranges(township):
    found = pilot_findings()
    assert (found["pilots.villages"].expected, found["pilots.villages"].actual) == ("20–30", 0)
    assert (found["pilots.enterprises"].expected, found["pilots.enterprises"].actual) == ("10–20", 0)
    assert not found["pilots.villages"].ok and not found["pilots.enterprises"].ok
    pilot_villages(township, 20)
    organisations(21)
    found = pilot_findings()
    assert found["pilots.villages"].ok and found["pilots.villages"].actual == 20
    assert not found["pilots.enterprises"].ok and found["pilots.enterprises"].actual == 21
    organisations_left = Pilot.objects.exclude(kind="village").order_by("id")
    organisations_left.first().delete()
    assert pilot_findings()["pilots.enterprises"].ok


def test_a_pilot_village_that_is_not_a_poor_village_is_named(township):
    pilot_villages(township, 1, poor=False)
    finding = pilot_findings()["pilots.poor_villages"]
    assert not finding.ok and finding.items == ("350424101200 " + Pilot.objects.get().village.name,)


def test_the_ranges_appear_in_the_plans_report(township):
    out = io.StringIO()
    call_command("check_plan", stdout=out)
    text = out.getvalue()
    assert "整村推进试点示范村数" in text and "20–30" in text and "产业帮带试点经济组织数" in text


# ---------------------------------------------------------------- training after exit


@pytest.fixture
def exited(township):
    village = VillageFactory(township=township, code="350424101201")
    h = household(village=village, number="NH-EXIT", main_cause_id="lack_skills", members=[member(name="罗平")])
    exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2015, income_per_capita=Decimal("4800")))
    return h


def train(h, year: int) -> Training:
    institution = TrainingInstitution.objects.get_or_create(name="宁化职校", county_id=NINGHUA)[0]
    course = project_save(actor=SYSTEM, record=TrainingCourse(institution=institution, name=f"{year}年电商培训", year=year))
    return link_save(actor=SYSTEM, record=Training(course=course, member=h.members.get()))


def training_findings() -> list:
    return run_audit(checks=["training_after_exit"], as_of=datetime.date(2018, 12, 31))


def test_a_training_years_after_exit_is_reported_not_refused(exited):
    train(exited, 2015 + TRAINING_YEARS_AFTER_EXIT)  # within the policy's year after exit: fine
    assert training_findings() == []
    train(exited, 2017)
    [finding] = training_findings()
    assert (finding.household_number, finding.member) == ("NH-EXIT", exited.members.get().pk)
    assert "2015年脱贫" in finding.detail and "2017年" in finding.detail and "电商培训" in finding.detail


def test_a_household_that_fell_back_may_train(exited):
    return_save(actor=SYSTEM, record=ReturnRecord(household=exited, year=2017, reason="因病返贫"))
    train(exited, 2018)
    assert training_findings() == []
