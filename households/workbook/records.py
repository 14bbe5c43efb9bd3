"""Workbooks of records beside the registry's own (the 动态调整 workbook, one row per member change;
the income workbook, one row per household and year): a layout of columns read and written like the
registry's (reader.py, writer.py), and a function that turns one row's values into one service call.
The door decides nothing: each row goes through the service, which refuses with the field it names;
the workbook only says which row and column that was.

All or nothing: the rows are applied in order, each in a savepoint so that every row's problems are
found in one pass, and the whole is rolled back if any row was refused (or for a preview)."""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from common.batches import gc_paused
from common.refusals import Refused

from .. import access
from ..layout import Column
from ..models import Household
from ..services import ImportProblem, SheetRow, import_gate
from .reader import Sheet, read_workbook
from .writer import report_workbook, styled_workbook

NEW, SKIP = "new", "skip"
OUTCOME_LABELS = {NEW: "新增", SKIP: "已有（未变）"}


@dataclass(frozen=True)
class RecordBook:
    code: str  # the job's parameter and the URL's name
    title: str  # the sheet's title and the files' names
    columns: list[Column]
    # apply(actor, rows) -> NEW or SKIP: one service call for a group of rows (one row, unless
    # `group` joins them), each row's values by column key, blank cells left out. Raises the
    # service's ValidationError or Refused, whose fields name columns: a column's key, or a field
    # `fields` maps to one (by its whole name, or by its part before the first dot).
    apply: Callable[..., str]
    # Consecutive rows with the same key, not None, are one call (a split: one row per person).
    group: Callable[[dict], object] | None = None
    fields: dict[str, str] = field(default_factory=dict)

    def column_of(self, name: str | None) -> str:
        """The column a service's field names; "" for the row as a whole."""
        name = name or ""
        for candidate in (name, name.split(".")[0]):
            key = self.fields.get(candidate, candidate)
            if key in {c.key for c in self.columns}:
                return key
        return ""


BOOKS: dict[str, RecordBook] = {}  # by code: each book registers itself (changes.py, incomes.py)


def book(code: str, title: str, columns: list[Column], *, group=None, fields: dict[str, str] | None = None):
    """Registers `apply(actor, rows) -> NEW | SKIP` as the rows' service call of the book `code`."""

    def register(apply):
        BOOKS[code] = RecordBook(code, title, columns, apply, group, fields or {})
        return apply

    return register


@dataclass
class RecordReport:
    rows: int
    outcomes: Counter = field(default_factory=Counter)  # NEW / SKIP
    problems: list[ImportProblem] = field(default_factory=list)
    written: bool = False
    ignored_headers: list[str] = field(default_factory=list)
    blank_rows: int = 0

    @property
    def refused_rows(self) -> set[int | None]:
        return {p.row for p in self.problems}

    def summary(self) -> str:
        return "，".join(f"{OUTCOME_LABELS[k]} {n} 行" for k, n in sorted(self.outcomes.items())) or "没有数据行"


def template(book: RecordBook, rows: Iterable[dict] = ()) -> bytes:
    """The blank workbook: the header (required columns filled), drop-downs on the coded columns,
    the sheet of codes; with `rows` (dicts by column key), filled as a clerk fills it. Runs a query
    (the causes)."""
    return styled_workbook(rows, columns=book.columns, title=book.title)


def import_records(book: RecordBook, data: bytes, *, actor, dry_run: bool = False,
                   progress: Callable | None = None) -> tuple[Sheet, RecordReport]:
    """The workbook's rows through the book's service, in order, all or nothing (see the module).
    Refused before the file is read: an actor who may import nowhere (Refused). A file that is no
    readable workbook: reader's WorkbookError."""
    import_gate(actor=actor)
    sheet = read_workbook(data, columns=book.columns)
    report = RecordReport(rows=len(sheet.rows), ignored_headers=sheet.ignored_headers, blank_rows=sheet.blank_rows)
    tell = progress or (lambda done, total=None, stage=None: None)
    required = [c.key for c in book.columns if c.required and not c.read_only]
    with gc_paused(), transaction.atomic():
        done = 0
        for rows in _groups(book, sheet.rows):
            problems = [ImportProblem(row.number, key, why) for row in rows for key, why in row.refused.items()]
            problems += [ImportProblem(row.number, key, "必填") for row in rows for key in required
                         if key not in row.values and key not in row.refused]
            if not problems:
                problems = _apply(book, actor, rows, report)
            report.problems += problems
            done += len(rows)
            tell(done, len(sheet.rows), "逐行核对并写入")
        if report.problems or dry_run:
            transaction.set_rollback(True)
        else:
            report.written = True
    return sheet, report


def _groups(book: RecordBook, rows: list[SheetRow]) -> Iterator[list[SheetRow]]:
    group: list[SheetRow] = []
    key = None
    for row in rows:
        row_key = book.group(row.values) if book.group and not row.refused else None
        if group and (row_key is None or row_key != key):
            yield group
            group = []
        group.append(row)
        key = row_key
    if group:
        yield group


def _apply(book: RecordBook, actor, rows: list[SheetRow], report: RecordReport) -> list[ImportProblem]:
    # A group's problem is its first row's: the call was one.
    number = rows[0].number
    try:
        with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
            report.outcomes[book.apply(actor, [row.values for row in rows])] += len(rows)
    except ValidationError as e:
        if not hasattr(e, "error_dict"):
            return [ImportProblem(number, "", message) for message in e.messages]
        # A field the sheet has no column for (a rule over the whole record) is the row's.
        return [ImportProblem(number, book.column_of(key), message)
                for key, messages in e.message_dict.items() for message in messages]
    except Refused as e:
        return [ImportProblem(number, book.column_of(e.field), str(e))]
    return []


def visible_household(actor, number: str, field: str) -> Household:
    """Runs a query. A household the actor sees (whether it may change it is the service's question)."""
    household = access.households_visible_to(actor).filter(number=number).first()
    if household is None:
        raise ValidationError({field: f"没有户编号为 {number} 的贫困户（或不在您的范围内）"})
    return household


def refused_workbook(book: RecordBook, sheet: Sheet, report: RecordReport) -> bytes:
    """The refused rows as the clerk sent them, with their reasons, to fix and send again."""
    return report_workbook(sheet, report, title=book.title)
