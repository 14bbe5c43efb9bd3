"""Data-quality checks of the registry (核查): what the database constraints cannot see, or what
was entered before the rules, listed record by record with a link to the household.

Each check is a function registered with @audit_check; it reads with a few set-based queries over
the households given (never a query per household) and yields Findings in a fixed order, so two
runs over the same registry say the same. The registry's own checks are in checks.py; an app above
it registers its own the same way (plans/audit.py, projects/checks.py), from its AppConfig.ready().
A check is switched off by listing its code in the setting AUDIT_DISABLED_CHECKS. The command
(`audit_registry`), the page (/dashboard/audit/) and the API (/api/v1/audit/findings/) all call
run_audit().
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone

from ..models import Household, Member


@dataclass(frozen=True)
class Finding:
    """One record one check finds wrong; `member` when the finding is about a person, `year` when
    the record flagged has one (an exit, an income, a measure, a change dated in a year): the year
    close (plans/closes.py) counts a finding against its year, one without a year against every
    year still open."""

    check: str
    county: str
    household: int
    household_number: str
    member: int | None
    detail: str
    year: int | None = None

    @property
    def url(self) -> str:
        return reverse("dashboard:household", args=[self.household])

    @property
    def target(self) -> str:
        """What the finding points to, stable across reruns (FindingExplanation.target): the person
        or the household; with the check and the year it names one finding."""
        return f"member:{self.member}" if self.member else f"household:{self.household}"

    def as_dict(self) -> dict:
        return {**asdict(self), "name": CHECKS[self.check].name, "url": self.url, "target": self.target}


def _everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    function: Callable[["Scope"], Iterable[Finding]]
    # A check off unless this setting is true (the exclusion rules the bureau switches on).
    enabled_by: str | None = None
    # Whose lists of findings hold it (besides the households they see): a department reads the
    # findings of its own lists only (departments/access.py).
    shown_to: Callable = _everyone


CHECKS: dict[str, Check] = {}


def audit_check(code: str, name: str, *, enabled_by: str | None = None, shown_to: Callable = _everyone):
    def register(function):
        CHECKS[code] = Check(code, name, function, enabled_by, shown_to)
        return function

    return register


def enabled_checks() -> list[Check]:
    off = set(getattr(settings, "AUDIT_DISABLED_CHECKS", []))
    return [c for code, c in CHECKS.items()
            if code not in off and (c.enabled_by is None or getattr(settings, c.enabled_by, False))]


def checks_for(user) -> list[Check]:
    """The enabled checks whose findings `user` reads (may run a query: the user's role)."""
    return [c for c in enabled_checks() if c.shown_to(user)]


@dataclass(frozen=True)
class Scope:
    households: QuerySet[Household]  # those whose findings are listed (not removed)
    as_of: datetime.date

    @property
    def members(self) -> QuerySet[Member]:
        return Member.objects.filter(household__in=self.households)


def run_audit(*, households: QuerySet[Household] | None = None, county: str | None = None,
              checks: Iterable[str] | None = None, as_of: datetime.date | None = None,
              progress: Callable | None = None, viewer=None) -> list[Finding]:
    """Runs the enabled checks (or those named in `checks`, if enabled) over the households given
    (the whole registry by default), those of `county` only when given; removed households
    (已清退) are left out. A few queries per check, whatever the size of the registry.
    `progress(done, total, stage)` is told each check as it starts. With `viewer`, only the checks
    shown to that user (checks_for)."""
    households = Household.objects.all() if households is None else households
    households = households.exclude(status=Household.Status.REMOVED)
    if county:
        households = households.for_county(county)
    scope = Scope(households, as_of or timezone.localdate())
    wanted = set(checks) if checks is not None else None
    available = enabled_checks() if viewer is None else checks_for(viewer)
    chosen = [check for check in available if wanted is None or check.code in wanted]
    found = []
    for done, check in enumerate(chosen):
        if progress:
            progress(done, len(chosen), check.name)
        found += sorted(check.function(scope), key=lambda f: (f.county, f.household, f.member or 0, f.detail))
    return found


def counts_by_county(findings: list[Finding]) -> list[dict]:
    """Per county, the findings of each check and their total (no query)."""
    by_county: dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        by_county[f.county][f.check] += 1
    return [{"county": county, "total": sum(c.values()), "checks": dict(c)} for county, c in sorted(by_county.items())]


# ---------------------------------------------------------------- helpers

MEMBER_FIELDS = ("id", "household_id", "household__number", "household__village_id", "name")


def other_household(number: str, in_scope: bool) -> str:
    """The household a finding is compared with, named only to whoever may see it (the findings are
    scoped; the household they are compared with may lie outside the scope)."""
    return f"户 {number} " if in_scope else "您查看范围之外的一户"
HOUSEHOLD_FIELDS = ("id", "number", "village_id")


def member_findings(code: str, members: QuerySet[Member], detail: Callable[[dict], str],
                    year: Callable[[dict], int | None] = lambda m: None) -> Iterator[Finding]:
    for m in members.values(*MEMBER_FIELDS, *_extra(members)):
        yield Finding(code, m["household__village_id"][:6], m["household_id"], m["household__number"], m["id"],
                      detail(m), year(m))


def household_findings(code: str, households: QuerySet[Household], detail: Callable[[dict], str],
                       year: Callable[[dict], int | None] = lambda h: None) -> Iterator[Finding]:
    for h in households.values(*HOUSEHOLD_FIELDS, *_extra(households)):
        yield Finding(code, h["village_id"][:6], h["id"], h["number"], None, detail(h), year(h))


def _extra(queryset: QuerySet) -> list[str]:
    return list(queryset.query.annotations)


def with_cause(households: QuerySet[Household], cause: str) -> QuerySet[Household]:
    """Households with `cause` as their main or one of their secondary causes."""
    secondary = Household.other_causes.through.objects.filter(household_id=OuterRef("pk"), povertycause_id=cause)
    return households.filter(Q(main_cause_id=cause) | Exists(secondary))


def no_member(households: QuerySet[Household], condition: Q) -> QuerySet[Household]:
    return households.exclude(Exists(Member.objects.filter(condition, household_id=OuterRef("pk"))))
