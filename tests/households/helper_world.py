"""The helpers' world every helper door test starts from, made directly in the models (the reads are
what these tests are about; the writes go through the doors, hence the services):

宁化县: 城南村's NH-1 (the conftest's `poor`) helped by 李明 of 县农业局 (宁化) since 100 days ago,
        who visited it 30 days ago; 城北村's NH-2 helped by 周芳 of 大田县 (another county's helper,
        with a reason) since 50 days ago; before that, 李明 from 200 to 101 days ago.
大田县: 城关村's DT-1 (因病: 卫计委 serves it) helped by 周芳 of 县财政局 (大田) since 100 days ago."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils.timezone import localdate as today

from households.models import Helper, HelperAssignment, HelperVisit
from tests.conftest import DATIAN, NINGHUA
from tests.factories import household, member, resident_id

LI_PHONE, ZHOU_PHONE = "13812345678", "13987654321"
LI_MASKED, ZHOU_MASKED = "138****5678", "139****4321"


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


@pytest.fixture(name="helpers")
def helpers_fixture(poor, places):
    li = Helper.objects.create(county_id=NINGHUA, name="李明", unit="县农业局", post="科员", phone=LI_PHONE)
    zhou = Helper.objects.create(county_id=DATIAN, name="周芳", unit="县财政局", level="section", phone=ZHOU_PHONE)
    nh2 = household(village=places.chengbei, number="NH-2", main_cause_id="lack_funds")
    dt1 = household(village=places.chengguan, number="DT-1", main_cause_id="illness",
                    members=[member(id_number=resident_id(prefix=DATIAN))])
    current = HelperAssignment.objects.create(household=poor, helper=li, started_on=days_ago(100))
    old = HelperAssignment.objects.create(household=nh2, helper=li, started_on=days_ago(200), ended_on=days_ago(101),
                                          reason="")
    across = HelperAssignment.objects.create(household=nh2, helper=zhou, started_on=days_ago(50), reason="挂钩帮扶")
    datian = HelperAssignment.objects.create(household=dt1, helper=zhou, started_on=days_ago(100))
    visit = HelperVisit.objects.create(assignment=current, visited_on=days_ago(30), kind="home", found="住房漏雨",
                                       done="联系危房改造")
    return SimpleNamespace(li=li, zhou=zhou, nh1=poor, nh2=nh2, dt1=dt1, current=current, old=old, across=across,
                           datian=datian, visit=visit)
