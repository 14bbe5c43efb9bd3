"""Writing workbooks in the layout: the blank template (frozen header, drop-down lists, a sheet of
codes), the export of a set of households, and the refused rows of an import with their reasons.
Workbooks of rows are written by rustpy-xlsxwriter (bulk.py), the template and the refused rows by
openpyxl, which formats each header cell and points the drop-downs at the sheet of codes."""

import io
from collections.abc import Callable, Iterable, Iterator
from itertools import chain

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import access, services
from ..layout import COLUMNS, MEMBER, Column
from ..models import Household, Member
from . import bulk
from .codes import CODES_TITLE, SHEET_TITLE, code_grid, code_lists
from .container import MAX_ROWS
from .reader import Sheet


def household_rows(households: Iterable[Household], *, show_id: Callable[[str], str]) -> Iterator[dict]:
    """The export's rows: one per member of each household (members of a household in order), the
    ID numbers as `show_id` shows them (access.id_display)."""
    # Labels resolved once: get_FOO_display() translates every label of a field on every call. As
    # it does, a value without a label is shown as it is.
    label = {f: {code: str(text) for code, text in model._meta.get_field(f).flatchoices}
             for model, names in ((Household, ("category", "standard", "status")),
                                  (Member, ("relation", "sex", "health", "labor", "schooling")))
             for f in names}
    yes_no = {True: "是", False: "否"}
    for h in households:
        village = h.village
        base = {
            "county_name": village.township.county.name,
            "township_name": village.township.name,
            "village_name": village.name,
            "village": village.code,
            "number": h.number,
            "category": label["category"].get(h.category, h.category),
            "identified_year": h.identified_year,
            "standard": label["standard"].get(h.standard, h.standard),
            "main_cause": h.main_cause.name,
            "other_causes": "、".join(c.name for c in h.other_causes.all()),
            "income_per_capita": h.income_per_capita,
            "address": h.address,
            "phone": h.phone,
            "helper_name": h.helper_name,
            "helper_unit": h.helper_unit,
            "helper_phone": h.helper_phone,
            "status": label["status"].get(h.status, h.status),
        }
        for m in h.members.all():
            yield {
                **base,
                "name": m.name,
                "id_number": show_id(m.id_number),
                "relation": label["relation"].get(m.relation, m.relation),
                "sex": label["sex"].get(m.sex, m.sex),
                "birth_date": m.birth_date,
                "ethnicity": m.ethnicity,
                "health": label["health"].get(m.health, m.health),
                "labor": label["labor"].get(m.labor, m.labor),
                "schooling": label["schooling"].get(m.schooling, m.schooling),
                "disability_certificate": m.disability_certificate,
                "draws_dibao": yes_no[m.draws_dibao],
                "draws_wubao": yes_no[m.draws_wubao],
            }


def export_queryset(households):
    """What household_rows() reads, in four queries whatever the number of households."""
    return (
        households.select_related("village__township__county", "main_cause")
        .prefetch_related("other_causes", Prefetch("members", queryset=Member.objects.order_by("id")))
        .order_by("village_id", "number")
    )


_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_READ_ONLY_FONT = Font(bold=True, color="808080")


def households_workbook(rows: Iterable[dict], *, columns: list[Column] = COLUMNS) -> bytes:
    """The layout's workbook: the rows (none for the blank template), the header row frozen,
    drop-down lists on the coded columns, and a second sheet listing the codes. Rows are written
    by the fast writer (bulk.py), the blank template by openpyxl. Runs a query (the causes)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return _styled_workbook([], columns=columns)
    return bulk.rows_workbook(chain([first], rows), columns=columns, codes=code_lists())


def _styled_workbook(rows: Iterable[dict], *, columns: list[Column]) -> bytes:
    """The workbook written by openpyxl (write-only): each header cell formatted (required columns
    filled, read-only ones grey), and the drop-downs pointing at the sheet of codes down to the
    last row an import reads."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    codes = book.create_sheet(CODES_TITLE)
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
    listed = code_lists()
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
    for row in code_grid(listed):
        codes.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain(value):
    return "" if value is None else value


def report_workbook(sheet: Sheet, report: services.ImportReport) -> bytes:
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
    columns = [c for c in COLUMNS if c in sheet.columns.values()]
    # openpyxl: a few rows, and the clerk's own cells, which may hold anything a workbook can.
    return _styled_workbook(rows, columns=[*columns, Column("_reason", "拒绝原因", MEMBER, width=60)])


def export_households(households, *, actor, door: str, filters: dict, progress=None) -> bytes:
    """The export of a set of households (already scoped by the caller), logged; ID numbers as the
    actor may see them (access.id_display: whole for the system). `progress(done, total, stage)`,
    when given, is told the rows written (a query more: how many there will be)."""
    show_id = access.id_display(actor)
    counted = 0
    total = Member.objects.filter(household__in=households).count() if progress else None

    def rows():
        nonlocal counted
        for row in household_rows(export_queryset(households).iterator(chunk_size=2000), show_id=show_id):
            counted += 1
            if progress and counted % 2000 == 0:
                progress(counted, total, "写出")
            yield row

    content = households_workbook(rows())
    services.export_log(actor=actor, door=door, kind="households", filters=filters, rows=counted,
                        full_id_numbers=access.may_see_full_id(actor))
    return content
