"""Reads of the workflows: the cases a user sees, what waits on whom (the in-tray), and the exits
still pending for the progress numbers. Scoped by workflows/access.py."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, QuerySet
from django.utils import timezone

from households.access import counties_visible_to
from households.helper_selectors import due_for_visit, visit_days
from households.models import Household

from .access import cases_visible_to
from .models import LEVELS, NOTICES, Case, Kind, Level, Objection, Outcome, State, Step


def case_detail(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with what the in-tray and the API show, in a fixed number of queries."""
    return cases.with_places().select_related("verification", "main_cause").prefetch_related(
        Prefetch("steps", queryset=Step.objects.order_by("on", "id").prefetch_related(
            Prefetch("objections", queryset=Objection.objects.order_by("raised_on", "id")))),
    )


WAITING_NOTICE = "notice"  # a public notice still running: nobody's turn yet
WAITS_ON_LABELS = {**dict(Level.choices), WAITING_NOTICE: "公示期中"}


# Besides the cases, the in-tray lists the households due for their helper's visit (帮扶走访,
# households/helper_selectors.py): tasks of this kind, which wait on the village.
VISIT = "visit"
KINDS = {**dict(Kind.choices), VISIT: "帮扶走访"}


@dataclass(frozen=True)
class Task:
    case: Case | None  # None on a visit task
    waits_on: str  # a Level, or WAITING_NOTICE
    task: str  # what is to be done, in Chinese
    since: datetime.date  # the date of the last step; of a visit task, the last visit (or the helper's start)
    household: Household | None = None  # a visit task's household (None on a case task)

    @property
    def ready(self) -> bool:
        return self.waits_on != WAITING_NOTICE

    @property
    def kind(self) -> str:
        return self.case.kind if self.case else VISIT

    @property
    def case_id(self) -> int | None:
        return self.case.pk if self.case else None

    @property
    def household_id(self) -> int | None:
        return self.household.pk if self.household else None

    @property
    def state(self) -> str | None:
        return self.case.state if self.case else None

    @property
    def next_state(self) -> str | None:
        return self.case.next_state if self.case else None

    @property
    def place(self):
        """The case's or the household's village (fetched with it)."""
        return self.case.village if self.case else self.household.village

    @property
    def county(self) -> str:
        return self.case.county_code if self.case else self.household.county_code

    @property
    def who(self) -> str:
        return self.case.who if self.case else self.household.number

    @property
    def order(self) -> tuple:
        return (self.since, self.case is None, self.case_id or self.household_id)


def task_of(case: Case, *, on: datetime.date) -> Task:
    """No query, given case_detail()'s prefetches. Who the open case waits on, and for what."""
    steps = list(case.steps.all())
    last = steps[-1]
    following = State(case.next_state)
    waits_on, task = LEVELS[following], f"办理“{following.label}”"
    if case.state in NOTICES:
        notice = next(s for s in steps if s.state == case.state)
        outcomes = [o.outcome for o in notice.objections.all()]
        if Outcome.PENDING in outcomes:
            waits_on, task = notice.level, f"处理{case.get_state_display()}期异议（{outcomes.count(Outcome.PENDING)}件）"
        elif Outcome.UPHELD in outcomes:
            task = "异议成立，终止流程"
        elif on < notice.notice_end:
            waits_on, task = WAITING_NOTICE, f"{case.get_state_display()}至{notice.notice_end}期满"
    elif case.state == State.VERIFIED and not case.verification.passed:
        waits_on, task = Level.REVIEWER, "入户核实未通过：待审核员说明理由放行（或由村终止流程）"
    return Task(case, waits_on, task, last.on)


def in_tray(*, user, waits_on: str | None = None, kind: str | None = None, county: str | None = None,
            on: datetime.date | None = None, visits: bool = True) -> tuple[list[Task], dict[str, int]]:
    """Runs five queries (four without `visits`). Every open case the user sees with who it waits on
    (the village, the township, the county, the reviewer, or nobody while a notice runs) and for
    what, and the households of the counties the user sees due for their helper's visit (kind
    `visit`, waiting on the village: visit_tasks), oldest first; and the counts by whom they wait
    on (before the `waits_on` filter)."""
    on = on or timezone.localdate()
    tasks = []
    if kind != VISIT:
        cases = cases_visible_to(user).open()
        if kind:
            cases = cases.filter(kind=kind)
        if county:
            cases = cases.filter(village__township__county_id=county)
        tasks = [task_of(c, on=on) for c in case_detail(cases.order_by("opened_at", "id"))]
    if visits and kind in (None, VISIT):
        tasks += visit_tasks(user=user, county=county, on=on)
    counts = Counter(t.waits_on for t in tasks)
    totals = {key: counts.get(key, 0) for key in WAITS_ON_LABELS}
    if waits_on:
        tasks = [t for t in tasks if t.waits_on == waits_on]
    return sorted(tasks, key=lambda t: t.order), totals


def visit_tasks(*, user, county: str | None = None, on: datetime.date) -> list[Task]:
    """One query. The households of the counties the user sees (the cases' scope: whoever sees a
    county sees its households) not visited by a helper for more than HELPER_VISIT_DAYS days on
    `on` (households.helper_selectors.due_for_visit), each a task of the village's, dated from the
    last visit (or the helper's start, never visited)."""
    households = Household.objects.filter(village__township__county__in=counties_visible_to(user))
    if county:
        households = households.filter(village__township__county_id=county)
    tasks = []
    for h in due_for_visit(households, on=on, days=visit_days()).select_related("village"):
        last = f"上次走访{h.last_visited}" if h.last_visited else f"自{h.started_on}起未走访"
        tasks.append(Task(None, Level.VILLAGE, f"帮扶责任人{h.current_helper}（{h.current_unit}）入户走访：{last}",
                          h.since, household=h))
    return tasks


def pending_exits(*, counties: QuerySet | None = None, year: int | None = None) -> dict[tuple[str, int], dict]:
    """One aggregate query. Exits proposed but not yet approved (脱贫销号), by county and exit year:
    households and their persons now. They do not count against the quota until approved; the
    progress numbers show them beside it."""
    cases = Case.objects.open().filter(kind=Kind.EXIT)
    if counties is not None:
        cases = cases.filter(village__township__county__in=counties)
    if year:
        cases = cases.filter(year=year)
    rows = cases.values("year", county=F("village__township__county_id")).annotate(
        households=Count("pk", distinct=True), persons=Count("household__members"),
    )
    return {(r["county"], r["year"]): {"households": r["households"], "persons": r["persons"]} for r in rows}
