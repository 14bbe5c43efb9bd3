"""Helpers for work over a whole batch of records at once (the Excel import of a city, the counts
of the whole registry)."""

import gc
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def gc_paused():
    """The cyclic garbage collector paused for the block, as it was before afterwards (so that
    blocks nest). Work that builds hundreds of thousands of objects and frees none of them until
    it ends makes the collector walk them all again and again for nothing to collect: a fifth of
    the time of importing the whole city's workbook. Reference counting still frees the rest."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def id_ranges(queryset, size: int) -> Iterator[tuple[int, int]]:
    """Runs one query. The first and last primary key of each run of `size` rows of `queryset` in
    key order: work over the whole registry done a range at a time holds one range's rows in memory
    (at ten million people, the whole registry's rows at once took gigabytes)."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        yield chunk[0], chunk[-1]


@contextmanager
def queries_unlogged():
    """With DEBUG on, Django keeps the SQL of the connection's last 9,000 queries, a bulk insert's
    with every value written into it: the commands that write the whole registry (seed_demo,
    kept_figures) keep none of it in the block. At ten million people the log held a gigabyte."""
    kept, connection.queries_log = connection.queries_log, deque(maxlen=0)
    try:
        yield
    finally:
        connection.queries_log = kept
