"""Starting jobs, noticing the ones whose worker died, and letting old ones go. The work itself is
the kind's (jobs/kinds.py), run by the task (jobs/tasks.py)."""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.models import DBTaskResult

from common.actors import person

from .kinds import KINDS
from .models import ACTIVE, Job, JobState
from .tasks import run_job


def job_start(*, actor, kind: str, params: dict | None = None, upload: tuple[str, bytes] | None = None) -> Job:
    """Records a job of `kind` for `actor` (its parameters plain JSON; `upload` the file it works
    on, as (name, content)) and hands it to the task backend. A job working on the same file with
    the same parameters while another such runs is refused, naming `file`: a workbook sent twice is
    applied once. Whoever may start the work has been asked by the caller, the kind's own service."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind}")
    params = params or {}
    user = person(actor)
    job = Job(kind=kind, user=user, username=user.get_username() if user else "", params=params)
    if upload is not None:
        name, content = upload
        digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode() + b"\0" + content)
        job.fingerprint, job.upload_name = digest.hexdigest(), name[:255]
        job.upload.save(f"{job.pk}.xlsx", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        if job.upload:
            job.upload.delete(save=False)
        running = Job.objects.filter(kind=kind, fingerprint=job.fingerprint, state__in=ACTIVE).first()
        when = f"（{timezone.localtime(running.created_at):%H:%M} 提交）" if running else ""
        raise ValidationError({"file": f"同一个文件正在处理{when}，请等它完成后查看结果，不要重复提交"}) from None
    immediate = isinstance(run_job.get_backend(), ImmediateBackend)
    run_job.enqueue(str(job.pk), beats=not immediate)
    job.refresh_from_db()
    return job


def stale_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)


def jobs_expire(*, jobs=None) -> int:
    """Marks failed the running jobs (of `jobs`, or all) whose heartbeat is older than
    JOB_STALE_SECONDS: their worker is gone (killed, its machine down). Their work was in one
    transaction, which the database rolled back with the worker's connection: nothing was written."""
    jobs = Job.objects.all() if jobs is None else jobs
    return jobs.filter(state=JobState.RUNNING, heartbeat_at__lt=stale_before()).update(
        state=JobState.FAILED, finished_at=timezone.now(),
        error=f"执行任务的后台进程已停止（超过 {settings.JOB_STALE_SECONDS} 秒没有心跳），任务未完成，没有写入任何记录；请重新提交")


def job_refresh(job: Job) -> Job:
    """The job as it stands, marked failed first if its worker is gone."""
    if job.state == JobState.RUNNING and jobs_expire(jobs=Job.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    return job


def jobs_clean(*, days: int | None = None) -> dict[str, int]:
    """Marks failed the jobs whose worker is gone, then deletes the finished jobs older than
    `days` (JOB_RETENTION_DAYS) with their files, and the database queue's own rows of the tasks
    that ended before then (django-tasks-db keeps every one, with its arguments, until pruned)."""
    expired = jobs_expire()
    cutoff = timezone.now() - datetime.timedelta(days=settings.JOB_RETENTION_DAYS if days is None else days)
    old = Job.objects.filter(state__in=[JobState.DONE, JobState.FAILED], created_at__lt=cutoff)
    deleted = 0
    for job in old.iterator():
        for stored in (job.upload, job.result):
            if stored:
                stored.delete(save=False)
        job.delete()
        deleted += 1
    DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return {"expired": expired, "deleted": deleted}
