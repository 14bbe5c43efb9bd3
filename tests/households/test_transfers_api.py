"""Transfers (迁移) through the REST API: /api/v1/transfers/ scoped to the sending and receiving
counties, release, accept and refuse; each bad input a 400 naming the field with nothing written,
a step the caller may not take a 403, a transfer the caller does not see a 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.actors import SYSTEM
from households import services
from households.models import Household, Transfer
from tests.conftest import DATIAN, NINGHUA, api_as
from tests.factories import household

pytestmark = pytest.mark.django_db

URL = "/api/v1/transfers/"


def snapshot() -> tuple:
    return (list(Transfer.objects.order_by("id").values_list("id", "state", "refusal_reason")),
            list(Household.objects.order_by("id").values_list("id", "village_id")))


def release(client, poor, village, **fields):
    return client.post(f"{URL}release/", {"household": poor.pk, "to_village": village.pk, "reason": "family",
                                          **fields})


@pytest.fixture
def pending(poor, places, ninghua_clerk):
    return services.transfer_release(actor=ninghua_clerk, household=poor, to_village=places.chengguan,
                                     reason="relocation", settlement="均溪安置区")


def test_a_transfer_across_counties_through_the_api(poor, places, ninghua_clerk, datian_clerk):
    ninghua, datian = api_as(ninghua_clerk), api_as(datian_clerk)
    response = release(ninghua, poor, places.chengguan, reason="relocation", settlement="均溪安置区", note="整村搬迁")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in ("household", "household_number", "from_county", "from_village", "to_county",
                                 "to_village", "reason", "settlement", "state", "released_by", "decided_by")} == {
        "household": poor.pk, "household_number": "NH-1", "from_county": NINGHUA, "from_village": places.chengnan.pk,
        "to_county": DATIAN, "to_village": places.chengguan.pk, "reason": "relocation", "settlement": "均溪安置区",
        "state": "pending", "released_by": "clerk_ninghua", "decided_by": None}
    # Pending: listed for both counties; the household is still 宁化's.
    for client in (ninghua, datian):
        assert [t["id"] for t in client.get(URL, {"state": "pending"}).json()["results"]] == [body["id"]]
    assert datian.get(f"/api/v1/households/{poor.pk}/").status_code == 404
    response = datian.post(f"{URL}{body['id']}/accept/")
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["decided_by"]) == ("accepted", "clerk_datian")
    assert datian.get(f"/api/v1/households/{poor.pk}/").json()["village"] == places.chengguan.pk
    assert ninghua.get(f"/api/v1/households/{poor.pk}/").status_code == 404
    assert ninghua.get(URL, {"household": poor.pk}).json()["results"][0]["state"] == "accepted"
    assert ninghua.get(URL, {"state": "pending"}).json()["results"] == []


def test_within_a_county_the_api_moves_the_household_at_once(poor, places, ninghua_clerk):
    response = release(api_as(ninghua_clerk), poor, places.chengbei)
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "accepted"
    assert Household.objects.get(pk=poor.pk).village_id == places.chengbei.pk


def test_refuse_needs_a_reason_and_leaves_the_household(pending, poor, places, datian_clerk):
    client = api_as(datian_clerk)
    before = snapshot()
    response = client.post(f"{URL}{pending.pk}/refuse/", {"reason": " "})
    assert response.status_code == 400 and "reason" in response.json()
    assert snapshot() == before
    response = client.post(f"{URL}{pending.pk}/refuse/", {"reason": "安置房未建成"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["refusal_reason"]) == ("refused", "安置房未建成")
    assert Household.objects.get(pk=poor.pk).village_id == places.chengnan.pk


@pytest.mark.parametrize("fields, field", [
    ({"to_village": "350424101201"}, "to_village"),  # its own village
    ({"to_village": "350425101999"}, "to_village"),  # no such village
    ({"reason": "wedding"}, "reason"),
    ({"settlement": "某安置区"}, "settlement"),  # a settlement for 投亲靠友
    ({"household": 999999}, "household"),
])
def test_bad_releases_are_a_400_naming_the_field(poor, places, ninghua_clerk, fields, field):
    before = snapshot()
    body = {"household": poor.pk, "to_village": places.chengguan.pk, "reason": "family", **fields}
    response = api_as(ninghua_clerk).post(f"{URL}release/", body)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert snapshot() == before


def test_releasing_twice_or_a_removed_household_is_a_400(pending, poor, places, village, ninghua_clerk):
    client = api_as(ninghua_clerk)
    before = snapshot()
    response = release(client, poor, places.chengbei)
    assert response.status_code == 400 and "household" in response.json()
    removed = household(village=village, number="NH-R")
    services.household_remove(actor=SYSTEM, household=removed, reason="错评")
    before = snapshot()
    response = release(client, removed, places.chengguan)
    assert response.status_code == 400 and "清退" in response.json()["household"][0]
    assert snapshot() == before


def test_accepting_as_the_sending_county_is_a_400_naming_the_field(pending, ninghua_clerk):
    before = snapshot()
    for step, body in (("accept", {}), ("refuse", {"reason": "不要"})):
        response = api_as(ninghua_clerk).post(f"{URL}{pending.pk}/{step}/", body)
        assert response.status_code == 400 and "to_village" in response.json(), response.json()
    assert snapshot() == before


@pytest.mark.parametrize("first", ["accept", "refuse"])
def test_a_decided_transfer_is_a_400_naming_the_state(pending, datian_clerk, first):
    client = api_as(datian_clerk)
    assert client.post(f"{URL}{pending.pk}/{first}/", {"reason": "无住房"}).status_code == 200
    before = snapshot()
    for step in ("accept", "refuse"):
        response = client.post(f"{URL}{pending.pk}/{step}/", {"reason": "再次"})
        assert response.status_code == 400 and "state" in response.json(), response.json()
    assert snapshot() == before


def test_who_sees_and_who_decides(pending, city_reviewer, health_department, api_client):
    reviewer = api_as(city_reviewer)
    assert [t["id"] for t in reviewer.get(URL).json()["results"]] == [pending.pk]
    assert reviewer.post(f"{URL}{pending.pk}/accept/").status_code == 403
    assert api_as(health_department).get(f"{URL}{pending.pk}/").status_code == 404
    # The read-only system of 宁化 sees its county's transfer, decides nothing, releases nothing.
    assert api_client.get(f"{URL}{pending.pk}/").status_code == 200
    assert api_client.post(f"{URL}{pending.pk}/accept/").status_code == 403
    assert Transfer.objects.get().state == "pending"


def test_a_clerk_of_a_third_county_does_not_find_the_transfer(pending):
    yongan = services.role_grant(actor=SYSTEM, username="clerk_yongan", role="county_clerk", counties=["350481"])
    client = api_as(yongan)
    assert client.get(URL).json()["results"] == []
    assert client.post(f"{URL}{pending.pk}/accept/").status_code == 404


def test_changing_the_village_through_the_household_endpoint_is_a_400_pointing_to_transfers(poor, places,
                                                                                           ninghua_clerk, admin_user):
    for user in (ninghua_clerk, admin_user):
        response = api_as(user).patch(f"/api/v1/households/{poor.pk}/", {"village": places.chengbei.pk})
        assert response.status_code == 400 and "迁移" in response.json()["village"][0]
    assert Household.objects.get(pk=poor.pk).village_id == places.chengnan.pk


def test_unknown_filters_are_a_400(ninghua_clerk):
    response = api_as(ninghua_clerk).get(URL, {"stat": "pending"})
    assert response.status_code == 400 and "stat" in response.json()


def test_the_list_queries_do_not_grow_with_its_page(poor, places, ninghua_clerk, datian_clerk):
    client = api_as(datian_clerk)
    services.transfer_release(actor=ninghua_clerk, household=poor, to_village=places.chengguan, reason="family")
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(URL).json()["results"]) == 1
    for i in range(6):
        h = household(village=places.chengnan, number=f"NH-Q{i}")
        t = services.transfer_release(actor=ninghua_clerk, household=h, to_village=places.chengguan, reason="other")
        services.transfer_accept(actor=datian_clerk, transfer=t)
    with CaptureQueriesContext(connection) as many:
        body = client.get(URL).json()
    assert len(body["results"]) == 7 and {r["decided_by"] for r in body["results"]} == {None, "clerk_datian"}
    assert len(many) == len(one)
