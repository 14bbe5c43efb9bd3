"""A table the user saw, as a logged Excel download: the pages', the plan's and the admin's exports."""

from collections.abc import Mapping

from django.http import HttpResponse
from django.utils import timezone

from common.excel import table_workbook, xlsx_response

from .services import export_log


def table_response(
    request, *, kind: str, title: str, columns: Mapping[str, str], rows: list[Mapping], filters: dict, door: str,
    full_id_numbers: bool = False,
) -> HttpResponse:
    """Exports a table as the user saw it and logs the export (who, when, what filter, how many rows,
    whether it carries whole ID numbers)."""
    export_log(actor=request.user, door=door, kind=kind, filters=filters, rows=len(rows),
               full_id_numbers=full_id_numbers)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(table_workbook(title=title, columns=columns, rows=rows), f"{title}-{stamp}.xlsx")
