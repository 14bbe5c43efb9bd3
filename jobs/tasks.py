"""The one task of Django's tasks API this project enqueues: run a job (jobs/runner.py)."""

from django_tasks import task

from .runner import job_run


@task()
def run_job(job_id: str, *, beats: bool = True) -> None:
    """A worker runs the job with a heartbeat; a job run in the request that started it (the
    immediate backend: the tests) needs none."""
    job_run(job_id, beats=beats)
