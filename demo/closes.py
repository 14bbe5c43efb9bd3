"""The demo registry's year-end closes (issue 19): 2015–2017 closed in every county, 2018 left open,
and a few county-years left in each of the other states so that the bureau's page shows them all:
one 2017 submitted and waiting on the reviewer, one 2017 sent back, one 2016 reopened.

Every finding that stands in a county-year's way is explained first (the demo's data-quality
problems are deliberate; a clerk would explain or correct them), then each step is taken through
plans/closes.py as the system, and dated in the January after its year, as the bureau would have."""

import datetime

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from common.actors import SYSTEM
from households.models import County, FindingExplanation, YearClose
from plans import closes
from plans.close_selectors import close_findings_by_year
from plans.models import AnnexRow

CLOSED_YEARS = (2015, 2016, 2017)
# The county-years left short of 已锁定, each with the reason the reviewer gave.
SUBMITTED = ("350481", 2017)  # 永安市: waiting on the reviewer
SENT_BACK = ("350429", 2017, "脱贫户数与乡镇上报数不一致，请核对后重新提交")  # 泰宁县
REOPENED = ("350430", 2016, "省级抽查发现一户脱贫时人均纯收入计算有误，重新打开更正")  # 建宁县
REASONS = {
    "exit_below_line": "演示：已入户复核，收入计算含当年到户产业补助，县扶贫办认可",
    "measures_after_exit": "演示：脱贫不脱政策，巩固期内继续帮扶",
}
REASON = "演示：已入户核实，情况属实，待年度动态调整时更正"


def _explain_standing(county: County) -> int:
    """The county's unexplained findings of the years closed, explained in one write (their own
    rules are their uniqueness, which close_findings_by_year() keeps: one per check, target and
    year). The checks run once for the three years."""
    now = timezone.now()
    explanations = []
    for year, found in close_findings_by_year(county=county, years=CLOSED_YEARS).items():
        # A plan check's item may be listed twice (two findings of one check): one explanation covers it.
        unique = {(f.check, f.target): f for f in found if not f.explained}
        # An item naming two counties is explained once, by the first county that closes the year.
        taken = set(FindingExplanation.objects.filter(year=year, check_code__in={c for c, _t in unique})
                    .values_list("check_code", "target"))
        explanations += [FindingExplanation(check_code=f.check, county=county, year=year, target=f.target,
                                            household_id=f.household, reason=REASONS.get(f.check, REASON),
                                            explained_at=now) for key, f in unique.items() if key not in taken]
    bulk_create_with_history(explanations, FindingExplanation, batch_size=2000)
    return len(explanations)


def close_demo_years(*, today: datetime.date | None = None) -> dict[str, int]:
    """Runs the data-quality checks once for each county (the explanations) and once for each
    county and year (the submission). Returns the counts the seed command reports."""
    counties = County.objects.filter(pk__in=AnnexRow.objects.filter(county__isnull=False).values("county_id"))
    explained = sum(_explain_standing(county) for county in counties.order_by("code"))
    for year in CLOSED_YEARS:
        for county in counties.order_by("code"):
            closes.close_submit(actor=SYSTEM, county=county, year=year, today=today)
            key = (county.code, year)
            if key == SUBMITTED:
                continue
            if key == SENT_BACK[:2]:
                closes.close_send_back(actor=SYSTEM, county=county, year=year, reason=SENT_BACK[2])
                continue
            closes.close_accept(actor=SYSTEM, county=county, year=year)
            if key == REOPENED[:2]:
                closes.close_reopen(actor=SYSTEM, county=county, year=year, reason=REOPENED[2])
    _date_in_their_years()
    return {"explanation": explained, "accepted": YearClose.objects.accepted().count()}


def _date_in_their_years() -> None:
    """The services stamp each step now: the demo dates them in the January after the year, a
    few days apart, in the rows and in their history alike."""
    for close in YearClose.objects.all():
        day = timezone.make_aware(datetime.datetime(close.year + 1, 1, 10, 9))
        steps = list(close.history.order_by("history_date", "history_id"))
        for i, step in enumerate(steps):
            step.history_date = step.acted_at = day + datetime.timedelta(days=5 * i)
            if step.submitted_at:
                step.submitted_at = day
            if step.accepted_at:
                step.accepted_at = day + datetime.timedelta(days=5)
        type(steps[0]).objects.bulk_update(steps, ["history_date", "acted_at", "submitted_at", "accepted_at"])
        last = steps[-1]
        YearClose.objects.filter(pk=close.pk).update(acted_at=last.acted_at, submitted_at=last.submitted_at,
                                                     accepted_at=last.accepted_at)
