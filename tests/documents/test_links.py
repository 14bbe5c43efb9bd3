"""The admin's and the dashboards' pages open the printed documents: each link is a route that
answers the PDF (tests/documents/test_documents.py reads what it holds)."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from households.models import YearClose
from jobs.models import Job, JobState
from tests.conftest import NINGHUA

pytestmark = pytest.mark.django_db


def links(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {html.unescape(h) for h in re.findall(r'href="([^"]*/api/v1/documents/[^"]*)"', response.content.decode())}


@pytest.fixture
def clerk_client(world):
    client = Client()
    client.force_login(world.clerk)
    return client


def test_the_households_pages_link_its_card_and_handbook(world, clerk_client):
    card, handbook = (reverse("document-card", args=[world.one.pk]), reverse("document-handbook", args=[world.one.pk]))
    assert {card, handbook} <= links(clerk_client, reverse("admin:households_household_change", args=[world.one.pk]))
    assert {card, handbook} <= links(clerk_client, reverse("dashboard:household", args=[world.one.pk]))
    assert clerk_client.get(card)["Content-Type"] == "application/pdf"


def test_the_close_pages_link_its_document(world, clerk_client):
    expected = reverse("document-close", args=[f"{NINGHUA}-2016"])
    assert links(clerk_client, reverse("dashboard:close", args=[f"{NINGHUA}-2016"])) == {expected}
    close = YearClose.objects.create(county_id=NINGHUA, year=2016, state=YearClose.State.SUBMITTED)
    assert links(clerk_client, reverse("admin:households_yearclose_change", args=[close.pk])) == {expected}


def test_a_case_at_a_notice_step_links_the_list_of_its_village(world, clerk_client):
    (url,) = links(clerk_client, reverse("admin:workflows_case_change", args=[world.zhao.pk]))
    assert url == (f"{reverse('document-notice-list')}?kind=identification&step=village_notice"
                   f"&village={world.places.chengnan.code}")
    response = clerk_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    (announced,) = links(clerk_client, reverse("admin:workflows_case_change", args=[world.zhou.pk]))
    assert announced == f"{reverse('document-announcement')}?kind=identification&county={NINGHUA}"


def test_the_villages_page_prints_all_its_cards_as_a_job_and_opens_the_jobs_page(world, clerk_client):
    page = reverse("dashboard:village", args=[world.places.chengnan.code])
    assert "打印全村帮扶明白卡" in clerk_client.get(page).content.decode()
    started = clerk_client.post(page)
    job = Job.objects.get(user=world.clerk, kind="documents.village_cards")
    assert started.status_code == 302 and started.url == reverse("admin:jobs_job_change", args=[job.pk])
    assert job.state == JobState.DONE and job.result_name == "帮扶明白卡-城南村.pdf"
    assert clerk_client.get(started.url).status_code == 200
    other = Client()
    other.force_login(world.other)
    assert other.post(page).status_code == 404
