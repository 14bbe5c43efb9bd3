"""Run through `manage.py shell` (bench/run): the whole city's workbook imported into an empty
registry against its floor, python-calamine's read of the same file plus PostgreSQL COPY of the same
rows into a bare table. BENCH_STEP=export writes the workbook (from the seeded demo) and empties
the registry; BENCH_STEP=import, in a fresh process so its peak memory is its own, measures."""

import io
import os
import resource
import time
from pathlib import Path

from django.db import connection
from python_calamine import CalamineWorkbook

from bench.floors import line
from common.actors import SYSTEM
from households import workbook
from households.models import Household

FILE = Path(os.environ.get("BENCH_WORKBOOK", "/tmp/sanming_fupin_city.xlsx"))

if os.environ["BENCH_STEP"] == "export":  # timed against its floor by bench/export.py
    FILE.write_bytes(workbook.export_households(Household.objects.all(), actor=SYSTEM, door="command", filters={}))
    with connection.cursor() as cursor:  # an empty registry, the places kept
        cursor.execute("TRUNCATE households_household CASCADE")
else:
    data = FILE.read_bytes()

    def floor() -> tuple[float, int]:
        started = time.perf_counter()
        grid = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        header, rows = grid[0], grid[1:]
        text = io.StringIO("".join("\t".join(str(v) for v in r) + "\n" for r in rows))
        with connection.cursor() as cursor:
            columns = ", ".join(f"c{i} text" for i in range(len(header)))
            cursor.execute(f"CREATE TEMP TABLE bench_floor ({columns})")
            cursor.copy_expert("COPY bench_floor FROM STDIN", text)
            cursor.execute("DROP TABLE bench_floor")
        return time.perf_counter() - started, len(rows)

    bare, rows = floor()
    started = time.perf_counter()
    report = workbook.import_sheet(workbook.read_workbook(data), actor=SYSTEM, reason="bench")
    measured = time.perf_counter() - started
    assert report.written and not report.problems, report.problems[:5]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(line(f"Excel import, {rows:,} rows ({peak:.0f} MB peak)", measured, bare, unit="s"))
