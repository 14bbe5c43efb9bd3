"""The projects' page (/dashboard/projects/, 五项工程 and 八种模式) through the Django test client:
the numbers shown, each user's scope, the filters, the ledgers and their Excel exports, the way
in from the other pages, and the query count."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from common.actors import SYSTEM
from households.models import ExportLog, Member
from households.services import role_grant
from projects.models import Job, Pilot, Training
from projects.services import link_save
from tests.conftest import DATIAN, NINGHUA
from tests.dashboard.conftest import shown_rows, shown_table

pytestmark = pytest.mark.django_db

URL = "/dashboard/projects/"


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def workbook_rows(response) -> list[list[str]]:
    """The cells as the page writes them: a date (a real date in the workbook) as 2016年3月1日."""

    def text(value) -> str:
        if value in (None, ""):
            return "—"
        if isinstance(value, datetime.datetime):
            return f"{value.year}年{value.month}月{value.day}日"
        return str(value)

    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [[text(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_the_page_is_in_the_nav_and_linked_from_the_overview_and_a_county(as_user, city_reviewer, projects):
    client = as_user(city_reviewer)
    assert reverse("dashboard:projects") == URL
    page = client.get(URL).content.decode()
    assert f'href="{URL}" aria-current="page">五项工程</a>' in page
    assert f'href="{URL}">五项工程</a>' in client.get(reverse("dashboard:breakdowns")).content.decode()
    overview = client.get(reverse("dashboard:overview"), {"year": "2016"}).content.decode()
    assert f'href="{URL}?year=2016">查看统计与台账</a>' in overview
    county = client.get(reverse("dashboard:county", args=[NINGHUA])).content.decode()
    assert f'href="{URL}?county={NINGHUA}">本县五项工程</a>' in county


def test_reviewer_reads_the_counts_of_every_project(as_user, city_reviewer, projects):
    response = as_user(city_reviewer).get(URL)
    funds = shown_rows(response, "funds")
    assert len(funds) == 13  # twelve counties and their sum
    assert [funds["宁化县"][h] for h in ("担保基金数", "基金规模（元）", "担保贷款笔数", "在保余额（元）", "贴息金额（元）",
                                         "受益户数")] == ["1", "2000000.00", "2", "30000.00", "2300.00", "2"]
    assert (funds["合计"]["担保贷款笔数"], funds["合计"]["在保余额（元）"]) == ("3", "40000.00")
    employment = shown_rows(response, "employment")
    assert len(employment) == 13
    assert [employment["宁化县"][f"{y}年{h}"] for y in (2016, 2017) for h in ("车间务工", "公益性岗位", "家门口就业")] == [
        "2", "2", "3", "2", "0", "2"]
    assert (employment["大田县"]["2016年家门口就业"], employment["合计"]["2017年家门口就业"]) == ("0", "2")
    units = shown_rows(response, "units")["宁化县"]
    assert (units["就业扶贫车间数"], units["农村保洁员"], units["乡村公路养护工"], units["公益性岗位合计"]) == ("1", "1", "1", "2")
    pilots = shown_rows(response, "pilots")
    assert [pilots["大田县"][h] for h in ("试点示范村", "试点经济组织", "企业+贫困户", "帮带贫困户数")] == ["0", "1", "1", "2"]
    education = shown_rows(response, "education")["宁化县"]
    assert [education[h] for h in ("筹集合计（元）", "资助人次", "资助金额（元）", "受助学生数")] == [
        "70000.00", "2", "3000.00", "1"]
    (training,) = shown_table(response, "training")[1:]
    assert training == ["宁化县", "2016", "1", "2", "2", "2", "2", "2", "1", "0", "0", "1"]
    models = shown_rows(response, "models")
    assert (models["经营主体带动型产业扶贫模式"]["试点示范数"], models["经营主体带动型产业扶贫模式"]["就业扶贫车间数"]) == ("2", "1")
    assert models["融资担保型金融扶贫模式"]["帮扶措施数"] == "1"
    assert response.context["charts"]["employment"]["frames"][0]["series"] == [
        {"name": "2016年", "data": [3]}, {"name": "2017年", "data": [2]}]


def test_pilot_ranges_show_against_the_plan(as_user, city_reviewer, ninghua_clerk, projects):
    ranges = shown_rows(as_user(city_reviewer).get(URL), "pilot_ranges")
    village = ranges["整村推进试点示范村"]
    assert (village["计划数（全市）"], village["已确定"], village["状态"]) == ("20–30", "1", "少于计划下限")
    assert 'class="status-behind">少于计划下限' in as_user(city_reviewer).get(URL).content.decode()
    clerk = shown_rows(as_user(ninghua_clerk).get(URL), "pilot_ranges")
    assert (clerk["整村推进试点示范村"]["已确定"], clerk["整村推进试点示范村"]["状态"]) == ("1", "全市考核")


def test_ledgers_list_what_each_project_did_for_whom(as_user, city_reviewer, projects):
    response = as_user(city_reviewer).get(URL)
    loans = shown_table(response, "loan_ledger")
    assert loans[0] == ["县(市、区)", "乡镇", "村", "户编号", "户主", "担保基金", "贷款银行", "年度", "贷款金额（元）",
                        "期限（月）", "贴息金额（元）", "放款日期", "还清日期", "状态"]
    assert [row[3] for row in loans[1:]] == ["NH-A", "NH-D", "DT-E"]  # by county, year, date
    assert loans[2][6:] == ["宁化农商银行", "2016", "30000.00", "36", "1500.00", "2016年3月1日", "—", "在保"]
    assert [row[4:7] for row in shown_table(response, "post_ledger")[1:]] == [
        ["NH-A", "户主", "2016"], ["NH-C", "户主", "2016"]]
    assert len(shown_table(response, "job_ledger")) == 1 + Job.objects.count()
    assert len(shown_table(response, "training_ledger")) == 1 + Training.objects.count()
    assert [row[0:3] for row in shown_table(response, "pilot_list")[1:]] == [
        ["宁化县", "整村推进试点示范村", "城南村"], ["宁化县", "农民专业合作社（示范社）", "翠江竹业合作社"],
        ["大田县", "龙头企业", "大田茶业公司"]]
    household = projects.registry.d
    assert f'href="{reverse("dashboard:household", args=[household.pk])}">NH-D</a>' in response.content.decode()


def test_no_page_or_workbook_carries_a_whole_id_number(as_user, city_reviewer, projects):
    client = as_user(city_reviewer)
    numbers = list(Member.objects.values_list("id_number", flat=True))
    texts = [client.get(URL).content.decode()]
    for name in ("loan_ledger", "job_ledger", "post_ledger", "aid_ledger", "training_ledger"):
        texts.append(str(workbook_rows(client.get(URL, {"export": name}))))
    assert not [n for n in numbers for text in texts if n in text]


# ---------------------------------------------------------------- scope and filters


def test_clerk_reads_the_projects_of_their_county_only(as_user, ninghua_clerk, projects):
    response = as_user(ninghua_clerk).get(URL)
    for table in ("funds", "units", "pilots", "education"):
        assert list(shown_rows(response, table)) == ["宁化县"], table
    assert "大田" not in response.content.decode()
    assert [row[0] for row in shown_table(response, "pilot_list")[1:]] == ["宁化县", "宁化县"]
    # e of 大田 works in 宁化's workshop: counted, but not named to 宁化's clerk.
    jobs = shown_table(response, "job_ledger")
    assert ["宁化县", "城南竹编车间", "翠江竹业公司", "翠江镇", "—", "不在查看范围", "—", "2017", "1800.00"] in jobs
    assert "DT-E" not in response.content.decode()


def test_clerk_cannot_filter_by_another_county(as_user, ninghua_clerk, projects):
    response = as_user(ninghua_clerk).get(URL, {"county": DATIAN})
    assert response.status_code == 400
    assert "县(市、区)" in response.content.decode()


def test_county_and_year_filters_narrow_every_table(as_user, city_reviewer, projects):
    response = as_user(city_reviewer).get(URL, {"county": DATIAN, "year": "2015"})
    assert list(shown_rows(response, "funds")) == ["大田县"]
    assert [row[3] for row in shown_table(response, "loan_ledger")[1:]] == ["DT-E"]
    assert shown_table(response, "employment")[1:] == [["暂无数据"]]
    assert shown_table(response, "pilot_list")[1:] == [["暂无数据"]]  # chosen in 2017
    assert f'href="{reverse("dashboard:county", args=[DATIAN])}?year=2015">本县减贫任务与乡镇</a>' in (
        response.content.decode())
    # A county's name narrows the page to it, keeping the year.
    whole = as_user(city_reviewer).get(URL, {"year": "2016"}).content.decode()
    assert f'href="{URL}?county={NINGHUA}&amp;year=2016">宁化县</a>' in whole


def test_the_department_of_a_channel_reads_its_project_in_every_county(as_user, projects):
    regulator = role_grant(actor=SYSTEM, username="renhang", role="channel_department", channels=["financial_support"])
    response = as_user(regulator).get(URL, {"county": DATIAN})
    assert response.status_code == 200
    assert [row[3] for row in shown_table(response, "loan_ledger")[1:]] == ["DT-E"]
    assert shown_table(response, "education")[1:] == [["暂无数据"]]
    # It opens no county's own pages: no link to them.
    assert reverse("dashboard:county", args=[DATIAN]) not in response.content.decode()


def test_a_department_without_a_project_opens_an_empty_page(as_user, health_department, projects):
    response = as_user(health_department).get(URL)
    assert response.status_code == 200
    assert shown_table(response, "funds")[1:] == [["暂无数据"]]
    assert as_user(health_department).get(URL, {"county": NINGHUA}).status_code == 400


# ---------------------------------------------------------------- exports


def test_a_ledger_exports_as_shown_and_is_logged(as_user, ninghua_clerk, projects):
    client = as_user(ninghua_clerk)
    shown = shown_table(client.get(URL, {"year": "2017"}), "job_ledger")
    response = client.get(URL, {"year": "2017", "export": "job_ledger"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert workbook_rows(response) == shown
    assert len(shown) == 3 and "不在查看范围" in str(shown)
    log = ExportLog.objects.get()
    assert (log.door, log.kind, log.rows, log.user, log.full_id_numbers) == (
        "page", "dashboard.job_ledger", 2, ninghua_clerk, False)
    assert log.filters == {"page": URL, "year": "2017"}


def test_each_table_of_the_page_exports(as_user, city_reviewer, projects):
    client = as_user(city_reviewer)
    response = client.get(URL)
    for name in response.context["tables"]:
        assert workbook_rows(client.get(URL, {"export": name})) == shown_table(response, name), name
    assert client.get(URL, {"export": "households"}).status_code == 404


# ---------------------------------------------------------------- cost

PAGE_QUERIES = 24  # the session, the user, the role, the scope (1) and project_summary()'s 20


def test_the_page_runs_a_fixed_number_of_queries(as_user, city_reviewer, projects, django_assert_num_queries):
    client = as_user(city_reviewer)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL).status_code == 200


@pytest.fixture
def demo(db):
    call_command("seed_demo", persons=1500, verbosity=0)


def test_the_demo_citys_page_runs_the_same_queries(as_user, city_reviewer, demo, django_assert_num_queries):
    assert Pilot.objects.count() >= 30 and Job.objects.exists() and Training.objects.exists()
    client = as_user(city_reviewer)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL).status_code == 200
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL, {"county": NINGHUA, "year": "2016"}).status_code == 200


def test_a_households_page_says_what_each_project_did_through_its_measures(as_user, city_reviewer, projects,
                                                                           django_assert_max_num_queries):
    a = projects.registry.a
    client = as_user(city_reviewer)
    url = reverse("dashboard:household", args=[a.pk])
    with django_assert_max_num_queries(40):
        rows = client.get(url).context["tables"]["measures"].rows

    def said(channel: str) -> list[str]:
        return sorted(r["projects"] for r in rows if r["channel"] == channel)

    head, child = projects.head["a"].name, projects.child_a.name
    assert said("金融扶持一批") == ["担保贷款：宁化县扶贫担保基金担保，宁化农商银行放款，贴息800.00元，2016-03-01还清"]
    assert said("劳动互助一批") == sorted([f"车间务工：{head}在城南竹编车间（2016年）", f"车间务工：{child}在城南竹编车间（2016年）",
                                     f"公益性岗位：{head}任农村保洁员（2016年）"])
    assert said("教育资助一批") == [f"教育助学：{child}获宁化县教育助学基金资助1500.00元（{y}年）" for y in (2016, 2017)]
    assert said("技能培训一批") == [f"技能培训：{head}参加宁化县职业技术学校“电工培训班”"]
    # The measures' queries do not grow with the records: one more training (and its measure) costs
    # nothing more. (The history table, which diffs each version with the one before, does.)
    def measure_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return sum("historical" not in q["sql"] for q in queries.captured_queries)

    before = measure_queries()
    link_save(actor=SYSTEM, record=Training(course=Training.objects.first().course, member=projects.child_a))
    assert measure_queries() == before


def test_the_year_filter_offers_every_year_of_the_registry(as_user, city_reviewer, projects):
    client = as_user(city_reviewer)
    choices = client.get(URL).context["form"].fields["year"].choices
    assert choices[0] == ("", "全部年度") and [y for y, _ in choices[1:]] == list(range(2014, 2021))
    assert client.get(URL, {"year": "2020"}).status_code == 200
    assert client.get(URL, {"year": "2021"}).status_code == 400
    # The other pages keep the plan's four years.
    assert client.get(reverse("dashboard:overview"), {"year": "2020"}).status_code == 400
