"""What the tests on a real PostgreSQL that commit share (transaction=True: races between connections,
a worker process killed): the reference data loaded again around them, and a lock held from a
connection of the test's own while it watches who waits for it."""

import threading
import time
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

from households.services import reference_data_load

# The settings' database, from DATABASE_URL: SQLite serializes every write, PostgreSQL's row and
# table locks and its connections are what these tests are about.
ON_POSTGRESQL = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="needs PostgreSQL (DATABASE_URL): concurrent connections")
REFERENCE = sorted((settings.BASE_DIR / "fixtures").glob("*.json"))
TIMEOUT = 20  # seconds: a request that never reaches the lock, or never finishes, fails the test


@pytest.fixture(scope="module", autouse=True)
def reference_data_after_the_module(django_db_setup, django_db_blocker):
    """After the last test here has flushed the database: the reference data back, as the session
    promised the tests that follow in this worker."""
    yield
    with django_db_blocker.unblock():
        reference_data_load(paths=REFERENCE)
        # Closed here, outside any test: while the browser tests' Playwright runs its event loop in
        # this thread, Django keeps this thread's connections apart (asgiref's Local), and the
        # session's end would not close this one: the test database could not be dropped.
        connection.close()


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Runs queries. The test before this one (here, or a browser test) may have flushed it."""
    reference_data_load(paths=REFERENCE)


@dataclass(frozen=True)
class Wait:
    pid: int
    locktype: str  # relation (a table lock), transactionid or tuple (a row another transaction holds)
    relation: str | None  # the table, for a table lock
    blockers: list[int]  # the backends holding what it waits for


class LockHolder:
    """The test's own connection (not the test's, not a request's), holding a lock in an open
    transaction until release()."""

    def __init__(self, sql: str, params=()):
        self.db = connections.create_connection(DEFAULT_DB_ALIAS)
        self.db.set_autocommit(False)
        with self.db.cursor() as cursor:
            cursor.execute(sql, params)
        self.pid = self.db.connection.get_backend_pid()

    def release(self) -> None:
        if self.db.connection is not None:
            self.db.commit()
            self.db.close()


class Requests:
    """Each call in its own thread, with its own Django connection (closed at the thread's end),
    all started at once by a barrier. A call's answer, or the exception it raised (a 500 in the
    test client), is kept for answers()."""

    def __init__(self, *calls):
        self.results: list = [None] * len(calls)
        barrier = threading.Barrier(len(calls))

        def run(i, call):
            try:
                barrier.wait(timeout=TIMEOUT)
                self.results[i] = call()
            except BaseException as e:  # anything, a 500 included: answers() raises it in the test's thread
                self.results[i] = e
            finally:
                connection.close()

        self.threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
        for thread in self.threads:
            thread.start()

    def finished(self) -> list:
        return [r for t, r in zip(self.threads, self.results) if not t.is_alive()]

    def answers(self) -> list:
        for thread in self.threads:
            thread.join(TIMEOUT)
        assert not any(t.is_alive() for t in self.threads), "a request did not finish"
        for result in self.results:
            if isinstance(result, BaseException):
                raise result
        return self.results


def lock_waits(holder: LockHolder) -> dict[int, Wait]:
    """Runs a query: the backends of this test database, besides the holder, waiting on a lock,
    and what each waits for. Asked from the test's own connection, in autocommit: pg_stat_activity
    is read once per transaction, so the holder (in its transaction) would keep seeing one picture."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT a.pid, l.locktype, l.relation::regclass::text, pg_blocking_pids(a.pid)
               FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
               WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND a.pid <> %s""",
            [holder.pid],
        )
        return {pid: Wait(pid, kind, relation, sorted(blockers)) for pid, kind, relation, blockers in cursor}


def poll(what: str, condition):
    """Runs queries until condition() gives something true, which it returns; fails after TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    while not (found := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.02)
    return found


def waits(count: int, requests: Requests, holder: LockHolder) -> dict[int, Wait]:
    """Until `count` request backends wait on a lock: what each waits for. Fails when a request has
    answered first: then the requests did not overlap."""

    def waiting():
        if requests.finished():
            pytest.fail(f"a request answered before the others came: {requests.finished()}")
        found = lock_waits(holder)
        return found if len(found) >= count else None

    return poll(f"{count} requests wait on a lock", waiting)


