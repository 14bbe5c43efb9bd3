"""Reading a workbook: its first sheet, the header row found by the layout's headers, and each row's
cells as values (services.SheetRow) for the import service, which decides everything else."""

import re
from dataclasses import dataclass, field
from functools import cached_property

from common.batches import gc_paused

from ..layout import BY_KEY, COLUMNS, Column
from ..services import ImportReport, SheetRow
from .cells import Lookups, column_values, text_of
from .container import WorkbookError, check_container
from .grid import read_grid


def _normal_header(text) -> str:
    text = str(text or "").strip().replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", text).lstrip("*")


def _header_index(columns: tuple[Column, ...]) -> dict[str, Column]:
    return {_normal_header(name): c for c in columns for name in (c.header, *c.aliases)}


HEADER_INDEX = _header_index(tuple(COLUMNS))


@dataclass
class RowProblem:
    """A problem as the clerk reads it: the sheet row, the column's header, the cell as typed."""

    row: int | None
    column: str  # the Chinese header, or "" for the row as a whole
    value: str
    reason: str


@dataclass
class Sheet:
    header_row: int
    columns: dict[int, Column]  # sheet column index → column
    cells: dict[int, list]  # sheet row number → its cells, blank rows left out
    rows: list[SheetRow] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    blank_rows: int = 0
    layout: list[Column] = field(default_factory=lambda: COLUMNS)

    @cached_property
    def positions(self) -> dict[str, int]:
        return {c.key: i for i, c in self.columns.items()}

    def value(self, row: int | None, key: str) -> str:
        """The cell of `row` in the column of `key` as the clerk typed it ("" where there is none)."""
        cells, position = self.cells.get(row), self.positions.get(key)
        if cells is None or position is None or position >= len(cells):
            return ""
        raw = cells[position]
        return "" if raw is None else text_of(raw)

    def problems(self, report: ImportReport) -> list[RowProblem]:
        """The import service's problems as the clerk reads them: header and cell, not keys."""
        by_key = BY_KEY if self.layout is COLUMNS else {c.key: c for c in self.layout}
        return [RowProblem(p.row, by_key[p.column].header if p.column in by_key else p.column,
                           self.value(p.row, p.column), p.reason) for p in report.problems]


def read_workbook(data: bytes, *, columns: list[Column] = COLUMNS) -> Sheet:
    """Reads the first sheet with python-calamine (about ten times faster than openpyxl on a whole
    city; grid.py), after checks that refuse, with a reason, anything that is not a readable xlsx. `columns`:
    the layout read, the registry's by default (or another workbook's, records.py)."""
    with gc_paused():
        return _read(data, columns)


def _read(data: bytes, columns: list[Column]) -> Sheet:
    grid, merged = read_grid(data, check_container(data))
    _fill_merged(grid, merged)
    sheet = _sheet(grid, columns)
    sheet.rows = _rows(sheet, columns)
    return sheet


def _rows(sheet: Sheet, layout: list[Column]) -> list[SheetRow]:
    """The sheet's rows as values, read a column at a time (see cells.column_values)."""
    lookups = Lookups(layout)
    grid = list(sheet.cells.values())
    width = max(sheet.columns) + 1
    if any(len(cells) < width for cells in grid):
        grid = [[*cells, *[None] * (width - len(cells))] for cells in grid]
    by_position = list(zip(*grid))  # the grid turned, in C
    keys, columns, refused = [], [], {}
    for position, column in sheet.columns.items():
        values, reasons = column_values(column, by_position[position], lookups)
        keys.append(column.key)
        columns.append(values)
        for index, reason in reasons.items():
            refused.setdefault(index, {})[column.key] = reason
    rows = []
    for index, (number, cells) in enumerate(zip(sheet.cells, zip(*columns, strict=True))):
        values = {key: value for key, value in zip(keys, cells) if value is not None}
        rows.append(SheetRow(number, values, refused.get(index, {})))
    return rows


def _fill_merged(grid: list[list], merged) -> None:
    """A merged cell holds its value in its first cell only: clerks merge a household's cells over
    its members' rows, and every row of the range means that value."""
    for (top, left), (bottom, right) in merged:
        if top >= len(grid) or left >= len(grid[top]):
            continue
        value = grid[top][left]
        for r in range(top, min(bottom, len(grid) - 1) + 1):
            row = grid[r]
            for c in range(left, min(right, len(row) - 1) + 1):
                row[c] = value


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(grid: list[list], layout: list[Column]) -> Sheet:
    # The header is the first row naming at least two of the layout's columns: a title row above it
    # ("三明市建档立卡贫困户花名册") is common and skipped.
    headers = HEADER_INDEX if layout is COLUMNS else _header_index(tuple(layout))
    for index, row in enumerate(grid[:20]):
        found = [headers.get(_normal_header(v)) for v in row]
        if sum(1 for c in found if c) >= 2:
            break
    else:
        raise WorkbookError("第一个工作表中找不到表头行（应含“户编号”“公民身份号码”等列），请使用下载的模板")
    columns: dict[int, Column] = {}
    ignored, twice = [], []
    for position, (value, column) in enumerate(zip(row, found, strict=True)):
        if column is None:
            if not _blank(value):
                ignored.append(str(value).strip())
        elif column in columns.values():
            twice.append(column.header)
        elif not column.read_only:
            columns[position] = column
    missing = [c.header for c in layout if c.required and not c.read_only and c not in columns.values()]
    if missing or twice:
        parts = []
        if missing:
            parts.append("缺少必填列：" + "、".join(missing))
        if twice:
            parts.append("列重复：" + "、".join(twice))
        if ignored:
            parts.append("无法识别的列：" + "、".join(ignored))
        raise WorkbookError("；".join(parts) + "。请使用下载的模板中的表头")
    cells, blank = {}, 0
    for number, row_cells in enumerate(grid[index + 1 :], start=index + 2):
        if all(_blank(v) for v in row_cells):
            blank += 1
            continue
        cells[number] = row_cells
    if not cells:
        raise WorkbookError("表格中没有数据行（表头下面是空的）")
    return Sheet(header_row=index + 1, columns=columns, cells=cells, ignored_headers=ignored, blank_rows=blank,
                 layout=layout)
