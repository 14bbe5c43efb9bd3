"""Writing workbooks in the layout: the blank template (frozen header, drop-down lists, a sheet of
codes), the export of a set of households, and the refused rows of an import with their reasons.
Workbooks of rows are written by rustpy-xlsxwriter (bulk.py), the template and the refused rows by
openpyxl, which formats each header cell and points the drop-downs at the sheet of codes."""

import io
from collections.abc import Callable, Iterable, Iterator
from itertools import chain

from django.core.exceptions import FieldDoesNotExist
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import access, selectors, services
from ..layout import COLUMNS, HOUSEHOLD, MEMBER, Column
from ..models import Household, Member
from . import bulk
from .codes import CODES_TITLE, SHEET_TITLE, code_grid, code_lists
from .container import MAX_ROWS
from .reader import Sheet


def household_cells(rows: Iterable[tuple], *, show_id: Callable[[str], str],
                    show_phone: Callable[[str, str], str] | None = None) -> Iterator[list]:
    """The export's cells of selectors.household_export_rows(), in the layout's columns: codes shown
    by their labels (a value without a label as it is), 是 or 否, the ID numbers as `show_id` shows
    them (access.id_display), the helper's phone as `show_phone` shows it for the household's
    county (access.helper_phone_display; None: whole)."""
    # Labels resolved once: a label is a lazy translation, translated again on every str(). The
    # status is read only in the layout, yet shown by its label like the coded columns.
    shown = [(i, {True: "是", False: "否"}) if column.kind == "bool" else (i, _labels(column))
             for i, column in enumerate(COLUMNS) if column.kind == "bool" or _labels(column)]
    id_at = next(i for i, column in enumerate(COLUMNS) if column.kind == "id")
    phone_at = next(i for i, column in enumerate(COLUMNS) if column.key == "helper_phone")
    village_at = next(i for i, column in enumerate(COLUMNS) if column.key == "village")
    for row in rows:
        cells = list(row)
        for i, labels in shown:
            cells[i] = labels.get(cells[i], cells[i])
        cells[id_at] = show_id(cells[id_at])
        if show_phone is not None and cells[phone_at]:
            cells[phone_at] = show_phone(cells[phone_at], cells[village_at][:6])
        yield cells


def _labels(column: Column) -> dict[str, str]:
    """The labels of the column's field by code; none for a field without choices or no field."""
    model = Household if column.level == HOUSEHOLD else Member
    try:
        field = model._meta.get_field(column.key)
    except FieldDoesNotExist:
        return {}
    return {code: str(text) for code, text in field.flatchoices}


def household_rows(households, *, show_id: Callable[[str], str],
                   show_phone: Callable[[str, str], str] | None = None) -> Iterator[dict]:
    """Runs two queries. The export's rows of the households as dicts by column key (the import's
    rows, as a clerk downloads them to edit)."""
    keys = [c.key for c in COLUMNS]
    for cells in household_cells(selectors.household_export_rows(households), show_id=show_id, show_phone=show_phone):
        yield dict(zip(keys, cells, strict=True))


_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_READ_ONLY_FONT = Font(bold=True, color="808080")


def households_workbook(rows: Iterable[dict], *, columns: list[Column] = COLUMNS) -> bytes:
    """The layout's workbook: the rows (dicts by column key; none for the blank template), the
    header row frozen, drop-down lists on the coded columns, and a second sheet listing the codes.
    Rows are written by the fast writer (bulk.py), the blank template by openpyxl. Runs a query
    (the causes)."""
    keys = [c.key for c in columns]
    return _cells_workbook(([row.get(k) for k in keys] for row in rows), columns=columns)


def _cells_workbook(rows: Iterable[list], *, columns: list[Column]) -> bytes:
    """households_workbook() of rows of cells in the columns' order."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return styled_workbook([], columns=columns)
    return bulk.rows_workbook(chain([first], rows), columns=columns, codes=code_lists())


def styled_workbook(rows: Iterable[dict], *, columns: list[Column], title: str = SHEET_TITLE) -> bytes:
    """The workbook written by openpyxl (write-only): each header cell formatted (required columns
    filled, read-only ones grey), and the drop-downs pointing at the sheet of codes down to the
    last row an import reads."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    listed = code_lists(columns)
    codes = book.create_sheet(CODES_TITLE) if listed else None  # a layout without coded columns has none
    sheet.freeze_panes = "A2"
    for position, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = _READ_ONLY_FONT if column.read_only else _HEADER_FONT
        if column.required:
            cell.fill = _REQUIRED_FILL
        header.append(cell)
    sheet.append(header)
    for codes_of in listed:
        column = codes_of.column
        if column not in columns:
            continue
        position = columns.index(column) + 1
        names = get_column_letter(codes_of.position + 2)
        validation = DataValidation(
            type="list",
            formula1=f"'{CODES_TITLE}'!${names}$2:${names}${len(codes_of.values) + 1}",
            allow_blank=not column.required,
            showErrorMessage=column.kind != "causes",  # several causes go in one cell
            errorTitle="无效的选项",
            error=f"请从下拉列表中选择{column.header}，或填写代码表中的代码",
        )
        validation.add(f"{get_column_letter(position)}2:{get_column_letter(position)}{MAX_ROWS}")
        sheet.data_validations.append(validation)
    for row in rows:
        sheet.append([_plain(row.get(c.key)) for c in columns])
    for row in code_grid(listed) if listed else ():
        codes.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain(value):
    return "" if value is None else value


def report_workbook(sheet: Sheet, report: services.ImportReport, *, title: str = SHEET_TITLE) -> bytes:
    """The refused rows in the layout, with a last column of reasons, so the clerk can fix and
    re-send them."""
    reasons: dict[int | None, list[str]] = {}
    for p in sheet.problems(report):
        text = f"{p.column}：{p.reason}" if p.column else p.reason
        reasons.setdefault(p.row, []).append(f"{text}（原值：{p.value}）" if p.value else text)
    rows = []
    for number, cells in sheet.cells.items():
        if number in reasons:
            row = {c.key: cells[i] if i < len(cells) else None for i, c in sheet.columns.items()}
            rows.append({**row, "_reason": f"第 {number} 行：" + "；".join(reasons[number])})
    if None in reasons:
        rows.append({"_reason": "；".join(reasons[None])})
    # The columns the clerk sent, in the layout's order, and the reasons last.
    columns = [c for c in sheet.layout if c in sheet.columns.values()]
    # openpyxl: a few rows, and the clerk's own cells, which may hold anything a workbook can.
    return styled_workbook(rows, columns=[*columns, Column("_reason", "拒绝原因", MEMBER, width=60)], title=title)


def export_households(households, *, actor, door: str, filters: dict, progress=None) -> bytes:
    """The export of a set of households (already scoped by the caller), logged; ID numbers as the
    actor may see them (access.id_display: whole for the system). `progress(done, total, stage)`,
    when given, is told the rows written (a query more: how many there will be)."""
    show_id, show_phone = access.id_display(actor), access.helper_phone_display(actor)
    counted = 0
    total = Member.objects.filter(household__in=households, left_on__isnull=True).count() if progress else None

    def rows():
        nonlocal counted
        for cells in household_cells(selectors.household_export_rows(households), show_id=show_id,
                                     show_phone=show_phone):
            counted += 1
            if progress and counted % 2000 == 0:
                progress(counted, total, "写出")
            yield cells

    content = _cells_workbook(rows(), columns=COLUMNS)
    services.export_log(actor=actor, door=door, kind="households", filters=filters, rows=counted,
                        full_id_numbers=access.may_see_full_id(actor))
    return content
