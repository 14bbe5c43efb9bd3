"""Reads of the overview's kept figures (plans.models.FigureTotal: the registered poor population at
each year's end and the income records by band, per county and year), each household's part in them
as its rows give it now (what the catch-up counts again, plans/services.py), and the same figures
counted from the whole registry, for the check that finds any difference."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Value, When
from django.db.models.functions import Substr

from households.models import FIRST_YEAR, LAST_YEAR, Household, HouseholdIncome
from households.selectors import poor_households_on, populations_on
from households.total_selectors import TotalDrift, drift_between

from .models import BAND_COLUMNS, Band, FigureTotal, PovertyLine

YEAR_ENDS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))  # every year the registry's records may carry
COLUMNS = ["persons", *BAND_COLUMNS]
NEAR_LINE = Decimal("1.2")  # "near" the line: at it or up to 20 % above it


def _empty() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


def band_of(per_capita: Decimal, line: Decimal | None) -> str:
    """Where an income stands against its year's line for the household's standard (None: no line
    on record for that year, "line unknown", as the exits are judged)."""
    if line is None:
        return Band.UNKNOWN
    return Band.BELOW if per_capita < line else Band.NEAR if per_capita <= line * NEAR_LINE else Band.ABOVE


def household_parts(households) -> dict[int, dict[str, list]]:
    """Runs eight queries, however many households. Each household's (of the queryset `households`)
    part in the figures as its rows give it now: year (a string) → [county at the year's end, its
    members counted then, the county of its income record of the year, that record's band] (see
    HouseholdFigure). A household with no part in any year is not in the answer."""
    parts: dict[int, dict[str, list]] = {}
    ends = [datetime.date(year, 12, 31) for year in YEAR_ENDS]
    for on, poor in poor_households_on(ends, households=households).items():
        for pk, (village, persons) in poor.items():
            if persons:
                parts.setdefault(pk, {})[str(on.year)] = [village[:6], persons, "", ""]
    lines = {(year, standard): amount for year, standard, amount in
             PovertyLine.objects.values_list("year", "standard", "amount")}
    incomes = (HouseholdIncome.objects.filter(household__in=households.order_by().values("pk"))
               .exclude(household__status=Household.Status.REMOVED).order_by()
               .values_list("household_id", "year", "per_capita", "household__standard", "household__village_id"))
    for pk, year, per_capita, standard, village in incomes:
        part = parts.setdefault(pk, {}).setdefault(str(year), ["", 0, "", ""])
        part[2], part[3] = village[:6], band_of(per_capita, lines.get((year, standard)))
    return parts


def parts_added(parts: Iterable[dict[str, list]], *, sign: int = 1, into: dict | None = None
                ) -> dict[tuple[str, int], dict[str, int]]:
    """No query. What households' parts add to (sign 1) or take from (−1) the figures, by (county,
    year); added to `into` when given (and answered)."""
    added = {} if into is None else into
    for household in parts:
        for year, (county, persons, income_county, band) in household.items():
            if persons:
                added.setdefault((county, int(year)), _empty())["persons"] += sign * persons
            if band:
                added.setdefault((income_county, int(year)), _empty())[band] += sign
    return added


def figure_totals(*, years: Iterable[int] | None = None, counties: Iterable[str] | None = None
                  ) -> dict[tuple[str, int], dict[str, int]]:
    """One query over the kept figures: (county code, year) → persons, below, near, above, unknown.
    Read after plans.services.figures_catch_up, which counts what was written since."""
    totals = FigureTotal.objects.order_by()
    if years is not None:
        totals = totals.filter(year__in=list(years))
    if counties is not None:
        totals = totals.filter(county__in=list(counties))
    return {(row["county"], row["year"]): {c: row[c] for c in COLUMNS}
            for row in totals.values("county", "year", *COLUMNS)}


def figures_counted() -> dict[tuple[str, int], dict[str, int]]:
    """The figures counted from the whole registry, by other means than the catch-up's: the year-end
    populations by populations_on, the bands by one aggregate query with the lines written into it
    as a CASE (as the income table was counted before it was kept). What the kept figures must equal."""
    counted: dict[tuple[str, int], dict[str, int]] = {}
    ends = {datetime.date(year, 12, 31): year for year in YEAR_ENDS}
    for on, counties in populations_on(list(ends), level="county").items():
        for county, persons in counties.items():
            counted.setdefault((county, ends[on]), _empty())["persons"] = persons
    line = Case(*(When(year=y, household__standard=standard, then=Value(amount))
                  for y, standard, amount in PovertyLine.objects.values_list("year", "standard", "amount")),
                default=None, output_field=DecimalField(max_digits=12, decimal_places=2))
    rows = (HouseholdIncome.objects.exclude(household__status=Household.Status.REMOVED)
            .annotate(line=line, county=Substr("household__village_id", 1, 6)).values("county", "year")
            .annotate(below=Count("id", filter=Q(per_capita__lt=F("line"))),
                      near=Count("id", filter=Q(per_capita__gte=F("line"), per_capita__lte=F("line") * NEAR_LINE)),
                      above=Count("id", filter=Q(per_capita__gt=F("line") * NEAR_LINE)),
                      unknown=Count("id", filter=Q(line__isnull=True)))
            .order_by())
    for row in rows:
        entry = counted.setdefault((row["county"], row["year"]), _empty())
        for band in BAND_COLUMNS:
            entry[band] = row[band]
    return counted


def figures_drift() -> list[TotalDrift]:
    """Each kept figure that differs from the registry's count, by county, year and figure. Read
    after a catch-up: marks not yet taken are not drift."""
    return drift_between(figure_totals(), figures_counted(), COLUMNS, FigureTotal)
