"""What the benchmarks measure against: the quota progress written as hand-made SQL aggregates
over the same tables, run on a bare cursor, and the best-of-N timer."""

import time

from django.db import connection

# GROUP BY county and year over the exits, then the returns (each record carries its household's
# county), and the annex: what quota_progress() asks, as hand-written SQL.
AGGREGATE = """
SELECT year, county_id, SUM(persons) FROM households_{table}
WHERE year IN (2015, 2016, 2017, 2018) GROUP BY 1, 2
"""
# The same through household, village and township, as before the records carried the county.
JOINED = """
SELECT e.year, t.county_id, SUM(e.persons) FROM households_{table} e
INNER JOIN households_household h ON e.household_id = h.id
INNER JOIN households_village v ON h.village_id = v.code
INNER JOIN households_township t ON v.township_id = t.code
WHERE e.year IN (2015, 2016, 2017, 2018) GROUP BY 1, 2
"""


def best(run, repeat: int) -> float:
    """The fastest of `repeat` runs, in seconds: the others waited on something else."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def progress_floor(sql: str = AGGREGATE) -> None:
    with connection.cursor() as cursor:
        for table in ("exitrecord", "returnrecord"):
            cursor.execute(sql.format(table=table))
            cursor.fetchall()
        cursor.execute("SELECT county_id, quota_2015, quota_2016, quota_2017, quota_2018 FROM plans_annexrow")
        cursor.fetchall()


def line(label: str, measured: float, floor: float, unit: str = "ms") -> str:
    """A row of bench/run's table; times, so the ratio is measured / floor (above 1× is slower)."""
    scale = 1000 if unit == "ms" else 1
    return f"{label:52s} {measured * scale:8.1f} {unit:2s} {floor * scale:8.1f} {unit:2s} {measured / floor:6.2f}×"
