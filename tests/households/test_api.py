"""The REST API under /api/v1/: the contract other systems rely on, scoped, masked, and answering
bad input with a 4xx that names the field."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from common.actors import SYSTEM
from households import services
from households.models import ExitRecord, Household, PovertyCause, ReliefMeasure, ReturnRecord
from tests.conftest import api_as
from tests.factories import VillageFactory, household, member, resident_id

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.fixture
def ninghua_village():
    return VillageFactory(code="350424101201", township__code="350424101")


@pytest.fixture
def datian_village():
    return VillageFactory(code="350425101201", township__code="350425101", township__county_id="350425")


def household_body(village, **fields):
    return {
        "number": "350424101201-0007", "village": village.code, "category": "ordinary",
        "main_cause": "illness", "other_causes": ["lack_funds"], "identified_year": 2014,
        "standard": "national", "income_per_capita": "2310.50",
        "members": [
            {"name": "张大山", "id_number": resident_id(birth=datetime.date(1956, 3, 12)), "relation": "head",
             "health": "chronic", "labor": "weak"},
            {"name": "李秀英", "id_number": resident_id(birth=datetime.date(1958, 1, 1), sex="female"),
             "relation": "spouse", "labor": "lost"},
        ],
        **fields,
    }


# ---------------------------------------------------------------- the contract


def test_root_lists_the_resources(admin_client):
    resources = admin_client.get(API).json()
    for name in ["counties", "townships", "villages", "causes", "channels", "households", "members", "measures",
                 "exits", "returns", "plans/quotas", "plans/progress", "plans/consistency", "plans/population",
                 "plans/village-incomes"]:
        assert name in resources


def test_nothing_is_readable_anonymously():
    response = APIClient().get(f"{API}households/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert APIClient().get(API).status_code == 401


def test_token_flow(ninghua_clerk):
    services.role_grant(actor=SYSTEM, username="clerk_ninghua", role="county_clerk", counties=["350424"], password="Ninghua-2015!")
    client = APIClient()
    bad = client.post(f"{API}auth/token/", {"username": "clerk_ninghua", "password": "wrong"}, format="json")
    assert bad.status_code == 400
    token = client.post(f"{API}auth/token/", {"username": "clerk_ninghua", "password": "Ninghua-2015!"},
                        format="json").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{API}households/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert client.get(f"{API}households/").status_code == 401


def test_county_by_code(api_client):
    county = api_client.get(f"{API}counties/350424/").json()
    assert county == {"code": "350424", "name": "宁化县", "is_provincial_key": False}


def test_household_and_members_registered_in_one_post(ninghua_clerk, ninghua_village):
    response = api_as(ninghua_clerk).post(f"{API}households/", household_body(ninghua_village), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["county"], body["village"], body["status"], body["other_causes"]) == (
        "350424", "350424101201", "registered", ["lack_funds"])
    wife = body["members"][1]
    assert (wife["sex"], wife["birth_date"]) == ("female", "1958-01-01")
    assert wife["id_number"].startswith("350424********") and len(wife["id_number"]) == 18
    assert Household.objects.get(pk=body["id"]).members.count() == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"main_cause": "bad_luck"}, "main_cause"),
        ({"income_per_capita": "很少"}, "income_per_capita"),
        ({"income_per_capita": "-1"}, "income_per_capita"),
        ({"category": "poor"}, "category"),
        ({"other_causes": ["illness"]}, "other_causes"),
        ({"county": "350425"}, "village"),
        ({"identified_year": 2013}, "identified_year"),
        ({"members": []}, "members"),
    ],
)
def test_bad_household_is_a_400_naming_the_field(ninghua_clerk, ninghua_village, change, field):
    response = api_as(ninghua_clerk).post(f"{API}households/", household_body(ninghua_village, **change), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Household.objects.count() == 0


def test_bad_member_is_a_400_naming_the_member_field(ninghua_clerk, ninghua_village):
    body = household_body(ninghua_village)
    body["members"][1]["id_number"] = body["members"][1]["id_number"][:-1] + "Y"
    response = api_as(ninghua_clerk).post(f"{API}households/", body, format="json")
    assert response.status_code == 400
    assert "前17位必须是数字" in response.json()["members.1.id_number"][0]
    body = household_body(ninghua_village)
    body["members"][0]["sex"] = "female"
    assert "members.0.sex" in api_as(ninghua_clerk).post(f"{API}households/", body, format="json").json()


def test_malformed_body_is_a_400():
    client = api_as(services.role_grant(actor=SYSTEM, username="c", role="county_clerk", counties=["350424"]))
    response = client.generic("POST", f"{API}households/", "{not json", content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


# ---------------------------------------------------------------- scope


def test_clerk_of_another_county_gets_404_and_cannot_create_there(datian_clerk, ninghua_village):
    h = household(village=ninghua_village)
    client = api_as(datian_clerk)
    assert client.get(f"{API}households/{h.pk}/").status_code == 404
    assert client.get(f"{API}households/").json()["count"] == 0
    response = client.post(f"{API}households/", household_body(ninghua_village), format="json")
    assert response.status_code == 400 and "village" in response.json()
    m = h.members.get()
    assert client.get(f"{API}members/{m.pk}/").status_code == 404
    response = client.post(f"{API}exits/", {"household": h.pk, "year": 2016, "income_per_capita": "4000"}, format="json")
    assert response.status_code == 400 and "household" in response.json()


def test_city_reviewer_reads_everything_but_writes_no_household(city_reviewer, ninghua_village, datian_village):
    a, b = household(village=ninghua_village), household(village=datian_village)
    client = api_as(city_reviewer)
    assert {h["id"] for h in client.get(f"{API}households/").json()["results"]} == {a.pk, b.pk}
    assert client.patch(f"{API}households/{a.pk}/", {"income_per_capita": "9"}, format="json").status_code == 403
    assert Household.objects.get(pk=a.pk).income_per_capita == Decimal("2500.00")


def test_system_client_is_read_only_for_its_counties(api_client, ninghua_village, datian_village):
    a = household(village=ninghua_village)
    household(village=datian_village)  # another county's: not listed
    assert [h["id"] for h in api_client.get(f"{API}households/").json()["results"]] == [a.pk]
    assert api_client.post(f"{API}households/", household_body(ninghua_village), format="json").status_code == 403
    assert api_client.patch(f"{API}households/{a.pk}/", {"phone": "0598-1234567"}, format="json").status_code == 403


def test_user_without_role_sees_nothing(django_user_model):
    household()
    client = api_as(django_user_model.objects.create_user("nobody"))
    for path in ("households/", "counties/", "plans/quotas/"):
        response = client.get(f"{API}{path}")
        assert response.status_code == 403 and "角色" in response.json()["detail"], path


def test_channel_department_records_its_own_channel_in_any_county(health_department, datian_village):
    h = household(village=datian_village, main_cause_id="illness")
    client = api_as(health_department)
    body = {"household": h.pk, "channel": "medical_aid", "year": 2016, "content": "大病救助", "amount": "3000"}
    assert client.post(f"{API}measures/", body, format="json").status_code == 201
    assert client.post(f"{API}measures/", {**body, "channel": "relocation"}, format="json").status_code == 403
    assert client.patch(f"{API}households/{h.pk}/", {"phone": "123456"}, format="json").status_code == 403


# ---------------------------------------------------------------- privacy


def test_id_numbers_masked_unless_permitted(ninghua_clerk, admin_user, ninghua_village):
    h = household(village=ninghua_village)
    number = h.members.get().id_number
    masked = api_as(ninghua_clerk).get(f"{API}members/").json()["results"][0]["id_number"]
    assert masked == f"{number[:6]}********{number[-4:]}"
    assert api_as(admin_user).get(f"{API}members/").json()["results"][0]["id_number"] == number


def test_search_by_full_id_only_for_those_who_may(ninghua_clerk, admin_user, ninghua_village):
    h = household(village=ninghua_village, members=[member(name="王小明")])
    number = h.members.get().id_number
    assert api_as(admin_user).get(f"{API}households/", {"search": number}).json()["count"] == 1
    assert api_as(ninghua_clerk).get(f"{API}households/", {"search": number}).json()["count"] == 0
    assert api_as(ninghua_clerk).get(f"{API}households/", {"search": "王小明"}).json()["count"] == 1


# ---------------------------------------------------------------- filters, pages, errors


def test_filters_by_codes(admin_user, ninghua_village, datian_village):
    a = household(village=ninghua_village, category="dibao", main_cause_id="disability")
    b = household(village=datian_village, other_causes=[])
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=b, year=2016, income_per_capita=Decimal("4000")))
    client = api_as(admin_user)

    def ids(**params):
        return {h["id"] for h in client.get(f"{API}households/", params).json()["results"]}

    assert ids(county="350424") == {a.pk}
    assert ids(village="350425101201") == {b.pk}
    assert ids(category="dibao") == {a.pk}
    assert ids(cause="disability") == {a.pk}
    assert ids(status="exited") == {b.pk}
    assert ids(exit_year=2016) == {b.pk}
    assert ids(identified_year=2014) == {a.pk, b.pk}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"identified_year": "abc"}, "identified_year"),
        ({"category": "poor"}, "category"),
        ({"ordering": "secret"}, "ordering"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_query_is_a_400_naming_it(admin_user, params, field):
    response = api_as(admin_user).get(f"{API}households/", params)
    assert response.status_code == 400 and field in response.json()


def test_page_beyond_the_end_is_a_404_json(admin_user):
    response = api_as(admin_user).get(f"{API}households/", {"page": 9})
    assert response.status_code == 404 and "detail" in response.json()


def test_household_list_queries_do_not_grow_with_page_size(admin_user, ninghua_village):
    client = api_as(admin_user)
    household(village=ninghua_village)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{API}households/").status_code == 200
    for _ in range(12):
        household(village=ninghua_village, members=[member(), member(relation="child", id_number=resident_id())])
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"{API}households/", {"page_size": 13}).json()
    assert len(body["results"]) == 13 and len(body["results"][-1]["members"]) == 2
    assert len(many) == len(one)


# ---------------------------------------------------------------- members, measures, exits, returns


def test_second_head_through_members_is_refused(ninghua_clerk, ninghua_village):
    h = household(village=ninghua_village)
    body = {"household": h.pk, "name": "李四", "id_number": resident_id(), "relation": "head", "labor": "ordinary"}
    response = api_as(ninghua_clerk).post(f"{API}members/", body, format="json")
    assert response.status_code == 400 and "relation" in response.json()
    ok = api_as(ninghua_clerk).post(f"{API}members/", {**body, "relation": "child"}, format="json")
    assert ok.status_code == 201 and h.members.count() == 2


def test_small_loan_limits_through_the_api(ninghua_clerk, ninghua_village):
    h = household(village=ninghua_village)
    body = {"household": h.pk, "channel": "financial_support", "year": 2016, "content": "小额信贷",
            "amount": "60000", "term_months": 36}
    response = api_as(ninghua_clerk).post(f"{API}measures/", body, format="json")
    assert response.status_code == 400 and "amount" in response.json()
    assert ReliefMeasure.objects.count() == 0


def test_exits_and_returns_through_the_api(ninghua_clerk, ninghua_village):
    h = household(village=ninghua_village, members=[member(), member(relation="child", id_number=resident_id())])
    client = api_as(ninghua_clerk)
    exit_ = client.post(f"{API}exits/", {"household": h.pk, "year": 2015, "income_per_capita": "4100",
                                          "persons": 99}, format="json")
    assert exit_.status_code == 201 and exit_.json()["persons"] == 2
    again = client.post(f"{API}exits/", {"household": h.pk, "year": 2015, "income_per_capita": "4100"}, format="json")
    assert again.status_code == 400 and "year" in again.json()
    back = client.post(f"{API}returns/", {"household": h.pk, "year": 2016, "reason": "因病返贫"}, format="json")
    assert back.status_code == 201
    assert client.get(f"{API}households/{h.pk}/").json()["status"] == "returned"
    conflict = client.delete(f"{API}exits/{exit_.json()['id']}/")
    assert conflict.status_code == 409 and "最近" in conflict.json()["detail"]
    assert client.delete(f"{API}returns/{back.json()['id']}/").status_code == 204
    assert not ReturnRecord.objects.exists() and Household.objects.get(pk=h.pk).status == "exited"


def test_deleting_a_household_with_records_is_a_409(admin_user):
    h = household()
    services.measure_save(actor=SYSTEM, measure=ReliefMeasure(household=h, channel_id="medical_aid", year=2016, content="x"))
    response = api_as(admin_user).delete(f"{API}households/{h.pk}/")
    assert response.status_code == 409 and Household.objects.filter(pk=h.pk).exists()


def test_places_created_by_those_allowed(ninghua_clerk, datian_clerk, city_reviewer):
    assert api_as(city_reviewer).post(f"{API}townships/", {"code": "350424103", "name": "x", "county": "350424"},
                                      format="json").status_code == 403
    body = {"code": "350424102", "name": "城郊镇", "county": "350424"}
    outside = api_as(datian_clerk).post(f"{API}townships/", body, format="json")
    assert outside.status_code == 400 and "county" in outside.json()
    assert api_as(ninghua_clerk).post(f"{API}townships/", body, format="json").status_code == 201
    bad = api_as(ninghua_clerk).post(f"{API}villages/", {"code": "350425102201", "name": "x", "township": "350424102"},
                                     format="json")
    assert bad.status_code == 400 and "code" in bad.json()
    village = api_as(ninghua_clerk).post(f"{API}villages/", {"code": "350424102201", "name": "城郊村",
                                                             "township": "350424102"}, format="json")
    assert village.status_code == 201 and village.json()["county"] == "350424"
    assert village.json()["is_poor_village"] is False


# ---------------------------------------------------------------- plans


def test_progress_for_a_county_and_year(api_client, ninghua_village):
    h = household(village=ninghua_village, members=[member(), member(relation="child", id_number=resident_id())])
    services.exit_save(actor=SYSTEM, record=ExitRecord(household=h, year=2016, income_per_capita=Decimal("4000")))
    rows = api_client.get(f"{API}plans/progress/", {"year": 2016, "county": "350424", "as_of": "2017-01-01"}).json()
    assert rows == [{"county": "350424", "county_name": "宁化县", "year": 2016, "quota": 5025, "exited": 2,
                     "returned": 0, "net": 2, "percent": 0.0, "shortfall": 5023, "status": "behind",
                     "figures": "live"}]
    assert api_client.get(f"{API}plans/progress/", {"year": 2019}).status_code == 400


def test_quotas_and_consistency(api_client):
    quotas = api_client.get(f"{API}plans/quotas/").json()
    assert len(quotas) == 13 and quotas[-1]["county"] is None and quotas[-1]["quota_2018"] == 9143
    findings = {f["check"]: f for f in api_client.get(f"{API}plans/consistency/").json()}
    assert (findings["text.reduction.2018"]["expected"], findings["text.reduction.2018"]["actual"]) == (9200, 9143)


def test_village_incomes_written_by_the_city_reviewer(city_reviewer, ninghua_clerk, ninghua_village):
    body = {"village": ninghua_village.code, "year": 2016, "own_income": "12000"}
    assert api_as(ninghua_clerk).post(f"{API}plans/village-incomes/", body, format="json").status_code == 403
    assert api_as(city_reviewer).post(f"{API}plans/village-incomes/", body, format="json").status_code == 201
    twice = api_as(city_reviewer).post(f"{API}plans/village-incomes/", body, format="json")
    assert twice.status_code == 400 and "year" in twice.json()


# ---------------------------------------------------------------- schema and docs


def test_schema_and_docs_without_a_cdn(admin_client):
    schema = admin_client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/households/" in schema.content
    docs = admin_client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar" in docs
    # Every script and stylesheet from this server ("cdn" alone also matched a random CSRF token).
    assert re.findall(r"""(?:src|href)=["'](https?:)?//""", docs) == []


def test_grant_role_is_idempotent_and_refuses_bad_input(capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from households.models import UserRole

    call_command("grant_role", "lin", "county_clerk", "--county", "350424")
    history = UserRole.history.count()
    call_command("grant_role", "lin", "county_clerk", "--county", "350424")
    assert UserRole.history.count() == history
    assert list(UserRole.objects.get(user__username="lin").counties.values_list("code", flat=True)) == ["350424"]
    with pytest.raises(CommandError, match="未知的县"):
        call_command("grant_role", "lin", "county_clerk", "--county", "999999")
    with pytest.raises(CommandError, match="password"):
        call_command("grant_role", "lin", "county_clerk", "--county", "350424", "--password", "123")


def test_create_system_client_prints_a_working_token(capsys, ninghua_village):
    from django.core.management import call_command

    call_command("create_system_client", "bank", "--county", "350424")
    token = capsys.readouterr().out.strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{API}households/").status_code == 200
    call_command("create_system_client", "bank", "--county", "350424")
    assert capsys.readouterr().out.strip() == token


def test_unmatched_api_urls_and_bad_search_answer_json(admin_user):
    client = api_as(admin_user)
    response = client.get(f"{API}measures/abc/")
    assert response.status_code == 404 and response.json() == {"detail": "未找到。"}
    response = client.get(f"{API}households/", {"search": "a\x00b"})
    assert response.status_code == 400 and "search" in response.json()


@pytest.mark.parametrize("user", ["ninghua_clerk", "admin_user"])
def test_list_rows_are_the_detail_rows(user, request, ninghua_village):
    client = api_as(request.getfixturevalue(user))
    wife = resident_id(sex="female")
    h = household(village=ninghua_village, other_causes=PovertyCause.objects.filter(code__in=["lack_funds", "disability"]),
                  members=[member(), member(name="李秀英", relation="spouse", id_number=wife, ethnicity="畲族")],
                  phone="0598-6831234")
    services.household_helper_set(actor=SYSTEM, household=h, name="陈干部", unit="宁化县财政局", phone="13805981234")
    listed = client.get(f"{API}households/").json()["results"]
    assert listed == [client.get(f"{API}households/{h.pk}/").json()]
    assert (listed[0]["helper_name"], listed[0]["helper_unit"], listed[0]["helper_phone"]) == (
        "陈干部", "宁化县财政局", "13805981234")


def test_systems_walk_the_registry_with_a_cursor(api_client, ninghua_village):
    ids = {household(village=ninghua_village).pk for _ in range(7)}
    seen, url, pages = [], f"{API}households/?cursor=&page_size=3", 0
    while url:
        body = api_client.get(url).json()
        assert "count" not in body
        seen += [h["id"] for h in body["results"]]
        url, pages = body["next"], pages + 1
    assert (sorted(seen), pages) == (sorted(ids), 3)
    assert api_client.get(f"{API}households/", {"cursor": "garbage"}).status_code == 404


def test_schema_is_generated_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text("utf-8")
    for status in ("'400'", "'401'", "'403'", "'404'", "'409'", "'429'"):
        assert status in schema


def test_requests_beyond_the_rate_are_a_429(ninghua_clerk, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    from django.core.cache import cache

    cache.clear()
    client = api_as(ninghua_clerk)
    codes = [client.get(f"{API}counties/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "detail" in client.get(f"{API}counties/").json()


def test_the_rate_is_counted_in_a_window_opened_by_the_first_request(ninghua_clerk, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})
    clock = [1000.0]
    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: clock[0]))
    cache.clear()
    client = api_as(ninghua_clerk)
    assert [client.get(f"{API}counties/").status_code for _ in range(3)] == [200, 200, 429]
    clock[0] += 45
    refused = client.get(f"{API}counties/")
    assert (refused.status_code, refused["Retry-After"]) == (429, "15")
    clock[0] += 15
    assert [client.get(f"{API}counties/").status_code for _ in range(3)] == [200, 200, 429]


def test_reference_and_place_resources_read(api_client, ninghua_village):
    assert len(api_client.get(f"{API}causes/").json()) == 12
    channels = {c["code"]: c for c in api_client.get(f"{API}channels/").json()}
    assert (channels["minimum_living"]["kind"], channels["medical_aid"]["department"]) == ("guarantee", "市卫计委")
    assert api_client.get(f"{API}causes/illness/").json()["channel"] == "medical_aid"
    assert api_client.get(f"{API}townships/", {"county": "350424"}).json()["results"][0]["code"] == "350424101"
    assert api_client.get(f"{API}villages/350424101201/").json()["county"] == "350424"


def test_members_measures_and_exits_are_changed_and_deleted(ninghua_clerk, ninghua_village):
    h = household(village=ninghua_village, members=[member(), member(relation="child", id_number=resident_id())])
    client = api_as(ninghua_clerk)
    child = h.members.get(relation="child")
    assert client.patch(f"{API}members/{child.pk}/", {"health": "disabled"}, format="json").json()["health"] == "disabled"
    head = h.members.get(relation="head")
    refused = client.delete(f"{API}members/{head.pk}/")
    assert refused.status_code == 409 and "户主" in refused.json()["detail"]
    assert client.delete(f"{API}members/{child.pk}/").status_code == 204
    measure = client.post(f"{API}measures/", {"household": h.pk, "channel": "skills_training", "year": 2016,
                                              "content": "雨露计划培训", "amount": "800"}, format="json").json()
    assert client.patch(f"{API}measures/{measure['id']}/", {"amount": "900"}, format="json").json()["amount"] == "900.00"
    assert client.get(f"{API}measures/", {"channel": "skills_training"}).json()["count"] == 1
    assert client.delete(f"{API}measures/{measure['id']}/").status_code == 204
    exit_ = client.post(f"{API}exits/", {"household": h.pk, "year": 2016, "income_per_capita": "4000"}, format="json")
    # The exit's income is the year's income record's (/api/v1/incomes/): changed there, it follows.
    patched = client.patch(f"{API}exits/{exit_.json()['id']}/", {"income_per_capita": "4200.5"}, format="json")
    assert patched.status_code == 400 and "income_per_capita" in patched.json()
    income = client.get(f"{API}incomes/", {"household": h.pk, "year": 2016}).json()["results"][0]
    client.patch(f"{API}incomes/{income['id']}/", {"total": "4200.5"}, format="json")
    assert client.get(f"{API}exits/{exit_.json()['id']}/").json()["income_per_capita"] == "4200.50"
    moved = client.patch(f"{API}exits/{exit_.json()['id']}/", {"year": 2017}, format="json")
    assert moved.status_code == 400 and "year" in moved.json()
    assert client.get(f"{API}exits/", {"year": 2016, "county": "350424"}).json()["count"] == 1


def test_places_can_be_walked_with_a_cursor_too(api_client, ninghua_village):
    body = api_client.get(f"{API}villages/", {"cursor": "", "ordering": "name"}).json()
    assert [v["code"] for v in body["results"]] == ["350424101201"]

