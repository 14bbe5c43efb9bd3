"""/dashboard/return-risks/: the warnings of a return to poverty as the user sees them, per county and
reason, narrowed by county, reason and state; 重新核算 for whoever may run the rules."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import DATIAN
from tests.workflows.risk_world import EXPECTED, build_warned
from workflows.risk_models import ReturnRisk
from workflows.risk_services import risk_follow_up

from .conftest import shown_rows, shown_table

pytestmark = pytest.mark.django_db
URL = "/dashboard/return-risks/"


@pytest.fixture
def world(places):
    return build_warned(places)


def households_shown(response) -> set[str]:
    assert response.status_code == 200
    return {row[2] for row in shown_table(response, "risks")[1:]}


def test_the_clerk_sees_the_warnings_of_the_county_with_their_reasons(world, client, ninghua_clerk):
    assert reverse("dashboard:return_risks") == URL
    client.force_login(ninghua_clerk)
    response = client.get(URL)
    assert households_shown(response) == set(EXPECTED) - {"R-DATIAN"}
    counts = shown_rows(response, "counts")
    assert list(counts) == ["宁化县"] and counts["宁化县"]["预警户数"] == "5"
    assert counts["宁化县"]["人均纯收入低于或接近贫困线"] == "2"
    risks = {row[2]: row for row in shown_table(response, "risks")[1:]}
    assert risks["R-DROP"][3] == "人均纯收入较上年大幅下降" and "下降21.4%" in risks["R-DROP"][4]
    assert f"{reverse('admin:workflows_riskfollowup_add')}?risk=" in response.content.decode()


def test_the_reviewer_narrows_by_county_and_reason(world, client, city_reviewer):
    client.force_login(city_reviewer)
    assert households_shown(client.get(URL, {"county": DATIAN})) == {"R-DATIAN"}
    assert households_shown(client.get(URL, {"reason": "lost_labourer"})) == {"R-LOST", "R-DATIAN"}
    page = client.get(URL).content.decode()
    assert "跟进…" not in page  # the reviewer reads; the county's clerk follows up


def test_open_warnings_by_default_and_all_on_asking(world, client, ninghua_clerk):
    risk_follow_up(actor=ninghua_clerk, risk=ReturnRisk.objects.get(household=world.low), kind="no_risk", note="已就业")
    client.force_login(ninghua_clerk)
    assert "R-LOW" not in households_shown(client.get(URL))
    assert "R-LOW" in households_shown(client.get(URL, {"state": ""}))
    assert households_shown(client.get(URL, {"state": "dismissed"})) == {"R-LOW"}


@pytest.mark.parametrize("query", [{"reason": "poor"}, {"county": DATIAN}, {"state": "gone"}])
def test_a_bad_filter_is_a_400(world, client, ninghua_clerk, query):
    client.force_login(ninghua_clerk)
    assert client.get(URL, query).status_code == 400


def test_the_table_exports(world, client, datian_clerk):
    client.force_login(datian_clerk)
    response = client.get(URL, {"export": "risks"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("R-DATIAN" in row for row in values) and not any("R-LOW" in row for row in values)


def test_rerun_by_the_reviewer_and_refused_to_a_department(world, client, city_reviewer, health_department):
    ReturnRisk.objects.all().delete()
    client.force_login(health_department)
    response = client.post(URL, follow=True)
    assert "未核算：您不能核算该范围的返贫风险" in response.content.decode()
    assert not ReturnRisk.objects.exists()
    client.force_login(city_reviewer)
    response = client.post(URL, follow=True)
    assert "已提交返贫风险核算" in response.content.decode()
    assert ReturnRisk.objects.count() == len(EXPECTED)
