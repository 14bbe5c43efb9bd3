"""Helpers (帮扶责任人), assignments and visits through the REST API: each list scoped to what the caller
sees (404 beyond), a helper's phone whole or masked as access.helper_phone_display decides, every write
through the services with each bad input a 400 naming the field and nothing written."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from households.models import Helper, HelperAssignment, HelperVisit
from tests.conftest import DATIAN, NINGHUA, api_as
from tests.households.helper_world import (
    LI_PHONE,
    ZHOU_MASKED,
    ZHOU_PHONE,
    days_ago,
    helpers_fixture,  # noqa: F401  (the fixture `helpers`, used by being here)
)

pytestmark = pytest.mark.django_db

HELPERS, ASSIGNMENTS, VISITS = "/api/v1/helpers/", "/api/v1/helper-assignments/", "/api/v1/helper-visits/"


def snapshot() -> tuple:
    return (list(Helper.objects.order_by("id").values_list()),
            list(HelperAssignment.objects.order_by("id").values_list()),
            list(HelperVisit.objects.order_by("id").values_list()))


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# ---------------------------------------------------------------- helpers: reading


def test_each_role_lists_the_helpers_it_sees_with_phones_as_it_may_see_them(
        helpers, ninghua_clerk, datian_clerk, city_reviewer, health_department, admin_user):
    def listed(user):
        return {h["name"]: h["phone"] for h in results(api_as(user).get(HELPERS))}

    # 宁化's clerk: its own 李明, and 周芳 (大田's) who helps one of its households: her phone masked,
    # since a helper's own page is decided by the helper's county.
    assert listed(ninghua_clerk) == {"李明": LI_PHONE, "周芳": ZHOU_MASKED}
    assert listed(datian_clerk) == {"周芳": ZHOU_PHONE}
    assert listed(city_reviewer) == {"李明": LI_PHONE, "周芳": ZHOU_PHONE}
    assert listed(admin_user) == {"李明": LI_PHONE, "周芳": ZHOU_PHONE}
    # 卫计委 serves DT-1 (因病): it sees DT-1's helper, masked.
    assert listed(health_department) == {"周芳": ZHOU_MASKED}


def test_helpers_filter_by_county_unit_and_name(helpers, city_reviewer):
    client = api_as(city_reviewer)
    assert [h["name"] for h in results(client.get(HELPERS, {"county": DATIAN}))] == ["周芳"]
    assert [h["name"] for h in results(client.get(HELPERS, {"unit": "农业"}))] == ["李明"]
    assert [h["name"] for h in results(client.get(HELPERS, {"name": "周"}))] == ["周芳"]
    assert [h["name"] for h in results(client.get(HELPERS, {"level": "section"}))] == ["周芳"]
    response = client.get(HELPERS, {"countyy": NINGHUA})
    assert response.status_code == 400 and "countyy" in response.json()


def test_a_helpers_detail_lists_its_current_households_the_caller_sees(helpers, ninghua_clerk, datian_clerk):
    body = api_as(datian_clerk).get(f"{HELPERS}{helpers.zhou.pk}/").json()
    assert body["phone"] == ZHOU_PHONE
    # NH-2 is 宁化's: 大田's clerk does not see it.
    assert [h["household_number"] for h in body["households"]] == ["DT-1"]
    body = api_as(ninghua_clerk).get(f"{HELPERS}{helpers.zhou.pk}/").json()
    assert [h["household_number"] for h in body["households"]] == ["NH-2"]
    # 李明's NH-2 assignment has ended: only NH-1 is his now.
    body = api_as(ninghua_clerk).get(f"{HELPERS}{helpers.li.pk}/").json()
    assert [h["household_number"] for h in body["households"]] == ["NH-1"]


def test_a_helper_outside_the_callers_scope_is_not_found(helpers, datian_clerk, ninghua_clerk, django_user_model):
    assert api_as(datian_clerk).get(f"{HELPERS}{helpers.li.pk}/").status_code == 404
    assert api_as(datian_clerk).patch(f"{HELPERS}{helpers.li.pk}/", {"post": "股长"}).status_code == 404
    nobody = django_user_model.objects.create_user("nobody")
    assert api_as(nobody).get(HELPERS).status_code == 403


# ---------------------------------------------------------------- helpers: writing


def test_a_clerk_adds_and_changes_a_helper_of_its_county(helpers, ninghua_clerk):
    client = api_as(ninghua_clerk)
    response = client.post(HELPERS, {"county": NINGHUA, "name": "王强", "unit": "县水利局", "level": "cadre",
                                     "phone": "13700001111"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["phone"], body["households"]) == ("王强", "13700001111", [])
    response = client.patch(f"{HELPERS}{body['id']}/", {"post": "副局长", "level": "section"})
    assert response.status_code == 200, response.json()
    assert Helper.objects.get(pk=body["id"]).post == "副局长"
    assert Helper.history.filter(id=body["id"]).first().history_user == ninghua_clerk


@pytest.mark.parametrize("body, field", [
    ({"county": NINGHUA, "name": "王强", "unit": "县水利局", "phone": "不是电话"}, "phone"),
    ({"county": NINGHUA, "name": "李明", "unit": "县农业局"}, None),  # the same name and unit in 宁化
    ({"county": NINGHUA, "name": "", "unit": "县水利局"}, "name"),
])
def test_a_bad_helper_is_refused_naming_the_field_with_nothing_written(helpers, ninghua_clerk, body, field):
    before = snapshot()
    response = api_as(ninghua_clerk).post(HELPERS, body)
    assert response.status_code == 400, response.json()
    if field:
        assert field in response.json()
    assert snapshot() == before


def test_a_clerk_may_not_add_a_helper_in_another_county(helpers, ninghua_clerk, city_reviewer):
    before = snapshot()
    body = {"county": DATIAN, "name": "王强", "unit": "县水利局"}
    assert api_as(ninghua_clerk).post(HELPERS, body).status_code in (400, 403)
    assert api_as(city_reviewer).post(HELPERS, body).status_code in (400, 403)
    # 周芳 (大田's) helps a 宁化 household: 宁化's clerk reads her, may not change her.
    assert api_as(ninghua_clerk).patch(f"{HELPERS}{helpers.zhou.pk}/", {"post": "股长"}).status_code in (400, 403)
    assert snapshot() == before


# ---------------------------------------------------------------- assignments


def test_assignments_are_scoped_and_show_the_phone_by_the_households_county(
        helpers, ninghua_clerk, datian_clerk, health_department):
    rows = results(api_as(ninghua_clerk).get(ASSIGNMENTS))
    assert {(r["household_number"], r["helper_name"]) for r in rows} == {("NH-1", "李明"), ("NH-2", "李明"),
                                                                         ("NH-2", "周芳")}
    # 周芳 is 大田's, but helps a 宁化 household: for 宁化's clerk her phone there is whole.
    assert {r["helper_phone"] for r in rows if r["helper_name"] == "周芳"} == {ZHOU_PHONE}
    rows = results(api_as(datian_clerk).get(ASSIGNMENTS))
    assert [(r["household_number"], r["helper_phone"]) for r in rows] == [("DT-1", ZHOU_PHONE)]
    rows = results(api_as(health_department).get(ASSIGNMENTS))
    assert [(r["household_number"], r["helper_phone"]) for r in rows] == [("DT-1", ZHOU_MASKED)]
    assert api_as(datian_clerk).get(f"{ASSIGNMENTS}{helpers.current.pk}/").status_code == 404


def test_assignments_filter_by_household_helper_and_current(helpers, ninghua_clerk):
    client = api_as(ninghua_clerk)
    rows = results(client.get(ASSIGNMENTS, {"household": helpers.nh2.pk}))
    assert [r["helper_name"] for r in rows] == ["李明", "周芳"]
    rows = results(client.get(ASSIGNMENTS, {"household": helpers.nh2.pk, "current": "true"}))
    assert [(r["helper_name"], r["current"]) for r in rows] == [("周芳", True)]
    rows = results(client.get(ASSIGNMENTS, {"helper": helpers.li.pk, "current": "false"}))
    assert [(r["household_number"], r["ended_on"]) for r in rows] == [("NH-2", days_ago(101).isoformat())]


def test_a_new_assignment_ends_the_current_one_the_day_before_and_keeps_it(helpers, ninghua_clerk):
    client = api_as(ninghua_clerk)
    new = Helper.objects.create(county_id=NINGHUA, name="王强", unit="县水利局", phone="13700001111")
    response = client.post(ASSIGNMENTS, {"household": helpers.nh1.pk, "helper": new.pk,
                                         "started_on": days_ago(10).isoformat(), "reason": "工作调动"})
    assert response.status_code == 201, response.json()
    assert (response.json()["helper_name"], response.json()["current"]) == ("王强", True)
    rows = results(client.get(ASSIGNMENTS, {"household": helpers.nh1.pk}))
    assert [(r["helper_name"], r["started_on"], r["ended_on"]) for r in rows] == [
        ("李明", days_ago(100).isoformat(), days_ago(11).isoformat()),
        ("王强", days_ago(10).isoformat(), None)]


@pytest.mark.parametrize("change, field", [
    (lambda h: {"started_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}, "started_on"),  # in the future
    (lambda h: {"started_on": days_ago(150).isoformat()}, "started_on"),  # before the current one: overlaps
    (lambda h: {"helper": h.zhou.pk, "reason": ""}, "reason"),  # another county's helper without a reason
    (lambda h: {"household": h.dt1.pk}, "household"),  # a household 宁化 does not see
])
def test_a_bad_assignment_is_refused_with_nothing_written(helpers, ninghua_clerk, change, field):
    new = Helper.objects.create(county_id=NINGHUA, name="王强", unit="县水利局")
    body = {"household": helpers.nh1.pk, "helper": new.pk, "started_on": days_ago(10).isoformat(), **change(helpers)}
    before = snapshot()
    response = api_as(ninghua_clerk).post(ASSIGNMENTS, body)
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_an_assignment_is_ended_with_a_day_and_a_reason(helpers, ninghua_clerk, datian_clerk, city_reviewer):
    url = f"{ASSIGNMENTS}{helpers.current.pk}/end/"
    before = snapshot()
    assert api_as(datian_clerk).post(url, {"ended_on": days_ago(1).isoformat()}).status_code == 404
    assert api_as(city_reviewer).post(url, {"ended_on": days_ago(1).isoformat()}).status_code == 403
    response = api_as(ninghua_clerk).post(url, {"ended_on": days_ago(200).isoformat()})  # before it started
    assert response.status_code == 400 and "ended_on" in response.json()
    assert snapshot() == before
    response = api_as(ninghua_clerk).post(url, {"ended_on": days_ago(1).isoformat(), "reason": "帮扶责任人退休"})
    assert response.status_code == 200, response.json()
    assert (response.json()["ended_on"], response.json()["reason"], response.json()["current"]) == (
        days_ago(1).isoformat(), "帮扶责任人退休", False)


def test_an_assignment_is_corrected(helpers, ninghua_clerk):
    response = api_as(ninghua_clerk).patch(f"{ASSIGNMENTS}{helpers.current.pk}/",
                                           {"started_on": days_ago(90).isoformat(), "reason": "更正起始日期"})
    assert response.status_code == 200, response.json()
    helpers.current.refresh_from_db()
    assert (helpers.current.started_on, helpers.current.reason) == (days_ago(90), "更正起始日期")
    # Ending before it starts: the database's rule too, refused first by the service.
    before = snapshot()
    response = api_as(ninghua_clerk).patch(f"{ASSIGNMENTS}{helpers.current.pk}/", {"ended_on": days_ago(95).isoformat()})
    assert response.status_code == 400 and "ended_on" in response.json()
    assert snapshot() == before


# ---------------------------------------------------------------- visits


def test_visits_are_scoped_and_filtered(helpers, ninghua_clerk, datian_clerk):
    HelperVisit.objects.create(assignment=helpers.datian, visited_on=days_ago(5), kind="phone", found="在外务工")
    HelperVisit.objects.create(assignment=helpers.current, visited_on=days_ago(3), kind="phone", found="已修好")
    client = api_as(ninghua_clerk)
    assert [(v["household_number"], v["found"]) for v in results(client.get(VISITS))] == [
        ("NH-1", "已修好"), ("NH-1", "住房漏雨")]
    assert [v["found"] for v in results(client.get(VISITS, {"kind": "home"}))] == ["住房漏雨"]
    window = {"date_from": days_ago(40).isoformat(), "date_to": days_ago(10).isoformat()}
    assert [v["found"] for v in results(client.get(VISITS, window))] == ["住房漏雨"]
    assert results(client.get(VISITS, {"helper": helpers.zhou.pk})) == []
    assert [v["found"] for v in results(api_as(datian_clerk).get(VISITS, {"household": helpers.dt1.pk}))] == ["在外务工"]
    assert api_as(datian_clerk).get(f"{VISITS}{helpers.visit.pk}/").status_code == 404


def test_a_visit_is_recorded_changed_and_deleted(helpers, ninghua_clerk):
    client = api_as(ninghua_clerk)
    response = client.post(VISITS, {"assignment": helpers.current.pk, "visited_on": days_ago(2).isoformat(),
                                    "kind": "phone", "found": "孩子入学", "done": "申请助学金", "follow_up": "开学后回访"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["household_number"], body["helper_name"], body["recorded_by"]) == ("NH-1", "李明", "clerk_ninghua")
    response = client.patch(f"{VISITS}{body['id']}/", {"done": "已申请助学金"})
    assert response.status_code == 200, response.json()
    assert HelperVisit.objects.get(pk=body["id"]).done == "已申请助学金"
    assert client.delete(f"{VISITS}{body['id']}/").status_code == 204
    assert not HelperVisit.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize("day", [days_ago(150), days_ago(-1)])  # before the assignment; in the future
def test_a_visit_outside_its_assignment_or_in_the_future_is_refused(helpers, ninghua_clerk, day):
    before = snapshot()
    response = api_as(ninghua_clerk).post(VISITS, {"assignment": helpers.current.pk, "visited_on": day.isoformat(),
                                                   "kind": "home", "found": "情况"})
    assert response.status_code == 400 and "visited_on" in response.json(), response.json()
    assert snapshot() == before


def test_a_visit_after_its_assignment_ended_is_refused(helpers, ninghua_clerk):
    before = snapshot()
    response = api_as(ninghua_clerk).post(VISITS, {"assignment": helpers.old.pk, "visited_on": days_ago(60).isoformat(),
                                                   "kind": "home", "found": "情况"})
    assert response.status_code == 400 and "visited_on" in response.json(), response.json()
    assert snapshot() == before


def test_visits_are_written_only_where_the_household_is(helpers, datian_clerk, city_reviewer):
    before = snapshot()
    body = {"assignment": helpers.current.pk, "visited_on": days_ago(2).isoformat(), "kind": "home", "found": "x"}
    response = api_as(datian_clerk).post(VISITS, body)
    assert response.status_code == 400 and "assignment" in response.json()  # an assignment it does not see
    assert api_as(city_reviewer).post(VISITS, body).status_code == 403
    assert api_as(city_reviewer).delete(f"{VISITS}{helpers.visit.pk}/").status_code == 403
    assert api_as(datian_clerk).delete(f"{VISITS}{helpers.visit.pk}/").status_code == 404
    assert snapshot() == before


def test_a_list_costs_the_same_queries_however_many_phones_it_shows(helpers, ninghua_clerk):
    client = api_as(ninghua_clerk)

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as run:
            assert client.get(url).status_code == 200
        return len(run.captured_queries)

    queries(HELPERS)  # the caller's role and its counties read once, then kept for the token
    few = queries(HELPERS), queries(ASSIGNMENTS)
    for i in range(10):
        helper = Helper.objects.create(county_id=NINGHUA, name=f"干部{i}", unit="县民政局", phone=f"1380000000{i}")
        HelperAssignment.objects.create(household=helpers.nh1, helper=helper, started_on=days_ago(500 + i),
                                        ended_on=days_ago(500 + i))
    assert (queries(HELPERS), queries(ASSIGNMENTS)) == few
