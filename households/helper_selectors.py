"""The helpers' reports (帮扶责任人, issue 20 point 2): the active households nobody answers for, the
helpers who answer for more households than the bureau's ceiling, the households nobody visited
for too long, and the visits per unit and month. Plan 二.(一).8 asks helpers to visit the
households; the national practice records a helper for every household.

Each report reads only what the user sees (access.households_visible_to for households and
visits, access.counties_visible_to for helpers) and shows a helper's phone as the user may see it
(access.helper_phone_display). Rows are plain dicts of codes and names, one query a report; the
tables (households/helper_tables.py) turn them into what the API's export and the page show.

"Active" is a household still poor: registered (在册) or returned (返贫). An assignment is current
on a day from its start to its end, both included (a blank end: to this day)."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from .access import counties_visible_to, helper_phone_display, households_visible_to
from .models import Helper, HelperAssignment, HelperVisit, Household, Member

ACTIVE = (Household.Status.REGISTERED, Household.Status.RETURNED)


def current_on(on: datetime.date, prefix: str = "") -> Q:
    """The assignments current on `on` (`prefix`: the path to them, as "assignments__")."""
    return (Q(**{f"{prefix}started_on__lte": on})
            & (Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": on})))


def ceiling() -> int:
    return settings.HELPER_HOUSEHOLD_CEILING


def visit_days() -> int:
    return settings.HELPER_VISIT_DAYS


def _active(households: QuerySet[Household], county: str | None) -> QuerySet[Household]:
    households = households.filter(status__in=ACTIVE)
    return households.filter(village__township__county_id=county) if county else households


def _head_name() -> Subquery:
    return Subquery(Member.objects.filter(household=OuterRef("pk"), relation=Member.Relation.HEAD,
                                          left_on__isnull=True).values("name")[:1])


PLACE_FIELDS = {"county": F("village__township__county_id"), "county_name": F("village__township__county__name"),
                "township_name": F("village__township__name"), "village_name": F("village__name")}


# ---------------------------------------------------------------- (a) without a helper


def households_without_helper(*, user, county: str | None = None, on: datetime.date | None = None) -> list[dict]:
    """One query. The active households the user sees with no helper on `on` (today), by village
    and number, each with the helper it had last and the day that assignment ended, if any."""
    on = on or timezone.localdate()
    last = HelperAssignment.objects.filter(household=OuterRef("pk"), started_on__lte=on).order_by("-started_on", "-id")
    households = (_active(households_visible_to(user), county)
                  .exclude(Exists(HelperAssignment.objects.filter(current_on(on), household=OuterRef("pk"))))
                  .order_by("village_id", "number"))
    return list(households.values(
        "id", "number", "status", village_code=F("village_id"), **PLACE_FIELDS, head_name=_head_name(),
        previous_helper=Subquery(last.values("helper__name")[:1]),
        previous_unit=Subquery(last.values("helper__unit")[:1]),
        previous_ended_on=Subquery(last.values("ended_on")[:1]),
    ))


# ---------------------------------------------------------------- (b) above the ceiling


def helpers_over_ceiling(*, user, county: str | None = None, on: datetime.date | None = None,
                         most: int | None = None) -> list[dict]:
    """Two queries at most (one, and the user's counties for the phones). The helpers of the
    counties the user sees who answer on `on` (today) for more households than `most`
    (HELPER_HOUSEHOLD_CEILING: the plan sets no number), most households first. Every household
    the helper answers for is counted, whichever county it lies in (the load is the helper's),
    exited ones too (脱贫不脱帮扶: the helper goes on visiting them); not a removed one (清退)."""
    on, most = on or timezone.localdate(), ceiling() if most is None else most
    counties = counties_visible_to(user)
    if county:
        counties = counties.filter(pk=county)
    carried = current_on(on, "assignments__") & ~Q(assignments__household__status=Household.Status.REMOVED)
    helpers = (Helper.objects.filter(county__in=counties)
               .annotate(households=Count("assignments__household", filter=carried, distinct=True))
               .filter(households__gt=most).order_by("-households", "county_id", "unit", "name", "id"))
    rows = list(helpers.values("id", "name", "unit", "post", "level", "phone", "county", "households",
                               county_name=F("county__name")))
    show = helper_phone_display(user)
    for row in rows:
        row["phone"] = show(row["phone"], row["county"])
        row["ceiling"] = most
    return rows


# ---------------------------------------------------------------- (c) due for a visit


def due_for_visit(households: QuerySet[Household], *, on: datetime.date, days: int) -> QuerySet[Household]:
    """The active households of `households` with a helper on `on` whose last visit (by any of
    their helpers), or, never visited, their current helper's start, lies more than `days` days
    before `on`; annotated with that helper (current_helper, current_unit, current_phone, started_on),
    last_visited and since, the day the wait is counted from. Oldest wait first."""
    current = HelperAssignment.objects.filter(current_on(on), household=OuterRef("pk")).order_by("-started_on", "-id")
    last = (HelperVisit.objects.filter(assignment__household=OuterRef("pk"), visited_on__lte=on)
            .order_by("-visited_on").values("visited_on")[:1])
    return (households.filter(status__in=ACTIVE)
            .annotate(started_on=Subquery(current.values("started_on")[:1]), last_visited=Subquery(last))
            .filter(started_on__isnull=False)
            .annotate(since=Coalesce("last_visited", "started_on"))
            .filter(since__lt=on - datetime.timedelta(days=days))
            .annotate(current_helper=Subquery(current.values("helper__name")[:1]),
                      current_unit=Subquery(current.values("helper__unit")[:1]),
                      current_phone=Subquery(current.values("helper__phone")[:1]))
            .order_by("since", "village_id", "number"))


def households_due_for_visit(*, user, county: str | None = None, on: datetime.date | None = None,
                             days: int | None = None) -> list[dict]:
    """Two queries at most. The active households the user sees not visited for more than `days`
    (HELPER_VISIT_DAYS, 90) days on `on` (today): due_for_visit()'s, with the days waited."""
    on, days = on or timezone.localdate(), visit_days() if days is None else days
    households = due_for_visit(_active(households_visible_to(user), county), on=on, days=days)
    rows = list(households.values("id", "number", "status", "started_on", "last_visited", "since", "current_helper",
                                  "current_unit", "current_phone", village_code=F("village_id"), **PLACE_FIELDS,
                                  head_name=_head_name()))
    show = helper_phone_display(user)
    for row in rows:
        row["helper_name"], row["helper_unit"] = row.pop("current_helper"), row.pop("current_unit")
        row["helper_phone"] = show(row.pop("current_phone"), row["county"])  # the household's county
        row["days"] = (on - row["since"]).days
    return rows


# ---------------------------------------------------------------- (d) visits per unit and month


def visits_by_unit(*, user, county: str | None = None, year: int | None = None) -> list[dict]:
    """One query. The helpers' visits to the households the user sees, per helper's county and
    unit and per month (`county`: the household's; `year`: the visits'): how many visits, of which
    home visits (入户走访), to how many households, by how many helpers."""
    visits = HelperVisit.objects.filter(assignment__household__in=households_visible_to(user))
    if county:
        visits = visits.filter(assignment__household__village__township__county_id=county)
    if year:
        visits = visits.filter(visited_on__year=year)
    rows = (visits.annotate(month=TruncMonth("visited_on"))
            .values("month", county=F("assignment__helper__county_id"),
                    county_name=F("assignment__helper__county__name"), unit=F("assignment__helper__unit"))
            .annotate(visits=Count("pk"), home_visits=Count("pk", filter=Q(kind=HelperVisit.Kind.HOME)),
                      households=Count("assignment__household", distinct=True),
                      helpers=Count("assignment__helper", distinct=True))
            .order_by("county", "unit", "month"))
    return [{**row, "month": f"{row['month']:%Y-%m}"} for row in rows]
