"""Member changes in the admin (issue 18, point 1): the household's page lists them in order, and a
clerk records one from there; what the service refuses is shown on the form, with nothing written."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from households import services
from households.models import Household, Member, MemberChange
from tests.factories import household, member, resident_id

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def family(village):
    """NH-F of 城南村: head 陈父, spouse 陈母, child 陈女."""
    return household(village=village, number="NH-F", members=[
        member(name="陈父"),
        member(name="陈母", relation="spouse", id_number=resident_id(birth=D(1972, 2, 2), sex="female")),
        member(name="陈女", relation="child", id_number=resident_id(birth=D(2000, 3, 3), sex="female")),
    ])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(h):
    return reverse("admin:households_household_member_change", args=[h.pk])


def pk(h, relation):
    return h.members.get(relation=relation).pk


def state():
    return (list(Member.objects.order_by("id").values_list("id", "name", "id_number", "relation", "left_on",
                                                            "active")),
            list(Household.objects.order_by("id").values_list("number", "status")), MemberChange.objects.count())


def test_the_household_page_shows_its_changes_in_order(family, ninghua_clerk):
    services.member_change_record(actor=ninghua_clerk, household=family, kind="death", date=D(2017, 3, 1),
                                  member=family.members.get(relation="head"),
                                  new_head=family.members.get(relation="spouse"))
    baby = member(name="陈婴", relation="grandchild", labor="none", id_number=resident_id(birth=D(2016, 5, 6)))
    services.member_change_record(actor=ninghua_clerk, household=family, kind="birth", date=D(2016, 5, 6),
                                  person=baby)
    page = logged_in(ninghua_clerk).get(reverse("admin:households_household_change", args=[family.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "登记成员变动" in text
    assert text.index("2016-05-06") < text.index("2017-03-01")
    assert "新户主：陈母" in text
    # The members' form holds those present only: the late head is not a second head to save.
    assert [f.instance.name for f in page.context["inline_admin_formsets"][0].formset.forms if f.instance.pk] == [
        "陈母", "陈女", "陈婴"]


def test_a_clerk_records_a_birth_from_the_household_page(family, ninghua_clerk):
    response = logged_in(ninghua_clerk).post(url(family), {
        "kind": "birth", "date": "2016-05-06", "person_name": "陈婴",
        "person_id_number": resident_id(birth=D(2016, 5, 6)), "person_relation": "grandchild", "person_labor": "none"})
    assert response.status_code == 302
    baby = Member.objects.get(name="陈婴")
    assert (baby.household_id, baby.joined_on) == (family.pk, D(2016, 5, 6))
    assert MemberChange.objects.get().recorded_by == ninghua_clerk


def test_a_clerk_records_a_split_from_the_household_page(family, ninghua_clerk):
    daughter = pk(family, "child")
    response = logged_in(ninghua_clerk).post(url(family), {
        "kind": "split", "date": "2017-06-01", "members": [daughter], "split_head": daughter, "new_number": "NH-F2",
        "new_category": "dibao", "new_main_cause": "lack_labor"})
    assert response.status_code == 302
    assert Household.objects.get(number="NH-F2").members.get().relation == "head"


def bad_inputs(family, village):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    other = household(village=village, number="NH-O")
    return [
        ("date", {"kind": "enlist", "date": tomorrow, "member": pk(family, "child")}),
        ("date", {"kind": "enlist", "date": "2013-12-31", "member": pk(family, "child")}),
        ("date", {"kind": "birth", "date": "2016-05-07", "person_name": "陈婴",
                  "person_id_number": resident_id(birth=D(2016, 5, 6)), "person_relation": "child"}),
        ("new_head", {"kind": "death", "date": "2017-01-01", "member": pk(family, "head")}),
        ("members", {"kind": "split", "date": "2017-06-01", "members": list(family.members.values_list("pk", flat=True)),
                     "split_head": pk(family, "child"), "new_number": "NH-F2", "new_category": "dibao",
                     "new_main_cause": "lack_labor"}),
        ("split_head", {"kind": "split", "date": "2017-06-01", "members": [pk(family, "child")],
                        "new_number": "NH-F2", "new_category": "dibao", "new_main_cause": "lack_labor"}),
        ("new_head", {"kind": "split", "date": "2017-06-01", "members": [pk(family, "head")],
                      "split_head": pk(family, "head"), "new_number": "NH-F2", "new_category": "dibao",
                      "new_main_cause": "lack_labor"}),
        ("new_value", {"kind": "correction", "date": "2018-01-01", "member": pk(family, "child"),
                       "field": "id_number", "new_value": other.members.get().id_number}),
    ]


def test_each_bad_input_is_shown_on_the_form_with_nothing_written(family, village, ninghua_clerk):
    client = logged_in(ninghua_clerk)
    for field, data in bad_inputs(family, village):
        before = state()
        response = client.post(url(family), data)
        assert response.status_code == 200, (field, data)
        assert field in response.context["form"].errors, (field, response.context["form"].errors)
        assert state() == before


def test_the_death_of_someone_who_has_left_is_shown_on_the_form(family, ninghua_clerk):
    services.member_change_record(actor=ninghua_clerk, household=family, kind="enlist", date=D(2016, 9, 1),
                                  member=family.members.get(relation="child"))
    before = state()
    response = logged_in(ninghua_clerk).post(url(family), {"kind": "death", "date": "2017-01-01",
                                                           "member": pk(family, "child")})
    assert "member" in response.context["form"].errors
    assert state() == before


def test_only_whoever_may_change_the_household_records_a_change(family, datian_clerk, city_reviewer):
    assert logged_in(datian_clerk).get(url(family)).status_code == 404
    assert logged_in(city_reviewer).get(url(family)).status_code == 403
    before = state()
    logged_in(city_reviewer).post(url(family), {"kind": "enlist", "date": "2016-01-01", "member": pk(family, "child")})
    assert state() == before
