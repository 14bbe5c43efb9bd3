"""The identification and exit workflows: every state, every step out of turn, every role that may
not take a step, the notice period and its objections, the home visit against the poverty line."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from common.actors import SYSTEM
from households import services as registry
from households.models import ExitRecord, Household, ReturnRecord
from plans.selectors import quota_progress
from workflows import services
from workflows.models import FLOWS, Case, Kind, Level, Outcome, State
from workflows.selectors import in_tray, pending_exits

from .steps import D, application, day, take, walk


def fields_of(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


# ---------------------------------------------------------------- every state


def test_identification_walks_through_every_state_to_a_registered_household(village, ninghua_clerk):
    case = application(village, ninghua_clerk)
    assert case.state == State.APPLIED and case.household is None
    seen = [case.state]
    case, _ = walk(case, ninghua_clerk, until=State.ANNOUNCED)
    seen += [s.state for s in case.steps.all()][1:]
    household = take(case, State.REGISTERED, ninghua_clerk, day(60), number="NH-NEW")
    case.refresh_from_db()
    assert seen + [case.state] == FLOWS[Kind.IDENTIFICATION]
    assert case.household == household and household.status == Household.Status.REGISTERED
    assert (household.number, household.identified_year, household.village) == ("NH-NEW", 2016, village)
    head = household.members.get()
    assert (head.name, head.relation, head.id_number) == ("李四", "head", case.applicant_id_number)
    steps = list(case.steps.order_by("on"))
    assert [s.level for s in steps] == [Level.VILLAGE] * 3 + [Level.TOWNSHIP] * 2 + [Level.COUNTY] * 3
    assert {s.by_name for s in steps} == {"clerk_ninghua"} and all(s.by == ninghua_clerk for s in steps)
    notices = [s for s in steps if s.notice_start]
    assert [s.state for s in notices] == [State.VILLAGE_NOTICE, State.TOWNSHIP_NOTICE, State.ANNOUNCED]
    assert all(s.notice_end - s.notice_start == datetime.timedelta(days=7) for s in notices)


def test_exit_walks_through_every_state_and_ends_with_the_exit_record(poor, ninghua_clerk):
    case = services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=D)
    case, n = walk(case, ninghua_clerk, until=State.TOWNSHIP_REVIEWED)
    assert [s.state for s in case.steps.order_by("on")] == FLOWS[Kind.EXIT][:-1]
    assert not ExitRecord.objects.exists()
    record = take(case, State.CLOSED, ninghua_clerk, day(n))
    case.refresh_from_db()
    poor.refresh_from_db()
    assert case.state == State.CLOSED and poor.status == Household.Status.EXITED
    assert (record.year, record.income_per_capita, record.persons, record.verified_by) == (
        2016, Decimal("3500"), 2, "clerk_ninghua")


def test_an_exit_counts_for_the_quota_only_when_approved_and_shows_as_pending_before(poor, ninghua_clerk):
    def exited_2016():
        return next(r.exited for r in quota_progress(year=2016, county="350424"))

    case = services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=D)
    case, n = walk(case, ninghua_clerk, until=State.TOWNSHIP_REVIEWED)
    assert pending_exits() == {("350424", 2016): {"households": 1, "persons": 2}}
    assert pending_exits(counties=["350425"]) == {}
    assert exited_2016() == 0
    take(case, State.CLOSED, ninghua_clerk, day(n))
    assert pending_exits() == {} and exited_2016() == 2


def test_a_return_is_identified_again_and_ends_with_the_return_record(poor, ninghua_clerk):
    registry.exit_save(actor=SYSTEM, record=ExitRecord(household=poor, year=2015, income_per_capita=Decimal("3000")))
    case = services.return_apply(actor=ninghua_clerk, household=poor, year=2016, reason="因病返贫", on=D)
    case, n = walk(case, ninghua_clerk, until=State.ANNOUNCED)
    take(case, State.REGISTERED, ninghua_clerk, day(n))
    poor.refresh_from_db()
    assert poor.status == Household.Status.RETURNED
    assert ReturnRecord.objects.get(household=poor).reason == "因病返贫"


def test_only_an_exited_household_is_identified_as_returned(poor, ninghua_clerk):
    with pytest.raises(ValidationError) as e:
        services.return_apply(actor=ninghua_clerk, household=poor, year=2016, reason="因病返贫", on=D)
    assert fields_of(e) == {"household"}


# ---------------------------------------------------------------- steps out of turn


@pytest.mark.parametrize("kind", [Kind.IDENTIFICATION, Kind.EXIT])
def test_every_step_but_the_next_is_refused_in_every_state(kind, village, poor, ninghua_clerk):
    if kind == Kind.IDENTIFICATION:
        case = application(village, ninghua_clerk)
    else:
        case = services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=D)
    flow, n = FLOWS[kind], 1
    while case.state != flow[-1]:
        for wrong in [s for s in flow if s != case.next_state]:
            with pytest.raises(ValidationError) as e:
                take(case, wrong, ninghua_clerk, day(n + 7))
            assert fields_of(e) & {"to", "state"}, wrong
            case.refresh_from_db()
        take(case, case.next_state, ninghua_clerk, day(n + 7))
        case.refresh_from_db()
        n += 7
    for any_step in flow:  # a closed or registered case takes no step at all
        with pytest.raises(ValidationError) as e:
            take(case, any_step, ninghua_clerk, day(n + 7))
        assert fields_of(e) & {"to", "state"}


def test_a_step_with_its_own_service_is_not_taken_by_advancing(poor, ninghua_clerk):
    case = services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=D)
    with pytest.raises(ValidationError) as e:
        services.case_advance(case=case, to=State.VERIFIED, actor=ninghua_clerk, on=day(1))
    assert "exit_verify" in str(e.value)


def test_a_step_is_not_dated_after_today_nor_before_the_step_it_follows(poor, ninghua_clerk):
    case = services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=D)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for on in (tomorrow, D - datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as e:
            take(case, State.VERIFIED, ninghua_clerk, on)
        assert fields_of(e) == {"on"}
    assert Case.objects.get().state == State.PROPOSED


def test_a_rejected_case_takes_no_further_step_and_frees_the_household(poor, ninghua_clerk):
    case = services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=D)
    with pytest.raises(ValidationError) as e:
        services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=D)
    assert fields_of(e) == {"household"}
    with pytest.raises(ValidationError) as e:
        services.case_reject(case=case, actor=ninghua_clerk, reason="", on=day(1))
    assert fields_of(e) == {"reason"}
    services.case_reject(case=case, actor=ninghua_clerk, reason="评议未通过", on=day(1))
    case.refresh_from_db()
    assert case.state == State.REJECTED and case.steps.get(state=State.REJECTED).note == "评议未通过"
    with pytest.raises(ValidationError) as e:
        take(case, State.VERIFIED, ninghua_clerk, day(2))
    assert fields_of(e) == {"state"}
    assert services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=day(2)).state == State.PROPOSED


def test_the_last_step_obeys_the_registry_rules_and_leaves_nothing_half_done(poor, ninghua_clerk):
    """An exit written directly meanwhile (a paper approval through the admin): exit_save refuses a
    second exit from an exited household, and the case stays where it was."""
    case = services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=D)
    case, n = walk(case, ninghua_clerk, until=State.TOWNSHIP_REVIEWED)
    # At the figure of the home visit, the year's income record (another figure is refused: one figure).
    registry.exit_save(actor=SYSTEM, record=ExitRecord(household=poor, year=2016, income_per_capita=Decimal("3500")))
    with pytest.raises(ValidationError) as e:
        take(case, State.CLOSED, ninghua_clerk, day(n))
    assert "household" in fields_of(e) or "year" in fields_of(e)
    case.refresh_from_db()
    assert case.state == State.TOWNSHIP_REVIEWED and not case.steps.filter(state=State.CLOSED).exists()


def test_an_applicant_already_in_an_active_household_or_with_a_bad_id_is_refused(village, poor, ninghua_clerk):
    with pytest.raises(ValidationError) as e:
        application(village, ninghua_clerk, applicant_id_number=poor.members.first().id_number)
    assert fields_of(e) == {"applicant_id_number"}
    with pytest.raises(ValidationError) as e:
        application(village, ninghua_clerk, applicant_id_number="350424197005171230")
    assert fields_of(e) == {"applicant_id_number"}
    first = application(village, ninghua_clerk)
    with pytest.raises(ValidationError) as e:
        application(village, ninghua_clerk, applicant_id_number=first.applicant_id_number)
    assert fields_of(e) == {"applicant_id_number"}


# ---------------------------------------------------------------- who may take a step


@pytest.fixture(params=["city_reviewer", "health_department", "datian_clerk", "writing_client", "api_reader"])
def outsider(request, db):
    if request.param == "api_reader":
        from households.services import role_grant

        return role_grant(actor=SYSTEM, username="province_reader", role="system_client", counties=["350424"])
    return request.getfixturevalue(request.param)


def test_no_other_role_opens_a_case(outsider, village, poor):
    with pytest.raises(PermissionDenied):
        application(village, outsider)
    with pytest.raises(PermissionDenied):
        services.exit_propose(actor=outsider, household=poor, year=2016, on=D)
    assert not Case.objects.exists()


@pytest.mark.parametrize("before", [State.APPLIED, State.VILLAGE_NOTICE, State.TOWNSHIP_NOTICE, State.ANNOUNCED])
def test_no_other_role_takes_a_village_township_or_county_step(before, outsider, village, ninghua_clerk):
    """The next step of these states is the village's, the township's, the county's, and 建档."""
    case, n = walk(application(village, ninghua_clerk), ninghua_clerk, until=before)
    with pytest.raises(PermissionDenied):
        take(case, case.next_state, outsider, day(n))
    with pytest.raises(PermissionDenied):
        services.case_reject(case=case, actor=outsider, reason="不符合", on=day(n))
    case.refresh_from_db()
    assert case.state == before


def test_a_superuser_takes_any_step(village, admin_user):
    case, _ = walk(application(village, admin_user), admin_user, until=State.TOWNSHIP_REVIEWED)
    assert case.steps.count() == 4


# ---------------------------------------------------------------- the notice period and objections


def at_village_notice(village, clerk):
    case = application(village, clerk)
    take(case, State.VILLAGE_REVIEWED, clerk, day(1))
    take(case, State.VILLAGE_NOTICE, clerk, day(2))
    case.refresh_from_db()
    return case  # the notice runs from day(2); the next step from day(9)


def test_the_next_step_waits_until_the_notice_period_has_passed(village, ninghua_clerk):
    case = at_village_notice(village, ninghua_clerk)
    with pytest.raises(ValidationError) as e:
        take(case, State.TOWNSHIP_REVIEWED, ninghua_clerk, day(8))
    assert fields_of(e) == {"on"}
    take(case, State.TOWNSHIP_REVIEWED, ninghua_clerk, day(9))
    assert Case.objects.get().state == State.TOWNSHIP_REVIEWED


def test_the_notice_period_is_a_setting(village, ninghua_clerk, settings):
    settings.WORKFLOW_NOTICE_DAYS = 3
    case = at_village_notice(village, ninghua_clerk)
    assert case.steps.get(state=State.VILLAGE_NOTICE).notice_end == day(5)
    take(case, State.TOWNSHIP_REVIEWED, ninghua_clerk, day(5))


def test_a_pending_objection_holds_the_case_and_a_dismissed_one_lets_it_go(village, ninghua_clerk):
    case = at_village_notice(village, ninghua_clerk)
    objection = services.objection_raise(case=case, actor=ninghua_clerk, content="家有轿车", raised_by="村民甲",
                                         on=day(4))
    with pytest.raises(ValidationError) as e:
        take(case, State.TOWNSHIP_REVIEWED, ninghua_clerk, day(10))
    assert fields_of(e) == {"objections"}
    with pytest.raises(ValidationError) as e:
        services.objection_decide(objection=objection, actor=ninghua_clerk, outcome=Outcome.DISMISSED, decision="",
                                  on=day(6))
    assert fields_of(e) == {"decision"}
    services.objection_decide(objection=objection, actor=ninghua_clerk, outcome=Outcome.DISMISSED,
                              decision="核实为借用亲戚车辆", on=day(6))
    objection.refresh_from_db()
    assert (objection.outcome, objection.decided_by, objection.decided_on) == (Outcome.DISMISSED, ninghua_clerk, day(6))
    take(case, State.TOWNSHIP_REVIEWED, ninghua_clerk, day(10))


def test_an_upheld_objection_stops_the_case_which_can_then_only_be_rejected(village, ninghua_clerk):
    case = at_village_notice(village, ninghua_clerk)
    objection = services.objection_raise(case=case, actor=ninghua_clerk, content="家有商铺出租", on=day(3))
    services.objection_decide(objection=objection, actor=ninghua_clerk, outcome=Outcome.UPHELD,
                              decision="核实属实", on=day(5))
    with pytest.raises(ValidationError) as e:
        take(case, State.TOWNSHIP_REVIEWED, ninghua_clerk, day(30))
    assert fields_of(e) == {"objections"}
    with pytest.raises(ValidationError) as e:
        services.objection_decide(objection=objection, actor=ninghua_clerk, outcome=Outcome.DISMISSED,
                                  decision="改判", on=day(6))
    assert fields_of(e) == {"outcome"}
    services.case_reject(case=case, actor=ninghua_clerk, reason="公示期异议成立", on=day(30))
    assert Case.objects.get().state == State.REJECTED


def test_an_objection_is_raised_only_within_a_notice_by_whoever_holds_it(village, ninghua_clerk, datian_clerk):
    case = application(village, ninghua_clerk)
    with pytest.raises(ValidationError) as e:
        services.objection_raise(case=case, actor=ninghua_clerk, content="不符合", on=D)
    assert fields_of(e) == {"state"}
    take(case, State.VILLAGE_REVIEWED, ninghua_clerk, day(1))
    take(case, State.VILLAGE_NOTICE, ninghua_clerk, day(2))
    case.refresh_from_db()
    for outside in (day(1), day(9)):
        with pytest.raises(ValidationError) as e:
            services.objection_raise(case=case, actor=ninghua_clerk, content="不符合", on=outside)
        assert fields_of(e) == {"raised_on"}
    with pytest.raises(PermissionDenied):
        services.objection_raise(case=case, actor=datian_clerk, content="不符合", on=day(3))


# ---------------------------------------------------------------- the home visit against the line


def verified(poor, clerk, *, year=2016, **fields):
    case = services.exit_propose(actor=clerk, household=poor, year=year, on=D)
    verification = take(case, State.VERIFIED, clerk, day(1), **fields)
    case.refresh_from_db()
    return case, verification


def test_the_home_visit_compares_the_income_with_the_line_of_the_year_and_standard(poor, ninghua_clerk):
    case, verification = verified(poor, ninghua_clerk, income_per_capita=Decimal("2952"))
    assert verification.line.year == 2016 and verification.line_amount == Decimal("2952.00")
    assert verification.passed and not verification.line_unknown  # at the line is not below it
    take(case, State.SIGNED, ninghua_clerk, day(2))


@pytest.mark.parametrize("shortfall", [{"income_per_capita": Decimal("2951.99")}, {"housing": False}])
def test_an_exit_below_the_line_or_with_an_unmet_item_is_refused_until_a_reviewer_overrides_it(
    shortfall, poor, ninghua_clerk, city_reviewer
):
    case, verification = verified(poor, ninghua_clerk, **shortfall)
    assert case.state == State.VERIFIED and not verification.passed
    with pytest.raises(ValidationError) as e:
        take(case, State.SIGNED, ninghua_clerk, day(2))
    assert fields_of(e) == {"verification"}
    with pytest.raises(PermissionDenied):
        services.verification_override(case=case, actor=ninghua_clerk, reason="我县已核实")
    with pytest.raises(ValidationError) as e:
        services.verification_override(case=case, actor=city_reviewer, reason=" ")
    assert fields_of(e) == {"override_reason"}
    services.verification_override(case=case, actor=city_reviewer, reason="年底分红已到账，收入达标")
    verification.refresh_from_db()
    assert verification.passed and verification.overridden_by == city_reviewer
    assert verification.overridden_by_name == "reviewer" and verification.overridden_at is not None
    take(case, State.SIGNED, ninghua_clerk, day(2))


def test_a_passed_home_visit_needs_no_override(poor, ninghua_clerk, city_reviewer):
    case, _ = verified(poor, ninghua_clerk)
    with pytest.raises(ValidationError) as e:
        services.verification_override(case=case, actor=city_reviewer, reason="放行")
    assert fields_of(e) == {"verification"}


@pytest.mark.parametrize("year, standard", [(2018, "national"), (2016, "provincial")])
def test_a_line_not_on_record_is_flagged_unknown_not_refused(year, standard, poor, ninghua_clerk):
    Household.objects.filter(pk=poor.pk).update(standard=standard)
    poor.refresh_from_db()
    case, verification = verified(poor, ninghua_clerk, year=year, income_per_capita=Decimal("100"))
    assert verification.line_unknown and verification.line is None and verification.passed
    take(case, State.SIGNED, ninghua_clerk, day(2))


# ---------------------------------------------------------------- the in-tray


def test_the_in_tray_says_who_each_open_case_waits_on_with_counts(
    village, poor, ninghua_clerk, datian_clerk, city_reviewer
):
    applied = application(village, ninghua_clerk)  # waits on the village (评议)
    noticed = application(village, ninghua_clerk)
    take(noticed, State.VILLAGE_REVIEWED, ninghua_clerk, day(1))
    take(noticed, State.VILLAGE_NOTICE, ninghua_clerk, day(2))  # a notice running on day(4)
    short, _ = verified(poor, ninghua_clerk, income_per_capita=Decimal("1000"))  # waits on the reviewer
    tasks, counts = in_tray(user=ninghua_clerk, on=day(4))
    assert counts == {"village": 1, "township": 0, "county": 0, "reviewer": 1, "notice": 1}
    assert {t.case.pk: t.waits_on for t in tasks} == {applied.pk: "village", noticed.pk: "notice", short.pk: "reviewer"}
    later, counts = in_tray(user=ninghua_clerk, on=day(9))  # the notice is over: the township's turn
    assert counts["township"] == 1 and counts["notice"] == 0
    assert [t.case.pk for t in in_tray(user=city_reviewer, waits_on="reviewer", on=day(4))[0]] == [short.pk]
    assert in_tray(user=datian_clerk, on=day(4)) == ([], {"village": 0, "township": 0, "county": 0, "reviewer": 0,
                                                         "notice": 0})


def test_a_pending_objection_waits_on_whoever_holds_the_notice(village, ninghua_clerk):
    case = at_village_notice(village, ninghua_clerk)
    services.objection_raise(case=case, actor=ninghua_clerk, content="不符合", on=day(3))
    [task], _ = in_tray(user=ninghua_clerk, on=day(4))
    assert task.waits_on == "village" and "异议" in task.task


def test_only_whoever_holds_the_notice_decides_its_objections(village, ninghua_clerk, outsider):
    case = at_village_notice(village, ninghua_clerk)
    objection = services.objection_raise(case=case, actor=ninghua_clerk, content="不符合", on=day(3))
    with pytest.raises(PermissionDenied):
        services.objection_decide(objection=objection, actor=outsider, outcome=Outcome.DISMISSED, decision="不成立",
                                  on=day(4))
    objection.refresh_from_db()
    assert objection.outcome == Outcome.PENDING
