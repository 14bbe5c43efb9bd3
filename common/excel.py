"""Excel workbooks out of the registry: one writer for every table the admin, the API, the pages
and the commands export, so each has a Chinese header and a frozen header row (the export log is
households.exports')."""

import io
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_workbook(*, title: str, columns: Mapping[str, str], rows: Iterable[Mapping]) -> bytes:
    """An xlsx of one sheet: `columns` maps each row key to its Chinese header, in order.
    Written in openpyxl's write-only mode, so memory stays flat on the whole city."""
    return tables_workbook([(title, columns, rows)])


def tables_workbook(sheets: Iterable[tuple[str, Mapping[str, str], Iterable[Mapping]]]) -> bytes:
    """An xlsx of a sheet for each (title, columns, rows), as table_workbook writes one."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.freeze_panes = "A2"
        header = []
        for label in columns.values():
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(row.get(key)) for key in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, str)) or hasattr(value, "isoformat"):
        return value
    return str(value)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    # RFC 6266 with a UTF-8 name: browsers keep the Chinese file name.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
