"""/api/v1/helper-reports/…/: the four reports by page, scoped, and each `export/` a workbook of
the same rows, read back, logged like every export."""

import io

import pytest
from openpyxl import load_workbook

from households.models import ExportLog
from tests.conftest import NINGHUA, api_as
from tests.helper_registry import build_helper_registry

pytestmark = pytest.mark.django_db

URL = "/api/v1/helper-reports/"
REPORTS = ["without-helper", "over-ceiling", "due-visits", "visits-by-unit"]


@pytest.fixture
def helpers(places):
    return build_helper_registry(places)


def sheet(response) -> list[dict]:
    rows = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row)) for row in rows]


def test_each_report_lists_what_the_clerk_sees(helpers, ninghua_clerk, datian_clerk):
    client = api_as(ninghua_clerk)
    answer = client.get(f"{URL}without-helper/").json()
    assert answer["count"] == 2 and [r["number"] for r in answer["results"]] == ["NH-H5", "NH-H6"]
    assert answer["results"][1]["previous_helper"] == "张帮扶"
    due = client.get(f"{URL}due-visits/").json()["results"]
    assert [(r["number"], r["helper_name"], r["helper_phone"], r["days"]) for r in due] == [
        ("NH-H2", "张帮扶", "13800001111", 200), ("NH-H3", "李帮扶", "13800002222", 100)]
    over = client.get(f"{URL}over-ceiling/", {"ceiling": 2}).json()["results"]
    assert [(r["name"], r["households"], r["ceiling"], r["level"]) for r in over] == [("张帮扶", 3, 2, "cadre")]
    units = client.get(f"{URL}visits-by-unit/").json()["results"]
    assert {r["unit"] for r in units} == {"宁化县扶贫办", "宁化县教育局"} and sum(r["visits"] for r in units) == 4
    other = api_as(datian_clerk)
    assert [r["number"] for r in other.get(f"{URL}without-helper/").json()["results"]] == ["DT-D1"]
    assert other.get(f"{URL}visits-by-unit/").json()["results"] == []
    assert other.get(f"{URL}without-helper/", {"county": NINGHUA}).json()["results"] == []


def test_the_reports_page_like_every_list(helpers, city_reviewer):
    client = api_as(city_reviewer)
    first = client.get(f"{URL}without-helper/", {"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    assert len(client.get(first["next"]).json()["results"]) == 1


@pytest.mark.parametrize("report, query, field", [
    ("without-helper", {"countyy": NINGHUA}, "countyy"), ("over-ceiling", {"ceiling": "-1"}, "ceiling"),
    ("due-visits", {"days": "soon"}, "days"), ("visits-by-unit", {"year": "2016x"}, "year"),
    ("due-visits", {"county": "35"}, "county"), ("over-ceiling/export", {"month": "1"}, "month"),
])
def test_bad_input_is_a_400_naming_the_parameter(helpers, ninghua_clerk, report, query, field):
    response = api_as(ninghua_clerk).get(f"{URL}{report}/", query)
    assert response.status_code == 400 and list(response.json()) == [field]
    assert not ExportLog.objects.exists()


def test_each_export_is_the_list_as_a_logged_workbook(helpers, ninghua_clerk):
    client = api_as(ninghua_clerk)
    due = sheet(client.get(f"{URL}due-visits/export/"))
    assert [(r["户编号"], r["帮扶责任人"], r["联系电话"], r["未走访天数"]) for r in due] == [
        ("NH-H2", "张帮扶", "13800001111", 200), ("NH-H3", "李帮扶", "13800002222", 100)]
    without = sheet(client.get(f"{URL}without-helper/export/"))
    assert [(r["户编号"], r["状态"], r["原帮扶责任人"]) for r in without] == [("NH-H5", "在册", None), ("NH-H6", "返贫", "张帮扶")]
    over = sheet(client.get(f"{URL}over-ceiling/export/", {"ceiling": 1}))
    assert [(r["姓名"], r["级别"], r["现帮扶户数"]) for r in over] == [("张帮扶", "一般干部", 3), ("李帮扶", "一般干部", 2)]
    units = sheet(client.get(f"{URL}visits-by-unit/export/"))
    assert sum(r["走访次数"] for r in units) == 4
    logs = list(ExportLog.objects.order_by("at", "id").values_list("kind", "door", "rows", "username", "filters"))
    assert logs == [
        ("helper_reports.due-visits", "api", 2, "clerk_ninghua", {}),
        ("helper_reports.without-helper", "api", 2, "clerk_ninghua", {}),
        ("helper_reports.over-ceiling", "api", 2, "clerk_ninghua", {"ceiling": "1"}),
        ("helper_reports.visits-by-unit", "api", len(units), "clerk_ninghua", {}),
    ]


def test_another_countys_reader_sees_a_helpers_phone_masked(helpers, health_department):
    client = api_as(health_department)
    due = client.get(f"{URL}due-visits/").json()["results"]
    assert {r["helper_phone"] for r in due} == {"138****1111", "139****4444", "138****2222"}
    rows = sheet(client.get(f"{URL}due-visits/export/"))
    assert {r["联系电话"] for r in rows} == {"138****1111", "139****4444", "138****2222"}
    assert "13800001111" not in client.get(f"{URL}due-visits/export/").content.decode("latin-1")


def test_the_reports_need_an_account_with_a_role(helpers, client, django_user_model):
    for report in REPORTS:
        assert client.get(f"{URL}{report}/").status_code in (401, 403)
    nobody = api_as(django_user_model.objects.create_user("nobody"))
    assert nobody.get(f"{URL}due-visits/").status_code == 403
