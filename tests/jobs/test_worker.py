"""A real worker (`manage.py db_worker`, a process of its own on the test database) killed with
SIGKILL in the middle of an import: the registry is as it was (the import is one transaction, which
PostgreSQL rolls back with the worker's connection), and the job, silent, is failed with the reason
once its heartbeat is stale.

The kill lands mid-import, not before or after: the test holds a lock on the members' table (reads
pass, writes wait) until PostgreSQL shows the worker's import waiting at its first write of a
member, its households already written in its transaction; then the worker is killed."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from households.models import Household
from households.services.jobs import import_job_start
from jobs.models import Job
from jobs.services import job_refresh
from tests.factories import VillageFactory
from tests.households.test_workbook import row, xlsx
from tests.postgres import (  # noqa: F401  (the reference-data fixtures are used by being here)
    ON_POSTGRESQL,
    LockHolder,
    lock_waits,
    poll,
    reference_data,
    reference_data_after_the_module,
)

pytestmark = [ON_POSTGRESQL, pytest.mark.django_db(transaction=True)]

IN_THE_DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def worker() -> subprocess.Popen:
    """`manage.py db_worker` on the test's database, beating every 0.2 s."""
    db = connection.settings_dict
    env = {**os.environ, "DEBUG": "1", "TASKS_BACKEND": "db", "MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "JOB_HEARTBEAT_SECONDS": "0.2",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    if "replica" in settings.DATABASES:  # the same test database, on the replica (settings' TEST MIRROR)
        replica = settings.DATABASES["replica"]
        env["DATABASE_REPLICA_URL"] = f"postgres://{replica['USER']}@{replica['HOST']}:{replica['PORT']}/{db['NAME']}"
    return subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
                             "--interval", "0.1", "--verbosity", "0"], cwd=settings.BASE_DIR, env=env)


def test_a_worker_killed_during_an_import_leaves_the_registry_unchanged_and_the_job_failed(ninghua_clerk):
    village = VillageFactory(code="350424101201", township__code="350424101")
    data = xlsx([row(f"K{i}", village.code) for i in range(3)])
    with override_settings(TASKS=IN_THE_DATABASE):
        job = import_job_start(actor=ninghua_clerk, name="宁化.xlsx", content=data, dry_run=False, reason="")
    assert job.state == Job.State.QUEUED
    holder = LockHolder("LOCK TABLE households_member IN SHARE MODE")
    process = worker()
    try:
        waiting = poll("the worker's import waits at its first write of a member",
                       lambda: [w for w in lock_waits(holder).values() if w.relation == "households_member"])
        assert waiting[0].blockers == [holder.pid]
        job.refresh_from_db()
        assert job.state == Job.State.RUNNING and job.heartbeat_at is not None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        holder.release()
        if process.poll() is None:
            process.kill()
    # The worker's backend, free again, finds its client gone and rolls its transaction back.
    poll("the killed worker's connection has ended", lambda: not _backend_alive(waiting[0].pid))
    assert not Household.objects.filter(number__startswith="K").exists()
    with override_settings(JOB_STALE_SECONDS=1):
        time.sleep(1.5)
        failed = job_refresh(Job.objects.get(pk=job.pk))
    assert failed.state == Job.State.FAILED
    assert "没有心跳" in failed.error and "没有写入任何记录" in failed.error


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] > 0
