"""Reads of the kept exits and returns of each county and year (households.models.EventTotal, issue 21
point 2), and the same counted from the records, for the check that finds any difference."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Sum

from .models import TOTAL_KINDS, EventTotal, ExitRecord, ReturnRecord

KIND_OF = {ExitRecord: "exited", ReturnRecord: "returned"}
COLUMNS = [f"{kind}_{what}" for kind in TOTAL_KINDS for what in ("households", "persons")]


def _empty() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


def event_totals(*, years: Iterable[int] | None = None, counties: Iterable[str] | None = None
                 ) -> dict[tuple[str, int], dict[str, int]]:
    """One query over the kept totals (a row per county and year, whatever the number of records):
    (county code, year) → exited_households, exited_persons, returned_households, returned_persons.
    A county-year without a row has none of either and is not in the answer."""
    totals = EventTotal.objects.order_by()
    if years is not None:
        totals = totals.filter(year__in=list(years))
    if counties is not None:
        totals = totals.filter(county_id__in=list(counties))
    return {(row["county_id"], row["year"]): {c: row[c] for c in COLUMNS}
            for row in totals.values("county_id", "year", *COLUMNS)}


def events_counted(*, years: Iterable[int] | None = None) -> dict[tuple[str, int], dict[str, int]]:
    """Two aggregate queries over every exit and return record: the totals as the records give them
    now, in event_totals()'s form. What the kept totals must equal (the check `records.totals`, and
    event_totals_rebuild)."""
    counted: dict[tuple[str, int], dict[str, int]] = {}
    for model, kind in KIND_OF.items():
        records = model.objects.order_by()
        if years is not None:
            records = records.filter(year__in=list(years))
        for row in records.values("county_id", "year").annotate(households=Count("pk"), persons=Sum("persons")):
            entry = counted.setdefault((row["county_id"], row["year"]), _empty())
            entry[f"{kind}_households"], entry[f"{kind}_persons"] = row["households"], row["persons"] or 0
    return counted


@dataclass(frozen=True)
class TotalDrift:
    county: str
    year: int
    column: str  # e.g. exited_persons
    kept: int
    counted: int
    model: type = EventTotal  # whose field `column` is

    def describe(self) -> str:
        label = str(self.model._meta.get_field(self.column).verbose_name)
        return f"{self.county} {self.year}年 {label}：保存 {self.kept}，按记录 {self.counted}"


def drift_between(kept: dict, counted: dict, columns: list[str], model: type = EventTotal) -> list[TotalDrift]:
    """No query. Each figure of kept totals ((county, year) → column → figure) that differs from the
    records' count of it, by county, year and figure (a missing row counts as zeros)."""
    empty = dict.fromkeys(columns, 0)
    return [
        TotalDrift(county, year, column, kept.get((county, year), empty)[column],
                   counted.get((county, year), empty)[column], model)
        for county, year in sorted(kept.keys() | counted.keys())
        for column in columns
        if kept.get((county, year), empty)[column] != counted.get((county, year), empty)[column]
    ]


def totals_drift() -> list[TotalDrift]:
    """Runs three queries. Each figure of the kept totals that differs from the records' count."""
    return drift_between(event_totals(), events_counted(), COLUMNS)
