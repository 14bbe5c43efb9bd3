"""A close exported to Excel (issue 19 point 5): its figures, its canonical JSON and its SHA-256, so
that the figure a county sent upward can be checked against the registry later, outside it."""

import datetime
import hashlib
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from households.models import ExportLog, YearClose
from plans.exports import close_response, close_workbook
from plans.figures import canonical_json, close_figures, sha256
from tests.conftest import DATIAN, NINGHUA, api_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def close_2015(registry, city_reviewer):
    """宁化县's 2015 accepted by the city reviewer: a (3) and b (2) out, 医疗救助 3000 and 低保 1800."""
    text = canonical_json(close_figures(county=NINGHUA, year=2015))
    return YearClose.objects.create(
        county_id=NINGHUA, year=2015, state=YearClose.State.ACCEPTED, figures=text, figures_sha256=sha256(text),
        accepted_by=city_reviewer, accepted_at=datetime.datetime(2016, 2, 1, 1, 30, tzinfo=datetime.UTC))


def sheets(content: bytes) -> dict[str, list[list]]:
    book = load_workbook(io.BytesIO(content))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_the_workbook_lists_every_figure_by_its_path_and_name(close_2015):
    book = sheets(close_workbook(close_2015))
    header, *rows = book["锁定数据"]
    assert header == ["数据项（规范JSON中的路径）", "名称", "数值"]
    by_path = {path: (label, value) for path, label, value in rows}
    assert by_path["county_name"] == ("县(市、区)", "宁化县")
    assert by_path["exited.persons"] == ("当年脱贫人数", 5)
    assert by_path["exited.households"] == ("当年脱贫户数", 2)
    assert by_path["progress.status"] == ("减贫任务完成情况：状态", "未完成")
    assert by_path["measures_by_channel.medical_aid.amount"] == ("当年帮扶措施·帮扶渠道·医疗救助一批·金额（元）", "3000.00")
    assert by_path["measures_by_channel.minimum_living.measures"][1] == 1
    assert all(label for label, _ in by_path.values())


def test_the_workbook_carries_the_canonical_json_and_a_hash_checkable_outside(close_2015):
    header, *rows = sheets(close_workbook(close_2015))["规范JSON与SHA-256"]
    proof = dict(rows)
    assert proof["县(市、区)"] == f"宁化县（{NINGHUA}）"
    assert (proof["年度"], proof["状态"], proof["锁定人"]) == (2015, "已锁定", "reviewer")
    assert proof["锁定时间"] == "2016-02-01 09:30"  # Beijing time
    assert proof["规范JSON"] == close_2015.figures
    # As a reader of the workbook would check it: the cell's UTF-8 hashed, no application code.
    assert hashlib.sha256(proof["规范JSON"].encode("utf-8")).hexdigest() == proof["SHA-256"] == close_2015.figures_sha256
    assert proof["SHA-256与规范JSON相符"] == "是"


def test_a_county_year_never_accepted_has_nothing_to_export(registry):
    close = YearClose.objects.create(county_id=NINGHUA, year=2016, state=YearClose.State.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        close_workbook(close)
    assert "尚未锁定" in str(refused.value.message_dict["figures"])


def test_the_download_is_logged(close_2015, city_reviewer):
    request = RequestFactory().get("/")
    request.user = city_reviewer
    response = close_response(request, close_2015, door="api")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.door, log.filters) == (city_reviewer, "year_close", "api",
                                                            {"county": NINGHUA, "year": "2015"})


# ---------------------------------------------------------------- the doors that download it

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_api_downloads_an_accepted_close_and_refuses_one_never_accepted(close_2015, city_reviewer, datian_clerk):
    response = api_as(city_reviewer).get(f"/api/v1/closes/{NINGHUA}-2015/export/")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert dict(sheets(response.content)["规范JSON与SHA-256"][1:])["SHA-256"] == close_2015.figures_sha256
    never = api_as(city_reviewer).get(f"/api/v1/closes/{NINGHUA}-2016/export/")
    assert never.status_code == 400 and "尚未锁定" in str(never.json())
    # 宁化县 is not 大田县's clerk's to see: not found, nothing logged for it.
    assert api_as(datian_clerk).get(f"/api/v1/closes/{NINGHUA}-2015/export/").status_code == 404
    assert api_as(datian_clerk).get(f"/api/v1/closes/{DATIAN}-2015/export/").status_code == 400
    assert list(ExportLog.objects.values_list("door", flat=True)) == ["api"]


def test_the_bureau_page_links_and_serves_the_download(close_2015, city_reviewer):
    client = Client()
    client.force_login(city_reviewer)
    page = reverse("dashboard:close", args=[f"{NINGHUA}-2015"])
    assert "?download=figures" in client.get(page).content.decode()
    response = client.get(page, {"download": "figures"})
    assert response["Content-Type"] == XLSX
    assert sheets(response.content)["规范JSON与SHA-256"]
    # A county-year never accepted offers nothing to download, and asking shows the page.
    open_page = reverse("dashboard:close", args=[f"{NINGHUA}-2016"])
    assert "?download=figures" not in client.get(open_page).content.decode()
    assert client.get(open_page, {"download": "figures"})["Content-Type"].startswith("text/html")


def test_the_admin_exports_one_selected_close(close_2015, city_reviewer):
    client = Client()
    client.force_login(city_reviewer)
    url = reverse("admin:households_yearclose_changelist")
    response = client.post(url, {"action": "export_figures", ACTION_CHECKBOX_NAME: [close_2015.pk]})
    assert response["Content-Type"] == XLSX
    assert ExportLog.objects.get().door == "admin"
