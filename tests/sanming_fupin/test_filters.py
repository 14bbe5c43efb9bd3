"""Filters that say no (issue 16): every list filters by the place codes above its records, and a
query parameter a list does not know answers 400 naming it, so that a client's typo never turns
into the whole city; paging, ordering, search and format are known everywhere."""

import pytest
from django.core.management import call_command

from tests.conftest import DATIAN, NINGHUA

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def test_villages_filter_by_county_and_township(api_client, places, admin_client):
    # The 宁化 system client sees the places of the whole city (places are reference data).
    codes = [v["code"] for v in api_client.get(f"{API}villages/", {"county": NINGHUA}).json()["results"]]
    assert codes == [places.chengnan.code, places.chengbei.code]
    codes = [v["code"] for v in api_client.get(f"{API}villages/", {"county": DATIAN}).json()["results"]]
    assert codes == [places.chengguan.code]
    assert [v["code"] for v in api_client.get(f"{API}villages/", {"township": places.junxi.code}).json()["results"]] \
        == [places.chengguan.code]
    assert [t["code"] for t in api_client.get(f"{API}townships/", {"county": DATIAN}).json()["results"]] \
        == [places.junxi.code]


@pytest.mark.parametrize("path, typo", [
    ("villages/", "countyy"), ("townships/", "village"), ("households/", "countyy"), ("members/", "category"),
    ("measures/", "status"), ("exits/", "channel"), ("counties/", "county"), ("guarantee-funds/", "bank"),
    ("plans/progress/", "month"), ("plans/consistency/", "year"), ("workflows/cases/", "county_code"),
    ("workflows/in-tray/", "page_sizes"), ("audit/findings/", "checks"), ("households/export/", "countyy"),
])
def test_an_unknown_parameter_is_a_400_naming_it(api_client, places, path, typo):
    response = api_client.get(f"{API}{path}", {typo: NINGHUA})
    assert response.status_code == 400, response.content[:200]
    assert list(response.json()) == [typo] and "未知的查询参数" in response.json()[typo][0]


@pytest.mark.parametrize("query", [{"page": "1"}, {"page_size": "10"}, {"cursor": ""}, {"ordering": "code"},
                                   {"search": "城"}, {"format": "json"}])
def test_paging_ordering_search_and_format_are_known_everywhere(api_client, places, query):
    assert api_client.get(f"{API}villages/", query).status_code == 200
    assert api_client.get(f"{API}counties/", query).status_code == 200


def test_the_schema_lists_the_place_filters(tmp_path):
    call_command("spectacular", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text("utf-8")
    villages = schema[schema.index("  /api/v1/villages/:"):schema.index("  /api/v1/villages/{code}/:")]
    for name in ("county", "township", "is_poor_village", "is_hollow"):
        assert f"name: {name}\n" in villages, name
