"""The year-end close's steps (issue 19): who submits, accepts, sends back and reopens a county's
year, what a submission needs, and each bad input refused with a reason and nothing written."""

import datetime
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from common.actors import SYSTEM
from common.refusals import Refused
from households.models import FindingExplanation, ReliefMeasure, YearClose
from households.services import exit_delete, measure_save
from plans.close_selectors import close_findings, close_steps, closes_for, parse_close_key
from plans.closes import (
    close_accept,
    close_reopen,
    close_send_back,
    close_submit,
    finding_explain,
    finding_explanation_delete,
)
from tests.conftest import DATIAN, NINGHUA

pytestmark = pytest.mark.django_db

AFTER = datetime.date(2019, 1, 10)  # every plan year has ended


def explain_all(actor, county, year):
    for f in close_findings(county=county, year=year):
        if not f.explained:
            finding_explain(actor=actor, check_code=f.check, county=county, year=year, target=f.target,
                            reason="已核实，情况属实")


def submitted(actor, county=NINGHUA, year=2016):
    explain_all(actor, county, year)
    return close_submit(actor=actor, county=county, year=year, today=AFTER)


def test_clerk_submits_and_reviewer_accepts_keeping_the_figures_and_their_hash(registry, ninghua_clerk, city_reviewer):
    close = submitted(ninghua_clerk)
    assert (close.state, close.submitted_by, close.acted_by) == ("submitted", ninghua_clerk, ninghua_clerk)
    close = close_accept(actor=city_reviewer, county=NINGHUA, year=2016)
    assert close.state == "accepted" and close.accepted_by == city_reviewer
    # The hash is of the stored text's UTF-8, whoever recomputes it; the figures are 宁化's of 2016.
    assert close.figures_sha256 == hashlib.sha256(close.figures.encode("utf-8")).hexdigest()
    figures = json.loads(close.figures)
    assert (figures["county"], figures["year"], figures["progress"]["exited"]) == (NINGHUA, 2016, 2)  # d's two persons
    assert [s.state for s in close_steps(close)] == ["submitted", "accepted"]


def test_once_accepted_the_year_is_frozen_for_everyone_and_reopening_unfreezes_it(registry, ninghua_clerk,
                                                                                 city_reviewer):
    submitted(ninghua_clerk)
    close_accept(actor=city_reviewer, county=NINGHUA, year=2016)
    exit_ = registry.d.exits.get()
    for actor in (ninghua_clerk, SYSTEM):
        with pytest.raises(Refused, match="^宁化县2016年度数据已锁定，不能再改动该年度的记录$"):
            exit_delete(actor=actor, record=exit_)
    assert registry.d.exits.filter(pk=exit_.pk).exists()
    close_reopen(actor=city_reviewer, county=NINGHUA, year=2016, reason="省里核查发现漏报一户")
    exit_delete(actor=ninghua_clerk, record=exit_)
    assert not registry.d.exits.filter(pk=exit_.pk).exists()


def test_sent_back_with_a_reason_then_submitted_again(registry, ninghua_clerk, city_reviewer):
    submitted(ninghua_clerk)
    close = close_send_back(actor=city_reviewer, county=NINGHUA, year=2016, reason="脱贫人数与乡镇上报不符")
    assert (close.state, close.reason, close.acted_by) == ("sent_back", "脱贫人数与乡镇上报不符", city_reviewer)
    close = close_submit(actor=ninghua_clerk, county=NINGHUA, year=2016, today=AFTER)
    assert close.state == "submitted" and close.reason == ""
    assert [s.state for s in close_steps(close)] == ["submitted", "sent_back", "submitted"]


def test_reopened_with_a_reason_keeps_the_old_hash_until_a_new_acceptance(registry, ninghua_clerk, city_reviewer):
    submitted(ninghua_clerk)
    first = close_accept(actor=city_reviewer, county=NINGHUA, year=2016).figures_sha256
    close = close_reopen(actor=city_reviewer, county=NINGHUA, year=2016, reason="省里核查发现漏报一户")
    assert (close.state, close.figures_sha256) == ("reopened", first)
    exit_delete(actor=ninghua_clerk, record=registry.d.exits.get())  # the records change while it is open
    # What the correction moved (check_plan's close.drift.reopened) is named against the year: explained first.
    with pytest.raises(ValidationError, match="重新打开的年度与上次锁定时相比变动的数据"):
        close_submit(actor=ninghua_clerk, county=NINGHUA, year=2016, today=AFTER)
    submitted(ninghua_clerk)
    second = close_accept(actor=city_reviewer, county=NINGHUA, year=2016).figures_sha256
    assert second != first
    hashes = [s.figures_sha256 for s in close_steps(YearClose.objects.get()) if s.state == "accepted"]
    assert hashes == [first, second]


# ---------------------------------------------------------------- bad input: refused, nothing written


def test_a_year_that_has_not_ended_cannot_be_submitted(registry, ninghua_clerk):
    explain_all(ninghua_clerk, NINGHUA, 2018)
    with pytest.raises(ValidationError) as e:
        close_submit(actor=ninghua_clerk, county=NINGHUA, year=2018, today=datetime.date(2018, 12, 31))
    assert "2018年度尚未结束" in e.value.message_dict["year"][0]
    assert not YearClose.objects.exists()


def test_a_year_outside_the_plan_cannot_be_submitted(registry, ninghua_clerk):
    with pytest.raises(ValidationError) as e:
        close_submit(actor=ninghua_clerk, county=NINGHUA, year=2014, today=AFTER)
    assert "没有2014年度" in e.value.message_dict["year"][0]


def test_unexplained_findings_stop_a_submission_and_are_named(registry, ninghua_clerk):
    # a's main cause is illness, and none of its members is ill: a finding without a year.
    with pytest.raises(ValidationError) as e:
        close_submit(actor=ninghua_clerk, county=NINGHUA, year=2016, today=AFTER)
    assert "既未解决也未说明" in e.value.message_dict["year"][0]
    assert "9条核查问题" in e.value.message_dict["year"][0]  # a household's, a person's, a plan check's
    assert "同名同出生日期的人在两个有效户中：户主与户 NH-A 的成员同名同出生日期" in e.value.message_dict["year"][0]
    assert not YearClose.objects.exists()


def test_a_finding_without_a_year_counts_against_every_year_and_is_explained_for_one(registry, ninghua_clerk):
    ill = f"household:{registry.a.pk}"
    standing = {(f.check, f.target) for y in (2015, 2016) for f in close_findings(county=NINGHUA, year=y)}
    assert ("illness_without_ill_member", ill) in standing
    finding_explain(actor=ninghua_clerk, check_code="illness_without_ill_member", county=NINGHUA, year=2016,
                    target=ill, reason="户主患病已治愈，致贫原因待年度调整时更正")
    by_year = {y: {f.target: f for f in close_findings(county=NINGHUA, year=y) if f.check == "illness_without_ill_member"}
               for y in (2015, 2016)}
    assert by_year[2016][ill].explained and by_year[2016][ill].explanation.reason.startswith("户主患病")
    assert not by_year[2015][ill].explained


def test_a_finding_of_a_year_counts_against_that_year_only(registry, ninghua_clerk):
    # a, out in 2015, still receives 医疗救助 in 2017: measures_after_exit carries the measure's year.
    measure_save(actor=SYSTEM, measure=ReliefMeasure(household=registry.a, channel_id="medical_aid", year=2017,
                                                     content="大病救助", amount=Decimal("500")))

    def targets(year):
        return {f.target for f in close_findings(county=NINGHUA, year=year) if f.check == "measures_after_exit"}
    assert targets(2017) == {f"household:{registry.a.pk}"}
    assert targets(2016) == set()


def test_plan_check_items_naming_the_county_count_against_it(registry, ninghua_clerk):
    # 城南村, hollow, had 0 own income in 2016: the 2016 stage's item names the village (a 宁化 code).
    items = [f for f in close_findings(county=NINGHUA, year=2016) if f.check == "village_income.2016"]
    assert [f.target for f in items] == ["item:350424101201 城南村：0.00元"]
    assert not [f for f in close_findings(county=DATIAN, year=2016) if f.check == "village_income.2016"]
    assert not [f for f in close_findings(county=NINGHUA, year=2017) if f.check == "village_income.2016"]


def test_explanations_survive_a_rerun_and_withdrawing_one_counts_it_again(registry, ninghua_clerk):
    explain_all(ninghua_clerk, NINGHUA, 2016)
    assert all(f.explained for f in close_findings(county=NINGHUA, year=2016))
    one = FindingExplanation.objects.filter(check_code="illness_without_ill_member").get()
    finding_explanation_delete(actor=ninghua_clerk, explanation=one)
    assert [f.check for f in close_findings(county=NINGHUA, year=2016) if not f.explained] == [
        "illness_without_ill_member"]


@pytest.mark.parametrize("who", ["datian_clerk", "city_reviewer", "health_department"])
def test_only_the_countys_clerk_submits(registry, ninghua_clerk, who, request):
    explain_all(ninghua_clerk, NINGHUA, 2016)
    with pytest.raises(Refused) as e:
        close_submit(actor=request.getfixturevalue(who), county=NINGHUA, year=2016, today=AFTER)
    assert "宁化县的县扶贫办录入员" in str(e.value)
    assert not YearClose.objects.exists()


@pytest.mark.parametrize("who", ["ninghua_clerk", "datian_clerk", "health_department"])
def test_only_the_city_reviewer_accepts_sends_back_or_reopens(registry, ninghua_clerk, who, request):
    submitted(ninghua_clerk)
    actor = request.getfixturevalue(who)
    for step in (close_accept, close_send_back, close_reopen):
        with pytest.raises(Refused) as e:
            step(actor=actor, county=NINGHUA, year=2016, **({} if step is close_accept else {"reason": "原因"}))
        assert "只有市农业局（农办）审核员" in str(e.value)
    assert YearClose.objects.get().state == "submitted"


def test_reopening_or_sending_back_without_a_reason_is_refused(registry, ninghua_clerk, city_reviewer):
    submitted(ninghua_clerk)
    with pytest.raises(ValidationError) as e:
        close_send_back(actor=city_reviewer, county=NINGHUA, year=2016, reason="  ")
    assert e.value.message_dict["reason"] == ["退回须说明原因"]
    close_accept(actor=city_reviewer, county=NINGHUA, year=2016)
    with pytest.raises(ValidationError) as e:
        close_reopen(actor=city_reviewer, county=NINGHUA, year=2016, reason="")
    assert e.value.message_dict["reason"] == ["重新打开须说明原因"]
    assert YearClose.objects.get().state == "accepted"


def test_steps_out_of_order_are_refused(registry, ninghua_clerk, city_reviewer):
    with pytest.raises(ValidationError) as e:
        close_accept(actor=city_reviewer, county=NINGHUA, year=2016)
    assert "当前为“未提交”，不能锁定" in e.value.message_dict["state"][0]
    submitted(ninghua_clerk)
    with pytest.raises(ValidationError):
        close_reopen(actor=city_reviewer, county=NINGHUA, year=2016, reason="原因")
    with pytest.raises(ValidationError) as e:
        close_submit(actor=ninghua_clerk, county=NINGHUA, year=2016, today=AFTER)
    assert "当前为“已提交”，不能提交" in e.value.message_dict["state"][0]


def test_explanations_are_the_countys_clerks_or_the_reviewers(registry, datian_clerk, health_department, city_reviewer):
    for actor in (datian_clerk, health_department):
        with pytest.raises(Refused):
            finding_explain(actor=actor, check_code="illness_without_ill_member", county=NINGHUA, year=2016,
                            target=f"household:{registry.a.pk}", reason="说明")
    # Nor may a clerk explain a 宁化 household's finding under its own county.
    with pytest.raises(ValidationError) as e:
        finding_explain(actor=datian_clerk, check_code="illness_without_ill_member", county=DATIAN, year=2016,
                        target=f"household:{registry.a.pk}", reason="说明")
    assert "大田县没有该户" in e.value.message_dict["target"][0]
    finding_explain(actor=city_reviewer, check_code="illness_without_ill_member", county=NINGHUA, year=2016,
                    target=f"household:{registry.a.pk}", reason="说明")
    assert FindingExplanation.objects.get().explained_by == city_reviewer


def test_explanations_of_a_submitted_year_are_refused(registry, ninghua_clerk):
    submitted(ninghua_clerk)
    one = FindingExplanation.objects.first()
    with pytest.raises(ValidationError) as e:
        finding_explanation_delete(actor=ninghua_clerk, explanation=one)
    assert "宁化县2016年度已提交" in e.value.message_dict["year"][0]
    with pytest.raises(ValidationError):
        finding_explain(actor=ninghua_clerk, check_code="head_count", county=NINGHUA, year=2016,
                        target=f"household:{registry.a.pk}", reason="说明")
    assert FindingExplanation.objects.filter(pk=one.pk).exists()


def test_an_explanation_without_a_reason_or_of_an_unknown_check_is_refused(registry, ninghua_clerk):
    target = f"household:{registry.a.pk}"
    for fields, field in (({"reason": " "}, "reason"), ({"check_code": "no_such"}, "check_code"),
                          ({"target": "exit:12"}, "target")):
        with pytest.raises(ValidationError) as e:
            finding_explain(**{"actor": ninghua_clerk, "check_code": "head_count", "county": NINGHUA, "year": 2016,
                               "target": target, "reason": "说明", **fields})
        assert field in e.value.message_dict
    assert not FindingExplanation.objects.exists()


def test_the_list_holds_every_county_year_the_user_sees(registry, ninghua_clerk, city_reviewer, health_department):
    submitted(ninghua_clerk)
    mine = closes_for(ninghua_clerk)
    assert {(c.county_id, c.year) for c in mine} == {(NINGHUA, y) for y in (2015, 2016, 2017, 2018)}
    assert [c.state for c in mine] == ["open", "submitted", "open", "open"]
    assert len(closes_for(city_reviewer)) == 12 * 4
    assert closes_for(health_department) == []
    assert parse_close_key("350424-2016") == (NINGHUA, 2016) and parse_close_key("350424") is None


def test_the_system_submits_as_a_superuser_would(registry):
    # The system acts as a superuser (the demo closes its years through these services).
    explain_all(SYSTEM, NINGHUA, 2016)
    assert close_submit(actor=SYSTEM, county=NINGHUA, year=2016, today=AFTER).submitted_by is None
