"""Run through `manage.py shell` (bench/run, on the city's registry): the city export, every
household as the system exports it (export_households, to bytes), against its floor: a bare cursor's
read of the same rows (bench/floors.EXPORT, the same 29 columns) plus rustpy-xlsxwriter's write of
the same cells as /work/shared/bench/xlsx_writers.py times it (records built beforehand, one plain
sheet, into a file). Best of BENCH_REPEAT runs each. Each export runs in a transaction rolled back
after it, so its ExportLog row is not kept in the registry bench/run reuses."""

import decimal
import os
import tempfile

import rustpy_xlsxwriter
from django.db import connection, transaction

from bench.floors import EXPORT, best, line
from common.actors import SYSTEM
from households.models import Household
from households.selectors import household_export_rows
from households.workbook import export_households
from households.workbook.writer import household_cells

REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def read() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(EXPORT)
        return cursor.fetchall()


def write(records: list[dict], out: str) -> None:
    rustpy_xlsxwriter.FastExcel(out).sheet("s", records).save()


def export() -> None:
    with transaction.atomic():
        export_households(Household.objects.all(), actor=SYSTEM, door="command", filters={})
        transaction.set_rollback(True)


# The floor writes the cells the export writes (labels, 是/否, income as a number): the bare rows
# made cells by the export's own function, outside the timing. They are the export's rows.
cells = list(household_cells(read(), show_id=str))
assert cells == list(household_cells(household_export_rows(Household.objects.all()), show_id=str))
keys = [f"c{j}" for j in range(len(cells[0]))]
records = [dict(zip(keys, (float(v) if isinstance(v, decimal.Decimal) else v for v in row))) for row in cells]
with tempfile.TemporaryDirectory() as folder:
    floor = best(read, REPEAT) + best(lambda: write(records, os.path.join(folder, "x.xlsx")), REPEAT)
measured = best(export, REPEAT)
print(line(f"Excel export, the whole city ({len(records):,} rows)", measured, floor, unit="s"))
