"""Helpers (帮扶责任人), assignments and visits in the admin: lists scoped to what the user sees, a
helper's page listing its households (current first) and visits, the phone whole or masked in the
lists, the forms and the read-only pages as access.helper_phone_display decides, and every save
through the services, a refusal shown with nothing saved."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from households.models import Helper, HelperAssignment, HelperVisit
from tests.conftest import DATIAN, NINGHUA
from tests.households.helper_world import (
    LI_PHONE,
    ZHOU_MASKED,
    ZHOU_PHONE,
    days_ago,
    helpers_fixture,  # noqa: F401  (the fixture `helpers`, used by being here)
)

pytestmark = pytest.mark.django_db

HELPER_LIST = reverse("admin:households_helper_changelist")
HELPER_ADD = reverse("admin:households_helper_add")
ASSIGNMENT_LIST = reverse("admin:households_helperassignment_changelist")
ASSIGNMENT_ADD = reverse("admin:households_helperassignment_add")
VISIT_LIST = reverse("admin:households_helpervisit_changelist")
VISIT_ADD = reverse("admin:households_helpervisit_add")


def admin_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def snapshot() -> tuple:
    return (list(Helper.objects.order_by("id").values_list()),
            list(HelperAssignment.objects.order_by("id").values_list()),
            list(HelperVisit.objects.order_by("id").values_list()))


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_helper_list_is_scoped_and_masks_phones(helpers, ninghua_clerk, datian_clerk, city_reviewer,
                                                   health_department):
    def listed(user):
        response = admin_as(user).get(HELPER_LIST)
        assert response.status_code == 200
        return {h.name for h in response.context["cl"].result_list}, response.content.decode()

    names, html = listed(ninghua_clerk)
    assert names == {"李明", "周芳"}
    assert LI_PHONE in html and ZHOU_MASKED in html and ZHOU_PHONE not in html
    names, html = listed(datian_clerk)
    assert names == {"周芳"} and ZHOU_PHONE in html
    names, html = listed(city_reviewer)
    assert names == {"李明", "周芳"} and LI_PHONE in html and ZHOU_PHONE in html
    names, html = listed(health_department)
    assert names == {"周芳"} and ZHOU_MASKED in html and ZHOU_PHONE not in html


def test_the_helper_list_filters_by_county_and_level_and_searches(helpers, city_reviewer):
    client = admin_as(city_reviewer)
    assert [h.name for h in client.get(HELPER_LIST, {"county": DATIAN}).context["cl"].result_list] == ["周芳"]
    assert [h.name for h in client.get(HELPER_LIST, {"level__exact": "section"}).context["cl"].result_list] == ["周芳"]
    assert [h.name for h in client.get(HELPER_LIST, {"q": "农业"}).context["cl"].result_list] == ["李明"]


def test_a_helpers_page_lists_its_households_current_first_and_its_visits(helpers, ninghua_clerk):
    html = page(admin_as(ninghua_clerk), reverse("admin:households_helper_change", args=[helpers.li.pk]))
    # NH-1 (current) before NH-2 (ended 101 days ago).
    assert html.index("NH-1") < html.index("NH-2")
    assert days_ago(101).isoformat() in html and "至今" in html
    assert "住房漏雨" in html and "联系危房改造" in html
    assert f'value="{LI_PHONE}"' in html  # the clerk of its county changes it


def test_another_countys_helper_is_read_only_with_its_phone_masked(helpers, ninghua_clerk):
    client = admin_as(ninghua_clerk)
    html = page(client, reverse("admin:households_helper_change", args=[helpers.zhou.pk]))
    assert ZHOU_MASKED in html and ZHOU_PHONE not in html
    # Only NH-2, the household the clerk sees.
    assert "NH-2" in html and "DT-1" not in html
    before = snapshot()
    client.post(reverse("admin:households_helper_change", args=[helpers.zhou.pk]),
                {"name": "周芳", "unit": "县财政局", "level": "section", "phone": "13900000000"})
    assert snapshot() == before


def test_a_helper_outside_the_users_scope_is_not_found(helpers, datian_clerk):
    response = admin_as(datian_clerk).get(reverse("admin:households_helper_change", args=[helpers.li.pk]))
    assert response.status_code == 302 and response.url == reverse("admin:index")


def test_a_clerk_adds_and_changes_a_helper_through_the_service(helpers, ninghua_clerk):
    client = admin_as(ninghua_clerk)
    form = client.get(HELPER_ADD).context["adminform"].form
    assert list(form.fields["county"].queryset.values_list("code", flat=True)) == [NINGHUA]
    response = client.post(HELPER_ADD, {"county": NINGHUA, "name": "王强", "unit": "县水利局", "post": "",
                                        "level": "cadre", "phone": "137 0000 1111"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    wang = Helper.objects.get(name="王强")
    assert wang.phone == "13700001111"  # as the service keeps it
    assert wang.history.first().history_user == ninghua_clerk
    response = client.post(reverse("admin:households_helper_change", args=[wang.pk]),
                           {"name": "王强", "unit": "县水利局", "post": "股长", "level": "section",
                            "phone": "13700001111"})
    assert response.status_code == 302
    wang.refresh_from_db()
    assert (wang.post, wang.level, wang.county_id) == ("股长", "section", NINGHUA)


def test_a_refused_helper_is_shown_with_nothing_saved(helpers, ninghua_clerk):
    client = admin_as(ninghua_clerk)
    before = snapshot()
    # The same name and unit as 李明 in 宁化: the service refuses.
    response = client.post(HELPER_ADD, {"county": NINGHUA, "name": "李明", "unit": "县农业局", "level": "cadre",
                                        "phone": ""}, follow=True)
    assert "未保存" in said(response)
    response = client.post(HELPER_ADD, {"county": NINGHUA, "name": "王强", "unit": "县水利局", "level": "cadre",
                                        "phone": "不是电话"}, follow=True)
    assert "未保存" in said(response) and "手机号码" in said(response)
    assert snapshot() == before


def test_the_reviewer_reads_and_adds_no_helper(helpers, city_reviewer):
    client = admin_as(city_reviewer)
    assert client.get(HELPER_ADD).status_code == 403
    html = page(client, reverse("admin:households_helper_change", args=[helpers.zhou.pk]))
    assert ZHOU_PHONE in html and 'name="phone"' not in html


# ---------------------------------------------------------------- assignments


def test_the_assignment_list_is_scoped_and_shows_the_phone_by_the_households_county(
        helpers, ninghua_clerk, health_department):
    response = admin_as(ninghua_clerk).get(ASSIGNMENT_LIST)
    assert {(a.household.number, a.helper.name) for a in response.context["cl"].result_list} == {
        ("NH-1", "李明"), ("NH-2", "李明"), ("NH-2", "周芳")}
    assert ZHOU_PHONE in response.content.decode()  # NH-2 is 宁化's
    response = admin_as(ninghua_clerk).get(ASSIGNMENT_LIST, {"current": "yes"})
    assert {a.household.number for a in response.context["cl"].result_list} == {"NH-1", "NH-2"}
    response = admin_as(health_department).get(ASSIGNMENT_LIST)
    assert [a.household.number for a in response.context["cl"].result_list] == ["DT-1"]
    html = response.content.decode()
    assert ZHOU_MASKED in html and ZHOU_PHONE not in html
    html = page(admin_as(health_department), reverse("admin:households_helperassignment_change",
                                                     args=[helpers.datian.pk]))
    assert ZHOU_MASKED in html and ZHOU_PHONE not in html


def test_a_clerk_gives_a_household_a_new_helper_and_the_old_assignment_is_kept(helpers, ninghua_clerk):
    client = admin_as(ninghua_clerk)
    wang = Helper.objects.create(county_id=NINGHUA, name="王强", unit="县水利局")
    response = client.post(ASSIGNMENT_ADD, {"household": helpers.nh1.pk, "helper": wang.pk,
                                            "started_on": days_ago(10).isoformat(), "reason": "工作调动"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(HelperAssignment.objects.filter(household=helpers.nh1).order_by("started_on")
                .values_list("helper__name", "ended_on")) == [("李明", days_ago(11)), ("王强", None)]


def test_a_refused_assignment_is_shown_with_nothing_saved(helpers, ninghua_clerk):
    client = admin_as(ninghua_clerk)
    before = snapshot()
    # 周芳 is 大田's: without a reason the service refuses.
    response = client.post(ASSIGNMENT_ADD, {"household": helpers.nh1.pk, "helper": helpers.zhou.pk,
                                            "started_on": days_ago(10).isoformat(), "reason": ""}, follow=True)
    assert "未保存" in said(response)
    assert snapshot() == before


def test_an_assignment_is_ended_on_its_page(helpers, ninghua_clerk):
    client = admin_as(ninghua_clerk)
    url = reverse("admin:households_helperassignment_change", args=[helpers.current.pk])
    response = client.post(url, {"started_on": days_ago(100).isoformat(), "ended_on": days_ago(1).isoformat(),
                                 "reason": "退休"})
    assert response.status_code == 302
    helpers.current.refresh_from_db()
    assert (helpers.current.ended_on, helpers.current.reason) == (days_ago(1), "退休")


# ---------------------------------------------------------------- visits


def test_visits_are_listed_recorded_and_deleted_through_the_services(helpers, ninghua_clerk, datian_clerk):
    assert [v.found for v in admin_as(datian_clerk).get(VISIT_LIST).context["cl"].result_list] == []
    client = admin_as(ninghua_clerk)
    assert [v.found for v in client.get(VISIT_LIST).context["cl"].result_list] == ["住房漏雨"]
    response = client.post(VISIT_ADD, {"assignment": helpers.current.pk, "visited_on": days_ago(1).isoformat(),
                                       "kind": "phone", "found": "孩子入学", "done": "", "follow_up": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    visit = HelperVisit.objects.get(found="孩子入学")
    assert visit.recorded_by == ninghua_clerk
    before = snapshot()
    response = client.post(VISIT_ADD, {"assignment": helpers.current.pk, "visited_on": days_ago(-1).isoformat(),
                                       "kind": "phone", "found": "明天", "done": "", "follow_up": ""}, follow=True)
    assert "未保存" in said(response)
    assert snapshot() == before
    response = client.post(reverse("admin:households_helpervisit_delete", args=[visit.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not HelperVisit.objects.filter(pk=visit.pk).exists()
