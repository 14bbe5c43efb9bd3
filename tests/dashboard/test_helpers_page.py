"""/dashboard/helpers/: the helpers' four reports as the user sees them, narrowed by county, each
table exported as a logged workbook."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from households.models import ExportLog
from tests.conftest import DATIAN, NINGHUA
from tests.helper_registry import build_helper_registry

from .conftest import shown_rows, shown_table

pytestmark = pytest.mark.django_db

URL = "/dashboard/helpers/"


@pytest.fixture
def helpers(places, settings):
    settings.HELPER_HOUSEHOLD_CEILING = 2
    return build_helper_registry(places)


def test_the_page_shows_the_four_reports_of_the_clerks_county(helpers, client, ninghua_clerk):
    assert reverse("dashboard:helpers") == URL
    client.force_login(ninghua_clerk)
    response = client.get(URL)
    assert list(response.context["tables"]) == ["without_helper", "over_ceiling", "due_visits", "visits_by_unit"]
    assert set(shown_rows(response, "without_helper")) == {"NH-H5", "NH-H6"}
    assert shown_rows(response, "without_helper")["NH-H6"]["原帮扶责任人"] == "张帮扶"
    over = shown_rows(response, "over_ceiling")
    assert set(over) == {"张帮扶"} and over["张帮扶"]["现帮扶户数"] == "3" and over["张帮扶"]["联系电话"] == "13800001111"
    due = shown_rows(response, "due_visits")
    assert list(due) == ["NH-H2", "NH-H3"] and due["NH-H3"]["未走访天数"] == "100"
    assert {row[1] for row in shown_table(response, "visits_by_unit")[1:]} == {"宁化县扶贫办", "宁化县教育局"}
    page = response.content.decode()
    assert reverse("dashboard:household", args=[helpers.h2.pk]) in page
    assert "DT-D" not in page and "陈帮扶" not in page
    assert "?export=due_visits" in page and f'href="{URL}"' in page  # the export, and the nav's link


def test_the_county_filter_narrows_the_reviewers_page(helpers, client, city_reviewer, ninghua_clerk):
    client.force_login(city_reviewer)
    everything = client.get(URL)
    assert set(shown_rows(everything, "due_visits")) == {"NH-H2", "NH-H3", "DT-D2"}
    datian = client.get(URL, {"county": DATIAN})
    assert set(shown_rows(datian, "due_visits")) == {"DT-D2"} and set(shown_rows(datian, "without_helper")) == {"DT-D1"}
    assert list(shown_rows(datian, "over_ceiling")) == ["暂无数据"]
    client.force_login(ninghua_clerk)
    assert client.get(URL, {"county": DATIAN}).status_code == 400  # not a county of theirs


def test_a_department_sees_its_households_and_the_helpers_phones_masked(helpers, client, health_department):
    client.force_login(health_department)
    due = shown_rows(client.get(URL), "due_visits")
    assert {row["联系电话"] for row in due.values()} == {"138****1111", "138****2222", "139****4444"}


def test_each_table_exports_as_a_logged_workbook(helpers, client, ninghua_clerk):
    client.force_login(ninghua_clerk)
    response = client.get(URL, {"county": NINGHUA, "export": "due_visits"})
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "户编号" and [r[0] for r in rows[1:]] == ["NH-H2", "NH-H3"]
    log = ExportLog.objects.get()
    assert (log.kind, log.door, log.rows, log.filters["county"]) == ("dashboard.due_visits", "page", 2, NINGHUA)


def test_the_page_needs_a_role(helpers, client, django_user_model):
    assert client.get(URL).status_code == 302
    client.force_login(django_user_model.objects.create_user("nobody", is_staff=True))
    assert client.get(URL).status_code == 403
