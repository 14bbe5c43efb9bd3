"""Who may see and change what, door by door: the admin and the API ask households/access.py.
Also the audit trail and the login lockout."""


import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from common.actors import SYSTEM
from households import services
from households.access import helper_phone_display
from households.models import ExitRecord, Household, Member
from households.validators import mask_id
from tests.conftest import api_as
from tests.factories import VillageFactory, household, member, resident_id

pytestmark = pytest.mark.django_db


def admin_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def places():
    """A village in 宁化县 and one in 大田县."""
    return (
        VillageFactory(code="350424101201", township__code="350424101"),
        VillageFactory(code="350425101201", township__code="350425101", township__county_id="350425"),
    )


@pytest.fixture
def roles(ninghua_clerk, datian_clerk, city_reviewer, health_department, django_user_model, db):
    return {
        "clerk": ninghua_clerk,
        "other_clerk": datian_clerk,
        "reviewer": city_reviewer,
        "department": health_department,
        "system": services.role_grant(actor=SYSTEM, username="bank", role="system_client", counties=["350424"]),
        "nobody": django_user_model.objects.create_user("nobody", password=None),
    }


# ---------------------------------------------------------------- the admin
# Every page as every role: tests/test_permission_matrix.py.


def test_clerk_sees_and_opens_only_own_county(roles, places):
    mine, theirs = household(village=places[0]), household(village=places[1])
    client = admin_as(roles["clerk"])
    listed = client.get(reverse("admin:households_household_changelist")).context["cl"].result_list
    assert [h.pk for h in listed] == [mine.pk]
    assert client.get(reverse("admin:households_household_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:households_household_change", args=[theirs.pk])).status_code == 302
    members = client.get(reverse("admin:households_member_changelist")).context["cl"].result_list
    assert {m.household_id for m in members} == {mine.pk}


def test_drop_downs_offer_only_own_county(roles, places):
    client = admin_as(roles["clerk"])
    form = client.get(reverse("admin:households_household_add")).context["adminform"].form
    assert list(form.fields["county"].queryset.values_list("code", flat=True)) == ["350424"]
    assert list(form.fields["village"].queryset.values_list("code", flat=True)) == ["350424101201"]
    found = client.get(reverse("admin:autocomplete"), {
        "app_label": "households", "model_name": "household", "field_name": "village", "term": "",
    }).json()["results"]
    assert [v["id"] for v in found] == ["350424101201"]


def test_the_household_form_offers_no_village_to_change_a_move_is_a_transfer(roles, places):
    """Issue 18: on an existing household the village is shown, not offered (a move is a transfer,
    the page's 办理迁移); a village posted anyway changes nothing."""
    h = household(village=places[0])
    m = h.members.get()
    data = {
        "number": h.number, "village": places[1].code, "category": "ordinary", "standard": "national",
        "identified_year": "2014", "main_cause": "illness", "income_per_capita": "2500",
        "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "1", "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000", "members-0-id": str(m.pk), "members-0-household": str(h.pk),
        "members-0-name": m.name, "members-0-id_number": m.id_number, "members-0-relation": "head",
        "members-0-health": "healthy", "members-0-labor": "ordinary", "members-0-schooling": "not_in_school",
    }
    for prefix in ("measures", "exits", "returns", "incomes"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    client = admin_as(roles["clerk"])
    url = reverse("admin:households_household_change", args=[h.pk])
    page = client.get(url)
    assert "village" not in page.context["adminform"].form.fields
    assert f"{reverse('admin:households_transfer_add')}?household={h.pk}" in page.content.decode()
    response = client.post(url, data)
    assert response.status_code == 302
    assert Household.objects.get(pk=h.pk).village_id == places[0].code


def test_reviewer_reads_but_cannot_change_households(roles, places):
    h = household(village=places[0])
    client = admin_as(roles["reviewer"])
    page = client.get(reverse("admin:households_household_change", args=[h.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(reverse("admin:households_household_change", args=[h.pk]), {}).status_code == 403


def test_department_records_only_its_channel(roles, places):
    h = household(village=places[1], main_cause_id="illness")
    client = admin_as(roles["department"])
    form = client.get(reverse("admin:households_reliefmeasure_add")).context["adminform"].form
    assert list(form.fields["channel"].queryset.values_list("code", flat=True)) == ["medical_aid"]
    response = client.post(reverse("admin:households_reliefmeasure_add"), {
        "household": h.pk, "channel": "medical_aid", "year": "2016", "content": "大病救助", "amount": "3000",
    })
    assert response.status_code == 302 and h.measures.get().channel_id == "medical_aid"


# ---------------------------------------------------------------- ID numbers masked in the admin


def test_admin_masks_id_numbers_for_clerks(roles, places, admin_user):
    h = household(village=places[0])
    number = h.members.get().id_number
    masked = f"{number[:6]}********{number[-4:]}"
    clerk = admin_as(roles["clerk"])
    for url in (reverse("admin:households_member_changelist"),
                reverse("admin:households_household_change", args=[h.pk])):
        page = clerk.get(url).content.decode()
        assert number not in page and masked in page
    assert number in admin_as(admin_user).get(reverse("admin:households_member_changelist")).content.decode()
    assert clerk.get(reverse("admin:households_household_changelist"), {"q": number}).context["cl"].result_count == 0


def test_masked_id_is_kept_when_a_clerk_edits_a_member(roles, places):
    h = household(village=places[0])
    m = h.members.get()
    masked = f"{m.id_number[:6]}********{m.id_number[-4:]}"
    response = admin_as(roles["clerk"]).post(reverse("admin:households_member_change", args=[m.pk]), {
        "name": "张三丰", "id_number": masked, "relation": "head", "health": "chronic", "labor": "weak",
        "schooling": "not_in_school",
    })
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.name, m.health, len(m.id_number), "*" in m.id_number) == ("张三丰", "chronic", 18, False)


# ---------------------------------------------------------------- the API


# Every endpoint as every role: tests/test_permission_matrix.py.


def test_no_role_reads_nothing_through_the_api(roles, places):
    h = household(village=places[0])
    client = api_as(roles["nobody"])
    for path in ("households/", "members/", "measures/", "exits/", "returns/", f"households/{h.pk}/"):
        assert client.get(f"/api/v1/{path}").status_code == 403, path


# ---------------------------------------------------------------- audit


def test_history_keeps_the_acting_user_through_admin_and_api(roles, places):
    h = household(village=places[0], members=[member(), member(relation="child", id_number=resident_id())])
    child = h.members.get(relation="child")
    admin_as(roles["clerk"]).post(reverse("admin:households_member_change", args=[child.pk]), {
        "name": "李小花", "id_number": child.id_number[:6] + "********" + child.id_number[-4:], "relation": "child",
        "health": "healthy", "labor": "none", "schooling": "primary",
    })
    assert Member.history.filter(id=child.pk).latest("history_id").history_user == roles["clerk"]
    token_client = APIClient()
    from rest_framework.authtoken.models import Token

    token_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=roles['clerk']).key}")
    token_client.post("/api/v1/exits/", {"household": h.pk, "year": 2016, "income_per_capita": "4000"}, format="json")
    exit_record = ExitRecord.objects.get(household=h)
    assert exit_record.history.get().history_user == roles["clerk"]
    assert Household.history.filter(id=h.pk).latest("history_id").history_user == roles["clerk"]  # status


def test_household_history_through_the_api(roles, places):
    h = household(village=places[0])
    m = h.members.get()
    client = api_as(roles["clerk"])
    client.patch(f"/api/v1/members/{m.pk}/", {"id_number": resident_id(), "name": "王五"}, format="json")
    history = client.get(f"/api/v1/households/{h.pk}/history/").json()
    change = history[0]
    assert (change["model"], change["type"], change["user"]) == ("member", "changed", "clerk_ninghua")
    fields = {c["field"]: c for c in change["changes"]}
    assert fields["name"]["new"] == "王五" and "********" in fields["id_number"]["new"]
    assert {e["type"] for e in history} >= {"created", "changed"}
    assert api_as(roles["other_clerk"]).get(f"/api/v1/households/{h.pk}/history/").status_code == 404


def test_household_history_compares_each_version_with_the_one_before_in_a_fixed_number_of_queries(roles, places):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from households.selectors import household_history

    h = household(village=places[0])
    m = h.members.get()
    client = api_as(roles["clerk"])

    def history() -> tuple[list, int]:
        with CaptureQueriesContext(connection) as queries:
            entries = household_history(h, show_id=mask_id)
        return entries, len(queries)

    _, before = history()
    for name in ("王五", "王六", "王七"):
        client.patch(f"/api/v1/members/{m.pk}/", {"name": name}, format="json")
    entries, after = history()
    assert after == before  # three more versions of a member: no query more
    renames = [(c["old"], c["new"]) for e in entries if e["model"] == "member" and e["type"] == "changed"
               for c in e["changes"] if c["field"] == "name"]
    assert renames == [("王六", "王七"), ("王五", "王六"), ("张三", "王五")]  # newest first


# ---------------------------------------------------------------- login lockout


def test_five_failures_lock_the_username_for_admin_and_api(roles):
    services.role_grant(actor=SYSTEM, username="clerk_ninghua", role="county_clerk", counties=["350424"],
                        password="Ninghua-2015!")
    api = APIClient()
    statuses = [api.post("/api/v1/auth/token/", {"username": "clerk_ninghua", "password": "bad"},
                         format="json").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    locked = api.post("/api/v1/auth/token/", {"username": "clerk_ninghua", "password": "Ninghua-2015!"},
                      format="json")
    assert locked.status_code == 429 and "锁定 30 分钟" in locked.json()["detail"]
    page = Client().post(reverse("admin:login"), {"username": "clerk_ninghua", "password": "Ninghua-2015!"})
    assert page.status_code == 429 and "锁定" in page.content.decode()
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get(username="clerk_ninghua").failures_since_start >= 5


def test_a_success_resets_the_count(roles):
    services.role_grant(actor=SYSTEM, username="clerk_ninghua", role="county_clerk", counties=["350424"],
                        password="Ninghua-2015!")
    api = APIClient()
    for _ in range(4):
        api.post("/api/v1/auth/token/", {"username": "clerk_ninghua", "password": "bad"}, format="json")
    assert api.post("/api/v1/auth/token/", {"username": "clerk_ninghua", "password": "Ninghua-2015!"},
                    format="json").status_code == 200
    assert api.post("/api/v1/auth/token/", {"username": "clerk_ninghua", "password": "bad"},
                    format="json").status_code == 400


def test_roles_granted_in_the_admin(admin_client):
    from households.models import UserRole

    user = services.role_grant(actor=SYSTEM, username="x", role="city_reviewer")
    grant = UserRole.objects.get(user=user)
    response = admin_client.post(reverse("admin:households_userrole_change", args=[grant.pk]), {
        "user": user.pk, "role": "county_clerk", "counties": [],
    })
    assert "该角色须指定至少一个县" in response.content.decode()
    response = admin_client.post(reverse("admin:households_userrole_change", args=[grant.pk]), {
        "user": user.pk, "role": "county_clerk", "counties": ["350424"],
    })
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.role == "county_clerk" and list(user.groups.values_list("name", flat=True)) == ["county_clerk"]


def test_a_helpers_phone_is_whole_for_the_city_and_its_county_masked_for_everyone_else(roles, admin_user):
    phone = "13812341234"
    for who, ninghua, datian in [
        (admin_user, phone, phone),
        (roles["reviewer"], phone, phone),
        (roles["clerk"], phone, "138****1234"),
        (roles["other_clerk"], "138****1234", phone),
        (roles["department"], "138****1234", "138****1234"),
    ]:
        show = helper_phone_display(who)
        assert (show(phone, "350424"), show(phone, "350425")) == (ninghua, datian), who
