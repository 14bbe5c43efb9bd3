"""The figures of a year-end close (年度数据锁定, issue 19 point 4): what a county's year counted, as
the registry holds it when the city reviewer accepts the year, kept as canonical JSON with its
SHA-256 (households.models.YearClose; the form is in docs/closes.md), and recomputed from the
records by the drift check (plans/checks.py close_drift) to prove nothing moved since.

Every figure is one a frozen county-year protects (households/services/closes.py): the year's quota
progress row and its exit and return records, the registered poor population at the year's end,
the households identified that year by category and main cause (their persons those present at the
year's end), and that year's relief measures by channel. A household counts for the county it lay in
on the year's last day, as populations_on() places it: a later transfer does not move a past year.
An acceptance reads the exits and returns as their services keep them per county and year
(households.models.EventTotal), and the year-end population as the overview keeps it
(plans.models.FigureTotal); the drift check counts both from the records.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from households.models import TOTAL_KINDS, County, Household, Member, ReliefMeasure, Transfer, YearClose
from households.selectors import populations_on
from households.total_selectors import event_totals, events_counted

from .figure_selectors import figure_totals
from .selectors import quota_progress
from .services import figures_catch_up

FORM = 1  # the figures' form: raised when a figure is added, renamed or counted differently (docs/closes.md)
CENTS = Decimal("0.01")


def canonical_json(figures: dict) -> str:
    """The one text of a close's figures that is kept and hashed (docs/closes.md): keys sorted, no
    spaces, Chinese as it is (the UTF-8 of this text is what sha256() hashes)."""
    return json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    """The SHA-256 of the text's UTF-8, in lower-case hex: what `sha256sum` prints for the text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def close_figures(*, county: County | str, year: int) -> dict:
    """Runs about a dozen queries (figures_of). That county-year's figures as the registry holds
    them now, the dict whose canonical_json() an acceptance keeps."""
    code = county if isinstance(county, str) else county.code
    return figures_of([(code, year)])[(code, year)]


def figures_of(county_years: Iterable[tuple[str, int]], *, recount: bool = False) -> dict[tuple[str, int], dict]:
    """Runs about a dozen queries, whatever the number of county-years asked (the drift check asks
    for every accepted one at once): quota_progress's two, the year-end populations kept per
    county and year (one or two), one for the exits and returns (kept per county and year), and one
    each for the identified households, their removal, their members, the measures and the
    transfers. With `recount` the exits, returns and populations are counted from the records
    themselves (the population over the whole city, as a household may have lain in another county
    at a year's end: the drift check, which proves the figures from the records, not from what the
    services and the database kept of them)."""
    county_years = sorted(set(county_years))
    if not county_years:
        return {}
    years = sorted({y for _, y in county_years})
    names = dict(County.objects.filter(code__in={c for c, _ in county_years}).values_list("code", "name"))
    progress = {(r.county, r.year): r for r in quota_progress(recount=recount) if r.year in years}
    population = _population(county_years, years, recount=recount)
    events = _events(years, recount=recount)
    where = _county_at_end(years)
    identified = _identified(years, where)
    measures = _measures(years, where)
    answer = {}
    for county, year in county_years:
        row = progress.get((county, year))
        answer[(county, year)] = {
            "form": FORM,
            "county": county,
            "county_name": names.get(county, ""),
            "year": year,
            "progress": _progress(row),
            "exited": events["exited"].get((county, year), {"households": 0, "persons": 0}),
            "returned": events["returned"].get((county, year), {"households": 0, "persons": 0}),
            "population_year_end": population.get((county, year), 0),
            "identified": identified.get((county, year), _empty_identified()),
            "measures_by_channel": measures.get((county, year), {}),
        }
    return answer


def _progress(row) -> dict | None:
    """The quota progress row without its place and year (the figures carry them once) or whence it
    comes (always the records here); None for a county the annex sets no quota."""
    if row is None:
        return None
    return {k: v for k, v in row.as_dict().items() if k not in ("county", "county_name", "year", "figures")}


def _population(county_years, years, *, recount: bool) -> dict[tuple[str, int], int]:
    """The registered poor population at each year's end by county: as the overview keeps it
    (plans.models.FigureTotal, after the catch-up of what was written since: a query or two), or
    with `recount` counted from the whole registry (populations_on: a household counts for the
    county it lay in that day)."""
    if recount:
        ends = {datetime.date(y, 12, 31): y for y in years}
        return {(county, ends[on]): persons for on, counties in populations_on(list(ends), level="county").items()
                for county, persons in counties.items()}
    figures_catch_up()
    kept = figure_totals(years=years, counties={c for c, _ in county_years})
    return {key: row["persons"] for key, row in kept.items()}


def _events(years, *, recount: bool) -> dict[str, dict[tuple[str, int], dict]]:
    """One query (two with `recount`): households and persons (the records' snapshots) of the exits
    and of the returns by the county each is counted for and year, as quota_progress counts them:
    kept per county and year by the services that write the records (households.models.EventTotal),
    or counted from the records."""
    kept = events_counted(years=years) if recount else event_totals(years=years)
    return {kind: {key: {"households": row[f"{kind}_households"], "persons": row[f"{kind}_persons"]}
                   for key, row in kept.items() if row[f"{kind}_households"] or row[f"{kind}_persons"]}
            for kind in TOTAL_KINDS}


def _county_at_end(years) -> Callable[[int, str, int], str]:
    """Runs one query. A function (household id, its village now, year) → the county the household
    lay in on that year's last day: populations_on()'s rule, the village it left by the first
    transfer accepted after that day, else where it lies now."""
    moves: dict[int, list[tuple]] = {}
    for pk, left, when in (Transfer.objects.filter(state=Transfer.State.ACCEPTED, decided_at__isnull=False)
                           .order_by("decided_at", "id").values_list("household_id", "from_village_id", "decided_at")):
        moves.setdefault(pk, []).append((when, left))
    midnights = {y: timezone.make_aware(datetime.datetime(y + 1, 1, 1)) for y in years}

    def where(pk: int, village: str, year: int) -> str:
        return next((left for when, left in moves.get(pk, ()) if when >= midnights[year]), village)[:6]

    return where


def _empty_identified() -> dict:
    return {"households": 0, "persons": 0, "by_category": {}, "by_cause": {}}


def _identified(years, where) -> dict[tuple[str, int], dict]:
    """Runs three queries. The households identified (识别) in each year, not removed (清退) by its end,
    by the county they lay in then: their number and persons (members present on the year's last
    day), by category (贫困户类别) and by main cause (主要致贫原因). A removal counts from the day it
    was recorded, as in populations_on()."""
    households = Household.objects.filter(identified_year__in=years)
    rows = list(households.order_by("pk").values_list("pk", "village_id", "identified_year", "category",
                                                        "main_cause_id"))
    removed = dict(Household.history.filter(id__in=households.values("pk"), status=Household.Status.REMOVED)
                   .values("id").annotate(first=Min("history_date")).values_list("id", "first"))
    persons: dict[int, int] = {}
    year_of = {pk: year for pk, _, year, _, _ in rows}
    for pk, joined, left in Member.objects.filter(household__in=households.values("pk")).order_by().values_list(
            "household_id", "joined_on", "left_on"):
        end = datetime.date(year_of[pk], 12, 31)
        if (joined is None or joined <= end) and (left is None or left > end):
            persons[pk] = persons.get(pk, 0) + 1
    answer: dict[tuple[str, int], dict] = {}
    for pk, village, year, category, cause in rows:
        if pk in removed and removed[pk] < timezone.make_aware(datetime.datetime(year + 1, 1, 1)):
            continue
        entry = answer.setdefault((where(pk, village, year), year), _empty_identified())
        n = persons.get(pk, 0)
        for group in (entry, entry["by_category"].setdefault(category, {"households": 0, "persons": 0}),
                      entry["by_cause"].setdefault(cause, {"households": 0, "persons": 0})):
            group["households"] += 1
            group["persons"] += n
    return answer


def _measures(years, where) -> dict[tuple[str, int], dict]:
    """Runs one query. The relief measures (帮扶措施) of each year by the county their household lay
    in at its end and by channel: their number and amount in yuan, as text with two decimals (a
    number of the JSON would be a float)."""
    answer: dict[tuple[str, int], dict] = {}
    for pk, village, channel, year, amount in ReliefMeasure.objects.filter(year__in=years).order_by().values_list(
            "household_id", "household__village_id", "channel_id", "year", "amount"):
        by_channel = answer.setdefault((where(pk, village, year), year), {})
        entry = by_channel.setdefault(channel, {"measures": 0, "amount": Decimal(0)})
        entry["measures"] += 1
        entry["amount"] += amount
    for by_channel in answer.values():
        for entry in by_channel.values():
            entry["amount"] = str(entry["amount"].quantize(CENTS))
    return answer


# ---------------------------------------------------------------- the drift check


def flatten(figures: dict, prefix: str = "") -> dict[str, object]:
    """The figures as one level, each figure named by its path (`progress.exited`,
    `identified.by_category.dibao.persons`), for naming the figures that moved."""
    flat = {}
    for key, value in figures.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


@dataclass(frozen=True)
class Drift:
    """A county-year whose stored figures and the registry's figures now are compared."""

    close: YearClose
    hash_ok: bool  # the stored text still hashes to the stored SHA-256
    moved: tuple[tuple[str, object, object], ...]  # (figure, stored, now) for each figure that differs

    @property
    def ok(self) -> bool:
        return self.hash_ok and not self.moved

    def describe(self) -> str:
        """The county-year and each figure that moved, as the check lists it."""
        parts = [] if self.hash_ok else ["锁定数据与其SHA-256不符"]
        parts += [f"{name} {stored}→{now}" for name, stored, now in self.moved]
        return f"{self.close.county.name}{self.close.year}年度：" + "；".join(parts)


def close_drift(*, closes=None) -> list[Drift]:
    """Runs one query for the closes, then figures_of()'s dozen for all of them together. Each close
    that holds figures (accepted, or reopened since and not yet accepted again: its last accepted
    figures are kept), by year and county, with its stored figures against those recomputed from
    the records now (issue 19 point 4): none moves while a county-year stays frozen. Recomputed as
    of today, as an acceptance computes them: a report date (`as_of`) does not move them."""
    closes = YearClose.objects.all() if closes is None else closes
    closes = list(closes.exclude(figures="").select_related("county").order_by("year", "county_id"))
    now = figures_of([(c.county_id, c.year) for c in closes], recount=True)
    drifts = []
    for close in closes:
        stored = flatten(json.loads(close.figures))
        fresh = flatten(now[(close.county_id, close.year)])
        moved = tuple((name, stored.get(name), fresh.get(name))
                      for name in sorted(stored.keys() | fresh.keys()) if stored.get(name) != fresh.get(name))
        drifts.append(Drift(close, sha256(close.figures) == close.figures_sha256, moved))
    return drifts
