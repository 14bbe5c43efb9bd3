"""The in-tray and audit pages, the pending exits beside the progress numbers, and the admin's lists."""

import io

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from households.audit import enabled_checks
from households.models import County, ExportLog, Household
from jobs.models import Job
from tests.dashboard.conftest import shown_rows, shown_table
from tests.factories import household
from tests.workflows.steps import D, application
from workflows import services


@pytest.fixture
def flawed(poor, datian_village):
    other = household(village=datian_village, number="DT-1", main_cause_id="lack_funds")
    Household.objects.filter(pk__in=[poor.pk, other.pk]).update(income_per_capita=0)
    return poor, other


def test_the_pages_need_a_login_and_a_role(client, django_user_model):
    for name in ("dashboard:audit", "dashboard:in_tray"):
        assert client.get(reverse(name)).status_code == 302
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get(reverse("dashboard:audit")).status_code == 403


def test_the_audit_page_lists_each_finding_of_the_users_counties_with_a_link(client, flawed, ninghua_clerk):
    poor, _ = flawed
    client.force_login(ninghua_clerk)
    response = client.get(reverse("dashboard:audit"))
    assert response.status_code == 200
    [header, row] = shown_table(response, "findings")
    assert row[:3] == ["宁化县", "人均纯收入为零", "NH-1"]
    assert f'href="/dashboard/household/{poor.pk}/"' in response.content.decode()
    assert shown_rows(response, "counts")["宁化县"]["合计"] == "1"


def test_the_audit_page_filters_by_county_and_exports_what_it_shows(client, flawed, city_reviewer):
    client.force_login(city_reviewer)
    assert len(shown_table(client.get(reverse("dashboard:audit")), "findings")) == 3
    assert len(shown_table(client.get(reverse("dashboard:audit"), {"county": "350425"}), "findings")) == 2
    assert client.get(reverse("dashboard:audit"), {"county": "999999"}).status_code == 400
    response = client.get(reverse("dashboard:audit"), {"export": "findings"})
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 3 and ExportLog.objects.get().kind == "dashboard.findings"


def test_the_audit_page_narrows_to_one_check(client, flawed, city_reviewer):
    client.force_login(city_reviewer)
    every = shown_table(client.get(reverse("dashboard:audit")), "findings")[1:]
    check = every[0][1]
    code = next(c.code for c in enabled_checks() if c.name == check)
    response = client.get(reverse("dashboard:audit"), {"check": code})
    assert shown_table(response, "findings")[1:] == [row for row in every if row[1] == check]
    # The counts name the one check only.
    assert shown_table(response, "counts")[0] == ["县(市、区)", "合计", "其中已说明", check]
    assert client.get(reverse("dashboard:audit"), {"check": "no_such_check"}).status_code == 400
    # A count links to the findings behind it.
    county = County.objects.get(name=every[0][0]).code
    page = client.get(reverse("dashboard:audit")).content.decode()
    assert f'href="?county={county}&amp;check={code}"' in page and f'href="?county={county}"' in page


def test_the_in_tray_page_shows_what_waits_on_whom(client, village, ninghua_clerk, datian_clerk):
    application(village, ninghua_clerk)
    client.force_login(ninghua_clerk)
    response = client.get(reverse("dashboard:in_tray"))
    [row] = shown_rows(response, "in_tray").values()
    assert (row["户编号或申请人"], row["当前环节"], row["等待"]) == ("李四", "农户申请", "村")
    assert "村 <strong>1</strong> 件" in response.content.decode()
    client.force_login(datian_clerk)
    assert len(shown_table(client.get(reverse("dashboard:in_tray")), "in_tray")) == 2  # header, 暂无数据


def test_the_progress_pages_show_pending_exits_beside_the_quota(client, poor, ninghua_clerk):
    services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=D)
    client.force_login(ninghua_clerk)
    overview = shown_rows(client.get(reverse("dashboard:overview"), {"year": "2016"}), "progress")
    assert overview["宁化县"]["待批准脱贫人数"] == "2"
    county = shown_rows(client.get(reverse("dashboard:county", args=["350424"])), "progress")
    assert county["2016年"]["待批准脱贫人数"] == "2" and county["2016年"]["脱贫人数"] == "0"
    assert county["2015年"]["待批准脱贫人数"] == "0"


def test_the_admin_lists_cases_with_the_in_tray_counts(client, village, ninghua_clerk, datian_clerk):
    application(village, ninghua_clerk)
    client.force_login(ninghua_clerk)
    page = client.get(reverse("admin:workflows_case_changelist")).content.decode()
    assert "村（1）" in page and "李四" in page
    assert "李四" in client.get(reverse("admin:workflows_case_changelist"), {"waits_on": "village"}).content.decode()
    assert "李四" not in client.get(reverse("admin:workflows_case_changelist"), {"waits_on": "county"}).content.decode()
    client.force_login(datian_clerk)
    assert "李四" not in client.get(reverse("admin:workflows_case_changelist")).content.decode()


def test_the_admin_shows_a_case_with_its_steps(client, poor, ninghua_clerk):
    case = services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=D)
    client.force_login(ninghua_clerk)
    page = client.get(reverse("admin:workflows_case_change", args=[case.pk]))
    assert page.status_code == 200 and "预退出" in page.content.decode() and "clerk_ninghua" in page.content.decode()


def test_the_audit_page_shows_its_recent_run_and_runs_again_on_request(client, flawed, city_reviewer):
    client.force_login(city_reviewer)
    url = reverse("dashboard:audit")
    assert len(shown_table(client.get(url), "findings")) == 3
    assert len(shown_table(client.get(url), "findings")) == 3
    assert Job.objects.filter(kind="households.audit").count() == 1  # the second visit read the first run
    Household.objects.filter(pk=flawed[0].pk).update(income_per_capita=100)  # fixed since the run
    assert len(shown_table(client.get(url), "findings")) == 3  # the run's findings, with its time
    response = client.post(url)
    assert response.status_code == 302 and response.url == url
    assert len(shown_table(client.get(url), "findings")) == 2
    assert Job.objects.filter(kind="households.audit").count() == 2


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}})
def test_the_audit_page_follows_its_run_until_it_is_done(client, flawed, city_reviewer):
    client.force_login(city_reviewer)
    page = client.get(reverse("dashboard:audit")).content.decode()
    job = Job.objects.get(kind="households.audit")
    assert job.state == Job.State.QUEUED
    assert "核查中" in page and f'data-status-url="/api/v1/jobs/{job.pk}/"' in page and "<progress" in page


def test_the_audit_page_lists_the_first_findings_and_exports_them_all(client, flawed, city_reviewer, monkeypatch):
    monkeypatch.setattr("dashboard.views.work.FINDINGS_SHOWN", 1)
    client.force_login(city_reviewer)
    response = client.get(reverse("dashboard:audit"))
    assert len(shown_table(response, "findings")) == 1 + 1  # the header and one of the two findings
    assert "本页显示前 1 行，共 2 行；导出 Excel 含全部。" in response.content.decode()
    exported = client.get(reverse("dashboard:audit"), {"export": "findings"})
    assert load_workbook(io.BytesIO(exported.content)).worksheets[0].max_row == 1 + 2
