"""Run through `manage.py shell` on a seeded registry (not part of bench/run): the candidate xlsx
writers timed on the export's own rows. The rows household_rows() yields for every household are
read once into memory; then each writer writes them as the export needs (Chinese headers, bold and
frozen, the layout's widths, income as a number, birth dates as dates, the sheet of codes and the
drop-downs where the writer has them), one after another in this process, into memory.

    pip install xlsxwriter pyexcelerate rustpy-xlsxwriter   # the candidates the project does not pin
    DATABASE_URL=... BENCH_REPEAT=2 python manage.py shell --no-imports < bench/export_writers.py

Peak memory is the process's resident high-water mark during one write, above what it held before
(the rows included), read from /proc after resetting the mark."""

import ctypes
import gc
import io
import os
import time

from django.db import connection
from openpyxl.utils import get_column_letter

from bench.floors import EXPORT as BARE
from common.actors import SYSTEM
from households import access
from households.layout import COLUMNS
from households.models import Household
from households.workbook import writer
from households.workbook.codes import CODES_TITLE, SHEET_TITLE, code_grid, code_lists
from households.workbook.container import MAX_ROWS

REPEAT = int(os.environ.get("BENCH_REPEAT", "1"))
HEADERS = [c.header for c in COLUMNS]
WIDTHS = [c.width for c in COLUMNS]
KEYS = [c.key for c in COLUMNS]
DATE_COLUMNS = [i for i, c in enumerate(COLUMNS) if c.kind == "date"]

def openpyxl_write_only(rows):
    return writer.styled_workbook(rows, columns=COLUMNS)  # how exports were written before


def xlsxwriter_constant_memory(rows):
    import xlsxwriter
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "default_date_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet(SHEET_TITLE)
    bold = book.add_format({"bold": True})
    grey = book.add_format({"bold": True, "font_color": "#808080"})
    required = book.add_format({"bold": True, "bg_color": "#FFF2CC"})
    sheet.freeze_panes(1, 0)
    for i, column in enumerate(COLUMNS):
        sheet.set_column(i, i, column.width)
        sheet.write_string(0, i, column.header, grey if column.read_only else required if column.required else bold)
    lists = code_lists()
    for listed in lists:
        i, letter = COLUMNS.index(listed.column), get_column_letter(listed.position + 2)
        sheet.data_validation(1, i, MAX_ROWS - 1, i, {
            "validate": "list", "source": f"='{CODES_TITLE}'!${letter}$2:${letter}${len(listed.values) + 1}",
            "ignore_blank": not listed.column.required, "show_error": listed.column.kind != "causes"})
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, [row.get(k) for k in KEYS])
    codes = book.add_worksheet(CODES_TITLE)
    for r, row in enumerate(code_grid(lists)):
        codes.write_row(r, 0, row)
    book.close()
    return out.getvalue()


def pyexcelerate_(rows):
    from pyexcelerate import Font, Format, Panes, Style, Workbook
    book = Workbook()
    sheet = book.new_sheet(SHEET_TITLE, data=[HEADERS] + [[row.get(k) for k in KEYS] for row in rows])
    sheet.set_row_style(1, Style(font=Font(bold=True)))
    sheet.panes = Panes(0, 1)
    for i, width in enumerate(WIDTHS, start=1):  # a cell without a style of its own takes its column's
        date = i - 1 in DATE_COLUMNS
        sheet.set_col_style(i, Style(size=width, format=Format("yyyy-mm-dd")) if date else Style(size=width))
    book.new_sheet(CODES_TITLE, data=code_grid(code_lists()))  # no drop-downs: PyExcelerate has none
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rustpy_xlsxwriter(rows):
    return writer.households_workbook(rows)  # the project's writer (households/workbook/bulk.py)


def _reset_peak() -> int:
    """Resets the resident high-water mark; returns the resident size now (kB)."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _status("VmRSS")


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def _timed(run):
    """The best of BENCH_REPEAT runs: wall seconds, CPU seconds of the process (every thread; less
    disturbed than the wall clock on a shared machine), peak MB above the start, the result."""
    best, cpu, peak, result = None, None, 0, None
    for _ in range(REPEAT):
        before = _reset_peak()
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run()
        took, took_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        peak = max(peak, _status("VmHWM") - before)
        best = took if best is None else min(best, took)
        cpu = took_cpu if cpu is None else min(cpu, took_cpu)
    return best, cpu, peak / 1024, result


def bare_read():
    with connection.cursor() as cursor:
        cursor.execute(BARE)
        return cursor.fetchall()


def orm_read():
    show_id = access.id_display(SYSTEM)
    return list(writer.household_rows(Household.objects.all(), show_id=show_id))


print(f"{'step':32s} {'seconds':>8s} {'CPU s':>8s} {'peak MB':>8s} {'size MB':>8s}")
took, cpu, peak, bare = _timed(bare_read)
print(f"{'bare cursor read (floor)':32s} {took:8.2f} {cpu:8.2f} {peak:8.0f} {'':>8s}  {len(bare):,} rows")
del bare
took, cpu, peak, rows = _timed(orm_read)
print(f"{'household_rows':32s} {took:8.2f} {cpu:8.2f} {peak:8.0f} {'':>8s}  {len(rows):,} rows")
for fn in (openpyxl_write_only, xlsxwriter_constant_memory, pyexcelerate_, rustpy_xlsxwriter):
    try:
        took, cpu, peak, data = _timed(lambda fn=fn: fn(rows))
    except ImportError as e:
        print(f"{fn.__name__:32s} not installed ({e.name})")
        continue
    print(f"{fn.__name__:32s} {took:8.2f} {cpu:8.2f} {peak:8.0f} {len(data) / 1e6:8.1f}")
    with open(f"/tmp/export_{fn.__name__}.xlsx", "wb") as f:
        f.write(data)
