"""Reads on a streaming replica (PostgreSQL's own, docs/scaling.md), when DATABASE_REPLICA_URL is set:
the database router, what decides that a read may go there, and how far the replica is behind.

A read goes to the replica only where a door said its reads may (the dashboards, the exports, the
audits, the API's list reads: ReplicaMiddleware; a job's work: call_reading_replica) and then only
when nothing forbids it: never once the request has written, nor inside a transaction on the
primary (what a write reads must be what it locks), nor for a caller who wrote a moment ago
(read-your-writes: replica_middleware.py), nor for who may see what (accounts, roles, sessions, tokens:
a role taken away holds at the next request, not a replica's lag later), nor while the replica is
down or behind by more than DATABASE_REPLICA_MAX_LAG seconds, which is measured at most every
DATABASE_REPLICA_CHECK_SECONDS per process. A replica that fails under a read makes the work run
again on the primary, with a log line, never an error page."""

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
# Who may see what, and the machinery of requests and jobs: always the primary.
PRIMARY_APPS = {"auth", "authtoken", "sessions", "axes", "contenttypes", "admin", "django_tasks_database"}
PRIMARY_MODELS = {"households.userrole"}
# The replica's failures that make a read run again on the primary: the server gone (stopped,
# unreachable), its connection closed, or a read cancelled by a conflict with the WAL it replays.
REPLICA_FAILURES = (OperationalError, InterfaceError)


@dataclass
class Reads:
    """Where a request's (or a job's) reads may go. `pinned` answers whether its caller wrote a
    moment ago; it is asked at the first read that could go to the replica."""

    eligible: bool = False  # a door said this work's reads may go to the replica
    wrote: bool = False  # it has written (or asked where it would): from then on, the primary
    used: bool = False  # a read went to the replica
    pinned: Callable[[], bool] | None = None

    def may_use_replica(self) -> bool:
        pinned, self.pinned = self.pinned, None  # asked once; what it reads goes to the primary
        if pinned is not None and pinned():
            self.eligible = False
        return self.eligible and not self.wrote


_current: contextvars.ContextVar[Reads | None] = contextvars.ContextVar("replica_reads", default=None)


def current() -> Reads | None:
    return _current.get()


def enter(reads: Reads) -> contextvars.Token:
    return _current.set(reads)


def leave(token: contextvars.Token) -> None:
    _current.reset(token)


def configured() -> bool:
    return REPLICA in settings.DATABASES and settings.DATABASE_REPLICA_READS


def _primary_only(model) -> bool:
    return model._meta.app_label in PRIMARY_APPS or model._meta.label_lower in PRIMARY_MODELS


class ReplicaRouter:
    """Django's database router (settings.DATABASE_ROUTERS, with a replica configured)."""

    def db_for_read(self, model, **hints):
        reads = _current.get()
        if (reads is None or not configured() or _primary_only(model)
                or connections[DEFAULT_DB_ALIAS].in_atomic_block or not reads.may_use_replica()
                or not replica_usable()):
            # Named, not None: Django would otherwise read a replica's object's relations on the replica.
            return DEFAULT_DB_ALIAS
        reads.used = True
        return REPLICA

    def db_for_write(self, model, **hints):
        reads = _current.get()
        if reads is not None:
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two servers

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


# ---------------------------------------------------------------- how far behind, checked now and then


@dataclass
class Health:
    checked: float = float("-inf")  # time.monotonic() of the last check
    usable: bool = False
    reason: str = "not checked yet"


_health = Health()
_health_lock = threading.Lock()


def _primary_lsn() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def replica_lag() -> float | None:
    """Runs a query on each server: how many seconds the replica's data may be behind the primary's
    (0 when it has replayed all the primary had written when asked, otherwise the age of the last
    transaction it replayed); None, with the replica's connection closed, when it cannot answer or
    is not a standby."""
    primary_lsn = _primary_lsn()
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float", [primary_lsn])
            recovering, caught_up, age = cursor.fetchone()
    except DatabaseError as error:
        _close_replica()
        _note(False, f"it does not answer ({_first_line(error)})")
        return None
    if not recovering:
        _note(False, "it is not a standby (pg_is_in_recovery() is false)")
        return None
    if caught_up:
        return 0.0
    return float("inf") if age is None else max(age, 0.0)


def replica_usable() -> bool:
    """Runs two queries at most every DATABASE_REPLICA_CHECK_SECONDS (per process): whether the
    replica answers and is behind by at most DATABASE_REPLICA_MAX_LAG seconds."""
    if time.monotonic() - _health.checked < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return _health.usable
    with _health_lock:
        if time.monotonic() - _health.checked < settings.DATABASE_REPLICA_CHECK_SECONDS:
            return _health.usable
        lag = replica_lag()
        if lag is not None:
            if lag <= settings.DATABASE_REPLICA_MAX_LAG:
                _note(True, f"behind by {lag:.1f} s")
            else:
                _note(False, f"it is behind by {lag:.1f} s, more than DATABASE_REPLICA_MAX_LAG "
                             f"({settings.DATABASE_REPLICA_MAX_LAG:g} s)")
        return _health.usable


def _note(usable: bool, reason: str) -> None:
    """Keeps what the last check found; a log line when it changes (not one a request)."""
    if usable != _health.usable or (not usable and reason != _health.reason):
        if usable:
            logger.info("database replica: reads go to the replica again (%s)", reason)
        else:
            logger.warning("database replica: reads go to the primary: %s", reason)
    _health.checked, _health.usable, _health.reason = time.monotonic(), usable, reason


def replica_failed(error: BaseException) -> None:
    """The replica failed under a read: it is left alone until the next check."""
    _close_replica()
    _note(False, f"a read failed on it ({_first_line(error)})")


def forget_health() -> None:
    """The next read checks the replica again (the tests, after stopping or pausing it)."""
    _health.checked = float("-inf")


def _close_replica() -> None:
    try:
        connections[REPLICA].close()
    except DatabaseError:
        pass  # a connection to a server that is gone: closed all the same


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def replica_caught_up(timeout: float) -> bool:
    """Runs queries: waits up to `timeout` seconds until the replica has replayed all the primary
    had written when asked; False when it has not (or cannot answer)."""
    primary_lsn = _primary_lsn()
    deadline = time.monotonic() + timeout
    while True:
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [primary_lsn])
                if cursor.fetchone()[0]:
                    return True
        except DatabaseError as error:
            replica_failed(error)
            return False
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


# ---------------------------------------------------------------- outside a request: a job's work


def call_reading_replica(work: Callable, *args, **kwargs):
    """Runs `work` with its reads on the replica once the replica has caught up with the primary
    (waiting DATABASE_REPLICA_MAX_LAG seconds at most), so that it sees every write made before it
    started (a job a user started after a change); on the primary otherwise, and again on the
    primary when the replica failed under it before it wrote. Inside a request that decided
    already (a job run by the request that started it), that decision holds."""
    if not configured() or _current.get() is not None:
        return work(*args, **kwargs)
    reads = Reads(eligible=replica_usable() and replica_caught_up(settings.DATABASE_REPLICA_MAX_LAG))
    if not reads.eligible and _health.usable:
        logger.warning("database replica: it did not catch up within %g s; this work reads the primary",
                       settings.DATABASE_REPLICA_MAX_LAG)
    token = _current.set(reads)
    try:
        return work(*args, **kwargs)
    except REPLICA_FAILURES as error:
        if not reads.used or reads.wrote:
            raise
        replica_failed(error)
        reads.eligible = False
        return work(*args, **kwargs)
    finally:
        _current.reset(token)
