"""The notice lists (公示名单): which cases of a place a list names, and posting it, which starts each
listed case's notice period on the posting day, through the service, the API and the admin."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import api_as
from tests.factories import household, member
from workflows import notices, services
from workflows.models import Case, NoticePosting, State, Step
from workflows.selectors import WAITING_NOTICE, in_tray

from .steps import D, application, day, take, walk

NOTICES_API = "/api/v1/workflows/notices/"


@pytest.fixture
def waiting(places, poor, ninghua_clerk):
    """城南村: two identifications at 村公示 (taken on day 8), one short of it (村民代表评议), an exit at
    村公示 (day 15); 城北村: one identification at 村公示 (day 8)."""
    first, _ = walk(application(places.chengnan, ninghua_clerk, applicant_name="赵一"), ninghua_clerk,
                    until=State.VILLAGE_NOTICE)
    second, _ = walk(application(places.chengnan, ninghua_clerk, applicant_name="钱二"), ninghua_clerk,
                     until=State.VILLAGE_NOTICE)
    short, _ = walk(application(places.chengnan, ninghua_clerk, applicant_name="孙三"), ninghua_clerk,
                    until=State.VILLAGE_REVIEWED)
    exit_case, _ = walk(services.exit_propose(actor=ninghua_clerk, household=poor, year=2016, on=D), ninghua_clerk,
                        until=State.VILLAGE_NOTICE)
    north, _ = walk(application(places.chengbei, ninghua_clerk, applicant_name="李四"), ninghua_clerk,
                    until=State.VILLAGE_NOTICE)
    return {"first": first, "second": second, "short": short, "exit": exit_case, "north": north}


def notice_of(case) -> Step:
    return Step.objects.get(case=case, state=case.state)


# ---------------------------------------------------------------- which cases a list names


def test_a_village_list_names_exactly_the_cases_of_that_village_kind_and_step(waiting, village, ninghua_clerk):
    listed = notices.notice_cases(user=ninghua_clerk, kind="identification", step="village_notice",
                                  village=village.code)
    assert [c.applicant_name for c in listed] == ["赵一", "钱二"]
    exits = notices.notice_cases(user=ninghua_clerk, kind="exit", step="village_notice", village=village.code)
    assert [c.household.number for c in exits] == ["NH-1"]
    assert not notices.notice_cases(user=ninghua_clerk, kind="identification", step="township_notice",
                                    village=village.code).exists()


def test_a_township_list_names_the_cases_of_all_its_villages(waiting, places, ninghua_clerk):
    listed = notices.notice_cases(user=ninghua_clerk, kind="identification", step="village_notice",
                                  township=places.cuijiang.code)
    assert [(c.village_id, c.applicant_name) for c in listed] == [
        (places.chengnan.code, "赵一"), (places.chengnan.code, "钱二"), (places.chengbei.code, "李四")]


def test_a_list_comes_ready_for_printing_in_a_fixed_number_of_queries(waiting, village, ninghua_clerk,
                                                                     django_assert_num_queries):
    household(village=village, number="NH-2", members=[member(name="周二")])
    with django_assert_num_queries(4):  # the cases; their members; their notice steps; the place
        (case,) = notices.notice_cases(user=ninghua_clerk, kind="exit", step="village_notice", village=village.code)
        assert [m.name for m in case.household.notice_members] == ["王五", "王小"]  # head first
        assert (case.village.township.county.name, case.household.main_cause.name) == ("宁化县", "缺资金")
        assert case.notice_steps[0].notice_start == day(15)


def test_a_list_refuses_a_step_that_is_no_notice_of_its_kind(waiting, village, ninghua_clerk):
    for kind, step in [("exit", "township_notice"), ("exit", "announced"), ("identification", "applied")]:
        with pytest.raises(ValidationError) as refused:
            notices.notice_cases(user=ninghua_clerk, kind=kind, step=step, village=village.code)
        assert set(refused.value.message_dict) == {"step"}


def test_a_place_outside_the_users_counties_is_not_found(waiting, village, datian_clerk, health_department):
    for user in (datian_clerk, health_department):
        with pytest.raises(Http404):
            notices.notice_cases(user=user, kind="identification", step="village_notice", village=village.code)
    with pytest.raises(Http404):
        notices.notice_cases(user=datian_clerk, kind="identification", step="village_notice", county="350424")


def test_the_city_reviewer_reads_every_list(waiting, village, city_reviewer):
    assert notices.notice_cases(user=city_reviewer, kind="identification", step="village_notice",
                                village=village.code).count() == 2


# ---------------------------------------------------------------- posting starts the period


def test_posting_starts_the_notice_period_of_each_listed_case_on_the_posting_day(waiting, village, ninghua_clerk):
    posting = notices.notice_post(actor=ninghua_clerk, kind="identification", step="village_notice", on=day(11),
                                  village=village.code)
    assert set(posting.cases.all()) == {waiting["first"], waiting["second"]}
    assert (posting.village, posting.posted_on, posting.posted_by, posting.posted_by_name) == (
        village, day(11), ninghua_clerk, "clerk_ninghua")
    for name in ("first", "second"):
        step = notice_of(waiting[name])
        assert (step.on, step.notice_start, step.notice_end) == (day(8), day(11), day(18))
    # Neither the exit of the same village nor the identification of 城北村 was on this list.
    assert (notice_of(waiting["exit"]).notice_start, notice_of(waiting["north"]).notice_start) == (day(15), day(8))


def test_the_next_step_waits_for_the_period_from_the_posting(waiting, village, ninghua_clerk):
    case = waiting["first"]
    notices.notice_post(actor=ninghua_clerk, kind="identification", step="village_notice", on=day(11),
                        village=village.code)
    # Seven days from the step (day 15) would have been enough before the list was posted.
    with pytest.raises(ValidationError) as refused:
        take(case, State.TOWNSHIP_REVIEWED, ninghua_clerk, day(15))
    assert "2016-03-19" in refused.value.message_dict["on"][0]  # day(18)
    take(case, State.TOWNSHIP_REVIEWED, ninghua_clerk, day(18))
    case.refresh_from_db()
    assert case.state == State.TOWNSHIP_REVIEWED
    # 城北村's case was not posted: its period ran from its step.
    take(waiting["north"], State.TOWNSHIP_REVIEWED, ninghua_clerk, day(15))


def test_objections_are_counted_from_the_posting(waiting, village, ninghua_clerk):
    case = waiting["first"]
    notices.notice_post(actor=ninghua_clerk, kind="identification", step="village_notice", on=day(11),
                        village=village.code)
    with pytest.raises(ValidationError) as refused:
        services.objection_raise(case=case, actor=ninghua_clerk, content="家有轿车", on=day(9))
    assert set(refused.value.message_dict) == {"raised_on"}
    assert services.objection_raise(case=case, actor=ninghua_clerk, content="家有轿车", on=day(17)).step.state == (
        State.VILLAGE_NOTICE)


def test_the_in_tray_shows_the_notice_running_until_the_posted_period_ends(waiting, village, ninghua_clerk):
    notices.notice_post(actor=ninghua_clerk, kind="identification", step="village_notice", on=day(11),
                        village=village.code)
    tasks, _ = in_tray(user=ninghua_clerk, kind="identification", on=day(16))
    by_case = {t.case.pk: t for t in tasks}
    assert by_case[waiting["first"].pk].waits_on == WAITING_NOTICE
    assert "2016-03-19" in by_case[waiting["first"].pk].task
    assert by_case[waiting["north"].pk].waits_on == "township"  # its period ran from day 8 to day 15


def test_a_case_is_posted_once_a_later_list_names_only_the_cases_added_since(waiting, village, ninghua_clerk):
    notices.notice_post(actor=ninghua_clerk, kind="identification", step="village_notice", on=day(11),
                        village=village.code)
    with pytest.raises(ValidationError) as refused:
        notices.notice_post(actor=ninghua_clerk, kind="identification", step="village_notice", on=day(12),
                            village=village.code)
    assert set(refused.value.message_dict) == {"step"}
    third, _ = walk(application(village, ninghua_clerk, applicant_name="吴六"), ninghua_clerk,
                    until=State.VILLAGE_NOTICE)
    later = notices.notice_post(actor=ninghua_clerk, kind="identification", step="village_notice", on=day(13),
                                village=village.code)
    assert list(later.cases.all()) == [third]
    assert notice_of(waiting["first"]).notice_start == day(11)


def test_a_township_list_posts_the_cases_of_all_its_villages(waiting, places, ninghua_clerk):
    posting = notices.notice_post(actor=ninghua_clerk, kind="identification", step="village_notice", on=day(12),
                                  township=places.cuijiang.code)
    assert set(posting.cases.all()) == {waiting["first"], waiting["second"], waiting["north"]}
    assert str(posting) == "翠江镇 贫困户识别村公示名单 2016-03-13"


# ---------------------------------------------------------------- refused, nothing written


def nothing_written(waiting) -> bool:
    return not NoticePosting.objects.exists() and all(
        notice_of(waiting[name]).notice_start == notice_of(waiting[name]).on for name in ("first", "second", "exit"))


@pytest.mark.parametrize("kind, step, on, field", [
    ("identification", "village_notice", "tomorrow", "on"),  # asked of the clock when the test runs
    ("identification", "village_notice", day(7), "on"),  # before the steps (day 8)
    ("exit", "village_notice", day(14), "on"),  # before the exit's step (day 15)
    ("exit", "township_notice", day(20), "step"),  # the exit has no township notice
    ("identification", "township_notice", day(20), "step"),  # nobody waits on it
    ("identification", "applied", day(20), "step"),
    ("nonsense", "village_notice", day(20), "kind"),
])
def test_a_bad_posting_is_refused_naming_the_field(waiting, village, ninghua_clerk, kind, step, on, field):
    on = timezone.localdate() + datetime.timedelta(days=1) if on == "tomorrow" else on
    with pytest.raises(ValidationError) as refused:
        notices.notice_post(actor=ninghua_clerk, kind=kind, step=step, on=on, village=village.code)
    assert set(refused.value.message_dict) == {field}
    assert nothing_written(waiting)


def test_a_posting_names_one_place(waiting, village, places, ninghua_clerk):
    for places_named in ({}, {"village": village.code, "township": places.cuijiang.code}):
        with pytest.raises(ValidationError) as refused:
            notices.notice_post(actor=ninghua_clerk, kind="identification", step="village_notice", on=day(11),
                                **places_named)
        assert set(refused.value.message_dict) == {"village"}
    assert nothing_written(waiting)


def test_a_place_outside_the_actors_scope_is_not_found_and_one_it_only_reads_is_refused(
        waiting, village, datian_clerk, city_reviewer, writing_client):
    with pytest.raises(Http404):
        notices.notice_post(actor=datian_clerk, kind="identification", step="village_notice", on=day(11),
                            village=village.code)
    for reader in (city_reviewer, writing_client):  # they see 宁化县 but take no step of it
        with pytest.raises(PermissionDenied):
            notices.notice_post(actor=reader, kind="identification", step="village_notice", on=day(11),
                                village=village.code)
    assert nothing_written(waiting)


# ---------------------------------------------------------------- the API


def test_the_api_lists_the_cases_posts_the_list_and_lists_the_postings(waiting, village, ninghua_clerk):
    client = api_as(ninghua_clerk)
    query = {"kind": "identification", "step": "village_notice", "village": village.code}
    listed = client.get(f"{NOTICES_API}cases/", query)
    assert listed.status_code == 200
    assert [c["applicant_name"] for c in listed.json()] == ["赵一", "钱二"]
    posted = client.post(f"{NOTICES_API}post/", {**query, "on": str(day(11))}, format="json")
    assert posted.status_code == 201, posted.json()
    body = posted.json()
    assert (body["village"], body["posted_on"], body["notice_start"], body["notice_end"]) == (
        village.code, "2016-03-12", "2016-03-12", "2016-03-19")
    assert sorted(body["cases"]) == sorted([waiting["first"].pk, waiting["second"].pk])
    case = client.get(f"/api/v1/workflows/cases/{waiting['first'].pk}/").json()
    assert (case["steps"][-1]["notice_start"], case["steps"][-1]["notice_end"]) == ("2016-03-12", "2016-03-19")
    assert [p["id"] for p in client.get(NOTICES_API).json()["results"]] == [body["id"]]
    assert client.get(NOTICES_API, {"county": "350425"}).json()["results"] == []


def test_the_api_answers_each_refusal_with_nothing_written(waiting, village, ninghua_clerk, datian_clerk,
                                                           city_reviewer):
    query = {"kind": "identification", "step": "village_notice", "village": village.code, "on": str(day(11))}
    url = f"{NOTICES_API}post/"
    assert api_as(datian_clerk).post(url, query, format="json").status_code == 404
    assert api_as(city_reviewer).post(url, query, format="json").status_code == 403
    clerk = api_as(ninghua_clerk)
    for change, field in [({"on": str(day(7))}, "on"), ({"kind": "exit", "step": "announced"}, "step"),
                          ({"step": "township_notice"}, "step"), ({"step": "registered"}, "step")]:
        answer = clerk.post(url, {**query, **change}, format="json")
        assert answer.status_code == 400 and field in answer.json(), (change, answer.json())
    assert nothing_written(waiting)
    assert api_as(datian_clerk).get(NOTICES_API).json()["results"] == []


def test_the_api_cases_of_a_place_outside_the_scope_are_not_found(waiting, village, datian_clerk):
    answer = api_as(datian_clerk).get(f"{NOTICES_API}cases/", {"kind": "identification", "step": "village_notice",
                                                               "village": village.code})
    assert answer.status_code == 404


# ---------------------------------------------------------------- the admin


def test_the_admin_posts_the_list_of_each_selected_cases_village(waiting, village, ninghua_clerk):
    client = Client()
    client.force_login(ninghua_clerk)
    url = reverse("admin:workflows_case_changelist")
    selected = [waiting["first"].pk, waiting["exit"].pk, waiting["short"].pk]
    page = client.post(url, {"action": "post_notice_lists", ACTION_CHECKBOX_NAME: selected})
    assert page.status_code == 200
    assert "城南村：贫困户识别“村公示”名单" in page.content.decode()
    done = client.post(url, {"action": "post_notice_lists", ACTION_CHECKBOX_NAME: selected,
                             "posted_on": str(day(16))}, follow=True)
    assert "已张贴 2 份名单" in done.content.decode()
    postings = {(p.kind, p.step, p.village_id): set(p.cases.all()) for p in NoticePosting.objects.all()}
    assert postings == {("identification", "village_notice", village.code): {waiting["first"], waiting["second"]},
                        ("exit", "village_notice", village.code): {waiting["exit"]}}
    assert notice_of(waiting["exit"]).notice_end == day(23)
    listing = client.get(reverse("admin:workflows_noticeposting_changelist"))
    assert listing.status_code == 200 and "城南村" in listing.content.decode()


def test_the_admin_shows_each_refusal_beside_its_list(waiting, village, ninghua_clerk):
    client = Client()
    client.force_login(ninghua_clerk)
    url = reverse("admin:workflows_case_changelist")
    done = client.post(url, {"action": "post_notice_lists", ACTION_CHECKBOX_NAME: [waiting["exit"].pk],
                             "posted_on": str(day(9))}, follow=True)
    text = done.content.decode()
    assert "张贴日期2016-03-10早于NH-1" in text and "已张贴 0 份名单" in text
    assert not NoticePosting.objects.exists() and Case.objects.count() == 5
