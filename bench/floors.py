"""What the benchmarks measure against: the quota progress written as hand-made SQL aggregates
over the same tables, run on a bare cursor, the export's rows as one hand-written join, and the
best-of-N timer."""

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

# The exits' and returns' persons kept per county and year (households.models.EventTotal), which
# quota_progress() reads: its floor, beside the annex's quotas.
KEPT = """
SELECT county_id, year, exited_persons, returned_persons FROM households_eventtotal
WHERE year IN (2015, 2016, 2017, 2018)
"""

# The city export's 29 columns (bench/export.py, bench/export_writers.py) as one join, in the export's
# order: the floor of the database's part (the helper's three: the current assignment's, issue 20).
EXPORT = """
SELECT c.name, t.name, v.name, v.code, h.number, h.category, h.identified_year, h.standard, pc.name,
       COALESCE(oc.names, ''), h.income_per_capita, h.address, h.phone, COALESCE(hp.name, ''),
       COALESCE(hp.unit, ''), COALESCE(hp.phone, ''), h.status, m.name, m.id_number, m.relation, m.sex, m.birth_date, m.ethnicity, m.health, m.labor,
       m.schooling, m.disability_certificate, m.draws_dibao, m.draws_wubao
FROM households_member m
JOIN households_household h ON m.household_id = h.id
JOIN households_village v ON h.village_id = v.code
JOIN households_township t ON v.township_id = t.code
JOIN households_county c ON t.county_id = c.code
JOIN households_povertycause pc ON h.main_cause_id = pc.code
LEFT JOIN (SELECT o.household_id, string_agg(p.name, '、' ORDER BY p.position, p.code) AS names
           FROM households_household_other_causes o JOIN households_povertycause p ON o.povertycause_id = p.code
           GROUP BY o.household_id) oc ON oc.household_id = h.id
LEFT JOIN households_helperassignment ha ON ha.household_id = h.id AND ha.ended_on IS NULL
LEFT JOIN households_helper hp ON ha.helper_id = hp.id
WHERE m.left_on IS NULL
ORDER BY h.village_id, h.number, m.id
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


def kept_floor() -> None:
    with connection.cursor() as cursor:
        cursor.execute(KEPT)
        cursor.fetchall()
        cursor.execute("SELECT county_id, quota_2015, quota_2016, quota_2017, quota_2018 FROM plans_annexrow")
        cursor.fetchall()


def line(label: str, measured: float, floor: float, unit: str = "ms") -> str:
    """A row of bench/run's table; times, so the ratio is measured / floor (above 1× is slower)."""
    scale = 1000 if unit == "ms" else 1
    return f"{label:52s} {measured * scale:8.1f} {unit:2s} {floor * scale:8.1f} {unit:2s} {measured / floor:6.2f}×"
