"""django-import-export's side of the 建档立卡 workbook: the admin's import page (upload, dry run,
preview, confirm) runs on these, and both hand the work to households/workbook/ and the import
service, which the command and the API share. The library's own row-by-row import (about 700 rows a second, or a
bulk mode that skips the history) is not used: the registry validates a workbook as one set."""

import tablib
from django.core.exceptions import ValidationError
from import_export import resources
from import_export.formats.base_formats import XLSX
from import_export.results import InvalidRow, Result, RowResult

from . import workbook
from .models import Household

PREVIEW_ROWS = 500  # the page lists the first rows; the counts and the report cover all of them


class SheetDataset(tablib.Dataset):
    """The sheet as read by workbook.read_workbook(), in the Dataset the admin passes around."""

    def __init__(self, sheet: workbook.Sheet):
        super().__init__()
        self.sheet = sheet

    def __len__(self):
        return len(self.sheet.rows)


class RegistryXLSX(XLSX):
    """Reads with python-calamine behind the container checks of workbook.read_workbook()."""

    def create_dataset(self, in_stream):
        return SheetDataset(workbook.read_workbook(in_stream))


class HouseholdResource(resources.ModelResource):
    class Meta:
        model = Household
        name = "建档立卡贫困户家庭成员表"

    def get_user_visible_fields(self):
        return []  # the page lists the layout's headers itself

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, **kwargs):
        sheet = dataset.sheet
        report = workbook.import_sheet(
            sheet, actor=kwargs["user"], dry_run=dry_run, reason=f"Excel导入：{kwargs.get('file_name') or ''}"
        )
        return report_result(sheet, report)


def report_result(sheet: workbook.Sheet, report) -> Result:
    """The import's report as the admin's preview shows it."""
    result = Result()
    result.report = report
    result.sheet = sheet
    columns = sorted(sheet.columns.items())
    result.diff_headers = [c.header for _i, c in columns]
    reasons: dict[int, dict[str, list[str]]] = {}
    for p in sheet.problems(report):
        text = f"{p.reason}（原值：{p.value}）" if p.value else p.reason
        reasons.setdefault(p.row or 0, {}).setdefault(p.column or "整行", []).append(text)
    for number in sheet.cells:
        values = {c.header: sheet.value(number, c.key) for _i, c in columns}
        if number in reasons:
            if len(result.invalid_rows) < PREVIEW_ROWS:
                result.invalid_rows.append(InvalidRow(number, ValidationError(reasons[number]), tuple(values.values())))
            continue
        row = RowResult()
        row.import_type = report.actions.get(number, RowResult.IMPORT_TYPE_SKIP)
        row.number = number
        row.diff = list(values.values())
        result.increment_row_result_total(row)
        if len(result.rows) < PREVIEW_ROWS:
            result.rows.append(row)
    if 0 in reasons:
        result.invalid_rows.append(InvalidRow("—", ValidationError(reasons[0]), ()))
    result.totals[RowResult.IMPORT_TYPE_INVALID] = len(report.refused_rows)
    result.total_rows = report.rows
    return result
