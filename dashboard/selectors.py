"""Reads behind the dashboards (issue 8): aggregate queries grouped by place, category or year,
never a query per county or per row.

Everything a user sees is scoped by households/access.py: records through
households_visible_to(user), places through counties_visible_to(user). Quota progress is
plans/selectors.py's, so a page shows the same numbers as the API and `check_plan`.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from households.access import counties_visible_to, households_visible_to, user_role
from households.models import (
    ExitRecord,
    Household,
    HouseholdCategory,
    PovertyCause,
    ReliefMeasure,
    ReturnRecord,
    Township,
    Village,
)
from households.selectors import household_list
from plans.models import PLAN_YEARS, PlanTarget, VillageIncome
from projects.selectors import with_projects

# ---------------------------------------------------------------- who sees which places


def may_use_dashboards(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user_role(user) is not None)


def county_visible(user, code: str) -> bool:
    """Runs a query."""
    return counties_visible_to(user).filter(code=code).exists()


# ---------------------------------------------------------------- breakdowns of the registry


def registered_households(user, *, county: str | None = None) -> QuerySet[Household]:
    """The households a user may see, without those removed (清退: wrongly registered)."""
    households = households_visible_to(user).exclude(status=Household.Status.REMOVED)
    return households.for_county(county) if county else households


def records_of(model, user, *, county: str | None = None, years=None) -> QuerySet:
    """Measures, exits or returns of the households a user may see, whatever their status now: an
    exit counts toward the quota even if the household was later removed, as in quota_progress."""
    records = model.objects.filter(household__in=households_visible_to(user))
    if county:
        records = records.filter(household__village__township__county_id=county)
    return records.filter(year__in=years) if years else records


def households_by(households: QuerySet[Household], field: str) -> dict:
    """One query: households and persons by a field of the household."""
    rows = (
        households.order_by().values(key=F(field))
        .annotate(households=Count("pk", distinct=True), persons=Count("members"))
    )
    return {r["key"]: r for r in rows}


def breakdowns(*, user, county: str | None = None, year: int | None = None) -> dict[str, list[dict]]:
    """Runs nine queries. The registry by 贫困户类别, 主要致贫原因 and 识别年份 (households and
    persons, removed households left out); relief measures by channel and year (二.(一)–(三)); exits
    and returns by year (persons are the records' snapshots, as in the quota progress); returns by
    reason; the plan's exit routes (二.(一)). The year, when given, narrows the measures, exits and
    returns; the household counts are the registry as it stands."""
    households = registered_households(user, county=county)
    years = [year] if year else None
    by_category = households_by(households, "category")
    by_cause = households_by(households, "main_cause_id")
    by_year = households_by(households, "identified_year")
    causes = PovertyCause.objects.values_list("code", "name")
    empty = {"households": 0, "persons": 0}

    measures = (
        records_of(ReliefMeasure, user, county=county, years=years).order_by("channel__position", "channel_id", "year")
        .values("year", code=F("channel_id"), name=F("channel__name"))
        .annotate(measures=Count("pk"), amount=Sum("amount"))
    )
    events = {}
    for model, kind in ((ExitRecord, "exited"), (ReturnRecord, "returned")):
        records = records_of(model, user, county=county, years=years).order_by().values("year")
        for r in records.annotate(households=Count("pk"), persons=Sum("persons")):
            entry = events.setdefault(r["year"], {"year": r["year"], "exited_households": 0, "exited": 0,
                                                  "returned_households": 0, "returned": 0})
            entry[f"{kind}_households"], entry[kind] = r["households"], r["persons"]
    returns_by_reason = (
        records_of(ReturnRecord, user, county=county, years=years).order_by().values("reason")
        .annotate(households=Count("pk"), persons=Sum("persons")).order_by("-persons", "reason")
    )
    routes = PlanTarget.objects.filter(code__startswith="route.").order_by("code").values("name", "persons", "section")
    return {
        "category": [{"key": c.value, "label": c.label, **by_category.get(c.value, empty)} for c in HouseholdCategory],
        "cause": [{"key": code, "label": name, **by_cause.get(code, empty)} for code, name in causes],
        "identified_year": [{"label": f"{y}年", **by_year[y]} for y in sorted(by_year)],
        "measures": list(measures),
        "events": [{**e, "net": e["exited"] - e["returned"]} for _, e in sorted(events.items())],
        "return_reasons": list(returns_by_reason),
        "routes": list(routes),
    }


# ---------------------------------------------------------------- places below the county

# How a household reaches a place of each level, and how that place names its parent.
LEVELS = {
    "township": {"model": Township, "path": "village__township", "parent": "county"},
    "village": {"model": Village, "path": "village", "parent": "township"},
}


def place_rows(*, user, level: str, parent: str, year: int | None = None) -> list[dict]:
    """Runs four queries. Each township of a county (or village of a township) with its households
    and persons (removed ones left out) and the persons of its exit and return records in `year`,
    or else in 2015–2018, so that a county's townships add up to its quota progress. The annex sets
    no quota below the county (plans.selectors.place_progress says the same)."""
    years = [year] if year else PLAN_YEARS
    spec = LEVELS[level]
    path, parent_field = spec["path"], spec["parent"]
    places = spec["model"].objects.filter(**{parent_field: parent}).order_by("code")
    households = households_by(
        registered_households(user).filter(**{f"{path}__{parent_field}": parent}), f"{path}_id"
    )
    persons = {}
    for model, kind in ((ExitRecord, "exited"), (ReturnRecord, "returned")):
        # Each record in the village it was recorded in (HouseholdEvent.village), as the plan's
        # drill-down places it: a household that moved away leaves its records where they were made.
        records = records_of(model, user, years=years).filter(**{f"{path}__{parent_field}": parent})
        for r in records.order_by().values(code=F(f"{path}_id")).annotate(n=Sum("persons")):
            persons[(r["code"], kind)] = r["n"]
    rows = []
    for place in places:
        counts = households.get(place.code, {"households": 0, "persons": 0})
        exited, returned = persons.get((place.code, "exited"), 0), persons.get((place.code, "returned"), 0)
        rows.append({"place": place, "households": counts["households"], "persons": counts["persons"],
                     "exited": exited, "returned": returned, "net": exited - returned})
    return rows


def village_households(*, user, village: Village) -> QuerySet[Household]:
    """One query: the village's households the user may see, removed ones included (the village's
    register), with head, member count and main cause."""
    return household_list(households_visible_to(user)).filter(village=village)


def village_incomes(village: Village) -> QuerySet:
    """One query: the village's own collective income, year by year (三.(二).3)."""
    return VillageIncome.objects.filter(village=village).order_by("year").values("year", "own_income")


def household_for(user, pk: int) -> Household | None:
    return households_visible_to(user).with_places().filter(pk=pk).first()


def household_records(household: Household) -> dict[str, list]:
    """Runs ten queries: members, other causes, measures (and the projects' records that carry
    them out: four), exits, returns, yearly incomes."""
    measures = household.measures.select_related("channel").order_by("year", "date", "id")
    return {
        "members": list(household.members.filter(left_on__isnull=True)),  # present: who left is in its changes
        "other_causes": list(household.other_causes.all()),
        "measures": list(with_projects(measures)),
        "exits": list(household.exits.all()),
        "returns": list(household.returns.all()),
        "incomes": list(household.incomes.order_by("year")),
    }


# ---------------------------------------------------------------- village collective income


@dataclass(frozen=True)
class Stage:
    code: str
    name: str
    year: int
    amount: Decimal
    hollow_only: bool


def income_stages() -> list[Stage]:
    """One query. 三.(二).3: by the end of 2016 no hollow village at zero own income, by 2018 every
    hollow village at 50,000 yuan, by 2020 every village at 100,000 yuan."""
    targets = PlanTarget.objects.filter(code__startswith="village_income.").order_by("year")
    return [Stage(t.code, t.name, t.year, t.amount, hollow_only=t.year < 2020) for t in targets]


def stage_status(stage: Stage, income, *, as_of: datetime.date) -> str:
    """The rule of plans.checks.village_incomes for one village: a stage is met when the income of
    its year reaches the amount (and, for the zero stage, is above zero); missing counts as short."""
    if as_of.year <= stage.year:
        return "not_yet_due"
    if income is None:
        return "no_record"
    return "behind" if income < stage.amount or (stage.amount == 0 and income == 0) else "met"


def flagged_villages(*, user, county: str | None = None, as_of: datetime.date | None = None) -> dict:
    """Runs four queries. The registered poor villages (建档立卡贫困村) and hollow villages (贫困空壳村)
    of the counties the user sees, with their own collective income in 2014 and in each stage's
    year, and each stage's status; the 2016 and 2018 stages concern hollow villages only."""
    as_of = as_of or timezone.localdate()
    stages = income_stages()
    villages = (
        Village.objects.filter(Q(is_poor_village=True) | Q(is_hollow=True))
        .filter(township__county__in=counties_visible_to(user))
        .select_related("township__county").order_by("code")
    )
    if county:
        villages = villages.filter(township__county_id=county)
    villages = list(villages)
    years = [2014, *(s.year for s in stages)]
    incomes = {
        (v, y): amount for v, y, amount in VillageIncome.objects.filter(
            village__in=[v.code for v in villages], year__in=years
        ).values_list("village_id", "year", "own_income")
    }
    rows = []
    for village in villages:
        row = {"village": village, "incomes": {y: incomes.get((village.code, y)) for y in years}, "stages": {}}
        for stage in stages:
            if village.is_hollow or not stage.hollow_only:
                row["stages"][stage.code] = stage_status(stage, incomes.get((village.code, stage.year)), as_of=as_of)
        rows.append(row)
    plan_poor = PlanTarget.objects.filter(code="count.poor_villages").values_list("amount", flat=True).first()
    return {
        "stages": stages, "rows": rows, "poor_villages": sum(v.is_poor_village for v in villages),
        "plan_poor_villages": int(plan_poor) if plan_poor is not None else None,
    }
