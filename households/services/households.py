"""Households and their members: registration (建档立卡), changes, removal (清退)."""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from common.actors import person

from .. import access
from ..models import County, Household, Member, PovertyCause
from ..validators import validate_member_set
from .closes import frozen_guard, household_guard, today_year

# What a household is counted by in a year's figures (its category, its causes…): a change of any
# is refused while a year it is counted in is accepted (services/closes.py).
COUNTED = ("identified_year", "category", "main_cause_id", "standard")

Status = Household.Status


def collect(errors: dict, exc: ValidationError, prefix: str = "") -> None:
    for field, messages in exc.message_dict.items():
        errors.setdefault(f"{prefix}{field}", []).extend(messages)


def locked(household: Household | int) -> Household:
    """Runs a query: the household's row, locked until the transaction ends, so that two
    writers cannot both pass a check on its status or its members."""
    pk = household.pk if isinstance(household, Household) else household
    return Household.objects.select_for_update().get(pk=pk)


def stamp(actor, *records) -> None:
    """The history names the actor as the author of these saves (the system: nobody), whichever
    door called: a command run with --user, or a request."""
    user = person(actor)
    for record in records:
        record._history_user = user


def members_check(*, household: Household, changed: Sequence[Member] = (), deleted: Iterable[Member] = ()) -> None:
    """Runs a query. The members the household will have after the change: one head, nobody twice.
    Only the members present count: one who has left (成员变动) stays on record, outside the rule."""
    replaced = {m.pk for m in changed if m.pk} | {m.pk for m in deleted}
    kept = [] if household._state.adding else list(
        household.members.filter(left_on__isnull=True).exclude(pk__in=replaced))
    final = kept + [m for m in changed if m.left_on is None]
    validate_member_set([m.relation for m in final], [m.id_number for m in final])


def household_check_links(
    *,
    village_code: str | None,
    main_cause_code: str | None,
    county: County | str | None = None,
    other_causes: Iterable[PovertyCause] | None = None,
) -> None:
    """The village lies in the county the caller means, and the main cause is not also a secondary one."""
    errors = {}
    county_code = county.code if isinstance(county, County) else county
    # A village's code starts with its county's code (the database holds the places to that).
    if county_code and village_code and village_code[:6] != county_code:
        errors["village"] = f"所选村不属于县(市、区) {county_code}"
    if other_causes is not None and main_cause_code in {c.pk for c in other_causes}:
        errors["other_causes"] = "其他致贫原因不能与主要致贫原因相同"
    if errors:
        raise ValidationError(errors)


def household_save(
    *,
    actor,
    household: Household,
    members: Sequence[Member] = (),
    deleted_members: Iterable[Member] = (),
    other_causes: Iterable[PovertyCause] | None = None,
    county: County | str | None = None,
) -> Household:
    """Register a new household (建档立卡) with its members, or change one.

    The actor registers in the counties it may write in, and changes the households of those
    counties (access.counties_writable_by). `members` are the new or changed members,
    `deleted_members` those to drop; a new household needs all of its members. After the change
    the household has exactly one head (户主) and no person twice, and no person is in another
    household that is not removed. The main cause is never also a secondary one. When `county` is
    given (a clerk's county, a sheet's county column), the village must lie in it. The status is
    not set here: exits, returns and removals set it (household_status_refresh, household_remove);
    nor is an existing household's village: it moves by a transfer (transfer_release).
    `income_per_capita` is the latest year's income record's (年度收入): a new household records it
    as its identification year's income; a change giving another figure is refused naming it.
    """
    deleted_members = list(deleted_members)
    with transaction.atomic():
        adding = household._state.adding
        errors: dict[str, list[str]] = {}
        if adding:
            if household.status != Status.REGISTERED or household.removed_reason:
                errors["status"] = ["新登记的贫困户状态为“在册”"]
        else:
            stored = locked(household)
            access.require_household_writable(actor, stored)
            if household.village_id != stored.village_id:
                # A move is a transfer (迁移): released by one county, accepted by the other, with
                # its history; the village field itself never changes (services/transfers.py).
                raise ValidationError({"village": "贫困户所在村不能直接修改；请办理迁移（迁出，由迁入县接收）"})
            if (household.status, household.removed_reason) != (stored.status, stored.removed_reason):
                errors["status"] = ["状态由脱贫、返贫记录和清退决定，不能直接修改"]
            if household.income_per_capita is not None and household.income_per_capita != stored.income_per_capita:
                # The latest year's figure (年度收入): it changes through the income records.
                errors["income_per_capita"] = [f"人均纯收入为最近年度收入记录的{stored.income_per_capita}元，"
                                               "不能在此修改；请通过年度收入（/api/v1/incomes/）修改"]
        county_code = household.village_id[:6] if household.village_id else None
        if adding or county_code:
            access.require_county_writable(actor, county_code, field="village", what="贫困户")
        if adding:
            frozen_guard(county_code=county_code, year=household.identified_year, field="identified_year")
        else:
            _frozen_change_guard(stored, household, other_causes, members, deleted_members)
        try:
            household.full_clean()
        except ValidationError as e:
            collect(errors, e)

        if other_causes is not None:
            other_causes = list(other_causes)
        try:
            household_check_links(
                village_code=household.village_id,
                main_cause_code=household.main_cause_id,
                county=county,
                other_causes=other_causes,
            )
        except ValidationError as e:
            collect(errors, e)

        for i, member in enumerate(members):
            member.household = household
            member.active = household.status != Status.REMOVED and member.left_on is None
            try:
                member.full_clean(exclude=["household"])
            except ValidationError as e:
                collect(errors, e, prefix=f"members.{i}.")
        if adding and not members:
            errors.setdefault("members", []).append("请至少登记户主一人")
        elif not any(key.startswith("members.") for key in errors):
            try:
                members_check(household=household, changed=members, deleted=deleted_members)
            except ValidationError as e:
                collect(errors, e, prefix="members.")
        if errors:
            raise ValidationError(errors)

        stamp(actor, household, *members, *deleted_members)
        household.save()
        if other_causes is not None:
            household.other_causes.set(other_causes)
        for member in deleted_members:
            _member_drop(member)
        # Existing members first, the outgoing head before the incoming one, so that the one-head
        # constraint holds throughout; new members after them, in the order given.
        for member in sorted(members, key=lambda m: (m.pk is None, m.pk is not None and m.relation == "head")):
            member.household = household
            member.save()
        if adding:
            from .incomes import income_of_registration  # a module that builds on this one

            income_of_registration(actor=actor, household=household)
    return household


def _frozen_change_guard(stored: Household, household: Household, other_causes, members, deleted_members) -> None:
    """Runs queries only when something counted changes: what the household is counted by (COUNTED,
    its secondary causes), or which persons it has without a date (a member added or deleted here,
    not through a dated 成员变动), while a year it is counted in is accepted."""
    changed = [name for name in COUNTED if getattr(household, name) != getattr(stored, name)]
    if other_causes is not None and {c.pk for c in other_causes} != set(stored.other_causes.values_list("pk", flat=True)):
        changed.append("other_causes")
    if any(m.pk is None for m in members) or list(deleted_members):
        changed.append("members")
    if changed:
        also = [(stored.county_code, household.identified_year)] if isinstance(household.identified_year, int) else []
        household_guard(stored, field=changed[0].removesuffix("_id"), also=also)


def member_save(*, actor, member: Member) -> Member:
    """Add a member to a household or correct one; the household keeps exactly one head. A member
    stays in its household: a person who moves leaves one household and is registered in the other."""
    with transaction.atomic():
        if not member._state.adding:
            stored = Member.objects.filter(pk=member.pk).values_list("household_id", flat=True).first()
            access.require_household_writable(actor, stored)
            if stored != member.household_id:
                raise ValidationError({"household": "成员不能移到另一户；请在原户删除后在新户登记"})
        if member.household_id is None:
            raise ValidationError({"household": "请选择贫困户"})
        household = locked(member.household_id)
        access.require_household_writable(actor, household)
        if household.status == Status.REMOVED:
            raise ValidationError({"household": "该户已清退，不能修改成员"})
        if member._state.adding:  # present since the household's identification: counted in its years
            household_guard(household, field="household")
        member.household = household
        member.active = member.left_on is None  # one who has left may be corrected, stays inactive
        member.full_clean()
        members_check(household=household, changed=[member])
        stamp(actor, member)
        member.save()
    return member


def member_delete(*, actor, member: Member) -> None:
    """Drop a member; the head stays until another member has become head."""
    with transaction.atomic():
        household = locked(member.household_id)
        access.require_household_writable(actor, household)
        household_guard(household, field="household")
        members_check(household=household, deleted=[member])
        stamp(actor, member)
        _member_drop(member)


def _member_drop(member: Member) -> None:
    """A member a project served (a job, a post, a grant, a training) stays: what was done for
    whom is kept."""
    try:
        with transaction.atomic():
            member.delete()
    except ProtectedError as e:
        kinds = "、".join(sorted({str(o._meta.verbose_name) for o in e.protected_objects}))
        raise ValidationError({"members": f"{member.name}已有{kinds}记录，不能删除"}) from None


def household_remove(*, actor, household: Household, reason: str) -> Household:
    """Remove a household from the registry (清退), with the reason. Its members are then free
    to be registered in another household; its records stay."""
    reason = (reason or "").strip()
    with transaction.atomic():
        stored = locked(household)
        access.require_household_writable(actor, stored)
        if not reason:
            raise ValidationError({"removed_reason": "清退必须填写原因"})
        if stored.status == Status.REMOVED:
            raise ValidationError({"status": "该户已清退"})
        frozen_guard(county_code=stored.county_code, year=today_year(), field=None)  # counted from today
        household.status, household.removed_reason = Status.REMOVED, reason
        household.full_clean()
        stamp(actor, household)
        household.save()
        for member in household.members.all():  # a few rows each; save() keeps their history
            member.active = False
            stamp(actor, member)
            member.save(update_fields=["active"])
    return household


def household_delete(*, actor, household: Household) -> None:
    """Delete a household entered by mistake. One with measures or exit/return records is removed
    (household_remove) instead, so that nothing it went through is lost."""
    access.require_household_writable(actor, household)
    # Its incomes go with it (the rest would protect it): each of their years too.
    household_guard(household, also=[(household.county_code, y) for y in household.incomes.values_list("year", flat=True)])
    try:
        with transaction.atomic():
            stamp(actor, household)
            household.delete()
    except ProtectedError:
        raise ValidationError("该户已有帮扶措施、脱贫返贫或成员变动记录，不能删除；如需退出请办理清退") from None
