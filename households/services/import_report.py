"""What an import reads and answers (services/imports.py): the rows a workbook door hands it, and
the report every door shows, problems by sheet row and column."""

from dataclasses import dataclass, field


@dataclass
class SheetRow:
    """A row of a workbook as read: the values of its cells in their fields' types (blank cells
    left out), and the cells that could not be read, with why."""

    number: int  # the sheet's row number
    values: dict[str, object]  # column key → value
    refused: dict[str, str] = field(default_factory=dict)  # column key → reason


@dataclass(frozen=True)
class ImportProblem:
    row: int | None  # the sheet's row; None for the workbook as a whole
    column: str  # the column's key; "" for the row (or its household) as a whole
    reason: str


@dataclass
class ImportReport:
    """What an import did, or would do on a dry run: per household and member created, updated,
    unchanged; every refused row with its column and reason. Nothing is written unless nothing is
    refused."""

    rows: int = 0
    households: dict = field(default_factory=lambda: {"new": 0, "update": 0, "skip": 0})
    members: dict = field(default_factory=lambda: {"new": 0, "update": 0, "skip": 0})
    # Households given a (new) current helper (帮扶责任人) by the workbook, and those whose row names
    # the helper they have (helper_assignments_import; a dry run counts what it would do).
    helpers: dict = field(default_factory=lambda: {"new": 0, "skip": 0})
    actions: dict[int, str] = field(default_factory=dict)  # sheet row → new, update, skip
    problems: list[ImportProblem] = field(default_factory=list)
    # The door's, from the sheet it read: columns it could not place, blank rows it skipped.
    ignored_headers: list[str] = field(default_factory=list)
    blank_rows: int = 0
    written: bool = False

    @property
    def refused_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.row is not None})

    def summary(self) -> str:
        h, m = self.households, self.members
        text = (f"贫困户：新增 {h['new']}，更新 {h['update']}，不变 {h['skip']}；"
                f"家庭成员：新增 {m['new']}，更新 {m['update']}，不变 {m['skip']}；"
                f"帮扶关系：新增 {self.helpers['new']}；拒绝 {len(self.refused_rows)} 行")
        if self.ignored_headers:
            text += "；已忽略无法识别的列：" + "、".join(self.ignored_headers)
        return text
