"""Progress against the annex's quotas, computed from the exit and return records (never typed in),
as their services keep them counted per county and year (households.models.EventTotal).

One selector, quota_progress(), serves the command, the API, the pages and the exports;
progress() is the same as one user may see it (households/access.py), for the pages, the API and
the exports alike. Each takes `figures`: `live` (the default) counts the records as they stand,
`close` shows an accepted county-year (年度数据锁定) with the figures its close keeps (issue 19).
"""

import datetime
import json
from dataclasses import asdict, dataclass, replace

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from households.access import counties_visible_to, sees_whole_city
from households.models import ExitRecord, ReturnRecord, YearClose
from households.total_selectors import event_totals, events_counted

from .figure_selectors import figure_totals
from .models import BAND_COLUMNS, PLAN_YEARS, AnnexRow, PovertyLine
from .services import figures_catch_up

CITY_CODE = "350400"  # 三明市, for the city's total rows


@dataclass(frozen=True)
class ProgressRow:
    county: str  # county code, or CITY_CODE for the city's totals
    county_name: str
    year: int | None  # None for the cumulative 2015–2018 row
    quota: int
    exited: int
    returned: int
    net: int
    percent: float | None
    shortfall: int
    status: str  # met, behind, not_yet_due
    figures: str = "live"  # live: counted from the records now; close: kept by the accepted close; mixed: a sum of both

    def as_dict(self) -> dict:
        return asdict(self)


FIGURES = ("live", "close")
FIGURES_LABELS = {"live": "实时", "close": "锁定", "mixed": "部分锁定"}


def _row(county, name, year, quota, exited, returned, *, due: bool, figures: str = "live") -> ProgressRow:
    net = exited - returned
    status = ("met" if net >= quota else "behind") if due else "not_yet_due"
    percent = round(net * 100 / quota, 1) if quota else None
    return ProgressRow(county, name, year, quota, exited, returned, net, percent, max(quota - net, 0), status, figures)


def _figures_of(rows) -> str:
    """Whence a sum of rows comes: all kept by closes, all live, or mixed."""
    kinds = {r.figures for r in rows}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def accepted_figures(*, counties=None) -> dict[tuple[str, int], dict]:
    """One query. The figures kept by each accepted close (年度数据锁定: households.models.YearClose,
    plans.figures wrote them), by county code and year; a reopened county-year is not accepted."""
    closes = YearClose.objects.accepted()
    if counties is not None:
        closes = closes.filter(county__in=counties)
    return {(c, y): json.loads(text) for c, y, text in closes.values_list("county_id", "year", "figures")}


def with_close_figures(rows: list[ProgressRow], *, as_of: datetime.date | None = None) -> list[ProgressRow]:
    """Runs one query. Each county-year row of an accepted close replaced by the row of its kept
    figures (the quota, exits and returns it accepted), judged due on `as_of` like any row."""
    as_of = as_of or timezone.localdate()
    kept = accepted_figures(counties=list({r.county for r in rows}))
    answer = []
    for r in rows:
        progress = kept.get((r.county, r.year), {}).get("progress")
        if progress is None:
            answer.append(r)
            continue
        answer.append(_row(r.county, r.county_name, r.year, progress["quota"], progress["exited"], progress["returned"],
                           due=as_of.year > r.year, figures="close"))
    return answer


def quota_progress(
    *, year: int | None = None, county: str | None = None, as_of: datetime.date | None = None,
    recount: bool = False,
) -> list[ProgressRow]:
    """Runs two queries, whatever the size of the registry: the annex, and the exits and returns kept
    per county and year (households.models.EventTotal, which the services writing the records keep in
    their transaction; the check `records.totals` recounts them). For each county of the annex and
    each year 2015–2018: exited = persons of that year's exit records (households that later returned
    included), returned = persons of that year's return records, net = exited − returned, against the
    year's quota; a year is due once it has ended on `as_of` (default today). With `recount`, the
    exits and returns are counted from the records themselves (two aggregate queries over them in
    place of the kept totals: the drift check of a close, plans.figures.close_drift)."""
    as_of = as_of or timezone.localdate()
    years = [year] if year else list(PLAN_YEARS)
    rows = AnnexRow.objects.filter(county__isnull=False)
    if county:
        rows = rows.filter(county_id=county)
    kept = events_counted(years=years) if recount else event_totals(years=years, counties=[county] if county else None)
    none = {"exited_persons": 0, "returned_persons": 0}
    # The annex's values, not its rows: a dozen model instances were a third of the whole at any size.
    return [
        _row(code, name, y, quota, kept.get((code, y), none)["exited_persons"],
             kept.get((code, y), none)["returned_persons"], due=as_of.year > y)
        for code, name, *quotas in rows.values_list("county_id", "county__name", *(f"quota_{y}" for y in years))
        for y, quota in zip(years, quotas)
    ]


def city_totals(rows: list[ProgressRow], *, as_of: datetime.date | None = None) -> list[ProgressRow]:
    """The city's row for each year, added up from the counties' rows (no query)."""
    as_of = as_of or timezone.localdate()
    by_year: dict[int, list[ProgressRow]] = {}
    for row in rows:
        by_year.setdefault(row.year, []).append(row)
    return [
        _row(CITY_CODE, "三明市", y, sum(r.quota for r in rs), sum(r.exited for r in rs), sum(r.returned for r in rs),
             due=as_of.year > y, figures=_figures_of(rs))
        for y, rs in sorted(by_year.items())
    ]


def cumulative_progress(rows: list[ProgressRow], *, as_of: datetime.date | None = None) -> list[ProgressRow]:
    """Per county, 2015–2018 together against the population still poor at the end of 2014 (no
    query beyond the annex). Due once 2018 has ended. Pass the rows of all four years."""
    as_of = as_of or timezone.localdate()
    remaining = dict(AnnexRow.objects.filter(county__isnull=False).values_list("county_id", "remaining_2014"))
    by_county: dict[str, list[ProgressRow]] = {}
    for row in rows:
        by_county.setdefault(row.county, []).append(row)
    return [
        _row(code, rs[0].county_name, None, remaining[code], sum(r.exited for r in rs), sum(r.returned for r in rs),
             due=as_of.year > PLAN_YEARS[-1], figures=_figures_of(rs))
        for code, rs in by_county.items()
    ]


def place_progress(*, county: str, level: str, year: int | None = None) -> list[dict]:
    """Drill-down below the county (the annex sets no quota there): exited, returned and net persons
    per township or village. Runs two queries. The county's records (those counted for it, recorded
    while the household lay there), each placed in the village it was recorded in (HouseholdEvent.village,
    kept when the household moves away, like its county): the townships or villages add up to the
    county's total."""
    path = {"township": "village__township", "village": "village"}[level]
    totals: dict[str, dict] = {}
    for model, key in ((ExitRecord, "exited"), (ReturnRecord, "returned")):
        records = model.objects.filter(county_id=county)
        if year:
            records = records.filter(year=year)
        for r in records.values(code=F(path), name=F(f"{path}__name")).annotate(persons=Sum("persons")).order_by():
            entry = totals.setdefault(r["code"], {"code": r["code"], "name": r["name"], "exited": 0, "returned": 0})
            entry[key] = r["persons"]
    return [{**e, "net": e["exited"] - e["returned"]} for _, e in sorted(totals.items())]


POPULATION_YEARS = (2014, *PLAN_YEARS)  # the baseline's year, then the plan's four


@dataclass(frozen=True)
class PopulationRow:
    county: str
    county_name: str
    remaining_2014: int  # the annex's 2014年底未脱贫人数
    years: dict[int, int]  # year → the registered poor population at that year's end
    closed: frozenset = frozenset()  # the years shown with the figures kept by their accepted close

    def as_dict(self) -> dict:
        return {"county": self.county, "county_name": self.county_name, "remaining_2014": self.remaining_2014,
                "years": [{"year": y, "persons": n, "figures": "close" if y in self.closed else "live"}
                          for y, n in self.years.items()]}


def population_by_year(*, counties: QuerySet | None = None, figures: str = "live") -> list[PopulationRow]:
    """Runs two queries, whatever the size of the registry, after the kept figures' catch-up
    (plans.services.figures_catch_up): the annex's rows and the kept figures. The registered poor
    population (建档立卡贫困人口) at the end of each year 2014–2018 per county of the annex (those of
    `counties`, default all), as the registry counts it (households.selectors.populations_on: a
    household counts for the county it lay in that day), beside the annex's 2014-end remaining
    column, the baseline it should equal (一.(二), 附件). With `figures="close"` (one query more), the
    year-end population of an accepted county-year is the one its close keeps."""
    rows = AnnexRow.objects.filter(county__isnull=False).select_related("county").order_by("position")
    if counties is not None:
        rows = rows.filter(county__in=counties)
    rows = list(rows)
    if not rows:
        return []
    figures_catch_up()
    codes = [r.county_id for r in rows]
    counted = figure_totals(years=POPULATION_YEARS, counties=codes)
    kept = accepted_figures(counties=codes) if figures == "close" else {}
    answer = []
    for r in rows:
        years = {y: counted.get((r.county_id, y), {}).get("persons", 0) for y in POPULATION_YEARS}
        closed = frozenset(y for y in POPULATION_YEARS if (r.county_id, y) in kept)
        years |= {y: kept[(r.county_id, y)]["population_year_end"] for y in closed}
        answer.append(PopulationRow(r.county_id, r.county.name, r.remaining_2014, years, closed))
    return answer


def exits_below_line(exits: QuerySet[ExitRecord]) -> QuerySet[ExitRecord]:
    """The exits whose per-capita income is below the poverty line of their year and their
    household's standard (PovertyLine), each annotated with that `line`; an exit of a year whose
    line is not on record is not judged. One query, for the plan's records check and the audit."""
    line = PovertyLine.objects.filter(year=OuterRef("year"), standard=OuterRef("household__standard"))
    return exits.annotate(line=Subquery(line.values("amount")[:1])).filter(income_per_capita__lt=F("line"))


def income_bands(*, counties: QuerySet, year: int | None = None) -> list[dict]:
    """Runs two queries after the kept figures' catch-up (plans.services.figures_catch_up): per county
    (of `counties`) and year, the households (not removed) whose income record of that year stands
    below the poverty line of their standard for the year (PovertyLine), near it (at the line or up to
    20 % above it), above that, or whose year's line is not on record ("line unknown", as the exits
    are judged): how close to the line the registry stands (二.(一), 一.(二)). A household counts for
    the county it lies in now. Rows without a record are left out."""
    names = dict(counties.order_by().values_list("code", "name"))
    figures_catch_up()
    rows = []
    for (county, y), figures in sorted(figure_totals(years=[year] if year else None, counties=names).items()):
        bands = {band: figures[band] for band in BAND_COLUMNS}
        if any(bands.values()):
            rows.append({"county": county, "county_name": names[county], "year": y, **bands,
                         "households": sum(bands.values())})
    return rows


# ---------------------------------------------------------------- as one user sees it


@dataclass(frozen=True)
class Progress:
    years: list[ProgressRow]  # per visible county and year: the chosen year, or 2015–2018
    cumulative: list[ProgressRow]  # per visible county, 2015–2018 against the 2014-end remaining
    city_years: list[ProgressRow]  # the city's rows, for those who see the whole city
    city_cumulative: ProgressRow | None


def progress(
    *, user, year: int | None = None, county: str | None = None, as_of: datetime.date | None = None,
    figures: str = "live",
) -> Progress:
    """Runs four queries: the user's counties, quota_progress()'s two, the annex's remaining
    population (cumulative_progress); one more with `figures="close"` (with_close_figures). Plan
    一.(二) and its annex: each county's yearly quota and its 2015–2018 total against net exits
    (exits − returns). The city's totals only for those who see every county: a clerk's sum of
    their own counties is not the city's."""
    visible = set(counties_visible_to(user).values_list("code", flat=True))
    if county is not None:
        visible &= {county}
    rows = [r for r in quota_progress(county=county, as_of=as_of) if r.county in visible] if visible else []
    if rows and figures == "close":
        rows = with_close_figures(rows, as_of=as_of)
    cumulative = cumulative_progress(rows, as_of=as_of) if rows else []
    city_years, city_cumulative = [], None
    if rows and county is None and sees_whole_city(user):
        city_years = city_totals(rows, as_of=as_of)
        # city_totals adds rows up by year and calls a year due once it has ended; the 2015–2018
        # total is due when 2018 has ended, so it is added up as a 2018 row and shown as the total.
        city_cumulative = replace(
            city_totals([replace(r, year=PLAN_YEARS[-1]) for r in cumulative], as_of=as_of)[0], year=None
        )
    if year is not None:
        rows = [r for r in rows if r.year == year]
        city_years = [r for r in city_years if r.year == year]
    return Progress(rows, cumulative, city_years, city_cumulative)
