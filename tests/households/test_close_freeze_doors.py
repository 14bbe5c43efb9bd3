"""Every door that writes what an accepted county-year counts shows the services' one refusal
cleanly (issue 19, Done when 1): the admin as a message (never a 500), the API as a 400 naming the
field (403 where the refusal names none), the workflows' final step, the registry, 动态调整 and income
workbooks as a refused row and column. Nothing is written; 大田县's 2016 (open) is not affected."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, Household, HouseholdIncome, MemberChange, ReliefMeasure, Transfer
from households.workbook import records
from tests.conftest import DATIAN, NINGHUA, api_as, exit_in, people
from tests.factories import household, resident_id
from tests.households.test_admin import household_post, member_row
from tests.households.test_close_freeze import FROZEN, accept
from tests.households.test_workbook import reasons, row, run, xlsx
from tests.workflows.steps import day, take, walk
from workflows import services as workflows
from workflows.models import State

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.fixture
def frozen(db):
    return accept(NINGHUA, 2016)


@pytest.fixture
def two(village):
    return household(village=village, number="NH-FZ", members=people(2))


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown(response) -> str:
    """The messages the admin shows after a redirect."""
    return "；".join(str(m) for m in response.context["messages"])


# ---------------------------------------------------------------- the admin (a superuser: frozen too)


def test_the_admin_shows_the_refusal_of_an_exit_and_saves_nothing(frozen, two, admin_client):
    response = admin_client.post(reverse("admin:households_exitrecord_add"), {
        "household": two.pk, "year": "2016", "income_per_capita": "4100"}, follow=True)
    assert response.status_code == 200 and FROZEN in shown(response)
    assert not ExitRecord.objects.exists()


def test_the_admin_shows_the_refusal_of_taking_back_a_frozen_exit(two, admin_client):
    record = exit_in(two, 2016)
    accept(NINGHUA, 2016)
    response = admin_client.post(reverse("admin:households_exitrecord_delete", args=[record.pk]), {"post": "yes"},
                                 follow=True)
    assert response.status_code == 200 and FROZEN in shown(response)
    assert ExitRecord.objects.filter(pk=record.pk).exists()


def test_the_admin_shows_the_refusal_of_a_household_identified_in_the_frozen_year(frozen, village, admin_client):
    response = admin_client.post(reverse("admin:households_household_add"),
                                 household_post(village, [member_row()], identified_year="2016"), follow=True)
    assert response.status_code == 200 and FROZEN in shown(response)
    assert not Household.objects.exists()


def test_the_admin_shows_the_refusal_of_a_member_change_dated_in_the_frozen_year(frozen, two, ninghua_clerk):
    response = logged_in(ninghua_clerk).post(reverse("admin:households_household_member_change", args=[two.pk]), {
        "kind": "birth", "date": "2016-05-06", "person_name": "王婴",
        "person_id_number": resident_id(birth=datetime.date(2016, 5, 6)), "person_relation": "grandchild",
        "person_labor": "none"})
    assert response.status_code == 200 and FROZEN in response.content.decode()
    assert not MemberChange.objects.exists() and two.members.count() == 2


def test_the_admin_shows_the_refusal_of_a_frozen_years_income_and_measure(frozen, two, ninghua_clerk):
    from tests.households.test_incomes_admin import income_row, post

    client = logged_in(ninghua_clerk)
    response = post(client, two, [income_row(year="2016", total="6000")])
    assert response.status_code == 302
    assert FROZEN in shown(client.get(response.url)) and not HouseholdIncome.objects.filter(year=2016).exists()
    response = client.post(reverse("admin:households_reliefmeasure_add"), {
        "household": two.pk, "channel": "financial_support", "year": "2016", "content": "贴息",
        "amount": "0"}, follow=True)
    assert FROZEN in shown(response) and not ReliefMeasure.objects.exists()


# ---------------------------------------------------------------- the API


def test_the_api_refuses_each_write_into_the_frozen_year_naming_the_field(frozen, two, ninghua_clerk):
    client = api_as(ninghua_clerk)
    head = two.members.get(relation="head")
    answers = {
        "exits": client.post(f"{API}exits/", {"household": two.pk, "year": 2016, "income_per_capita": "4100"},
                             format="json"),
        "measures": client.post(f"{API}measures/", {"household": two.pk, "channel": "financial_support", "year": 2016,
                                                    "content": "贴息"}, format="json"),
        "incomes": client.post(f"{API}incomes/", {"household": two.pk, "year": 2016, "total": "6000"}, format="json"),
        "member-changes": client.post(f"{API}member-changes/", {
            "household": two.pk, "kind": "move_out", "date": "2016-05-01", "member": head.pk, "destination": "福州",
            "new_head": two.members.get(relation="child").pk}, format="json"),
    }
    fields = {"exits": "year", "measures": "year", "incomes": "year", "member-changes": "date"}
    for name, answer in answers.items():
        assert (name, answer.status_code, answer.json()) == (name, 400, {fields[name]: [FROZEN]})
    body = {"number": "NH-API", "village": two.village_id, "category": "ordinary", "main_cause": "illness",
            "identified_year": 2016, "income_per_capita": "2300",
            "members": [{"name": "张大山", "id_number": resident_id(birth=datetime.date(1956, 3, 12)),
                         "relation": "head", "labor": "weak"}]}
    answer = client.post(f"{API}households/", body, format="json")
    assert (answer.status_code, answer.json()) == (400, {"identified_year": [FROZEN]})
    assert (ExitRecord.objects.count(), ReliefMeasure.objects.count(), MemberChange.objects.count()) == (0, 0, 0)
    assert not HouseholdIncome.objects.filter(year=2016).exists() and Household.objects.count() == 1


def test_the_api_refuses_taking_back_a_frozen_exit_and_leaves_an_open_county_alone(two, datian_village,
                                                                                   ninghua_clerk, datian_clerk):
    record = exit_in(two, 2016)
    accept(NINGHUA, 2016)
    answer = api_as(ninghua_clerk).delete(f"{API}exits/{record.pk}/")
    assert (answer.status_code, answer.json()) == (400, {"year": [FROZEN]})
    other = household(village=datian_village, members=people(1, prefix=DATIAN))
    answer = api_as(datian_clerk).post(f"{API}exits/", {"household": other.pk, "year": 2016,
                                                         "income_per_capita": "4100"}, format="json")
    assert answer.status_code == 201, answer.json()


@freeze_time("2017-06-01")
def test_the_api_refuses_a_transfer_while_its_year_is_frozen(village, places, ninghua_clerk):
    h = household(village=village, members=people(1))
    accept(NINGHUA, 2017)
    answer = api_as(ninghua_clerk).post(f"{API}transfers/release/", {
        "household": h.pk, "to_village": places.chengbei.pk, "reason": "family"}, format="json")
    assert (answer.status_code, answer.json()["detail"]) == (403, "宁化县2017年度数据已锁定，不能再改动该年度的记录")
    assert not Transfer.objects.exists()


# ---------------------------------------------------------------- the workflows' last step


def test_the_exit_workflows_last_step_is_refused_and_the_case_stays(poor, ninghua_clerk):
    case = workflows.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=datetime.date(2016, 3, 1))
    case, n = walk(case, ninghua_clerk, until=State.TOWNSHIP_REVIEWED)
    accept(NINGHUA, 2016)
    answer = api_as(ninghua_clerk).post(f"{API}workflows/cases/{case.pk}/close/", {"on": str(day(n))}, format="json")
    assert (answer.status_code, answer.json()) == (400, {"year": [FROZEN]})
    case.refresh_from_db()
    assert case.state == State.TOWNSHIP_REVIEWED and not ExitRecord.objects.exists()


def test_the_home_visit_does_not_record_the_frozen_years_income(poor, ninghua_clerk):
    case = workflows.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=datetime.date(2016, 3, 1))
    accept(NINGHUA, 2016)
    answer = api_as(ninghua_clerk).post(f"{API}workflows/cases/{case.pk}/verify/", {
        "income_per_capita": "3500", "food": True, "clothing": True, "education": True, "medical": True,
        "housing": True, "on": str(day(1))}, format="json")
    assert (answer.status_code, answer.json()) == (400, {"income_per_capita": [FROZEN]})
    case.refresh_from_db()
    assert case.state == State.PROPOSED and not HouseholdIncome.objects.filter(year=2016).exists()


def test_the_exit_workflows_last_step_goes_through_in_an_open_county(datian_village, datian_clerk):
    accept(NINGHUA, 2016)
    h = household(village=datian_village, members=people(1, prefix=DATIAN))
    case = workflows.exit_propose(actor=datian_clerk, household=h, year=2016, on=datetime.date(2016, 3, 1))
    case, n = walk(case, datian_clerk, until=State.TOWNSHIP_REVIEWED)
    assert take(case, State.CLOSED, datian_clerk, day(n)).year == 2016


# ---------------------------------------------------------------- the workbooks


def test_the_registry_workbook_refuses_a_household_identified_in_the_frozen_year(frozen, village, datian_village,
                                                                                 ninghua_clerk):
    report = run(xlsx([row("NH-WB1", village=village.pk, 识别年份=2016),
                       row("NH-WB2", village=village.pk, 识别年份=2017, 公民身份号码=resident_id(birth=datetime.date(1971, 1, 1)))]))
    assert not report.written and reasons(report) == [(2, "识别年份", FROZEN)]
    assert not Household.objects.exists()
    # 大田县's 2016 is open.
    report = run(xlsx([row("DT-WB1", village=datian_village.pk, 识别年份=2016,
                           公民身份号码=resident_id(prefix=DATIAN))]))
    assert report.written and Household.objects.get().number == "DT-WB1"


def test_the_registry_workbook_refuses_a_frozen_households_counted_change(village, ninghua_clerk):
    h = household(village=village, number="NH-WB3", identified_year=2016, members=people(1))
    accept(NINGHUA, 2016)
    head = h.members.get()
    cells = {"姓名": head.name, "公民身份号码": head.id_number, "人均纯收入（元）": 2500, "识别年份": 2016}
    report = run(xlsx([row("NH-WB3", village=village.pk, **cells, 贫困户类别="无劳动能力的低保户")]), actor=ninghua_clerk)
    assert not report.written and reasons(report) == [(2, "贫困户类别", FROZEN)]
    # Its address counts nowhere.
    report = run(xlsx([row("NH-WB3", village=village.pk, **cells, 住址="城南村1号")]), actor=ninghua_clerk)
    assert report.written and Household.objects.get().address == "城南村1号"


def test_the_registry_workbook_refuses_a_person_added_to_a_frozen_household(village, ninghua_clerk):
    h = household(village=village, number="NH-WB4", identified_year=2016, members=people(1))
    accept(NINGHUA, 2016)
    head = h.members.get()
    same = {"人均纯收入（元）": 2500, "识别年份": 2016}
    report = run(xlsx([row("NH-WB4", village=village.pk, 姓名=head.name, 公民身份号码=head.id_number, **same),
                       row("NH-WB4", village=village.pk, 姓名="补录", 与户主关系="子女", 劳动能力="无劳动力",
                           公民身份号码=resident_id(birth=datetime.date(2010, 1, 1)), **same)]), actor=ninghua_clerk)
    assert not report.written and reasons(report) == [(2, "公民身份号码", FROZEN)]
    assert h.members.count() == 1


def book_rows(code: str, *rows: dict) -> bytes:
    book = records.BOOKS[code]
    by_header = {c.header: c.key for c in book.columns}
    return records.template(book, [{by_header[h]: v for h, v in r.items()} for r in rows])


def problems(code: str, data: bytes, actor):
    book = records.BOOKS[code]
    report = records.import_records(book, data, actor=actor)[1]
    headers = {c.key: c.header for c in book.columns}
    return report.written, [(p.row, headers.get(p.column, ""), p.reason) for p in report.problems]


def test_the_change_workbook_refuses_a_change_dated_in_the_frozen_year(frozen, two, ninghua_clerk):
    child = two.members.get(relation="child")
    data = book_rows("memberchange",
                     {"户编号": "NH-FZ", "变动类型": "其他迁出", "变动日期": datetime.date(2017, 2, 1),
                      "公民身份号码": child.id_number, "迁往": "福州"},
                     {"户编号": "NH-FZ", "变动类型": "其他迁出", "变动日期": datetime.date(2016, 2, 1),
                      "公民身份号码": child.id_number, "迁往": "福州"})
    assert problems("memberchange", data, ninghua_clerk) == (False, [(3, "变动日期", FROZEN)])
    assert not MemberChange.objects.exists()


def test_the_income_workbook_refuses_the_frozen_years_income(frozen, two, datian_village, ninghua_clerk, admin_user):
    other = household(village=datian_village, number="DT-FZ", members=people(1, prefix=DATIAN))
    data = book_rows("householdincome", {"户编号": "DT-FZ", "年度": 2016, "家庭纯收入合计（元）": 3000},
                     {"户编号": "NH-FZ", "年度": 2016, "家庭纯收入合计（元）": 7000})
    assert problems("householdincome", data, admin_user) == (False, [(3, "年度", FROZEN)])
    assert not HouseholdIncome.objects.filter(year=2016).exists()
    data = book_rows("householdincome", {"户编号": "DT-FZ", "年度": 2016, "家庭纯收入合计（元）": 3000})
    assert problems("householdincome", data, admin_user) == (True, [])
    assert HouseholdIncome.objects.get(household=other, year=2016).total == Decimal(3000)


@freeze_time("2017-06-01")
def test_the_admin_actions_show_the_refusal_of_a_transfer_or_a_removal(village, datian_village, admin_client):
    datian = household(village=datian_village, members=people(1, prefix=DATIAN))
    pending = services.transfer_release(actor=SYSTEM, household=datian, to_village=village, reason="family")
    accept(NINGHUA, 2017)
    reason = "宁化县2017年度数据已锁定，不能再改动该年度的记录"
    response = admin_client.post(reverse("admin:households_transfer_changelist"), {
        "action": "accept_transfers", "_selected_action": [pending.pk]}, follow=True)
    assert reason in shown(response) and Transfer.objects.get().state == Transfer.State.PENDING
    ninghua = household(village=village, members=people(1))
    response = admin_client.post(reverse("admin:households_household_changelist"), {
        "action": "remove_households", "_selected_action": [ninghua.pk], "reason": "错评"}, follow=True)
    assert reason in shown(response) and Household.objects.get(pk=ninghua.pk).status == Household.Status.REGISTERED
