"""The permission matrix of issue 5: every admin page, API endpoint, dashboard page, import and
export, walked as each role, allowed or denied; where it is allowed, it holds only what that role
may see (no household of another scope, ID numbers masked unless the user may see them whole).

The rows are derived from what the project registers (the admin site, the API router, the dashboard
URLs, the tables each page offers), so a new page, route or table without a row fails here.

One small registry in two counties is built once for the module; every request runs in a savepoint
that is rolled back, so each role meets the same records."""

import datetime
import io
import logging
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from rest_framework.authtoken.models import Token, TokenProxy
from rest_framework.test import APIClient

from common.actors import SYSTEM
from dashboard import urls as dashboard_urls
from departments.services import department_list_upload
from households import workbook
from households.models import (
    AlleviationModel,
    County,
    ExitRecord,
    ExportLog,
    FindingExplanation,
    HelperAssignment,
    Household,
    Member,
    PovertyCause,
    ReliefChannel,
    ReliefMeasure,
    ReturnRecord,
    UserRole,
    YearClose,
)
from households.services import (
    assignment_end,
    assignment_start,
    exit_save,
    helper_create,
    measure_save,
    member_change_record,
    member_save,
    return_save,
    role_grant,
    transfer_release,
    visit_record,
)
from households.services.jobs import export_job_start
from jobs.models import Job as BackgroundJob
from plans.checks import run_checks
from plans.close_selectors import close_findings
from plans.closes import finding_explain
from plans.models import (
    AnnexRow,
    Envoy,
    PlanTarget,
    PovertyLine,
    Settlement,
    SupportStandard,
    TownshipPairing,
    VillageIncome,
)
from plans.services import plan_record_save
from projects.models import (
    EducationFund,
    GuaranteedLoan,
    GuaranteeFund,
    Job,
    Pilot,
    PublicPost,
    StudentAid,
    Training,
    TrainingCourse,
    TrainingInstitution,
    Workshop,
)
from projects.services import link_save, pilot_save, project_save
from sanming_fupin.urls import router
from tests.conftest import DATIAN, NINGHUA, api_as, build_places
from tests.departments.lists import list_of
from tests.documents.pdf import pdftotext
from tests.factories import TownshipFactory, VillageFactory, household, member, resident_id
from workflows import notices
from workflows import services as workflows
from workflows.models import NoticePosting, Objection, State
from workflows.risk_models import ReturnRisk
from workflows.risk_services import return_risks_refresh, risk_follow_up

pytestmark = pytest.mark.django_db


# The columns of every table below.
PERSONAS = [
    "clerk",     # county clerk of 宁化县: the "own" county of every row
    "other",     # county clerk of 大田县: a user of another county
    "reviewer",  # city reviewer (市农业局/农办)
    "dept",      # channel department 卫计委 (medical_aid)
    "sys",       # system client, API token, read-only, 宁化县
    "sys_w",     # system client granted writing, 宁化县
    "nobody",    # a staff user with no role in the registry
    "anon",      # not logged in
    "admin",     # superuser: bypasses the scoping, sees whole ID numbers
]

# What a response is, in one letter.
#   A allowed (2xx)        L sent to the login page    R redirected elsewhere (admin: "no such record")
#   D denied (403)         N not found (404)            U unauthenticated (401)
#   B bad request (400)    C conflict (409)             X rows refused (422)
#   - not walked as this persona (said where)
LOGIN_PREFIX = "/admin/login/"


def outcome(response) -> str:
    if response.status_code == 302:
        return "L" if response.url.startswith(LOGIN_PREFIX) else "R"
    letters = {200: "A", 201: "A", 204: "A", 400: "B", 401: "U", 403: "D", 404: "N", 409: "C", 422: "X"}
    return letters.get(response.status_code, str(response.status_code))


def expect(letters: str) -> dict[str, str]:
    values = letters.split()
    assert len(values) == len(PERSONAS), letters
    return dict(zip(PERSONAS, values))


# ---------------------------------------------------------------- the registry, built once

# Which households each persona may see: a clerk and a system client their county, the channel
# department those its channel serves (by cause or measure, in any county), nobody none.
HOUSEHOLDS = ["NHA-0001", "NHB-0002", "DTE-0003", "DTF-0004"]
VISIBLE = {
    "clerk": {"NHA-0001", "NHB-0002"},
    "other": {"DTE-0003", "DTF-0004"},
    "reviewer": set(HOUSEHOLDS),
    "dept": {"NHA-0001", "DTF-0004"},  # both 因病 (illness → medical_aid)
    "sys": {"NHA-0001", "NHB-0002"},
    "sys_w": {"NHA-0001", "NHB-0002"},
    "nobody": set(),
    "anon": set(),
    "admin": set(HOUSEHOLDS),
}
VISIBLE_COUNTIES = {
    "clerk": {NINGHUA}, "other": {DATIAN}, "dept": set(), "sys": {NINGHUA}, "sys_w": {NINGHUA},
    "nobody": set(), "anon": set(),
}


def counties_seen(persona: str) -> set[str]:
    if persona in ("reviewer", "admin"):
        return set(County.objects.values_list("code", flat=True))
    return VISIBLE_COUNTIES[persona]


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def import_row(number: str, village: str, *, prefix: str = NINGHUA, name: str = "新户主") -> dict:
    return {"village": village, "number": number, "category": "ordinary", "main_cause": "illness",
            "income_per_capita": 2600, "name": name, "id_number": resident_id(prefix=prefix), "relation": "head",
            "labor": "ordinary"}


def build_world() -> SimpleNamespace:
    w = SimpleNamespace()
    User = get_user_model()
    w.users = {
        "clerk": role_grant(actor=SYSTEM, username="clerk_ninghua", role="county_clerk", counties=[NINGHUA]),
        "other": role_grant(actor=SYSTEM, username="clerk_datian", role="county_clerk", counties=[DATIAN]),
        "reviewer": role_grant(actor=SYSTEM, username="reviewer", role="city_reviewer"),
        "dept": role_grant(actor=SYSTEM, username="weiji", role="channel_department", channels=["medical_aid"]),
        "sys": role_grant(actor=SYSTEM, username="province", role="system_client", counties=[NINGHUA]),
        "sys_w": role_grant(actor=SYSTEM, username="county_system", role="system_client", counties=[NINGHUA], can_write=True),
        "nobody": User.objects.create_user("nobody", is_staff=True),
        "anon": None,
        "admin": User.objects.create_superuser("root", "", None),
    }
    # People in a browser session; other systems with their token (a token opens no admin or page).
    w.clients = {}
    for name, user in w.users.items():
        client = APIClient()
        if name in ("sys", "sys_w"):
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        elif user is not None:
            client.force_login(user)
        w.clients[name] = client

    # The two counties every test shares (tests/conftest.py), their townships city key townships, and a
    # second 宁化 township for the strong-town pairing.
    w.places = places = build_places()
    cuijiang, chengnan, junxi, chengguan = places.cuijiang, places.chengnan, places.junxi, places.chengguan
    for township in (cuijiang, junxi):
        township.is_city_key = True
        township.save()
    places.quanshang = quanshang = TownshipFactory(county_id=NINGHUA, code="350424102", name="泉上镇")

    def people(prefix, n):
        return [member(name=f"户主{prefix[-1]}", id_number=resident_id(prefix=prefix)),
                *(member(name=f"子女{i}", relation="child", id_number=resident_id(prefix=prefix)) for i in range(n - 1))]

    a = household(village=chengnan, number="NHA-0001", main_cause_id="illness", members=people(NINGHUA, 2))
    b = household(village=chengnan, number="NHB-0002", main_cause_id="lack_labor", members=people(NINGHUA, 1))
    e = household(village=chengguan, number="DTE-0003", main_cause_id="lack_funds", members=people(DATIAN, 2))
    f = household(village=chengguan, number="DTF-0004", main_cause_id="illness", members=people(DATIAN, 1))
    w.h = {"A": a, "B": b, "E": e, "F": f}
    for h in (a, e):
        exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2015, income_per_capita=Decimal("4200")))
        return_save(actor=SYSTEM, record=ReturnRecord(household=h, year=2016, reason="因病返贫"))
    # Below the 2016 line: the records' checks name these households.
    for h in (b, f):
        exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2016, income_per_capita=Decimal("100")))
    measure_save(actor=SYSTEM, measure=ReliefMeasure(household=a, channel_id="medical_aid", year=2015, content="大病救助",
                                       amount=Decimal("3000")))
    measure_save(actor=SYSTEM, measure=ReliefMeasure(household=e, channel_id="financial_support", year=2015, content="小额贷款",
                                       amount=Decimal("10000"), term_months=12))
    # Transfers (迁移), both pending: B released by 宁化 to 大田's 城关村 (listed for both counties, 大田
    # deciding), F released by 大田 to a village of 永安市 (which 宁化 does not see).
    yongan = VillageFactory(township=TownshipFactory(county_id="350481", code="350481101", name="燕西街道"),
                            code="350481101201", name="永安安置村")
    w.transfers = (transfer_release(actor=w.users["clerk"], household=b, to_village=chengguan, reason="family"),
                   transfer_release(actor=w.users["other"], household=f, to_village=yongan, reason="relocation",
                                    settlement="永安安置小区"))
    w.projects = build_projects(w)
    # A member change in each county: someone moved in (a person of their own, so that no other row's
    # member, finding or count changes but the household's size).
    w.changes = tuple(
        member_change_record(actor=SYSTEM, household=w.h[key], kind="move_in", date=datetime.date(2016, 4, 1),
                             person=member(name=f"迁入{key}", relation="other",
                                           id_number=resident_id(prefix=prefix, birth=datetime.date(1990, 1, 1))))[0]
        for key, prefix in (("A", NINGHUA), ("E", DATIAN)))
    w.ids = {m.id_number for m in Member.objects.all()}
    # A job of the 宁化 clerk (an export of A): their own to follow and download, the reviewer's too.
    w.job = export_job_start(actor=w.users["clerk"], households=Household.objects.filter(number="NHA-0001"),
                             door="admin", filters={})
    w.number_of_pk = {h.pk: h.number for h in w.h.values()}

    plan_record_save(actor=SYSTEM, record=VillageIncome(village=chengnan, year=2016, own_income=Decimal("1000")))
    plan_record_save(actor=SYSTEM, record=VillageIncome(village=chengguan, year=2016, own_income=Decimal("2000")))
    plan_record_save(actor=SYSTEM, record=Settlement(name="宁化安置区", township=cuijiang, year=2016, households=40))
    plan_record_save(actor=SYSTEM, record=Settlement(name="大田安置区", township=junxi, year=2016, households=40))
    plan_record_save(actor=SYSTEM, record=Envoy(name="宁化特派员", unit="市农科所", township=cuijiang, year=2016))
    plan_record_save(actor=SYSTEM, record=Envoy(name="大田特派员", unit="市农科所", township=junxi, year=2016))
    plan_record_save(actor=SYSTEM, record=SupportStandard(county_id=NINGHUA, year=2016, standard=Decimal("4000"),
                                       rural_consumption_prev_year=Decimal("5000")))
    plan_record_save(actor=SYSTEM, record=SupportStandard(county_id=DATIAN, year=2016, standard=Decimal("4000"),
                                       rural_consumption_prev_year=Decimal("5000")))
    plan_record_save(actor=SYSTEM, record=TownshipPairing(strong_town=quanshang, key_township=cuijiang, since=2015))

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    seen = {"user_agent": "test", "ip_address": "10.0.0.1", "username": "someone", "http_accept": "*/*",
            "path_info": "/admin/login/"}
    # The admin's own records, one or two of each registered model: (own county, other county).
    w.records = {
        "auth.group": (Group.objects.get(name="county_clerk"),),
        "auth.user": (w.users["clerk"],),
        "authtoken.tokenproxy": (TokenProxy.objects.get(user=w.users["sys"]),),
        "axes.accessattempt": (AccessAttempt.objects.create(**seen, get_data="", post_data="",
                                                            failures_since_start=1),),
        "axes.accesslog": (AccessLog.objects.create(**seen),),
        "axes.accessfailurelog": (AccessFailureLog.objects.create(**seen),),
        "households.county": (County.objects.get(pk=NINGHUA), County.objects.get(pk=DATIAN)),
        "households.township": (cuijiang, junxi),
        "households.village": (chengnan, chengguan),
        "households.reliefchannel": (ReliefChannel.objects.get(pk="medical_aid"),),
        "households.povertycause": (PovertyCause.objects.get(pk="illness"),),
        "households.household": (a, e),
        "households.member": (a.members.get(relation="head"), e.members.get(relation="head")),
        # The first of each (the projects below add measures of their own).
        "households.reliefmeasure": (a.measures.order_by("id").first(), e.measures.order_by("id").first()),
        "households.exitrecord": (b.exits.get(), f.exits.get()),  # each its household's latest event
        "households.returnrecord": (a.returns.get(), e.returns.get()),
        "households.transfer": w.transfers,
        "households.memberchange": w.changes,
        # The identification year's (2014): no exit holds that year, so it may be deleted.
        "households.householdincome": (a.incomes.get(year=2014), e.incomes.get(year=2014)),
        "households.userrole": (UserRole.objects.get(user=w.users["clerk"]),),
        "plans.annexrow": (AnnexRow.objects.get(county_id=NINGHUA), AnnexRow.objects.get(county_id=DATIAN)),
        "plans.plantarget": (PlanTarget.objects.get(pk="city.registered"),),
        "plans.villageincome": tuple(VillageIncome.objects.order_by("village_id")),
        "plans.townshippairing": (TownshipPairing.objects.get(),),
        "plans.envoy": tuple(Envoy.objects.order_by("township_id")),
        "plans.settlement": tuple(Settlement.objects.order_by("township_id")),
        "plans.supportstandard": tuple(SupportStandard.objects.order_by("county_id")),
        "plans.povertyline": (PovertyLine.objects.order_by("pk").first(),),
    }
    for label, pair in vars(w.projects).items():
        w.records[f"projects.{label}"] = pair
    w.records_findings = {f.name for f in run_checks("records")}
    w.cases = build_cases(w)
    # The identification cases: each carries its applicant's whole ID number, which no page may show
    # but to whoever may see it (leaks()).
    w.records["workflows.case"] = (w.cases.identification_own, w.cases.identification_other)
    w.records["workflows.objection"] = tuple(Objection.objects.order_by("step__case__village_id"))
    w.records["workflows.noticeposting"] = tuple(NoticePosting.objects.order_by("village_id"))
    w.records["jobs.job"] = (w.job,)
    # A 低保 list (issue 22) naming A's and E's heads, who draw no 低保 in the registry: a finding in each
    # (households already flagged), shown to the clerks and the reviewer, not to 卫计委 (not its list).
    w.records["departments.departmentlist"] = (department_list_upload(
        actor=w.users["reviewer"], kind="dibao", list_date=datetime.date(2018, 6, 30), name="低保.xlsx",
        content=list_of("dibao", [a.members.get(relation="head"), e.members.get(relation="head")]),
        match=False),)  # no job: the world's one job is the clerk's (check_jobs); the checks read the list
    # Every 2016 finding of both counties explained, so that 2016 may be submitted (issue 19).
    for county in (NINGHUA, DATIAN):
        for f in close_findings(county=county, year=2016):
            finding_explain(actor=SYSTEM, check_code=f.check, county=county, year=2016, target=f.target,
                            reason="已核实")
    # A 2015 submitted in each county, for the admin's pages of a close.
    w.records["households.yearclose"] = tuple(
        YearClose.objects.create(county_id=c, year=2015, state="submitted") for c in (NINGHUA, DATIAN))
    build_helpers(w)
    build_risks(w)
    w.records["households.findingexplanation"] = tuple(
        FindingExplanation.objects.filter(county_id=c).order_by("id").first() for c in (NINGHUA, DATIAN))
    return w


def build_risks(w) -> None:
    """The warnings of a return (docs/return-risks.md): B and F, out in 2016 at 100 yuan a head, are below
    the line; each warning followed up with a measure of its household (a channel no department holds)."""
    return_risks_refresh(actor=SYSTEM)
    risks, follow_ups = [], []
    for key in ("B", "F"):
        risk = ReturnRisk.objects.get(household=w.h[key])
        measure = measure_save(actor=SYSTEM, measure=ReliefMeasure(household=w.h[key], channel_id="confidence_rebuilding",
                                                                   year=2016, content="扶志教育"))
        follow_ups.append(risk_follow_up(actor=SYSTEM, risk=risk, kind="measure", measure=measure))
        risks.append(risk)
    w.records["workflows.returnrisk"] = tuple(risks)
    w.records["workflows.riskfollowup"] = tuple(follow_ups)


def build_projects(w) -> SimpleNamespace:
    """The five projects in each county, through projects/services.py: (宁化 record, 大田 record) of
    every model. Each record of a person is of household A (宁化) or E (大田), so the households with
    measures stay A and E. 大田's pilot enterprise brings along A as well as E: a 大田 reader must not
    learn of A through it."""
    p = SimpleNamespace(**{name: [] for name in (
        "guaranteefund", "guaranteedloan", "workshop", "job", "publicpost", "pilot", "educationfund", "studentaid",
        "traininginstitution", "trainingcourse", "training")})
    for county, key, township, village in ((NINGHUA, "A", w.places.cuijiang, w.places.chengnan),
                                           (DATIAN, "E", w.places.junxi, w.places.chengguan)):
        household = w.h[key]
        head = household.members.get(relation="head")
        # A student of its own, so the child the member rows delete is free of projects.
        child = member_save(actor=SYSTEM, member=member(household=household, name="孙女", relation="grandchild", schooling="primary",
                                          labor="none", id_number=resident_id(prefix=county, birth=datetime.date(2008, 3, 1),
                                                                              sex="female")))
        fund = project_save(actor=SYSTEM, record=GuaranteeFund(name=f"{county}担保基金", county_id=county, capital=Decimal("1000000"),
                                                  partner_bank="农村信用社", founded_year=2015))
        loan_measure = measure_save(actor=SYSTEM, measure=ReliefMeasure(household=household, channel_id="financial_support", year=2015, content="小额贷款",
                                  amount=Decimal("30000"), term_months=36))
        loan = link_save(actor=SYSTEM, record=GuaranteedLoan(measure=loan_measure, fund=fund, interest_subsidy=Decimal("1200"),
                                               issued_on=datetime.date(2015, 6, 1)))
        workshop = project_save(actor=SYSTEM, record=Workshop(name=f"{county}车间", township=township, village=village,
                                                enterprise="竹木加工厂", founded_year=2016))
        job = link_save(actor=SYSTEM, record=Job(workshop=workshop, member=head, year=2016, monthly_wage=Decimal("2000")))
        post = link_save(actor=SYSTEM, record=PublicPost(kind="village_cleaner", village=village, member=child, year=2016))
        if county == NINGHUA:
            pilot = pilot_save(actor=SYSTEM, pilot=Pilot(kind="village", county_id=county, village=village, year=2016))
        else:
            pilot = pilot_save(actor=SYSTEM, pilot=Pilot(kind="enterprise", name="大田茶业龙头企业", county_id=county,
                                           link_type="enterprise_household", year=2016,
                                           alleviation_model_id="enterprise_led"),
                               households=[w.h["A"], w.h["E"]])
        education = project_save(actor=SYSTEM, record=EducationFund(name=f"{county}助学基金", county_id=county, township=township,
                                                      founded_year=2016, government_funds=Decimal("50000"),
                                                      donations=Decimal("20000")))
        aid = link_save(actor=SYSTEM, record=StudentAid(fund=education, member=child, year=2016, amount=Decimal("1000")))
        institution = project_save(actor=SYSTEM, record=TrainingInstitution(name=f"{county}职业培训学校", county_id=county))
        course = project_save(actor=SYSTEM, record=TrainingCourse(institution=institution, name="电工培训", year=2016))
        training = link_save(actor=SYSTEM, record=Training(course=course, member=head))
        for name, record in (("guaranteefund", fund), ("guaranteedloan", loan), ("workshop", workshop), ("job", job),
                             ("publicpost", post), ("pilot", pilot), ("educationfund", education),
                             ("studentaid", aid), ("traininginstitution", institution),
                             ("trainingcourse", course), ("training", training)):
            getattr(p, name).append(record)
    return SimpleNamespace(**{name: tuple(pair) for name, pair in vars(p).items()})


# The workflows' days: every step in the past, a notice period (7 days) apart where one runs.
WORKFLOW_DAY = datetime.date(2017, 3, 1)


def on(n: int) -> datetime.date:
    return WORKFLOW_DAY + datetime.timedelta(days=n)


def build_cases(w) -> SimpleNamespace:
    """In each county, through workflows/services.py as that county's clerk: the exit of A (E) with
    its home visit short of the checklist, waiting on the reviewer; and a new applicant's
    identification in the county's announcement (县公告) with an objection pending."""
    cases = SimpleNamespace()
    illness = PovertyCause.objects.get(pk="illness")
    for side, clerk, key, village, prefix in (("own", "clerk", "A", w.places.chengnan, NINGHUA),
                                               ("other", "other", "E", w.places.chengguan, DATIAN)):
        user = w.users[clerk]
        exit_case = workflows.exit_propose(actor=user, household=w.h[key], year=2017, on=on(0))
        workflows.exit_verify(case=exit_case, actor=user, on=on(1), income_per_capita=Decimal("5000"), food=True,
                              clothing=True, education=True, medical=True, housing=False)
        number = resident_id(prefix=prefix)
        w.ids.add(number)  # a whole ID number like any member's: masked for all but a superuser
        case = workflows.identification_apply(
            actor=user, village=village, applicant_name=f"申请人{prefix[-1]}", applicant_id_number=number,
            applicant_labor="weak", category="ordinary", main_cause=illness, year=2017,
            income_per_capita=Decimal("2100"), on=on(0))
        for n, to in ((1, State.VILLAGE_REVIEWED), (2, State.VILLAGE_NOTICE), (9, State.TOWNSHIP_REVIEWED),
                      (10, State.TOWNSHIP_NOTICE), (17, State.COUNTY_APPROVED), (18, State.ANNOUNCED)):
            workflows.case_advance(case=case, to=to, actor=user, on=on(n))
        # The announcement's list posted the day it was made: its period stays on(18) to on(25).
        notices.notice_post(actor=user, kind="identification", step=State.ANNOUNCED, on=on(18),
                            village=village.code)
        workflows.objection_raise(case=case, actor=user, content="家有轿车", raised_by="村民", on=on(19))
        setattr(cases, f"exit_{side}", exit_case)
        setattr(cases, f"identification_{side}", case)
    return cases


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # Every denied request would log its traceback: a third of the module's time.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
    request_log.setLevel(level)


# ---------------------------------------------------------------- what an allowed answer may hold


def text_of(response) -> str:
    """What the user received, as text: a page, JSON, or every cell of a workbook."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:5] == b"%PDF-":  # a printed document, read as a person reads the paper
        return pdftotext(content)
    if content[:2] == b"PK":
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            "\t".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        )
    return content.decode()


def leaks(w, persona: str, text: str, also: set[str] = frozenset()) -> list[str]:
    """A household the persona may not see (besides `also`), or a whole ID number they may not read."""
    found = [f"household {n}" for n in HOUSEHOLDS if n in text and n not in VISIBLE[persona] | also]
    if persona != "admin":
        found += [f"whole ID {i[:6]}…" for i in w.ids if i in text]
    found += [f"whole phone {phone[:3]}…" for phone, county in w.helper_phones.items()
              if phone in text and persona not in PHONE_WHOLE[county]]
    return found


def sheet_numbers(response) -> set[str]:
    """The 户编号 column of a household workbook."""
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    column = next(rows).index("户编号")
    return {row[column] for row in rows}


def walk(w, rows: dict, request, check=None, seen=None, also=None) -> list[str]:
    """Each row as each persona; the mismatches, described. An allowed answer is checked for leaks
    (a household the persona does not see, besides those `also` names for it) and by
    `check(w, persona, response)`; `seen` collects the allowed answers by persona."""
    problems = []
    for persona in PERSONAS:
        expected = rows[persona]
        if expected == "-":
            continue
        with rolled_back():
            response = request(w.clients[persona])
            got = outcome(response)
            if got != expected:
                body = response.content[:300].decode(errors="replace") if not response.streaming else ""
                problems.append(f"{persona}: expected {expected}, got {got} ({response.status_code}) {body}")
                continue
            if got not in ("A", "X"):
                continue
            problems += [f"{persona}: {p}" for p in leaks(w, persona, text_of(response), (also or {}).get(persona, set()))]
            if check is not None:
                try:
                    check(w, persona, response)
                except AssertionError as e:
                    problems.append(f"{persona}: content {e}")
            if seen is not None:
                seen[persona] = response
    return problems


# ---------------------------------------------------------------- the admin

#                                      clerk other reviewer dept sys sys_w nobody anon admin
EVERY_ROLE_READS = "A A A A L L D L A"
CLERKS_AND_REVIEWER = "A A A D L L D L A"
REVIEWER_ONLY = "D D A D L L D L A"
ADMIN_ONLY = "D D D D L L D L A"
NO_ONE = "D D D D L L D L D"  # not even a superuser: the page is switched off
CLERKS_ADD = "A A D D L L D L A"
# A registry record of 宁化 (own) and of 大田 (other): a clerk opens their own county's, is told the
# other's does not exist; the reviewer reads both; the department those its channel serves.
OWN, OTHER = "A R A A L L D L A", "R A A R L L D L A"
OWN_HISTORY, OTHER_HISTORY = "A D A A L L D L A", "D A A D L L D L A"
EVENT_OWN, EVENT_OTHER = "A R A D L L D L A", "R A A D L L D L A"
EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER = "A D A D L L D L A", "D A A D L L D L A"
JOB_PAGE = "A N A N L L N L A"  # the 宁化 clerk's job
# The five projects (issue 10). A unit (a fund, a workshop, an education fund, a training institution or
# course) is its county's: its clerk writes it, the reviewer reads it; the department of its channel would
# read and write it in every county, but 卫计委 holds none of the projects' channels, so it is told "no
# such record". A unit with records of people on it cannot be deleted: its delete page says so (A).
UNIT_PAGE_OWN, UNIT_PAGE_OTHER = "A R A R L L D L A", "R A A R L L D L A"
UNIT_DELETE_PAGE_OWN, UNIT_DELETE_PAGE_OTHER = "A R D R L L D L A", "R A D R L L D L A"
# A record of a person (a loan, a job, a post, a grant, a training) is its household's, like the
# registry's records (OWN, OTHER): the department reads those of the households it serves, and
# changes none of them (the project's channel is not its own).
LINK_DELETE_PAGE_OWN, LINK_DELETE_PAGE_OTHER = "A R D D L L D L A", "R A D R L L D L A"
PROJECT_UNITS = ["guaranteefund", "workshop", "educationfund", "traininginstitution", "trainingcourse"]
PROJECT_LINKS = ["guaranteedloan", "job", "publicpost", "studentaid", "training"]

# Helpers (帮扶责任人, issue 20): read by whoever sees their households (卫计委 those of A, which it serves),
# written by the household's county's clerk; a helper and an assignment are never deleted (an assignment
# is ended), a visit is deleted by its household's clerk. The assignments workbook: the blank template for
# every staff user, the export (a POST) for every reader, the upload page for the clerks.
HELPER_ADMIN_MODELS = {
    f"households.{model}": {
        "changelist": EVERY_ROLE_READS, "add": CLERKS_ADD, "change": (OWN, OTHER),
        "history": (OWN_HISTORY, OTHER_HISTORY), "simple_history": (OWN_HISTORY, OTHER_HISTORY),
        "delete": (NO_ONE, NO_ONE) if model != "helpervisit" else ("A R D D L L D L A", "R A D D L L D L A"),
    } for model in ("helper", "helperassignment", "helpervisit")
}
HELPER_ADMIN_MODELS["households.helperassignment"].update({
    "workbook_template": "A A A A L L A L A", "workbook_export": EVERY_ROLE_READS, "workbook_import": CLERKS_ADD,
    "workbook_confirm": "405 405 405 405 L L 405 L 405"})  # a POST: test_helper_workbook.py
ADMIN_MODELS = {
    # model: {page: letters, or (own county's record, other county's record)}
    "households.county": {"changelist": CLERKS_AND_REVIEWER, "add": ADMIN_ONLY, "change": CLERKS_AND_REVIEWER,
                          "history": CLERKS_AND_REVIEWER, "simple_history": CLERKS_AND_REVIEWER,
                          "delete": ADMIN_ONLY},
    "households.township": {"changelist": CLERKS_AND_REVIEWER, "add": CLERKS_ADD, "change": CLERKS_AND_REVIEWER,
                            "history": CLERKS_AND_REVIEWER, "simple_history": CLERKS_AND_REVIEWER,
                            "delete": ADMIN_ONLY},
    "households.village": {"changelist": CLERKS_AND_REVIEWER, "add": CLERKS_ADD, "change": CLERKS_AND_REVIEWER,
                           "history": CLERKS_AND_REVIEWER, "simple_history": CLERKS_AND_REVIEWER,
                           "delete": ADMIN_ONLY},
    "households.reliefchannel": {"changelist": EVERY_ROLE_READS, "add": ADMIN_ONLY, "change": EVERY_ROLE_READS,
                                 "history": EVERY_ROLE_READS, "simple_history": EVERY_ROLE_READS,
                                 "delete": ADMIN_ONLY},
    "households.povertycause": {"changelist": EVERY_ROLE_READS, "add": ADMIN_ONLY, "change": EVERY_ROLE_READS,
                                "history": EVERY_ROLE_READS, "simple_history": EVERY_ROLE_READS,
                                "delete": ADMIN_ONLY},
    # Read by every role; the reviewer renames the eighth (test_admin.py), only a superuser adds or deletes.
    "households.alleviationmodel": {"changelist": EVERY_ROLE_READS, "add": ADMIN_ONLY, "change": EVERY_ROLE_READS,
                                    "history": EVERY_ROLE_READS, "simple_history": EVERY_ROLE_READS,
                                    "delete": ADMIN_ONLY},
    "households.household": {
        "changelist": EVERY_ROLE_READS, "add": CLERKS_ADD, "change": (OWN, OTHER),
        "history": (OWN_HISTORY, OTHER_HISTORY), "simple_history": (OWN_HISTORY, OTHER_HISTORY),
        "delete": (ADMIN_ONLY, ADMIN_ONLY),  # no role deletes a household: it is removed (清退)
        "template": "A A A A L L A L A",  # the blank layout: no personal data
        "export": EVERY_ROLE_READS,  # through its job (through_job): the file it makes
        "import": CLERKS_ADD,
        # Recording a member change (成员变动): whoever may change the household; a household the user
        # does not see is not found (404), one they see but may not change is denied.
        "member_change": ("A N D D L L N L A", "N A D N L L N L A"),
    },
    # Each user follows their own jobs, the reviewer and superusers every job; another's job is "no
    # such record" (its page and file 404, its history the admin's redirect). No one adds, changes
    # or deletes a job in the admin: they are started by the pages that do the work.
    "jobs.job": {"changelist": "A A A A L L A L A", "add": NO_ONE, "change": (JOB_PAGE,), "result": (JOB_PAGE,),
                 "history": ("A R A R L L R L A",), "delete": (NO_ONE,)},
    "households.member": {
        "changelist": EVERY_ROLE_READS, "add": NO_ONE, "change": (OWN, OTHER),
        "history": (OWN_HISTORY, OTHER_HISTORY),
        "simple_history": (ADMIN_ONLY, ADMIN_ONLY),  # a past version shows the whole ID number
        "delete": (NO_ONE, NO_ONE),
        # The member box of the projects' forms (a job's): by name and household number (check_offered).
        "autocomplete": EVERY_ROLE_READS,
    },
    "households.reliefmeasure": {
        "changelist": EVERY_ROLE_READS, "add": "A A D A L L D L A", "change": (OWN, OTHER),
        "history": (OWN_HISTORY, OTHER_HISTORY), "simple_history": (OWN_HISTORY, OTHER_HISTORY),
        "delete": ("A R D A L L D L A", "R A D R L L D L A"),
        "autocomplete": EVERY_ROLE_READS,  # the measure box of a job's form (check_offered)
    },
    # The department reads the exits and returns of the households its channel serves (F's exit, A's
    # return), as in the API and on the household's page; the others are "no such record" to it.
    "households.exitrecord": {
        "changelist": EVERY_ROLE_READS, "add": CLERKS_ADD, "change": ("A R A R L L D L A", "R A A A L L D L A"),
        "history": ("A D A D L L D L A", "D A A A L L D L A"),
        "simple_history": ("A D A D L L D L A", "D A A A L L D L A"),
        "delete": ("A R D D L L D L A", "R A D D L L D L A"),  # no delete permission: asked first
    },
    "households.returnrecord": {
        "changelist": EVERY_ROLE_READS, "add": CLERKS_ADD, "change": (OWN, OTHER),
        "history": (OWN_HISTORY, OTHER_HISTORY), "simple_history": (OWN_HISTORY, OTHER_HISTORY),
        "delete": ("A R D D L L D L A", "R A D D L L D L A"),
    },
    # Transfers: listed for the sending and the receiving county (B's for both clerks, F's for 大田's),
    # read-only pages (accepted and refused by the list's actions); released on the add page by a clerk;
    # never deleted, not even by a superuser.
    "households.transfer": {
        "changelist": CLERKS_AND_REVIEWER, "add": CLERKS_ADD, "change": (CLERKS_AND_REVIEWER, EVENT_OTHER),
        "history": (CLERKS_AND_REVIEWER, EVENT_HISTORY_OTHER),
        "simple_history": (CLERKS_AND_REVIEWER, EVENT_HISTORY_OTHER), "delete": (NO_ONE, NO_ONE),
    },
    # Member changes: read like the registry's events (the department holds no permission for them);
    # recorded on the household's page (member_change) or by the 动态调整 workbook, never added,
    # changed or deleted here. The blank workbook is for every staff user, like the registry's.
    "households.memberchange": {
        "changelist": CLERKS_AND_REVIEWER, "add": NO_ONE, "change": (EVENT_OWN, EVENT_OTHER),
        "history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER),
        "simple_history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER), "delete": (NO_ONE, NO_ONE),
        "book_template": "A A A A L L A L A", "book_import": CLERKS_ADD,
        "book_confirm": "405 405 405 405 L L 405 L 405",  # a POST: test_change_workbook.py
    },
    # Yearly incomes: read like the registry's events (the department holds no permission for them);
    # recorded on the household's page or by the income workbook, never here.
    "households.householdincome": {
        "changelist": CLERKS_AND_REVIEWER, "add": NO_ONE, "change": (EVENT_OWN, EVENT_OTHER),
        "history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER),
        # Deleted on the household's page: here no one, and another county's is "no such record".
        "simple_history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER), "delete": ("D R D D L L D L D", "R D D D L L D L D"),
        "book_template": "A A A A L L A L A", "book_import": CLERKS_ADD,
        "book_confirm": "405 405 405 405 L L 405 L 405",  # a POST: test_change_workbook.py
    },
    **HELPER_ADMIN_MODELS,
    "households.userrole": dict.fromkeys(["changelist", "add", "change", "history", "simple_history", "delete"],
                                         ADMIN_ONLY),
    "plans.annexrow": {"changelist": CLERKS_AND_REVIEWER, "add": NO_ONE, "change": CLERKS_AND_REVIEWER,
                       "history": CLERKS_AND_REVIEWER, "delete": NO_ONE,
                       "progress": CLERKS_AND_REVIEWER, "consistency": CLERKS_AND_REVIEWER},
    "plans.plantarget": {"changelist": CLERKS_AND_REVIEWER, "add": NO_ONE, "change": CLERKS_AND_REVIEWER,
                         "history": CLERKS_AND_REVIEWER, "delete": NO_ONE},
    **{f"plans.{name}": dict.fromkeys(["changelist", "add", "change", "history", "simple_history", "delete"],
                                      REVIEWER_ONLY)
       for name in ["villageincome", "townshippairing", "envoy", "settlement", "supportstandard", "povertyline"]},
    **{label: dict.fromkeys(["changelist", "add", "change", "history", "delete"], ADMIN_ONLY)
       for label in ["auth.group", "authtoken.tokenproxy"]},
    "auth.user": {**dict.fromkeys(["changelist", "add", "change", "history", "delete", "password_change"],
                                  ADMIN_ONLY)},
    # Read-only in the admin (steps are taken through the services): the clerks and the reviewer read the
    # cases and objections of the counties they see.
    # A record outside the user's counties is "no such record" (R); on its history page also for a user
    # without the permission, the record being looked up first.
    **{label: {"changelist": CLERKS_AND_REVIEWER, "add": NO_ONE, "change": (EVENT_OWN, EVENT_OTHER),
               "history": ("A R A R L L R L A", "R A A R L L R L A"), "delete": (NO_ONE, NO_ONE)}
       for label in ["workflows.case", "workflows.objection", "workflows.noticeposting"]},
    # The warnings of a return (docs/return-risks.md), of B (宁化) and F (大田, served by 卫计委): read by
    # whoever sees the household, never written in the admin; follow-ups added by the clerks, never changed.
    "workflows.returnrisk": {"changelist": EVERY_ROLE_READS, "add": NO_ONE,
                             "change": ("A R A R L L D L A", "R A A A L L D L A"),
                             "history": ("A R A R L L R L A", "R A A A L L R L A"), "delete": (NO_ONE, NO_ONE)},
    "workflows.riskfollowup": {"changelist": EVERY_ROLE_READS, "add": CLERKS_ADD,
                               "change": ("A R A R L L D L A", "R A A A L L D L A"),
                               "history": ("A D A D L L D L A", "D A A A L L D L A"),
                               "simple_history": ("A D A D L L D L A", "D A A A L L D L A"),
                               "delete": (NO_ONE, NO_ONE)},
    # Login records are written by django-axes alone.
    **{label: {**dict.fromkeys(["changelist", "change", "history", "delete"], ADMIN_ONLY), "add": NO_ONE}
       for label in ["axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"]},
    **{f"projects.{name}": {"changelist": EVERY_ROLE_READS, "add": CLERKS_ADD,
                            "change": (UNIT_PAGE_OWN, UNIT_PAGE_OTHER),
                            "history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER),
                            "simple_history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER),
                            "delete": (UNIT_DELETE_PAGE_OWN, UNIT_DELETE_PAGE_OTHER)}
       for name in PROJECT_UNITS},
    **{f"projects.{name}": {"changelist": EVERY_ROLE_READS, "add": CLERKS_ADD, "change": (OWN, OTHER),
                            "history": (OWN_HISTORY, OTHER_HISTORY), "simple_history": (OWN_HISTORY, OTHER_HISTORY),
                            "delete": (LINK_DELETE_PAGE_OWN, LINK_DELETE_PAGE_OTHER)}
       for name in PROJECT_LINKS},
    # The year-end close (issue 19): read by whoever sees the county, moved only by the list's actions
    # (tests/plans/test_closes_admin.py); explanations written by the county's clerk and the reviewer.
    "households.yearclose": {"changelist": CLERKS_AND_REVIEWER, "add": NO_ONE, "change": (EVENT_OWN, EVENT_OTHER),
                             "history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER),
                             "simple_history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER), "delete": (NO_ONE, NO_ONE)},
    "households.findingexplanation": {"changelist": CLERKS_AND_REVIEWER, "add": CLERKS_AND_REVIEWER,
                                      "change": (EVENT_OWN, EVENT_OTHER),
                                      "history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER),
                                      "simple_history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER),
                                      "delete": (EVENT_OWN, EVENT_OTHER)},
    # Department lists (issue 22): read by the departments (those of their kinds: 卫计委 keeps none, so the
    # reviewer's 低保 list is "no such record" to it) and the reviewer; uploaded on the upload page by whoever
    # keeps a kind; never added, changed or deleted otherwise. The blank templates are for every staff user.
    "departments.departmentlist": {"changelist": "D D A A L L D L A", "add": NO_ONE, "change": ("D D A R L L D L A",),
                                   "history": ("R R A R L L R L A",), "delete": (NO_ONE,),
                                   "upload": REVIEWER_ONLY, "template": "A A A A L L A L A"},
    # Pilots are chosen by the city: the reviewer writes them, a clerk reads its county's.
    "projects.pilot": {"changelist": CLERKS_AND_REVIEWER, "add": REVIEWER_ONLY, "change": (EVENT_OWN, EVENT_OTHER),
                       "history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER),
                       "simple_history": (EVENT_HISTORY_OWN, EVENT_HISTORY_OTHER), "delete": REVIEWER_ONLY},
}
# Pages of the admin site itself.
ADMIN_SITE = {
    "index": "A A A A L L A L A",
    "app_list households": "A A A A L L N L A",
    "app_list plans": "A A A N L L N L A",
    "app_list projects": "A A A A L L N L A",
    "app_list workflows": "A A A A L L N L A",  # 卫计委: the warnings of the households it serves
    "app_list jobs": "A A A A L L A L A",
    "app_list departments": "N N A A L L N L A",
    "app_list auth": "N N N N L L N L A",
    "app_list authtoken": "N N N N L L N L A",
    "app_list axes": "N N N N L L N L A",
    # The household form's village box and the exit form's household box (their contents: below).
    "autocomplete village": "A A A D L L D L A",
    "autocomplete household": EVERY_ROLE_READS,
    # The pilot form's box: the households the reviewer sees; nothing to whoever may not choose a pilot.
    "autocomplete pilot_households": EVERY_ROLE_READS,
    "login": "R R R R A A R A R",
    "password_change": "A A A A L L A L A",
    "password_change_done": "A A A A L L A L A",
    "jsi18n": "A A A A L L A L A",
}
NOT_WALKED = {
    "logout": "ends the session every other row uses",
    "view_on_site": "no registered model has a page outside the admin",
    "households_household_process_import": "the confirmation of an import: test_admin_import_matrix",
}


def admin_pages():
    """(row id, model label, page kind, record index or None, expected letters)."""
    for label, pages in ADMIN_MODELS.items():
        for kind, letters in pages.items():
            if isinstance(letters, tuple):
                for index, (side, each) in enumerate(zip(("own", "other"), letters)):
                    yield f"{label} {kind} {side}", label, kind, index, each
            elif kind in ("change", "history", "simple_history", "delete", "password_change"):
                for index in range(2 if label in TWO_COUNTY_RECORDS else 1):
                    side = ("own", "other")[index]
                    yield f"{label} {kind} {side}", label, kind, index, letters
            else:
                yield f"{label} {kind}", label, kind, None, letters


TWO_COUNTY_RECORDS = {
    "households.county", "households.township", "households.village", "plans.annexrow", "plans.villageincome",
    "plans.envoy", "plans.settlement", "plans.supportstandard", "projects.pilot",
}
# Reference records the world does not build (fixtures/ loaded them).
REFERENCE_RECORDS = {"households.alleviationmodel": lambda: (AlleviationModel.objects.get(pk="bureau_defined"),)}
# The form whose box an autocomplete page fills: (app, model, field).
AUTOCOMPLETE_SOURCES = {"households.member": ("projects", "job", "member"),
                        "households.reliefmeasure": ("projects", "job", "measure")}


def admin_url(w, label: str, kind: str, index) -> str:
    app, model = label.split(".")
    if index is None:
        if kind == "import_report":
            return reverse(f"admin:{app}_{model}_import_report", args=["0" * 32])
        if label == "departments.departmentlist" and kind == "template":
            return reverse(f"admin:{app}_{model}_{kind}", args=["deaths"])  # each kind's blank workbook
        if kind == "autocomplete":
            source = dict(zip(("app_label", "model_name", "field_name"), AUTOCOMPLETE_SOURCES[label]))
            return f"{reverse(f'admin:{app}_{model}_autocomplete')}?{urlencode(source)}"
        return reverse(f"admin:{app}_{model}_{kind}")
    record = w.records[label][index] if label in w.records else REFERENCE_RECORDS[label]()[index]
    if kind == "simple_history":
        version = record.history.order_by("-history_id").first().history_id
        return reverse(f"admin:{app}_{model}_simple_history", args=[record.pk, version])
    return reverse(f"admin:{app}_{model}_{kind}", args=[record.pk])


def test_every_admin_page_has_a_row():
    """A model newly registered in the admin, or a new URL of one, fails here until it has its row."""
    registered = {m._meta.label_lower: model_admin for m, model_admin in admin.site._registry.items()}
    assert set(registered) == set(ADMIN_MODELS)
    for label, model_admin in registered.items():
        app, model = label.split(".")
        names = {u.name.removeprefix(f"{app}_{model}_") for u in model_admin.get_urls() if u.name}
        assert names - {"process_import"} == set(ADMIN_MODELS[label]), label
    site_names = {u.name for u in admin.site.get_urls() if getattr(u, "name", None)}
    walked = {name.split()[0] for name in ADMIN_SITE}
    assert site_names == walked | set(NOT_WALKED) - {"households_household_process_import"}


def site_request(w, name: str):
    kind, _, arg = name.partition(" ")
    if kind == "app_list":
        return lambda client: client.get(reverse("admin:app_list", args=[arg]))
    if kind == "autocomplete":
        field = {"village": ("households", "household", "village"), "household": ("households", "exitrecord", "household"),
                 "pilot_households": ("projects", "pilot", "households")}[arg]
        query = {"app_label": field[0], "model_name": field[1], "field_name": field[2], "term": ""}
        return lambda client: client.get(reverse("admin:autocomplete"), query)
    return lambda client: client.get(reverse(f"admin:{kind}"))


@pytest.mark.parametrize("name", list(ADMIN_SITE))
def test_admin_site_pages(world, name):
    assert walk(world, expect(ADMIN_SITE[name]), site_request(world, name)) == []


ADMIN_PAGES = list(admin_pages())


@pytest.mark.parametrize("row, label, kind, index, letters", ADMIN_PAGES, ids=[p[0] for p in ADMIN_PAGES])
def test_admin_pages(world, row, label, kind, index, letters):
    url = admin_url(world, label, kind, index)
    check = ADMIN_CHECKS.get((label, kind))
    request = through_job if (label, kind) == ("households.household", "export") else (lambda client, u: client.get(u))
    if (label, kind) == ("households.helperassignment", "workbook_export"):
        request = lambda client, u: client.post(u)  # noqa: E731  (a button: a POST)
    also = TRANSFER_SEEN if label == "households.transfer" else None
    assert walk(world, expect(letters), lambda client: request(client, url), check, also=also) == [], url


def through_job(client, url):
    """A button that starts a job (the admin's export, a POST) answers with the job's page; what the
    user then takes is the job's file: that is the answer walked (its rows checked for leaks)."""
    response = client.post(url)
    if response.status_code == 302 and response.url.startswith("/admin/jobs/job/"):
        file = client.get(reverse("admin:jobs_job_result", args=[response.url.split("/")[-3]]))
        # Read once here: the leak check and the row's check each read the content.
        return HttpResponse(b"".join(file.streaming_content), status=file.status_code) if file.streaming else file
    return response


# What an allowed admin list shows: only the records of households the persona may see.
HOUSEHOLD_OF = {
    "households.household": lambda h: h.number,
    "households.member": lambda m: m.household.number,
    "households.reliefmeasure": lambda m: m.household.number,
    "households.exitrecord": lambda r: r.household.number,
    "households.returnrecord": lambda r: r.household.number,
    "projects.guaranteedloan": lambda r: r.measure.household.number,
    **{f"projects.{name}": lambda r: r.member.household.number for name in PROJECT_LINKS if name != "guaranteedloan"},
    "households.helperassignment": lambda a: a.household.number,
    "households.helpervisit": lambda v: v.assignment.household.number,
}
WITH_RECORDS = {
    "households.household": set(HOUSEHOLDS), "households.member": set(HOUSEHOLDS),
    # B's and F's: the follow-ups of their warnings of a return (build_risks).
    "households.reliefmeasure": set(HOUSEHOLDS), "households.exitrecord": set(HOUSEHOLDS),
    "households.returnrecord": {"NHA-0001", "DTE-0003"}, "households.householdincome": set(HOUSEHOLDS),
    **{f"projects.{name}": {"NHA-0001", "DTE-0003"} for name in PROJECT_LINKS},
    "households.helperassignment": {"NHA-0001", "DTE-0003"}, "households.helpervisit": {"NHA-0001", "DTE-0003"},
}


# The households whose members a persona may give a project's record (a job): its own county's for a
# clerk, none for the reviewer (who reads) nor for 卫计委 (not the project's channel).
RECORDS_FOR = {"clerk": {"NHA-0001", "NHB-0002"}, "other": {"DTE-0003", "DTF-0004"}, "reviewer": set(), "dept": set(),
               "admin": set(HOUSEHOLDS)}


def check_offered(with_records: set[str]):
    """An autocomplete box of a job's form offers the records of the households the persona may record
    for, each labelled with its household number."""

    def check(w, persona, response):
        offered = {n for r in response.json()["results"] for n in HOUSEHOLDS if n in r["text"]}
        assert offered == RECORDS_FOR[persona] & with_records

    return check


@pytest.mark.parametrize("label", list(HOUSEHOLD_OF))
def test_admin_lists_hold_only_visible_households(world, label):
    app, model = label.split(".")
    for persona in ("clerk", "other", "reviewer", "dept", "admin"):
        response = world.clients[persona].get(reverse(f"admin:{app}_{model}_changelist"))
        if response.status_code == 403:
            continue  # denied: in the matrix above
        shown = {HOUSEHOLD_OF[label](obj) for obj in response.context["cl"].result_list}
        assert shown == VISIBLE[persona] & WITH_RECORDS[label], (label, persona)


def test_admin_export_holds_the_visible_households_masked(world):
    for persona in ("clerk", "other", "reviewer", "dept", "admin"):
        response = through_job(world.clients[persona], reverse("admin:households_household_export"))
        assert sheet_numbers(response) == VISIBLE[persona], persona
        whole = [i for i in world.ids if i in text_of(response)]
        assert bool(whole) == (persona == "admin"), persona


def test_admin_drop_downs_offer_only_the_users_county(world):
    clerk, other, boss = world.clients["clerk"], world.clients["other"], world.clients["admin"]
    for client, county in ((clerk, NINGHUA), (other, DATIAN)):
        form = client.get(reverse("admin:households_household_add")).context["adminform"].form
        assert set(form.fields["county"].queryset.values_list("code", flat=True)) == {county}
        assert {v[:6] for v in form.fields["village"].queryset.values_list("code", flat=True)} == {county}
        villages = client.get(reverse("admin:autocomplete"), {
            "app_label": "households", "model_name": "household", "field_name": "village", "term": ""}).json()
        assert {v["id"][:6] for v in villages["results"]} == {county}
        form = client.get(reverse("admin:households_village_add")).context["adminform"].form
        assert {t[:6] for t in form.fields["township"].queryset.values_list("code", flat=True)} == {county}
        townships = client.get(reverse("admin:autocomplete"), {
            "app_label": "households", "model_name": "village", "field_name": "township", "term": ""}).json()
        assert {t["id"][:6] for t in townships["results"]} == {county}
        form = client.get(reverse("admin:households_township_add")).context["adminform"].form
        assert set(form.fields["county"].queryset.values_list("code", flat=True)) == {county}
    # The households offered to an exit or a measure: those the user may record them for.
    for persona in ("clerk", "other", "dept"):
        found = world.clients[persona].get(reverse("admin:autocomplete"), {
            "app_label": "households", "model_name": "reliefmeasure", "field_name": "household", "term": ""}).json()
        assert {world.number_of_pk[int(h["id"])] for h in found["results"]} == VISIBLE[persona], persona
    form = world.clients["dept"].get(reverse("admin:households_reliefmeasure_add")).context["adminform"].form
    assert list(form.fields["channel"].queryset.values_list("code", flat=True)) == ["medical_aid"]
    form = boss.get(reverse("admin:households_household_add")).context["adminform"].form
    assert form.fields["county"].queryset.count() == 12


def form_post(client, url, data):
    # The API client sends JSON unless told otherwise; the admin reads forms.
    return client.post(url, data, format="multipart")


def test_admin_clerk_cannot_move_a_household_or_add_places_in_another_county(world):
    a, clerk = world.h["A"], world.clients["clerk"]
    members = list(a.members.order_by("id"))
    data = {
        "number": a.number, "village": world.places.chengguan.code, "category": "ordinary", "standard": "national",
        "identified_year": "2014", "main_cause": "illness", "income_per_capita": "2500",
        "members-TOTAL_FORMS": str(len(members)), "members-INITIAL_FORMS": str(len(members)),
        "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(members):
        data.update({f"members-{i}-id": str(m.pk), f"members-{i}-household": str(a.pk), f"members-{i}-name": m.name,
                     f"members-{i}-id_number": f"{m.id_number[:6]}********{m.id_number[-4:]}",
                     f"members-{i}-relation": m.relation, f"members-{i}-health": m.health,
                     f"members-{i}-labor": m.labor, f"members-{i}-schooling": m.schooling})
    for prefix, count in (("measures", 1), ("exits", 1), ("returns", 1), ("incomes", 1)):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    with rolled_back():
        # The village is shown, not offered, on an existing household (a move is a transfer): a village
        # posted anyway changes nothing.
        response = form_post(clerk, reverse("admin:households_household_change", args=[a.pk]), data)
        assert response.status_code == 302
        assert Household.objects.get(pk=a.pk).village_id == world.places.chengnan.code
    with rolled_back():
        response = form_post(clerk, reverse("admin:households_village_add"),
                             {"code": "350425101299", "name": "越界村", "township": world.places.junxi.code})
        assert response.status_code == 200 and "township" in response.context["adminform"].form.errors
        response = form_post(clerk, reverse("admin:households_township_add"),
                             {"code": "350425199", "name": "越界乡", "county": DATIAN})
        assert response.status_code == 200 and "county" in response.context["adminform"].form.errors
        assert not County.objects.get(pk=DATIAN).townships.filter(code__in=["350425199"]).exists()
    with rolled_back():
        response = form_post(clerk, reverse("admin:households_village_add"),
                             {"code": "350424101299", "name": "新村", "township": world.places.cuijiang.code})
        assert response.status_code == 302, response.context["adminform"].form.errors


# ---------------------------------------------------------------- the API

API = "/api/v1/"
EVERYONE = "A A A A A A D U A"  # reference data and the plan: every role; no account without one
API_OWN, API_OTHER = "A N A A A A D U A", "N A A N N N D U A"
WRITE_OWN, WRITE_OTHER = "A N D D D A D U A", "N A D N N N D U A"
REVIEWER_WRITES = "D D A D D D D U A"


def household_body(w):
    return {"number": "NEW-0009", "village": w.places.chengnan.code, "category": "ordinary", "main_cause": "illness",
            "income_per_capita": "1", "members": [{"name": "甲", "id_number": resident_id(), "relation": "head",
                                                   "labor": "ordinary"}]}


def upload(rows):
    return {"file": SimpleUploadedFile("宁化.xlsx", workbook.households_workbook(rows))}


def api_rows():
    """(row id, router prefix, action, expected letters, request(w, client), check(w, persona, response) or None)."""
    get = lambda path: (lambda w, c: c.get(path(w) if callable(path) else path))  # noqa: E731
    for prefix, pk_label in (("counties", "households.county"), ("townships", "households.township"),
                             ("villages", "households.village")):
        yield f"{prefix} list", prefix, "list", EVERYONE, get(f"{API}{prefix}/"), None
        for i, side in enumerate(("own", "other")):
            yield (f"{prefix} retrieve {side}", prefix, "retrieve", EVERYONE,
                   get(lambda w, p=prefix, i=i, l=pk_label: f"{API}{p}/{w.records[l][i].pk}/"), None)
    yield ("townships create", "townships", "create", "A B D D D A D U A",
           lambda w, c: c.post(f"{API}townships/", {"code": "350424199", "name": "新乡", "county": NINGHUA}), None)
    yield ("villages create", "villages", "create", "A B D D D A D U A",
           lambda w, c: c.post(f"{API}villages/", {"code": "350424101299", "name": "新村", "township": "350424101"}),
           None)
    for prefix, pk in (("causes", "illness"), ("channels", "medical_aid"), ("alleviation-models", "enterprise_led")):
        yield f"{prefix} list", prefix, "list", EVERYONE, get(f"{API}{prefix}/"), None
        yield f"{prefix} retrieve", prefix, "retrieve", EVERYONE, get(f"{API}{prefix}/{pk}/"), None

    def h(key):
        return lambda w: w.h[key].pk

    yield "households list", "households", "list", EVERYONE, get(f"{API}households/?page_size=500"), check_households
    yield ("households retrieve own", "households", "retrieve", API_OWN,
           get(lambda w: f"{API}households/{w.h['A'].pk}/"), None)
    yield ("households retrieve other", "households", "retrieve", API_OTHER,
           get(lambda w: f"{API}households/{w.h['E'].pk}/"), None)
    yield ("households create", "households", "create", "A B D D D A D U A",
           lambda w, c: c.post(f"{API}households/", household_body(w)), check_history("household"))
    yield ("households partial_update own", "households", "partial_update", WRITE_OWN,
           lambda w, c: c.patch(f"{API}households/{w.h['A'].pk}/", {"address": "新住址"}),
           check_history("household"))
    yield ("households partial_update other", "households", "partial_update", WRITE_OTHER,
           lambda w, c: c.patch(f"{API}households/{w.h['E'].pk}/", {"address": "新住址"}),
           check_history("household"))
    # Moving a 宁化 household into 大田 by changing its village: refused to all, a superuser too, naming
    # the village (a move is a transfer).
    yield ("households partial_update own into another county", "households", "partial_update",
           "B N D D D B D U B",
           lambda w, c: c.patch(f"{API}households/{w.h['A'].pk}/", {"village": w.places.chengguan.code}), None)
    # Every household here has an exit: deleting it is a 409 for whoever may change it.
    yield ("households destroy own", "households", "destroy", "C N D N D C D U C",
           lambda w, c: c.delete(f"{API}households/{w.h['B'].pk}/"), None)
    yield ("households destroy other", "households", "destroy", "N C D D N N D U C",
           lambda w, c: c.delete(f"{API}households/{w.h['F'].pk}/"), None)
    yield "households template", "households", "template", EVERYONE, get(f"{API}households/template/"), None
    yield "households export", "households", "export", EVERYONE, get(f"{API}households/export/"), check_export
    yield ("households import own county", "households", "import_workbook", "A X D D D A D U A",
           lambda w, c: c.post(f"{API}households/import/", upload([import_row("IMP-0001", "350424101201")]),
                               format="multipart"), check_import)
    yield ("households import other county", "households", "import_workbook", "X A D D D X D U A",
           lambda w, c: c.post(f"{API}households/import/",
                               upload([import_row("IMP-0002", "350425101201", prefix=DATIAN)]), format="multipart"),
           check_import)
    yield ("households retrieve own on a day", "households", "retrieve", API_OWN,
           get(lambda w: f"{API}households/{w.h['A'].pk}/?on=2016-03-31"), check_members_on("2016-03-31"))
    yield ("households list on a day", "households", "list", EVERYONE, get(f"{API}households/?on=2016-04-01"),
           check_households)
    changes = f"{API}member-changes/"
    yield "member-changes list", "member-changes", "list", EVERYONE, get(changes), check_changes
    yield ("member-changes create", "member-changes", "create", "A B D D D A D U A",
           lambda w, c: c.post(changes, {"household": w.h["A"].pk, "kind": "birth", "date": "2016-05-06", "person": {
               "name": "新生", "id_number": resident_id(birth=datetime.date(2016, 5, 6)), "relation": "grandchild",
               "labor": "none"}}, format="json"), check_history("memberchange"))
    for i, side in enumerate(("own", "other")):
        yield (f"member-changes retrieve {side}", "member-changes", "retrieve", (API_OWN, API_OTHER)[i],
               get(lambda w, i=i: f"{changes}{w.changes[i].pk}/"), None)
    yield ("households history own", "households", "history", API_OWN,
           get(lambda w: f"{API}households/{w.h['A'].pk}/history/"), None)
    yield ("households history other", "households", "history", API_OTHER,
           get(lambda w: f"{API}households/{w.h['E'].pk}/history/"), None)

    records = {
        "members": ("households.member", {"name": "改名"}),
        "measures": ("households.reliefmeasure", {"content": "改过"}),
        "exits": ("households.exitrecord", {"verified_by": "县扶贫办"}),
        "returns": ("households.returnrecord", {"reason": "因灾返贫"}),
        "incomes": ("households.householdincome", {"total": "9999"}),
    }
    creates = {
        "members": (lambda w: {"household": w.h["A"].pk, "name": "新生", "id_number": resident_id(),
                               "relation": "child", "labor": "none"}, "A B D D D A D U A"),
        "measures": (lambda w: {"household": w.h["A"].pk, "channel": "medical_aid", "year": 2016,
                                "content": "救助"}, "A B D A D A D U A"),
        # The figure A's 2017 home visit found (build_cases): the year's income record holds it.
        "exits": (lambda w: {"household": w.h["A"].pk, "year": 2017, "income_per_capita": "5000"},
                  "A B D D D A D U A"),
        "returns": (lambda w: {"household": w.h["B"].pk, "year": 2017, "reason": "因病返贫"},
                    "A B D B D A D U A"),
        # A household the department serves: it sees A, but records no income (403).
        "incomes": (lambda w: {"household": w.h["A"].pk, "year": 2018, "total": "5000"}, "A B D D D A D U A"),
    }
    # The department reads what its channel serves (A and F), records only its channel's measures.
    reads = {"members": (API_OWN, API_OTHER), "measures": (API_OWN, API_OTHER),
             "exits": ("A N A N A A D U A", "N A A A N N D U A"), "returns": (API_OWN, API_OTHER),
             "incomes": (API_OWN, API_OTHER)}
    writes = {"members": (WRITE_OWN, WRITE_OTHER), "measures": ("A N D A D A D U A", WRITE_OTHER),
              "exits": ("A N D N D A D U A", "N A D D N N D U A"), "returns": (WRITE_OWN, WRITE_OTHER),
              "incomes": (WRITE_OWN, WRITE_OTHER)}
    for prefix, (label, change) in records.items():
        model = label.split(".")[1]
        yield f"{prefix} list", prefix, "list", EVERYONE, get(f"{API}{prefix}/?page_size=500"), check_records(label)
        body, letters = creates[prefix]
        yield (f"{prefix} create", prefix, "create", letters,
               lambda w, c, p=prefix, b=body: c.post(f"{API}{p}/", b(w)), check_history(model))
        # A member is deleted from a household that keeps its head: the child.
        target = (lambda w, i, l=label: w.records[l][i].household.members.get(relation="child").pk) \
            if prefix == "members" else (lambda w, i, l=label: w.records[l][i].pk)
        for i, side in enumerate(("own", "other")):
            yield (f"{prefix} retrieve {side}", prefix, "retrieve", reads[prefix][i],
                   get(lambda w, p=prefix, i=i, l=label: f"{API}{p}/{w.records[l][i].pk}/"), None)
            yield (f"{prefix} partial_update {side}", prefix, "partial_update", writes[prefix][i],
                   lambda w, c, p=prefix, i=i, l=label, d=change: c.patch(f"{API}{p}/{w.records[l][i].pk}/", d),
                   check_history(model))
            yield (f"{prefix} destroy {side}", prefix, "destroy", writes[prefix][i],
                   lambda w, c, p=prefix, i=i, t=target: c.delete(f"{API}{p}/{t(w, i)}/"), check_history(model))

    yield from transfer_rows(get)
    yield "plans/quotas list", "plans/quotas", "list", EVERYONE, get(f"{API}plans/quotas/"), None
    yield ("plans/quotas retrieve", "plans/quotas", "retrieve", EVERYONE,
           get(lambda w: f"{API}plans/quotas/{w.records['plans.annexrow'][0].pk}/"), None)
    yield "plans/progress list", "plans/progress", "list", EVERYONE, get(f"{API}plans/progress/"), check_progress
    yield ("plans/progress export", "plans/progress", "export", EVERYONE, get(f"{API}plans/progress/export/"),
           check_progress)
    yield ("plans/consistency list", "plans/consistency", "list", EVERYONE, get(f"{API}plans/consistency/"),
           check_findings)
    yield ("plans/population list", "plans/population", "list", EVERYONE, get(f"{API}plans/population/"),
           check_progress)
    yield ("plans/consistency export", "plans/consistency", "export", EVERYONE,
           get(f"{API}plans/consistency/export/"), check_findings)
    incomes = f"{API}plans/village-incomes/"
    yield "plans/village-incomes list", "plans/village-incomes", "list", EVERYONE, get(incomes), check_incomes
    yield ("plans/village-incomes create", "plans/village-incomes", "create", REVIEWER_WRITES,
           lambda w, c: c.post(incomes, {"village": w.places.chengnan.code, "year": 2017, "own_income": "100"}),
           check_history("villageincome"))
    for i, side in enumerate(("own", "other")):
        yield (f"plans/village-incomes retrieve {side}", "plans/village-incomes", "retrieve",
               ("A N A N A A D U A", "N A A N N N D U A")[i],
               get(lambda w, i=i: f"{incomes}{w.records['plans.villageincome'][i].pk}/"), None)
        yield (f"plans/village-incomes partial_update {side}", "plans/village-incomes", "partial_update",
               REVIEWER_WRITES,
               lambda w, c, i=i: c.patch(f"{incomes}{w.records['plans.villageincome'][i].pk}/", {"own_income": "9"}),
               check_history("villageincome"))
        yield (f"plans/village-incomes destroy {side}", "plans/village-incomes", "destroy", REVIEWER_WRITES,
               lambda w, c, i=i: c.delete(f"{incomes}{w.records['plans.villageincome'][i].pk}/"),
               check_history("villageincome"))
    yield from workflow_rows(get)
    yield from project_api_rows(get)
    yield from close_rows(get)
    yield from helper_rows(get)
    yield from risk_rows(get)
    yield from helper_report_rows(get)
    yield from document_rows(get)
    # Outside the router: its root, and the schema and its page, public and the same for every caller
    # (they describe the API and hold no records), so walked as two personas only: it takes seconds.
    yield "root", None, None, EVERYONE, get(API), None
    yield "schema", None, None, "A - - - - - - A -", get("/api/schema/"), None
    yield "docs", None, None, "A - - - - - - A -", get("/api/docs/"), None


PDF_OWN, PDF_OTHER = "A N A A A A D U A", "N A A N N N D U A"  # a household's: as households retrieve
PLACE_PDF_OWN, PLACE_PDF_OTHER = "A N A N A A D U A", "N A A N N N D U A"  # a place's: whoever sees its county


def check_pdf(w, persona, response):
    assert response["Content-Type"] == "application/pdf"


def document_rows(get):
    """The printed documents (issue 20, documents/): plain routes beside the router, each walked for a
    record of 宁化 (own) and of 大田 (other); an allowed answer is read back with pdftotext, so the
    leak check holds it to the persona's households and masked ID numbers."""
    docs = f"{API}documents/"
    for i, (side, key) in enumerate((("own", "A"), ("other", "E"))):
        for document in ("card", "handbook"):
            yield (f"documents {document} {side}", None, None, (PDF_OWN, PDF_OTHER)[i],
                   get(lambda w, k=key, d=document: f"{docs}households/{w.h[k].pk}/{d}.pdf"), check_pdf)
        village = lambda w, i=i: (w.places.chengnan, w.places.chengguan)[i].code  # noqa: E731
        county = (NINGHUA, DATIAN)[i]
        yield (f"documents notice-list {side}", None, None, (PLACE_PDF_OWN, PLACE_PDF_OTHER)[i],
               get(lambda w, v=village: f"{docs}notice-list.pdf?kind=identification&step=village_notice&village={v(w)}"),
               check_pdf)
        yield (f"documents announcement {side}", None, None, (PLACE_PDF_OWN, PLACE_PDF_OTHER)[i],
               get(f"{docs}announcement.pdf?county={county}&kind=identification"), check_pdf)
        yield (f"documents close {side}", None, None, (PLACE_PDF_OWN, PLACE_PDF_OTHER)[i],
               get(f"{docs}closes/{county}-2016.pdf"), check_pdf)
        # The job starts (202) for whoever sees the village; it runs at once in the tests.
        yield (f"documents village-cards {side}", None, None,
               ("202 N 202 N 202 202 D U 202", "N 202 202 N N N D U 202")[i],
               lambda w, c, v=village: c.post(f"{docs}village-cards/", {"village": v(w)}), None)


def in_state(county: str, state: str):
    """The request's county-year 2016 put in `state` first (the walk rolls it back after each persona)."""
    fields = {"state": state, "figures": "{}", "figures_sha256": "0" * 64} if state == "accepted" else {"state": state}
    YearClose.objects.update_or_create(county_id=county, year=2016, defaults=fields)


def close_rows(get):
    """The year-end close (issue 19): the county's clerk submits its year, the city reviewer accepts,
    sends back and reopens any; a county the user does not see is not found. Explanations are the
    county clerk's and the reviewer's to write, read by whoever sees the county."""
    closes = f"{API}closes/"
    yield "closes list", "closes", "list", EVERYONE, get(closes), check_closes
    for side, county, letters in (("own", NINGHUA, "A N A N A A D U A"), ("other", DATIAN, "N A A N N N D U A")):
        yield f"closes retrieve {side}", "closes", "retrieve", letters, get(f"{closes}{county}-2016/"), None
        # The accepted figures' workbook: whoever sees the county downloads it.
        yield (f"closes export {side}", "closes", "export", letters,
               lambda w, c, k=county: (in_state(k, "accepted"), c.get(f"{closes}{k}-2016/export/"))[1], None)
    submit = {"own": (NINGHUA, "A N D N D D D U A"), "other": (DATIAN, "N A D N N N D U A")}
    review = {"own": (NINGHUA, "D N A N D D D U A"), "other": (DATIAN, "N D A N N N D U A")}
    for side, (county, letters) in submit.items():
        yield (f"closes submit {side}", "closes", "submit", letters,
               lambda w, c, k=county: c.post(f"{closes}{k}-2016/submit/"), check_history("yearclose"))
    for action, state in (("accept", "submitted"), ("send_back", "submitted"), ("reopen", "accepted")):
        for side, (county, letters) in review.items():
            yield (f"closes {action} {side}", "closes", action, letters,
                   lambda w, c, k=county, a=action, s=state: (in_state(k, s), c.post(
                       f"{closes}{k}-2016/{a}/", {"reason": "原因"}))[1], check_history("yearclose"))
    explanations = f"{API}finding-explanations/"
    yield "finding-explanations list", "finding-explanations", "list", EVERYONE, get(explanations), check_explanations
    label = "households.findingexplanation"
    for i, (side, letters) in enumerate((("own", "A N A N A A D U A"), ("other", "N A A N N N D U A"))):
        yield (f"finding-explanations retrieve {side}", "finding-explanations", "retrieve", letters,
               get(lambda w, i=i: f"{explanations}{w.records[label][i].pk}/"), None)
    for i, (side, letters) in enumerate((("own", "A N A N D D D U A"), ("other", "N A A N N N D U A"))):
        yield (f"finding-explanations destroy {side}", "finding-explanations", "destroy", letters,
               lambda w, c, i=i: c.delete(f"{explanations}{w.records[label][i].pk}/"),
               check_history("findingexplanation"))
    for side, (county, letters) in (("own", (NINGHUA, "A D A D D D D U A")), ("other", (DATIAN, "D A A D D D D U A"))):
        yield (f"finding-explanations create {side}", "finding-explanations", "create", letters,
               lambda w, c, k=county: c.post(explanations, {
                   "check_code": "head_count", "county": k, "year": 2017, "reason": "户主外出务工，待回乡后更正",
                   "target": f"household:{w.h['A' if k == NINGHUA else 'E'].pk}"}),
               check_history("findingexplanation"))


# The households whose transfers each persona sees: the sending and the receiving county (B's, 宁化 → 大田;
# F's, 大田 → 永安), the reviewer and a superuser all, a department and a user without a role none. The
# receiving county reads the number of a household it does not see yet: the one coming to it.
TRANSFER_SEEN = {"clerk": {"NHB-0002"}, "other": {"NHB-0002", "DTF-0004"}, "reviewer": {"NHB-0002", "DTF-0004"},
                 "dept": set(), "sys": {"NHB-0002"}, "sys_w": {"NHB-0002"}, "nobody": set(), "anon": set(),
                 "admin": {"NHB-0002", "DTF-0004"}}
# Deciding B's (own) or F's (other) transfer: the receiving county's clerk (and a superuser) only; the
# sending county is told the receiving county decides (400 naming to_village); the reviewer and a
# read-only system, who read it, may not (403); whoever does not see it does not find it (404).
DECIDE_OWN, DECIDE_OTHER = "B A D N D B D U A", "N B D N N N D U A"


def check_transfers(w, persona, response):
    numbers = {r["household_number"] for r in rows_of(response)}
    if "results" in response.json():
        assert numbers == TRANSFER_SEEN[persona]
    else:
        assert numbers <= TRANSFER_SEEN[persona]


def transfer_rows(get):
    url = f"{API}transfers/"
    yield "transfers list", "transfers", "list", EVERYONE, get(f"{url}?page_size=500"), check_transfers
    # A within 宁化, from 城南村 to 城北村: one step, by whoever may change A.
    yield ("transfers release", "transfers", "release", "A B D D D A D U A",
           lambda w, c: c.post(f"{url}release/", {"household": w.h["A"].pk, "to_village": w.places.chengbei.code,
                                                  "reason": "other"}), check_history("transfer"))
    for i, side in enumerate(("own", "other")):
        target = lambda w, i=i: f"{url}{w.transfers[i].pk}/"  # noqa: E731
        yield (f"transfers retrieve {side}", "transfers", "retrieve", ("A A A N A A D U A", "N A A N N N D U A")[i],
               get(target), check_transfers)
        yield (f"transfers accept {side}", "transfers", "accept", (DECIDE_OWN, DECIDE_OTHER)[i],
               lambda w, c, t=target: c.post(f"{t(w)}accept/"), check_history("transfer"))
        yield (f"transfers refuse {side}", "transfers", "refuse", (DECIDE_OWN, DECIDE_OTHER)[i],
               lambda w, c, t=target: c.post(f"{t(w)}refuse/", {"reason": "安置房未建成"}), check_history("transfer"))


# A step in a 宁化 (own) or 大田 (other) case: the county's clerk takes it (or is told why not, B),
# another county's clerk does not find the case; the reviewer, who reads both, and a system client,
# which reads its county's, take no step; a department and a user without a role see no case.
STEP_OWN, STEP_OTHER = "A N D N D D D U A", "N A D N N N D U A"
STEP_REFUSED_OWN, STEP_REFUSED_OTHER = "B N D N D D D U B", "N B D N N N D U B"
# A step out of turn is refused (400) to whoever reads the case, before the role is asked.
OUT_OF_TURN_OWN, OUT_OF_TURN_OTHER = "B N B N B B D U B", "N B B N N N D U B"
# Only the reviewer lets a verification that fell short through.
OVERRIDE_OWN, OVERRIDE_OTHER = "D N A N D D D U A", "N D A N N N D U A"
PASSING_VISIT = {"income_per_capita": "5000", "food": True, "clothing": True, "education": True, "medical": True,
                 "housing": True}


def workflow_rows(get):
    cases = f"{API}workflows/cases/"
    yield "workflows/cases list", "workflows/cases", "list", EVERYONE, get(f"{cases}?page_size=500"), check_cases
    # A new applicant in a 宁化 village: its clerk (and a superuser) opens the case, nobody else.
    yield ("workflows/cases identification", "workflows/cases", "identification", "A D D D D D D U A",
           lambda w, c: c.post(f"{cases}identification/", {
               "village": w.places.chengnan.code, "applicant_name": "新申请人", "applicant_id_number": resident_id(),
               "applicant_labor": "weak", "category": "ordinary", "main_cause": "illness", "year": 2017,
               "income_per_capita": "2000"}), check_new_case)
    # B, exited: a household another role cannot pick is a 400 naming the field.
    yield ("workflows/cases return_", "workflows/cases", "return_", "A B D B D D D U A",
           lambda w, c: c.post(f"{cases}return/", {"household": w.h["B"].pk, "year": 2017, "reason": "因病返贫"}),
           check_new_case)

    def exit_again(w, c):
        # A's open exit is ended first (in the same rolled-back request): A may be proposed again.
        workflows.case_reject(case=w.cases.exit_own, actor=w.users["admin"], reason="重新申报")
        return c.post(f"{cases}exit/", {"household": w.h["A"].pk, "year": 2017})

    yield "workflows/cases exit", "workflows/cases", "exit", "A B D D D D D U A", exit_again, check_new_case
    # Each step on each county's case: the exit waits on the reviewer (its home visit fell short), the
    # identification on the county (an objection to its announcement is pending).
    steps = [
        ("retrieve", "exit", lambda w, c, u: c.get(u), ("A N A N A A D U A", "N A A N N N D U A")),
        ("advance", "exit", lambda w, c, u: c.post(f"{u}advance/", {"to": "signed"}),
         (STEP_REFUSED_OWN, STEP_REFUSED_OTHER)),
        ("verify", "exit", lambda w, c, u: c.post(f"{u}verify/", PASSING_VISIT), (OUT_OF_TURN_OWN, OUT_OF_TURN_OTHER)),
        ("override", "exit", lambda w, c, u: c.post(f"{u}override/", {"reason": "收入已含待发的产业补助"}),
         (OVERRIDE_OWN, OVERRIDE_OTHER)),
        ("close", "exit", lambda w, c, u: c.post(f"{u}close/", {}), (OUT_OF_TURN_OWN, OUT_OF_TURN_OTHER)),
        ("reject", "exit", lambda w, c, u: c.post(f"{u}reject/", {"reason": "核实不符"}), (STEP_OWN, STEP_OTHER)),
        ("register", "identification", lambda w, c, u: c.post(f"{u}register/", {"number": "REG-0009"}),
         (STEP_REFUSED_OWN, STEP_REFUSED_OTHER)),
        ("objections", "identification",
         lambda w, c, u: c.post(f"{u}objections/", {"content": "另有住房", "raised_on": str(on(20))}),
         (STEP_OWN, STEP_OTHER)),
        ("decide", "identification",
         lambda w, c, u: c.post(f"{u}objections/{Objection.objects.get(step__case_id=u.split('/')[-2]).pk}/decide/",
                                {"outcome": "dismissed", "decision": "借用亲戚车辆", "decided_on": str(on(21))}),
         (STEP_OWN, STEP_OTHER)),
    ]
    for action, kind, send, letters in steps:
        for i, side in enumerate(("own", "other")):
            yield (f"workflows/cases {action} {side}", "workflows/cases", action, letters[i],
                   lambda w, c, k=kind, s=side, f=send: f(w, c, f"{cases}{getattr(w.cases, f'{k}_{s}').pk}/"), None)
    yield ("workflows/in-tray list", "workflows/in-tray", "list", EVERYONE, get(f"{API}workflows/in-tray/"),
           check_in_tray)
    # Notice lists (公示名单): read where the place's county is seen (a place outside it is not found);
    # posted by whoever takes the step for the place: the county's clerk (the reviewer and the system
    # clients read, take no step). The world's announcement lists are posted: the request takes the
    # county's posting back first (in the same rolled-back request), so that its case waits again.
    notices_url = f"{API}workflows/notices/"
    yield "workflows/notices list", "workflows/notices", "list", EVERYONE, get(notices_url), check_postings

    def post_again(side):
        def send(w, c):
            posting = w.records["workflows.noticeposting"][("own", "other").index(side)]
            NoticePosting.objects.filter(pk=posting.pk).delete()
            return c.post(f"{notices_url}post/", {"kind": "identification", "step": "announced", "on": str(on(18)),
                                                  "village": posting.village_id})
        return send

    for i, side in enumerate(("own", "other")):
        village = lambda w, i=i: (w.places.chengnan, w.places.chengguan)[i].code  # noqa: E731
        yield (f"workflows/notices cases {side}", "workflows/notices", "cases",
               ("A N A N A A D U A", "N A A N N N D U A")[i],
               get(lambda w, v=village: f"{notices_url}cases/?kind=identification&step=announced&village={v(w)}"),
               check_notice_cases)
        yield (f"workflows/notices retrieve {side}", "workflows/notices", "retrieve",
               ("A N A N A A D U A", "N A A N N N D U A")[i],
               get(lambda w, i=i: f"{notices_url}{w.records['workflows.noticeposting'][i].pk}/"), None)
        yield (f"workflows/notices post_list {side}", "workflows/notices", "post_list",
               ("A N D N D D D U A", "N A D N N N D U A")[i], post_again(side), check_posting)
    yield ("workflows/pending-exits list", "workflows/pending-exits", "list", EVERYONE,
           get(f"{API}workflows/pending-exits/"), check_pending_exits)
    yield ("audit/findings list", "audit/findings", "list", EVERYONE, get(f"{API}audit/findings/?page_size=500"),
           check_audit_findings)
    yield ("audit/findings counts", "audit/findings", "counts", EVERYONE, get(f"{API}audit/findings/counts/"),
           check_audit_counts)
    # Department lists: each reads the lists of the kinds it keeps (the reviewer every kind); the reviewer
    # uploads the registers of the departments without a role here; 卫计委 keeps no kind.
    lists = f"{API}department-lists/"
    yield "department-lists list", "department-lists", "list", EVERYONE, get(lists), check_department_lists
    yield ("department-lists retrieve", "department-lists", "retrieve", "N N A N N N D U A",
           get(lambda w: f"{lists}{w.records['departments.departmentlist'][0].pk}/"), None)
    yield ("department-lists create", "department-lists", "create", REVIEWER_WRITES,
           lambda w, c: c.post(lists, {"file": SimpleUploadedFile("名单.xlsx", list_of("payroll", [resident_id()])),
                                       "kind": "payroll", "list_date": "2018-06-30"}, format="multipart"), None)
    # Jobs: each follows their own (the 宁化 clerk's export of A), the reviewer and the admin all.
    yield "jobs list", "jobs", "list", EVERYONE, get(f"{API}jobs/"), check_jobs
    yield "jobs retrieve", "jobs", "retrieve", JOB_API, get(lambda w: f"{API}jobs/{w.job.pk}/"), None
    yield "jobs result", "jobs", "result", JOB_API, get(lambda w: f"{API}jobs/{w.job.pk}/result/"), None


# A project's unit of 宁化 (own) or 大田 (other) is read where its county's households are (a department
# reads only its own channel's projects: 卫计委 none); set up, changed and deleted by the county's clerk
# and a writing system client; a user who may set up none is refused every write (403) before the record
# is looked up. Every unit here has a record pointing to it: deleting it is a 409.
UNIT_OWN, UNIT_OTHER = "A N A N A A D U A", "N A A N N N D U A"
UNIT_WRITE_OWN, UNIT_WRITE_OTHER = "A N D D D A D U A", "N A D D D N D U A"
UNIT_DELETE_OWN, UNIT_DELETE_OTHER = "C N D D D C D U C", "N C D D D N D U C"
# A record of a person (A's or E's) is read with its household; written by whoever may record the measure
# of the project's channel for it. A unit or member the user cannot see is a 400 naming the field.
LINK_CREATE = "A B D B D A D U A"


def project_api_rows(get):
    """The five projects (issue 10): their units, chosen pilots, and the records of a person."""
    units = {
        "guarantee-funds": ("guaranteefund", lambda w: {"name": "新担保基金", "county": NINGHUA, "capital": "1000",
                                                         "partner_bank": "农商银行", "founded_year": 2016},
                            {"capital": "2000000"}),
        "workshops": ("workshop", lambda w: {"name": "新车间", "township": w.places.cuijiang.code, "enterprise": "企业",
                                             "founded_year": 2016}, {"enterprise": "新企业"}),
        "education-funds": ("educationfund", lambda w: {"name": "新助学基金", "county": NINGHUA, "founded_year": 2016},
                            {"donations": "100"}),
        "training-institutions": ("traininginstitution", lambda w: {"name": "新职校", "county": NINGHUA},
                                  {"agreement_signed_on": "2016-01-01"}),
        "training-courses": ("trainingcourse", lambda w: {
            "institution": w.records["projects.traininginstitution"][0].pk, "name": "新班", "year": 2017},
            {"name": "焊工培训"}),
        "pilots": ("pilot", lambda w: {"kind": "enterprise", "name": "宁化龙头企业", "county": NINGHUA,
                                       "link_type": "enterprise_household", "year": 2017, "households": [w.h["B"].pk]},
                   {"name": "改名"}),
    }
    for prefix, (model, body, change) in units.items():
        label, pilot = f"projects.{model}", prefix == "pilots"
        writes = (REVIEWER_WRITES, REVIEWER_WRITES) if pilot else (UNIT_WRITE_OWN, UNIT_WRITE_OTHER)
        deletes = writes if pilot else (UNIT_DELETE_OWN, UNIT_DELETE_OTHER)
        yield (f"{prefix} list", prefix, "list", EVERYONE, get(f"{API}{prefix}/?page_size=500"),
               check_pilots if pilot else check_units)
        yield (f"{prefix} create", prefix, "create", REVIEWER_WRITES if pilot else "A B D D D A D U A",
               lambda w, c, p=prefix, b=body: c.post(f"{API}{p}/", b(w)), check_project_history(model))
        for i, side in enumerate(("own", "other")):
            url = lambda w, p=prefix, i=i, l=label: f"{API}{p}/{w.records[l][i].pk}/"  # noqa: E731
            yield (f"{prefix} retrieve {side}", prefix, "retrieve", (UNIT_OWN, UNIT_OTHER)[i], get(url),
                   check_pilots if pilot else None)
            yield (f"{prefix} partial_update {side}", prefix, "partial_update", writes[i],
                   lambda w, c, u=url, d=change: c.patch(u(w), d), check_project_history(model))
            yield (f"{prefix} destroy {side}", prefix, "destroy", deletes[i], lambda w, c, u=url: c.delete(u(w)),
                   check_project_history(model))

    def loan(w):
        # A's second loan: a small-loan measure of its own, made in the same rolled-back request.
        measure = measure_save(actor=SYSTEM, measure=ReliefMeasure(household=w.h["A"], channel_id="financial_support", year=2016,
                                                     content="小额贷款", amount=Decimal("20000"), term_months=24))
        return {"fund": w.records["projects.guaranteefund"][0].pk, "measure": measure.pk, "issued_on": "2016-03-01"}

    def a_member(w, relation):
        return w.h["A"].members.filter(relation=relation).order_by("id").first().pk

    links = {
        "loans": ("guaranteedloan", loan, {"interest_subsidy": "900"}),
        "workshop-jobs": ("job", lambda w: {"workshop": w.records["projects.workshop"][0].pk,
                                            "member": a_member(w, "child"), "year": 2017}, {"monthly_wage": "1900"}),
        "public-posts": ("publicpost", lambda w: {"kind": "road_maintenance", "village": w.places.chengnan.code,
                                                  "member": a_member(w, "head"), "year": 2017}, {"monthly_pay": "500"}),
        "student-aids": ("studentaid", lambda w: {"fund": w.records["projects.educationfund"][0].pk,
                                                  "member": a_member(w, "grandchild"), "year": 2017, "amount": "300"},
                         {"amount": "400"}),
        "trainings": ("training", lambda w: {"course": w.records["projects.trainingcourse"][0].pk,
                                             "member": a_member(w, "child")}, {"certified": True}),
    }
    for prefix, (model, body, change) in links.items():
        label = f"projects.{model}"
        yield (f"{prefix} list", prefix, "list", EVERYONE, get(f"{API}{prefix}/?page_size=500"), check_project_records)
        yield (f"{prefix} create", prefix, "create", LINK_CREATE,
               lambda w, c, p=prefix, b=body: c.post(f"{API}{p}/", b(w)), check_project_history(model))
        for i, side in enumerate(("own", "other")):
            url = lambda w, p=prefix, i=i, l=label: f"{API}{p}/{w.records[l][i].pk}/"  # noqa: E731
            yield (f"{prefix} retrieve {side}", prefix, "retrieve", (API_OWN, API_OTHER)[i], get(url), None)
            yield (f"{prefix} partial_update {side}", prefix, "partial_update", (WRITE_OWN, WRITE_OTHER)[i],
                   lambda w, c, u=url, d=change: c.patch(u(w), d), check_project_history(model))
            yield (f"{prefix} destroy {side}", prefix, "destroy", (WRITE_OWN, WRITE_OTHER)[i],
                   lambda w, c, u=url: c.delete(u(w)), check_project_history(model))


def counties_of(numbers) -> set[str]:
    return {NINGHUA if n.startswith("NH") else DATIAN for n in numbers}


def check_cases(w, persona, response):
    results = response.json()["results"]
    # Both counties have cases: a user sees those of the counties they see, and their households only.
    assert {r["county"] for r in results} == counties_seen(persona) & {NINGHUA, DATIAN}
    assert {r["household_number"] for r in results} - {None} <= VISIBLE[persona]


def check_new_case(w, persona, response):
    case = response.json()
    assert case["county"] == NINGHUA and case["steps"][0]["by_name"] == w.users[persona].username


# The helpers' reports (issue 20) on the world's helpers (build_helpers): A and E each have a helper
# since HELPER_DAY, last visited in 2016 (both due for a visit); over-ceiling asked with a ceiling of 0,
# so that each helper with a household is above it and 王强 (none) is not; without-helper asked once
# E's helper has left (yesterday), so that E is the household without one.
HELPER_REPORTS = {"without-helper": "", "due-visits": "", "visits-by-unit": "", "over-ceiling": "?ceiling=0"}
HELPER_OF = {"李明": NINGHUA, "周芳": DATIAN}


def helper_report_rows(get):
    def left(url):
        def request(w, client):
            e = w.records["households.helperassignment"][1]
            assignment_end(actor=SYSTEM, assignment=e, ended_on=timezone.localdate() - datetime.timedelta(days=1),
                           reason="调离")
            return client.get(url)
        return request

    for report, query in HELPER_REPORTS.items():
        name = report.replace("-", "_")
        url = f"{API}helper-reports/{report}/"
        read = left if report == "without-helper" else get
        yield (f"helper-reports {name}", "helper-reports", name, EVERYONE, read(f"{url}{query}"),
               check_helper_report(report))
        yield (f"helper-reports {name}_export", "helper-reports", f"{name}_export", EVERYONE,
               read(f"{url}export/{query}"), check_helper_report(report))


def check_helper_report(report: str):
    """The report names what the persona sees (households, or the helpers of the counties it sees, or
    the counties of the visited households it sees), each helper's phone whole to whoever may see it
    (shown_phone), masked otherwise."""
    keys = {"over-ceiling": ("name", "姓名"), "visits-by-unit": ("county_name", "县(市、区)")}
    json_key, column = keys.get(report, ("number", "户编号"))

    def check(w, persona, response):
        if response["Content-Type"].startswith("application/json"):
            rows = [{column: r[json_key], "phone": r.get("helper_phone", r.get("phone"))}
                    for r in response.json()["results"]]
        else:
            sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
            header, *body = sheet.iter_rows(values_only=True)
            rows = [{**dict(zip(header, r)), "phone": dict(zip(header, r)).get("联系电话")} for r in body]
        named = {r[column] for r in rows}
        seen = VISIBLE[persona]
        expected = {
            "without-helper": seen & {"DTE-0003"},
            "due-visits": seen & {"NHA-0001", "DTE-0003"},
            "over-ceiling": {name for name, county in HELPER_OF.items() if county in counties_seen(persona)},
            "visits-by-unit": ({"宁化县"} if "NHA-0001" in seen else set()) | ({"大田县"} if "DTE-0003" in seen else set()),
        }[report]
        assert named == expected, named
        if report == "due-visits":
            for r in rows:
                assert r["phone"] == shown_phone(persona, NINGHUA if r[column].startswith("NH") else DATIAN), r
        if report == "over-ceiling":
            for r in rows:
                assert r["phone"] == shown_phone(persona, HELPER_OF[r[column]]), r

    return check


def check_in_tray(w, persona, response):
    results = response.json()["results"]
    assert {r["county"] for r in results} == counties_seen(persona) & {NINGHUA, DATIAN}
    assert sum(response.json()["counts"].values()) == len(results)


def check_postings(w, persona, response):
    assert {r["village"][:6] for r in response.json()["results"]} == counties_seen(persona) & {NINGHUA, DATIAN}


def check_notice_cases(w, persona, response):
    (case,) = response.json()
    assert case["state"] == "announced" and case["county"] in counties_seen(persona)


def check_posting(w, persona, response):
    posting = response.json()
    assert posting["posted_by_name"] == w.users[persona].username and len(posting["cases"]) == 1


def check_pending_exits(w, persona, response):
    assert {r["county"] for r in response.json()} == counties_seen(persona) & {NINGHUA, DATIAN}


# Every household of the world has a data-quality finding, by construction: A and F are 因病 with no
# ill member, B and F exited below the year's line, B, E and F each hold a member with the name and
# birth date of another household's. So whoever reads the findings reads one for each household they see.
FLAGGED = set(HOUSEHOLDS)


JOB_API = "A N A N N N D U A"


def check_jobs(w, persona, response):
    ids = {j["id"] for j in response.json()["results"]}
    assert ids == ({str(w.job.pk)} if persona in ("clerk", "reviewer", "admin") else set())


def check_audit_findings(w, persona, response):
    numbers = {f["household_number"] for f in response.json()["results"]}
    assert numbers == VISIBLE[persona] & FLAGGED


def check_department_lists(w, persona, response):
    kinds = [d["kind"] for d in response.json()["results"]]
    assert kinds == (["dibao"] if persona in ("reviewer", "admin") else [])


def check_audit_counts(w, persona, response):
    assert {c["county"] for c in response.json()} == counties_of(VISIBLE[persona] & FLAGGED)


def check_closes(w, persona, response):
    assert {c["county"] for c in response.json()} == counties_seen(persona)


def check_explanations(w, persona, response):
    assert {e["county"] for e in response.json()["results"]} == counties_seen(persona) & {NINGHUA, DATIAN}


def check_households(w, persona, response):
    results = response.json()["results"]
    assert {r["number"] for r in results} == VISIBLE[persona]


def check_members_on(day: str):
    def check(w, persona, response):
        # A's newcomer moved in on 2016-04-01: not there the day before.
        names = {m["name"] for m in response.json()["members"]}
        assert names and "迁入A" not in names, day

    return check


def check_changes(w, persona, response):
    households = {w.number_of_pk[r["household"]] for r in response.json()["results"]}
    assert households == VISIBLE[persona] & {"NHA-0001", "DTE-0003"}


def check_records(label):
    def check(w, persona, response):
        households = {w.number_of_pk[r["household"]] for r in response.json()["results"]}
        assert households == VISIBLE[persona] & WITH_RECORDS[label]

    return check


def check_export(w, persona, response):
    assert sheet_numbers(response) == VISIBLE[persona]


def check_import(w, persona, response):
    report = response.json()
    # All or nothing: a refused row writes nothing.
    assert Household.objects.filter(number__startswith="IMP-").exists() == (report["written"] is True)
    assert report["written"] == (response.status_code == 200)


def check_history(model: str):
    """Every write is kept with its user (issue 5, audit): the newest history entry of the model is
    the persona's."""
    app = "plans" if model == "villageincome" else "households"

    def check(w, persona, response):
        history = apps.get_model(app, model).history.order_by("-history_id").first()
        assert history.history_user == w.users[persona], (model, history.history_user)

    return check


def check_progress(w, persona, response):
    if response["Content-Type"].startswith("application/json"):
        counties = {r["county"] for r in response.json()}
    else:
        rows = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True)
        next(rows)
        counties = {r[0] for r in rows}
    assert counties == counties_seen(persona)


def check_findings(w, persona, response):
    if response["Content-Type"].startswith("application/json"):
        names = {f["name"] for f in response.json()}
    else:
        rows = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True)
        next(rows)
        names = {r[0] for r in rows}
    assert bool(names & w.records_findings) == (persona in ("reviewer", "admin"))
    assert names - w.records_findings  # the plan against itself: for every account


def check_incomes(w, persona, response):
    villages = {r["village"][:6] for r in response.json()["results"]}
    assert villages == counties_seen(persona) & {NINGHUA, DATIAN}


def rows_of(response) -> list[dict]:
    data = response.json()
    return data["results"] if "results" in data else [data]


def check_units(w, persona, response):
    # Both counties have one of each unit: a user reads those of the counties whose households they see.
    assert {r["county"] for r in rows_of(response)} == counties_seen(persona) & {NINGHUA, DATIAN}


def check_pilots(w, persona, response):
    """A pilot lists the households it brings along that the reader sees, and counts them all: 大田's
    brings along A (宁化) and E."""
    pilots = rows_of(response)
    if "results" in response.json():
        assert {r["county"] for r in pilots} == counties_seen(persona) & {NINGHUA, DATIAN}
    for pilot in pilots:
        numbers = {h["number"] for h in pilot["households"]}
        assert numbers <= VISIBLE[persona], numbers
        assert pilot["household_count"] == (2 if pilot["county"] == DATIAN else 0)


def check_project_records(w, persona, response):
    # Every record of a person is of A (宁化) or E (大田).
    numbers = {r["household_number"] for r in response.json()["results"]}
    assert numbers == VISIBLE[persona] & {"NHA-0001", "DTE-0003"}


def check_project_history(model: str):
    """Every write is kept with its user: the newest history entry of the model is the persona's."""

    def check(w, persona, response):
        history = apps.get_model("projects", model).history.order_by("-history_id").first()
        assert history.history_user == w.users[persona], (model, history.history_user)

    return check



# ---------------------------------------------------------------- helpers (帮扶责任人, issue 20)

HELPER_PHONE = {NINGHUA: "13812345678", DATIAN: "13987654321"}
# Whose eyes see a helper's phone whole: superusers, the city reviewer, the clerks and system clients of
# the household's (here also the helper's) county; everyone else 138****5678.
PHONE_WHOLE = {NINGHUA: {"clerk", "reviewer", "sys", "sys_w", "admin"}, DATIAN: {"other", "reviewer", "admin"}}
HELPER_DAY = datetime.date(2016, 1, 4)


def build_helpers(w) -> None:
    """In each county, through households/services/helpers.py: a helper of the county, helping A (E)
    since HELPER_DAY, with a visit; 宁化 has a second helper with no household yet."""
    w.helper_phones = {HELPER_PHONE[c]: c for c in (NINGHUA, DATIAN)}
    helpers, assignments, visits = [], [], []
    for county, key, name in ((NINGHUA, "A", "李明"), (DATIAN, "E", "周芳")):
        helper = helper_create(actor=SYSTEM, county=county, name=name, unit="县农业局",
                                        phone=HELPER_PHONE[county])
        assignment = assignment_start(actor=SYSTEM, household=w.h[key], helper=helper, started_on=HELPER_DAY)
        visits.append(visit_record(actor=SYSTEM, assignment=assignment, visited_on=datetime.date(2016, 3, 1),
                                            kind="home", found=f"{name}走访"))
        helpers.append(helper)
        assignments.append(assignment)
    w.spare_helper = helper_create(actor=SYSTEM, county=NINGHUA, name="王强", unit="县水利局")
    w.records["households.helper"] = tuple(helpers)
    w.records["households.helperassignment"] = tuple(assignments)
    w.records["households.helpervisit"] = tuple(visits)


def helper_names_seen(persona: str) -> set[str]:
    """The helpers a persona lists: those of its counties and of the households it sees."""
    names = set()
    if persona in ("clerk", "sys", "sys_w") or persona in ("reviewer", "admin"):
        names |= {"李明", "王强"}
    if persona in ("other", "reviewer", "admin"):
        names.add("周芳")
    if persona == "dept":  # A's helper: 卫计委 serves A
        names.add("李明")
    return names


def shown_phone(persona: str, county: str) -> str:
    phone = HELPER_PHONE[county]
    return phone if persona in PHONE_WHOLE[county] else f"{phone[:3]}****{phone[-4:]}"


def check_helpers(w, persona, response):
    rows = rows_of(response)
    listed = {r["name"]: r["phone"] for r in rows}
    if "results" in response.json():
        assert set(listed) == helper_names_seen(persona)
    for name, county in (("李明", NINGHUA), ("周芳", DATIAN)):
        if name in listed:
            assert listed[name] == shown_phone(persona, county), (name, listed[name])


def check_assignments(w, persona, response):
    rows = rows_of(response)
    if "results" in response.json():
        assert {r["household_number"] for r in rows} == VISIBLE[persona] & {"NHA-0001", "DTE-0003"}
    for r in rows:
        assert r["helper_phone"] == shown_phone(persona, r["county"])


def check_visits(w, persona, response):
    rows = rows_of(response)
    if "results" in response.json():
        assert {r["household_number"] for r in rows} == VISIBLE[persona] & {"NHA-0001", "DTE-0003"}


def check_assignment_export(w, persona, response):
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("户编号", "帮扶责任人", "帮扶单位", "联系电话")
    got = {r[0]: r[3] for r in rows[1:]}
    expected = {n: shown_phone(persona, NINGHUA if n.startswith("NH") else DATIAN)
                for n in VISIBLE[persona] & {"NHA-0001", "DTE-0003"}}
    assert got == expected
    log = ExportLog.objects.filter(kind="helper_assignments").order_by("-at").first()
    assert log.user == w.users[persona] and log.rows == len(expected)


def check_helper_import(w, persona, response):
    report = response.json()
    wang_assigned = HelperAssignment.objects.filter(helper=w.spare_helper).exists()
    assert wang_assigned == (report["written"] is True) == (response.status_code == 200)


# An import's report names the rows the caller sent: the household number of its own file is no leak.
ECHOED = {"helper-assignments import_workbook": dict.fromkeys(PERSONAS, {"NHA-0001"})}


def helper_rows(get):
    """/api/v1/helpers/, /api/v1/helper-assignments/ (and its workbook), /api/v1/helper-visits/: read with the
    households they concern (a helper: of the reader's counties, or helping a household it sees), written by
    the household's (the helper's) county; the phone whole or masked in every answer (check_*, leaks)."""
    helpers, assignments, visits = f"{API}helpers/", f"{API}helper-assignments/", f"{API}helper-visits/"
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    yield "helpers list", "helpers", "list", EVERYONE, get(helpers), check_helpers
    # A 宁化 helper: its clerk (and a writing system, a superuser); whoever else is refused naming the county.
    yield ("helpers create", "helpers", "create", "A B D D D A D U A",
           lambda w, c: c.post(helpers, {"county": NINGHUA, "name": "赵六", "unit": "县林业局"}), check_history("helper"))
    for i, side in enumerate(("own", "other")):
        url = lambda w, i=i, base=helpers: f"{base}{w.records['households.helper'][i].pk}/"  # noqa: E731
        yield f"helpers retrieve {side}", "helpers", "retrieve", (API_OWN, API_OTHER)[i], get(url), check_helpers
        yield (f"helpers partial_update {side}", "helpers", "partial_update", (WRITE_OWN, WRITE_OTHER)[i],
               lambda w, c, u=url: c.patch(u(w), {"post": "股长"}), check_history("helper"))
    yield ("helper-assignments list", "helper-assignments", "list", EVERYONE, get(f"{assignments}?page_size=500"),
           check_assignments)
    yield ("helper-assignments create", "helper-assignments", "create", "A B D D D A D U A",
           lambda w, c: c.post(assignments, {"household": w.h["A"].pk, "helper": w.spare_helper.pk,
                                             "started_on": yesterday, "reason": "工作调动"}),
           check_history("helperassignment"))
    for i, side in enumerate(("own", "other")):
        url = lambda w, i=i, base=assignments: f"{base}{w.records['households.helperassignment'][i].pk}/"  # noqa: E731
        yield (f"helper-assignments retrieve {side}", "helper-assignments", "retrieve", (API_OWN, API_OTHER)[i],
               get(url), check_assignments)
        yield (f"helper-assignments partial_update {side}", "helper-assignments", "partial_update",
               (WRITE_OWN, WRITE_OTHER)[i], lambda w, c, u=url: c.patch(u(w), {"reason": "更正"}),
               check_history("helperassignment"))
        yield (f"helper-assignments end {side}", "helper-assignments", "end", (WRITE_OWN, WRITE_OTHER)[i],
               lambda w, c, u=url: c.post(f"{u(w)}end/", {"ended_on": yesterday, "reason": "退休"}),
               check_history("helperassignment"))
    yield ("helper-assignments template", "helper-assignments", "template", EVERYONE,
           get(f"{assignments}template/"), None)
    yield ("helper-assignments export", "helper-assignments", "export", EVERYONE, get(f"{assignments}export/"),
           check_assignment_export)

    def import_a(w, c):
        content = io.BytesIO()
        book = Workbook()
        book.active.append(["户编号", "帮扶责任人", "帮扶单位", "联系电话", "起始日期"])
        book.active.append(["NHA-0001", "王强", "县水利局", "", None])
        book.save(content)
        upload = SimpleUploadedFile("帮扶关系表.xlsx", content.getvalue())
        return c.post(f"{assignments}import/", {"file": upload}, format="multipart")

    yield ("helper-assignments import_workbook", "helper-assignments", "import_workbook", "A X D D D A D U A",
           import_a, check_helper_import)
    yield "helper-visits list", "helper-visits", "list", EVERYONE, get(visits), check_visits
    yield ("helper-visits create", "helper-visits", "create", "A B D D D A D U A",
           lambda w, c: c.post(visits, {"assignment": w.records["households.helperassignment"][0].pk,
                                        "visited_on": yesterday, "kind": "phone", "found": "电话回访"}),
           check_history("helpervisit"))
    for i, side in enumerate(("own", "other")):
        url = lambda w, i=i, base=visits: f"{base}{w.records['households.helpervisit'][i].pk}/"  # noqa: E731
        yield (f"helper-visits retrieve {side}", "helper-visits", "retrieve", (API_OWN, API_OTHER)[i], get(url),
               check_visits)
        yield (f"helper-visits partial_update {side}", "helper-visits", "partial_update", (WRITE_OWN, WRITE_OTHER)[i],
               lambda w, c, u=url: c.patch(u(w), {"done": "已落实"}), check_history("helpervisit"))
        yield (f"helper-visits destroy {side}", "helper-visits", "destroy", (WRITE_OWN, WRITE_OTHER)[i],
               lambda w, c, u=url: c.delete(u(w)), check_history("helpervisit"))


RISK_HOUSEHOLDS = {"NHB-0002", "DTF-0004"}


def check_risks(w, persona, response):
    rows = rows_of(response)
    numbers = {r["household_number"] if "household_number" in r else w.number_of_pk[
        ReturnRisk.objects.get(pk=r["risk"]).household_id] for r in rows}
    if "results" in response.json():
        assert numbers == VISIBLE[persona] & RISK_HOUSEHOLDS
    else:
        assert numbers <= VISIBLE[persona]


def risk_rows(get):
    """/api/v1/return-risks/ and /api/v1/return-risk-follow-ups/: read with the households they concern; a run
    of the rules by the bureau (the city) or a county's clerk (the county); a follow-up by the household's clerk,
    refused naming `risk` to a clerk of another county."""
    risks, follow_ups = f"{API}return-risks/", f"{API}return-risk-follow-ups/"
    own, other = "A N A N A A D U A", "N A A A N N D U A"  # B: 宁化; F: 大田, served by 卫计委
    for prefix, base, label in (("return-risks", risks, "workflows.returnrisk"),
                                ("return-risk-follow-ups", follow_ups, "workflows.riskfollowup")):
        yield f"{prefix} list", prefix, "list", EVERYONE, get(base), check_risks
        for i, side in enumerate(("own", "other")):
            yield (f"{prefix} retrieve {side}", prefix, "retrieve", (own, other)[i],
                   get(lambda w, i=i, b=base, l=label: f"{b}{w.records[l][i].pk}/"), check_risks)
    yield ("return-risks refresh", "return-risks", "refresh", "B B 202 B B B D U 202",
           lambda w, c: c.post(f"{risks}refresh/", {}, format="json"), None)
    yield ("return-risks refresh own county", "return-risks", "refresh", "202 B 202 B B 202 D U 202",
           lambda w, c: c.post(f"{risks}refresh/", {"county": NINGHUA}, format="json"), None)
    yield ("return-risk-follow-ups create", "return-risk-follow-ups", "create", "A B D D D A D U A",
           lambda w, c: c.post(follow_ups, {"risk": w.records["workflows.returnrisk"][0].pk, "kind": "no_risk",
                                            "note": "已外出务工"}, format="json"), None)


API_ROWS = list(api_rows())
def check_admin_transfers(w, persona, response):
    assert {t.household.number for t in response.context["cl"].result_list} == TRANSFER_SEEN[persona]


ADMIN_CHECKS = {
    ("households.transfer", "changelist"): check_admin_transfers,
    ("households.household", "export"): check_export,
    ("households.member", "autocomplete"): check_offered(set(HOUSEHOLDS)),
    ("households.reliefmeasure", "autocomplete"): check_offered({"NHA-0001", "DTE-0003"}),  # the jobs' measures
    ("plans.annexrow", "progress"): check_progress,
    ("plans.annexrow", "consistency"): check_findings,
}


def test_every_api_endpoint_has_a_row():
    """A route newly registered on the router, or a new action of a viewset, fails here until it has its row."""
    endpoints = set()
    for prefix, viewset, _basename in router.registry:
        allowed = set(viewset.http_method_names)
        for route in router.get_routes(viewset):
            for method, action in route.mapping.items():
                if method in allowed and hasattr(viewset, action):
                    endpoints.add((prefix, action))
    walked = {(prefix, action) for _id, prefix, action, *_ in API_ROWS if prefix}
    assert walked == endpoints, walked ^ endpoints


@pytest.mark.parametrize("row", API_ROWS, ids=[r[0] for r in API_ROWS])
def test_api_endpoints(world, row):
    _id, prefix, _action, letters, request, check = row
    also = TRANSFER_SEEN if prefix == "transfers" else ECHOED.get(_id)
    assert walk(world, expect(letters), lambda client: request(world, client), check, also=also) == []


# ---------------------------------------------------------------- the dashboards

#                          clerk other reviewer dept sys sys_w nobody anon admin
CITY_PAGES = "A A A A L L D L A"  # a token opens no page; a role is needed
OWN_PLACE, OTHER_PLACE = "A N A N L L D L A", "N A A N L L D L A"


def dashboard_rows():
    own, other = (NINGHUA, "350424101", "350424101201"), (DATIAN, "350425101", "350425101201")
    yield "overview", reverse("dashboard:overview"), CITY_PAGES
    yield "breakdowns", reverse("dashboard:breakdowns"), CITY_PAGES
    yield "villages", reverse("dashboard:villages"), CITY_PAGES
    for side, codes, letters in (("own", own, OWN_PLACE), ("other", other, OTHER_PLACE)):
        for level, code in zip(("county", "township", "village"), codes):
            yield f"{level} {side}", reverse(f"dashboard:{level}", args=[code]), letters
    yield "household own", "A", "A N A A L L D L A"
    yield "household other", "E", "N A A N L L D L A"
    yield "household other served by the department", "F", "N A A A L L D L A"
    # The five projects (五项工程): the projects of the counties each project's scope gives
    # (access.project_counties_visible_to); 卫计委 runs none of them, so it has no county to choose.
    # Every ledger export is walked: 大田's enterprise brings along A, and no 大田 reader may learn of A.
    url = reverse("dashboard:projects")
    yield "projects", url, CITY_PAGES
    yield "projects own", f"{url}?county={NINGHUA}", "A B A B L L D L A"
    yield "projects other", f"{url}?county={DATIAN}&year=2016", "B A A B L L D L A"
    # The workflows' pages (workflows/urls.py, under /dashboard/): the whole scope, or one county of it;
    # a county the user does not see is not a choice of the filter (400).
    for name in ("in_tray", "audit"):
        url = reverse(f"dashboard:{name}")
        yield name, url, CITY_PAGES
        yield f"{name} own", f"{url}?county={NINGHUA}", "A B A B L L D L A"
        yield f"{name} other", f"{url}?county={DATIAN}", "B A A B L L D L A"
    # The helpers' reports (issue 20): the whole scope, or one county of it.
    url = reverse("dashboard:helpers")
    yield "helpers", url, CITY_PAGES
    yield "helpers own", f"{url}?county={NINGHUA}", "A B A B L L D L A"
    yield "helpers other", f"{url}?county={DATIAN}", "B A A B L L D L A"
    # The warnings of a return (docs/return-risks.md): the whole scope, or one county of it.
    url = reverse("dashboard:return_risks")
    yield "return_risks", url, CITY_PAGES
    yield "return_risks own", f"{url}?county={NINGHUA}", "A B A B L L D L A"
    yield "return_risks other", f"{url}?county={DATIAN}&state=", "B A A B L L D L A"
    # The year-end close: every county-year the user sees, and one county-year's page (a county the user
    # does not see is not found).
    yield "closes", reverse("dashboard:closes"), CITY_PAGES
    yield "closes own", f"{reverse('dashboard:closes')}?county={NINGHUA}", "A B A B L L D L A"
    yield "close own", reverse("dashboard:close", args=[f"{NINGHUA}-2015"]), OWN_PLACE
    yield "close other", reverse("dashboard:close", args=[f"{DATIAN}-2015"]), OTHER_PLACE


DASHBOARD_ROWS = list(dashboard_rows())


def test_every_dashboard_page_has_a_row():
    names = {p.name for p in dashboard_urls.urlpatterns}
    walked = {row.split()[0] for row, _url, _letters in DASHBOARD_ROWS}
    assert names == walked


@pytest.mark.parametrize("row, url, letters", DASHBOARD_ROWS, ids=[r[0] for r in DASHBOARD_ROWS])
def test_dashboard_pages_and_their_exports(world, row, url, letters):
    """The page, then `?export=` of every table any persona's copy of the page offers: allowed where the
    page is and it shows that table, with the same scoping as the page."""
    if len(url) == 1:
        url = reverse("dashboard:household", args=[world.h[url].pk])
    expected = expect(letters)
    pages = {}
    problems = walk(world, expected, lambda client: client.get(url), seen=pages)
    offered = {persona: set(page.context["tables"]) for persona, page in pages.items()}
    every_table = set().union(*offered.values())
    assert every_table, row
    for table in sorted(every_table):
        shown = {p: ("A" if table in offered.get(p, ()) else "N") if e == "A" else e for p, e in expected.items()}
        path, _, query = url.partition("?")
        data = {**dict(parse_qsl(query)), "export": table}  # the page's filters kept
        problems += [f"?export={table} {p}" for p in walk(world, shown, lambda c: c.get(path, data))]
    assert problems == []


def test_dashboard_progress_and_findings_are_scoped(world):
    for persona in ("clerk", "other", "reviewer", "dept", "admin"):
        page = world.clients[persona].get(reverse("dashboard:overview"))
        assert {r.county for r in page.context["progress"].years} == counties_seen(persona), persona
        # The records' checks name households of every county: on the data-quality page, for the city.
        audit = world.clients[persona].get(reverse("dashboard:audit"))
        assert ("records" in audit.context["tables"]) == (persona in ("reviewer", "admin")), persona


# 重新核算 on /dashboard/return-risks/ (a POST): persona → (query, answer, warnings after). The bureau runs the
# rules for the city, a clerk for their county (not for the city: refused, with a message); a county the user
# does not see is no choice of the filter (400); a token opens no page.
RERUN = {"clerk": (f"?county={NINGHUA}", "R", 1), "other": (f"?county={NINGHUA}", "B", 0), "reviewer": ("", "R", 2),
         "dept": ("", "R", 0), "sys": ("", "L", 0), "sys_w": (f"?county={NINGHUA}", "L", 0), "nobody": ("", "D", 0),
         "anon": ("", "L", 0), "admin": ("", "R", 2)}


@pytest.mark.parametrize("city", [False, True], ids=["as asked", "the city"])
def test_return_risks_rerun_as_each_role(world, city):
    problems = []
    for persona, (query, letter, after) in RERUN.items():
        if city and persona == "clerk":
            query, after = "", 0
        with rolled_back():
            ReturnRisk.objects.all().delete()
            got = outcome(world.clients[persona].post(reverse("dashboard:return_risks") + query))
            warnings = ReturnRisk.objects.count()
        if (got, warnings) != (letter, after):
            problems.append(f"{persona}: expected {letter} and {after} warnings, got {got} and {warnings}")
    assert problems == []


# ---------------------------------------------------------------- imports and exports


def test_admin_import_matrix(world):
    """Upload (a dry run, as a job: the preview), then confirm (the import, as a job). Each persona
    confirms a preview made by the 宁化 clerk: a preview is its user's (the reviewer's and the
    admin's to see), and the confirmation is checked again against the one who sends it."""
    own = workbook.households_workbook([import_row("ADM-0001", "350424101201")])
    other = workbook.households_workbook([import_row("ADM-0002", "350425101201", prefix=DATIAN)])
    url, confirm_url = reverse("admin:households_household_import"), reverse("admin:households_household_process_import")

    def preview(client, data):
        return form_post(client, url, {"format": 0, "import_file": SimpleUploadedFile("a.xlsx", data)})

    def job_of(response) -> BackgroundJob:
        return BackgroundJob.objects.get(pk=response.url.split("/")[-3])

    #                                 clerk other reviewer dept sys sys_w nobody anon admin
    expected_preview = expect("R R D D L L D L R")  # R: to the preview's job page
    expected_confirm = expect("R R D D L L D L R")  # R: to the import's job page, or back to the upload
    written = {"clerk": True, "admin": True}
    for persona in PERSONAS:
        client = world.clients[persona]
        with rolled_back():
            response = preview(client, own)
            assert outcome(response) == expected_preview[persona], persona
            if outcome(response) == "R":
                job = job_of(response)
                refused = bool(job.outcome["problem_count"])
                assert refused == (persona == "other"), persona
                if refused:
                    assert "只能导入本人负责的县(市、区)的贫困户" in str(job.outcome["problems"])
            assert not Household.objects.filter(number="ADM-0001").exists()  # a preview writes nothing
        with rolled_back():
            made = job_of(preview(world.clients["clerk"], own))
            response = form_post(client, confirm_url, {"job": made.pk})
            assert outcome(response) == expected_confirm[persona], persona
            assert Household.objects.filter(number="ADM-0001").exists() == written.get(persona, False), persona
            if written.get(persona):
                assert Household.history.get(number="ADM-0001").history_user == world.users[persona]
    # The 宁化 clerk's own upload of a 大田 row: refused, and nothing to confirm.
    with rolled_back():
        job = job_of(preview(world.clients["clerk"], other))
        assert "只能导入本人负责的县(市、区)的贫困户" in str(job.outcome["problems"])
        response = form_post(world.clients["clerk"], confirm_url, {"job": job.pk})
        assert response.url == url
        assert not Household.objects.filter(number="ADM-0002").exists()


def test_import_command_matrix(world, tmp_path):
    own, other = tmp_path / "own.xlsx", tmp_path / "other.xlsx"
    own.write_bytes(workbook.households_workbook([import_row("CMD-0001", "350424101201")]))
    other.write_bytes(workbook.households_workbook([import_row("CMD-0002", "350425101201", prefix=DATIAN)]))
    # "anon" is the command run without --user: the system, the whole city.
    #                          clerk other reviewer dept sys sys_w nobody anon admin
    expected = {own: expect("A E E E E A E A A"), other: expect("E A E E E E E A A")}
    for path, rows in expected.items():
        number = "CMD-0001" if path == own else "CMD-0002"
        for persona in PERSONAS:
            user = world.users[persona]
            with rolled_back():
                try:
                    call_command("import_households", str(path), *(["--user", user.username] if user else []),
                                 verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
                    got = "A"
                except CommandError:
                    got = "E"
                assert got == rows[persona], (path.name, persona)
                found = Household.objects.filter(number=number).first()
                assert (found is not None) == (got == "A"), (path.name, persona)
                if found is not None:
                    assert Household.history.get(number=number).history_user == user


def test_export_command_matrix(world, tmp_path):
    """--user U exports what U may see, masked as U sees it; --county narrows it, never widens it."""
    out = tmp_path / "out.xlsx"
    for persona in PERSONAS:
        user = world.users[persona]
        for counties, prefixes in (([], ("NH", "DT")), ([DATIAN], ("DT",)), ([NINGHUA, DATIAN], ("NH", "DT"))):
            with rolled_back():
                args = [*(["--user", user.username] if user else []), *(a for c in counties for a in ("--county", c))]
                call_command("export_households", str(out), *args, verbosity=0)
                response = SimpleNamespace(content=out.read_bytes(), streaming=False)
                seen = VISIBLE[persona] if user else set(HOUSEHOLDS)  # no --user: the system
                assert sheet_numbers(response) == {n for n in seen if n.startswith(prefixes)}, (persona, counties)
                text = text_of(response)
                assert any(i in text for i in world.ids) == (persona in ("admin", "anon")) or not seen, persona
                log = ExportLog.objects.get(door="command")
                assert (log.user, log.door) == (user, "command")



# ---------------------------------------------------------------- department lists and their findings


def list_findings(client) -> set[tuple[str, str]]:
    return {(f["check"], f["household_number"]) for f in client.get(f"{API}audit/findings/?page_size=500").json()[
        "results"] if f["check"].startswith("list_")}


def test_list_findings_as_each_role(world):
    """The 低保 list's findings: the clerks read those of their county, the reviewer and the admin both,
    卫计委 none (not its list, though it serves A); 市民政局 reads its lists and the findings of its kinds
    over the households it serves, 市残联 neither."""
    both = {("list_dibao_not_marked", "NHA-0001"), ("list_dibao_not_marked", "DTE-0003")}
    seen = {persona: list_findings(world.clients[persona]) for persona in ("clerk", "other", "reviewer", "dept",
                                                                           "sys", "admin")}
    assert seen == {"clerk": {("list_dibao_not_marked", "NHA-0001")}, "other": {("list_dibao_not_marked", "DTE-0003")},
                    "reviewer": both, "dept": set(), "sys": {("list_dibao_not_marked", "NHA-0001")}, "admin": both}
    with rolled_back():
        minzheng = role_grant(actor=SYSTEM, username="minzheng", role="channel_department", channels=["minimum_living"])
        canlian = role_grant(actor=SYSTEM, username="canlian", role="channel_department", channels=["disability_aid"])
        # A 低保 household of 宁化 whose member draws 低保 and is not on the list: 民政 serves it.
        household(village=world.places.chengnan, number="NHD-0009", category="dibao", main_cause_id="lack_labor",
                  members=[member(name="低保户主", draws_dibao=True, id_number=resident_id(prefix=NINGHUA))])
        assert list_findings(api_as(minzheng)) == {("list_dibao_not_listed", "NHD-0009")}
        assert list_findings(api_as(canlian)) == set()
        assert [d["kind"] for d in api_as(minzheng).get(f"{API}department-lists/").json()["results"]] == ["dibao"]
        assert api_as(canlian).get(f"{API}department-lists/").json()["results"] == []
        checks = {c for c, _n in api_as(minzheng).get(f"{API}audit/findings/counts/").json()[0]["checks"].items()}
        assert checks == {"list_dibao_not_listed"}
