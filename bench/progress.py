"""Run through `manage.py shell`: quota_progress() for the whole city and all years against one
hand-written SQL aggregate over the same tables (the floor), best of BENCH_REPEAT runs each."""

import os
import time

from django.db import connection

from plans.selectors import quota_progress

# The floor: the same aggregates as SQL text (GROUP BY county and year over the exits, then
# the returns) and the annex, run on a bare cursor.
FLOOR = """
SELECT e.year, t.county_id, SUM(e.persons) FROM households_{table} e
INNER JOIN households_household h ON e.household_id = h.id
INNER JOIN households_village v ON h.village_id = v.code
INNER JOIN households_township t ON v.township_id = t.code
WHERE e.year IN (2015, 2016, 2017, 2018) GROUP BY 1, 2
"""


def best(run, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def floor():
    with connection.cursor() as cursor:
        for table in ("exitrecord", "returnrecord"):
            cursor.execute(FLOOR.format(table=table))
            cursor.fetchall()
        cursor.execute("SELECT county_id, quota_2015, quota_2016, quota_2017, quota_2018 FROM plans_annexrow")
        cursor.fetchall()


repeat = int(os.environ.get("BENCH_REPEAT", "20"))
measured, bare = best(quota_progress, repeat), best(floor, repeat)
# Times: the ratio is measured / floor (above 1× is slower than the floor).
print(f"{'quota progress, city, 2015-2018 (time)':44s} {measured * 1000:8.1f} ms {bare * 1000:8.1f} ms {measured / bare:6.2f}×")
