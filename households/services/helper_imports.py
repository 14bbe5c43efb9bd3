"""Helpers and assignments by the thousand: the registry workbook's helper columns and the
assignments workbook (one row per household: number, helper's name, unit, phone, from). The rules
of services/helpers.py checked for a whole set in a few queries, then written in bulk with their
history; all or nothing."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from common.actors import person

from .. import access
from ..models import Helper, HelperAssignment, HelperVisit, Household
from ..validators import helper_phone_clean, helper_phone_validator
from .bulk import field_defaults, many, unsaved
from .copies import insert_with_history

_CHUNK = 5000


@dataclass(frozen=True)
class HelperRow:
    """A household's helper as a row gives it. `started_on` None: the import's day (`on`)."""

    household_number: str
    name: str
    unit: str
    phone: str = ""
    started_on: datetime.date | None = None
    row: int | None = None  # the sheet's row number, for the reasons; None: its place in the list, from 1


@dataclass(frozen=True)
class HelperProblem:
    row: int | None
    field: str  # household_number, name, unit, phone or started_on
    message: str


class HelperRowsInvalid(ValidationError):
    """Rows that break the rules; `problems` names each row and field. Nothing was written."""

    def __init__(self, problems: list[HelperProblem]):
        self.problems = problems
        super().__init__([f"第 {p.row} 行：{p.message}" if p.row is not None else p.message for p in problems[:50]])


@dataclass
class HelperImportResult:
    rows: int = 0
    helpers_new: int = 0  # helpers created
    helpers_changed: int = 0  # helpers whose phone the rows changed
    assignments_new: int = 0  # households given a (new) helper
    unchanged: int = 0  # households whose current helper the row names already
    written: bool = False

    def summary(self) -> str:
        return (f"帮扶责任人：新增 {self.helpers_new}，更新电话 {self.helpers_changed}；"
                f"帮扶关系：新增 {self.assignments_new}，不变 {self.unchanged}")


@dataclass
class _Plan:
    result: HelperImportResult
    problems: list[HelperProblem] = field(default_factory=list)
    new_helpers: dict = field(default_factory=dict)  # (county, name, unit) → Helper
    changed_helpers: list = field(default_factory=list)
    ended: list = field(default_factory=list)  # current assignments ending
    corrected: list = field(default_factory=list)  # (current assignment, helper key): started the same day
    started: list = field(default_factory=list)  # (household_id, key, started_on)


def helper_assignments_import(*, actor, rows: list[HelperRow], on: datetime.date | None = None,
                              dry_run: bool = False, reason: str = "", known: dict[str, dict] | None = None,
                              writer=None) -> HelperImportResult:
    """Each row makes the helper it names (of the household's county, by name and unit; created if
    new, its phone updated if given) the household's responsible helper from its `started_on`
    (else `on`, today): the current assignment ends the day before and is kept. A row naming the
    household's current helper changes nothing but the phone. Refused, each with its row, and
    nothing written: an unknown household or one the actor may not change, a removed household, a
    household on two rows, a blank name or unit, a phone that is not one, one helper (county, name,
    unit) given two phones, a start in the future or not after the household's current or last
    assignment's start and end. `reason` is each new assignment's reason (变更原因). A blank unit
    is the household's current helper's where the row names that helper (as an export shows one
    whose unit was never given). `known` (the registry workbook's import): its households by number
    as it has them (pk, None for one a dry run would create; county; status; new: created by it),
    which it may change: not looked up again. `writer` (copies.background_writes): the new rows are
    sent by it."""
    on = on or timezone.localdate()
    known = known or {}
    assert dry_run or all(h["pk"] is not None for h in known.values()), "only a dry run plans unwritten households"
    # The plan only reads, outside a transaction of its own: inside a writer's block a savepoint
    # taken here and rolled back on a refusal would undo whichever of the writer's statements ran
    # after it, and the writer's next ones would meet rows that are gone.
    plan = _plan(actor, rows, on, known)
    if plan.problems:
        raise HelperRowsInvalid(sorted(plan.problems, key=lambda p: (p.row is None, p.row or 0)))
    if not dry_run:
        with transaction.atomic(savepoint=writer is None):  # all or nothing; in a writer's block, its caller's
            _write(actor, plan, reason, writer)
        plan.result.written = True
    return plan.result


def _plan(actor, rows: list[HelperRow], on: datetime.date, known: dict[str, dict]) -> _Plan:
    """Runs a few queries per five thousand rows, none per row."""
    plan = _Plan(HelperImportResult(rows=len(rows)))
    problems = plan.problems
    today = timezone.localdate()
    clean: list[tuple[int, HelperRow, str]] = []  # (row number, row, phone)
    seen: dict[str, int] = {}
    for index, row in enumerate(rows, start=1):
        number = row.row if row.row is not None else index
        household = (row.household_number or "").strip()
        name, unit, phone = (row.name or "").strip(), (row.unit or "").strip(), helper_phone_clean(row.phone)
        bad = False
        if not household:
            problems.append(HelperProblem(number, "household_number", "请填写户编号"))
            bad = True
        elif household in seen:
            problems.append(HelperProblem(number, "household_number", f"户编号 {household} 与第 {seen[household]} 行重复"))
            bad = True
        else:
            seen[household] = number
        for key, value, label in (("name", name, "帮扶责任人姓名"), ("unit", unit, "帮扶单位")):
            limit = Helper._meta.get_field(key).max_length
            if (not value and key == "name") or len(value) > limit:
                problems.append(HelperProblem(number, key, f"请填写{label}" if not value else f"{label}不能超过{limit}个字"))
                bad = True
        if phone:
            try:
                helper_phone_validator(phone)
            except ValidationError as e:
                problems.append(HelperProblem(number, "phone", e.messages[0]))
                bad = True
        if row.started_on is not None and row.started_on > today:
            problems.append(HelperProblem(number, "started_on", "起始日期不能晚于今天"))
            bad = True
        if not bad:
            clean.append((number, HelperRow(household, name, unit, phone, row.started_on, number), phone))

    households = _households(actor, clean, problems, known)
    clean = [(n, r, p) for n, r, p in clean if r.household_number in households]
    # The households with a past: a new one has no assignment to end or overlap.
    ids = [h["pk"] for h in households.values() if h["pk"] is not None and not h.get("new")]
    current = {a.household_id: a for start in range(0, len(ids), _CHUNK)
               for a in HelperAssignment.objects.filter(household_id__in=many(ids[start:start + _CHUNK], "bigint"),
                                                        ended_on__isnull=True).select_related("helper")}
    # A blank unit: the current helper's, where the row names that helper; else the row wants one.
    kept = []
    for number, row, phone in clean:
        if not row.unit:
            now = current.get(households[row.household_number]["pk"])
            if now is None or (now.helper.name, now.helper.unit) != (row.name, ""):
                problems.append(HelperProblem(number, "unit", "请填写帮扶单位"))
                continue
        kept.append((number, row, phone))
    clean = kept

    # One helper, one phone: the rows that give a helper a phone must agree.
    phones: dict[tuple, dict[str, int]] = {}
    for number, row, phone in clean:
        key = (households[row.household_number]["county"], row.name, row.unit)
        if phone:
            phones.setdefault(key, {}).setdefault(phone, number)
    for key, given in phones.items():
        if len(given) > 1:
            listed = "、".join(f"第 {n} 行 {p}" for p, n in sorted(given.items(), key=lambda item: item[1]))
            problems += [HelperProblem(n, "phone", f"同一帮扶责任人 {key[1]}（{key[2]}）的电话不一致：{listed}")
                         for n in sorted(given.values())[1:]]

    existing = _helpers({(households[r.household_number]["county"], r.name, r.unit) for _n, r, _p in clean})
    today_started = [a.pk for a in current.values() if a.started_on == on]
    visited = {pk for start in range(0, len(today_started), _CHUNK)
               for pk in HelperVisit.objects.filter(assignment_id__in=many(today_started[start:start + _CHUNK], "bigint"))
               .values_list("assignment_id", flat=True)}
    last_end = {}
    for start in range(0, len(ids), _CHUNK):
        last_end.update(HelperAssignment.objects.filter(household_id__in=many(ids[start:start + _CHUNK], "bigint"),
                                                        ended_on__isnull=False)
                        .values("household_id").annotate(last=Max("ended_on")).values_list("household_id", "last"))
    for number, row, phone in clean:
        household = households[row.household_number]
        now = current.get(household["pk"])
        if (now is not None and now.helper.county_id != household["county"]
                and (now.helper.name, now.helper.unit) == (row.name, row.unit)):
            # The household's current helper of another county (assigned with a reason), named as the
            # registry's export writes it: the helpers are looked up in the household's county, where
            # it is not, so without this a workbook exported and imported again would be refused.
            # Its phone is its own county's to change (access.require_helper_writable).
            if phone and phone != now.helper.phone:
                problems.append(HelperProblem(number, "phone", f"{now.helper}是其他县(市、区)的帮扶责任人，"
                                                               f"其电话由该县修改"))
            else:
                plan.result.unchanged += 1
            continue
        key = (household["county"], row.name, row.unit)
        helper = existing.get(key) or plan.new_helpers.get(key)
        if helper is None:
            helper = plan.new_helpers[key] = Helper(county_id=key[0], name=row.name, unit=row.unit, phone=phone)
            plan.result.helpers_new += 1
        elif phone and helper.phone != phone and helper.pk is not None:
            helper.phone = phone
            if all(h is not helper for h in plan.changed_helpers):
                plan.changed_helpers.append(helper)
                plan.result.helpers_changed += 1
        elif phone and not helper.phone:
            helper.phone = phone  # a new helper whose first row gave no phone
        if now is not None and helper.pk is not None and now.helper_id == helper.pk:
            plan.result.unchanged += 1
            continue
        started_on = row.started_on or on
        if now is not None and row.started_on is None and started_on == now.started_on and now.pk not in visited:
            # Entered and changed on the import's day: a correction of that day's assignment
            # (household_helper_set's rule), not a third one. A row giving its own start overlaps.
            plan.corrected.append((now, key))
            plan.result.assignments_new += 1
            continue
        if now is not None and started_on <= now.started_on:
            problems.append(HelperProblem(number, "started_on", f"与现任帮扶责任人的帮扶关系（{now.started_on}起）重叠；"
                                                                f"起始日期须晚于该日期"))
            continue
        ended = last_end.get(household["pk"])
        if ended is not None and started_on <= ended:
            problems.append(HelperProblem(number, "started_on", f"与该户此前的帮扶关系（至{ended}）重叠"))
            continue
        if now is not None:
            now.ended_on = started_on - datetime.timedelta(days=1)
            plan.ended.append(now)
        plan.started.append((household["pk"], key, started_on))
        plan.result.assignments_new += 1
    return plan


def _households(actor, clean, problems: list, known: dict[str, dict]) -> dict[str, dict]:
    """Runs two queries per five thousand numbers not `known`. The households the actor may change,
    by number (pk, county); a problem for each row whose household is unknown, not the actor's or
    removed."""
    found: dict[str, dict] = dict(known)
    numbers = [r.household_number for _n, r, _p in clean if r.household_number not in known]
    writable = access.households_writable_by(actor)
    for start in range(0, len(numbers), _CHUNK):
        chunk = many(numbers[start:start + _CHUNK], "text")
        for pk, number, village, status in writable.filter(number__in=chunk).values_list("pk", "number", "village_id",
                                                                                          "status"):
            found[number] = {"pk": pk, "county": village[:6], "status": status}
    missing = [n for n in numbers if n not in found]
    registered = set()
    for start in range(0, len(missing), _CHUNK):
        registered.update(Household.objects.filter(number__in=many(missing[start:start + _CHUNK], "text"))
                          .values_list("number", flat=True))
    for number, row, _phone in clean:
        household = found.get(row.household_number)
        if household is None:
            message = (f"户编号 {row.household_number} 的贫困户不在您可以修改的县(市、区)内" if row.household_number in registered
                       else f"未知的户编号 {row.household_number}")
            problems.append(HelperProblem(number, "household_number", message))
        elif household["status"] == Household.Status.REMOVED:
            problems.append(HelperProblem(number, "household_number", f"贫困户 {row.household_number} 已清退"))
    return {n: h for n, h in found.items() if h["status"] != Household.Status.REMOVED}


def _helpers(keys: set[tuple]) -> dict[tuple, Helper]:
    """Runs a query per five thousand names. The registry's helpers of these (county, name, unit)."""
    names = sorted({name for _county, name, _unit in keys})
    counties = sorted({county for county, _name, _unit in keys})
    found = {}
    for start in range(0, len(names), _CHUNK):
        for helper in Helper.objects.filter(county_id__in=counties, name__in=many(names[start:start + _CHUNK], "text")):
            key = (helper.county_id, helper.name, helper.unit)
            if key in keys:
                found[key] = helper
    return found


def _write(actor, plan: _Plan, reason: str, writer) -> None:
    user = person(actor)
    new = list(plan.new_helpers.values())  # their fields checked by _plan, the rest the model's defaults
    insert_with_history(new, Helper, user=user, reason=reason, writer=writer)
    if plan.changed_helpers:
        bulk_update_with_history(plan.changed_helpers, Helper, ["phone"], default_user=user,
                                 default_change_reason=reason or None, batch_size=2000)
    # The current assignments end before the new ones start: one current assignment per household.
    _update_by_value(plan.ended, "ended_on", user=user, reason=reason)
    helpers = {(h.county_id, h.name, h.unit): h.pk for h in new}
    helpers.update(_ids(({key for _pk, key, _on in plan.started} | {key for _a, key in plan.corrected}) - helpers.keys()))
    for assignment, key in plan.corrected:
        assignment.helper_id = helpers[key]
    if plan.corrected and writer is not None:
        writer.wait()  # the new helpers written: a foreign key is checked at each statement
    _update_by_value([a for a, _key in plan.corrected], "helper_id", user=user, reason=reason)
    assignments = [unsaved(HelperAssignment, {"household_id": household, "helper_id": helpers[key],
                                              "started_on": started_on, "reason": reason[:200]}, _ASSIGNMENT_DEFAULTS)
                   for household, key, started_on in plan.started]
    insert_with_history(assignments, HelperAssignment, user=user, reason=reason, writer=writer)


_ASSIGNMENT_DEFAULTS = field_defaults(HelperAssignment)


def _ids(keys: set[tuple]) -> dict[tuple, int]:
    return {key: helper.pk for key, helper in _helpers(keys).items()}


def _update_by_value(assignments: list[HelperAssignment], attname: str, *, user, reason: str) -> None:
    """The assignments' `attname` written with one UPDATE per value and chunk (an import ends most
    current assignments on the same day), and their history: Django's bulk_update writes a CASE of
    a branch per row, seconds for a city."""
    if not assignments:
        return
    by_value: dict = {}
    for assignment in assignments:
        by_value.setdefault(getattr(assignment, attname), []).append(assignment.pk)
    if len(by_value) > 20:  # many values (helpers corrected the same day): a CASE is then fewer round trips
        HelperAssignment.objects.bulk_update(assignments, [attname.removesuffix("_id")], batch_size=2000)
    else:
        for value, pks in by_value.items():
            for start in range(0, len(pks), _CHUNK):
                HelperAssignment.objects.filter(pk__in=many(pks[start:start + _CHUNK], "bigint")).update(**{attname: value})
    HelperAssignment.history.bulk_history_create(assignments, update=True, default_user=user,
                                                 default_change_reason=reason or None, batch_size=2000)
