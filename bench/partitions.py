"""Run through `manage.py shell` on a seeded registry (not part of bench/run: the one-off comparison
behind issue 21 point 4). The households and their members as they are (one table each, a county a
range of village codes: households.models.households.in_county), against the same rows in tables
partitioned by county (PARTITION BY LIST on a county column, a partition per county), as
docs/scaling.md plans them: a partitioned table's primary key must hold the partition key, so each
row carries its county and the keys become (county, id), and the members carry their household's
county to be partitioned at all. The copies are built in the same database and dropped at the end.

Prints, best of BENCH_REPEAT runs, each as plain / partitioned: a county clerk's first page of
households (the admin's order) and its count; the audit's kind of read, every member of a county
counted by health (and against a plain table of members that carry their county too); the city's households counted by county (what the overview kept before); and
a bulk write, the county's members inserted again into an empty table of each kind (the import's
path, by INSERT … SELECT rather than COPY from a client)."""

import os
import time

from django.db import connection

from plans.models import AnnexRow

repeat = int(os.environ.get("BENCH_REPEAT", "10"))
county = AnnexRow.objects.filter(county__isnull=False).order_by("-registered").values_list("county", flat=True)[0]
counties = list(AnnexRow.objects.filter(county__isnull=False).values_list("county", flat=True))


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def best(statement, params=()) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        sql(statement, params)
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def build() -> float:
    """The partitioned copies, with the indexes the plain tables have for these reads."""
    started = time.perf_counter()
    sql("DROP TABLE IF EXISTS bench_p_member, bench_p_household")
    sql("CREATE TABLE bench_p_household (LIKE households_household INCLUDING DEFAULTS, county varchar(6) NOT NULL, "
        "PRIMARY KEY (county, id)) PARTITION BY LIST (county)")
    sql("CREATE TABLE bench_p_member (LIKE households_member INCLUDING DEFAULTS, county varchar(6) NOT NULL, "
        "PRIMARY KEY (county, id)) PARTITION BY LIST (county)")
    for code in counties:
        for table in ("household", "member"):
            sql(f"CREATE TABLE bench_p_{table}_{code} PARTITION OF bench_p_{table} FOR VALUES IN ('{code}')")
    sql("INSERT INTO bench_p_household SELECT h.*, substr(h.village_id, 1, 6) FROM households_household h")
    sql("INSERT INTO bench_p_member SELECT m.*, substr(h.village_id, 1, 6) FROM households_member m "
        "JOIN households_household h ON h.id = m.household_id")
    # The members with their county in one plain table too: what the column alone brings, unpartitioned.
    sql("DROP TABLE IF EXISTS bench_c_member")
    sql("CREATE TABLE bench_c_member AS SELECT * FROM bench_p_member")
    sql("CREATE INDEX ON bench_c_member (county)")
    sql("ANALYZE bench_c_member")
    sql("CREATE INDEX ON bench_p_household (village_id, number)")
    sql("CREATE INDEX ON bench_p_member (household_id)")
    sql("ANALYZE bench_p_household")
    sql("ANALYZE bench_p_member")
    return time.perf_counter() - started


PAGE = ("SELECT id, number, village_id, category, status FROM {table} WHERE {where} "
        "ORDER BY village_id, number LIMIT 50")
PLAIN_COUNTY = "village_id BETWEEN %(code)s AND %(code)s || '999999'"
READS = {
    "first page of a county's households": (
        PAGE.format(table="households_household", where=PLAIN_COUNTY),
        PAGE.format(table="bench_p_household", where="county = %(code)s")),
    "a county's households counted": (
        f"SELECT count(*) FROM households_household WHERE {PLAIN_COUNTY}",
        "SELECT count(*) FROM bench_p_household WHERE county = %(code)s"),
    "a county's members counted by health (the audit's kind)": (
        "SELECT m.health, count(*) FROM households_member m JOIN households_household h ON h.id = m.household_id "
        f"WHERE h.{PLAIN_COUNTY} GROUP BY 1",
        "SELECT health, count(*) FROM bench_p_member WHERE county = %(code)s GROUP BY 1"),
    "  the same, members with their county in one plain table": (
        "SELECT health, count(*) FROM bench_c_member WHERE county = %(code)s GROUP BY 1",
        "SELECT health, count(*) FROM bench_p_member WHERE county = %(code)s GROUP BY 1"),
    "the city's households counted by county": (
        "SELECT substr(village_id, 1, 6), count(*) FROM households_household GROUP BY 1",
        "SELECT county, count(*) FROM bench_p_household GROUP BY 1"),
}


def bulk_write() -> tuple[float, float]:
    """The county's members inserted into an empty plain table and into an empty partitioned one."""
    sql("DROP TABLE IF EXISTS bench_w_plain, bench_w_parts")
    sql("CREATE TABLE bench_w_plain (LIKE bench_p_member INCLUDING DEFAULTS, PRIMARY KEY (id))")
    sql("CREATE TABLE bench_w_parts (LIKE bench_p_member INCLUDING DEFAULTS, PRIMARY KEY (county, id)) "
        "PARTITION BY LIST (county)")
    for code in counties:
        sql(f"CREATE TABLE bench_w_parts_{code} PARTITION OF bench_w_parts FOR VALUES IN ('{code}')")
    timings = []
    for table in ("bench_w_plain", "bench_w_parts"):
        times = []
        for _ in range(3):
            sql(f"TRUNCATE {table}")
            started = time.perf_counter()
            sql(f"INSERT INTO {table} SELECT * FROM bench_p_member WHERE county = %s", [county])
            times.append(time.perf_counter() - started)
        timings.append(min(times) * 1000)
    sql("DROP TABLE bench_w_plain, bench_w_parts")
    return timings[0], timings[1]


print(f"partitioned copies built in {build():.1f} s; county {county}")
for name, (plain, parted) in READS.items():
    a, b = best(plain, {"code": county}), best(parted, {"code": county})
    print(f"{name:<58} {a:9.1f} ms {b:9.1f} ms {b / a:6.2f}×")
a, b = bulk_write()
print(f"{'the county members inserted again (bulk write)':<58} {a:9.1f} ms {b:9.1f} ms {b / a:6.2f}×")
sql("DROP TABLE bench_p_member, bench_p_household, bench_c_member")
