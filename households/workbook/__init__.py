"""The 建档立卡 workbook, a door like a form: it reads cells into values for the import service
(services.registry_import) and writes workbooks in the layout (layout.COLUMNS). It decides nothing:
who may import where, what changes and every rule are the service's."""

from ..layout import COLUMNS
from ..services import ImportReport, registry_import
from . import changes, incomes  # noqa: F401  (register the 动态调整 and the income workbooks)
from .container import MAX_COLUMNS, MAX_ROWS, WorkbookError
from .reader import RowProblem, Sheet, read_workbook
from .writer import (
    export_households,
    household_rows,
    households_workbook,
    report_workbook,
)


def import_sheet(sheet: Sheet, *, actor, dry_run: bool = False, reason: str = "Excel导入", progress=None) -> ImportReport:
    """The rows of a read sheet through the import service; the report names the columns the sheet
    had that the layout does not know, and the blank rows it skipped."""
    report = registry_import(actor=actor, rows=sheet.rows, dry_run=dry_run, reason=reason, progress=progress)
    report.ignored_headers, report.blank_rows = sheet.ignored_headers, sheet.blank_rows
    return report


def import_file(data: bytes, *, actor, dry_run: bool = False, reason: str = "Excel导入",
                progress=None) -> tuple[Sheet, ImportReport]:
    """A workbook's bytes through the import service, read only once the service has let the actor
    import (WorkbookError for a file it cannot read)."""
    read: list[Sheet] = []

    def rows():
        read.append(read_workbook(data))
        return read[0].rows

    report = registry_import(actor=actor, rows=rows, dry_run=dry_run, reason=reason, progress=progress)
    report.ignored_headers, report.blank_rows = read[0].ignored_headers, read[0].blank_rows
    return read[0], report


__all__ = [
    "COLUMNS", "MAX_COLUMNS", "MAX_ROWS", "WorkbookError", "RowProblem", "Sheet", "read_workbook",
    "export_households", "household_rows", "households_workbook",
    "report_workbook", "import_sheet", "import_file",
]
