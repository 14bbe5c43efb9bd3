"""Workbooks of rows (the exports), written by rustpy-xlsxwriter: Rust's rust_xlsxwriter behind a
Python binding, chosen by measuring the candidates on the city's own rows (BENCHMARKS.md: the
whole city in about a tenth of openpyxl's time, in constant memory).

What it writes: the rows under one bold, frozen header row, the layout's column widths, income as
a number, birth dates as dates, drop-down lists on the coded columns' rows, and the sheet of codes.
What it cannot do is kept for the blank template (writer.py, openpyxl): a format per header cell
(required columns filled, read-only ones grey), and drop-downs that point at the sheet of codes
down to the last row a clerk may fill (its lists are written into each rule and cover the rows
written)."""

import io
from collections.abc import Iterable, Iterator, Sequence

import rustpy_xlsxwriter

from ..layout import Column
from .codes import CODES_TITLE, SHEET_TITLE, CodeList, code_grid

DATE_FORMAT = "yyyy-mm-dd"


def rows_workbook(rows: Iterable[Sequence], *, columns: list[Column], codes: list[CodeList]) -> bytes:
    """The rows (at least one, each its cells in the order of `columns`), and the sheet of codes.
    Raises RuntimeError for a text over Excel's 32,767 characters, which no field of the registry
    holds."""
    out = io.BytesIO()
    grid = code_grid(codes)
    (
        rustpy_xlsxwriter.FastExcel(out)
        .format(datetime_format=DATE_FORMAT)  # dates too: a birth date is a date cell, shown as one
        .freeze(row=1, sheet=SHEET_TITLE)
        .sheet(
            SHEET_TITLE,
            _records(rows, columns),
            header_format=rustpy_xlsxwriter.Format().set_bold(),
            column_widths=[c.width for c in columns],
            data_validations=_drop_downs(columns, codes),
            # Codes and ID numbers are digits kept as text on purpose: no green triangles.
            ignore_errors=[c.header for c in columns if c.kind in ("text", "id")],
        )
        .sheet(CODES_TITLE, [dict(zip(grid[0], row, strict=True)) for row in grid[1:]])
        .save()
    )
    return out.getvalue()


def _records(rows: Iterable[Sequence], columns: list[Column]) -> Iterator[dict]:
    """Each row as the writer takes it: a dict by header whose first row names the columns. The
    writer reads a record's values in their order, not by key: the cells' order is the columns'.
    Amounts go as floats: the writer would reach a Decimal only through its fallback for unknown
    types."""
    headers = [c.header for c in columns]
    amounts = [c.header for c in columns if c.kind == "decimal"]
    for cells in rows:
        record = dict(zip(headers, cells, strict=True))
        for header in amounts:
            if record[header] is not None:
                record[header] = float(record[header])
        yield record


def _drop_downs(columns: list[Column], codes: list[CodeList]) -> dict[str, dict]:
    rules = {}
    for listed in codes:
        column = listed.column
        if column not in columns or not listed.values:  # the writer refuses an empty list
            continue
        rules[column.header] = {
            "type": "list",
            "values": listed.names,
            "ignore_blank": not column.required,
            # Several causes go in one cell: a message the clerk may click past.
            "error_style": "information" if column.kind == "causes" else "stop",
            "error_title": "无效的选项",
            "error_message": f"请从下拉列表中选择{column.header}，或填写代码表中的代码",
        }
    return rules
