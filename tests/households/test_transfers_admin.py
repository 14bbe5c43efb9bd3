"""Transfers (迁移) in the admin: released on the add page (from the household's 办理迁移), accepted
or refused by the receiving county as actions of the list, listed for both counties, shown on the
household's page; each bad input refused with nothing written."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from common.actors import SYSTEM
from households import services
from households.models import Household, Transfer

pytestmark = pytest.mark.django_db

ADD = reverse("admin:households_transfer_add")
LIST = reverse("admin:households_transfer_changelist")


def admin_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def snapshot() -> tuple:
    return (list(Transfer.objects.order_by("id").values_list("id", "state", "refusal_reason")),
            list(Household.objects.order_by("id").values_list("id", "village_id")))


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def pending(poor, places, ninghua_clerk):
    return services.transfer_release(actor=ninghua_clerk, household=poor, to_village=places.chengguan,
                                     reason="family")


def test_a_clerk_releases_from_the_households_page_and_the_receiving_clerk_accepts(poor, places, ninghua_clerk,
                                                                                     datian_clerk):
    ninghua = admin_as(ninghua_clerk)
    form = ninghua.get(f"{ADD}?household={poor.pk}").context["adminform"].form
    assert form.initial["household"] == str(poor.pk)
    response = ninghua.post(ADD, {"household": poor.pk, "to_village": places.chengguan.pk, "reason": "relocation",
                                  "settlement": "均溪安置区", "note": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    transfer = Transfer.objects.get()
    assert (transfer.state, transfer.released_by, transfer.settlement) == ("pending", ninghua_clerk, "均溪安置区")
    assert Household.objects.get(pk=poor.pk).village_id == places.chengnan.pk
    datian = admin_as(datian_clerk)
    listed = datian.get(LIST, {"state__exact": "pending"}).context["cl"].result_list
    assert list(listed) == [transfer]
    response = datian.post(LIST, {"action": "accept_transfers", ACTION_CHECKBOX_NAME: [transfer.pk]})
    assert response.status_code == 302 and "已接收 1 户" in said(response)
    assert Household.objects.get(pk=poor.pk).village_id == places.chengguan.pk
    transfer.refresh_from_db()
    assert (transfer.state, transfer.decided_by) == ("accepted", datian_clerk)


def test_a_move_into_its_own_village_is_refused_on_the_form(poor, village, ninghua_clerk):
    before = snapshot()
    response = admin_as(ninghua_clerk).post(ADD, {"household": poor.pk, "to_village": village.pk, "reason": "family"})
    assert response.status_code == 200 and "to_village" in response.context["adminform"].form.errors
    assert snapshot() == before


def test_a_second_release_while_one_is_pending_is_refused(pending, poor, places, ninghua_clerk):
    before = snapshot()
    response = admin_as(ninghua_clerk).post(ADD, {"household": poor.pk, "to_village": places.chengbei.pk,
                                                  "reason": "family"})
    assert response.status_code == 302 and "待接收" in said(response)
    assert snapshot() == before


def test_the_sending_county_cannot_accept_or_refuse(pending, ninghua_clerk):
    client = admin_as(ninghua_clerk)
    before = snapshot()
    response = client.post(LIST, {"action": "accept_transfers", ACTION_CHECKBOX_NAME: [pending.pk]})
    assert "迁入村所在县办理" in said(response) and "已接收 0 户" in said(response)
    response = client.post(LIST, {"action": "refuse_transfers", ACTION_CHECKBOX_NAME: [pending.pk],
                                  "refusal_reason": "不要"})
    assert "迁入村所在县办理" in said(response)
    assert snapshot() == before


def test_refusing_asks_for_a_reason_then_refuses(pending, poor, places, datian_clerk):
    client = admin_as(datian_clerk)
    before = snapshot()
    page = client.post(LIST, {"action": "refuse_transfers", ACTION_CHECKBOX_NAME: [pending.pk]})
    assert page.status_code == 200 and "拒收原因" in page.content.decode()
    assert snapshot() == before
    response = client.post(LIST, {"action": "refuse_transfers", ACTION_CHECKBOX_NAME: [pending.pk],
                                  "refusal_reason": "安置房未建成"})
    assert "已拒收 1 户" in said(response)
    pending.refresh_from_db()
    assert (pending.state, pending.refusal_reason) == ("refused", "安置房未建成")
    assert Household.objects.get(pk=poor.pk).village_id == places.chengnan.pk
    # Decided: accepting it now is refused.
    response = client.post(LIST, {"action": "accept_transfers", ACTION_CHECKBOX_NAME: [pending.pk]})
    assert "已拒收" in said(response) and Transfer.objects.get().state == "refused"


def test_a_transfer_page_is_read_only_and_nobody_deletes_one(pending, ninghua_clerk, datian_clerk, admin_user):
    for user in (ninghua_clerk, datian_clerk, admin_user):
        page = admin_as(user).get(reverse("admin:households_transfer_change", args=[pending.pk]))
        assert page.status_code == 200 and not page.context["has_change_permission"]
        assert admin_as(user).get(reverse("admin:households_transfer_delete", args=[pending.pk])).status_code == 403


def test_the_households_page_shows_its_transfers(pending, poor, datian_clerk, ninghua_clerk):
    services.transfer_refuse(actor=datian_clerk, transfer=pending, reason="无住房")
    page = admin_as(ninghua_clerk).get(reverse("admin:households_household_change", args=[poor.pk])).content.decode()
    assert "迁移记录" in page and "城关村" in page and "已拒收" in page and "无住房" in page


def test_a_clerk_of_a_third_county_sees_no_transfer(pending):
    yongan = services.role_grant(actor=SYSTEM, username="clerk_yongan", role="county_clerk", counties=["350481"])
    client = admin_as(yongan)
    assert list(client.get(LIST).context["cl"].result_list) == []
    page = client.get(reverse("admin:households_transfer_change", args=[pending.pk]))
    assert page.status_code == 302  # the admin's "no such record"


def test_a_removed_household_is_not_offered_for_release(poor, places, ninghua_clerk):
    services.household_remove(actor=ninghua_clerk, household=poor, reason="错评")
    before = snapshot()
    client = admin_as(ninghua_clerk)
    assert poor not in client.get(ADD).context["adminform"].form.fields["household"].queryset
    response = client.post(ADD, {"household": poor.pk, "to_village": places.chengguan.pk, "reason": "family"})
    assert response.status_code == 200 and "household" in response.context["adminform"].form.errors
    assert snapshot() == before
