"""Every write of the year-end close (年度数据锁定, issue 19): a county's clerk submits a year that
has ended, with every finding counted against it resolved or explained; the city reviewer accepts it
(the county-year is then frozen, households/services/closes.py, and its figures are kept as canonical
JSON with their SHA-256), sends it back with a reason, or reopens an accepted year with a reason.

    open 未提交 / sent_back 已退回 / reopened 已重新打开 --submit--> submitted 已提交
    submitted --accept--> accepted 已锁定        submitted --send_back--> sent_back
    accepted --reopen--> reopened

The explanations of findings (FindingExplanation) are written here too: they decide a submission."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.actors import person
from common.refusals import Refused
from households import audit
from households.models import County, FindingExplanation, Household, YearClose

from . import figures
from .access import may_explain_findings, may_review_closes, may_submit_close
from .close_selectors import CLOSE_YEARS, as_county, close_findings

State = YearClose.State
SUBMITTABLE = (State.OPEN, State.SENT_BACK, State.REOPENED)
# How many unexplained findings a refused submission names (the page lists them all).
NAMED = 3


def _close_year(year: int) -> None:
    if year not in CLOSE_YEARS:
        raise ValidationError({"year": f"年度数据锁定按计划年度（{CLOSE_YEARS[0]}–{CLOSE_YEARS[-1]}年）办理，没有{year}年度"})


def _locked(county: County, year: int) -> YearClose:
    """The county-year's row, locked until the transaction ends so that two steps at once cannot
    both pass from the same state. An open county-year has no row yet: one is inserted first, or
    nothing where another transaction has (ON CONFLICT DO NOTHING, which waits for that one to end),
    so that two first submissions at once queue on the row and the second is refused by its state,
    not by the unique constraint. The insert keeps no history (bulk_create): the first step is the
    row's first version, and a refused step rolls the insert back with it."""
    YearClose.objects.bulk_create([YearClose(county=county, year=year)], ignore_conflicts=True)
    return YearClose.objects.select_for_update().select_related("county").get(county=county, year=year)


def _require_state(close: YearClose, allowed, action: str) -> None:
    if close.state not in allowed:
        raise ValidationError({"state": f"{close.county.name}{close.year}年度当前为“{close.get_state_display()}”，"
                                        f"不能{action}"})


def _reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"{action}须说明原因"})
    return reason


def _step(close: YearClose, *, actor, state: str, reason: str = "") -> YearClose:
    close.state = state
    close.acted_by = person(actor)
    close.acted_at = timezone.now()
    close.reason = reason
    close.full_clean()
    close._history_user = person(actor)
    close.save()
    return close


def close_submit(*, actor, county: County | str, year: int, today: datetime.date | None = None) -> YearClose:
    """Submit a county's year (提交): by the county's clerk, once the year has ended, and only when
    every finding that counts against it (plans.close_selectors.close_findings) is resolved or
    explained. Runs the data-quality checks over the county (a few seconds for a large county)."""
    county = as_county(county)
    if not may_submit_close(actor, county.code):
        raise Refused(f"只有{county.name}的县扶贫办录入员可以提交该县的年度数据")
    _close_year(year)
    today = today or timezone.localdate()
    if today.year <= year:
        raise ValidationError({"year": f"{year}年度尚未结束，不能提交"})
    # Checked before the row is locked: the checks take seconds, and a finding that appears between
    # them and the submission is the reviewer's to see.
    standing = [f for f in close_findings(county=county, year=year) if not f.explained]
    if standing:
        named = "；".join(f"{f.name}：{f.detail}" for f in standing[:NAMED])
        raise ValidationError({"year": f"{county.name}{year}年度还有{len(standing)}条核查问题既未解决也未说明"
                                       f"（{named}{'等' if len(standing) > NAMED else ''}），不能提交"})
    with transaction.atomic():
        close = _locked(county, year)
        _require_state(close, SUBMITTABLE, "提交")
        close.submitted_by, close.submitted_at = person(actor), timezone.now()
        return _step(close, actor=actor, state=State.SUBMITTED)


def _review_gate(actor, action: str) -> None:
    if not may_review_closes(actor):
        raise Refused(f"只有市农业局（农办）审核员可以{action}年度数据")


def close_accept(*, actor, county: County | str, year: int) -> YearClose:
    """Accept a submitted county-year (锁定): by the city reviewer. Its figures as the registry holds
    them now are kept as canonical JSON with their SHA-256 (docs/closes.md), replacing those of an
    earlier acceptance (which stay in the history)."""
    county = as_county(county)
    _review_gate(actor, "锁定")
    with transaction.atomic():
        close = _locked(county, year)
        _require_state(close, (State.SUBMITTED,), "锁定")
        close.figures = figures.canonical_json(figures.close_figures(county=county, year=year))
        close.figures_sha256 = figures.sha256(close.figures)
        close.accepted_by, close.accepted_at = person(actor), timezone.now()
        return _step(close, actor=actor, state=State.ACCEPTED)


def close_send_back(*, actor, county: County | str, year: int, reason: str) -> YearClose:
    """Send a submitted county-year back to the county (退回), saying why: by the city reviewer."""
    county = as_county(county)
    _review_gate(actor, "退回")
    reason = _reason(reason, "退回")
    with transaction.atomic():
        close = _locked(county, year)
        _require_state(close, (State.SUBMITTED,), "退回")
        return _step(close, actor=actor, state=State.SENT_BACK, reason=reason)


def close_reopen(*, actor, county: County | str, year: int, reason: str) -> YearClose:
    """Reopen an accepted county-year (重新打开), saying why: by the city reviewer. Its records may
    change again; the figures accepted stay until the next acceptance replaces them."""
    county = as_county(county)
    _review_gate(actor, "重新打开")
    reason = _reason(reason, "重新打开")
    with transaction.atomic():
        close = _locked(county, year)
        _require_state(close, (State.ACCEPTED,), "重新打开")
        return _step(close, actor=actor, state=State.REOPENED, reason=reason)


# ---------------------------------------------------------------- explanations of findings

TARGET = re.compile(r"^(household|member):(\d+)$|^item:.+$", re.S)


def _explanation_gate(actor, county: County, year: int) -> None:
    if not may_explain_findings(actor, county.code):
        raise Refused(f"只有{county.name}的县扶贫办录入员或市农业局（农办）审核员可以说明该县的核查问题")
    state = YearClose.objects.filter(county=county, year=year).values_list("state", flat=True).first()
    if state in (State.SUBMITTED, State.ACCEPTED):
        raise ValidationError({"year": f"{county.name}{year}年度{State(state).label}，不能再说明核查问题或撤销说明"})


def _household_of(target: str, county: County) -> Household | None:
    """The household the target names (a household or one of its members), which must be the
    county's; None for an item of a plan check."""
    kind, _, pk = target.partition(":")
    if kind == "item":
        return None
    household = (Household.objects.filter(pk=pk) if kind == "household"
                 else Household.objects.filter(members__pk=pk)).first()
    if household is None or household.county_code != county.code:
        raise ValidationError({"target": f"{county.name}没有该{'户' if kind == 'household' else '成员'}"})
    return household


def finding_explain(*, actor, check_code: str, county: County | str, year: int, target: str,
                    reason: str) -> FindingExplanation:
    """Explain one finding for one year (核查问题说明): kept across reruns of the checks, shown beside
    the finding, and counted as explained by the county-year's submission. Explaining it again
    replaces the reason. By the county's clerk or the city reviewer, while the year is not submitted
    or accepted."""
    county = as_county(county)
    _explanation_gate(actor, county, year)
    if not TARGET.match(target or ""):
        raise ValidationError({"target": "所指记录应为 household:<编号>、member:<编号> 或 item:<检查所列的项>"})
    if not target.startswith("item:") and check_code not in audit.CHECKS:
        raise ValidationError({"check_code": f"没有代码为“{check_code}”的数据核查项"})
    reason = _reason(reason, "说明核查问题")
    household = _household_of(target, county)
    with transaction.atomic():
        explanation = (FindingExplanation.objects.select_for_update()
                       .filter(check_code=check_code, year=year, target=target).first()
                       or FindingExplanation(check_code=check_code, year=year, target=target))
        if explanation.pk and explanation.county_id != county.code:
            raise ValidationError({"target": "该问题已由另一县(市、区)说明"})
        explanation.county, explanation.household, explanation.reason = county, household, reason
        explanation.explained_by, explanation.explained_at = person(actor), timezone.now()
        explanation.full_clean()
        explanation._history_user = person(actor)
        explanation.save()
    return explanation


def finding_explanation_delete(*, actor, explanation: FindingExplanation) -> None:
    """Withdraw an explanation: the finding counts against its year again."""
    _explanation_gate(actor, explanation.county, explanation.year)
    explanation._history_user = person(actor)
    explanation.delete()
