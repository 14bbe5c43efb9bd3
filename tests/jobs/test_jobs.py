"""Long work as jobs (issue 17): the API answers 202 with the job for a large import or export and the
job carries the same report or the file; a job is its user's (the reviewer's and superusers' too);
a workbook sent twice while the first runs is refused; a job whose worker went silent is failed;
old jobs go. The jobs run in the request here (the immediate backend of the tests), or are left
queued (the dummy backend) where a test needs them waiting."""

import datetime
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from common.actors import SYSTEM
from households.models import Household
from households.services.jobs import import_job_start
from jobs.models import Job
from jobs.runner import job_run
from tests.conftest import api_as
from tests.factories import household
from tests.households.test_workbook import row, xlsx

pytestmark = pytest.mark.django_db

API = "/api/v1/"
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


def post_import(client, data: bytes, **fields):
    return client.post(f"{API}households/import/", {"file": SimpleUploadedFile("宁化.xlsx", data), **fields},
                       format="multipart")


@override_settings(JOB_IMPORT_BYTES=1)
def test_a_large_import_through_the_api_is_a_job_with_the_same_report(village, ninghua_clerk):
    client = api_as(ninghua_clerk)
    response = post_import(client, xlsx([row("H1", village.code), row("H2", village.code, 与户主关系="配偶")]))
    assert response.status_code == 202
    job = response.json()
    assert response["Location"] == job["url"] and job["state"] == "done"
    assert job["outcome"]["refused_rows"] == 1 and "每户必须有一名户主" in str(job["outcome"]["problems"])
    report = client.get(job["result"])
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).worksheets[0]
    assert [c.value for c in sheet[2]][1] == "H2"
    assert not Household.objects.exists()
    done = post_import(client, xlsx([row("H1", village.code), row("H2", village.code)])).json()
    assert (done["state"], done["outcome"]["written"]) == ("done", True)
    assert client.get(done["url"]).json()["summary"].startswith("导入完成：贫困户：新增 2")
    assert set(Household.objects.values_list("number", flat=True)) == {"H1", "H2"}


@override_settings(JOB_EXPORT_HOUSEHOLDS=0)
def test_a_large_export_through_the_api_is_a_job_whose_file_only_its_user_takes(village, ninghua_clerk,
                                                                                 datian_clerk, city_reviewer):
    household(number="N1", village=village)
    response = api_as(ninghua_clerk).get(f"{API}households/export/")
    assert response.status_code == 202
    job = response.json()
    file = api_as(ninghua_clerk).get(job["result"])
    sheet = load_workbook(io.BytesIO(b"".join(file.streaming_content))).worksheets[0]
    assert [r[4].value for r in sheet.iter_rows(min_row=2)] == ["N1"]
    # Another clerk is told there is no such job; the reviewer follows every county's work.
    assert api_as(datian_clerk).get(job["url"]).status_code == 404
    assert api_as(datian_clerk).get(job["result"]).status_code == 404
    assert api_as(datian_clerk).get(f"{API}jobs/").json()["results"] == []
    assert api_as(city_reviewer).get(job["result"]).status_code == 200


@override_settings(JOB_IMPORT_BYTES=1, TASKS=QUEUED_ONLY)
def test_a_workbook_sent_again_while_it_is_imported_is_refused_and_applied_once(village, ninghua_clerk):
    client = api_as(ninghua_clerk)
    data = xlsx([row("H1", village.code)])
    first = post_import(client, data)
    assert (first.status_code, first.json()["state"]) == (202, "queued")
    again = post_import(client, data)
    assert again.status_code == 400 and "同一个文件正在处理" in again.json()["file"][0]
    preview = post_import(client, data, dry_run=True)  # a preview of it is other work
    assert preview.status_code == 202
    job_run(first.json()["id"], beats=False)
    assert Household.objects.count() == 1
    job_run(first.json()["id"], beats=False)  # a job runs once
    assert Job.objects.get(pk=first.json()["id"]).state == Job.State.DONE
    later = post_import(client, data)  # once done, the same workbook may come again: it changes nothing
    job_run(later.json()["id"], beats=False)
    assert Job.objects.get(pk=later.json()["id"]).outcome["households"] == {"new": 0, "update": 0, "skip": 1}


@override_settings(JOB_IMPORT_BYTES=1, IMPORT_MAX_BYTES=1000)
def test_a_workbook_over_the_size_limit_is_refused_at_once_naming_the_limit(village, ninghua_clerk):
    response = post_import(api_as(ninghua_clerk), xlsx([row("H1", village.code)]))
    assert response.status_code == 400
    assert "MB 的上限" in response.json()["file"][0]
    assert not Job.objects.exists()


def test_an_import_job_is_refused_to_whoever_may_import_nowhere(village, city_reviewer):
    with pytest.raises(Exception, match="不能导入"):
        import_job_start(actor=city_reviewer, name="a.xlsx", content=xlsx([row("H1", village.code)]), dry_run=False, reason="")
    assert not Job.objects.exists()


@override_settings(TASKS=QUEUED_ONLY, JOB_STALE_SECONDS=30)
def test_a_job_whose_heartbeat_stopped_is_failed_with_the_reason(village, ninghua_clerk):
    job = import_job_start(actor=ninghua_clerk, name="a.xlsx", content=xlsx([row("H1", village.code)]), dry_run=False, reason="")
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING,
                                         heartbeat_at=timezone.now() - datetime.timedelta(seconds=29))
    assert api_as(ninghua_clerk).get(f"{API}jobs/{job.pk}/").json()["state"] == "running"
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=31))
    answer = api_as(ninghua_clerk).get(f"{API}jobs/{job.pk}/").json()
    assert answer["state"] == "failed" and "没有心跳" in answer["error"]


def test_old_jobs_and_their_files_go(village, ninghua_clerk):
    old = import_job_start(actor=ninghua_clerk, name="a.xlsx", content=xlsx([row("H1", village.code), row("H2", village.code, 与户主关系="配偶")]),
                           dry_run=True, reason="")
    fresh = import_job_start(actor=SYSTEM, name="b.xlsx", content=xlsx([row("H3", village.code)]), dry_run=True, reason="")
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    files = [old.upload.path, Job.objects.get(pk=old.pk).result.path]
    call_command("clean_jobs", verbosity=0)
    assert list(Job.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not any(os.path.exists(f) for f in files)


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}})
def test_the_queues_rows_of_tasks_that_ended_long_ago_go(village, ninghua_clerk):
    for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
        import_job_start(actor=ninghua_clerk, name=name, content=xlsx([row(name, village.code)]), dry_run=True, reason="")
    old, fresh, waiting = DBTaskResult.objects.order_by("enqueued_at")
    DBTaskResult.objects.filter(pk=old.pk).update(status="SUCCESSFUL", finished_at=timezone.now() - datetime.timedelta(days=8))
    DBTaskResult.objects.filter(pk=fresh.pk).update(status="FAILED", finished_at=timezone.now() - datetime.timedelta(days=1))
    call_command("clean_jobs", verbosity=0)
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {fresh.pk, waiting.pk}
