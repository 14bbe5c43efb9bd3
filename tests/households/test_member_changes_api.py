"""Member changes through /api/v1/member-changes/, and `?on=` on the households (issue 18, points 1
and 2): the service's refusals as 400s naming the field, with nothing written."""

import datetime

import pytest
from django.utils import timezone

from households.models import Household, Member, MemberChange
from tests.conftest import api_as
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db

API = "/api/v1/"
CHANGES = f"{API}member-changes/"
D = datetime.date


@pytest.fixture
def family(village):
    """NH-F of 城南村: head 陈父, spouse 陈母, child 陈女."""
    return household(village=village, number="NH-F", members=[
        member(name="陈父"),
        member(name="陈母", relation="spouse", id_number=resident_id(birth=D(1972, 2, 2), sex="female")),
        member(name="陈女", relation="child", id_number=resident_id(birth=D(2000, 3, 3), sex="female")),
    ])


@pytest.fixture
def clerk(ninghua_clerk):
    return api_as(ninghua_clerk)


def pk(family, relation):
    return family.members.get(relation=relation).pk


def state():
    return (list(Member.objects.order_by("id").values_list("id", "name", "id_number", "relation", "left_on",
                                                            "active")),
            list(Household.objects.order_by("id").values_list("number", "status")), MemberChange.objects.count())


def refused(client, body, field):
    before = state()
    response = client.post(CHANGES, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert state() == before
    return response.json()[field]


def names(response):
    return sorted(m["name"] for m in response.json()["members"])


def test_a_clerk_records_a_birth_and_the_household_shows_it_from_that_day(family, clerk, ninghua_clerk):
    baby = {"name": "陈婴", "id_number": resident_id(birth=D(2016, 5, 6)), "relation": "grandchild", "labor": "none"}
    response = clerk.post(CHANGES, {"household": family.pk, "kind": "birth", "date": "2016-05-06", "person": baby},
                          format="json")
    assert response.status_code == 201, response.content
    [change] = response.json()
    assert (change["kind"], change["member_name"], change["recorded_by"]) == ("birth", "陈婴", "clerk_ninghua")
    url = f"{API}households/{family.pk}/"
    assert names(clerk.get(url, {"on": "2016-05-05"})) == ["陈女", "陈母", "陈父"]
    assert names(clerk.get(url, {"on": "2016-05-06"})) == ["陈女", "陈婴", "陈母", "陈父"]
    assert names(clerk.get(url)) == ["陈女", "陈婴", "陈母", "陈父"]


def test_a_death_with_a_head_change_and_the_list_on_a_date(family, clerk):
    response = clerk.post(CHANGES, {"household": family.pk, "kind": "death", "date": "2017-01-01",
                                    "member": pk(family, "head"), "new_head": pk(family, "spouse")}, format="json")
    assert response.status_code == 201, response.content
    before = clerk.get(f"{API}households/", {"on": "2016-12-31"}).json()["results"]
    after = clerk.get(f"{API}households/", {"on": "2017-01-01"}).json()["results"]
    assert [len(h["members"]) for h in before if h["number"] == "NH-F"] == [3]
    [row] = [h for h in after if h["number"] == "NH-F"]
    assert sorted((m["name"], m["relation"]) for m in row["members"]) == [("陈女", "child"), ("陈母", "head")]
    # Today, without `on`: the same as the day of the change; the detail agrees with the list.
    detail = clerk.get(f"{API}households/{family.pk}/").json()
    assert detail["members"] == row["members"]


def relations(rows_or_detail) -> list:
    return sorted((m["name"], m["relation"]) for m in rows_or_detail["members"])


def test_a_day_before_a_head_change_shows_the_head_of_that_day_in_the_detail_and_the_list(family, clerk):
    """The member records hold today's relations; on an earlier day the household had its old head."""
    spouse, child = pk(family, "spouse"), pk(family, "child")
    assert clerk.post(CHANGES, {"household": family.pk, "kind": "death", "date": "2017-01-01",
                                "member": pk(family, "head"), "new_head": spouse}, format="json").status_code == 201
    assert clerk.post(CHANGES, {"household": family.pk, "kind": "head_change", "date": "2018-03-01",
                                "new_head": child, "relation": "parent"}, format="json").status_code == 201
    url = f"{API}households/{family.pk}/"
    listed = lambda on: next(h for h in clerk.get(f"{API}households/", {"on": on}).json()["results"]  # noqa: E731
                             if h["number"] == "NH-F")
    expected = {
        "2016-12-31": [("陈女", "child"), ("陈母", "spouse"), ("陈父", "head")],
        "2017-01-01": [("陈女", "child"), ("陈母", "head")],
        "2018-02-28": [("陈女", "child"), ("陈母", "head")],
        "2018-03-01": [("陈女", "head"), ("陈母", "parent")],
    }
    for on, members in expected.items():
        assert relations(clerk.get(url, {"on": on}).json()) == members, on
        assert relations(listed(on)) == members, on
    assert relations(clerk.get(url).json()) == expected["2018-03-01"]


def test_a_marriage_between_two_registered_households_through_the_api(family, village, clerk):
    groom = household(village=village, number="NH-G")
    response = clerk.post(CHANGES, {"household": family.pk, "kind": "marry_out", "date": "2017-05-01",
                                    "member": pk(family, "child"), "other_household": groom.pk,
                                    "relation": "in_law"}, format="json")
    assert response.status_code == 201, response.content
    assert names(clerk.get(f"{API}households/{groom.pk}/", {"on": "2017-04-30"})) == ["张三"]
    assert names(clerk.get(f"{API}households/{groom.pk}/", {"on": "2017-05-01"})) == ["张三", "陈女"]
    # Listed for both households.
    listed = clerk.get(CHANGES, {"household": groom.pk}).json()["results"]
    assert [c["kind"] for c in listed] == ["marry_out"]


def test_a_split_through_the_api(family, clerk):
    response = clerk.post(CHANGES, {
        "household": family.pk, "kind": "split", "date": "2017-06-01",
        "members": [{"member": pk(family, "child"), "relation": "head"}],
        "new_household": {"number": "NH-F2", "category": "dibao", "main_cause": "lack_labor"}}, format="json")
    assert response.status_code == 201, response.content
    new = Household.objects.get(number="NH-F2")
    assert names(clerk.get(f"{API}households/{new.pk}/", {"on": "2017-05-31"})) == []
    assert names(clerk.get(f"{API}households/{new.pk}/", {"on": "2017-06-01"})) == ["陈女"]


def test_the_list_holds_what_the_caller_may_see(family, clerk, datian_clerk, city_reviewer):
    clerk.post(CHANGES, {"household": family.pk, "kind": "enlist", "date": "2016-09-01",
                         "member": pk(family, "child")}, format="json")
    assert [c["kind"] for c in clerk.get(CHANGES).json()["results"]] == ["enlist"]
    assert api_as(city_reviewer).get(CHANGES).json()["count"] == 1
    assert api_as(datian_clerk).get(CHANGES).json()["count"] == 0
    assert clerk.get(CHANGES, {"kind": "death"}).json()["count"] == 0


def test_another_county_records_nothing(family, datian_clerk, city_reviewer):
    body = {"household": family.pk, "kind": "enlist", "date": "2016-09-01", "member": pk(family, "child")}
    before = state()
    response = api_as(datian_clerk).post(CHANGES, body, format="json")
    assert response.status_code == 400 and "household" in response.json()
    assert api_as(city_reviewer).post(CHANGES, body, format="json").status_code == 403
    assert state() == before


def test_changes_are_neither_changed_nor_deleted(family, clerk):
    response = clerk.post(CHANGES, {"household": family.pk, "kind": "enlist", "date": "2016-09-01",
                                    "member": pk(family, "child")}, format="json")
    url = f"{CHANGES}{response.json()[0]['id']}/"
    assert clerk.get(url).status_code == 200
    assert clerk.patch(url, {"reason": "x"}, format="json").status_code == 405
    assert clerk.delete(url).status_code == 405


# ---------------------------------------------------------------- bad input


def test_a_change_before_identification_is_refused(village, clerk):
    later = household(village=village, number="NH-2016", identified_year=2016)
    refused(clerk, {"household": later.pk, "kind": "death", "date": "2015-06-01",
                    "member": later.members.get().pk}, "date")


def test_a_change_in_the_future_is_refused(family, clerk):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refused(clerk, {"household": family.pk, "kind": "enlist", "date": tomorrow, "member": pk(family, "child")}, "date")


def test_the_death_of_someone_who_has_left_is_refused(family, clerk):
    clerk.post(CHANGES, {"household": family.pk, "kind": "enlist", "date": "2016-09-01",
                         "member": pk(family, "child")}, format="json")
    refused(clerk, {"household": family.pk, "kind": "death", "date": "2017-01-01", "member": pk(family, "child")},
            "member")


def test_a_birth_with_another_date_is_refused(family, clerk):
    baby = {"name": "陈婴", "id_number": resident_id(birth=D(2016, 5, 6)), "relation": "child", "labor": "none"}
    refused(clerk, {"household": family.pk, "kind": "birth", "date": "2016-05-07", "person": baby}, "date")


def test_a_head_leaving_without_a_new_head_is_refused(family, clerk):
    refused(clerk, {"household": family.pk, "kind": "move_out", "date": "2017-01-01", "member": pk(family, "head"),
                    "destination": "厦门"}, "new_head")


def test_a_split_leaving_a_household_empty_or_headless_is_refused(family, clerk):
    new = {"number": "NH-F2", "category": "dibao", "main_cause": "lack_labor"}
    everyone = [{"member": m.pk, "relation": r} for m, r in zip(family.members.order_by("id"),
                                                                ["head", "spouse", "child"])]
    refused(clerk, {"household": family.pk, "kind": "split", "date": "2017-06-01", "members": everyone,
                    "new_household": new}, "members")
    refused(clerk, {"household": family.pk, "kind": "split", "date": "2017-06-01", "new_household": new,
                    "members": [{"member": pk(family, "child"), "relation": "child"}]}, "relations")
    refused(clerk, {"household": family.pk, "kind": "split", "date": "2017-06-01", "new_household": new,
                    "members": [{"member": pk(family, "head"), "relation": "head"}]}, "new_head")


def test_a_corrected_id_number_of_another_active_person_is_refused(family, village, clerk):
    other = household(village=village, number="NH-O")
    refused(clerk, {"household": family.pk, "kind": "correction", "date": "2018-01-01", "member": pk(family, "child"),
                    "field": "id_number", "new_value": other.members.get().id_number}, "new_value")


def test_a_bad_on_is_a_400_naming_on(family, clerk):
    for url in (f"{API}households/", f"{API}households/{family.pk}/"):
        response = clerk.get(url, {"on": "2016-13-01"})
        assert response.status_code == 400 and "on" in response.json(), url


def test_a_member_who_has_left_is_listed_with_its_dates_and_not_deleted(family, clerk):
    clerk.post(CHANGES, {"household": family.pk, "kind": "enlist", "date": "2016-09-01",
                         "member": pk(family, "child")}, format="json")
    found = clerk.get(f"{API}members/{pk(family, 'child')}/").json()
    assert (found["joined_on"], found["left_on"]) == (None, "2016-09-01")
    before = state()
    assert clerk.delete(f"{API}members/{pk(family, 'child')}/").status_code == 409
    assert state() == before


def test_another_household_only_for_a_marriage_or_a_merge(family, village, clerk):
    other = household(village=village, number="NH-O")
    refused(clerk, {"household": family.pk, "kind": "enlist", "date": "2016-09-01", "member": pk(family, "child"),
                    "other_household": other.pk}, "other_household")


def test_the_household_history_shows_the_change_and_who_recorded_it(family, clerk):
    clerk.post(CHANGES, {"household": family.pk, "kind": "enlist", "date": "2016-09-01",
                         "member": pk(family, "child")}, format="json")
    history = clerk.get(f"{API}households/{family.pk}/history/").json()
    assert [(e["model"], e["type"], e["user"]) for e in history if e["model"] == "memberchange"] == [
        ("memberchange", "created", "clerk_ninghua")]
    left = [e for e in history if e["model"] == "member" and e["type"] == "changed"]
    assert {"field": "left_on", "old": None, "new": "2016-09-01"} in left[0]["changes"]
