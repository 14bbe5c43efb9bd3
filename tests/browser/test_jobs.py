"""The bureau exports from the households' list in a real browser: the button starts a job, whose page
follows it while a worker runs it (progress.js polling the job's API) and offers the file at the end."""

import datetime
import io

import pytest
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from jobs.models import Job
from jobs.runner import job_run
from tests.factories import VillageFactory, household

pytestmark = pytest.mark.django_db(transaction=True)

# Jobs wait in the queue: the test plays the worker, so the page is seen before, during and after.
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


@override_settings(TASKS=QUEUED_ONLY)
def test_the_export_page_follows_its_job_and_offers_the_file(page):
    village = VillageFactory(code="350424101201", township__code="350424101")
    household(number="350424101201-0007", village=village)
    page.goto("/admin/households/household/")
    page.click("text=导出Excel（当前筛选）")
    page.wait_for_url("**/admin/jobs/job/*/change/")
    assert page.text_content("#job-state") == "排队中"
    job = Job.objects.get()

    # What a worker's heartbeat writes, half-way: the bar and the count follow without a reload.
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=timezone.now(),
                                         heartbeat_at=timezone.now(), done=50, total=100, stage="写出")
    page.wait_for_function("document.getElementById('job-bar').value === 50", timeout=5000)
    assert page.text_content("#job-count") == "50 / 100"
    assert page.text_content("#job-stage") == "写出"
    assert page.text_content("#job-state") == "进行中"

    # The worker finishes: the page reloads itself and offers the file.
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED, done=0, total=None, stage="",
                                         heartbeat_at=timezone.now() - datetime.timedelta(seconds=1))
    job_run(job.pk, beats=False)
    link = page.wait_for_selector("a.button:has-text('下载')", timeout=5000)
    assert "已导出 1 户" in page.text_content(".job-done")
    with page.expect_download() as download:
        link.click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).worksheets[0]
    assert [r[4].value for r in sheet.iter_rows(min_row=2)] == ["350424101201-0007"]
