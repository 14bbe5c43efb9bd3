"""Run through `manage.py shell` on a seeded registry (not part of bench/run: the one-off comparison
behind households.models.EventTotal, issue 21 point 2). The exits and returns per county and year kept
two ways: the table the services add to in their transaction (an upsert of one row), or a materialized
view over the records that each writing service would refresh. Each write is rolled back.

Prints, best of BENCH_REPEAT runs (median beside it): the read of each; what one exit's write adds
to keep it (the upsert; REFRESH MATERIALIZED VIEW, plain and CONCURRENTLY); and a whole exit_save()."""

import os
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction

from common.actors import SYSTEM
from households.models import ExitRecord, Household, HouseholdIncome
from households.services import exit_save
from households.services.totals import totals_add

MV = "bench_event_totals_mv"
VIEW = f"""
CREATE MATERIALIZED VIEW {MV} AS
SELECT county_id, year, SUM(eh) AS exited_households, SUM(ep) AS exited_persons,
       SUM(rh) AS returned_households, SUM(rp) AS returned_persons
FROM (SELECT county_id, year, COUNT(*) AS eh, SUM(persons) AS ep, 0 AS rh, 0 AS rp
      FROM households_exitrecord GROUP BY 1, 2
      UNION ALL
      SELECT county_id, year, 0, 0, COUNT(*), SUM(persons) FROM households_returnrecord GROUP BY 1, 2) AS e
GROUP BY 1, 2
"""
READ = "SELECT county_id, year, exited_persons, returned_persons FROM {} WHERE year IN (2015, 2016, 2017, 2018)"
repeat = int(os.environ.get("BENCH_REPEAT", "20"))


class Undo(Exception):
    pass


def timed(run, *, rollback: bool = True) -> tuple[float, float]:
    """(best, median) in ms of `repeat` runs, each in a transaction rolled back."""
    times = []
    for _ in range(repeat):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                run()
                times.append(time.perf_counter() - started)
                if rollback:
                    raise Undo
        except Undo:
            pass
    return min(times) * 1000, statistics.median(times) * 1000


def sql(text):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(text)
            if cursor.description:
                cursor.fetchall()
    return run


def show(label, result):
    print(f"{label:58s} {result[0]:9.2f} ms {result[1]:9.2f} ms")


with connection.cursor() as cursor:
    cursor.execute(f"DROP MATERIALIZED VIEW IF EXISTS {MV}")
    cursor.execute(VIEW)
    cursor.execute(f"CREATE UNIQUE INDEX ON {MV} (county_id, year)")  # CONCURRENTLY needs one
    cursor.execute(f"ANALYZE {MV}")
    cursor.execute("SELECT COUNT(*) FROM households_exitrecord")
    print(f"{os.environ.get('BENCH_SIZE', '')}: {cursor.fetchone()[0]} exit records")
try:
    print(f"{'':58s} {'best':>12s} {'median':>12s}")
    show("read: kept table", timed(sql(READ.format("households_eventtotal"))))
    show("read: materialized view", timed(sql(READ.format(MV))))
    show("keep one exit: the table's upsert", timed(lambda: totals_add("exited", {("350424", 2016): (1, 3)})))
    show("keep one exit: REFRESH MATERIALIZED VIEW", timed(sql(f"REFRESH MATERIALIZED VIEW {MV}")))
    show("keep one exit: REFRESH … CONCURRENTLY", timed(sql(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {MV}")))
    registered = list(Household.objects.filter(status=Household.Status.REGISTERED, identified_year__lte=2016)
                      .order_by("pk").values_list("pk", flat=True)[:repeat])
    queue = iter(registered * 2)
    incomes = dict(HouseholdIncome.objects.filter(household_id__in=registered, year=2016)
                   .values_list("household_id", "per_capita"))

    def one_exit(refresh: str = ""):
        def run():
            pk = next(queue)
            income = incomes.get(pk, Decimal("4500"))  # the year's income record and the exit agree
            exit_save(actor=SYSTEM, record=ExitRecord(household_id=pk, year=2016, income_per_capita=income))
            if refresh:
                sql(refresh)()
        return run

    show("exit_save() with the table (as built)", timed(one_exit()))
    queue = iter(registered * 2)
    show("exit_save() with the table + REFRESH MATERIALIZED VIEW", timed(one_exit(f"REFRESH MATERIALIZED VIEW {MV}")))
finally:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP MATERIALIZED VIEW IF EXISTS {MV}")
