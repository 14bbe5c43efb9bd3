"""The 动态调整 workbook: one row per member change, each through services.member_change_record.

A row names its household by 户编号 and its person by 公民身份号码: the person who joins (with the
name, relation and labour capacity a new member needs), leaves, is corrected, or (户主变更) the head
who hands over. A split (分户) or a merge (并户) is one row per person who goes, consecutive rows of
the same household, date and 对方户编号 (the new household's number for a split, the household
merged in for a merge) making one change. A row that repeats a change already recorded (the same
household, kind, date and person) is left alone, so a workbook imported twice is written once."""

import datetime

from django.core.exceptions import ValidationError

from ..layout import MEMBER, Column
from ..models import ChangeKind, CorrectedField, Household, Member, MemberChange
from ..models.changes import JOINS
from ..services import member_change_record
from .records import NEW, SKIP, book, visible_household

Kind = ChangeKind
COLUMNS = [
    Column("household", "户编号", MEMBER, required=True, aliases=("户码", "贫困户编号"), width=20),
    Column("kind", "变动类型", MEMBER, "choice", required=True, choices=tuple(Kind.choices), width=10),
    Column("date", "变动日期", MEMBER, "date", required=True, width=11),
    Column("id_number", "公民身份号码", MEMBER, "id", required=True, aliases=("身份证号", "身份证号码"), width=21),
    Column("name", "姓名", MEMBER, width=10),
    Column("relation", "与户主关系", MEMBER, "choice", choices=tuple(Member.Relation.choices), width=10),
    Column("labor", "劳动能力", MEMBER, "choice", choices=tuple(Member.Labor.choices), width=16),
    Column("health", "健康状况", MEMBER, "choice", choices=tuple(Member.Health.choices), width=12),
    Column("schooling", "在校情况", MEMBER, "choice", choices=tuple(Member.Schooling.choices), width=14),
    Column("new_head", "新户主公民身份号码", MEMBER, "id", width=21),
    Column("destination", "迁往", MEMBER, width=16),
    Column("other_household", "对方户编号", MEMBER, aliases=("新户编号",), width=20),
    Column("new_category", "新户类别", MEMBER, "choice", choices=tuple(Household.Category.choices), width=22),
    Column("new_main_cause", "新户主要致贫原因", MEMBER, "cause", width=14),
    Column("field", "更正项目", MEMBER, "choice", choices=tuple(CorrectedField.choices), width=12),
    Column("new_value", "更正后的值", MEMBER, width=21),
    Column("reason", "变动原因", MEMBER, width=24),
]
# The service's fields by the columns that carry them.
FIELDS = {"member": "id_number", "person": "id_number", "members": "id_number", "relations": "relation",
          "new_household": "other_household", "person.name": "name", "person.relation": "relation",
          "person.labor": "labor", "person.health": "health", "person.schooling": "schooling",
          "new_household.category": "new_category", "new_household.main_cause": "new_main_cause"}
GROUPED = (Kind.SPLIT, Kind.MERGE)


def _group(values: dict):
    if values.get("kind") in GROUPED:
        return values.get("household"), values["kind"], values.get("date"), values.get("other_household")
    return None


@book("memberchange", "动态调整表", COLUMNS, group=_group, fields=FIELDS)
def apply_changes(actor, rows: list[dict]) -> str:
    first = rows[0]
    kind, date = first["kind"], first["date"]
    household = visible_household(actor, first["household"], "household")
    if _recorded(household, kind, date, first):
        return SKIP
    options = {"reason": first.get("reason", "")}
    if kind in JOINS:
        options["person"] = Member(
            id_number=first["id_number"], name=first.get("name", ""), relation=first.get("relation", ""),
            labor=first.get("labor", ""), health=first.get("health") or Member.Health.HEALTHY,
            schooling=first.get("schooling") or Member.Schooling.NOT_IN_SCHOOL,
        )
    elif kind in GROUPED:
        other = first.get("other_household")
        if kind == Kind.MERGE:
            options["other_household"] = visible_household(actor, other, "other_household") if other else None
            source = options["other_household"]
        else:
            options["new_household"] = Household(number=other or "", category=first.get("new_category", ""),
                                                 main_cause_id=first.get("new_main_cause"))
            source = household
        options["members"] = [_member(source, row["id_number"]) if source else None for row in rows]
        options["relations"] = [row.get("relation", "") for row in rows]
        if kind == Kind.MERGE and source is None:
            options["members"] = []
    else:
        options["member"] = _member(household, first["id_number"])
        options["relation"] = first.get("relation", "")
        options["destination"] = first.get("destination", "")
        if kind == Kind.CORRECTION:
            options["field"], options["new_value"] = first.get("field", ""), _text(first.get("new_value"))
        if first.get("other_household"):
            options["other_household"] = visible_household(actor, first["other_household"], "other_household")
    if first.get("new_head"):
        options["new_head"] = _member(household, first["new_head"], field="new_head")
    member_change_record(actor=actor, household=household, kind=kind, date=date, **options)
    return NEW


def _member(household: Household, id_number: str, *, field: str = "id_number") -> Member:
    """Runs a query. The household's member of this ID number: the one present, else the latest."""
    member = household.members.filter(id_number=id_number).order_by("left_on", "-id").first()
    if member is None:
        raise ValidationError({field: f"{household.number}户没有公民身份号码为 {id_number} 的成员"})
    return member


def _recorded(household: Household, kind: str, date: datetime.date, values: dict) -> bool:
    """Runs a query. The same change is already on record (a workbook imported again)."""
    same = MemberChange.objects.filter(household=household, kind=kind, date=date)
    if kind == Kind.CORRECTION:
        return same.filter(field=values.get("field", ""), new_value=_text(values.get("new_value"))).exists()
    return same.filter(member__id_number=values["id_number"]).exists()


def _text(value) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else str(value or "")
