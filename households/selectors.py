"""Reads of the registry that more than one door needs."""

import datetime
from collections.abc import Callable, Iterator

from django.db.models import Min, OuterRef, Q, Subquery
from django.utils import timezone

from common.batches import id_ranges

from .layout import COLUMNS
from .models import (
    ExitRecord,
    HelperAssignment,
    Household,
    HouseholdEvent,
    HouseholdIncome,
    Member,
    MemberChange,
    ReliefMeasure,
    ReturnRecord,
    Transfer,
    Village,
)
from .models.households import current_helper_fields

CITY = "350400"  # 三明市


def present_on(on: datetime.date | None, prefix: str = "") -> Q:
    """The members present on a day (`on` None: today): joined by then (or since registration) and not
    yet left. A person is present on the day they join and gone on the day they leave."""
    if on is None:
        return Q(**{f"{prefix}left_on__isnull": True})
    return (Q(**{f"{prefix}joined_on__isnull": True}) | Q(**{f"{prefix}joined_on__lte": on})) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": on}))


def relations_before(on: datetime.date, household_ids) -> dict[int, str]:
    """Runs one query. The relation to the head a member held on the day `on` where a change after
    that day altered it (a member's record holds only today's): who became head since held their
    `former_relation`, who handed over in a 户主变更 since was the head. Members absent here held
    the relation their record holds."""
    changes = (MemberChange.objects.filter(household_id__in=household_ids, date__gt=on, new_head__isnull=False)
               .order_by("-date", "-id").values_list("kind", "member_id", "new_head_id", "former_relation"))
    relations: dict[int, str] = {}
    for kind, member, new_head, former in changes:  # the latest first: the earliest after `on` has the last word
        relations[new_head] = former
        if kind == MemberChange.Kind.HEAD_CHANGE:
            relations[member] = Member.Relation.HEAD
    return relations


def members_on(household: Household, on: datetime.date | None = None):
    """The members of the household present on a day (成员变动), in the order they were registered.
    Their relations are today's: relation_on() gives those of the day."""
    return household.members.filter(present_on(on)).order_by("id")


def relation_on(members, on: datetime.date) -> None:
    """Runs a query. Sets each member's (a Member or a row with `id`, `household_id` or `relation`)
    relation to the one it held on `on` (relations_before)."""
    def get(m, key):
        return m[key] if isinstance(m, dict) else getattr(m, key)

    before = relations_before(on, {get(m, "household_id") for m in members})
    for m in members:
        if get(m, "id") in before:
            if isinstance(m, dict):
                m["relation"] = before[m["id"]]
            else:
                m.relation = before[m.id]


def member_changes(household: Household):
    """Runs no query until read. The household's member changes, with those in which a person came
    from or went to it from another registered household (a marriage, a split, a merge), by date."""
    return (MemberChange.objects.filter(Q(household=household) | Q(other_household=household))
            .select_related("member", "new_head", "other_household", "recorded_by").order_by("date", "id"))


def _next_midnight(on: datetime.date) -> datetime.datetime:
    """The start of the day after `on`, local time: a record made before it was made by the end of `on`."""
    return timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time()))


POPULATION_LEVELS = ("village", "township", "county", "city")
HOUSEHOLD_RANGE = 50_000  # households counted whole at a time (populations_on): half a GB of rows at most


def population_on(on: datetime.date, *, level: str = "county", households=None) -> dict[str, int]:
    """The registered poor population on a day (建档立卡贫困人口; the 2014 baseline of the annex at the
    end of 2014), per village, township, county or for the city (`level`), by code: populations_on()
    of the one day."""
    return populations_on([on], level=level, households=households)[on]


def populations_on(days, *, level: str = "county", households=None) -> dict[datetime.date, dict[str, int]]:
    """Runs one query (two for townships), then six for each HOUSEHOLD_RANGE households, whatever
    the number of days. For each day, the registered poor population: the members present that day of
    the households poor that day (poor_households_on), counted where the household lay that day, per
    `level`, by code; places with nobody are left out. A range of households at a time, as each
    counts where it lay whatever the others: at ten million people the whole registry's rows at once
    took gigabytes."""
    if level not in POPULATION_LEVELS:
        raise ValueError(f"level must be one of {', '.join(POPULATION_LEVELS)}")
    townships = dict(Village.objects.values_list("pk", "township_id")) if level == "township" else {}
    households = Household.objects.all() if households is None else households
    counts: dict[datetime.date, dict[str, int]] = {on: {} for on in days}
    for first, last in id_ranges(households, HOUSEHOLD_RANGE):
        for on, poor in poor_households_on(days, households=households.filter(pk__range=(first, last))).items():
            for village, persons in poor.values():
                if persons:
                    place = (CITY if level == "city" else village[:6] if level == "county"
                             else townships[village] if level == "township" else village)
                    counts[on][place] = counts[on].get(place, 0) + persons
    return {on: dict(sorted(places.items())) for on, places in counts.items()}


def poor_households_on(days, *, households=None) -> dict[datetime.date, dict[int, tuple[str, int]]]:
    """Runs six queries, whatever the size of the registry or the number of days. For each day, the
    households (of `households`, default all) poor that day: household id → (the village it lay in
    that day, its members present that day by present_on's rule).

    A household is poor on a day when identified by then (identified_year not after the day's year),
    not exited (unless returned since) and not removed by then. An exit or a return carries only its
    year: it counts from the last day of that year (the plan's yearly 减贫 is assessed at the year's
    end), so on 31 December the year's exits are out; exits and returns alternate starting with an
    exit. A removal (清退) carries no date of its own: it counts from the day it was recorded, the
    first version of the household's history with the status removed (local time). A household
    moves only by an accepted transfer (迁移): the village it left by the first transfer accepted
    after that day is where it lay then; with none, it lies where it lies now.

    Counted here from the registry's rows rather than in the database: the same rules in SQL, a
    correlated subquery for each household and member, took a quarter of a second a day on the
    city's registry, and the bureau's pages asked for five days (the ends of 2014–2018) on each view."""
    households = Household.objects.all() if households is None else households
    ids = households.order_by().values("pk")
    places = {pk: (village, year)
              for pk, village, year in households.order_by().values_list("pk", "village_id", "identified_year")}
    exits: dict[int, list[int]] = {}
    for pk, year in ExitRecord.objects.filter(household__in=ids).order_by().values_list("household_id", "year"):
        exits.setdefault(pk, []).append(year)
    returns: dict[int, list[int]] = {}
    for pk, year in ReturnRecord.objects.filter(household__in=ids).order_by().values_list("household_id", "year"):
        returns.setdefault(pk, []).append(year)
    removed = dict(Household.history.filter(id__in=ids, status=Household.Status.REMOVED).values("id")
                   .annotate(first=Min("history_date")).values_list("id", "first"))
    moves: dict[int, list[tuple]] = {}
    for pk, left, when in (Transfer.objects.filter(household__in=ids, state=Transfer.State.ACCEPTED)
                           .order_by("decided_at", "id").values_list("household_id", "from_village_id", "decided_at")):
        moves.setdefault(pk, []).append((when, left))
    members = list(Member.objects.filter(household__in=ids).order_by().values_list("household_id", "joined_on", "left_on"))

    answer = {}
    for on in days:
        last_year = on.year if (on.month, on.day) == (12, 31) else on.year - 1
        midnight = _next_midnight(on)
        where: dict[int, str] = {}  # the households poor that day, by the village they lay in
        for pk, (village, identified) in places.items():
            if identified > on.year or (pk in removed and removed[pk] < midnight):
                continue
            if sum(y <= last_year for y in exits.get(pk, ())) > sum(y <= last_year for y in returns.get(pk, ())):
                continue
            where[pk] = next((left for when, left in moves.get(pk, ()) if when >= midnight), village)
        persons: dict[int, int] = dict.fromkeys(where, 0)
        for pk, joined, left in members:
            if pk in persons and (joined is None or joined <= on) and (left is None or left > on):
                persons[pk] += 1
        answer[on] = {pk: (village, persons[pk]) for pk, village in where.items()}
    return answer


def event_is_latest(record: HouseholdEvent) -> bool:
    """Runs a query. Is this the household's latest exit or return, the only one that may be
    taken back? Exits and returns alternate, so the latest is of the kind the status says."""
    status = Household.Status.EXITED if isinstance(record, ExitRecord) else Household.Status.RETURNED
    latest = type(record).objects.filter(household_id=record.household_id).order_by("-year").first()
    return record.household.status == status and latest == record


def household_size_on(household: Household | int, on: datetime.date) -> int:
    """Runs a query. The household's size on `on`, its members present that day (a year's income is
    divided by its size at the year's end): the one count every income uses."""
    pk = household.pk if isinstance(household, Household) else household
    return Member.objects.filter(present_on(on), household_id=pk).count()


def household_list(households=None):
    """`households` (all) with their places, main cause, head's name and member count, in one query."""
    heads = Member.objects.filter(household=OuterRef("pk"), relation=Member.Relation.HEAD,
                                  left_on__isnull=True).values("name")[:1]
    households = Household.objects.all() if households is None else households
    return households.with_places().with_member_counts().annotate(head_name=Subquery(heads))


HOUSEHOLD_ROW_FIELDS = [
    "id", "number", "village_id", "category", "main_cause_id", "identified_year", "standard", "income_per_capita",
    "status", "removed_reason", "helper_name", "helper_unit", "helper_phone", "address", "phone",
]
MEMBER_ROW_FIELDS = [
    "id", "household_id", "name", "id_number", "relation", "sex", "birth_date", "ethnicity", "health", "labor",
    "schooling", "disability_certificate", "draws_dibao", "draws_wubao",
]


def household_values(households):
    """The fields household_rows() starts from, for a page to be cut from: the helper's three
    (with_current_helper) read in the same query."""
    return households.with_current_helper().values(*HOUSEHOLD_ROW_FIELDS)


def household_rows(page: list[dict], *, show_id: Callable[[str], str], show_phone: Callable[[str, str], str],
                   on: datetime.date | None = None) -> list[dict]:
    """Runs two queries (three with `on`). A page of household_values() as the API's HouseholdSerializer shows it
    (members nested, ID numbers as `show_id` shows them: access.id_display; the helper's phone as
    `show_phone` shows it for the household's county: access.helper_phone_display), built from values()
    rather than model instances and serializer fields: a page of the list costs a fraction as much.
    The members are those present on the day `on` (present_on; None: today)."""
    rows = {row["id"]: row for row in page}
    ids = list(rows)
    for row in page:
        row["county"] = row["village_id"][:6]
        row["helper_phone"] = show_phone(row["helper_phone"], row["county"])
        row["village"], row["main_cause"] = row.pop("village_id"), row.pop("main_cause_id")
        row["income_per_capita"] = str(row["income_per_capita"])
        row["other_causes"], row["members"] = [], []
    links = Household.other_causes.through.objects.filter(household_id__in=ids).order_by("povertycause_id")
    for household, cause in links.values_list("household_id", "povertycause_id"):
        rows[household]["other_causes"].append(cause)
    members = list(Member.objects.filter(present_on(on), household_id__in=ids).order_by("id").values(*MEMBER_ROW_FIELDS))
    if on is not None:
        relation_on(members, on)
    for m in members:
        household = m.pop("household_id")
        m["birth_date"] = m["birth_date"].isoformat()
        m["id_number"] = show_id(m["id_number"])
        rows[household]["members"].append(m)
    return page


def household_helpers(household: Household) -> list[HelperAssignment]:
    """Runs a query. The helpers the household had (帮扶责任人), in order: each assignment with its
    helper, its dates and the reason for the change; the last without an end is the current one."""
    return list(HelperAssignment.objects.filter(household=household).select_related("helper")
                .order_by("started_on", "id"))


def current_helper(household: Household) -> dict[str, str]:
    """Runs a query unless with_current_helper() annotated the household (or it has none yet): its
    current helper's name, unit and phone (whole: each door shows the phone as
    access.helper_phone_display decides), "" without one."""
    if household.pk is None:
        return {"helper_name": "", "helper_unit": "", "helper_phone": ""}
    if not hasattr(household, "helper_name"):
        household.__dict__.update(Household.objects.filter(pk=household.pk).with_current_helper()
                                  .values("helper_name", "helper_unit", "helper_phone").get())
    return {"helper_name": household.helper_name, "helper_unit": household.helper_unit,
            "helper_phone": household.helper_phone}


def household_transfers(household: Household):
    """Runs a query. Every move of the household (迁移), pending, accepted or refused, oldest first."""
    return Transfer.objects.filter(household=household).with_places().order_by("released_at", "id")


def household_history(household: Household, *, show_id: Callable[[str], str]) -> list[dict]:
    """Every create, change and delete of the household and of its members, measures, exits,
    returns, transfers (every move, released, accepted or refused), member changes, yearly incomes and
    helper assignments, newest
    first, with who made it and what changed (ID numbers as `show_id` shows them:
    access.id_display). Runs
    one query per kind of record, and two per version of the household (its causes, many to many):
    each version is compared with the one before it of the same record, read in the same query."""
    histories = [
        Household.history.filter(id=household.pk),
        *(m.history.filter(household_id=household.pk)
          for m in (Member, ReliefMeasure, ExitRecord, ReturnRecord, Transfer, MemberChange, HouseholdIncome,
                    HelperAssignment)),
    ]
    entries = []
    for records in histories:
        before: dict = {}  # each record's latest version read so far
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            model = record.instance_type
            key = getattr(record, model._meta.pk.attname)
            previous, before[key] = before.get(key), record
            changes = [] if previous is None else [
                {"field": c.field, "old": _plain(c.old), "new": _plain(c.new)}
                for c in record.diff_against(previous).changes
            ]
            if previous is not None and model is Member:
                # simple_history compares only editable fields: a member's presence is set by member changes.
                changes += [{"field": name, "old": _plain(getattr(previous, name)), "new": _plain(getattr(record, name))}
                            for name in ("joined_on", "left_on") if getattr(previous, name) != getattr(record, name)]
            for change in changes:
                if change["field"] == "id_number":
                    change["old"], change["new"] = show_id(change["old"] or ""), show_id(change["new"] or "")
            entries.append({
                "model": model._meta.model_name,
                "object_id": str(getattr(record, model._meta.pk.attname)),
                "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "date": record.history_date.isoformat(),
                "user": record.history_user.username if record.history_user else None,
                "changes": changes,
            })
    return sorted(entries, key=lambda e: e["date"], reverse=True)


def _plain(value):
    """A value as JSON can hold it: dates and amounts as text; many-to-many lists as they come."""
    return value if isinstance(value, (str, int, float, bool, list, type(None))) else str(value)


# The export's columns (layout.COLUMNS) as fields of a member and of its household. The secondary
# causes are many to many: their column is read as the household's id, then filled apart.
_EXPORT_FIELDS = {
    "county_name": "household__village__township__county__name",
    "township_name": "household__village__township__name",
    "village_name": "household__village__name",
    "main_cause": "household__main_cause__name",
    "other_causes": "household_id",
    "name": "name",
    **{f: f"household__{f}" for f in ("village", "number", "category", "identified_year", "standard",
                                      "income_per_capita", "address", "phone", "status")},
    # The current helper's, annotated on each member's row (household_export_rows).
    **{f"helper_{f}": f"helper_{f}" for f in ("name", "unit", "phone")},
    **{f: f for f in ("id_number", "relation", "sex", "birth_date", "ethnicity", "health", "labor", "schooling",
                      "disability_certificate", "draws_dibao", "draws_wubao")},
}


def household_export_rows(households) -> Iterator[tuple]:
    """Runs two queries. The export's rows: one per present member of each household (households by village
    and number, members in the order they were registered), each a tuple of values in the layout's
    columns (layout.COLUMNS), codes as stored, ID numbers and the current helper's phone whole; the secondary causes as their
    names joined by 、. Values, not model instances, read as they stream from the database (a
    server-side cursor on PostgreSQL): the whole city is a hundred thousand members."""
    links = (Household.other_causes.through.objects.filter(household__in=households)
             .order_by("household_id", "povertycause__position", "povertycause__code")
             .values_list("household_id", "povertycause__name"))
    others: dict[int, list[str]] = {}
    for household, name in links:
        others.setdefault(household, []).append(name)
    names = {household: "、".join(causes) for household, causes in others.items()}
    at = next(i for i, c in enumerate(COLUMNS) if c.key == "other_causes")
    rows = (Member.objects.filter(household__in=households, left_on__isnull=True)  # present today
            .annotate(**current_helper_fields("household_id"))
            .order_by("household__village_id", "household__number", "id")
            .values_list(*(_EXPORT_FIELDS[c.key] for c in COLUMNS)))
    for row in rows.iterator(chunk_size=5000):
        yield (*row[:at], names.get(row[at], ""), *row[at + 1:])
