"""The assignments workbook (帮扶关系表): one row per household, its helper's name, unit and phone,
and the day the helper took it on. A door like the others: it reads cells into rows for
services.helper_assignments_import, which decides everything (all or nothing, its refusals naming
their rows), and writes the current assignments of the households the actor sees, the phones as
access.helper_phone_display shows them (so that an export re-imports unchanged where the reader
may write)."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from common.refusals import Refused

from .. import access, services
from ..layout import HOUSEHOLD, Column
from ..services import HelperRow, HelperRowsInvalid, helper_assignments_import, import_gate
from .container import WorkbookError
from .reader import read_workbook
from .writer import styled_workbook

TITLE = "帮扶关系表"
COLUMNS = [
    Column("household", "户编号", HOUSEHOLD, required=True, aliases=("户码", "贫困户编号"), width=20),
    Column("name", "帮扶责任人", HOUSEHOLD, required=True, aliases=("帮扶责任人姓名", "姓名"), width=10),
    Column("unit", "帮扶单位", HOUSEHOLD, required=True, aliases=("帮扶责任人单位", "单位"), width=20),
    Column("phone", "联系电话", HOUSEHOLD, aliases=("帮扶责任人电话", "电话"), width=14),
    Column("started_on", "起始日期", HOUSEHOLD, "date", aliases=("帮扶起始日期", "开始日期"), width=11),
]
HEADERS = {c.key: c.header for c in COLUMNS}
# The service's fields by the columns that carry them.
FIELDS = {"household_number": "household", "started_on": "started_on", "name": "name", "unit": "unit",
          "phone": "phone"}

LABELS = {"helpers_new": "新增帮扶责任人", "helpers_changed": "更新电话", "assignments_new": "新增帮扶关系",
          "unchanged": "帮扶责任人不变"}

__all__ = ["COLUMNS", "TITLE", "WorkbookError", "export", "import_file", "template"]


@dataclass
class Problem:
    row: int | None  # the sheet's row; None for the workbook as a whole
    column: str  # the column's header; "" for the row as a whole
    value: str
    reason: str


@dataclass
class Report:
    rows: int
    written: bool = False
    counts: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    outcome: str = ""  # the service's summary
    blank_rows: int = 0
    ignored_headers: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"written": self.written, "rows": self.rows, "counts": dict(self.counts),
                "problems": [vars(p) for p in self.problems]}

    def outcomes(self) -> dict[str, int]:
        """The counts by their Chinese labels, as the job's page shows them."""
        return {LABELS[key]: n for key, n in self.counts.items() if key in LABELS and n}

    def summary(self) -> str:
        if self.problems:
            return f"有 {len({p.row for p in self.problems})} 行被拒绝，整个表格未写入"
        return f"共 {self.rows} 行" + (f"（{self.outcome}）" if self.outcome else "")


def template() -> bytes:
    """The blank workbook: the header, required columns filled."""
    return styled_workbook([], columns=COLUMNS, title=TITLE)


def export(assignments, *, actor, door: str, filters: dict) -> bytes:
    """The current assignments given (already scoped by the caller to what the actor sees), one row
    per household, logged like every export of personal data (a helper's phone is one). Runs a
    query, and one for the actor's counties."""
    show = access.helper_phone_display(actor)
    rows = [
        {"household": a.household.number, "name": a.helper.name, "unit": a.helper.unit,
         "phone": show(a.helper.phone, a.household.county_code), "started_on": a.started_on}
        for a in assignments.select_related("household", "helper").order_by("household__number")
    ]
    content = styled_workbook(rows, columns=COLUMNS, title=TITLE)
    services.export_log(actor=actor, door=door, kind="helper_assignments", filters=filters, rows=len(rows))
    return content


def import_file(data: bytes, *, actor, dry_run: bool = False, on: datetime.date | None = None) -> Report:
    """A workbook's rows through services.helper_assignments_import, all or nothing: a cell that
    cannot be read, or a row the service refuses, and nothing is written (a dry run writes nothing
    either). Refused before the file is read: an actor who may import nowhere (Refused). A file that
    is no readable workbook: WorkbookError."""
    import_gate(actor=actor)
    sheet = read_workbook(data, columns=COLUMNS)
    report = Report(rows=len(sheet.rows), blank_rows=sheet.blank_rows, ignored_headers=sheet.ignored_headers)
    for row in sheet.rows:
        for key, why in row.refused.items():
            report.problems.append(Problem(row.number, HEADERS[key], sheet.value(row.number, key), why))
        for column in COLUMNS:
            if column.required and column.key not in row.values and column.key not in row.refused:
                report.problems.append(Problem(row.number, column.header, "", "必填"))
    if report.problems:
        return report
    rows = [HelperRow(household_number=str(r.values["household"]), name=str(r.values["name"]),
                      unit=str(r.values["unit"]), phone=str(r.values.get("phone") or ""),
                      started_on=r.values.get("started_on"), row=r.number)
            for r in sheet.rows]
    try:
        result = helper_assignments_import(actor=actor, rows=rows, on=on or timezone.localdate(), dry_run=dry_run)
    except HelperRowsInvalid as e:
        report.problems = [_problem(sheet, p.row, FIELDS.get(p.field, ""), p.message) for p in e.problems]
        return report
    except Refused as e:
        report.problems = [_problem(sheet, None, FIELDS.get(e.field or "", ""), e.message)]
        return report
    report.counts.update({"helpers_new": result.helpers_new, "helpers_changed": result.helpers_changed,
                          "assignments_new": result.assignments_new, "unchanged": result.unchanged})
    report.outcome = result.summary()
    report.written = result.written
    return report


def _problem(sheet, row: int | None, key: str, reason: str) -> Problem:
    """A refusal as the clerk reads it: the sheet's row, the column's header, the cell as typed."""
    return Problem(row, HEADERS.get(key, ""), sheet.value(row, key) if key else "", reason)
