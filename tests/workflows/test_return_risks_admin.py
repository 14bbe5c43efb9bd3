"""The warnings of a return in the admin: read as the user sees their households, a follow-up added
through the service, its refusals shown as a message with nothing saved."""

import pytest

from workflows.risk_models import ReturnRisk, RiskFollowUp, RiskState

from .risk_world import build_warned

pytestmark = pytest.mark.django_db
ADD = "/admin/workflows/riskfollowup/add/"


@pytest.fixture
def world(places):
    return build_warned(places)


def test_the_clerk_lists_only_the_countys_warnings(world, client, ninghua_clerk, datian_clerk):
    client.force_login(datian_clerk)
    page = client.get("/admin/workflows/returnrisk/").content.decode()
    assert "R-DATIAN" in page and "R-LOW" not in page
    mine = ReturnRisk.objects.get(household=world.low)
    assert client.get(f"/admin/workflows/returnrisk/{mine.pk}/change/").status_code == 302  # not theirs: not found


def test_the_clerk_adds_a_follow_up_through_the_service(world, client, ninghua_clerk):
    client.force_login(ninghua_clerk)
    risk = ReturnRisk.objects.get(household=world.near)
    response = client.post(ADD, {"risk": risk.pk, "kind": "no_risk", "note": "儿子已返乡务工"})
    assert response.status_code == 302
    follow_up = RiskFollowUp.objects.get()
    assert (follow_up.recorded_by, follow_up.note) == (ninghua_clerk, "儿子已返乡务工")
    assert ReturnRisk.objects.get(pk=risk.pk).state == RiskState.DISMISSED


def test_no_risk_without_a_reason_is_refused_with_a_message(world, client, ninghua_clerk):
    client.force_login(ninghua_clerk)
    risk = ReturnRisk.objects.get(household=world.near)
    response = client.post(ADD, {"risk": risk.pk, "kind": "no_risk", "note": ""}, follow=True)
    assert "未保存：排除风险须填写理由" in response.content.decode()
    assert not RiskFollowUp.objects.exists()


def test_the_form_offers_only_the_clerks_open_warnings(world, client, ninghua_clerk):
    client.force_login(ninghua_clerk)
    page = client.get(ADD).content.decode()
    assert "R-LOW" in page and "R-DATIAN" not in page
