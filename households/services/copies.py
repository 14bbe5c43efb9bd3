"""New records written by PostgreSQL's COPY with their creation history, for the bulk services
(bulk.py, imports.py, helper_imports.py), and a second thread to send them from, so that the
server inserts, indexes and checks them on its own core while Python goes on with the next work."""

import csv
import io
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from operator import attrgetter

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

SWITCH_INTERVAL = 0.0001  # seconds, while a writer runs (background_writes)


class Writer:
    """Statements run in order, one after the other, on the caller's connection and in its
    transaction, from a second thread: psycopg2 lets go of the GIL while one runs. The first error
    stops the rest and is raised by wait() or at the end.

    While a writer runs (background_writes), the caller's own statements go to the server between
    the writer's jobs, each waiting for the job under way: psycopg2 alone would send one in the
    middle of a COPY. (Only statements that go through Django's cursor.execute are held back: no
    server-side cursor, no COPY of the caller's own in the block.) A write of the caller's that
    needs what the writer was given before (a foreign key to a row it inserts, an order that a
    unique index sees) calls wait() first. Foreign keys are checked at each statement
    (SET CONSTRAINTS ALL IMMEDIATE): their checks are then the writer's work, not the commit's."""

    def __init__(self):
        connection.ensure_connection()
        self._raw = connection.connection
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._done = threading.Condition()
        self._pending = 0
        self._error: BaseException | None = None
        self._turn = threading.Lock()  # the connection's, between the writer's jobs and the caller's statements
        self._thread = threading.Thread(target=self._run, name="copy-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Callable) -> None:
        """`job(cursor)` runs in the writer's thread, after the jobs submitted before it."""
        with self._done:
            self._pending += 1
        self._jobs.put(job)

    def wait(self) -> None:
        """Returns once every job submitted so far has run; raises the first one's error."""
        with self._done:
            self._done.wait_for(lambda: self._pending == 0)
        if self._error is not None:
            with connection.wrap_database_errors:  # as Django's own cursor raises it
                raise self._error

    def take_turn(self, execute, sql, params, many, context):
        """Django's execute wrapper for the caller's statements (connection.execute_wrapper)."""
        with self._turn:
            return execute(sql, params, many, context)

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()

    def _run(self) -> None:
        cursor = self._raw.cursor()
        while (job := self._jobs.get()) is not None:
            try:
                if self._error is None:
                    with self._turn:
                        job(cursor)
            except BaseException as e:  # raised in the caller's thread
                self._error = e
            finally:
                with self._done:
                    self._pending -= 1
                    self._done.notify_all()
        cursor.close()


class _Now:
    """The writer of a database without COPY, or of a block not worth a thread: each job as it comes."""

    def submit(self, job: Callable) -> None:
        with connection.cursor() as cursor:
            job(cursor)

    def wait(self) -> None:
        pass


@contextmanager
def background_writes() -> Iterator[Writer | _Now]:
    """A Writer for the block (on PostgreSQL; elsewhere its jobs run as they come), every job run
    when the block ends, its error raised there. Foreign keys are checked statement by statement
    in the block, and deferred again after it (Django declares every one INITIALLY DEFERRED)."""
    if connection.vendor != "postgresql":
        yield _Now()
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    writer = Writer()
    # The writer's thread takes the GIL back after each statement, while the caller's checks the
    # next rows: at the interpreter's 5 ms between hand-overs, the server sat idle waiting for it,
    # a second of the whole city's ten. (The interval is the process's, restored after the block.)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        with connection.execute_wrapper(writer.take_turn):
            yield writer
            writer.wait()
    except BaseException:
        # The caller's statement failed for the writer's (the transaction aborted): say why.
        writer.close()
        writer.wait()
        raise
    finally:
        writer.close()
        sys.setswitchinterval(interval)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def assign_ids(records: list, model, *, drawn: "Ids | None" = None) -> None:
    """New records given the ids their table's sequence draws, in one query (or taken from those
    `drawn` before); they are then written by insert_with_history() (on PostgreSQL)."""
    ids = drawn.take(model, len(records)) if drawn else _draw(model, len(records))
    alias, attname = connection.alias, model._meta.pk.attname
    for record, pk in zip(records, ids, strict=True):
        setattr(record, attname, pk)
        record._state.adding, record._state.db = False, alias


class Ids:
    """Ids drawn ahead, a query a table, for records built while a Writer is busy: a statement of
    the caller's waits for the writer's job under way (a COPY of thousands of rows), and drawing
    them a part at a time made the whole city's import wait seconds. More are drawn if the count
    given was short; those not taken are gaps in the sequence, as a rolled-back insert leaves."""

    def __init__(self, counts: dict):
        self._ids = {model: _draw(model, count) for model, count in counts.items()}

    def take(self, model, count: int) -> list[int]:
        ids = self._ids.setdefault(model, [])
        if len(ids) < count:
            ids += _draw(model, count - len(ids))
        taken, self._ids[model] = ids[:count], ids[count:]
        return taken


def _draw(model, count: int) -> list[int]:
    if count == 0:
        return []
    meta = model._meta
    with connection.cursor() as cursor:
        # The sequence looked up once: pg_get_serial_sequence() in the select list ran for every
        # id, eight times the time of drawing them.
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
        return [pk for (pk,) in cursor.fetchall()]


def insert_with_history(records: list, model, *, user=None, reason: str = "", batch_size: int = 2000,
                        writer: Writer | _Now | None = None) -> None:
    """New records and their creation history ("+", with the acting user and reason), as
    bulk_create_with_history writes them. On PostgreSQL by COPY: Django building an INSERT of
    every value of every row was half the time of importing the whole city's workbook. The
    records must have passed their checks (registry_problems): clean_fields() leaves each value
    in its field's Python type, which is what COPY is given. Afterwards they know their ids (drawn
    here unless assign_ids() gave them). With a `writer`, the rows are sent from its thread: their
    values are taken now, so the records may change afterwards."""
    if connection.vendor != "postgresql":
        bulk_create_with_history(records, model, batch_size=batch_size, default_user=user,
                                 default_change_reason=reason)
        return
    if not records:
        return
    assert not any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                   for f in model._meta.concrete_fields), "COPY does not run pre_save()"
    pk = attrgetter(model._meta.pk.attname)
    if pk(records[0]) is None:
        assign_ids(records, model)
    fields = model._meta.concrete_fields
    values = attrgetter(*(f.attname for f in fields))
    copy = _copy_statement(model, fields)
    # The creation history copied from the rows just written, in the database, rather than built
    # in Python and sent again: no ids to draw, no rows to write out.
    History = model.history.model
    quote = connection.ops.quote_name
    tracked = ", ".join(quote(History._meta.get_field(f.name).column) for f in History.tracked_fields)
    stamp = ", ".join(quote(History._meta.get_field(name).column)
                      for name in ("history_date", "history_change_reason", "history_type", "history_user"))
    history = (f"INSERT INTO {quote(History._meta.db_table)} ({tracked}, {stamp}) "
               f"SELECT {tracked}, %s, %s, '+', %s FROM {quote(model._meta.db_table)} "
               f"WHERE {quote(model._meta.pk.column)} = ANY(%s)")
    stamps = [timezone.now(), reason or None, user.pk if user else None]  # a save() without a reason: NULL
    writer = writer or _Now()
    # A statement a batch: the caller's own statements wait for the writer's under way.
    for start in range(0, len(records), batch_size):
        chunk = records[start:start + batch_size]
        text, ids = _csv(map(values, chunk)), list(map(pk, chunk))

        def job(cursor, text=text, ids=ids):
            _copy(cursor, copy, text)
            cursor.execute(history, [*stamps, ids])

        writer.submit(job)


def copy_rows(model, fields, rows: Iterable[tuple], *, writer: Writer | _Now | None = None) -> None:
    """Rows (tuples of `fields`' values) into `model`'s table by COPY, on PostgreSQL."""
    copy, text = _copy_statement(model, fields), _csv(rows)
    (writer or _Now()).submit(lambda cursor: _copy(cursor, copy, text))


def _copy_statement(model, fields) -> str:
    # The csv module writes None and "" alike, as an empty field, which COPY reads as NULL, or as
    # "" in the columns that take no NULL (FORCE_NOT_NULL). A column that takes both would lose
    # the difference: only the history's reason does, given as None.
    assert all(not (f.null and f.empty_strings_allowed) or f.name == "history_change_reason" for f in fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    not_null = ", ".join(quote(f.column) for f in fields if not f.null)
    return (f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN "
            f"WITH (FORMAT csv, FORCE_NOT_NULL ({not_null}))")


def _csv(rows: Iterable[tuple]) -> str:
    """The rows as CSV text, written by the csv module in C, in the caller's thread: made in the
    writer's, between its statements, the server waited for it while the caller held the GIL
    (0.4 s of the whole city's import)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _copy(cursor, statement: str, text: str) -> None:
    # In one read. (The size by position: Django's cursor that logs queries (DEBUG) takes no keyword.)
    cursor.copy_expert(statement, io.StringIO(text), len(text) + 1)
