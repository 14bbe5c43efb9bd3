"""/api/v1/return-risks/ and /api/v1/return-risk-follow-ups/ (docs/return-risks.md): scoped lists with
their filters, the follow-up's refusals naming the field, a run of the rules as a job."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.actors import SYSTEM
from households import services
from households.models import ReliefMeasure
from tests.conftest import DATIAN, NINGHUA, api_as
from workflows.risk_models import ReturnRisk, RiskFollowUp, RiskState

from .risk_world import EXPECTED, build_warned

pytestmark = pytest.mark.django_db
URL = "/api/v1/return-risks/"
FOLLOW = "/api/v1/return-risk-follow-ups/"


@pytest.fixture
def world(places):
    return build_warned(places)


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {r["household_number"] for r in response.json()["results"]}


def risk_of(h) -> ReturnRisk:
    return ReturnRisk.objects.get(household=h, state=RiskState.OPEN)


def test_list_is_scoped_and_filtered(world, ninghua_clerk, city_reviewer, datian_clerk):
    assert numbers(api_as(ninghua_clerk).get(URL)) == set(EXPECTED) - {"R-DATIAN"}
    assert numbers(api_as(datian_clerk).get(URL)) == {"R-DATIAN"}
    reviewer = api_as(city_reviewer)
    assert numbers(reviewer.get(URL, {"reason": "lost_labourer"})) == {"R-LOST", "R-DATIAN"}
    assert numbers(reviewer.get(URL, {"county": DATIAN})) == {"R-DATIAN"}
    assert numbers(reviewer.get(URL, {"county": NINGHUA, "reason": "income_drop"})) == {"R-DROP"}
    assert numbers(reviewer.get(URL, {"state": "returned"})) == set()


def test_a_warning_says_its_reasons(world, datian_clerk):
    body = api_as(datian_clerk).get(f"{URL}{risk_of(world.datian).pk}/").json()
    assert (body["county"], body["state"], body["reasons"]) == (DATIAN, "open", ["low_income", "lost_labourer"])
    assert body["details"]["low_income"] == "2016年人均纯收入2,000.00元，低于当年贫困线2,952.00元"


def test_another_countys_warning_is_not_found(world, ninghua_clerk):
    assert api_as(ninghua_clerk).get(f"{URL}{risk_of(world.datian).pk}/").status_code == 404


@pytest.mark.parametrize("query, field", [({"reason": "poor"}, "reason"), ({"county": "999999"}, "county"),
                                          ({"reasons": "health"}, "reasons")])
def test_bad_filters_are_refused_naming_them(world, city_reviewer, query, field):
    response = api_as(city_reviewer).get(URL, query)
    assert response.status_code == 400 and field in response.json()


def test_list_queries_do_not_grow_with_the_page(world, city_reviewer):
    client = api_as(city_reviewer)
    counts = []
    for size in (1, 6):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(URL, {"page_size": size}).json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_clerk_records_a_follow_up(world, ninghua_clerk):
    measure = services.measure_save(actor=SYSTEM, measure=ReliefMeasure(
        household=world.drop, channel_id="skills_training", year=2016, content="技能培训"))
    client = api_as(ninghua_clerk)
    response = client.post(FOLLOW, {"risk": risk_of(world.drop).pk, "kind": "measure", "measure": measure.pk},
                           format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["recorded_by"]) == ("measure", "clerk_ninghua")
    response = client.post(FOLLOW, {"risk": risk_of(world.drop).pk, "kind": "no_risk", "note": "外出务工"}, format="json")
    assert response.status_code == 201
    body = client.get(f"{URL}{response.json()['risk']}/").json()
    assert body["state"] == "dismissed" and [f["kind"] for f in body["follow_ups"]] == ["measure", "no_risk"]


def refused(client, body, field) -> str:
    response = client.post(FOLLOW, body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not RiskFollowUp.objects.exists()
    return response.json()[field][0]


def test_no_risk_without_a_reason_is_refused_naming_note(world, ninghua_clerk):
    assert refused(api_as(ninghua_clerk), {"risk": risk_of(world.low).pk, "kind": "no_risk"}, "note") == "排除风险须填写理由"


def test_a_follow_up_in_another_county_is_refused_naming_risk(world, ninghua_clerk):
    message = refused(api_as(ninghua_clerk), {"risk": risk_of(world.datian).pk, "kind": "no_risk", "note": "无"}, "risk")
    assert message == "该户不在您可以修改的县(市、区)内，不能登记返贫风险跟进"
    assert risk_of(world.datian).state == RiskState.OPEN


def test_a_measure_of_another_household_is_refused_naming_measure(world, ninghua_clerk):
    other = services.measure_save(actor=SYSTEM, measure=ReliefMeasure(
        household=world.low, channel_id="skills_training", year=2016, content="技能培训"))
    body = {"risk": risk_of(world.drop).pk, "kind": "measure", "measure": other.pk}
    assert refused(api_as(ninghua_clerk), body, "measure") == "该帮扶措施不是预警户的措施"


def test_the_reviewer_reads_but_does_not_follow_up(world, city_reviewer):
    response = api_as(city_reviewer).post(FOLLOW, {"risk": risk_of(world.low).pk, "kind": "no_risk", "note": "无"},
                                          format="json")
    assert response.status_code == 403 and not RiskFollowUp.objects.exists()


def test_refresh_runs_as_a_job_for_the_county_the_clerk_writes_in(world, ninghua_clerk):
    client = api_as(ninghua_clerk)
    response = client.post(f"{URL}refresh/", {"county": DATIAN}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["county"]
    ReturnRisk.objects.all().delete()
    response = client.post(f"{URL}refresh/", {"county": NINGHUA}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "done" and response.json()["outcome"]["raised"] == len(EXPECTED) - 1
