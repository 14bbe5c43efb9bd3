"""The 建档立卡 workbook: one row per member, the household's columns repeated on each row.

One column map (COLUMNS) drives the blank template, the import and the export (STYLE habit 8), so
an export re-imports unchanged. This module is a door, like a form: it reads cells into values
and values into model instances, and leaves every rule to the models and services.
"""

import copy
import datetime
import io
import re
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .models import Household, Member, PovertyCause
from .validators import mask_id

HOUSEHOLD, MEMBER = "household", "member"
SHEET_TITLE = "贫困户家庭成员"
CODES_TITLE = "代码表"

# A workbook is refused before it is read when it could not be a county's registry: these bound
# the memory a crafted file (a "zip bomb", a cell placed at XFD1048576) can make the reader take.
MAX_UNZIPPED_BYTES = 1 << 30
MAX_ROWS = 500_000
MAX_COLUMNS = 200


class WorkbookError(Exception):
    """The file as a whole cannot be read: nothing was imported. The message is for the clerk."""


@dataclass(frozen=True)
class Column:
    key: str  # the model field (or a read-only key) the column carries
    header: str
    level: str  # HOUSEHOLD or MEMBER
    kind: str = "text"  # text, choice, cause, causes, int, decimal, date, bool, id
    required: bool = False
    read_only: bool = False  # exported for the reader, ignored on import
    aliases: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # (code, label) for kind "choice"
    width: int = 12


COLUMNS: list[Column] = [
    Column("county_name", "县(市、区)", HOUSEHOLD, read_only=True, width=10),
    Column("township_name", "乡(镇)", HOUSEHOLD, read_only=True, width=10),
    Column("village_name", "建制村", HOUSEHOLD, read_only=True, width=10),
    Column("village", "村代码", HOUSEHOLD, required=True, aliases=("村区划代码", "建制村代码"), width=14),
    Column("number", "户编号", HOUSEHOLD, required=True, aliases=("户码", "贫困户编号"), width=20),
    Column("category", "贫困户类别", HOUSEHOLD, "choice", required=True, choices=tuple(Household.Category.choices),
           aliases=("贫困户属性", "类别"), width=22),
    Column("identified_year", "识别年份", HOUSEHOLD, "int", aliases=("识别年度",), width=9),
    Column("standard", "识别标准", HOUSEHOLD, "choice", choices=tuple(Household.Standard.choices), width=9),
    Column("main_cause", "主要致贫原因", HOUSEHOLD, "cause", required=True, aliases=("主要致贫原因代码",)),
    Column("other_causes", "其他致贫原因", HOUSEHOLD, "causes", aliases=("次要致贫原因",), width=16),
    Column("income_per_capita", "人均纯收入（元）", HOUSEHOLD, "decimal", required=True,
           aliases=("人均纯收入", "人均纯收入(元)", "家庭人均纯收入"), width=10),
    Column("address", "住址", HOUSEHOLD, aliases=("家庭住址",), width=20),
    Column("phone", "联系电话", HOUSEHOLD, width=14),
    Column("helper_name", "帮扶责任人", HOUSEHOLD, width=10),
    Column("helper_unit", "帮扶责任人单位", HOUSEHOLD, width=16),
    Column("helper_phone", "帮扶责任人电话", HOUSEHOLD, width=14),
    Column("status", "状态", HOUSEHOLD, read_only=True, width=8),
    Column("name", "姓名", MEMBER, required=True, width=10),
    Column("id_number", "公民身份号码", MEMBER, "id", required=True, aliases=("身份证号", "身份证号码", "证件号码"), width=21),
    Column("relation", "与户主关系", MEMBER, "choice", required=True, choices=tuple(Member.Relation.choices), width=10),
    Column("sex", "性别", MEMBER, "choice", choices=tuple(Member.Sex.choices), width=6),
    Column("birth_date", "出生日期", MEMBER, "date", width=11),
    Column("ethnicity", "民族", MEMBER, width=8),
    Column("health", "健康状况", MEMBER, "choice", choices=tuple(Member.Health.choices), width=12),
    Column("labor", "劳动能力", MEMBER, "choice", required=True, choices=tuple(Member.Labor.choices),
           aliases=("劳动技能",), width=16),
    Column("schooling", "在校情况", MEMBER, "choice", choices=tuple(Member.Schooling.choices),
           aliases=("在校生状况",), width=14),
    Column("disability_certificate", "残疾证号", MEMBER, width=14),
    Column("draws_dibao", "享受低保", MEMBER, "bool", width=8),
    Column("draws_wubao", "享受五保", MEMBER, "bool", width=8),
]
WRITABLE = [c for c in COLUMNS if not c.read_only]
BY_KEY = {c.key: c for c in COLUMNS}


def _normal_header(text) -> str:
    text = str(text or "").strip().replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", text).lstrip("*")


HEADER_INDEX = {_normal_header(name): c for c in COLUMNS for name in (c.header, *c.aliases)}


# ---------------------------------------------------------------- reading


@dataclass
class RowProblem:
    row: int | None
    column: str  # the Chinese header, or "" for the row as a whole
    value: str
    reason: str


@dataclass
class Sheet:
    header_row: int
    columns: dict[int, Column]  # sheet column index → column
    rows: list[tuple[int, list]]  # (sheet row number, cells), blank rows left out
    ignored_headers: list[str] = field(default_factory=list)
    blank_rows: int = 0


def read_workbook(data: bytes) -> Sheet:
    """Reads the first sheet with python-calamine (about ten times faster than openpyxl on a whole
    city), after checks that refuse, with a reason, anything that is not a readable xlsx."""
    _check_container(data)
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        grid = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except Exception as e:  # the reader's own errors carry no message a clerk could act on
        raise WorkbookError(f"无法读取该工作簿（{type(e).__name__}），请用 Excel 或 WPS 另存为 .xlsx 后重试") from e
    _fill_merged(grid, merged)
    return _sheet(grid)


def _check_container(data: bytes) -> None:
    if not data:
        raise WorkbookError("文件是空的")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # Compound File: an old .xls, or an .xlsx encrypted with a password to open.
        raise WorkbookError("工作簿设置了打开密码，或是旧版 .xls 文件：请取消密码并另存为 .xlsx 后重试")
    if not data.startswith(b"PK"):
        kind = "PDF 文件" if data.startswith(b"%PDF") else "文本（CSV）文件" if _looks_like_text(data) else "未知格式"
        raise WorkbookError(f"这不是 Excel .xlsx 工作簿（看起来是{kind}），请另存为 .xlsx 后重试")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except zipfile.BadZipFile as e:
        raise WorkbookError("文件已损坏，无法作为 .xlsx 工作簿打开") from e
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise WorkbookError("这是一个压缩文件，但不是 Excel .xlsx 工作簿")
    if sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise WorkbookError("工作簿解压后超过 1 GiB，不像一个县的建档立卡表，已拒绝")
    for entry in entries:
        if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
            _check_extent(archive, entry.filename)


# A reference beyond the limits, or in a row from 500,000 on: the regular expression passes over
# the millions of ordinary cells without a Python step each (MAX_COLUMNS = 200 is column GR).
# Row elements are looked at too, as their cells need not name themselves.
_FAR = re.compile(rb'<c r="(?:[A-Z]{3}|[H-Z][A-Z]|G[S-Z])[0-9]|<(?:c r="[A-Z]{1,3}|row r=")(?:[5-9][0-9]{5}|[0-9]{7})')
_REF = re.compile(rb'<(?:c|row) r="([A-Z]*)([0-9]+)"')


def _check_extent(archive: zipfile.ZipFile, name: str) -> None:
    """A cell placed far away makes the reader allocate the whole rectangle: look before reading."""
    with archive.open(name) as stream:
        tail = b""
        while chunk := stream.read(1 << 22):
            block = tail + chunk
            for found in _FAR.finditer(block):
                ref = _REF.match(block, found.start())
                if ref is None:
                    continue  # cut at the end of the block: read again with the next one
                columns = 0
                for letter in ref[1].decode():
                    columns = columns * 26 + ord(letter) - 64
                if columns > MAX_COLUMNS or int(ref[2]) > MAX_ROWS:
                    raise WorkbookError(f"工作表的范围过大（用到了第 {int(ref[2])} 行、第 {max(columns, 1)} 列），"
                                        f"最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列")
            tail = block[-40:]


def _looks_like_text(data: bytes) -> bool:
    try:
        data[:2000].decode("utf-8")
    except UnicodeDecodeError:
        try:
            data[:2000].decode("gb18030")
        except UnicodeDecodeError:
            return False
    return True


def _fill_merged(grid: list[list], merged) -> None:
    """A merged cell holds its value in its first cell only: clerks merge a household's cells over
    its members' rows, and every row of the range means that value."""
    for (top, left), (bottom, right) in merged:
        if top >= len(grid) or left >= len(grid[top]):
            continue
        value = grid[top][left]
        for r in range(top, min(bottom, len(grid) - 1) + 1):
            row = grid[r]
            for c in range(left, min(right, len(row) - 1) + 1):
                row[c] = value


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(grid: list[list]) -> Sheet:
    # The header is the first row naming at least two of the layout's columns: a title row above it
    # ("三明市建档立卡贫困户花名册") is common and skipped.
    for index, row in enumerate(grid[:20]):
        found = [HEADER_INDEX.get(_normal_header(v)) for v in row]
        if sum(1 for c in found if c) >= 2:
            break
    else:
        raise WorkbookError("第一个工作表中找不到表头行（应含“户编号”“公民身份号码”等列），请使用下载的模板")
    columns: dict[int, Column] = {}
    ignored, twice = [], []
    for position, (value, column) in enumerate(zip(row, found, strict=True)):
        if column is None:
            if not _blank(value):
                ignored.append(str(value).strip())
        elif column in columns.values():
            twice.append(column.header)
        elif not column.read_only:
            columns[position] = column
    missing = [c.header for c in WRITABLE if c.required and c not in columns.values()]
    if missing or twice:
        parts = []
        if missing:
            parts.append("缺少必填列：" + "、".join(missing))
        if twice:
            parts.append("列重复：" + "、".join(twice))
        if ignored:
            parts.append("无法识别的列：" + "、".join(ignored))
        raise WorkbookError("；".join(parts) + "。请使用下载的模板中的表头")
    rows, blank = [], 0
    for number, cells in enumerate(grid[index + 1 :], start=index + 2):
        if all(_blank(v) for v in cells):
            blank += 1
            continue
        rows.append((number, cells))
    if not rows:
        raise WorkbookError("表格中没有数据行（表头下面是空的）")
    return Sheet(header_row=index + 1, columns=columns, rows=rows, ignored_headers=ignored, blank_rows=blank)


# ---------------------------------------------------------------- cells to values


class CellError(ValueError):
    pass


def _text(raw) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a phone number or code typed as a number
    if isinstance(raw, (datetime.date, datetime.datetime)):
        return raw.strftime("%Y-%m-%d")
    return "" if raw is None else str(raw).strip()


class Lookups:
    """The coded columns' codes and labels, and the causes, read once per import."""

    def __init__(self):
        self.choices = {
            c.key: {**{str(label): code for code, label in c.choices}, **{code: code for code, _l in c.choices}}
            for c in COLUMNS
            if c.kind == "choice"
        }
        causes = list(PovertyCause.objects.values_list("code", "name"))
        self.causes = {**{name: code for code, name in causes}, **{code: code for code, _n in causes}}
        # Coded and household cells repeat down a sheet: each distinct one is read once.
        self.values: dict = {}


_BOOLEAN = {"是": True, "否": False, "有": True, "无": False, "√": True, "y": True, "n": False, "yes": True,
            "no": False, "true": True, "false": False, "1": True, "0": False}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


_UNIQUE_KINDS = {"id", "text"}  # a name or an ID number seldom repeats: not worth keeping


def cell_value(column: Column, raw, lookups: Lookups):
    """One cell to the value its model field takes; CellError with a Chinese reason otherwise."""
    if column.kind in _UNIQUE_KINDS:
        return _cell_value(column, raw, lookups)
    key = (column.key, type(raw), raw)  # 1, 1.0 and True are equal keys but not the same cell
    try:
        return lookups.values[key]
    except KeyError:
        value = lookups.values[key] = _cell_value(column, raw, lookups)
        return value


def _cell_value(column: Column, raw, lookups: Lookups):
    if column.kind == "id":
        if isinstance(raw, (int, float)):
            raise CellError("身份号码被 Excel 存成了数字（如 3.50424E+17），末几位已丢失：请把该列设为“文本”后重新录入")
        text = _text(raw).upper().replace(" ", "")
        if "*" in text:
            raise CellError("这是导出时脱敏的号码，不能导入：请填写完整的公民身份号码")
        if re.fullmatch(r"\d(\.\d+)?E\+\d+", text):
            raise CellError("身份号码是科学计数法（如 3.50424E+17），末几位已丢失：请填写完整的18位号码")
        return text
    text = _text(raw)
    if column.kind == "text":
        return text
    if not text:
        return None
    if column.kind == "choice":
        options = lookups.choices[column.key]
        code = options.get(text) or options.get(text.lower())
        if code is None:
            labels = "、".join(str(label) for _c, label in column.choices)
            raise CellError(f"不是有效的选项，可选：{labels}")
        return code
    if column.kind == "cause":
        code = lookups.causes.get(text) or lookups.causes.get(text.lower())
        if code is None:
            raise CellError("不是已知的致贫原因（填写代码表中的名称或代码）")
        return code
    if column.kind == "causes":
        codes = []
        for part in re.split(r"[、,，;；/\s]+", text):
            if part:
                code = lookups.causes.get(part) or lookups.causes.get(part.lower())
                if code is None:
                    raise CellError(f"“{part}”不是已知的致贫原因（多个原因用顿号分隔）")
                codes.append(code)
        return sorted(set(codes))
    if column.kind == "int":
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError("应为整数") from None
        if number != number.to_integral_value():
            raise CellError("应为整数")
        return int(number)
    if column.kind == "decimal":
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise CellError("应为数字") from None
        if not number.is_finite():
            raise CellError("应为数字")
        return number.quantize(Decimal("0.01"))
    if column.kind == "bool":
        if text.lower() not in _BOOLEAN:
            raise CellError("应填“是”或“否”")
        return _BOOLEAN[text.lower()]
    if column.kind == "date":
        return _date(raw, text)
    raise AssertionError(column.kind)


def _date(raw, text: str) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, (int, float)) or re.fullmatch(r"\d{4,5}(\.0+)?", text):
        serial = float(raw if isinstance(raw, (int, float)) else text)
        if 1 <= serial < 2958466:  # Excel's serial day numbers (1900 date system)
            return _EXCEL_EPOCH + datetime.timedelta(days=int(serial))
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    raise CellError("不是有效的日期（如 1980-01-31）")


# ---------------------------------------------------------------- writing


def household_rows(households: Iterable[Household], *, mask: bool) -> Iterator[dict]:
    """The export's rows: one per member of each household (members of a household in order)."""
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
                "id_number": mask_id(m.id_number) if mask else m.id_number,
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
    drop-down lists on the coded columns, and a second sheet listing the codes."""
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
    # The code sheet: one block of two columns (代码, 名称) per coded column; the drop-downs point at
    # the names. Written first to know where each block sits.
    listed = _code_lists()
    code_rows = max(len(values) for _c, values in listed) + 1
    grid = [["" for _ in range(len(listed) * 3)] for _ in range(code_rows)]
    for block, (column, values) in enumerate(listed):
        grid[0][block * 3] = f"{column.header}·代码"
        grid[0][block * 3 + 1] = f"{column.header}·名称"
        for r, (code, label) in enumerate(values, start=1):
            grid[r][block * 3], grid[r][block * 3 + 1] = code, label
        if column not in columns:
            continue
        position = columns.index(column) + 1
        label_letter = get_column_letter(block * 3 + 2)
        validation = DataValidation(
            type="list",
            formula1=f"'{CODES_TITLE}'!${label_letter}$2:${label_letter}${len(values) + 1}",
            allow_blank=not column.required,
            showErrorMessage=column.kind != "causes",  # several causes go in one cell
            errorTitle="无效的选项",
            error=f"请从下拉列表中选择{column.header}，或填写代码表中的代码",
        )
        validation.add(f"{get_column_letter(position)}2:{get_column_letter(position)}{MAX_ROWS}")
        sheet.data_validations.append(validation)
    for row in rows:
        sheet.append([_plain(row.get(c.key)) for c in columns])
    for row in grid:
        codes.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _code_lists() -> list[tuple[Column, list[tuple[str, str]]]]:
    """Runs a query (the causes)."""
    causes = list(PovertyCause.objects.values_list("code", "name"))
    lists = []
    for column in COLUMNS:
        if column.kind == "choice":
            lists.append((column, [(code, str(label)) for code, label in column.choices]))
        elif column.kind in ("cause", "causes"):
            lists.append((column, causes))
    return lists


def _plain(value):
    return "" if value is None else value



# ---------------------------------------------------------------- importing


@dataclass
class ImportReport:
    """What an import did, or would do on a dry run: per household and member created, updated,
    unchanged; every refused row with its column, value and reason. Nothing is written unless
    nothing is refused."""

    rows: int = 0
    households: dict = field(default_factory=lambda: {"new": 0, "update": 0, "skip": 0})
    members: dict = field(default_factory=lambda: {"new": 0, "update": 0, "skip": 0})
    actions: dict[int, str] = field(default_factory=dict)  # sheet row → new, update, skip
    problems: list[RowProblem] = field(default_factory=list)
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
                f"拒绝 {len(self.refused_rows)} 行")
        if self.ignored_headers:
            text += "；已忽略无法识别的列：" + "、".join(self.ignored_headers)
        return text


@dataclass
class _Household:
    number: str
    rows: list[int]
    values: dict
    members: list[tuple[int, dict]] = field(default_factory=list)


def workbook_import(sheet: Sheet, *, user=None, dry_run: bool = False, reason: str = "Excel导入",
                    progress=None) -> ImportReport:
    """Imports a read sheet: households matched by 户编号, members within them by 公民身份号码;
    new ones created, changed ones updated, unchanged ones left alone (a second import of the same
    workbook writes nothing). Members the workbook does not list are kept. A blank optional cell
    keeps what the registry holds. `user` None acts as the system, with the whole city in scope;
    otherwise only households of counties the user may change (access.counties_writable_by).
    All or nothing, through services.registry_import(). `progress(done, total)` is told on the way."""
    from . import access, services

    report = ImportReport(rows=len(sheet.rows), ignored_headers=sheet.ignored_headers, blank_rows=sheet.blank_rows)
    lookups = Lookups()
    cells_of = dict(sheet.rows)  # the sheet's own lists: a refused value is looked up, not copied
    position_of = {column.key: position for position, column in sheet.columns.items()}

    def refuse(row, key_or_header, reason_text, value=None):
        column = BY_KEY.get(key_or_header)
        header = column.header if column else key_or_header
        if value is None and column is not None and row in cells_of and column.key in position_of:
            cells = cells_of[row]
            value = cells[position_of[column.key]] if position_of[column.key] < len(cells) else None
        report.problems.append(RowProblem(row, header, _text(value) if value is not None else "", reason_text))

    # 1. Cells to values; the household's columns agree on each of its rows.
    groups: dict[str, _Household] = {}
    for done, (row, cells) in enumerate(sheet.rows, start=1):
        household_values, member_values, bad = {}, {}, False
        for position, column in sheet.columns.items():
            raw = cells[position] if position < len(cells) else None
            try:
                value = cell_value(column, raw, lookups)
            except CellError as e:
                refuse(row, column.key, str(e), raw)
                bad = True
                continue
            if column.required and value in (None, ""):
                refuse(row, column.key, "必填")
                bad = True
            elif value not in (None, ""):
                (household_values if column.level == HOUSEHOLD else member_values)[column.key] = value
        number = household_values.get("number")
        if not number:
            continue
        group = groups.get(number)
        if group is None:
            groups[number] = group = _Household(number, [], household_values)
        else:
            for key, value in household_values.items():
                if group.values.get(key) != value:
                    refuse(row, key, f"同一户各行的“{BY_KEY[key].header}”应相同（第 {group.rows[0]} 行不同）")
                    bad = True
        group.rows.append(row)
        if not bad:
            group.members.append((row, member_values))
        if progress and done % 5000 == 0:
            progress(done, len(sheet.rows))

    # 2. The registry's copies, and the counties the user may change.
    existing: dict[str, Household] = {}
    numbers = list(groups)
    for start in range(0, len(numbers), 5000):
        chunk = Household.objects.filter(number__in=numbers[start:start + 5000]).prefetch_related(
            Prefetch("members", queryset=Member.objects.order_by("id")), "other_causes")
        existing.update((h.number, h) for h in chunk)
    writable = None if user is None else set(access.counties_writable_by(user).values_list("code", flat=True))
    refused_before = {p.row for p in report.problems}

    # 3. Model instances: new ones, and copies of the registry's with the workbook's values.
    households, members, write, causes, row_of = [], [], set(), {}, {}
    for group in groups.values():
        first = group.rows[0]
        if any(r in refused_before for r in group.rows):
            continue  # its own cells are wrong: the rest of its checks would only repeat them
        current = existing.get(group.number)
        village = group.values.get("village") or (current.village_id if current else "")
        if writable is not None:
            if current is not None and current.county_code not in writable:
                refuse(first, "number", "该户编号属于你无权修改的县(市、区)的贫困户")
                continue
            if village[:6] not in writable:
                refuse(first, "village", "只能导入本人负责的县(市、区)的贫困户")
                continue
        household = _household_instance(group, current)
        households.append(household)
        row_of[id(household)] = first
        household_changed = current is None or any(
            getattr(household, f.attname) != getattr(current, f.attname)
            for f in (Household._meta.get_field(k) for k in services.HOUSEHOLD_IMPORT_FIELDS))
        if "other_causes" in group.values:
            wanted = group.values["other_causes"]
            if current is None or sorted(c.pk for c in current.other_causes.all()) != wanted:
                causes[id(household)] = wanted
                household_changed = True
        if household_changed:
            write.add(id(household))
        report.households["new" if current is None else "update" if household_changed else "skip"] += 1
        listed = set()
        present = {m.id_number: m for m in current.members.all()} if current else {}
        for row, values in group.members:
            old = present.get(values["id_number"])
            member = _member_instance(values, household, old)
            listed.add(values["id_number"])
            members.append(member)
            row_of[id(member)] = row
            changed = old is None or any(getattr(member, k) != getattr(old, k) for k in services.MEMBER_IMPORT_FIELDS)
            if changed:
                write.add(id(member))
            action = "new" if old is None else "update" if changed else "skip"
            report.members[action] += 1
            report.actions[row] = "update" if action == "skip" and household_changed else action
        for number, old in present.items():
            if number not in listed:  # kept as it is, and counted in its household's member set
                kept = copy_instance(old)
                kept.household = household
                members.append(kept)

    # 4. The registry's rules over the whole set, then all or nothing.
    try:
        services.registry_import(households=households, members=members, write=write, other_causes=causes,
                                 user=user, reason=reason, dry_run=dry_run or bool(report.problems))
    except services.BatchInvalid as e:
        for problem in e.problems:
            row = row_of.get(id(problem.record))
            if row is None:  # a member the workbook does not list: the problem is its household's
                row = row_of.get(id(getattr(problem.record, "household", None)))
            refuse(row, problem.field or "", problem.message)
    report.written = not (dry_run or report.problems)
    return report


_HOUSEHOLD_DEFAULTS = {"identified_year": Household._meta.get_field("identified_year").default,
                       "standard": Household.Standard.NATIONAL}


def _household_instance(group: _Household, current: Household | None) -> Household:
    values = {k: v for k, v in group.values.items() if k in HOUSEHOLD_FIELDS}
    if current is None:
        return Household(**{**_HOUSEHOLD_DEFAULTS, **_ids(values)})
    household = copy_instance(current)
    for key, value in _ids(values).items():
        setattr(household, key, value)
    return household


def _member_instance(values: dict, household: Household, old: Member | None) -> Member:
    values = {k: v for k, v in values.items() if k in MEMBER_FIELDS}
    if old is None:
        return Member(household=household, active=household.status != Household.Status.REMOVED, **values)
    member = copy_instance(old)
    member.household = household
    for key, value in values.items():
        setattr(member, key, value)
    return member


def _ids(values: dict) -> dict:
    # Foreign keys by their codes: the references are checked once for the whole set.
    return {(f"{k}_id" if k in ("village", "main_cause") else k): v for k, v in values.items()}


def copy_instance(instance):
    """A detached copy to change, so the registry's copy stays what it was (for the comparison)."""
    clone = copy.copy(instance)
    clone._state = copy.copy(instance._state)
    clone._state.fields_cache = {}
    return clone


HOUSEHOLD_FIELDS = {c.key for c in WRITABLE if c.level == HOUSEHOLD and c.key != "other_causes"}
MEMBER_FIELDS = {c.key for c in WRITABLE if c.level == MEMBER}


def report_workbook(sheet: Sheet, report: ImportReport) -> bytes:
    """The refused rows in the layout, with a last column of reasons, so the clerk can fix and
    re-send them."""
    reasons: dict[int, list[str]] = {}
    for p in report.problems:
        text = f"{p.column}：{p.reason}" if p.column else p.reason
        reasons.setdefault(p.row, []).append(f"{text}（原值：{p.value}）" if p.value else text)
    refused = set(reasons)
    rows = []
    for number, cells in sheet.rows:
        if number in refused:
            row = {c.key: cells[i] if i < len(cells) else None for i, c in sheet.columns.items()}
            rows.append({**row, "_reason": f"第 {number} 行：" + "；".join(reasons[number])})
    if None in reasons:
        rows.append({"_reason": "；".join(reasons[None])})
    # The columns the clerk sent, in the layout's order, and the reasons last.
    columns = [c for c in COLUMNS if c in sheet.columns.values()]
    return households_workbook(rows, columns=[*columns, Column("_reason", "拒绝原因", MEMBER, width=60)])


def export_households(households, *, user, door: str, filters: dict) -> bytes:
    """The export of a set of households (already scoped by the caller), logged; ID numbers whole
    only for users who may see them and for the system (user None)."""
    from . import access, services

    mask = user is not None and not access.may_see_full_id(user)
    counted = 0

    def rows():
        nonlocal counted
        for row in household_rows(export_queryset(households).iterator(chunk_size=2000), mask=mask):
            counted += 1
            yield row

    content = households_workbook(rows())
    services.export_log(user=user, door=door, kind="households", filters=filters, rows=counted,
                        full_id_numbers=not mask)
    return content


REPORT_DIR = Path(tempfile.gettempdir()) / "sanming_fupin_import_reports"


def report_store(content: bytes) -> str:
    """Keeps a refused-rows report for its download; returns its key."""
    REPORT_DIR.mkdir(exist_ok=True)
    key = uuid.uuid4().hex
    (REPORT_DIR / f"{key}.xlsx").write_bytes(content)
    return key


def report_open(key: str):
    if not re.fullmatch(r"[0-9a-f]{32}", key):
        raise FileNotFoundError(key)
    return (REPORT_DIR / f"{key}.xlsx").open("rb")
