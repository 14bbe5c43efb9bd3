"""The workbook through its doors: the admin's import page (preview, confirm, report), the API and
the plan's table exports. The workbook's own rules are in test_workbook.py."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from households.models import ExportLog, Household
from jobs.models import Job
from tests.conftest import api_as
from tests.factories import VillageFactory, household, member, resident_id
from tests.households.test_workbook import row, xlsx

IMPORT_URL = "/admin/households/household/import/"


@pytest.fixture
def village(db):
    return VillageFactory(code="350424100201", township__code="350424100")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, data: bytes, name="宁化.xlsx"):
    return client.post(IMPORT_URL, {"format": 0, "import_file": SimpleUploadedFile(name, data)})


def job_of(response) -> Job:
    """The job a door answered with: its page is where the answer redirects."""
    assert response.status_code == 302 and response.url.startswith("/admin/jobs/job/"), response
    return Job.objects.get(pk=response.url.split("/")[-3])


def test_admin_import_previews_then_writes_only_on_confirmation(village, ninghua_clerk):
    client = logged_in(ninghua_clerk)
    preview = job_of(upload(client, xlsx([row("H1"), row("H2")])))
    page = client.get(reverse("admin:jobs_job_change", args=[preview.pk])).content.decode()
    assert "预览：贫困户：新增 2，更新 0，不变 0" in page and "确认导入" in page
    assert not Household.objects.exists()
    imported = job_of(client.post(reverse("admin:households_household_process_import"), {"job": preview.pk}))
    assert (imported.state, imported.params["dry_run"]) == (Job.State.DONE, False)
    assert "导入完成：贫困户：新增 2" in client.get(reverse("admin:jobs_job_change", args=[imported.pk])).content.decode()
    assert set(Household.objects.values_list("number", flat=True)) == {"H1", "H2"}
    assert Household.history.filter(history_user=ninghua_clerk).count() == 2


def test_admin_import_lists_refused_rows_and_offers_their_report(village, ninghua_clerk, datian_clerk):
    client = logged_in(ninghua_clerk)
    job = job_of(upload(client, xlsx([row("H1"), row("H2", 与户主关系="配偶")])))
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "有 1 行被拒绝，整个表格未写入" in page
    assert "每户必须有一名户主" in page
    assert "确认导入" not in page
    report = client.get(reverse("admin:jobs_job_result", args=[job.pk]))
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).worksheets[0]
    assert [c.value for c in sheet[2]][1] == "H2"
    # The report is its importer's: another clerk is told there is no such job.
    other = logged_in(datian_clerk)
    assert other.get(reverse("admin:jobs_job_result", args=[job.pk])).status_code == 404
    assert other.get(reverse("admin:jobs_job_change", args=[job.pk])).status_code == 404
    # Nor may the preview be confirmed: it refused a row.
    response = client.post(reverse("admin:households_household_process_import"), {"job": job.pk})
    assert response.url == IMPORT_URL
    assert not Household.objects.exists()


def test_admin_import_of_a_non_workbook_says_why_without_a_traceback(village, ninghua_clerk):
    client = logged_in(ninghua_clerk)
    job = job_of(upload(client, b"%PDF-1.4 not a sheet", name="名单.xlsx"))
    assert job.state == Job.State.FAILED
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "这不是 Excel .xlsx 工作簿（看起来是PDF 文件）" in page


def test_only_users_who_register_households_may_import(village, city_reviewer):
    assert logged_in(city_reviewer).get(IMPORT_URL).status_code == 403


def test_admin_exports_what_the_list_shows_and_logs_it(village, admin_client, admin_user):
    other = VillageFactory(code="350425100201", township__code="350425100", township__county_id="350425")
    household(number="N1", village=village)
    household(number="D1", village=other, members=[member(id_number=resident_id(prefix="350425"))])
    assert admin_client.get("/admin/households/household/export/", {"county": "350425"}).status_code == 405
    assert not Job.objects.exists()  # a link followed starts nothing
    job = job_of(admin_client.post("/admin/households/household/export/?county=350425"))
    assert job.state == Job.State.DONE
    page = admin_client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "已导出 1 户" in page and reverse("admin:jobs_job_result", args=[job.pk]) in page
    response = admin_client.get(reverse("admin:jobs_job_result", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [r[4].value for r in sheet.iter_rows(min_row=2)] == ["D1"]
    log = ExportLog.objects.get()
    assert (log.user, log.door, log.filters, log.rows, log.full_id_numbers) == (
        admin_user, "admin", {"county": ["350425"]}, 1, True)


def test_admin_template_and_plan_exports_download(admin_client):
    template = admin_client.get("/admin/households/household/template/")
    assert load_workbook(io.BytesIO(template.content)).sheetnames == ["贫困户家庭成员", "代码表"]
    progress = admin_client.get(reverse("admin:plans_annexrow_progress"))
    sheet = load_workbook(io.BytesIO(progress.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:4] == ["区划代码", "县(市、区)", "年度", "减贫任务（人）"]
    assert sheet.max_row == 1 + 12 * 4
    consistency = admin_client.get(reverse("admin:plans_annexrow_consistency"))
    assert load_workbook(io.BytesIO(consistency.content)).worksheets[0]["A1"].value == "检查项"
    assert list(ExportLog.objects.values_list("kind", flat=True).order_by("id")) == ["quota_progress", "consistency"]


# ---------------------------------------------------------------- the API


def test_api_import_reports_refused_rows_as_422_and_writes_nothing(village, ninghua_clerk):
    client = api_as(ninghua_clerk)
    response = client.post("/api/v1/households/import/", {"file": SimpleUploadedFile("a.xlsx", xlsx([
        row("H1"), row("H2", 公民身份号码="3.50424E+17")]))}, format="multipart")
    assert response.status_code == 422
    assert response.json()["problems"] == [{
        "row": 3, "column": "公民身份号码", "value": "3.50424E+17",
        "reason": "身份号码是科学计数法（如 3.50424E+17），末几位已丢失：请填写完整的18位号码"}]
    assert response.json()["written"] is False
    assert not Household.objects.exists()


def test_api_import_dry_run_then_import(village, ninghua_clerk):
    client = api_as(ninghua_clerk)
    data = xlsx([row("H1")])
    dry = client.post("/api/v1/households/import/", {"file": SimpleUploadedFile("a.xlsx", data), "dry_run": "true"},
                      format="multipart")
    assert (dry.status_code, dry.json()["written"], dry.json()["households"]["new"]) == (200, False, 1)
    assert not Household.objects.exists()
    done = client.post("/api/v1/households/import/", {"file": SimpleUploadedFile("a.xlsx", data)}, format="multipart")
    assert (done.status_code, done.json()["written"]) == (200, True)
    assert Household.objects.filter(number="H1").exists()


def test_api_import_refuses_unreadable_files_and_roles_without_writing(village, ninghua_clerk, city_reviewer):
    response = api_as(ninghua_clerk).post("/api/v1/households/import/", {"file": SimpleUploadedFile("a.xlsx", b"")},
                                          format="multipart")
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    response = api_as(city_reviewer).post("/api/v1/households/import/", {"file": SimpleUploadedFile("a.xlsx", b"x")},
                                          format="multipart")
    assert response.status_code == 403


def test_api_export_is_scoped_masked_and_logged(village, api_client):
    other = VillageFactory(code="350425100201", township__code="350425100", township__county_id="350425")
    h = household(number="N1", village=village)
    household(number="D1", village=other, members=[member(id_number=resident_id(prefix="350425"))])
    response = api_client.get("/api/v1/households/export/")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(r[4], r[18]) for r in rows] == [("N1", "350424********" + h.members.get().id_number[-4:])]
    log = ExportLog.objects.get()
    assert (log.user.username, log.door, log.rows, log.full_id_numbers) == ("province", "api", 1, False)


def test_api_template_and_plan_exports(api_client):
    assert load_workbook(io.BytesIO(api_client.get("/api/v1/households/template/").content)).sheetnames[1] == "代码表"
    progress = api_client.get("/api/v1/plans/progress/export/", {"year": 2016})
    sheet = load_workbook(io.BytesIO(progress.content)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["350424"]  # its county only
    assert api_client.get("/api/v1/plans/progress/export/", {"year": 2030}).status_code == 400
    assert api_client.get("/api/v1/plans/consistency/export/").status_code == 200


def test_an_export_refuses_an_unknown_filter_and_logs_the_known_ones(village, api_client):
    response = api_client.get("/api/v1/households/export/", {"county": "350424", "\x00odd": "x\x00"})
    assert (response.status_code, list(response.json())) == (400, ["\x00odd"])
    assert not ExportLog.objects.exists()
    assert api_client.get("/api/v1/households/export/", {"county": "350424"}).status_code == 200
    assert ExportLog.objects.get().filters == {"county": ["350424"]}
    response = api_client.get("/api/v1/plans/consistency/export/", {"\x00odd": "\x00"})
    assert (response.status_code, list(response.json())) == (400, ["\x00odd"])
    assert ExportLog.objects.count() == 1
