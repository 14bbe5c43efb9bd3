"""Dated member changes (成员变动): the registry's 动态调整 of who lives in a household, one service
for every kind. The member records stay: a person who leaves is marked as left on the change's
date (Member.left_on, and no longer active, so that the person may be registered elsewhere), a
person who joins is a new record present from that date (Member.joined_on)."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.actors import person as person_of

from .. import access
from ..models import ChangeKind, CorrectedField, Household, Member, MemberChange
from ..models.changes import JOINS, LEAVES
from ..validators import parse_resident_id
from .closes import frozen_guard
from .households import collect, locked, members_check, stamp

Kind = ChangeKind
HEAD = Member.Relation.HEAD
# What a person's record carries from one household into another (a marriage, a split, a merge).
PERSONAL = ["name", "id_number", "sex", "birth_date", "ethnicity", "health", "labor", "schooling",
            "disability_certificate", "draws_dibao", "draws_wubao"]


def refuse(field: str, message: str):
    raise ValidationError({field: [message]})


def member_change_record(
    *,
    actor,
    household: Household,
    kind: str,
    date: datetime.date,
    reason: str = "",
    member: Member | None = None,
    person: Member | None = None,
    destination: str = "",
    new_head: Member | None = None,
    other_household: Household | None = None,
    relation: str = "",
    field: str = "",
    new_value: str = "",
    members: Sequence[Member] = (),
    relations: Sequence[str] = (),
    new_household: Household | None = None,
) -> list[MemberChange]:
    """Record a dated change of a household's members (动态调整, plan 一.(二): 建档立卡 kept up to date
    each year), and return the records made: one, or one per person for a split or a merge.

    - joins: `birth` (the child's ID number's birth date is the change's date), `marry_in`,
      `move_in`: `person` is the new member (not the head: a head changes by `head_change`);
    - leaves: `death`, `marry_out`, `move_out` (`destination` required), `enlist`, `imprisoned`:
      `member` is marked as left on `date`; a head who leaves names `new_head` in the same change,
      so a household is never headless. `marry_out` into `other_household` (a marriage between two
      registered households) is one change: the person leaves one household and joins the other,
      with `relation` there; "one person, one active household" holds throughout;
    - `head_change`: `new_head` becomes head, the former head (`member`, the head by default) takes
      `relation` (其他 by default);
    - `correction` of `field` (name, id_number, birth_date) of `member` to `new_value`, the old value
      kept; a new ID number held by another active person is refused;
    - `split`: `members` (with their `relations` in the new household, one of them head) form
      `new_household` (its number, category, main cause; in the same village, identified the same
      year) — neither household left empty or headless (`new_head` when the head goes);
    - `merge`: every present member of `other_household` joins `household` (with `relations`, none
      head); the emptied household is then removed (清退, the reason naming the merge).
    A change is dated neither before the household's identification year nor in the future; every
    household written is one the actor may change (access.require_household_writable). Bad input
    raises ValidationError naming the field and nothing is written.
    """
    if kind not in Kind.values:
        refuse("kind", "无效的变动类型")
    if not isinstance(date, datetime.date):
        refuse("date", "请填写变动日期")
    with transaction.atomic():
        # Both households locked, in the order of their ids: two changes between the same two wait in turn.
        if other_household is not None and other_household.pk < household.pk:
            other = locked(other_household)
            household = locked(household)
        else:
            household = locked(household)
            other = locked(other_household) if other_household is not None else None
        access.require_household_writable(actor, household)
        if other is not None:
            access.require_household_writable(actor, other)
        for each in (household, other):
            if each is not None and date.year < each.identified_year:
                refuse("date", f"变动日期不能早于{each.number}户的识别年份（{each.identified_year}年）")
        if date > timezone.localdate():
            refuse("date", "变动日期不能晚于今天")
        # Counted in the change's year, for each household it writes (a split's new one lies in the same village).
        for each in (household, other):
            if each is not None:
                frozen_guard(county_code=each.county_code, year=date.year, field="date")
        if household.status == Household.Status.REMOVED:
            refuse("household", "该户已清退，不能登记成员变动")
        if other is not None:
            if kind not in (Kind.MARRY_OUT, Kind.MERGE):
                refuse("other_household", "只有婚出（迁入另一登记户）和并户指定另一户")
            if other.pk == household.pk:
                refuse("other_household", "另一户不能是本户")
            if other.status == Household.Status.REMOVED:
                refuse("other_household", "另一户已清退")
        change = MemberChange(household=household, kind=kind, date=date, reason=(reason or "").strip(),
                              recorded_by=person_of(actor))
        if member is not None:
            member = Member.objects.select_for_update().get(pk=member.pk)
        if new_head is not None:
            new_head = Member.objects.select_for_update().get(pk=new_head.pk)
        if kind in JOINS:
            records = _join(actor, change, person)
        elif kind in LEAVES:
            records = _leave(actor, change, member, new_head, destination, other, relation)
        elif kind == Kind.HEAD_CHANGE:
            records = _head_change(actor, change, member, new_head, relation)
        elif kind == Kind.CORRECTION:
            records = _correct(actor, change, member, field, new_value)
        elif kind == Kind.SPLIT:
            records = _split(actor, change, members, relations, new_household, new_head)
        else:
            records = _merge(actor, change, other, members, relations)
        for record in records:
            record.full_clean()
            stamp(actor, record)
            record.save()
    return records


# ---------------------------------------------------------------- the checks every kind shares


def _present(member: Member | None, change: MemberChange, *, field: str = "member") -> Member:
    """The member is of the household and present on the change's date."""
    if member is None:
        refuse(field, "请选择成员")
    if member.household_id != change.household_id:
        refuse(field, f"{member.name}不是该户的成员")
    if member.left_on is not None:
        refuse(field, f"{member.name}已于{member.left_on:%Y-%m-%d}离开该户")
    if member.joined_on is not None and change.date < member.joined_on:
        refuse("date", f"变动日期不能早于{member.name}迁入该户的日期（{member.joined_on:%Y-%m-%d}）")
    return member


def _present_members(household: Household):
    return household.members.filter(left_on__isnull=True).order_by("id")


def _relation(value: str, field: str, *, head: bool = False) -> str:
    if value not in Member.Relation.values:
        refuse(field, "请选择与户主关系")
    if value == HEAD and not head:
        refuse(field, "不能作为户主加入已有户主的户；户主变更请登记户主变更")
    return value


def _leaves(actor, member: Member, date: datetime.date) -> None:
    """Marks the member as left: the record stays, no longer active (one person, one active household)."""
    member.left_on, member.active = date, False
    member.full_clean()
    stamp(actor, member)
    member.save()


def _becomes_head(actor, new_head: Member, *changes: MemberChange) -> None:
    """The new head's former relation is kept on the change(s) that name it (the registry on an
    earlier day shows it)."""
    for change in changes:
        change.former_relation = new_head.relation
    new_head.relation = HEAD
    stamp(actor, new_head)
    new_head.save()


def _copy(member: Member, *, household: Household, relation: str, date: datetime.date, prefix: str) -> Member:
    """The person's record in another household, present from `date` (saved after the old one has left)."""
    copy = Member(household=household, relation=relation, joined_on=date,
                  **{name: getattr(member, name) for name in PERSONAL})
    try:
        copy.full_clean(exclude=["household"])
    except ValidationError as e:
        errors: dict = {}
        collect(errors, e, prefix=prefix)
        raise ValidationError(errors) from None
    return copy


def _check_set(household: Household, *, changed=(), prefix: str) -> None:
    try:
        members_check(household=household, changed=list(changed))
    except ValidationError as e:
        errors: dict = {}
        collect(errors, e, prefix=prefix)
        raise ValidationError(errors) from None


def _end(actor, household: Household, reason: str) -> None:
    """A household nobody is left in is removed (清退) with the reason: it counts no more."""
    household.status, household.removed_reason = Household.Status.REMOVED, reason
    household.full_clean()
    stamp(actor, household)
    household.save()  # its members have all left, so none is active any more


# ---------------------------------------------------------------- each kind


def _join(actor, change: MemberChange, person: Member | None) -> list[MemberChange]:
    if person is None:
        refuse("person", "请填写新成员")
    if change.kind == Kind.BIRTH:
        try:
            born = parse_resident_id(person.id_number).birth_date
        except ValidationError as e:
            raise ValidationError({"person.id_number": e.messages}) from None
        if born != change.date:
            refuse("date", f"出生的变动日期须为孩子的出生日期：身份号码中的出生日期为{born:%Y-%m-%d}")
    _relation(person.relation, "person.relation")
    person.household, person.joined_on, person.left_on, person.active = change.household, change.date, None, True
    try:
        person.full_clean()
    except ValidationError as e:
        errors: dict = {}
        collect(errors, e, prefix="person.")
        raise ValidationError(errors) from None
    _check_set(change.household, changed=[person], prefix="person.")
    stamp(actor, person)
    person.save()
    change.member = person
    return [change]


def _leave(actor, change, member, new_head, destination, other, relation) -> list[MemberChange]:
    member = _present(member, change)
    change.member = member
    change.destination = (destination or "").strip()
    if change.kind == Kind.MOVE_OUT and not change.destination:
        refuse("destination", "其他迁出须填写迁往何处")
    if change.kind != Kind.MOVE_OUT and change.destination:
        refuse("destination", "只有其他迁出填写迁往何处")
    remaining = list(_present_members(change.household).exclude(pk=member.pk))
    if member.relation == HEAD and remaining:
        if new_head is None:
            refuse("new_head", "户主离开须在同一变动中指定新户主")
        _present(new_head, change, field="new_head")
        if new_head.pk == member.pk:
            refuse("new_head", "新户主不能是离开的成员")
        change.new_head = new_head
    elif new_head is not None:
        refuse("new_head", "只有户主离开时才指定新户主")
    if other is not None:
        _relation(relation, "relation")
    # The person leaves first, so that the record in the other household is the one active record.
    _leaves(actor, member, change.date)
    if change.new_head is not None:
        _becomes_head(actor, new_head, change)
    if other is not None:
        copy = _copy(member, household=other, relation=relation, date=change.date, prefix="member.")
        _check_set(other, changed=[copy], prefix="other_household.")
        stamp(actor, copy)
        copy.save()
        change.other_household, change.other_member = other, copy
    if not remaining:
        _end(actor, change.household, f"{change.date:%Y-%m-%d} {change.get_kind_display()}后户内无人")
    return [change]


def _head_change(actor, change, member, new_head, relation) -> list[MemberChange]:
    if member is None:
        member = _present_members(change.household).filter(relation=HEAD).first()
    member = _present(member, change)
    if member.relation != HEAD:
        refuse("member", f"{member.name}不是现任户主")
    if new_head is None:
        refuse("new_head", "户主变更须指定新户主")
    _present(new_head, change, field="new_head")
    if new_head.pk == member.pk:
        refuse("new_head", "新户主不能是现任户主")
    member.relation = _relation(relation or Member.Relation.OTHER, "relation")
    member.full_clean()
    stamp(actor, member)
    member.save()
    _becomes_head(actor, new_head, change)
    change.member, change.new_head = member, new_head
    return [change]


def _correct(actor, change, member, field, new_value) -> list[MemberChange]:
    if member is None:
        refuse("member", "请选择成员")
    if member.household_id != change.household_id:
        refuse("member", f"{member.name}不是该户的成员")
    if field not in CorrectedField.values:
        refuse("field", "请选择更正项目：姓名、公民身份号码或出生日期")
    new_value = (new_value or "").strip()
    if not new_value:
        refuse("new_value", "请填写更正后的值")
    old = getattr(member, field)
    change.member, change.field = member, field
    change.old_value = old.isoformat() if isinstance(old, datetime.date) else old
    if field == CorrectedField.BIRTH_DATE:
        try:
            member.birth_date = datetime.date.fromisoformat(new_value)
        except ValueError:
            refuse("new_value", "出生日期格式应为 YYYY-MM-DD")
    else:
        setattr(member, field, new_value)
    if field == CorrectedField.ID_NUMBER:
        member.sex, member.birth_date = "", None  # read again from the corrected number
    try:
        member.full_clean()
        if member.left_on is None:
            members_check(household=change.household, changed=[member])
    except ValidationError as e:
        # The refused value is the one the clerk typed: the change's new value.
        raise ValidationError({"new_value": [m for ms in e.message_dict.values() for m in ms]}) from None
    new = getattr(member, field)
    change.new_value = new.isoformat() if isinstance(new, datetime.date) else new
    if change.new_value == change.old_value:
        refuse("new_value", "更正后的值与原值相同")
    stamp(actor, member)
    member.save()
    return [change]


def _pairs(members, relations, change) -> list[tuple[Member, str]]:
    members = list(members)
    if not members:
        refuse("members", "请选择成员")
    if len(relations) != len(members):
        refuse("relations", "请为每名成员填写在新户中与户主的关系")
    pairs = []
    for given, relation in zip(members, relations):
        member = Member.objects.select_for_update().get(pk=given.pk)
        pairs.append((member, _relation(relation, "relations", head=True)))
    if len({m.pk for m, _r in pairs}) != len(pairs):
        refuse("members", "同一成员选择了两次")
    return pairs


def _split(actor, change, members, relations, new_household, new_head) -> list[MemberChange]:
    household = change.household
    pairs = _pairs(members, relations, change)
    for member, _relation_code in pairs:
        _present(member, change, field="members")
    heads = sum(r == HEAD for _m, r in pairs)
    if heads != 1:
        refuse("relations", f"新户须有且只有一名户主（现有{heads}名）")
    moving = {m.pk for m, _r in pairs}
    remaining = list(_present_members(household).exclude(pk__in=moving))
    if not remaining:
        refuse("members", "分户后原户不能没有成员")
    head_goes = any(m.relation == HEAD for m, _r in pairs)
    if head_goes:
        if new_head is None:
            refuse("new_head", "户主分出须指定原户的新户主")
        if new_head.pk not in {m.pk for m in remaining}:
            refuse("new_head", "原户的新户主须是留在原户的成员")
    elif new_head is not None:
        refuse("new_head", "户主留在原户时不指定新户主")
    if new_household is None:
        refuse("new_household", "请填写新户的户编号、类别和主要致贫原因")
    new_household.village_id = household.village_id
    new_household.identified_year, new_household.standard = household.identified_year, household.standard
    if new_household.income_per_capita is None:
        new_household.income_per_capita = household.income_per_capita
    new_household.status, new_household.removed_reason = Household.Status.REGISTERED, ""
    try:
        new_household.full_clean()
    except ValidationError as e:
        errors: dict = {}
        collect(errors, e, prefix="new_household.")
        raise ValidationError(errors) from None
    stamp(actor, new_household)
    new_household.save()
    for member, _r in pairs:
        _leaves(actor, member, change.date)
    copies = [_copy(m, household=new_household, relation=r, date=change.date, prefix="members.") for m, r in pairs]
    former = ""
    if head_goes:
        staying = Member.objects.get(pk=new_head.pk)
        former = staying.relation
        _becomes_head(actor, staying)
    records = []
    for (member, _r), copy in zip(pairs, copies):
        copy.household = new_household
        stamp(actor, copy)
        copy.save()
        records.append(MemberChange(
            household=household, kind=Kind.SPLIT, date=change.date, reason=change.reason, member=member,
            other_household=new_household, other_member=copy, recorded_by=change.recorded_by,
            new_head=new_head if member.relation == HEAD else None,
            former_relation=former if member.relation == HEAD else "",
        ))
    return records


def _merge(actor, change, other, members, relations) -> list[MemberChange]:
    if other is None:
        refuse("other_household", "并户须指定并入本户的另一户")
    pairs = _pairs(members, relations, change)
    present = {m.pk for m in _present_members(other)}
    if {m.pk for m, _r in pairs} != present:
        refuse("members", f"并户须包括{other.number}户的全部现有成员")
    for member, relation in pairs:
        _relation(relation, "relations")  # the household keeps its head
        if member.joined_on is not None and change.date < member.joined_on:
            refuse("date", f"变动日期不能早于{member.name}迁入{other.number}户的日期（{member.joined_on:%Y-%m-%d}）")
    household = change.household
    for member, _r in pairs:
        _leaves(actor, member, change.date)
    copies = [_copy(m, household=household, relation=r, date=change.date, prefix="members.") for m, r in pairs]
    _check_set(household, changed=copies, prefix="members.")
    records = []
    for (member, _r), copy in zip(pairs, copies):
        stamp(actor, copy)
        copy.save()
        records.append(MemberChange(
            household=household, kind=Kind.MERGE, date=change.date, reason=change.reason, member=copy,
            other_household=other, other_member=member, recorded_by=change.recorded_by,
        ))
    _end(actor, other, f"并户：{change.date:%Y-%m-%d}并入{household.number}户")
    return records
