"""Many records at once (the demo registry, the Excel import): the single-record services' rules
checked for a whole set in a few queries, then written by COPY with their history."""

import datetime
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL

from common.actors import person
from common.refusals import Refused

from .. import access
from ..models import (
    ExitRecord,
    Household,
    HouseholdIncome,
    Member,
    PovertyCause,
    ReliefChannel,
    ReliefMeasure,
    ReturnRecord,
    Village,
)
from ..models.incomes import per_capita
from ..validators import mask_id, validate_member_set
from .closes import frozen_guard_any
from .copies import Writer, copy_rows, insert_with_history
from .totals import totals_add_records


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


@dataclass
class InParts:
    """A set that registry_problems checks in parts (services/imports.py writes each part once it
    has passed, while the next is checked): the ID numbers active outside the set's households
    (`own`: those already registered), and those of the parts checked."""

    own: list[int]
    taken: set[str] = field(default_factory=set)
    looked_up: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    _known: dict = field(default_factory=dict)

    def elsewhere(self, numbers: set[str]) -> set[str]:
        """Of these ID numbers (and those asked before), those active outside the set. The caller
        asks for the whole set's numbers as given before the first part; a part asks again only
        for numbers its checks wrote differently (Member.clean_resident_id: "…x" → "…X")."""
        missing = numbers - self.looked_up
        if missing:
            self.taken |= active_elsewhere(missing, self.own)
            self.looked_up |= missing
        return self.taken

    def known(self, model) -> set:
        """Every key of a reference table (the villages, causes, channels: a few thousand at most),
        read once for all parts rather than those a part names, a query a part."""
        if model not in self._known:
            self._known[model] = set(model._default_manager.values_list("pk", flat=True))
        return self._known[model]


def active_elsewhere(numbers: Collection[str], own: list[int]) -> set[str]:
    """Of these ID numbers, those active in a registry household other than `own` (the set's
    households already registered, whose members the set itself holds and checks)."""
    return set(Member.objects.filter(active=True, id_number__in=many(list(numbers), "text"))
               .exclude(household_id__in=many(own, "bigint")).values_list("id_number", flat=True))


def registry_problems(
    *,
    households: Sequence[Household],
    members: Sequence[Member],
    other_causes: Sequence[tuple[Household, PovertyCause | str]] = (),
    measures: Sequence[ReliefMeasure] = (),
    exits: Sequence[ExitRecord] = (),
    returns: Sequence[ReturnRecord] = (),
    so_far: InParts | None = None,
) -> list[Problem]:
    """The rules of the single-record services, checked for a whole set without a query per record:
    the field validators (clean_fields), each model's own rules that need no query
    (Member.clean_resident_id, Household.clean, ReliefMeasure.clean), one head and nobody twice per
    household (validate_member_set, over each household's complete member set: pass kept members
    too), a main cause not also a secondary one, and, for the whole set at once, a person in one
    active household only. Foreign keys are checked once per set. Four queries in all. A set given
    in parts (a household's records all in one part) says what the parts before held by `so_far`."""
    problems: list[Problem] = []

    def check(records: Sequence, rule=None):
        errors = _field_errors(records)
        for index, record in enumerate(records):
            found = errors.get(index, {})
            if not found and rule:
                try:
                    rule(record)
                except ValidationError as e:
                    found = e.message_dict
            if found:
                problems.extend(Problem(record, None if f == NON_FIELD_ERRORS else f, m)
                                for f, ms in found.items() for m in ms)

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
    known = {model: so_far.known(model) if so_far else
             set(model._default_manager.filter(pk__in=codes).values_list("pk", flat=True))
             for model, codes in wanted.items()}
    for model, field_name, message, pairs in references:
        problems += [Problem(r, field_name, f"{message}：{code}") for r, code in pairs if code not in known[model]]
    problems += [Problem(h, "other_causes", "其他致贫原因不能与主要致贫原因相同")
                 for h, code in secondary if code == h.main_cause_id]
    check(households, Household.clean)
    check(members, Member.clean_resident_id)
    by_household: dict[int, list[Member]] = {}
    for m in members:
        by_household.setdefault(id(m.household), []).append(m)
    for group in by_household.values():
        try:
            validate_member_set([m.relation for m in group], [m.id_number for m in group])
        except ValidationError as e:
            problems.extend(Problem(group[0].household, f, m) for f, ms in e.message_dict.items() for m in ms)
    active = [m for m in members if m.active]
    seen = so_far.seen if so_far else set()  # the second and later of a number are refused
    for m in active:
        if m.id_number in seen:
            problems.append(Problem(m, "id_number", f"公民身份号码 {mask_id(m.id_number)} 在多户中登记"))
        seen.add(m.id_number)
    numbers = {m.id_number for m in active}
    taken = so_far.elsewhere(numbers) if so_far else active_elsewhere(numbers, [h.id for h in households if h.id])
    problems += [Problem(m, "id_number", "该公民身份号码已登记在另一个有效的贫困户中")
                 for m in active if m.id_number in taken]
    check(measures, ReliefMeasure.clean)
    check(exits)
    check(returns)
    return problems


def _field_errors(records: Sequence) -> dict[int, dict[str, list[str]]]:
    """Model.clean_fields() for a whole set of one model, a field at a time, each distinct value of
    a field cleaned once (values repeat down a batch of thousands; a record at a time this was an
    eighth of importing a city, under cProfile): the errors by the record's position, and the clean values set
    on the records. Foreign keys are left to registry_problems, which checks them for the whole
    set: clean_fields() would query for each."""
    errors: dict[int, dict[str, list[str]]] = {}
    if not records:
        return errors
    for f in records[0]._meta.fields:
        if f.is_relation:
            continue
        raws = list(map(attrgetter(f.attname), records))
        kinds = set(map(type, raws))
        if Decimal in kinds:  # Decimal("1.0") == Decimal("1.00"), but only one may fit the field
            keys = [(type(raw), raw.as_tuple() if isinstance(raw, Decimal) else raw) for raw in raws]
        elif len(kinds - {type(None)}) > 1:  # 1, 1.0 and True are equal keys, not the same value
            keys = [(type(raw), raw) for raw in raws]
        else:
            keys = raws
        refused, changed = {}, {}  # by key: the messages; the clean value where it differs
        # Each distinct key with the position it is first met at (the later overwritten by the
        # earlier), in C.
        first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1)))
        fits = _plain_text_limit(f)
        plain_date = type(f) is models.DateField and f.choices is None and not f.validators
        for key, index in first.items():
            raw = raws[index]
            if f.blank and raw in f.empty_values:
                continue
            if fits and type(raw) is str and 0 < len(raw) <= fits:
                continue  # what clean() would find: nothing, the text unchanged (names, ID numbers)
            if plain_date and type(raw) is datetime.date:
                continue  # the same for a date (birth dates, nearly one a member)
            try:
                value = f.clean(raw, records[index])
            except ValidationError as e:
                refused[key] = e.messages
                continue
            # clean() hands back the very value it was given when it has nothing to change: then
            # the equal values of the same key need nothing either.
            if value is not raw:
                changed[key] = value
        if refused or changed:
            for index, key in enumerate(keys):
                if key in refused:
                    errors.setdefault(index, {})[f.name] = refused[key]
                elif key in changed:
                    setattr(records[index], f.attname, changed[key])
    return errors


def many(values: list, kind: str):
    """The right side of an `__in` filter for a list of thousands: on PostgreSQL one array
    parameter (`unnest(%s::text[])`) instead of a parameter each, which Django spent seconds
    building for a city's 107,202 ID numbers; elsewhere the list itself."""
    if connection.vendor != "postgresql":
        return values
    return RawSQL(f"SELECT unnest(%s::{kind}[])", (values,))


def unsaved(model, values: dict, defaults: dict, **related):
    """A new instance of `model` with `values` (by attname) over `defaults` (by attname, every
    concrete field: `field_defaults(model)`), and its related objects cached by field name, built
    without Model.__init__, which sorts out positional and keyword arguments field by field: two
    thirds of building the city's instances went there. Model signals (pre_init, post_init)
    are not sent; none of the registry's models has a receiver."""
    instance = model.__new__(model)
    instance.__dict__.update(defaults)
    instance.__dict__.update(values)
    instance._state = ModelState()
    if related:
        instance._state.fields_cache = related
    return instance


def link(records: Sequence, name: str) -> None:
    """Each record's foreign key `name` set from its related object, which has its id now: what
    `record.household = record.household` does, without the descriptor's steps for each record
    (a fifth of writing a city's records, under cProfile)."""
    if not records:
        return
    field = records[0]._meta.get_field(name)
    key = attrgetter(field.target_field.attname)
    for record in records:
        related = record._state.fields_cache.get(field.cache_name)
        if related is not None:  # else it was given by its id, which stays
            record.__dict__[field.attname] = key(related)


def field_defaults(model) -> dict:
    return {f.attname: f.get_default() for f in model._meta.concrete_fields}


def _plain_text_limit(f) -> int | None:
    """The max_length of a CharField whose clean() asks of a text that is not empty only that it
    fits: no choices and no validator but the length's. Such a text passes it unchanged."""
    if type(f) is not models.CharField or f.choices is not None or not f.max_length:
        return None
    if not all(isinstance(v, MaxLengthValidator) and v.limit_value == f.max_length for v in f.validators):
        return None
    return f.max_length


def registry_bulk_create(
    *,
    actor,
    households: Sequence[Household],
    members: Sequence[Member],
    other_causes: Sequence[tuple[Household, PovertyCause]] = (),
    measures: Sequence[ReliefMeasure] = (),
    exits: Sequence[ExitRecord] = (),
    returns: Sequence[ReturnRecord] = (),
    incomes: Sequence[HouseholdIncome] = (),
    batch_size: int = 2000,
) -> Counter:
    """Register many new households at once, with their history (the demo registry): every record
    passes registry_problems(). Exits and returns must come in order (the caller sets the statuses
    they imply); the database constraints guard the rest. `incomes`, complete records by source
    (the demo's years), take the place of the figures new_incomes() would record for their years,
    and are checked by the database constraints only: the caller makes an exit year's per-capita
    figure the exit's. All or nothing. The actor registers in the counties it may write in
    (access.counties_writable_by)."""
    writable = set(access.counties_writable_by(actor).values_list("code", flat=True))
    outside = sorted({h.county_code for h in households} - writable)
    if outside:
        raise Refused(f"您不能在这些县(市、区)登记贫困户：{'、'.join(outside)}")
    # Nothing into an accepted county-year (services/closes.py): one query for the whole set.
    frozen_guard_any([(h.county_code, h.identified_year) for h in households]
                     + [(r.household.county_code, r.year) for r in (*measures, *exits, *returns, *incomes)])
    problems = registry_problems(households=households, members=members, other_causes=other_causes,
                                 measures=measures, exits=exits, returns=returns)
    if problems:
        raise BatchInvalid(problems)
    counts: Counter = Counter()
    with transaction.atomic():
        user = person(actor)
        incomes = new_incomes(households, members, exits, given=incomes, user=user)
        insert_with_history(list(households), Household, user=user, batch_size=batch_size)
        for records, model in ((members, Member), (measures, ReliefMeasure), (exits, ExitRecord), (returns, ReturnRecord),
                               (incomes, HouseholdIncome)):
            link(records, "household")  # the household now has its id
            for record in records:
                if model in (ExitRecord, ReturnRecord):
                    record.county_id, record.village_id = record.household.county_code, record.household.village_id
            insert_with_history(list(records), model, user=user, batch_size=batch_size)
            counts[model._meta.model_name] = len(records)
        totals_add_records([*exits, *returns])  # the county-years' kept totals, in this transaction
        causes_replace(other_causes, batch_size=batch_size)
    counts["household"] = len(households)
    return counts


_INCOME_DEFAULTS = field_defaults(HouseholdIncome)


def new_incomes(households: Sequence[Household], members: Sequence[Member], exits: Sequence[ExitRecord] = (), *,
                given: Sequence[HouseholdIncome] = (), user=None) -> list[HouseholdIncome]:
    """The income records of new households (unsaved, to be inserted with them): the
    identification year's figure as a total, and each exit's in its year (the exit's figure where
    both hold the same year: one figure); each household's own figure becomes its latest year's.
    The size at a year's end is the household's members in the batch: a new household has no
    other (selectors.household_size_on counts the same, a query a household, too slow for a city).
    The `given` records come back with them, in place of the figures of their household and year.
    No query."""
    sizes = Counter(id(m.household) for m in members)
    known = {(id(record.household), record.year) for record in given}
    figures: dict[tuple[int, int], tuple[Household, Decimal]] = {}
    for h in households:
        figures[id(h), h.identified_year] = (h, h.income_per_capita)
    for e in exits:
        figures[id(e.household), e.year] = (e.household, e.income_per_capita)
    incomes, latest = [], {}
    for (key, year), (h, figure) in sorted(figures.items(), key=lambda item: item[0][1]):
        if (key, year) in known:
            continue
        persons = sizes.get(key, 0)
        if persons < 1:
            continue  # registry_problems has refused a household without members
        total = figure * persons
        incomes.append(unsaved(HouseholdIncome, {"year": year, "total": total, "persons": persons,
                                                 "per_capita": per_capita(total, persons),
                                                 "recorded_by_id": user.pk if user else None},
                               _INCOME_DEFAULTS, household=h))
        latest[key] = (year, h, figure)
    for record in given:
        record.recorded_by_id = user.pk if user else None
        key = id(record.household)
        if key not in latest or latest[key][0] < record.year:
            latest[key] = (record.year, record.household, record.per_capita)
    for _year, h, figure in latest.values():
        h.income_per_capita = figure
    return [*given, *incomes]


def causes_replace(pairs: Sequence[tuple[Household, PovertyCause | str]], *, batch_size: int, replace=(),
                   writer: Writer | None = None) -> None:
    Through = Household.other_causes.through
    if replace:
        Through.objects.filter(household_id__in=many([h.pk for h in replace], "bigint")).delete()
    if connection.vendor == "postgresql":
        fields = [Through._meta.get_field("household"), Through._meta.get_field("povertycause")]
        copy_rows(Through, fields, ((h.pk, c if isinstance(c, str) else c.pk) for h, c in pairs), writer=writer)
        return
    Through.objects.bulk_create(
        [Through(household_id=h.pk, povertycause_id=c if isinstance(c, str) else c.pk) for h, c in pairs],
        batch_size=batch_size,
    )
