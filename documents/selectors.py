"""What each printed document holds, read for the user who prints it: the household, place, county or
close outside the user's scope is not found (404), as everywhere else; ID numbers go through
access.id_display(user) and helpers' phones through access.helper_phone_display(user). Each reads a
fixed number of queries, whatever the household's or the list's size."""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max
from django.http import Http404

from households import access
from households.models import (
    County,
    HelperAssignment,
    Household,
    HouseholdCategory,
    PovertyCause,
    Relation,
    ReliefChannel,
    Township,
    Village,
    YearClose,
)
from households.selectors import present_on
from plans import close_selectors
from plans.exports import STATUS_LABELS
from plans.figures import canonical_json, close_figures, flatten, sha256
from plans.models import PovertyLine
from projects.selectors import measure_projects, with_projects
from workflows import notices
from workflows.access import cases_visible_to
from workflows.models import Case, Kind, State, Step

from .policies import policies_for

# ---------------------------------------------------------------- a household


def household_of(user, pk: int) -> Household:
    """One query. The household if the user sees it; 404 otherwise."""
    found = access.households_visible_to(user).with_places().select_related("main_cause__channel").filter(pk=pk).first()
    if found is None:
        raise Http404("没有这户，或不在您的查看范围内")
    return found


@dataclass
class Person:
    name: str
    is_head: bool
    relation: str
    sex: str
    birth_date: datetime.date | None
    id_number: str  # as the user may see it
    health: str
    labor: str
    schooling: str


def members_of(household: Household, *, user, on: datetime.date) -> list[Person]:
    """One query. The members present on `on`, head first, their ID numbers as the user may see them."""
    show = access.id_display(user)
    members = sorted(household.members.filter(present_on(on)).order_by("id"),
                     key=lambda m: (m.relation != Relation.HEAD, m.id))
    return [Person(m.name, m.relation == Relation.HEAD, m.get_relation_display(), m.get_sex_display(), m.birth_date, show(m.id_number),
                   m.get_health_display(), m.get_labor_display(), m.get_schooling_display()) for m in members]


@dataclass
class HelperLine:
    name: str
    unit: str
    post: str
    phone: str  # as the user may see it
    started_on: datetime.date
    ended_on: datetime.date | None
    reason: str


def helpers_of(household: Household, *, user) -> list[HelperLine]:
    """Two queries at most (the assignments, the user's counties). The household's helpers in the
    order they were assigned; the current one (no end) last."""
    show = access.helper_phone_display(user)
    assignments = HelperAssignment.objects.filter(household=household).select_related("helper").order_by(
        "started_on", "id")
    return [HelperLine(a.helper.name, a.helper.unit, a.helper.post, show(a.helper.phone, household.county_code),
                       a.started_on, a.ended_on, a.reason) for a in assignments]


def causes_of(household: Household) -> list:
    """One query. The main cause, then the others."""
    return [household.main_cause, *household.other_causes.select_related("channel").order_by("position", "code")]


@dataclass
class MeasureLine:
    year: int
    date: datetime.date | None
    channel: str
    content: str
    amount: object
    unit: str
    projects: list[str]


def measures_of(household: Household, *, year: int | None = None) -> list[MeasureLine]:
    """Six queries (the measures and the five projects' records behind them). Every measure (or those
    of `year`) by year, each with what the projects did through it."""
    measures = household.measures.select_related("channel").order_by("year", "date", "id")
    if year is not None:
        measures = measures.filter(year=year)
    return [MeasureLine(m.year, m.date, m.channel.name, m.content, m.amount, m.unit, measure_projects(m))
            for m in with_projects(measures)]


def by_year(lines: list) -> list[tuple[int, list]]:
    grouped = defaultdict(list)
    for line in lines:
        grouped[line.year].append(line)
    return sorted(grouped.items())


@dataclass
class IncomeLine:
    year: int
    total: object
    persons: int
    per_capita: object
    line: object  # the year's poverty line of the household's standard; None if not recorded
    above: bool | None


def incomes_of(household: Household) -> list[IncomeLine]:
    """Two queries. The yearly incomes against the year's poverty line of the household's standard."""
    incomes = list(household.incomes.order_by("year"))
    lines = dict(PovertyLine.objects.filter(standard=household.standard, year__in=[i.year for i in incomes])
                 .values_list("year", "amount"))
    return [IncomeLine(i.year, i.total, i.persons, i.per_capita, lines.get(i.year),
                       None if i.year not in lines else i.per_capita > lines[i.year]) for i in incomes]


def events_of(household: Household) -> list[dict]:
    """Two queries. Exits (脱贫) and returns (返贫) in the order they happened."""
    events = [{"year": e.year, "what": "脱贫", "persons": e.persons, "note": f"人均纯收入{e.income_per_capita}元"
               if e.income_per_capita is not None else "", "id": e.pk} for e in household.exits.all()]
    events += [{"year": r.year, "what": "返贫", "persons": r.persons, "note": r.reason, "id": r.pk}
               for r in household.returns.all()]
    return sorted(events, key=lambda e: (e["year"], e["what"] == "脱贫", e["id"]))


def handbook(household: Household, *, user, on: datetime.date) -> dict:
    """The 扶贫手册: the household and its members on `on`, causes, helpers in order, measures by year
    with what the five projects did, yearly income against the line, exits and returns."""
    return {"household": household, "members": members_of(household, user=user, on=on),
            "causes": causes_of(household), "helpers": helpers_of(household, user=user),
            "measures": by_year(measures_of(household)), "incomes": incomes_of(household),
            "events": events_of(household)}


def card(household: Household, *, user, on: datetime.date, year: int | None = None) -> dict:
    """The 帮扶明白卡: head, members, category, causes, the year's measures (`year`, by default the
    latest year with any up to `on`), the current helper and their phone, the policies of the
    household's category (policies.py)."""
    members = members_of(household, user=user, on=on)
    causes = causes_of(household)
    current = [h for h in helpers_of(household, user=user) if h.ended_on is None]
    if year is None:
        # "This year's" measures: the latest year that has any up to the print date's (one query), as
        # the registry's years end with the plan's (2020) while the card may be printed later.
        year = household.measures.filter(year__lte=on.year).aggregate(latest=Max("year"))["latest"] or on.year
    return {"household": household, "members": members,
            "head": next((m for m in members if m.is_head), None),
            "causes": causes, "year": year, "measures": measures_of(household, year=year),
            "helper": current[-1] if current else None,
            "policies": policies_for(household.category, [c.channel_id for c in causes])}


# ---------------------------------------------------------------- a village's cards


def village_of(user, code: str) -> Village:
    """One query. The village if the user sees its county; 404 otherwise."""
    found = Village.objects.filter(pk=code, township__county__in=access.counties_visible_to(user)).select_related(
        "township__county").first()
    if found is None:
        raise Http404(f"没有该村（{code}），或不在您的查看范围内")
    return found


def village_households(user, village: Village):
    """The village's households the user sees that hang a card: every one but those removed (清退)."""
    return (access.households_visible_to(user).filter(village=village).exclude(status=Household.Status.REMOVED)
            .with_places().select_related("main_cause__channel").order_by("number"))


# ---------------------------------------------------------------- the notice lists and the announcement


@dataclass
class ListedCase:
    case: Case
    who: str  # the household's number, or the applicant's name until 建档
    names: list[str]  # the persons concerned, head first; never an ID number
    category: str
    cause: str
    notice_start: datetime.date | None
    notice_end: datetime.date | None
    step_on: datetime.date | None = None
    village: str = ""
    extra: dict = field(default_factory=dict)


def _listed(case: Case, step: Step | None) -> ListedCase:
    household = case.household
    if household is not None:
        names = [f"{m.name}（{m.get_relation_display()}）" for m in household.notice_members]
        category = household.get_category_display()
        cause = household.main_cause.name if household.main_cause_id else ""
    else:
        names = [f"{case.applicant_name}（申请人）"]
        category = case.get_category_display() if case.category else ""
        cause = ""
    if case.main_cause_id:
        cause = case.main_cause.name
    if case.category:
        category = case.get_category_display()
    return ListedCase(case, case.who, names, category, cause, step.notice_start if step else None,
                      step.notice_end if step else None, step.on if step else None, case.village.name)


def notice_list(*, user, kind: str, step: str, village: str | None = None, township: str | None = None) -> dict:
    """The 公示名单 of a village or a township for `kind` and the notice `step`: every case of the place
    whose current step is that notice (workflows.notices.notice_cases; 404 for a place the user does
    not see, 400 for a step that is no notice of the kind), with the persons concerned, category,
    cause and the notice period. No ID number at all: the list is posted on a wall."""
    cases = notices.notice_cases(user=user, kind=kind, step=step, village=village, township=township)
    place = _place_name(village=village, township=township)
    return {"kind": Kind(kind).label, "kind_code": kind, "step": State(step).label, "step_code": step,
            "place": place, **_listing(cases)}


def _listing(cases) -> dict:
    """The cases as a list on paper names them (notices.with_listing), and the notice period they
    span: its first and last day."""
    listed = [_listed(c, c.notice_steps[0] if c.notice_steps else None) for c in cases]
    starts = sorted({c.notice_start for c in listed if c.notice_start})
    ends = sorted({c.notice_end for c in listed if c.notice_end})
    return {"cases": listed, "first_day": starts[0] if starts else None, "last_day": ends[-1] if ends else None}


def _place_name(*, village: str | None, township: str | None) -> str:
    """One query: the place's full name (县、乡镇、村)."""
    if village:
        v = Village.objects.select_related("township__county").get(pk=village)
        return f"{v.township.county.name}{v.township.name}{v.name}"
    t = Township.objects.select_related("county").get(pk=township)
    return f"{t.county.name}{t.name}"


def county_of(user, code: str) -> County:
    """One query. The county if the user sees its pages; 404 otherwise."""
    county = access.counties_visible_to(user).filter(pk=code).first()
    if county is None:
        raise Http404(f"没有该县(市、区)（{code}），或不在您的查看范围内")
    return county


def announcement(*, user, county: str, kind: str, year: int | None = None) -> dict:
    """The county's 公告 of its decision: for identification, the cases of the county in its 县公告
    step (decided at 县审定, now announced: notice_cases); for exit, the cases the county approved
    (县审批、脱贫销号) for the exit year `year`, with the day of the approval."""
    place = county_of(user, county)
    if kind == Kind.IDENTIFICATION:
        cases = notices.notice_cases(user=user, kind=kind, step=State.ANNOUNCED, county=county)
        decided = State.COUNTY_APPROVED
    else:
        cases = cases_visible_to(user).filter(kind=Kind.EXIT, state=State.CLOSED, village__township__county=place)
        if year is not None:
            cases = cases.filter(year=year)
        cases = notices.with_listing(cases, State.CLOSED).order_by("village_id", "household__number", "id")
        decided = State.CLOSED
    return {"county": place, "kind": Kind(kind).label, "kind_code": kind, "decided": State(decided).label,
            "year": year, **_listing(cases)}


# ---------------------------------------------------------------- the close of a county-year

FIGURE_PARTS = {"progress": "减贫任务完成情况", "exited": "脱贫", "returned": "返贫",
                "population_year_end": "年末贫困人口", "identified": "当年识别",
                "measures_by_channel": "当年帮扶措施"}
FIGURE_WORDS = {"quota": "减贫任务（人）", "exited": "脱贫（人）", "returned": "返贫（人）", "net": "净减贫（人）",
                "percent": "完成率", "shortfall": "差额（人）", "status": "状态", "households": "户数",
                "persons": "人数", "measures": "措施数", "amount": "金额（元）", "by_category": "按类别",
                "by_cause": "按主要致贫原因", "population_year_end": "年末贫困人口（人）"}


def _figure_name(path: str, names: dict[str, str]) -> str:
    """The figure's path (`identified.by_category.dibao.persons`) in words, each code by its name."""
    words = [FIGURE_WORDS.get(p) or names.get(p) or p for p in path.split(".")[1:]] or [FIGURE_WORDS.get(path, path)]
    return "·".join(words)


def close_of(user, key: str) -> YearClose:
    """One or two queries. The county-year's close ("350424-2016") if the user sees the county; 404
    otherwise, as /api/v1/closes/{key}/ answers."""
    parsed = close_selectors.parse_close_key(key)
    county = access.counties_visible_to(user).filter(pk=parsed[0]).first() if parsed else None
    if county is None or parsed[1] not in close_selectors.CLOSE_YEARS:
        raise Http404("没有该县(市、区)该年度的年度数据锁定")
    return close_selectors.close_of(county, parsed[1])


def close_document(close: YearClose) -> dict:
    """The close's figures, canonical JSON hash and state: the figures kept at the last acceptance
    (with the hash kept), or, never accepted, the registry's figures now (and their hash now),
    said so on the page."""
    if close.figures:
        figures, digest, kept = json.loads(close.figures), close.figures_sha256, True
    else:
        figures = close_figures(county=close.county, year=close.year)
        digest, kept = sha256(canonical_json(figures)), False
    names = {**dict(HouseholdCategory.choices), **dict(PovertyCause.objects.values_list("code", "name")),
             **dict(ReliefChannel.objects.values_list("code", "name"))}
    rows = []
    for path, value in flatten(figures).items():
        part = path.split(".", 1)[0]
        if part in ("form", "county", "county_name", "year"):
            continue
        if path == "progress.status":
            value = STATUS_LABELS.get(value, value)
        rows.append({"part": FIGURE_PARTS.get(part, part), "name": _figure_name(path, names), "path": path,
                     "value": value})
    steps = list(close_selectors.close_steps(close)) if close.pk else []
    return {"close": close, "figures": rows, "sha256": digest, "kept": kept, "steps": steps}
