"""Helpers (帮扶责任人), their assignments to households and their visits (issue 20; plan 二.(一).8
asks helpers to visit the households). On any date a household has at most one responsible
helper: replacing one ends the old assignment the day before the new one starts and keeps it, with
its dates, so that the household's page shows the helpers it had in order. A visit belongs to an
assignment and falls within it.

Who writes: a helper is kept by its county (access.require_helper_writable); an assignment and a
visit are the household's records (access.require_household_writable). A helper of another county
may be assigned only with a reason."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.actors import person

from .. import access
from ..models import Helper, HelperAssignment, HelperLevel, HelperVisit, Household
from ..validators import helper_phone_clean
from .households import collect, locked, stamp

HELPER_FIELDS = ("name", "unit", "post", "level", "phone")
VISIT_FIELDS = ("visited_on", "kind", "found", "done", "follow_up")
_UNSET = object()


def _today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------- helpers


def helper_create(*, actor, county, name: str, unit: str, post: str = "", level: str = HelperLevel.CADRE,
                  phone: str = "") -> Helper:
    """A helper of `county` (a County or its code), kept by that county's clerk. Within a county a
    helper is one person by name and unit (the workbooks name it so): a second one is refused."""
    code = getattr(county, "code", county)
    with transaction.atomic():
        access.require_county_writable(actor, code or None, field="county", what="帮扶责任人")
        helper = Helper(county_id=code, name=(name or "").strip(), unit=(unit or "").strip(),
                        post=(post or "").strip(), level=level, phone=helper_phone_clean(phone))
        _helper_check(helper)
        stamp(actor, helper)
        helper.save()
    return helper


def helper_update(*, actor, helper: Helper, **fields) -> Helper:
    """Change a helper's name, unit, post, level or phone. Its county does not change: a helper who
    moves to another county's unit is that county's new helper."""
    unknown = sorted(set(fields) - set(HELPER_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: "该项不能修改"})
    with transaction.atomic():
        helper = Helper.objects.select_for_update().get(pk=helper.pk)
        access.require_helper_writable(actor, helper)
        for name, value in fields.items():
            value = value if name == "level" else (value or "").strip()
            setattr(helper, name, helper_phone_clean(value) if name == "phone" else value)
        _helper_check(helper)
        stamp(actor, helper)
        helper.save()
    return helper


def _helper_check(helper: Helper) -> None:
    """Runs a query. The field checks, and one helper per county, name and unit."""
    errors: dict[str, list[str]] = {}
    try:
        helper.full_clean(exclude=["county"] if helper.county_id is None else None)
    except ValidationError as e:
        collect(errors, e)
    if helper.county_id is None:
        errors.setdefault("county", []).append("请选择帮扶责任人所属县(市、区)")
    if not errors and (Helper.objects.filter(county_id=helper.county_id, name=helper.name, unit=helper.unit)
                       .exclude(pk=helper.pk).exists()):
        errors["name"] = [f"本县已有{helper.unit}的帮扶责任人{helper.name}"]
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------- assignments


def assignment_start(*, actor, household: Household | int, helper: Helper, started_on: datetime.date,
                     reason: str = "") -> HelperAssignment:
    """Make `helper` the household's responsible helper from `started_on`. The current helper's
    assignment ends the day before and is kept with its dates. Refused: a removed household, a
    start in the future, a start not after the current assignment's, one overlapping an ended
    assignment, the current helper again, and a helper of another county without a reason."""
    with transaction.atomic():
        household = locked(household)
        access.require_household_writable(actor, household)
        reason = (reason or "").strip()
        errors: dict[str, list[str]] = {}
        if household.status == Household.Status.REMOVED:
            errors["household"] = ["该户已清退，不能再安排帮扶责任人"]
        _start_check(started_on, errors)
        _county_check(household, helper, reason, errors)
        current = household.helper_assignments.filter(ended_on__isnull=True).first()
        if current is not None and current.helper_id == helper.pk:
            errors.setdefault("helper", []).append(f"{helper}已是该户的帮扶责任人（自{current.started_on}起）")
        elif current is not None and started_on is not None and started_on <= current.started_on:
            errors.setdefault("started_on", []).append(
                f"与现任帮扶责任人{current.helper}的帮扶关系（{current.started_on}起）重叠；起始日期须晚于该日期")
        if errors:
            raise ValidationError(errors)
        _overlap_check(household.pk, started_on, None, exclude=current.pk if current else None)
        if current is not None:
            current.ended_on = started_on - datetime.timedelta(days=1)
            stamp(actor, current)
            current.save(update_fields=["ended_on"])
        assignment = HelperAssignment(household=household, helper=helper, started_on=started_on, reason=reason)
        assignment.full_clean()
        stamp(actor, assignment)
        assignment.save()
    return assignment


def assignment_update(*, actor, assignment: HelperAssignment, started_on=_UNSET, ended_on=_UNSET,
                      reason=_UNSET) -> HelperAssignment:
    """Correct an assignment's dates or reason. Its period still may not overlap another of the
    household's, start in the future, end before it starts or leave one of its visits outside it;
    a helper of another county keeps a reason."""
    with transaction.atomic():
        assignment = _locked_assignment(actor, assignment)
        if started_on is not _UNSET:
            assignment.started_on = started_on
        if ended_on is not _UNSET:
            assignment.ended_on = ended_on
        if reason is not _UNSET:
            assignment.reason = (reason or "").strip()
        errors: dict[str, list[str]] = {}
        _start_check(assignment.started_on, errors)
        _end_check(assignment, errors)
        _county_check(assignment.household, assignment.helper, assignment.reason, errors)
        if errors:
            raise ValidationError(errors)
        # The date that was changed is the one named (the end, if both were).
        _overlap_check(assignment.household_id, assignment.started_on, assignment.ended_on, exclude=assignment.pk,
                       field="ended_on" if ended_on is not _UNSET else "started_on")
        _visits_within(assignment)
        stamp(actor, assignment)
        assignment.save()
    return assignment


def assignment_end(*, actor, assignment: HelperAssignment, ended_on: datetime.date, reason: str = "") -> HelperAssignment:
    """End the household's current assignment on `ended_on` (its last day), leaving the household
    without a helper until another starts (the report of households without a helper lists it).
    `reason` says why; it is added to the assignment's reason."""
    with transaction.atomic():
        assignment = _locked_assignment(actor, assignment)
        if assignment.ended_on is not None:
            raise ValidationError({"ended_on": f"该帮扶关系已于{assignment.ended_on}终止"})
        assignment.ended_on = ended_on
        reason = (reason or "").strip()
        if reason:
            assignment.reason = f"{assignment.reason}；{reason}" if assignment.reason else reason
        errors: dict[str, list[str]] = {}
        _end_check(assignment, errors)
        if errors:
            raise ValidationError(errors)
        _visits_within(assignment)
        assignment.full_clean()
        stamp(actor, assignment)
        assignment.save()
    return assignment


def _locked_assignment(actor, assignment: HelperAssignment | int) -> HelperAssignment:
    """Runs queries. The assignment's household locked (its assignments change together), the
    actor may change it, and the assignment as stored."""
    pk = assignment.pk if isinstance(assignment, HelperAssignment) else assignment
    household_id = HelperAssignment.objects.filter(pk=pk).values_list("household_id", flat=True).first()
    if household_id is None:
        raise ValidationError({"assignment": "该帮扶关系不存在"})
    household = locked(household_id)
    access.require_household_writable(actor, household)
    assignment = HelperAssignment.objects.select_related("helper").get(pk=pk)
    assignment.household = household
    return assignment


def _start_check(started_on, errors: dict) -> None:
    if not isinstance(started_on, datetime.date):
        errors.setdefault("started_on", []).append("请填写起始日期")
    elif started_on > _today():
        errors.setdefault("started_on", []).append("起始日期不能晚于今天")


def _end_check(assignment: HelperAssignment, errors: dict) -> None:
    ended_on = assignment.ended_on
    if ended_on is None:
        return
    if not isinstance(ended_on, datetime.date):
        errors.setdefault("ended_on", []).append("终止日期无效")
    elif ended_on > _today():
        errors.setdefault("ended_on", []).append("终止日期不能晚于今天")
    elif isinstance(assignment.started_on, datetime.date) and ended_on < assignment.started_on:
        errors.setdefault("ended_on", []).append(f"终止日期不能早于起始日期（{assignment.started_on}）")


def _county_check(household: Household, helper: Helper, reason: str, errors: dict) -> None:
    if helper.county_id != household.county_code and not reason:
        errors.setdefault("reason", []).append("该帮扶责任人不属于该户所在县(市、区)，请填写原因")


def _overlap_check(household_id: int, started_on: datetime.date, ended_on: datetime.date | None, *,
                   exclude: int | None, field: str = "started_on") -> None:
    """Runs a query. No other assignment of the household shares a day with [started_on, ended_on]
    (ended_on None: open)."""
    others = HelperAssignment.objects.filter(household_id=household_id).exclude(pk=exclude).select_related("helper")
    if ended_on is not None:
        others = others.filter(started_on__lte=ended_on)
    clash = others.filter(ended_on__isnull=True).first() or others.filter(ended_on__gte=started_on).first()
    if clash is not None:
        until = clash.ended_on or "至今"
        raise ValidationError({field: f"与{clash.helper}的帮扶关系（{clash.started_on}—{until}）重叠"})


def _visits_within(assignment: HelperAssignment) -> None:
    """Runs a query. The assignment's visits all fall within its period."""
    outside = assignment.visits.filter(visited_on__lt=assignment.started_on)
    if assignment.ended_on is not None:
        outside = outside | assignment.visits.filter(visited_on__gt=assignment.ended_on)
    visit = outside.order_by("visited_on").first()
    if visit is not None:
        field = "started_on" if visit.visited_on < assignment.started_on else "ended_on"
        raise ValidationError({field: f"该帮扶关系有{visit.visited_on}的走访记录，帮扶期间须包含该日期"})


# ---------------------------------------------------------------- visits


def visit_record(*, actor, assignment: HelperAssignment, visited_on: datetime.date, kind: str, found: str,
                 done: str = "", follow_up: str = "") -> HelperVisit:
    """A visit by the household's helper while the helper is its helper (plan 二.(一).8): refused
    before the assignment starts, after it ends, or in the future."""
    with transaction.atomic():
        assignment = _locked_assignment(actor, assignment)
        visit = HelperVisit(assignment=assignment, visited_on=visited_on, kind=kind, found=(found or "").strip(),
                            done=(done or "").strip(), follow_up=(follow_up or "").strip(), recorded_by=person(actor))
        _visit_check(visit)
        stamp(actor, visit)
        visit.save()
    return visit


def visit_update(*, actor, visit: HelperVisit, **fields) -> HelperVisit:
    """Correct a visit's date, kind or notes; its assignment stays."""
    unknown = sorted(set(fields) - set(VISIT_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: "该项不能修改"})
    with transaction.atomic():
        stored = HelperVisit.objects.filter(pk=visit.pk).values_list("assignment_id", flat=True).first()
        if stored is None:
            raise ValidationError({"visit": "该走访记录不存在"})
        assignment = _locked_assignment(actor, stored)
        visit = HelperVisit.objects.get(pk=visit.pk)
        visit.assignment = assignment
        for name, value in fields.items():
            setattr(visit, name, value if name in ("visited_on", "kind") else (value or "").strip())
        _visit_check(visit)
        stamp(actor, visit)
        visit.save()
    return visit


def visit_delete(*, actor, visit: HelperVisit) -> None:
    """Delete a visit recorded by mistake; the history keeps it."""
    with transaction.atomic():
        stored = HelperVisit.objects.filter(pk=visit.pk).values_list("assignment_id", flat=True).first()
        if stored is None:
            raise ValidationError({"visit": "该走访记录不存在"})
        _locked_assignment(actor, stored)
        visit = HelperVisit.objects.get(pk=visit.pk)
        stamp(actor, visit)
        visit.delete()


def _visit_check(visit: HelperVisit) -> None:
    errors: dict[str, list[str]] = {}
    try:
        visit.full_clean(exclude=["assignment", "recorded_by"])
    except ValidationError as e:
        collect(errors, e)
    assignment, on = visit.assignment, visit.visited_on
    if "visited_on" not in errors and isinstance(on, datetime.date):
        if on > _today():
            errors["visited_on"] = ["走访日期不能晚于今天"]
        elif on < assignment.started_on:
            errors["visited_on"] = [f"走访日期早于该帮扶关系的起始日期（{assignment.started_on}）"]
        elif assignment.ended_on is not None and on > assignment.ended_on:
            errors["visited_on"] = [f"走访日期晚于该帮扶关系的终止日期（{assignment.ended_on}）"]
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------- through the household's fields


def household_helper_set(*, actor, household: Household | int, name: str | None, unit: str | None,
                         phone: str | None = "", on: datetime.date | None = None) -> HelperAssignment | None:
    """What writing the household's helper_name, helper_unit and helper_phone does (the API, the
    admin's household form): the helper of the household's county with that name and unit, created
    if there is none, its phone updated when one is given; if it is not the household's current
    helper, an assignment from `on` (today) ends the current one. A helper entered and changed on
    the same day is a correction: the day's assignment (without visits) names the new helper.
    `name` or `unit` None: the current helper's (a partial change giving only the phone or the
    unit). A blank name changes nothing (None). Errors name the household's fields (helper_name,
    helper_unit, helper_phone)."""
    with transaction.atomic():
        household = locked(household)
        current = household.helper_assignments.filter(ended_on__isnull=True).select_related("helper").first()
        if name is None:
            name = current.helper.name if current else ""
        if unit is None:
            unit = current.helper.unit if current else ""
        name, unit, phone = name.strip(), unit.strip(), helper_phone_clean(phone)
        if not name:
            if phone or unit:
                raise ValidationError({"helper_name": "请填写帮扶责任人"})
            return None
        access.require_household_writable(actor, household)
        if current is not None and (current.helper.name, current.helper.unit) == (name, unit):
            helper = current.helper  # as the registry holds it, even a unit the migration found blank
        elif not unit:
            raise ValidationError({"helper_unit": "请填写帮扶责任人单位"})
        else:
            helper = (Helper.objects.select_for_update()
                      .filter(county_id=household.county_code, name=name, unit=unit).first())
        try:
            if helper is None:
                helper = Helper(county_id=household.county_code, name=name, unit=unit, phone=phone)
                _helper_check(helper)
                stamp(actor, helper)
                helper.save()
            elif phone and phone != helper.phone:
                helper.phone = phone
                _helper_check(helper)
                stamp(actor, helper)
                helper.save(update_fields=["phone"])
        except ValidationError as e:
            raise ValidationError({f"helper_{k}": v for k, v in e.message_dict.items()}) from None
        if current is not None and current.helper_id == helper.pk:
            return current
        on = on or _today()
        if current is not None and current.started_on == on and not current.visits.exists():
            current.helper = helper
            stamp(actor, current)
            current.save(update_fields=["helper"])
            return current
        try:
            return assignment_start(actor=actor, household=household, helper=helper, started_on=on)
        except ValidationError as e:
            raise ValidationError({"helper_name": [m for ms in e.message_dict.values() for m in ms]}) from None
