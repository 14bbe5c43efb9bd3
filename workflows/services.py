"""Every step of the identification and exit workflows: one function a transition.

Each checks who may take it (households/access.py: the county clerk acting for the village, the
township and the county; the city reviewer for an override), refuses a step taken out of turn, and
records who took it, when, and for which level. A public notice (公示) runs WORKFLOW_NOTICE_DAYS days
(7 by default: an exit's village notice lasts at least 7 days); the step after it is refused until
the period has passed and no objection raised in it is pending or upheld. The last
step writes the registry through households/services.py, whose rules then apply as for any door:
建档 registers the household (household_save), a return ends with its return record (return_save),
an exit with its exit record (exit_save).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.actors import person
from common.refusals import Refused
from households import access
from households import services as registry
from households.models import FIRST_YEAR, ExitRecord, Household, Member, ReturnRecord
from households.validators import mask_id, parse_resident_id
from plans.models import PovertyLine

from .models import FINAL, LEVELS, NOTICES, Case, Kind, Level, Objection, Outcome, State, Step, Verification

# The steps with a service of their own, for what they record besides the step.
OWN_SERVICE = {State.VERIFIED: "exit_verify", State.REGISTERED: "identification_register", State.CLOSED: "exit_close"}


def notice_days() -> int:
    return getattr(settings, "WORKFLOW_NOTICE_DAYS", 7)


def _name(actor) -> str:
    return actor.get_username()


def _require_level(actor, *, village: str, level: str) -> None:
    """Runs a query."""
    if not access.villages_acting_in(actor, level).filter(pk=village).exists():
        raise Refused(f"您不能办理该村（{village}）{Level(level).label}级的环节")


def _locked(case: Case) -> Case:
    """Runs a query: the case's row, locked until the transaction ends, so that two clerks cannot
    both take its next step."""
    return Case.objects.select_for_update(of=("self",)).select_related("household").get(pk=case.pk)


def _household_locked(household: Household) -> Household:
    """Runs a query: the household as stored, locked, so that its status is read as it is now."""
    return Household.objects.select_for_update(of=("self",)).select_related("village").get(pk=household.pk)


def _last_step(case: Case) -> Step | None:
    return case.steps.order_by("-on", "-id").first()


def _check_day(on: datetime.date) -> None:
    """A step is dated within the registry's years (建档立卡 began in 2014) and not after today."""
    if on > timezone.localdate():
        raise ValidationError({"on": f"办理日期{on}晚于今天"})
    if on.year < FIRST_YEAR:
        raise ValidationError({"on": f"办理日期不能早于{FIRST_YEAR}年"})


def _check_date(case: Case, on: datetime.date) -> None:
    """Runs a query. A step's day (_check_day), not before the step it follows."""
    _check_day(on)
    last = _last_step(case)
    if last and on < last.on:
        raise ValidationError({"on": f"办理日期不能早于上一环节“{last.get_state_display()}”的{last.on}"})


def case_ready(case: Case, *, on: datetime.date) -> dict[str, str]:
    """Runs queries. What keeps the case from its next step on `on`, by field: a public notice not yet
    over, an objection pending or upheld, a home visit that fell short and was not overridden."""
    problems = {}
    if case.state in NOTICES:
        notice = case.steps.get(state=case.state)
        if on < notice.notice_end:
            problems["on"] = f"{notice.get_state_display()}期至{notice.notice_end}届满（{notice.notice_start}起{notice_days()}天），期满前不能办理下一环节"
        outcomes = set(notice.objections.values_list("outcome", flat=True))
        if Outcome.UPHELD in outcomes:
            problems["objections"] = "公示期异议成立，该流程只能终止"
        elif Outcome.PENDING in outcomes:
            problems["objections"] = "公示期有未处理的异议，须先处理"
    if case.state == State.VERIFIED and not case.verification.passed:
        problems["verification"] = "；".join(case.verification.problems().values()) + "。须审核员说明理由放行，或终止该流程"
    return problems


def _step(case: Case, *, to: str, actor, on: datetime.date | None, note: str = "") -> tuple[Case, Step]:
    """Move a locked case to `to`, its next state, after every check; the caller holds the transaction."""
    on = on or timezone.localdate()
    if case.state in FINAL:
        raise ValidationError({"state": f"该流程已{case.get_state_display()}，不能再办理"})
    expected = case.next_state
    if to != expected:
        raise ValidationError(
            {"to": f"当前环节为“{case.get_state_display()}”，下一环节应为“{State(expected).label}”，不能办理“{State(to).label}”"}
        )
    _require_level(actor, village=case.village_id, level=LEVELS[to])
    _check_date(case, on)
    problems = case_ready(case, on=on)
    if problems:
        raise ValidationError(problems)
    step = Step(case=case, state=to, level=LEVELS[to], on=on, by=person(actor), by_name=_name(actor), note=note.strip())
    if to in NOTICES:
        step.notice_start, step.notice_end = on, on + datetime.timedelta(days=notice_days())
    step.full_clean(exclude=["case", "by"])
    step.save()
    case.state = to
    case.save(update_fields=["state"])
    return case, step


def _open(case: Case, *, actor, on: datetime.date | None, note: str = "") -> Case:
    """Save a new case after its checks, with its first step (the caller has checked the actor)."""
    on = on or timezone.localdate()
    first = case.flow[0]
    _check_day(on)
    case.state = first
    case.full_clean()
    case.save()
    Step.objects.create(case=case, state=first, level=LEVELS[first], on=on, by=person(actor), by_name=_name(actor),
                        note=note.strip())
    return case


def identification_apply(
    *,
    actor,
    village,
    applicant_name: str,
    applicant_id_number: str,
    applicant_labor: str,
    category: str,
    main_cause,
    year: int,
    income_per_capita: Decimal,
    standard: str = Household.Standard.NATIONAL,
    reason: str = "",
    on: datetime.date | None = None,
) -> Case:
    """农户申请: a household applies to be identified as poor (识别). The applicant (the future head)
    must not already be in a household that is not removed, nor in another open application."""
    _require_level(actor, village=village.pk, level=LEVELS[State.APPLIED])
    errors = {}
    try:
        applicant_id_number = parse_resident_id(applicant_id_number).number
    except ValidationError as e:
        errors["applicant_id_number"] = e.messages
    else:
        if Member.objects.filter(id_number=applicant_id_number, active=True).exists():
            errors["applicant_id_number"] = ["该公民身份号码已登记在一个有效的贫困户中"]
        elif Case.objects.open().filter(kind=Kind.IDENTIFICATION, household__isnull=True,
                                        applicant_id_number=applicant_id_number).exists():
            errors["applicant_id_number"] = [f"{mask_id(applicant_id_number)} 已有一份未办结的识别申请"]
    if not applicant_labor:
        errors["applicant_labor"] = ["请填写申请人劳动能力"]
    if not category:
        errors["category"] = ["请填写贫困户类别"]
    if main_cause is None:
        errors["main_cause"] = ["请填写主要致贫原因"]
    if income_per_capita is None:
        errors["income_per_capita"] = ["请填写申报人均纯收入"]
    if errors:
        raise ValidationError(errors)
    case = Case(kind=Kind.IDENTIFICATION, village=village, year=year, applicant_name=(applicant_name or "").strip(),
                applicant_id_number=applicant_id_number, applicant_labor=applicant_labor, category=category,
                main_cause=main_cause, standard=standard, income_per_capita=income_per_capita, reason=reason)
    with transaction.atomic():
        return _open(case, actor=actor, on=on)


def return_apply(*, actor, household: Household, year: int, reason: str, on: datetime.date | None = None) -> Case:
    """A household that fell back into poverty (返贫) is identified again, by the same steps; 建档
    writes its return record."""
    _require_level(actor, village=household.village_id, level=LEVELS[State.APPLIED])
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写返贫原因"})
    with transaction.atomic():
        household = _household_locked(household)
        if household.status != Household.Status.EXITED:
            raise ValidationError({"household": f"该户当前状态为“{household.get_status_display()}”，只有已脱贫的户才能识别返贫"})
        if Case.objects.open().filter(household=household, kind=Kind.IDENTIFICATION).exists():
            raise ValidationError({"household": "该户已有一份未办结的返贫识别"})
        case = Case(kind=Kind.IDENTIFICATION, household=household, village=household.village, year=year,
                    category=household.category, main_cause=household.main_cause, standard=household.standard,
                    reason=reason.strip())
        return _open(case, actor=actor, on=on)


def exit_propose(*, actor, household: Household, year: int, on: datetime.date | None = None, note: str = "") -> Case:
    """预退出: the village proposes a registered (or returned) household for exit in a year, not
    before the year it was identified."""
    _require_level(actor, village=household.village_id, level=LEVELS[State.PROPOSED])
    with transaction.atomic():
        household = _household_locked(household)
        errors = {}
        if household.status not in (Household.Status.REGISTERED, Household.Status.RETURNED):
            errors["household"] = f"该户当前状态为“{household.get_status_display()}”，不能申请退出"
        if year and year < household.identified_year:
            errors["year"] = f"脱贫年度不能早于识别年份（{household.identified_year}年）"
        if errors:
            raise ValidationError(errors)
        if Case.objects.open().filter(household=household, kind=Kind.EXIT).exists():
            raise ValidationError({"household": "该户已有一份未办结的退出流程"})
        case = Case(kind=Kind.EXIT, household=household, village=household.village, year=year)
        return _open(case, actor=actor, on=on, note=note)


def case_advance(*, case: Case, to: str, actor, on: datetime.date | None = None, note: str = "") -> Case:
    """Take the case's next step when it records nothing but the step: a review (评议, 审核, 审定),
    the household's signature (户签字认可), or the start of a public notice (公示, 公告), which runs
    from `on` for the notice period. Steps that record more have their own service (OWN_SERVICE)."""
    if to in OWN_SERVICE:
        raise ValidationError({"to": f"“{State(to).label}”须通过 {OWN_SERVICE[to]} 办理"})
    if to not in State.values:
        raise ValidationError({"to": f"未知环节：{to}"})
    with transaction.atomic():
        case, _step_taken = _step(_locked(case), to=to, actor=actor, on=on, note=note)
    return case


def exit_verify(
    *,
    case: Case,
    actor,
    income_per_capita: Decimal,
    food: bool,
    clothing: bool,
    education: bool,
    medical: bool,
    housing: bool,
    on: datetime.date | None = None,
    note: str = "",
) -> Verification:
    """入户核实: the home visit records the per-capita income against the poverty line of the exit's
    year and the household's standard (plans.PovertyLine, held with its source), and the 两不愁三保障
    checklist. Its income is the year's income record (recorded by it when the year has none, else
    equal to it, or refused naming income_per_capita). It is recorded whatever it finds; a result below the line or with an unmet item keeps
    the exit back until a reviewer overrides it with a reason (verification_override). Where the
    year's line is not on record the income is flagged "line unknown", not refused."""
    with transaction.atomic():
        case = _locked(case)
        if case.kind != Kind.EXIT:
            raise ValidationError({"to": "入户核实只用于退出流程"})
        line = PovertyLine.objects.filter(year=case.year, standard=case.household.standard).first()
        verification = Verification(
            case=case, income_per_capita=income_per_capita, line=line, line_amount=line.amount if line else None,
            food=food, clothing=clothing, education=education, medical=medical, housing=housing,
        )
        _step(case, to=State.VERIFIED, actor=actor, on=on, note=note)
        verification.full_clean(exclude=["case", "line"])  # refused, the step above is rolled back
        # The visit's income and the year's income record are one figure: recorded here when the
        # year has none, else the visit must find the same.
        registry.income_agree(actor=actor, household=case.household, year=case.year,
                              income_per_capita=income_per_capita, field="income_per_capita")
        verification.save()
    return verification


def verification_income_follow(income) -> None:
    """A year's income record changed (households.services.income_change): the home visits of the
    household's exits of that year take the figure, so that the visit, the exit record and the
    income stay one figure. The line it is judged against stays the one recorded at the visit.
    One query (registered in WorkflowsConfig.ready())."""
    Verification.objects.filter(case__household_id=income.household_id, case__kind=Kind.EXIT,
                                case__year=income.year).exclude(income_per_capita=income.per_capita).update(
        income_per_capita=income.per_capita)


def verification_override(*, case: Case, actor, reason: str) -> Verification:
    """A reviewer lets an exit through whose home visit fell short, saying why (e.g. income counted
    before a known payment, a house being rebuilt with the 造福工程 grant)."""
    if not access.may_override_verification(actor):
        raise Refused("只有审核员可以放行未通过入户核实的退出")
    reason = (reason or "").strip()
    with transaction.atomic():
        case = _locked(case)
        if case.state != State.VERIFIED:
            raise ValidationError({"state": f"当前环节为“{case.get_state_display()}”，只有入户核实后才能放行"})
        if not access.counties_visible_to(actor).filter(pk=case.county_code).exists():
            raise Refused("该户不在您的范围内")
        verification = case.verification
        if not verification.problems():
            raise ValidationError({"verification": "入户核实已通过，无需放行"})
        if verification.override_reason:
            raise ValidationError({"verification": "已放行"})
        if not reason:
            raise ValidationError({"override_reason": "放行必须说明理由"})
        verification.override_reason, verification.overridden_by = reason, person(actor)
        verification.overridden_by_name, verification.overridden_at = _name(actor), timezone.now()
        verification.save()
    return verification


def identification_register(*, case: Case, actor, number: str, on: datetime.date | None = None) -> Household:
    """建档: after the county's announcement (公告) the household enters the registry. A new applicant
    becomes a household with the applicant as its head (household_save: further members are added
    as for any household); a household that fell back gets its return record (return_save)."""
    with transaction.atomic():
        case = _locked(case)
        if case.kind != Kind.IDENTIFICATION:
            raise ValidationError({"to": "建档只用于识别流程"})
        case, step = _step(case, to=State.REGISTERED, actor=actor, on=on)
        if case.household_id:
            registry.return_save(actor=actor, record=ReturnRecord(household=case.household, year=case.year, reason=case.reason,
                                                     verified_by=_name(actor)))
            return case.household
        household = Household(
            number=(number or "").strip(), village=case.village, category=case.category, main_cause=case.main_cause,
            identified_year=case.year, standard=case.standard, income_per_capita=case.income_per_capita,
        )
        head = Member(name=case.applicant_name, id_number=case.applicant_id_number, relation=Member.Relation.HEAD,
                      labor=case.applicant_labor)
        registry.household_save(actor=actor, household=household, members=[head], county=case.county_code)
        case.household = household
        case.save(update_fields=["household"])
    return household


def exit_close(*, case: Case, actor, on: datetime.date | None = None) -> ExitRecord:
    """县审批、脱贫销号: the county approves the exit and the household's exit record is written
    (exit_save: one a year, not before identification, from registered or returned). Only now does
    the exit count against the quota."""
    with transaction.atomic():
        case = _locked(case)
        if case.kind != Kind.EXIT:
            raise ValidationError({"to": "脱贫销号只用于退出流程"})
        case, step = _step(case, to=State.CLOSED, actor=actor, on=on)
        verification = case.verification
        verified_by = case.steps.get(state=State.VERIFIED).by_name
        record = ExitRecord(household=case.household, year=case.year, income_per_capita=verification.income_per_capita,
                            verified_by=verified_by)
        return registry.exit_save(actor=actor, record=record)


def case_reject(*, case: Case, actor, reason: str, on: datetime.date | None = None) -> Case:
    """未通过: whoever would take the next step ends the case, saying why (评议未通过, 异议成立, 核实不符)."""
    reason = (reason or "").strip()
    on = on or timezone.localdate()
    with transaction.atomic():
        case = _locked(case)
        if case.state in FINAL:
            raise ValidationError({"state": f"该流程已{case.get_state_display()}，不能再办理"})
        level = LEVELS[case.next_state]
        _require_level(actor, village=case.village_id, level=level)
        if not reason:
            raise ValidationError({"reason": "终止流程必须说明理由"})
        _check_date(case, on)
        Step.objects.create(case=case, state=State.REJECTED, level=level, on=on, by=person(actor), by_name=_name(actor),
                            note=reason)
        case.state = State.REJECTED
        case.save(update_fields=["state"])
    return case


def objection_raise(*, case: Case, actor, content: str, raised_by: str = "", on: datetime.date | None = None) -> Objection:
    """An objection to a public notice, recorded by whoever holds the notice (the village for 村公示,
    the township for 乡镇公示, the county for 公告), on a day within it."""
    on = on or timezone.localdate()
    with transaction.atomic():
        case = _locked(case)
        if case.state not in NOTICES:
            raise ValidationError({"state": f"当前环节为“{case.get_state_display()}”，不在公示期"})
        notice = case.steps.get(state=case.state)
        _require_level(actor, village=case.village_id, level=notice.level)
        if not notice.notice_start <= on < notice.notice_end:
            raise ValidationError({"raised_on": f"{on}不在公示期（{notice.notice_start}至{notice.notice_end}前）内"})
        objection = Objection(step=notice, raised_on=on, raised_by=(raised_by or "").strip(),
                              content=(content or "").strip())
        objection.full_clean(exclude=["step"])
        objection.save()
    return objection


def objection_decide(*, objection: Objection, actor, outcome: str, decision: str,
                     on: datetime.date | None = None) -> Objection:
    """The notice's holder decides an objection, saying why: upheld stops the case (case_reject),
    dismissed lets it go on once the notice period is over."""
    on = on or timezone.localdate()
    decision = (decision or "").strip()
    with transaction.atomic():
        objection = Objection.objects.select_for_update(of=("self",)).select_related("step__case").get(pk=objection.pk)
        _require_level(actor, village=objection.step.case.village_id, level=objection.step.level)
        errors = {}
        if objection.outcome != Outcome.PENDING:
            errors["outcome"] = f"该异议已处理（{objection.get_outcome_display()}）"
        elif outcome not in (Outcome.UPHELD, Outcome.DISMISSED):
            errors["outcome"] = "处理结果须为 upheld（异议成立）或 dismissed（异议不成立）"
        if not decision:
            errors["decision"] = "请填写处理意见"
        if on < objection.raised_on or on > timezone.localdate():
            errors["decided_on"] = f"处理日期须在异议提出之日（{objection.raised_on}）与今天之间"
        if errors:
            raise ValidationError(errors)
        objection.outcome, objection.decision, objection.decided_on, objection.decided_by = outcome, decision, on, person(actor)
        objection.save()
    return objection
