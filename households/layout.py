"""The 建档立卡 workbook's layout: one row per member, the household's columns repeated on each row.

One column map (COLUMNS) drives the blank template, the import and the export (STYLE habit 9), so
an export re-imports unchanged: the import service (services/imports.py) reads which fields a
workbook may change from it, the workbook door (workbook/) reads and writes cells by it."""

from dataclasses import dataclass

from .models import Household, Member

HOUSEHOLD, MEMBER = "household", "member"


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
# The current helper's (帮扶责任人): no fields of the household, but its assignment, read by the
# export (selectors.household_export_rows) and written by the import through
# services.helper_assignments_import.
HELPER_KEYS = ("helper_name", "helper_unit", "helper_phone")
# The fields an import writes: every writable column but the secondary causes (many to many) and the helper's.
HOUSEHOLD_FIELDS = [c.key for c in WRITABLE if c.level == HOUSEHOLD and c.key not in ("number", "other_causes", *HELPER_KEYS)]
MEMBER_FIELDS = [c.key for c in WRITABLE if c.level == MEMBER and c.key != "id_number"]
