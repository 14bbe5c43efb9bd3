"""The assignments workbook (帮扶关系表): one row per household, its helper's name, unit, phone and
the first day. Its template, export and import through the API, the admin and the command
`helper_assignments`; real files written by openpyxl (one saved again by LibreOffice) and read back.
A bad workbook (an unknown household, a duplicate row, one helper with two phones) is refused row
by row in Chinese, with nothing written."""

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils.timezone import localdate as today
from openpyxl import Workbook, load_workbook

from households.models import ExportLog, Helper, HelperAssignment, HelperVisit
from households.workbook import helpers as helper_book
from jobs.models import Job as BackgroundJob
from tests.conftest import NINGHUA, api_as
from tests.households.helper_world import (
    LI_PHONE,
    ZHOU_MASKED,
    ZHOU_PHONE,
    days_ago,
    helpers_fixture,  # noqa: F401  (the fixture `helpers`, used by being here)
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/helper-assignments/"
HEADERS = ["户编号", "帮扶责任人", "帮扶单位", "联系电话", "起始日期"]


def snapshot() -> tuple:
    return (list(Helper.objects.order_by("id").values_list()),
            list(HelperAssignment.objects.order_by("id").values_list()),
            list(HelperVisit.objects.order_by("id").values_list()))


def xlsx(rows, headers=HEADERS) -> bytes:
    """A workbook as a clerk's office suite writes it (openpyxl): the header, then the rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def grid(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def api_import(user, content: bytes, **fields):
    return api_as(user).post(f"{URL}import/", {"file": SimpleUploadedFile("帮扶.xlsx", content), **fields},
                             format="multipart")


def test_the_template_is_the_header_alone(helpers, city_reviewer):
    response = api_as(city_reviewer).get(f"{URL}template/")
    assert response.status_code == 200
    rows = grid(response.content)
    assert rows == [HEADERS]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.title == "帮扶关系表"


def test_the_export_is_a_row_per_household_with_phones_as_the_reader_sees_them(helpers, ninghua_clerk,
                                                                               health_department, city_reviewer):
    rows = grid(api_as(ninghua_clerk).get(f"{URL}export/").content)
    assert rows[0] == HEADERS
    # The current assignments only; 周芳's phone whole for 宁化's clerk, who answers for NH-2.
    assert [r[:4] for r in rows[1:]] == [["NH-1", "李明", "县农业局", LI_PHONE], ["NH-2", "周芳", "县财政局", ZHOU_PHONE]]
    assert rows[1][4].date() == days_ago(100)
    assert [r[:4] for r in grid(api_as(health_department).get(f"{URL}export/").content)[1:]] == [
        ["DT-1", "周芳", "县财政局", ZHOU_MASKED]]
    assert len(grid(api_as(city_reviewer).get(f"{URL}export/", {"county": NINGHUA}).content)) == 3
    log = ExportLog.objects.filter(kind="helper_assignments").order_by("at")
    assert [(e.user, e.door, e.rows) for e in log] == [(ninghua_clerk, "api", 2), (health_department, "api", 1),
                                                       (city_reviewer, "api", 2)]


def test_an_import_starts_assignments_and_finds_or_adds_helpers(helpers, ninghua_clerk):
    content = xlsx([
        ["NH-1", "王强", "县水利局", "13700001111", days_ago(5)],  # a new helper, from 5 days ago
        ["NH-2", "李明", "县农业局", LI_PHONE, None],  # from today; his phone as it stands
    ])
    response = api_import(ninghua_clerk, content)
    assert response.status_code == 200, response.json()
    assert response.json()["written"] is True and response.json()["problems"] == []
    wang = Helper.objects.get(name="王强")
    assert (wang.county_id, wang.unit, wang.phone) == (NINGHUA, "县水利局", "13700001111")
    history = list(HelperAssignment.objects.filter(household=helpers.nh1).order_by("started_on")
                   .values_list("helper__name", "started_on", "ended_on"))
    assert history == [("李明", days_ago(100), days_ago(6)), ("王强", days_ago(5), None)]
    history = list(HelperAssignment.objects.filter(household=helpers.nh2).order_by("started_on")
                   .values_list("helper__name", "started_on", "ended_on"))
    assert history == [("李明", days_ago(200), days_ago(101)), ("周芳", days_ago(50), days_ago(1)),
                       ("李明", today(), None)]
    assert Helper.objects.filter(name="李明").count() == 1  # found by county, name and unit
    # The same workbook again writes nothing new.
    before = snapshot()
    assert api_import(ninghua_clerk, content).status_code == 200
    assert snapshot() == before


def test_a_blank_first_day_is_today(helpers, ninghua_clerk):
    assert api_import(ninghua_clerk, xlsx([["NH-1", "王强", "县水利局", "", None]])).status_code == 200
    assert HelperAssignment.objects.get(household=helpers.nh1, ended_on__isnull=True).started_on == today()


@pytest.mark.parametrize("rows, bad_row, words", [
    # An unknown household (or one outside the clerk's counties: DT-1 is 大田's).
    ([["NH-1", "王强", "县水利局", "", None], ["NH-9", "王强", "县水利局", "", None]], 3, "NH-9"),
    ([["NH-1", "王强", "县水利局", "", None], ["DT-1", "王强", "县水利局", "", None]], 3, "DT-1"),
    # The same household twice.
    ([["NH-1", "王强", "县水利局", "", None], ["NH-1", "赵六", "县林业局", "", None]], 3, "重复"),
    # One helper (宁化, 王强, 县水利局) with two phones.
    ([["NH-1", "王强", "县水利局", "13700001111", None], ["NH-2", "王强", "县水利局", "13700002222", None]], None,
     "电话"),
    # Not a phone.
    ([["NH-1", "王强", "县水利局", "打电话", None]], 2, None),
    # Not a date.
    ([["NH-1", "王强", "县水利局", "", "明天"]], 2, None),
    # Before the household's current assignment started (李明's, 100 days ago): an overlap.
    ([["NH-1", "王强", "县水利局", "", days_ago(150)]], 2, "重叠"),
    # In the future.
    ([["NH-1", "王强", "县水利局", "", days_ago(-3)]], 2, "今天"),
])
def test_a_bad_workbook_is_refused_row_by_row_with_nothing_written(helpers, ninghua_clerk, rows, bad_row, words):
    before = snapshot()
    response = api_import(ninghua_clerk, xlsx(rows))
    assert response.status_code == 422, response.json()
    report = response.json()
    assert report["written"] is False and report["problems"]
    text = " ".join(p["reason"] for p in report["problems"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)  # a reason in Chinese
    if bad_row:
        assert bad_row in {p["row"] for p in report["problems"]}, report
    if words:
        assert words in text + " ".join(p["value"] for p in report["problems"]), report
    assert snapshot() == before


def test_a_dry_run_writes_nothing(helpers, ninghua_clerk):
    before = snapshot()
    response = api_import(ninghua_clerk, xlsx([["NH-1", "王强", "县水利局", "", None]]), dry_run="true")
    assert response.status_code == 200 and response.json()["written"] is False
    assert snapshot() == before


def test_a_file_that_is_no_workbook_is_a_400(helpers, ninghua_clerk):
    response = api_import(ninghua_clerk, b"not a workbook")
    assert response.status_code == 400 and "file" in response.json()
    response = api_import(ninghua_clerk, xlsx([["NH-1", "县水利局"]], headers=["户编号", "帮扶单位"]))
    assert response.status_code == 400 and "帮扶责任人" in str(response.json())


def test_who_may_import(helpers, city_reviewer, health_department):
    content = xlsx([["NH-1", "王强", "县水利局", "", None]])
    before = snapshot()
    assert api_import(city_reviewer, content).status_code == 403
    assert api_import(health_department, content).status_code == 403
    assert snapshot() == before


# ---------------------------------------------------------------- the admin


def admin_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def job_of(response) -> BackgroundJob:
    assert response.status_code == 302 and response.url.startswith("/admin/jobs/job/"), response
    return BackgroundJob.objects.get(pk=response.url.split("/")[-3])


def test_the_admin_offers_the_template_export_and_import(helpers, ninghua_clerk):
    client = admin_as(ninghua_clerk)
    assert grid(client.get(reverse("admin:households_helperassignment_workbook_template")).content) == [HEADERS]
    exported = client.post(reverse("admin:households_helperassignment_workbook_export") + "?current=yes")
    assert [r[0] for r in grid(exported.content)[1:]] == ["NH-1", "NH-2"]
    assert ExportLog.objects.get(kind="helper_assignments").door == "admin"
    url = reverse("admin:households_helperassignment_workbook_import")
    confirm = reverse("admin:households_helperassignment_workbook_confirm")
    before = snapshot()
    # A refused row: the preview's job lists it, and there is nothing to confirm.
    job = job_of(client.post(url, {"file": SimpleUploadedFile("a.xlsx", xlsx([
        ["NH-1", "王强", "县水利局", "13700001111", None], ["NH-9", "王强", "县水利局", "13700001111", None]]))}))
    assert [(p["row"], p["column"], p["value"]) for p in job.outcome["problems"]] == [(3, "户编号", "NH-9")]
    assert "未知的户编号 NH-9" in job.outcome["problems"][0]["reason"]
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "NH-9" in page and "确认导入" not in page
    assert client.post(confirm, {"job": job.pk}).url == url
    assert snapshot() == before
    # A good workbook: the preview writes nothing, its confirmation imports it.
    job = job_of(client.post(url, {"file": SimpleUploadedFile("a.xlsx", xlsx([["NH-1", "王强", "县水利局", "", None]]))}))
    assert (job.outcome["problem_count"], job.outcome["written"]) == (0, False)
    assert "确认导入" in client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert snapshot() == before
    done = job_of(client.post(confirm, {"job": job.pk}))
    assert done.outcome["written"] is True and done.outcome["outcomes"] == {"新增帮扶责任人": 1, "新增帮扶关系": 1}
    assigned = HelperAssignment.objects.get(household=helpers.nh1, ended_on__isnull=True)
    assert assigned.helper.name == "王强" and assigned.history.first().history_user == ninghua_clerk


def test_the_admin_import_is_for_those_who_write(helpers, city_reviewer):
    url = reverse("admin:households_helperassignment_workbook_import")
    assert admin_as(city_reviewer).get(url).status_code == 403
    assert admin_as(city_reviewer).post(reverse("admin:households_helperassignment_workbook_confirm"),
                                        {"job": 1}).status_code == 403


# ---------------------------------------------------------------- the command


def test_the_command_imports_all_or_nothing_and_exports(helpers, ninghua_clerk, health_department, tmp_path):
    bad, good, out = tmp_path / "bad.xlsx", tmp_path / "good.xlsx", tmp_path / "out.xlsx"
    bad.write_bytes(xlsx([["NH-1", "王强", "县水利局", "", None], ["NH-1", "赵六", "县林业局", "", None]]))
    good.write_bytes(xlsx([["NH-1", "王强", "县水利局", "", None]]))
    before = snapshot()
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("helper_assignments", "import", str(bad), "--user", "clerk_ninghua", stdout=io.StringIO(),
                     stderr=errors)
    assert "第 3 行" in errors.getvalue()
    assert snapshot() == before
    call_command("helper_assignments", "import", str(good), "--user", "clerk_ninghua", "--dry-run",
                 stdout=io.StringIO())
    assert snapshot() == before
    call_command("helper_assignments", "import", str(good), "--user", "clerk_ninghua", stdout=io.StringIO())
    assert HelperAssignment.objects.get(household=helpers.nh1, ended_on__isnull=True).helper.name == "王强"
    assert Helper.history.filter(name="王强").first().history_user == ninghua_clerk
    call_command("helper_assignments", "export", str(out), "--user", "weiji", stdout=io.StringIO())
    assert [r[:4] for r in grid(out.read_bytes())[1:]] == [["DT-1", "周芳", "县财政局", ZHOU_MASKED]]
    call_command("helper_assignments", "export", str(out), stdout=io.StringIO())  # the system: the whole city
    assert [r[0] for r in grid(out.read_bytes())[1:]] == ["DT-1", "NH-1", "NH-2"]
    assert ExportLog.objects.filter(kind="helper_assignments", door="command").count() == 2
    call_command("helper_assignments", "export", str(out), "--template", stdout=io.StringIO())
    assert grid(out.read_bytes()) == [HEADERS]


def test_the_command_refuses_an_unknown_user(helpers, tmp_path):
    with pytest.raises(CommandError, match="没有用户"):
        call_command("helper_assignments", "export", str(tmp_path / "x.xlsx"), "--user", "nobody_here")


# ---------------------------------------------------------------- LibreOffice


def test_an_export_saved_again_by_libreoffice_imports_unchanged(helpers, datian_clerk, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    source = tmp_path / "帮扶关系表.xlsx"
    HelperAssignment.objects.filter(pk=helpers.datian.pk).update(started_on=days_ago(400))  # a date of last year
    source.write_bytes(api_as(datian_clerk).get(f"{URL}export/").content)
    out = tmp_path / "converted"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
                    "--convert-to", "xlsx", "--outdir", str(out), str(source)], capture_output=True, timeout=300,
                   check=False)
    converted = (out / source.name).read_bytes()
    rows = grid(converted)
    assert [r[:4] for r in rows[1:]] == [["DT-1", "周芳", "县财政局", ZHOU_PHONE]]
    assert rows[1][4].date() == days_ago(400)
    before = snapshot()
    report = helper_book.import_file(converted, actor=datian_clerk)
    assert report.problems == [] and report.written
    assert snapshot() == before
