"""The printed documents' tests share one small registry, built once for each module (rendering is
slow: the PDFs each test reads are rendered once too), and read the PDFs back with poppler's tools
(tests/documents/pdf.py). Fontconfig is given an empty configuration while they render, as on a
server with no font installed: every glyph must come from the vendored font."""

import datetime
import os
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import transaction

from common.actors import SYSTEM
from households.models import ExitRecord, Helper, HelperAssignment, PovertyCause, ReliefMeasure, ReturnRecord
from households.services import exit_save, income_record, measure_save, return_save, role_grant
from projects.models import GuaranteedLoan, GuaranteeFund
from projects.services import link_save, project_save
from tests.conftest import DATIAN, NINGHUA, build_places
from tests.factories import household, member, resident_id
from tests.workflows.steps import D, application, walk
from workflows import services as workflows
from workflows.models import State

EMPTY_FONTCONFIG = Path(__file__).with_name("empty-fonts.conf")


@pytest.fixture(scope="module", autouse=True)
def no_system_fonts():
    """Fontconfig reads FONTCONFIG_FILE each time WeasyPrint sets up a document's fonts: while this
    module's documents are rendered it finds no font at all. Restored after, so that the browser
    tests' Chromium, a child of the same worker, keeps the machine's fonts."""
    before = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(EMPTY_FONTCONFIG)
    yield
    if before is None:
        del os.environ["FONTCONFIG_FILE"]
    else:
        os.environ["FONTCONFIG_FILE"] = before


# ---------------------------------------------------------------- the registry

ID_HEAD = resident_id(birth=datetime.date(1968, 4, 2))
ID_SPOUSE = resident_id(birth=datetime.date(1970, 8, 9), sex="female")
ID_CHILD = resident_id(birth=datetime.date(2003, 1, 5))
ID_APPLICANT = resident_id(birth=datetime.date(1975, 2, 3))


def build_world() -> SimpleNamespace:
    """宁化县 翠江镇 城南村: NH-001 (王大山, 李小花, 王小明; ordinary, 因病 and 缺资金): two helpers in turn
    (陈旧 until 2016-06-30, 林帮扶 since 2016-07-01, 13812345678), in 2016 a 大病救助 of 3000 and a
    guaranteed loan of 20000, an income of 2016, out in 2016 and back in 2017 (因灾返贫);
    NH-002 (dibao, 1 person, no helper). Cases: 赵一 and NH-002's exit at 村公示 in 城南村, 钱二 one
    step short of it, 孙三 at 村公示 in 城北村, 周四 at 县公告; NH-003 of 城北村 out in 2016 (县审批、脱贫销号).
    大田县 均溪镇 城关村: DT-001."""
    places = build_places()
    clerk = role_grant(actor=SYSTEM, username="clerk_ninghua", role="county_clerk", counties=[NINGHUA])
    other = role_grant(actor=SYSTEM, username="clerk_datian", role="county_clerk", counties=[DATIAN])
    reviewer = role_grant(actor=SYSTEM, username="reviewer", role="city_reviewer")
    one = household(village=places.chengnan, number="NH-001", main_cause_id="illness", other_causes=[PovertyCause.objects.get(pk="lack_funds")],
                    address="城南村一组8号", members=[
                        member(name="王大山", id_number=ID_HEAD),
                        member(name="李小花", relation="spouse", id_number=ID_SPOUSE),
                        member(name="王小明", relation="child", labor="none", schooling="senior",
                               id_number=ID_CHILD)])
    two = household(village=places.chengnan, number="NH-002", category="dibao", main_cause_id="lack_labor",
                    members=[member(name="赵孤老", id_number=resident_id(birth=datetime.date(1940, 1, 1)))])
    datian = household(village=places.chengguan, number="DT-001",
                       members=[member(name="大田人", id_number=resident_id(prefix=DATIAN))])
    old = Helper.objects.create(name="陈旧", unit="宁化县农业局", county_id=NINGHUA, phone="13900001111")
    new = Helper.objects.create(name="林帮扶", unit="宁化县财政局", post="科员", county_id=NINGHUA, phone="13812345678")
    HelperAssignment.objects.create(household=one, helper=old, started_on=datetime.date(2015, 1, 1),
                                    ended_on=datetime.date(2016, 6, 30), reason="工作调动")
    HelperAssignment.objects.create(household=one, helper=new, started_on=datetime.date(2016, 7, 1),
                                    reason="工作调动")
    measure_save(actor=SYSTEM, measure=ReliefMeasure(household=one, channel_id="medical_aid", year=2016,
                                                     content="大病救助", amount=Decimal("3000")))
    fund = project_save(actor=SYSTEM, record=GuaranteeFund(name="宁化县扶贫担保基金", county_id=NINGHUA,
                                                           capital=Decimal("2000000"), partner_bank="宁化农商银行",
                                                           founded_year=2015))
    loan = measure_save(actor=SYSTEM, measure=ReliefMeasure(
        household=one, channel_id="financial_support", year=2016, content="扶贫小额贷款", amount=Decimal("20000"),
        term_months=12))
    link_save(actor=SYSTEM, record=GuaranteedLoan(measure=loan, fund=fund, interest_subsidy=Decimal("800"),
                                                  issued_on=datetime.date(2016, 3, 1)))
    income_record(actor=SYSTEM, household=one, year=2016, total=Decimal("15000"))
    exit_save(actor=SYSTEM, record=ExitRecord(household=one, year=2016, income_per_capita=Decimal("5000")))
    return_save(actor=SYSTEM, record=ReturnRecord(household=one, year=2017, reason="因灾返贫"))

    zhao, _ = walk(application(places.chengnan, clerk, applicant_name="赵一", applicant_id_number=ID_APPLICANT),
                   clerk, until=State.VILLAGE_NOTICE)
    qian, _ = walk(application(places.chengnan, clerk, applicant_name="钱二"), clerk, until=State.VILLAGE_REVIEWED)
    exit_two, _ = walk(workflows.exit_propose(actor=clerk, household=two, year=2016, on=D), clerk,
                       until=State.VILLAGE_NOTICE)
    sun, _ = walk(application(places.chengbei, clerk, applicant_name="孙三"), clerk, until=State.VILLAGE_NOTICE)
    zhou, _ = walk(application(places.chengnan, clerk, applicant_name="周四"), clerk, until=State.ANNOUNCED)
    three = household(village=places.chengbei, number="NH-003", members=[member(name="吴三")])
    out, _ = walk(workflows.exit_propose(actor=clerk, household=three, year=2016, on=D), clerk, until=State.CLOSED)
    return SimpleNamespace(places=places, clerk=clerk, other=other, reviewer=reviewer, one=one, two=two,
                           three=three, datian=datian, zhao=zhao, qian=qian, exit_two=exit_two, sun=sun, zhou=zhou,
                           out=out)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
