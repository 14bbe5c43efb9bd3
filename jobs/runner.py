"""Running a job: its progress and a heartbeat written on the side, so that the job's page moves while
the work holds its own transaction, and a job whose worker died shows as failed."""

import logging
import threading

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from common.replica import call_reading_replica

from .kinds import KINDS
from .models import Job, JobState

logger = logging.getLogger(__name__)


class Progress:
    """What a job tells on its way (done of total, in a stage); a Heartbeat writes the latest."""

    def __init__(self):
        self.done, self.total, self.stage = 0, None, ""

    def __call__(self, done: int, total: int | None = None, stage: str | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if stage is not None:
            self.stage = stage


class Heartbeat(threading.Thread):
    """Every JOB_HEARTBEAT_SECONDS, on a connection of its own (the work's may be inside a
    transaction, whose writes nobody sees until it ends): the job's progress and the time. Stops
    with stop(); dies with its process, which is how a killed worker shows (JOB_STALE_SECONDS)."""

    def __init__(self, job_id, progress: Progress):
        super().__init__(name=f"heartbeat-{job_id}", daemon=True)
        self.job_id, self.progress = job_id, progress
        self.stopped = threading.Event()

    def beat(self) -> None:
        Job.objects.filter(pk=self.job_id, state=JobState.RUNNING).update(
            done=self.progress.done, total=self.progress.total, stage=self.progress.stage[:60],
            heartbeat_at=timezone.now())

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    self.beat()
                except Exception:  # a beat lost (the database busy): the next one may pass
                    logger.warning("job %s: heartbeat not written", self.job_id, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=settings.JOB_HEARTBEAT_SECONDS * 3)


class JobFailed(Exception):
    """A job that cannot do its work, with a reason the user can act on (a file it cannot read):
    the job fails with that message."""


def failure_message(error: BaseException) -> str:
    """What the user reads of why a job failed: the reason of an expected refusal, or that an
    internal error happened (logged with its traceback)."""
    if isinstance(error, (JobFailed, PermissionDenied)):
        return str(error) or "没有权限"
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return f"内部错误（{type(error).__name__}），已记录，请联系管理员"


def job_run(job_id, *, beats: bool) -> None:
    """Runs a queued job once: it is claimed (queued → running), its kind's work runs with a
    Progress (written by a Heartbeat when `beats`: a job run by a worker), and it ends done with
    its outcome and file, or failed with the reason. A job already claimed, or gone, is left alone."""
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(state=JobState.RUNNING, started_at=now,
                                                                       heartbeat_at=now):
        return
    job = Job.objects.get(pk=job_id)
    progress = Progress()
    heartbeat = Heartbeat(job.pk, progress) if beats else None
    if heartbeat:
        heartbeat.start()
    try:
        kind = KINDS[job.kind]
        outcome = call_reading_replica(kind.run, job, progress) if kind.reads_replica else kind.run(job, progress)
    except BaseException as error:
        if heartbeat:
            heartbeat.stop()
        if not isinstance(error, (JobFailed, ValidationError, PermissionDenied)):
            logger.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, finished_at=timezone.now(),
                                             error=failure_message(error), done=progress.done, stage=progress.stage)
        if not isinstance(error, Exception):
            raise  # a worker told to stop (SystemExit, KeyboardInterrupt) stops
        return
    if heartbeat:
        heartbeat.stop()
    if outcome.file:
        name, content = outcome.file
        job.result.save(f"{job.pk}-{name}", ContentFile(content), save=False)
        job.result_name = name
    Job.objects.filter(pk=job.pk).update(
        state=JobState.DONE, finished_at=timezone.now(), summary=outcome.summary[:500], outcome=outcome.data,
        result=job.result.name, result_name=job.result_name, done=progress.total or progress.done,
        total=progress.total, stage="完成")
