"""Every write to the registry goes through these functions: the admin, the REST API, Excel
imports and management commands all call them, so each rule is applied the same way.

A service takes the model instances its caller has built (from a form, a serializer or a
sheet row), validates them with full_clean() plus the rules that span several records, and
saves them in one transaction. Bad input raises ValidationError naming the field and leaves
the database as it was.
"""

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, ProtectedError, Q, Subquery
from django.db.models.functions import Substr
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .access import ROLE_PERMISSIONS
from .models import (
    County,
    ExitRecord,
    ExportLog,
    Household,
    HouseholdEvent,
    Member,
    PovertyCause,
    RegistryModel,
    ReliefChannel,
    ReliefMeasure,
    ReturnRecord,
    Role,
    UserRole,
    Village,
)
from .selectors import event_is_latest
from .validators import mask_id, validate_member_set

Status = Household.Status


def _collect(errors: dict, exc: ValidationError, prefix: str = "") -> None:
    for field, messages in exc.message_dict.items():
        errors.setdefault(f"{prefix}{field}", []).extend(messages)


def _locked(household: Household) -> Household:
    """Runs a query: the household's row, locked until the transaction ends, so that two
    writers cannot both pass a check on its status or its members."""
    return Household.objects.select_for_update().get(pk=household.pk)


def members_check(*, household: Household, changed: Sequence[Member] = (), deleted: Iterable[Member] = ()) -> None:
    """Runs a query. The members the household will have after the change: one head, nobody twice."""
    replaced = {m.pk for m in changed if m.pk} | {m.pk for m in deleted}
    kept = [] if household._state.adding else list(household.members.exclude(pk__in=replaced))
    final = kept + list(changed)
    validate_member_set([m.relation for m in final], [m.id_number for m in final])


def household_check_links(
    *,
    village_code: str | None,
    main_cause_code: str | None,
    county: County | str | None = None,
    other_causes: Iterable[PovertyCause] | None = None,
) -> None:
    """The village lies in the county the caller works in, and the main cause is not also a secondary one."""
    errors = {}
    county_code = county.code if isinstance(county, County) else county
    # A village's code starts with its county's code (the database holds the places to that).
    if county_code and village_code and village_code[:6] != county_code:
        errors["village"] = f"所选村不属于县(市、区) {county_code}"
    if other_causes is not None and main_cause_code in {c.pk for c in other_causes}:
        errors["other_causes"] = "其他致贫原因不能与主要致贫原因相同"
    if errors:
        raise ValidationError(errors)


def record_save(*, record: RegistryModel) -> RegistryModel:
    """Save a record whose rules all live in its clean(): a place (its code carries its place in
    the hierarchy), or one of the plan's records (plans/)."""
    with transaction.atomic():
        record.full_clean()
        record.save()
    return record


def household_save(
    *,
    household: Household,
    members: Sequence[Member] = (),
    deleted_members: Iterable[Member] = (),
    other_causes: Iterable[PovertyCause] | None = None,
    county: County | str | None = None,
) -> Household:
    """Register a new household (建档立卡) with its members, or change one.

    `members` are the new or changed members, `deleted_members` those to drop; a new household
    needs all of its members. After the change the household has exactly one head (户主) and
    no person twice, and no person is in another household that is not removed. The main cause
    is never also a secondary one. When `county` is given (a clerk's county, a sheet's county
    column), the village must lie in it. The status is not set here: exits, returns and
    removals set it (household_status_refresh, household_remove).
    """
    deleted_members = list(deleted_members)
    with transaction.atomic():
        adding = household._state.adding
        errors: dict[str, list[str]] = {}
        if adding:
            if household.status != Status.REGISTERED or household.removed_reason:
                errors["status"] = ["新登记的贫困户状态为“在册”"]
        else:
            stored = _locked(household)
            moved = stored.county_code != household.county_code
            if (household.status, household.removed_reason) != (stored.status, stored.removed_reason):
                errors["status"] = ["状态由脱贫、返贫记录和清退决定，不能直接修改"]
        try:
            household.full_clean()
        except ValidationError as e:
            _collect(errors, e)

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
            _collect(errors, e)

        for i, member in enumerate(members):
            member.household = household
            member.active = household.status != Status.REMOVED
            try:
                member.full_clean(exclude=["household"])
            except ValidationError as e:
                _collect(errors, e, prefix=f"members.{i}.")
        if adding and not members:
            errors.setdefault("members", []).append("请至少登记户主一人")
        elif not any(key.startswith("members.") for key in errors):
            try:
                members_check(household=household, changed=members, deleted=deleted_members)
            except ValidationError as e:
                _collect(errors, e, prefix="members.")
        if errors:
            raise ValidationError(errors)

        household.save()
        if not adding and moved:
            _events_follow([household])
        if other_causes is not None:
            household.other_causes.set(other_causes)
        for member in deleted_members:
            _member_drop(member)
        # Existing members first, the outgoing head before the incoming one, so that the one-head
        # constraint holds throughout; new members after them, in the order given.
        for member in sorted(members, key=lambda m: (m.pk is None, m.pk is not None and m.relation == "head")):
            member.household = household
            member.save()
    return household


def _events_follow(households: Sequence[Household]) -> None:
    """Exits and returns keep the county of their household when it moves to another (their
    `county` is the household's, kept for the progress's sake: it is not a fact of its own, so the
    update writes no history; the household's history has the move)."""
    county = Subquery(Household.objects.filter(pk=OuterRef("household_id")).values(code=Substr("village_id", 1, 6)))
    for model in (ExitRecord, ReturnRecord):
        model.objects.filter(household__in=[h.pk for h in households]).update(county_id=county)


def member_save(*, member: Member) -> Member:
    """Add a member to a household or change one; the household keeps exactly one head."""
    with transaction.atomic():
        household = _locked(member.household)
        if household.status == Status.REMOVED:
            raise ValidationError({"household": "该户已清退，不能修改成员"})
        member.household = household
        member.active = True
        member.full_clean()
        members_check(household=household, changed=[member])
        member.save()
    return member


def member_delete(*, member: Member) -> None:
    """Drop a member; the head stays until another member has become head."""
    with transaction.atomic():
        household = _locked(member.household)
        members_check(household=household, deleted=[member])
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


def household_remove(*, household: Household, reason: str) -> Household:
    """Remove a household from the registry (清退), with the reason. Its members are then free
    to be registered in another household; its records stay."""
    reason = (reason or "").strip()
    with transaction.atomic():
        stored = _locked(household)
        if not reason:
            raise ValidationError({"removed_reason": "清退必须填写原因"})
        if stored.status == Status.REMOVED:
            raise ValidationError({"status": "该户已清退"})
        household.status, household.removed_reason = Status.REMOVED, reason
        household.full_clean()
        household.save()
        for member in household.members.all():  # a few rows each; save() keeps their history
            member.active = False
            member.save(update_fields=["active"])
    return household


def household_delete(*, household: Household) -> None:
    """Delete a household entered by mistake. One with measures or exit/return records is removed
    (household_remove) instead, so that nothing it went through is lost."""
    try:
        with transaction.atomic():
            household.delete()
    except ProtectedError:
        raise ValidationError("该户已有帮扶措施或脱贫、返贫记录，不能删除；如需退出请办理清退") from None


def measure_save(*, measure: ReliefMeasure) -> ReliefMeasure:
    """Record or change a relief measure (帮扶措施); rules of 二.(一).6, 二.(二), 二.(三) in its clean()."""
    with transaction.atomic():
        measure.full_clean()
        measure.save()
    return measure


def measure_delete(*, measure: ReliefMeasure) -> None:
    measure.delete()


def household_status_refresh(household: Household) -> Household:
    """The status follows the exit and return records: they alternate, starting with an exit,
    so more exits than returns means exited, as many (but some) means returned."""
    if household.status == Status.REMOVED:
        return household
    exits, returns = household.exits.count(), household.returns.count()
    status = Status.EXITED if exits > returns else Status.RETURNED if returns else Status.REGISTERED
    if status != household.status:
        household.status = status
        household.save(update_fields=["status"])
    return household


def _event_save(record: HouseholdEvent) -> HouseholdEvent:
    if record.household_id is None:
        raise ValidationError({"household": "请选择贫困户"})
    with transaction.atomic():
        record.household = _locked(record.household)
        record.county_id = record.household.county_code
        if record._state.adding:
            record.persons = record.household.members.count()
        record.full_clean()
        record.save()
        household_status_refresh(record.household)
    return record


def _event_delete(record: HouseholdEvent) -> None:
    """Only the latest event can be taken back, so exits and returns keep alternating."""
    with transaction.atomic():
        record.household = household = _locked(record.household)
        if not event_is_latest(record):
            raise ValidationError(f"只能撤销该户最近的一条{type(record)._meta.verbose_name}")
        record.delete()
        household_status_refresh(household)


def exit_save(*, record: ExitRecord) -> ExitRecord:
    """Record a household's exit from poverty (脱贫) in a year, or correct one. The number of
    persons is the household's at this moment; the household becomes exited. One exit per year,
    not before the identification year, and only from registered or returned."""
    return _event_save(record)


def exit_delete(*, record: ExitRecord) -> None:
    _event_delete(record)


def return_save(*, record: ReturnRecord) -> ReturnRecord:
    """Record a household's return to poverty (返贫), which needs an earlier exit, or correct one."""
    return _event_save(record)


def return_delete(*, record: ReturnRecord) -> None:
    _event_delete(record)


def reference_data_load(*, paths: Iterable[Path]) -> Counter:
    """Load reference data (counties, causes, channels, later the plan's figures) from JSON
    fixtures in Django's format, in the order given, all or nothing.

    Unlike loaddata it only writes what differs and only the fields the fixture names, so a
    second run changes nothing and a flag the bureau has set (a key county, say) is kept.
    An entry names its record by "pk" or, for models with generated keys, by "lookup" (a dict
    of the fields that identify it). Its "initial" fields are written only when the record is
    created: they are the bureau's to change afterwards (the eighth model's name).
    """
    counts: Counter = Counter()
    with transaction.atomic():
        for path in paths:
            for entry in json.loads(Path(path).read_text("utf-8")):
                model = apps.get_model(entry["model"])
                values = {}
                for name, raw in entry["fields"].items():
                    field = model._meta.get_field(name)
                    values[field.attname] = field.to_python(raw)
                key = {"pk": entry["pk"]} if "pk" in entry else entry["lookup"]
                obj = model._default_manager.filter(**key).first()
                if obj is None:
                    initial = {model._meta.get_field(n).attname: raw for n, raw in entry.get("initial", {}).items()}
                    obj, action = model(**key, **initial, **values), "created"
                elif any(getattr(obj, name) != value for name, value in values.items()):
                    action = "updated"
                    for name, value in values.items():
                        setattr(obj, name, value)
                else:
                    counts["unchanged"] += 1
                    continue
                try:
                    obj.full_clean(validate_unique=False)
                except ValidationError as e:
                    raise ValidationError(f"{path.name} {entry['model']} {key}: {e.message_dict}") from None
                obj.save()
                counts[action] += 1
    return counts


def role_group_sync(role: str) -> None:
    """The role's group (named by the role's code) holds exactly the model permissions of
    access.ROLE_PERMISSIONS; idempotent."""
    group, _ = Group.objects.get_or_create(name=role)
    wanted = [p.split(".") for p in ROLE_PERMISSIONS[role]]
    query = Q(pk__in=[])
    for app, codename in wanted:
        query |= Q(content_type__app_label=app, codename=codename)
    permissions = list(Permission.objects.filter(query))
    if len(permissions) != len(wanted):
        raise ImproperlyConfigured(f"role {role}: some permissions do not exist (run migrate first)")
    if set(group.permissions.all()) != set(permissions):
        group.permissions.set(permissions)


def role_check(*, role: str, counties: Iterable[str], channels: Iterable[str]) -> dict[str, str]:
    """Runs queries. What is wrong with a grant, by field: plan 四.2 gives a county clerk a
    county, a channel department a channel; a system client reads the counties it is granted."""
    counties, channels = set(counties), set(channels)
    errors = {}
    if role not in Role.values:
        errors["role"] = f"未知角色 {role}；可用：{', '.join(Role.values)}"
    unknown = counties - set(County.objects.filter(pk__in=counties).values_list("pk", flat=True))
    if unknown:
        errors["counties"] = f"未知的县(市、区)代码：{', '.join(sorted(unknown))}"
    unknown = channels - set(ReliefChannel.objects.filter(pk__in=channels).values_list("pk", flat=True))
    if unknown:
        errors["channels"] = f"未知的帮扶渠道代码：{', '.join(sorted(unknown))}"
    if role in (Role.COUNTY_CLERK, Role.SYSTEM_CLIENT) and not counties:
        errors.setdefault("counties", "该角色须指定至少一个县(市、区)")
    if role == Role.CHANNEL_DEPARTMENT and not channels:
        errors.setdefault("channels", "行业部门须指定至少一个帮扶渠道")
    return errors


def role_grant(
    *,
    username: str,
    role: str,
    counties: Iterable[str] = (),
    channels: Iterable[str] = (),
    password: str | None = None,
    can_write: bool = False,
):
    """Give a user (created if needed) their one role in the registry, with the counties and
    channels it covers; granting the same again changes nothing. A county clerk needs a county,
    a channel department a channel (plan 四.2), a system client the counties it may read."""
    counties, channels = sorted(set(counties)), sorted(set(channels))
    errors = role_check(role=role, counties=counties, channels=channels)
    User = get_user_model()
    user = User.objects.filter(username=username).first() or User(username=username)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as e:
            errors["password"] = e.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if password is not None:
            user.set_password(password)
        elif user._state.adding:
            user.set_unusable_password()
        # People work in the admin; other systems only through the API.
        user.is_staff = user.is_superuser or role != Role.SYSTEM_CLIENT
        user.save()
        role_group_sync(role)
        user.groups.set([Group.objects.get(name=role)])
        grant, _ = UserRole.objects.get_or_create(user=user, defaults={"role": role, "can_write": can_write})
        if (grant.role, grant.can_write) != (role, can_write):
            grant.role, grant.can_write = role, can_write
            grant.save()
        if sorted(grant.counties.values_list("pk", flat=True)) != counties:
            grant.counties.set(counties)
        if sorted(grant.channels.values_list("pk", flat=True)) != channels:
            grant.channels.set(channels)
    return user


@dataclass(frozen=True)
class Problem:
    """One rule a record of a batch breaks; `field` None for the record as a whole."""

    record: object
    field: str | None
    message: str


class BatchInvalid(ValidationError):
    """A batch that breaks rules; `problems` says which record broke which, for the caller to map
    back to its sheet rows. Nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([_describe(p) for p in problems[:50]])


def _describe(problem: Problem) -> str:
    record = problem.record
    if isinstance(record, Member):
        label = f"贫困户 {record.household.number} 成员 {record.name}"
    elif isinstance(record, Household):
        label = f"贫困户 {record.number}"
    elif hasattr(record, "household"):
        label = f"{record._meta.verbose_name} {record.household.number}"
    else:
        label = str(record)
    return f"{label}: {problem.message}"


def registry_problems(
    *,
    households: Sequence[Household],
    members: Sequence[Member],
    other_causes: Sequence[tuple[Household, PovertyCause | str]] = (),
    measures: Sequence[ReliefMeasure] = (),
    exits: Sequence[ExitRecord] = (),
    returns: Sequence[ReturnRecord] = (),
) -> list[Problem]:
    """The rules of the single-record services, checked for a whole set without a query per record:
    the field validators (clean_fields), each model's own rules that need no query
    (Member.clean_resident_id, Household.clean, ReliefMeasure.clean), one head and nobody twice per
    household (validate_member_set, over each household's complete member set: pass kept members
    too), a main cause not also a secondary one, and, for the whole set at once, a person in one
    active household only. Foreign keys are checked once per set. Four queries in all."""
    problems: list[Problem] = []
    # Each field's verdict on each value it has met: values repeat down a batch of thousands.
    verdicts: dict[type, list[tuple]] = {}

    def clean_fields(record) -> dict[str, list[str]]:
        """Model.clean_fields(), each distinct value of a field cleaned once. Foreign keys are
        checked below for the whole set: clean_fields() would query for each."""
        fields = verdicts.get(type(record))
        if fields is None:
            fields = verdicts[type(record)] = [(f, {}) for f in record._meta.fields if not f.is_relation]
        errors = {}
        for f, cleaned in fields:
            raw = getattr(record, f.attname)
            if f.blank and raw in f.empty_values:
                continue
            # Decimal("1.0") == Decimal("1.00"), but only one may fit the field's decimal places.
            key = (type(raw), raw.as_tuple() if isinstance(raw, Decimal) else raw)
            if key not in cleaned:
                try:
                    cleaned[key] = (f.clean(raw, record), None)
                except ValidationError as e:
                    cleaned[key] = (raw, e.messages)
            value, messages = cleaned[key]
            if messages:
                errors[f.name] = messages
            else:
                setattr(record, f.attname, value)
        return errors

    def check(record, rule=None):
        errors = clean_fields(record)
        if not errors and rule:
            try:
                rule(record)
            except ValidationError as e:
                errors = e.message_dict
        problems.extend(Problem(record, None if f == NON_FIELD_ERRORS else f, m)
                        for f, ms in errors.items() for m in ms)

    secondary = [(h, c if isinstance(c, str) else c.pk) for h, c in other_causes]
    references = (
        (Village, "village", "未知的村代码", [(h, h.village_id) for h in households]),
        (PovertyCause, "main_cause", "未知的致贫原因", [(h, h.main_cause_id) for h in households]),
        (PovertyCause, "other_causes", "未知的致贫原因", secondary),
        (ReliefChannel, "channel", "未知的帮扶渠道", [(m, m.channel_id) for m in measures]),
    )
    wanted: dict = {}  # one query per model, whatever the number of records
    for model, _f, _m, pairs in references:
        wanted.setdefault(model, set()).update(code for _r, code in pairs)
    known = {model: set(model._default_manager.filter(pk__in=codes).values_list("pk", flat=True))
             for model, codes in wanted.items()}
    for model, field_name, message, pairs in references:
        problems += [Problem(r, field_name, f"{message}：{code}") for r, code in pairs if code not in known[model]]
    problems += [Problem(h, "other_causes", "其他致贫原因不能与主要致贫原因相同")
                 for h, code in secondary if code == h.main_cause_id]
    for h in households:
        check(h, Household.clean)
    by_household: dict[int, list[Member]] = {}
    for m in members:
        check(m, Member.clean_resident_id)
        by_household.setdefault(id(m.household), []).append(m)
    for group in by_household.values():
        try:
            validate_member_set([m.relation for m in group], [m.id_number for m in group])
        except ValidationError as e:
            problems.extend(Problem(group[0].household, f, m) for f, ms in e.message_dict.items() for m in ms)
    active = [m for m in members if m.active]
    numbers = Counter(m.id_number for m in active)
    twice = {n for n, times in numbers.items() if times > 1}
    seen: set[str] = set()
    for m in active:
        if m.id_number in twice and m.id_number in seen:
            problems.append(Problem(m, "id_number", f"公民身份号码 {mask_id(m.id_number)} 在多户中登记"))
        seen.add(m.id_number)
    # Households of the set are checked above as a whole: only others can hold a number already.
    own = [h.pk for h in households if h.pk]
    taken = set(
        Member.objects.filter(active=True, id_number__in=list(numbers))
        .exclude(household_id__in=own)
        .values_list("id_number", flat=True)
    )
    problems += [Problem(m, "id_number", "该公民身份号码已登记在另一个有效的贫困户中")
                 for m in active if m.id_number in taken]
    for record in measures:
        check(record, ReliefMeasure.clean)
    for record in (*exits, *returns):
        check(record)
    return problems


def _insert_with_history(records: list, model, *, user=None, reason: str = "", batch_size: int = 2000) -> None:
    """New records and their creation history ("+", with the acting user and reason), as
    bulk_create_with_history writes them. On PostgreSQL by COPY: Django building an INSERT of
    every value of every row was half the time of importing the whole city's workbook. The
    records must have passed their checks (registry_problems): clean_fields() leaves each value
    in its field's Python type, which is what COPY is given. Afterwards they know their ids."""
    if connection.vendor != "postgresql":
        bulk_create_with_history(records, model, batch_size=batch_size, default_user=user,
                                 default_change_reason=reason)
        return
    if not records:
        return
    assert not any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                   for f in model._meta.concrete_fields), "COPY does not run pre_save()"
    for record, pk in zip(records, _next_ids(model, len(records))):
        record.pk = pk
        record._state.adding, record._state.db = False, connection.alias
    fields = model._meta.concrete_fields
    _copy(model, fields, map(attrgetter(*(f.attname for f in fields)), records))
    History = model.history.model
    tracked = [History._meta.get_field(f.name) for f in History.tracked_fields]
    stamp = [History._meta.get_field(name) for name in ("history_date", "history_change_reason",
                                                         "history_type", "history_user")]
    stamped = (timezone.now(), reason or None, "+", user.pk if user else None)  # a save() without a reason: NULL
    values = map(attrgetter(*(f.attname for f in History.tracked_fields)), records)
    _copy(History, [History._meta.pk, *tracked, *stamp],
          ((pk, *row, *stamped) for pk, row in zip(_next_ids(History, len(records)), values)))


def _next_ids(model, count: int) -> list[int]:
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, count])
        return [pk for (pk,) in cursor.fetchall()]


def _copy(model, fields, rows: Iterable[tuple]) -> None:
    # The csv module writes the rows in C. It writes None and "" alike, as an empty field, which
    # COPY reads as NULL, or as "" in the columns that take no NULL (FORCE_NOT_NULL). A column
    # that takes both would lose the difference: only the history's reason does, given as None.
    assert all(not (f.null and f.empty_strings_allowed) or f.name == "history_change_reason" for f in fields)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    text.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    not_null = ", ".join(quote(f.column) for f in fields if not f.null)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN "
                           f"WITH (FORMAT csv, FORCE_NOT_NULL ({not_null}))", text)


def registry_bulk_create(
    *,
    households: Sequence[Household],
    members: Sequence[Member],
    other_causes: Sequence[tuple[Household, PovertyCause]] = (),
    measures: Sequence[ReliefMeasure] = (),
    exits: Sequence[ExitRecord] = (),
    returns: Sequence[ReturnRecord] = (),
    batch_size: int = 2000,
) -> Counter:
    """Register many new households at once, with their history (the demo registry): every record
    passes registry_problems(). Exits and returns must come in order (the caller sets the statuses
    they imply); the database constraints guard the rest. All or nothing."""
    problems = registry_problems(households=households, members=members, other_causes=other_causes,
                                 measures=measures, exits=exits, returns=returns)
    if problems:
        raise BatchInvalid(problems)
    counts: Counter = Counter()
    with transaction.atomic():
        _insert_with_history(list(households), Household, batch_size=batch_size)
        for records, model in ((members, Member), (measures, ReliefMeasure), (exits, ExitRecord), (returns, ReturnRecord)):
            for record in records:
                record.household = record.household  # the household now has its id
                if model in (ExitRecord, ReturnRecord):
                    record.county_id = record.household.county_code
            _insert_with_history(list(records), model, batch_size=batch_size)
            counts[model._meta.model_name] = len(records)
        _causes_replace(other_causes, batch_size=batch_size)
    counts["household"] = len(households)
    return counts


def _causes_replace(pairs: Sequence[tuple[Household, PovertyCause | str]], *, batch_size: int, replace=()) -> None:
    Through = Household.other_causes.through
    if replace:
        Through.objects.filter(household_id__in=[h.pk for h in replace]).delete()
    Through.objects.bulk_create(
        [Through(household_id=h.pk, povertycause_id=c if isinstance(c, str) else c.pk) for h, c in pairs],
        batch_size=batch_size,
    )


HOUSEHOLD_IMPORT_FIELDS = [
    "village", "category", "identified_year", "standard", "main_cause", "income_per_capita",
    "address", "phone", "helper_name", "helper_unit", "helper_phone",
]
MEMBER_IMPORT_FIELDS = [
    "name", "relation", "sex", "birth_date", "ethnicity", "health", "labor", "schooling",
    "disability_certificate", "draws_dibao", "draws_wubao",
]


def registry_import(
    *,
    households: Sequence[Household],
    members: Sequence[Member],
    write: set[int],
    other_causes: dict[int, list[str]],
    user=None,
    reason: str = "",
    dry_run: bool = False,
    batch_size: int = 2000,
) -> None:
    """The batch entry of Excel imports: households created or updated with their members, all or
    nothing, history kept (with the acting user). `households` and `members` are every record the
    workbook touches, with each household's complete member set (members the workbook does not
    list are kept, never deleted); `write` holds the id() of the records that are new or changed;
    `other_causes` the new secondary causes by id() of the household, for those whose set changes.
    Raises BatchInvalid (nothing written) when any record breaks a rule of the registry; with
    `dry_run` it only checks."""
    pairs = [(h, code) for h in households for code in other_causes.get(id(h), ())]
    problems = registry_problems(households=households, members=members, other_causes=pairs)
    if problems:
        raise BatchInvalid(problems)
    if dry_run:
        return
    history = {"default_user": user, "default_change_reason": reason, "batch_size": batch_size}
    created = {"user": user, "reason": reason, "batch_size": batch_size}
    # Sorted before anything is written: a created record has a pk afterwards.
    new_households = [h for h in households if h.pk is None]
    changed_households = [h for h in households if h.pk is not None and id(h) in write]
    new_members = [m for m in members if m.pk is None]
    changed = [m for m in members if m.pk is not None and id(m) in write]
    with transaction.atomic():
        _insert_with_history(new_households, Household, **created)
        if changed_households:
            stored = dict(Household.objects.filter(pk__in=[h.pk for h in changed_households])
                          .values_list("pk", "village_id"))
            bulk_update_with_history(changed_households, Household, HOUSEHOLD_IMPORT_FIELDS, **history)
            _events_follow([h for h in changed_households if stored[h.pk][:6] != h.county_code])
        for m in new_members:
            m.household = m.household  # new households now have their ids
        _insert_with_history(new_members, Member, **created)
        # A head handed over within one household: the one who stops being head goes first, or the
        # partial unique index (one head per household) sees two heads for a moment.
        stepping_down = [m for m in changed if m.relation != Member.Relation.HEAD]
        for group in (stepping_down, [m for m in changed if m.relation == Member.Relation.HEAD]):
            if group:
                bulk_update_with_history(group, Member, MEMBER_IMPORT_FIELDS, **history)
        replaced = [h for h in households if id(h) in other_causes]
        _causes_replace(pairs, batch_size=batch_size, replace=[h for h in replaced if h.pk])


def _plain_filters(filters: dict) -> dict:
    # Kept as JSON: PostgreSQL's jsonb refuses the NUL character a crafted query string may carry.
    def plain(value):
        return [plain(v) for v in value] if isinstance(value, list) else str(value).replace("\x00", "")

    return {plain(k): plain(v) for k, v in filters.items() if v not in (None, "", [])}


def export_log(*, user, door: str, kind: str, filters: dict, rows: int, full_id_numbers: bool = False) -> ExportLog:
    """Issue 5: every export of personal data is logged with who, when, what filter and how many
    rows. `user` None is the system (a command run without --user)."""
    person = user if user is not None and user.is_authenticated else None
    return ExportLog.objects.create(
        user=person, username=person.get_username() if person else "", door=door, kind=kind,
        filters=_plain_filters(filters), rows=rows,
        full_id_numbers=full_id_numbers,
    )
