"""The COPY writer (households/services/copies.py): new rows and their history sent from a second
thread in the caller's transaction, in order; its errors raised in the caller's thread; the caller's
own statements never sent in the middle of one of its COPYs."""

import sys
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from households.models import Helper
from households.services.copies import SWITCH_INTERVAL, background_writes, insert_with_history

pytestmark = pytest.mark.django_db
ON_POSTGRESQL = pytest.mark.skipif(connection.vendor != "postgresql", reason="the writer's thread is PostgreSQL's")


def helpers(count: int, *, start: int = 0) -> list[Helper]:
    return [Helper(county_id="350424", name=f"帮扶干部{i}", unit="宁化县扶贫办") for i in range(start, start + count)]


def test_rows_and_their_history_are_written_batch_by_batch():
    made = helpers(7)
    with background_writes() as writer:
        insert_with_history(made, Helper, reason="测试导入", batch_size=3, writer=writer)
        # The caller's own statement between the writer's batches.
        assert Helper.objects.filter(county_id="350424").count() in range(8)
    assert all(h.pk for h in made)
    rows = Helper.objects.filter(pk__in=[h.pk for h in made])
    assert sorted(rows.values_list("name", flat=True)) == sorted(f"帮扶干部{i}" for i in range(7))
    history = Helper.history.filter(id__in=[h.pk for h in made])
    assert sorted(history.values_list("name", "history_type", "history_change_reason")) == sorted(
        (f"帮扶干部{i}", "+", "测试导入") for i in range(7))


def test_a_failed_write_is_raised_in_the_caller_and_leaves_nothing():
    insert_with_history(helpers(1, start=2), Helper, reason="已有")
    before = Helper.objects.count()
    with pytest.raises(IntegrityError, match=r"helper_one_per_name_and_unit|UNIQUE constraint"):
        with transaction.atomic():
            with background_writes() as writer:
                # The third is there already: the unique constraint refuses the second batch.
                insert_with_history(helpers(4), Helper, batch_size=2, writer=writer)
                writer.wait()
    assert Helper.objects.count() == before


@ON_POSTGRESQL
def test_the_callers_statement_waits_for_the_copy_under_way():
    """psycopg2 holds no lock over a COPY's data: without the writer's turn, the caller's query
    would be sent in the middle of it and break the connection. With it, the query runs after the
    COPY and sees all of its rows."""
    copying = threading.Event()

    class Rows:
        """COPY's data, half of it, then a pause in which the caller asks, then the rest."""

        def __init__(self):
            self.parts = ["".join(f"350424\t帮扶干部{i}\t宁化县扶贫办\t\tcadre\t\n" for i in range(start, start + 250))
                          for start in (0, 250)]

        def read(self, size=-1):
            if len(self.parts) == 1 and not copying.is_set():
                copying.set()
                time.sleep(0.3)  # the caller's query is sent now, or held back until the end
            return self.parts.pop(0) if self.parts else ""

    def job(cursor):
        cursor.copy_expert("COPY households_helper (county_id, name, unit, post, level, phone) FROM STDIN", Rows())

    with background_writes() as writer:
        writer.submit(job)
        assert copying.wait(timeout=10)
        count = Helper.objects.filter(name__startswith="帮扶干部").count()
    assert count == 500


@ON_POSTGRESQL
def test_the_interpreter_hands_the_gil_over_sooner_only_while_the_writer_runs():
    """sys's switch interval, lowered in the block so that the writer's thread gets the GIL back
    after each statement, is the process's: it is the caller's again after the block, failed or not."""
    before = sys.getswitchinterval()
    assert SWITCH_INTERVAL < before  # the interpreter's default is 5 ms
    with background_writes():
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
    assert sys.getswitchinterval() == before
    with pytest.raises(ZeroDivisionError), background_writes():
        1 / 0
    assert sys.getswitchinterval() == before


@ON_POSTGRESQL
def test_rows_are_copied_through_the_cursor_that_logs_queries_too():
    """With DEBUG (a developer's `make run`, bench/run's seed) Django's cursor logs each query and
    wraps copy_expert: the rows go through it as through psycopg2's own."""
    made = helpers(3)
    with CaptureQueriesContext(connection) as logged:
        insert_with_history(made, Helper, reason="测试")
    assert any(q["sql"].startswith("COPY") for q in logged.captured_queries)
    assert Helper.objects.filter(pk__in=[h.pk for h in made]).count() == 3
