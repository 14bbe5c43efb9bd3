"""A department's list as a workbook: each kind's template (its column map, kinds.COLUMNS), and
its rows read into people for the upload service, each ID number checked (GB 11643), every row
that fails named with its reason. A door: it decides nothing about who uploads or what is kept."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from households.validators import parse_resident_id
from households.workbook import WorkbookError, read_workbook
from households.workbook.writer import styled_workbook

from .kinds import COLUMNS, ListKind

__all__ = ["ListRow", "RowProblem", "WorkbookError", "read_list", "template"]


@dataclass(frozen=True)
class ListRow:
    row: int
    id_number: str
    name: str
    on_date: object  # datetime.date or None
    detail: str


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str  # the Chinese header
    value: str
    reason: str

    def __str__(self) -> str:
        return f"第{self.row}行 {self.column}“{self.value}”：{self.reason}"


def template(kind: str) -> bytes:
    """The blank workbook of a kind: its header, the required columns filled."""
    return styled_workbook([], columns=COLUMNS[kind], title=str(ListKind(kind).label))


def read_list(kind: str, data: bytes) -> tuple[list[ListRow], list[RowProblem]]:
    """The rows of a list's workbook: those whose ID number passes GB 11643 (the check digit, a real
    birth date, a known address code) and whose required cells are there, and the problems of the
    others, by sheet row. WorkbookError (with its Chinese reason) for a file that is no readable
    workbook or lacks the ID number's column."""
    columns = COLUMNS[kind]
    headers = {c.key: c.header for c in columns}
    sheet = read_workbook(data, columns=columns)
    rows, problems = [], []
    for row in sheet.rows:
        found = [RowProblem(row.number, headers[key], sheet.value(row.number, key), why)
                 for key, why in row.refused.items()]
        number = row.values.get("id_number")
        if "id_number" not in row.refused:
            try:
                parse_resident_id(number or "")
            except ValidationError as e:
                found.append(RowProblem(row.number, headers["id_number"], number or "", "；".join(e.messages)))
        found += [RowProblem(row.number, c.header, "", "必填") for c in columns
                  if c.required and c.key != "id_number" and c.key not in row.values and c.key not in row.refused]
        if found:
            problems += found
            continue
        rows.append(ListRow(row.number, number, str(row.values.get("name") or "")[:50], row.values.get("on_date"),
                            str(row.values.get("detail") or "")[:200]))
    return rows, problems
