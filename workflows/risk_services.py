"""Writes of the warnings of a return to poverty (返贫风险预警): the rules' run that raises, keeps and
clears them, the clerk's follow-up, and the link from a household's return to its warning
(docs/return-risks.md). Every bad input is refused naming the field, nothing written."""

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.actors import person
from households.models import HelperVisit, Household, ReliefMeasure, ReturnRecord
from jobs.services import job_start

from . import access
from .risk_models import REASON_FIELDS, FollowUpKind, ReturnRisk, RiskFollowUp, RiskState
from .risk_selectors import open_risk_of, return_risks_found

State = RiskState
RISKS = "workflows.return_risks"  # the job kind of a run of the rules (risk_jobs.py)


def _refuse(field: str, message: str):
    raise ValidationError({field: [message]})


def _set_reasons(risk: ReturnRisk, reasons: dict[str, str], on: datetime.date) -> None:
    for code in REASON_FIELDS:
        setattr(risk, code, code in reasons)
    risk.details = reasons
    risk.refreshed_on = on


def return_risks_refresh(*, actor, on: datetime.date | None = None, county: str | None = None,
                         progress: Callable | None = None) -> dict[str, int]:
    """Run the rules (risk_selectors.return_risks_found) over the whole city or a county and bring the
    stored warnings in line, as of `on` (today): a household flagged keeps its open warning (its
    reasons brought up to date) or is raised a new one; an open warning whose household is flagged no
    more (its income recovered, it returned or left the rules' window) is cleared. A household whose
    latest warning was dismissed (排除风险) is raised none while the rules find no reason that
    dismissal did not weigh. Returns the numbers raised, kept and cleared."""
    access.require_risk_refresh(actor, county)
    on = on or timezone.localdate()
    if on > timezone.localdate():
        _refuse("on", "核算日期不能晚于今天")
    if progress:
        progress(0, 3, "核算规则")
    found = return_risks_found(on=on, county=county)
    with transaction.atomic():
        scope = ReturnRisk.objects.select_for_update()
        if county:
            scope = scope.filter(household__village__township__county_id=county)
        opened = {r.household_id: r for r in scope.filter(state=State.OPEN)}
        if progress:
            progress(1, 3, "更新预警")
        kept, cleared = [], []
        for household_id, risk in opened.items():
            if household_id in found:
                _set_reasons(risk, found[household_id], on)
                kept.append(risk)
            else:
                risk.state, risk.closed_on, risk.refreshed_on = State.CLEARED, on, on
                cleared.append(risk)
        dismissed = {}
        for risk in (ReturnRisk.objects.filter(household_id__in=set(found) - set(opened))
                     .order_by("household_id", "-raised_on", "-id")):
            dismissed.setdefault(risk.household_id, risk)  # the latest warning of each household
        # Locked, as return_save locks a household: a return that came in after the rules read the
        # household is seen now (no longer exited: no warning); one that comes later waits for this
        # run to commit, and links to the warning raised here.
        candidates = (Household.objects.select_for_update().filter(pk__in=set(found) - set(opened),
                                                                   status=Household.Status.EXITED)
                      .order_by("pk").values_list("pk", flat=True))
        raised = []
        for household_id in list(candidates):
            latest = dismissed.get(household_id)
            if latest is not None and latest.state == State.DISMISSED and set(found[household_id]) <= set(latest.reasons):
                continue
            risk = ReturnRisk(household_id=household_id, raised_on=on)
            _set_reasons(risk, found[household_id], on)
            raised.append(risk)
        ReturnRisk.objects.bulk_update(kept + cleared, [*REASON_FIELDS, "details", "refreshed_on", "state", "closed_on"],
                                       batch_size=1000)
        ReturnRisk.objects.bulk_create(raised, batch_size=1000)
    if progress:
        progress(3, 3, "完成")
    return {"raised": len(raised), "kept": len(kept), "cleared": len(cleared), "flagged": len(found)}


def return_risks_job_start(*, actor, county: str | None = None):
    """A run of the rules (return_risks_refresh) in the background, for whoever may run it here: asked
    now, and again when the job runs, as its user."""
    access.require_risk_refresh(actor, county)
    return job_start(actor=actor, kind=RISKS, params={"county": county, "on": None})


def risk_follow_up(*, actor, risk: ReturnRisk, kind: str, measure: ReliefMeasure | None = None,
                   visit: HelperVisit | None = None, note: str = "") -> RiskFollowUp:
    """Record what the clerk did about an open warning: a relief measure (`measure`) or a helper's
    visit (`visit`) of the household, recorded through their own services (a measure of a year not
    before the household's exit, a visit not before the warning); or `no_risk` with the reason (`note`), which closes the warning (已排除风险). By whoever
    may change the household (workflows.access.require_risk_follow_up)."""
    note = (note or "").strip()
    with transaction.atomic():
        risk = ReturnRisk.objects.select_for_update().get(pk=risk.pk)
        access.require_risk_follow_up(actor, risk.household_id)
        if kind not in FollowUpKind.values:
            _refuse("kind", "请选择跟进方式：落实帮扶措施、帮扶走访或排除风险")
        if risk.state != State.OPEN:
            _refuse("risk", f"该预警{risk.get_state_display()}，不能再登记跟进")
        if kind != FollowUpKind.MEASURE and measure is not None:
            _refuse("measure", "只有“落实帮扶措施”选择帮扶措施")
        if kind != FollowUpKind.VISIT and visit is not None:
            _refuse("visit", "只有“帮扶走访”选择走访记录")
        if kind == FollowUpKind.MEASURE:
            _measure_check(risk, measure)
        elif kind == FollowUpKind.VISIT:
            _visit_check(risk, visit)
        elif not note:
            _refuse("note", "排除风险须填写理由")
        follow_up = RiskFollowUp(risk=risk, kind=kind, measure=measure, visit=visit, note=note,
                                 recorded_by=person(actor))
        follow_up.full_clean()
        follow_up.save()
        if kind == FollowUpKind.NO_RISK:
            risk.state, risk.closed_on = State.DISMISSED, timezone.localdate()
            risk.save(update_fields=["state", "closed_on"])
    return follow_up


def _measure_check(risk: ReturnRisk, measure: ReliefMeasure | None) -> None:
    if measure is None:
        _refuse("measure", "请选择落实的帮扶措施")
    if measure.household_id != risk.household_id:
        _refuse("measure", "该帮扶措施不是预警户的措施")
    # A measure is of a year of the registry (2014–2020), a warning of a day that may lie after them:
    # the measure answers the risk if it came after the exit the household may fall back from.
    exited_in = risk.household.exits.order_by("-year").values_list("year", flat=True).first()
    if exited_in is not None and measure.year < exited_in:
        _refuse("measure", f"该帮扶措施（{measure.year}年）早于该户脱贫（{exited_in}年），不是对预警的跟进")
    if risk.follow_ups.filter(measure=measure).exists():
        _refuse("measure", "该帮扶措施已登记为本预警的跟进")


def _visit_check(risk: ReturnRisk, visit: HelperVisit | None) -> None:
    if visit is None:
        _refuse("visit", "请选择帮扶走访记录")
    if visit.assignment.household_id != risk.household_id:
        _refuse("visit", "该走访不是对预警户的走访")
    if visit.visited_on < risk.raised_on:
        _refuse("visit", f"该走访早于预警日期（{risk.raised_on:%Y-%m-%d}），不是对预警的跟进")
    if risk.follow_ups.filter(visit=visit).exists():
        _refuse("visit", "该走访已登记为本预警的跟进")


def risk_return_link(record: ReturnRecord, *, recorded: bool) -> None:
    """A return recorded (households.services.return_save) links to the household's open warning,
    which becomes 已返贫: the warning came true. A return taken back lets go of its warning, open
    again (or cleared, should the rules have raised another since)."""
    if recorded:
        risk = open_risk_of(record.household_id)
        if risk is not None:
            risk.state, risk.return_record, risk.closed_on = State.RETURNED, record, timezone.localdate()
            risk.save(update_fields=["state", "return_record", "closed_on"])
        return
    risk = ReturnRisk.objects.select_for_update().filter(return_record=record).first()
    if risk is None:
        return
    if open_risk_of(record.household_id) is None:
        risk.state, risk.closed_on = State.OPEN, None
    else:
        risk.state = State.CLEARED
    risk.return_record = None
    risk.save(update_fields=["state", "return_record", "closed_on"])
