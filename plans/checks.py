"""Checks of the plan against itself and of the city's records against the plan.

Each check is a function of a Context that yields Findings of one shape; the command, the API
and the pages list them together. Severity:
- `error`: the loaded plan data breaks arithmetic the plan document itself keeps (a corrupted
  fixture or edit), or the records disagree with themselves; `check_plan` fails on it.
- `note`: the plan document disagrees with itself (printed so, shown, never corrected).
- `warning`: the city's records fall short of what the plan asks.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.utils import timezone

from households.access import sees_whole_city
from households.models import (
    LOAN_MAX_AMOUNT,
    LOAN_MAX_MONTHS,
    County,
    ExitRecord,
    Household,
    ReturnRecord,
    Township,
    Transfer,
    Village,
    YearClose,
)
from households.selectors import population_on
from households.total_selectors import totals_drift

from . import figures
from .figure_selectors import figures_drift
from .models import (
    PLAN_YEARS,
    AnnexRow,
    PlanTarget,
    PovertyLine,
    Settlement,
    SupportStandard,
    TownshipPairing,
    VillageIncome,
)
from .selectors import exits_below_line
from .services import figures_catch_up

ERROR, NOTE, WARNING = "error", "note", "warning"


@dataclass(frozen=True)
class Finding:
    check: str
    name: str
    severity: str
    expected: object
    actual: object
    ok: bool
    items: tuple = field(default=())  # what falls short, when a check lists it

    def as_dict(self) -> dict:
        return {**asdict(self), "items": list(self.items)}


def finding(check, name, severity, expected, actual, items=()) -> Finding:
    return Finding(check, name, severity, expected, actual, expected == actual, tuple(items))


class Context:
    """What the checks read, each loaded once (one query a property)."""

    def __init__(self, as_of: datetime.date | None = None):
        self.as_of = as_of or timezone.localdate()

    @cached_property
    def annex(self) -> list[AnnexRow]:
        return list(AnnexRow.objects.select_related("county"))

    @cached_property
    def targets(self) -> dict[str, PlanTarget]:
        return {t.code: t for t in PlanTarget.objects.all()}

    def count(self, code: str) -> int:
        return int(self.targets[code].amount)

    def ended(self, year: int) -> bool:
        return self.as_of.year > year


CHECKS: dict[str, list[Callable[[Context], Iterable[Finding]]]] = {"consistency": [], "records": []}


def check(group: str):
    def register(function):
        CHECKS[group].append(function)
        return function

    return register


def run_checks(group: str | None = None, *, as_of: datetime.date | None = None) -> list[Finding]:
    context = Context(as_of)
    groups = [group] if group else list(CHECKS)
    return [f for g in groups for function in CHECKS[g] for f in function(context)]


# ---------------------------------------------------------------- the plan against itself

ANNEX_COLUMNS = ["registered", "exited_2014", "remaining_2014", *(f"quota_{y}" for y in PLAN_YEARS)]


@check("consistency")
def annex_rows(ctx: Context) -> Iterator[Finding]:
    """Each annex row: total − 2014 exits = remaining = the sum of the four yearly quotas."""
    for row in ctx.annex:
        yield finding(
            f"annex.{row.label.replace(' ', '')}.remaining", f"{row.label}：总数−2014年已减贫＝2014年底未脱贫",
            ERROR, row.registered - row.exited_2014, row.remaining_2014,
        )
        yield finding(
            f"annex.{row.label.replace(' ', '')}.quotas", f"{row.label}：2015–2018年减贫任务之和＝2014年底未脱贫",
            ERROR, row.remaining_2014, sum(row.quota(y) for y in PLAN_YEARS),
        )


@check("consistency")
def annex_columns(ctx: Context) -> Iterator[Finding]:
    """Each column of the 12 counties adds up to the 合计 row."""
    total = next((r for r in ctx.annex if r.county_id is None), None)
    counties = [r for r in ctx.annex if r.county_id]
    yield finding("annex.counties", "附件列出的县(市、区)数", ERROR, 12, len(counties))
    for column in ANNEX_COLUMNS:
        label = AnnexRow._meta.get_field(column).verbose_name
        yield finding(
            f"annex.total.{column}", f"合计行：{label}＝各县之和", ERROR,
            getattr(total, column, None), sum(getattr(r, column) for r in counties),
        )


@check("consistency")
def text_against_annex(ctx: Context) -> Iterator[Finding]:
    """一.(二) gives the city's yearly reductions in 万; the annex, the authority, gives them exactly."""
    total = next((r for r in ctx.annex if r.county_id is None), None)
    for year in PLAN_YEARS:
        text = ctx.targets[f"text.reduction.{year}"]
        yield finding(
            f"text.reduction.{year}", f"正文{year}年减贫人数＝附件合计", NOTE, text.persons, total.quota(year) if total else None
        )
    yield finding(
        "text.registered", "正文建档立卡贫困人口＝附件2014年底未脱贫合计", ERROR,
        ctx.targets["city.registered"].persons, total.remaining_2014 if total else None,
    )


@check("consistency")
def categories(ctx: Context) -> Iterator[Finding]:
    """一.(二): the four categories add up to 30170 households and 82143 persons."""
    city = ctx.targets["city.registered"]
    parts = [t for code, t in ctx.targets.items() if code.startswith("category.")]
    yield finding("categories.households", "四类贫困户户数之和＝建档立卡户数", ERROR, city.households, sum(t.households for t in parts))
    yield finding("categories.persons", "四类贫困户人数之和＝建档立卡人数", ERROR, city.persons, sum(t.persons for t in parts))


@check("consistency")
def causes(ctx: Context) -> Iterator[Finding]:
    """二.(一).1–8: a household may have several causes, so the counts overlap the totals."""
    city = ctx.targets["city.registered"]
    counted = [t for code, t in ctx.targets.items() if code.startswith("cause.") and t.persons is not None]
    yield finding("causes.households", "致贫原因户数之和＝建档立卡户数（原因可重叠）", NOTE, city.households, sum(t.households for t in counted))
    yield finding("causes.persons", "致贫原因人数之和＝建档立卡人数（原因可重叠）", NOTE, city.persons, sum(t.persons for t in counted))


@check("consistency")
def exit_routes(ctx: Context) -> Iterator[Finding]:
    """二.(一): the three exit routes against the labour-capable poor (一般贫困户 and 有劳动能力的低保贫困户)."""
    able = ctx.targets["category.ordinary"].persons + ctx.targets["category.dibao_able"].persons
    routes = sum(t.persons for code, t in ctx.targets.items() if code.startswith("route."))
    yield finding("routes.persons", "脱贫途径人数之和＝有劳动能力贫困人口", NOTE, able, routes)


@check("consistency")
def enforced_limits(ctx: Context) -> Iterator[Finding]:
    """The small-loan limits the registry enforces are the plan's (二.(一).6)."""
    yield finding("rule.loan_max_amount", "系统执行的小额贷款上限＝计划", ERROR, ctx.count("rule.loan_max_amount"), LOAN_MAX_AMOUNT)
    yield finding("rule.loan_max_months", "系统执行的小额贷款期限＝计划", ERROR, ctx.count("rule.loan_max_months"), LOAN_MAX_MONTHS)


# ---------------------------------------------------------------- the city's records against the plan


@check("records")
def flagged_places(ctx: Context) -> Iterator[Finding]:
    """The places the bureau has flagged, against the counts the plan gives."""
    yield finding("places.provincial_key_counties", "省级扶贫开发工作重点县数", WARNING,
                  ctx.count("count.provincial_key_counties"), County.objects.filter(is_provincial_key=True).count())
    townships = Township.objects.aggregate(key=Count("pk", filter=Q(is_city_key=True)), ethnic=Count("pk", filter=Q(is_ethnic=True)))
    yield finding("places.city_key_townships", "市级扶贫开发工作重点乡数", WARNING, ctx.count("count.city_key_townships"), townships["key"])
    yield finding("places.ethnic_townships", "少数民族乡数", WARNING, ctx.count("count.ethnic_townships"), townships["ethnic"])
    yield finding("places.poor_villages", "建档立卡贫困村数", WARNING, ctx.count("count.poor_villages"),
                  Village.objects.filter(is_poor_village=True).count())


@check("records")
def village_incomes(ctx: Context) -> Iterator[Finding]:
    """三.(二).3, checked once each stage's year has ended: villages short of it, or with no record."""
    for code in ("village_income.2016", "village_income.2018", "village_income.2020"):
        stage = ctx.targets[code]
        if not ctx.ended(stage.year):
            continue
        # 2016 and 2018 concern the hollow villages; 2020 every village.
        villages = Village.objects.all() if stage.year == 2020 else Village.objects.filter(is_hollow=True)
        incomes = dict(VillageIncome.objects.filter(year=stage.year, village__in=villages).values_list("village_id", "own_income"))
        short = []
        for village in villages.only("code", "name"):
            income = incomes.get(village.code)
            if income is None or income < stage.amount or (stage.amount == 0 and income == 0):
                short.append(f"{village.code} {village.name}：{'无记录' if income is None else f'{income}元'}")
        yield finding(code, stage.name, WARNING, 0, len(short), short)


@check("records")
def pairings(ctx: Context) -> Iterator[Finding]:
    """三.(二).1: 20 strong towns paired one-to-one with the 20 city key townships."""
    unpaired = Township.objects.filter(is_city_key=True, pairing_as_helped__isnull=True).values_list("code", "name")
    yield finding("pairings.count", "强镇帮扶结对数", WARNING, ctx.count("count.pairings"), TownshipPairing.objects.count())
    yield finding("pairings.key_townships", "未结对的市级重点乡", WARNING, 0, len(unpaired), [f"{c} {n}" for c, n in unpaired])


@check("records")
def envoys(ctx: Context) -> Iterator[Finding]:
    """三.(二).2: envoys in every city key township and every ethnic township."""
    missing = (
        Township.objects.filter(Q(is_city_key=True) | Q(is_ethnic=True))
        .annotate(envoys_count=Count("envoys")).filter(envoys_count=0).values_list("code", "name")
    )
    yield finding("envoys.townships", "未派驻科技特派员的重点乡、少数民族乡", WARNING, 0, len(missing), [f"{c} {n}" for c, n in missing])


@check("records")
def settlements(ctx: Context) -> Iterator[Finding]:
    """二.(一).9: each year at least 30 settlement communities of at least 30 households."""
    per_year, min_households = ctx.count("count.settlements_per_year"), ctx.count("count.settlement_households")
    rows = Settlement.objects.filter(households__gte=min_households).values("year").annotate(n=Count("pk"))
    built = {r["year"]: r["n"] for r in rows}
    small = defaultdict(list)
    for s in Settlement.objects.filter(households__lt=min_households).values("year", "name", "households"):
        small[s["year"]].append(f"{s['name']}：{s['households']}户")
    for year in PLAN_YEARS:
        if ctx.ended(year):
            ok = built.get(year, 0) >= per_year
            yield Finding(f"settlements.{year}", f"{year}年建成30户以上集中安置小区（个）", WARNING,
                          f"≥{per_year}", built.get(year, 0), ok, tuple(small[year]))


@check("records")
def support_standards(ctx: Context) -> Iterator[Finding]:
    """二.(三).1: the 五保 standard is at least 70% of last year's rural per-capita consumption."""
    ratio = ctx.targets["rule.wubao_support_ratio"].amount
    short = [
        f"{s.county.name} {s.year}年：{s.standard}元 < {ratio:.0%}×{s.rural_consumption_prev_year}元"
        for s in SupportStandard.objects.select_related("county")
        if s.standard < ratio * s.rural_consumption_prev_year
    ]
    yield finding("support.ratio", "五保供养标准低于上年农村人均生活消费支出70%的县次", WARNING, 0, len(short), short)


@check("records")
def event_counties(ctx: Context) -> Iterator[Finding]:
    """The quota progress sums exits and returns by the county each carries, the county the
    household lay in when it was recorded; the record stays counted there when the household moves
    away (a transfer, 迁移). So a record's county is its household's present one, or one the household
    was transferred out of: any other is a drift."""
    moved_out = Transfer.objects.annotate(from_county=Substr("from_village_id", 1, 6)).filter(
        household_id=OuterRef("household_id"), state=Transfer.State.ACCEPTED, from_county=OuterRef("county_id"))
    drifted = [
        f"{model._meta.verbose_name} {number}"
        for model in (ExitRecord, ReturnRecord)
        for number in model.objects.exclude(county_id=Substr("household__village_id", 1, 6))
        .exclude(Exists(moved_out)).values_list("household__number", flat=True)
    ]
    yield finding("records.county", "所属县既非贫困户所在县、也非其迁出县的脱贫、返贫记录", ERROR, 0, len(drifted),
                  drifted)
    # The village kept beside the county (where the drill-down places the record) lies in it.
    misplaced = [
        f"{model._meta.verbose_name} {number}"
        for model in (ExitRecord, ReturnRecord)
        for number in model.objects.exclude(county_id=Substr("village_id", 1, 6)).values_list("household__number",
                                                                                              flat=True)
    ]
    yield finding("records.village", "登记村不在所属县的脱贫、返贫记录", ERROR, 0, len(misplaced), misplaced)


@check("records")
def event_totals(ctx: Context) -> Iterator[Finding]:
    """Issue 21 point 2: the exits and returns kept per county and year, which the quota progress, the
    overview and a year-end close read, recounted from the records (households.total_selectors.
    totals_drift): any difference is an error, a write that went round the services; `event_totals
    --rebuild` counts them again. Three queries."""
    drifts = [d.describe() for d in totals_drift()]
    yield finding("records.totals", "保存的各县各年脱贫返贫合计与按记录重算不符（县 年度 数据）", ERROR, 0, len(drifts), drifts)


@check("records")
def kept_figures(ctx: Context) -> Iterator[Finding]:
    """Issue 21 point 2: the overview's figures kept per county and year (the year-end populations, the
    incomes by band), after the catch-up of what was written since, recounted from the whole registry
    (plans.figure_selectors.figures_drift): any difference is an error; `kept_figures --rebuild`
    counts them again."""
    figures_catch_up()
    drifts = [d.describe() for d in figures_drift()]
    yield finding("records.figures", "保存的各县各年数据（年底人口、收入与贫困线）与按记录重算不符（县 年度 数据）", ERROR, 0,
                  len(drifts), drifts)


@check("records")
def baseline_population(ctx: Context) -> Iterator[Finding]:
    """一.(二) and its annex: the registered poor population at the end of 2014 (建档立卡, 82,143 in
    the city), per county, as the registry itself counts it (households.selectors.population_on)
    against the annex's 2014年底未脱贫 column. One query beyond the annex."""
    counted = population_on(datetime.date(2014, 12, 31), level="county")
    for row in ctx.annex:
        if row.county_id:
            yield finding(f"population.2014.{row.county_id}", f"{row.county.name}2014年底建档立卡贫困人口＝附件2014年底未脱贫人数",
                          WARNING, row.remaining_2014, counted.get(row.county_id, 0))


@check("records")
def exits_against_lines(ctx: Context) -> Iterator[Finding]:
    """An exit's per-capita income is at least the poverty line of its year and standard; where the
    line of that year is not on record, the exit is counted as "line unknown", not refused."""
    lines = {(l.standard, l.year): l.amount for l in PovertyLine.objects.all()}
    below = defaultdict(list)
    for year, standard, number in exits_below_line(ExitRecord.objects.order_by("household__number")).values_list(
            "year", "household__standard", "household__number"):
        below[(standard, year)].append(number)
    groups = ExitRecord.objects.values("year", "household__standard").annotate(n=Count("pk"))
    for g in groups.order_by("year", "household__standard"):
        standard, year = g["household__standard"], g["year"]
        line = lines.get((standard, year))
        key = f"exits.line.{standard}.{year}"
        if line is None:
            yield Finding(key, f"{year}年脱贫户：贫困线未登记", WARNING, "已登记贫困线", "线未知", False, (f"{g['n']}户",))
            continue
        numbers = below[(standard, year)]
        yield finding(key, f"{year}年脱贫户人均纯收入低于贫困线{line}元的户数", WARNING, 0, len(numbers), numbers)


@check("records")
def deadlines(ctx: Context) -> Iterator[Finding]:
    """一.(一): everyone under the national line out by the end of 2017, under the provincial line
    by the end of 2018, those who fell back included; checked once the deadline has passed."""
    for standard in ("national", "provincial"):
        deadline = ctx.targets[f"deadline.{standard}"]
        if not ctx.ended(deadline.year):
            continue
        still_poor = Household.objects.filter(
            standard=standard, status__in=[Household.Status.REGISTERED, Household.Status.RETURNED]
        ).values_list("number", flat=True)
        yield finding(f"deadline.{standard}", f"{deadline.year}年底前应全部脱贫（{deadline.name}）：仍未脱贫的户",
                      WARNING, 0, len(still_poor), list(still_poor))


@check("records")
def close_drift(ctx: Context) -> Iterator[Finding]:
    """Issue 19 point 4: each county-year's figures as accepted (年度数据锁定), recomputed from the
    records (plans.figures.close_drift). An accepted county-year whose figures moved, or whose kept
    text no longer hashes to its SHA-256, is an error: a write went round the freeze, or the figures
    are counted differently now. One reopened since its acceptance lists, as a warning, what its
    correction moved, to be submitted and accepted again. One query while nothing has been accepted."""
    drifts = figures.close_drift()
    accepted = [d.describe() for d in drifts if d.close.state == YearClose.State.ACCEPTED and not d.ok]
    yield finding("close.drift", "已锁定年度的数据与锁定时不符（县·年度及变动的数据）", ERROR, 0, len(accepted), accepted)
    reopened = [d.describe() for d in drifts if d.close.state != YearClose.State.ACCEPTED and not d.ok]
    yield finding("close.drift.reopened", "重新打开的年度与上次锁定时相比变动的数据", WARNING, 0, len(reopened), reopened)


# ---------------------------------------------------------------- as one user sees them


def findings(*, user, as_of: datetime.date | None = None) -> dict[str, list | None]:
    """Runs about two dozen queries, whatever the size of the registry (plans/checks.py). The plan
    against itself for everyone; the records against the plan (None) only for those who see the
    whole city, since their findings name households and villages of every county."""
    return {
        "consistency": run_checks("consistency", as_of=as_of),
        "records": run_checks("records", as_of=as_of) if sees_whole_city(user) else None,
    }
