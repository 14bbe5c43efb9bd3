"""Reads of the year-end close (年度数据锁定, issue 19): every county × year with its state, the steps
each took (its history), and the findings that stand between a county-year and its submission.

A county-year without a YearClose row is open; the list shows it all the same, addressed as
"<county code>-<year>" like the others (docs/closes.md)."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from households import audit
from households.access import counties_visible_to
from households.models import County, FindingExplanation, Household, YearClose

from . import checks
from .models import PLAN_YEARS

# The years a county closes: the plan's, whose results the annex's quotas judge year by year.
CLOSE_YEARS = PLAN_YEARS
KEY = re.compile(r"^(?P<county>\d{6})-(?P<year>\d{4})$")


def close_key(county: str, year: int) -> str:
    return f"{county}-{year}"


def parse_close_key(key: str) -> tuple[str, int] | None:
    match = KEY.match(key)
    return (match["county"], int(match["year"])) if match else None


def as_county(county: County | str) -> County:
    """The county, given it or its code (a query); a 400 naming `county` for an unknown code."""
    if isinstance(county, County):
        return county
    found = County.objects.filter(pk=county).first()
    if found is None:
        raise ValidationError({"county": f"没有代码为“{county}”的县(市、区)"})
    return found


def close_of(county: County, year: int) -> YearClose:
    """One query. The county-year's close, or an unsaved open one when it has no row yet."""
    close = YearClose.objects.filter(county=county, year=year).select_related(
        "county", "acted_by", "submitted_by", "accepted_by").first()
    return close or YearClose(county=county, year=year)


def closes_for(user, *, county: str | None = None, year: int | None = None) -> list[YearClose]:
    """Two queries. Every county × year (CLOSE_YEARS) the user sees (its counties' pages:
    counties_visible_to), by year then county; an open county-year without a row as an unsaved one."""
    counties = counties_visible_to(user).order_by("code")
    if county:
        counties = counties.filter(pk=county)
    years = [year] if year else list(CLOSE_YEARS)
    rows = {(c.county_id, c.year): c for c in YearClose.objects.filter(county__in=counties, year__in=years)
            .select_related("county", "acted_by", "submitted_by", "accepted_by")}
    return [rows.get((c.code, y)) or YearClose(county=c, year=y) for y in years for c in counties]


def close_steps(close: YearClose) -> QuerySet:
    """One query. The steps the close took, oldest first: each historical row is one step (a
    submission, an acceptance with its hash, a sending back or a reopening with its reason)."""
    if close.pk is None:
        return YearClose.history.none()
    return close.history.order_by("history_date", "history_id").select_related("acted_by")


# ---------------------------------------------------------------- the findings a submission needs


@dataclass(frozen=True)
class CloseFinding:
    """A finding as the close counts it: a data-quality finding of one of the county's households, or
    an item of a check_plan records finding that names the county or one of its places."""

    check: str
    name: str
    target: str  # FindingExplanation.target
    year: int | None
    detail: str
    household: int | None
    url: str | None
    explanation: FindingExplanation | None

    @property
    def explained(self) -> bool:
        return self.explanation is not None


def explanations_for(user) -> QuerySet[FindingExplanation]:
    """The explanations a user reads: those of the counties whose pages they see."""
    return FindingExplanation.objects.filter(county__in=counties_visible_to(user)).select_related(
        "county", "explained_by", "household")


def close_findings(*, county: County | str, year: int, as_of: datetime.date | None = None) -> list[CloseFinding]:
    """Runs the data-quality checks over the county's households and check_plan's records checks (a
    few dozen queries, whatever the size of the registry). The findings that count against the
    county-year: those of the year, and those without a year (they count against every open year),
    each with its explanation for the year, if any."""
    return close_findings_by_year(county=county, years=[year], as_of=as_of)[year]


def close_findings_by_year(*, county: County | str, years, as_of: datetime.date | None = None,
                           ) -> dict[int, list[CloseFinding]]:
    """close_findings() of several years of one county, the checks run once."""
    county = as_county(county)
    explained = {(e.year, e.check_code, e.target): e for e in
                 FindingExplanation.objects.filter(county=county, year__in=years).select_related("explained_by")}
    registry = audit.run_audit(county=county.code, as_of=as_of)
    plan = list(_plan_items(county, as_of))
    return {
        year: [
            *(CloseFinding(f.check, audit.CHECKS[f.check].name, f.target, f.year, f.detail, f.household, f.url,
                           explained.get((year, f.check, f.target)))
              for f in registry if f.year in (None, year)),
            *(CloseFinding(f.check, f.name, item_target(item), item_year, item, None, None,
                           explained.get((year, f.check, item_target(item))))
              for f, item, item_year in plan if item_year in (None, year)),
        ]
        for year in years
    }


def item_target(item: str) -> str:
    # FindingExplanation.target holds 200 characters; an item is a line of a plan check, far shorter.
    return f"item:{item}"[:200]


YEAR_IN_TEXT = re.compile(r"(20\d\d)年")
YEAR_AT_END = re.compile(r"\.(20\d\d)$")


def _year_of(finding: checks.Finding, item: str) -> int | None:
    """The year an item of a plan check speaks of: written in the item (五保 standards), else in the
    check's code (exits.line.national.2016, settlements.2016) or name (deadlines); none for a count
    of places or records (pairings, envoys, records.county)."""
    for match in (YEAR_IN_TEXT.search(item), YEAR_AT_END.search(finding.check), YEAR_IN_TEXT.search(finding.name)):
        if match:
            return int(match[1])
    return None


def _plan_items(county: County, as_of: datetime.date | None):
    """The items of check_plan's failing records findings that name the county (its name, or a code
    of it or its places at the start) or one of its households (by number, the item's last word),
    each with the year it speaks of (or None). Runs the records checks, then one query for the
    households named."""
    failing = [f for f in checks.run_checks("records", as_of=as_of) if not f.ok and f.items]
    words = {str(item).split()[-1] for f in failing for item in f.items if str(item).split()}
    ours = set(Household.objects.for_county(county.code).filter(number__in=words).values_list("number", flat=True))
    for f in failing:
        for item in map(str, f.items):
            if item.startswith(county.code) or county.name in item or (item.split() and item.split()[-1] in ours):
                yield f, item, _year_of(f, item)


# ---------------------------------------------------------------- the explanations beside the findings


def with_explanations(findings: list[dict], *, user) -> list[dict]:
    """One query. The data-quality findings (as Finding.as_dict() gives them) each with its
    `explanation`: the one of the finding's year, or, for a finding without a year (it counts
    against every open year), the latest of any year; None when unexplained. Only explanations of
    counties the user sees are read."""
    by_finding: dict[tuple[str, str], list[FindingExplanation]] = {}
    for e in explanations_for(user).filter(check_code__in={f["check"] for f in findings}).order_by("-year", "-id"):
        by_finding.setdefault((e.check_code, e.target), []).append(e)
    answered = []
    for f in findings:
        # A run stored before findings carried a target names it the same way (Finding.target).
        target = f.get("target") or (f"member:{f['member']}" if f["member"] else f"household:{f['household']}")
        year = f.get("year")
        candidates = [e for e in by_finding.get((f["check"], target), ()) if year in (None, e.year)]
        explanation = candidates[0] if candidates else None
        answered.append({**f, "target": target, "year": year, "explanation": explanation and {
            "year": explanation.year, "reason": explanation.reason, "explained_at": explanation.explained_at,
            "explained_by": explanation.explained_by.username if explanation.explained_by else None}})
    return answered


def explained_by_county(findings: list[dict]) -> dict[str, int]:
    """No query. Of findings with_explanations() answered, how many are explained, by county."""
    counts: dict[str, int] = {}
    for f in findings:
        if f["explanation"]:
            counts[f["county"]] = counts.get(f["county"], 0) + 1
    return counts
