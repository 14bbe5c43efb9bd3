"""The sheet of codes (代码表) that every workbook in the layout carries beside its rows: for each
coded column, a block of two columns, 代码 and 名称; the drop-down lists offer the names."""

from dataclasses import dataclass

from ..layout import COLUMNS, Column
from ..models import PovertyCause

SHEET_TITLE = "贫困户家庭成员"
CODES_TITLE = "代码表"


@dataclass(frozen=True)
class CodeList:
    column: Column
    values: list[tuple[str, str]]  # (code, name)
    position: int  # the 0-based column of the codes on the sheet of codes; the names are beside it

    @property
    def names(self) -> list[str]:
        return [name for _code, name in self.values]


def code_lists(columns: list[Column] = COLUMNS) -> list[CodeList]:
    """Every coded column of the layout (the registry's, or another workbook's columns) with its
    codes, in the layout's order. Runs a query (the causes)."""
    causes = list(PovertyCause.objects.values_list("code", "name"))
    lists = []
    for column in columns:
        if column.kind == "choice":
            values = [(code, str(label)) for code, label in column.choices]
        elif column.kind in ("cause", "causes"):
            values = causes
        else:
            continue
        lists.append(CodeList(column, values, position=len(lists) * 2))
    return lists


def code_grid(lists: list[CodeList]) -> list[list[str]]:
    """The sheet of codes as rows of cells, its first row naming each block's two columns."""
    grid = [["" for _ in range(len(lists) * 2)] for _ in range(max(len(c.values) for c in lists) + 1)]
    for codes in lists:
        at = codes.position
        grid[0][at], grid[0][at + 1] = f"{codes.column.header}·代码", f"{codes.column.header}·名称"
        for r, (code, name) in enumerate(codes.values, start=1):
            grid[r][at], grid[r][at + 1] = code, name
    return grid
