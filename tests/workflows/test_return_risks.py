"""The risk of a return to poverty (返贫风险, docs/return-risks.md): the rules on a registry where each is
planted, the stored warnings' life (raised, kept, cleared, dismissed), the clerk's follow-ups and
their refusals, and a later return linked to its warning."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils.timezone import localdate as today

from common.actors import SYSTEM
from common.refusals import Refused
from households import services
from households.models import HelperAssignment, HelperVisit, HouseholdIncome, ReliefMeasure, ReturnRecord
from tests.conftest import DATIAN, NINGHUA
from workflows.risk_models import ReturnRisk, RiskFollowUp, RiskState
from workflows.risk_selectors import return_risks_found, risk_counts, risks_listed
from workflows.risk_services import return_risks_refresh, risk_follow_up

from .risk_world import EXPECTED, build_risks

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(places):
    return build_risks(places)


def numbers(found: dict) -> dict[str, set[str]]:
    from households.models import Household
    names = dict(Household.objects.values_list("pk", "number"))
    return {names[pk]: set(reasons) for pk, reasons in found.items()}


def open_risk(h) -> ReturnRisk:
    return ReturnRisk.objects.get(household=h, state=RiskState.OPEN)


# ---------------------------------------------------------------- the rules


def test_rules_flag_exactly_the_planted_households_and_reasons(world):
    assert numbers(return_risks_found()) == EXPECTED


def test_rules_say_what_they_found_in_chinese(world):
    found = return_risks_found()
    assert found[world.low.pk]["low_income"] == "2016年人均纯收入2,900.00元，低于当年贫困线2,952.00元"
    assert found[world.near.pk]["low_income"] == "2016年人均纯收入3,200.00元，仅高出当年贫困线2,952.00元的8.4%（不足10%）"
    assert found[world.drop.pk]["income_drop"] == "2016年人均纯收入3,300.00元，较2015年的4,200.00元下降21.4%（超过20%）"
    assert found[world.ill.pk]["health"].startswith("成员李妻于") and found[world.ill.pk]["health"].endswith(
        "由“健康”登记为“大病”")
    assert "孙子（普通劳动力）其他迁出，家中再无劳动力" in found[world.lost.pk]["lost_labourer"]


def test_rules_take_their_shares_from_the_settings(world, settings):
    settings.RETURN_RISK_INCOME_MARGIN = Decimal("0.15")  # 3,300 is 11.8 % above the line: now near it
    settings.RETURN_RISK_INCOME_DROP = Decimal("0.15")  # 4,000 → 3,300 is down 17.5 %: now a fall
    found = numbers(return_risks_found())
    assert found["R-SAFE"] == {"low_income", "income_drop"}
    assert found["R-DROP"] == {"low_income", "income_drop"}


def test_a_year_without_a_line_on_record_is_not_judged_against_one(world):
    services.income_record(actor=SYSTEM, household=world.low, year=2017, total=Decimal("2900"))  # no 2017 line
    assert "R-LOW" not in numbers(return_risks_found())


def test_the_twelve_months_end_on_the_day_asked(world):
    a_year_on = today() + datetime.timedelta(days=366)  # the illness of today and the move of a month ago drop out
    found = numbers(return_risks_found(on=a_year_on))
    assert "R-ILL" not in found and "R-LOST" not in found and found["R-DATIAN"] == {"low_income"}


def test_rules_of_one_county(world):
    assert numbers(return_risks_found(county=DATIAN)) == {"R-DATIAN": {"low_income", "lost_labourer"}}


# ---------------------------------------------------------------- the stored warnings


def test_refresh_raises_a_warning_a_household_and_keeps_them_on_a_second_run(world):
    assert return_risks_refresh(actor=SYSTEM)["raised"] == len(EXPECTED)
    first = set(ReturnRisk.objects.values_list("pk", flat=True))
    again = return_risks_refresh(actor=SYSTEM)
    assert (again["raised"], again["kept"], again["cleared"]) == (0, len(EXPECTED), 0)
    assert set(ReturnRisk.objects.values_list("pk", flat=True)) == first
    assert open_risk(world.datian).reasons == ["low_income", "lost_labourer"]


def test_a_household_flagged_no_more_is_cleared(world):
    return_risks_refresh(actor=SYSTEM)
    income = HouseholdIncome.objects.get(household=world.low, year=2016)
    services.income_change(actor=SYSTEM, income=income, total=Decimal("3000"))  # 3,000 is within 10 %: still flagged
    assert return_risks_refresh(actor=SYSTEM)["cleared"] == 0
    services.income_change(actor=SYSTEM, income=income, total=Decimal("3500"))
    assert return_risks_refresh(actor=SYSTEM)["cleared"] == 1
    risk = ReturnRisk.objects.get(household=world.low)
    assert (risk.state, risk.closed_on) == (RiskState.CLEARED, today())


def test_a_dismissed_household_is_not_warned_again_until_a_new_reason(world, ninghua_clerk):
    return_risks_refresh(actor=SYSTEM)
    risk_follow_up(actor=ninghua_clerk, risk=open_risk(world.drop), kind="no_risk", note="子女外出务工，收入已回升")
    return_risks_refresh(actor=SYSTEM)
    assert not ReturnRisk.objects.filter(household=world.drop, state=RiskState.OPEN).exists()
    services.member_save(actor=SYSTEM, member=_ill(world.drop.members.get()))
    return_risks_refresh(actor=SYSTEM)
    assert open_risk(world.drop).reasons == ["income_drop", "health"]


def _ill(m):
    m.health = "disabled"
    return m


def test_refresh_of_a_county_leaves_the_others(world):
    assert return_risks_refresh(actor=SYSTEM, county=DATIAN)["raised"] == 1
    assert set(ReturnRisk.objects.values_list("household__number", flat=True)) == {"R-DATIAN"}


def test_a_clerk_refreshes_only_their_county(world, ninghua_clerk, city_reviewer):
    with pytest.raises(Refused) as refused:
        return_risks_refresh(actor=ninghua_clerk, county=DATIAN)
    assert refused.value.field == "county"
    with pytest.raises(Refused):
        return_risks_refresh(actor=ninghua_clerk)
    assert not ReturnRisk.objects.exists()
    assert return_risks_refresh(actor=ninghua_clerk, county=NINGHUA)["raised"] == len(EXPECTED) - 1
    assert return_risks_refresh(actor=city_reviewer)["raised"] == 1


def test_one_open_warning_a_household_in_the_database(world):
    return_risks_refresh(actor=SYSTEM)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnRisk.objects.create(household=world.low, low_income=True, raised_on=today(), refreshed_on=today())


def test_lists_and_counts_are_scoped_and_filtered(world, ninghua_clerk, datian_clerk, city_reviewer):
    return_risks_refresh(actor=SYSTEM)
    listed = lambda user, **kw: {r.household.number for r in risks_listed(user=user, **kw)}  # noqa: E731
    assert listed(datian_clerk) == {"R-DATIAN"}
    assert listed(ninghua_clerk) == set(EXPECTED) - {"R-DATIAN"}
    assert listed(city_reviewer, reason="lost_labourer") == {"R-LOST", "R-DATIAN"}
    assert listed(city_reviewer, county=DATIAN) == {"R-DATIAN"}
    counts = risk_counts(risks_listed(user=city_reviewer))
    assert [(c["county"], c["total"], c["reasons"]["low_income"], c["reasons"]["lost_labourer"]) for c in counts] == [
        (NINGHUA, 5, 2, 1), (DATIAN, 1, 1, 1)]


# ---------------------------------------------------------------- follow-ups


@pytest.fixture
def warned(world):
    return_risks_refresh(actor=SYSTEM)
    return world


def _measure(h, **fields) -> ReliefMeasure:
    fields = {"channel_id": "skills_training", "year": 2016, "content": "技能培训", **fields}
    return services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=h, **fields))


def _visit(h, on=None) -> HelperVisit:
    assignment = HelperAssignment.objects.filter(household=h).first()
    if assignment is None:
        helper = services.helper_create(actor=SYSTEM, county=h.village.township.county_id, name=f"帮扶{h.number}",
                                        unit="宁化县扶贫办")
        assignment = services.assignment_start(actor=SYSTEM, household=h, helper=helper,
                                               started_on=datetime.date(2016, 1, 1))
    return services.visit_record(actor=SYSTEM, assignment=assignment, visited_on=on or today(), kind="home", found="收入下降")


def test_a_clerk_follows_up_with_a_measure_a_visit_and_no_risk(warned, ninghua_clerk):
    risk = open_risk(warned.drop)
    risk_follow_up(actor=ninghua_clerk, risk=risk, kind="measure", measure=_measure(warned.drop))
    risk_follow_up(actor=ninghua_clerk, risk=risk, kind="visit", visit=_visit(warned.drop))
    assert ReturnRisk.objects.get(pk=risk.pk).state == RiskState.OPEN  # still at risk: followed, not closed
    risk_follow_up(actor=ninghua_clerk, risk=risk, kind="no_risk", note="在厦门务工，收入稳定")
    risk.refresh_from_db()
    assert (risk.state, risk.closed_on) == (RiskState.DISMISSED, today())
    assert list(risk.follow_ups.values_list("kind", "recorded_by__username")) == [
        ("measure", "clerk_ninghua"), ("visit", "clerk_ninghua"), ("no_risk", "clerk_ninghua")]


def refused(field: str, **kwargs) -> str:
    before = RiskFollowUp.objects.count()
    with pytest.raises((ValidationError, Refused)) as e:
        risk_follow_up(**kwargs)
    assert RiskFollowUp.objects.count() == before
    if isinstance(e.value, Refused):
        assert e.value.field == field
        return e.value.message
    assert list(e.value.message_dict) == [field]
    return e.value.message_dict[field][0]


def test_no_risk_without_a_reason_is_refused_naming_note(warned, ninghua_clerk):
    assert refused("note", actor=ninghua_clerk, risk=open_risk(warned.low), kind="no_risk", note="  ") == "排除风险须填写理由"
    assert open_risk(warned.low).state == RiskState.OPEN


def test_a_follow_up_in_another_county_is_refused_naming_risk(warned, ninghua_clerk):
    message = refused("risk", actor=ninghua_clerk, risk=open_risk(warned.datian), kind="no_risk", note="无风险")
    assert message == "该户不在您可以修改的县(市、区)内，不能登记返贫风险跟进"


def test_a_role_that_writes_nowhere_is_refused(warned, city_reviewer):
    with pytest.raises(Refused) as e:
        risk_follow_up(actor=city_reviewer, risk=open_risk(warned.low), kind="no_risk", note="无风险")
    assert e.value.field is None and not RiskFollowUp.objects.exists()


def test_bad_follow_ups_are_refused_naming_the_field(warned, ninghua_clerk):
    risk = open_risk(warned.drop)
    other = _measure(warned.low)
    old = _measure(warned.drop, year=2014, date=datetime.date(2014, 5, 1))
    assert refused("kind", actor=ninghua_clerk, risk=risk, kind="phone") == "请选择跟进方式：落实帮扶措施、帮扶走访或排除风险"
    assert refused("measure", actor=ninghua_clerk, risk=risk, kind="measure") == "请选择落实的帮扶措施"
    assert refused("measure", actor=ninghua_clerk, risk=risk, kind="measure", measure=other) == "该帮扶措施不是预警户的措施"
    assert refused("measure", actor=ninghua_clerk, risk=risk, kind="measure",
                   measure=old) == "该帮扶措施（2014年）早于该户脱贫（2015年），不是对预警的跟进"
    assert refused("measure", actor=ninghua_clerk, risk=risk, kind="no_risk", note="x",
                   measure=_measure(warned.drop)) == "只有“落实帮扶措施”选择帮扶措施"
    assert refused("visit", actor=ninghua_clerk, risk=risk, kind="visit") == "请选择帮扶走访记录"
    assert refused("visit", actor=ninghua_clerk, risk=risk, kind="visit", visit=_visit(warned.low)) == "该走访不是对预警户的走访"
    assert "早于预警日期" in refused("visit", actor=ninghua_clerk, risk=risk, kind="visit",
                                   visit=_visit(warned.drop, on=datetime.date(2016, 6, 1)))


def test_a_closed_warning_takes_no_follow_up(warned, ninghua_clerk):
    risk = open_risk(warned.low)
    risk_follow_up(actor=ninghua_clerk, risk=risk, kind="no_risk", note="已就业")
    assert refused("risk", actor=ninghua_clerk, risk=risk, kind="no_risk", note="再说一次") == "该预警已排除风险，不能再登记跟进"


# ---------------------------------------------------------------- a return links to its warning


def test_a_later_return_links_to_the_open_warning(warned, ninghua_clerk):
    risk = open_risk(warned.low)
    record = services.return_save(actor=ninghua_clerk, record=ReturnRecord(household=warned.low, year=2016,
                                                                          reason="收入低于贫困线"))
    risk.refresh_from_db()
    assert (risk.state, risk.return_record, risk.closed_on) == (RiskState.RETURNED, record, today())
    assert ReturnRecord.objects.get(pk=record.pk).risk_warning == risk
    assert return_risks_refresh(actor=SYSTEM)["raised"] == 0  # returned: no longer exited, not warned again
    assert ReturnRisk.objects.get(pk=risk.pk).state == RiskState.RETURNED


def test_a_return_without_an_open_warning_links_to_none(warned, ninghua_clerk):
    risk_follow_up(actor=ninghua_clerk, risk=open_risk(warned.low), kind="no_risk", note="已就业")
    record = services.return_save(actor=ninghua_clerk, record=ReturnRecord(household=warned.low, year=2016))
    assert not ReturnRisk.objects.filter(return_record=record).exists()
    record = services.return_save(actor=ninghua_clerk, record=ReturnRecord(household=warned.safe, year=2016))
    assert not hasattr(ReturnRecord.objects.get(pk=record.pk), "risk_warning")


def test_a_return_taken_back_opens_its_warning_again(warned, ninghua_clerk):
    record = services.return_save(actor=ninghua_clerk, record=ReturnRecord(household=warned.near, year=2016))
    services.return_delete(actor=ninghua_clerk, record=record)
    risk = ReturnRisk.objects.get(household=warned.near)
    assert (risk.state, risk.return_record, risk.closed_on) == (RiskState.OPEN, None, None)


def test_a_refused_return_leaves_the_warning_open(warned, datian_clerk):
    with pytest.raises(Refused):
        services.return_save(actor=datian_clerk, record=ReturnRecord(household=warned.low, year=2016))
    assert open_risk(warned.low).return_record is None


# ---------------------------------------------------------------- the command


def test_command_refreshes_and_says_how_many(world, capsys):
    call_command("return_risks")
    assert capsys.readouterr().out.strip() == f"风险户 {len(EXPECTED)} 户：新预警 {len(EXPECTED)} 条，更新 0 条，解除 0 条"


def test_command_runs_as_a_job(world, capsys):
    call_command("return_risks", "--job", "--county", DATIAN)
    assert "已提交后台任务" in capsys.readouterr().out
    assert set(ReturnRisk.objects.values_list("household__number", flat=True)) == {"R-DATIAN"}


@pytest.mark.parametrize("args, message", [
    (["--county", "999999"], "未知的县(市、区)代码：999999"),
    (["--on", "2016-13-01"], "核算日期应为 YYYY-MM-DD：2016-13-01"),
    (["--on", "tomorrow"], "核算日期不能晚于今天"),  # asked of the clock when the test runs
])
def test_command_refuses_bad_arguments(world, args, message):
    args = [(today() + datetime.timedelta(days=1)).isoformat() if a == "tomorrow" else a for a in args]
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("return_risks", *args)
    assert not ReturnRisk.objects.exists()
