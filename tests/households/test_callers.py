"""The API's caller read once per token (households/callers.py), in the cache the tests run with
(local memory, CALLER_CACHE_SECONDS on: pytest.ini), and every change of what it holds taking
effect on the caller's very next request."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.actors import SYSTEM
from households import services
from tests.conftest import DATIAN, NINGHUA
from tests.factories import household, resident_id

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/households/"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(h["number"] for h in response.json()["results"])


@pytest.fixture
def two_counties(places):
    household(village=places.chengnan, number="NH-1")
    household(village=places.chengguan, number="DT-1")


def grant(username, role="county_clerk", **scope):
    return services.role_grant(actor=SYSTEM, username=username, role=role, **scope)


def test_a_token_read_again_costs_no_query_of_the_account(ninghua_clerk, two_counties):
    client = token_client(ninghua_clerk)
    assert numbers(client.get(HOUSEHOLDS)) == ["NH-1"]
    with CaptureQueriesContext(connection) as queries:
        assert numbers(client.get(HOUSEHOLDS)) == ["NH-1"]
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert "households_household" in read
    for table in ("authtoken_token", "auth_user", "auth_permission", "households_userrole\""):
        assert table not in read


def test_a_role_granted_shows_its_scope_on_the_next_request(two_counties):
    client = token_client(get_user_model().objects.create_user("newcomer"))
    assert client.get(HOUSEHOLDS).status_code == 403
    grant("newcomer", counties=[NINGHUA])
    assert numbers(client.get(HOUSEHOLDS)) == ["NH-1"]


def test_a_role_revoked_is_refused_on_the_next_request(ninghua_clerk, two_counties):
    client = token_client(ninghua_clerk)
    assert numbers(client.get(HOUSEHOLDS)) == ["NH-1"]
    services.role_revoke(actor=SYSTEM, grant=ninghua_clerk.registry_role)
    assert client.get(HOUSEHOLDS).status_code == 403


def test_a_county_changed_narrows_the_next_request(ninghua_clerk, two_counties):
    client = token_client(ninghua_clerk)
    grant("clerk_ninghua", counties=[NINGHUA, DATIAN])
    assert numbers(client.get(HOUSEHOLDS)) == ["DT-1", "NH-1"]
    grant("clerk_ninghua", counties=[DATIAN])
    assert numbers(client.get(HOUSEHOLDS)) == ["DT-1"]


def test_a_role_changed_to_the_city_reviewer_sees_the_city(ninghua_clerk, two_counties):
    client = token_client(ninghua_clerk)
    assert numbers(client.get(HOUSEHOLDS)) == ["NH-1"]
    grant("clerk_ninghua", role="city_reviewer")
    assert numbers(client.get(HOUSEHOLDS)) == ["DT-1", "NH-1"]


def test_an_account_switched_off_in_the_admin_is_refused_at_once(ninghua_clerk, two_counties):
    client = token_client(ninghua_clerk)
    assert client.get(HOUSEHOLDS).status_code == 200
    ninghua_clerk.is_active = False
    ninghua_clerk.save()
    assert client.get(HOUSEHOLDS).status_code == 401


def test_a_token_deleted_is_refused_at_once(ninghua_clerk, two_counties):
    client = token_client(ninghua_clerk)
    assert client.get(HOUSEHOLDS).status_code == 200
    Token.objects.filter(user=ninghua_clerk).delete()
    assert client.get(HOUSEHOLDS).status_code == 401


def test_a_superuser_made_in_the_admin_sees_the_city_at_once(two_counties):
    user = grant("newcomer", counties=[NINGHUA])
    client = token_client(user)
    assert numbers(client.get(HOUSEHOLDS)) == ["NH-1"]
    user.is_superuser = True
    user.save()
    assert numbers(client.get(HOUSEHOLDS)) == ["DT-1", "NH-1"]


def whole_ids(client) -> bool:
    members = [m for h in client.get(HOUSEHOLDS).json()["results"] for m in h["members"]]
    assert members
    return all("*" not in m["id_number"] for m in members)


@pytest.mark.parametrize("holder", ["user", "group"])
def test_the_permission_to_see_whole_id_numbers_counts_on_the_next_request(holder, ninghua_clerk, two_counties):
    client = token_client(ninghua_clerk)
    assert not whole_ids(client)
    full = Permission.objects.get(codename="view_full_id_number")
    holders = ninghua_clerk.user_permissions if holder == "user" else Group.objects.get(name="county_clerk").permissions
    holders.add(full)
    assert whole_ids(client)
    holders.remove(full)
    assert not whole_ids(client)


def test_a_system_client_allowed_to_write_may_on_the_next_request(api_client, places):
    body = {"number": "NH-2", "village": places.chengnan.code, "category": "ordinary", "main_cause": "illness",
            "identified_year": 2014, "income_per_capita": "2310.50",
            "members": [{"name": "张大山", "id_number": resident_id(), "relation": "head", "labor": "ordinary"}]}
    assert api_client.post(HOUSEHOLDS, body, format="json").status_code == 403
    grant("province", role="system_client", counties=[NINGHUA], can_write=True)
    assert api_client.post(HOUSEHOLDS, body, format="json").status_code == 201


def test_a_token_beyond_the_rate_is_a_429_counted_as_its_caller_is_read(ninghua_clerk, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    cache.clear()
    client = token_client(ninghua_clerk)
    assert [client.get("/api/v1/counties/").status_code for _ in range(4)] == [200, 200, 200, 429]
    # The token's window, not the user's: another token-less door of the same user counts apart.
    assert api_as_session(ninghua_clerk).get("/api/v1/counties/").status_code == 200


def test_a_made_up_token_leaves_no_window_in_the_cache(monkeypatch):
    from django.core.cache import cache

    cache.clear()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get(HOUSEHOLDS).status_code == 401
    assert list(cache._cache) == []  # local memory's own store: nothing was left behind


def api_as_session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client
