"""The workflows and the checks through the REST API: the same services, the caller's scope, JSON
errors (400 naming the field, 403 for a step the role may not take, 404 outside the scope)."""

from decimal import Decimal

import pytest
from django.test import override_settings

from households.models import ExitRecord, Household
from jobs.runner import job_run
from tests.conftest import api_as
from tests.factories import resident_id
from workflows.models import Case, State

from .steps import D, day

CASES = "/api/v1/workflows/cases/"
# Jobs wait in the queue until the test runs them, as a worker would.
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


def post(client, url, data):
    return client.post(url, data, format="json")


def test_an_exit_walks_through_the_api_to_its_exit_record(poor, ninghua_clerk):
    client = api_as(ninghua_clerk)
    created = post(client, f"{CASES}exit/", {"household": poor.pk, "year": 2016, "on": str(D)})
    assert created.status_code == 201, created.json()
    case = created.json()
    assert (case["state"], case["next_state"], case["county"]) == ("proposed", "verified", "350424")
    url = f"{CASES}{case['id']}/"
    verify = {"income_per_capita": "3000", "food": True, "clothing": True, "education": True, "medical": True,
              "housing": True, "on": str(day(1))}
    answer = post(client, f"{url}verify/", verify).json()
    assert answer["verification"]["line_amount"] == "2952.00" and answer["verification"]["passed"] is True
    assert post(client, f"{url}advance/", {"to": "signed", "on": str(day(2))}).status_code == 200
    notice = post(client, f"{url}advance/", {"to": "village_notice", "on": str(day(3))}).json()
    assert notice["steps"][-1]["notice_end"] == str(day(10))
    early = post(client, f"{url}advance/", {"to": "township_reviewed", "on": str(day(9))})
    assert early.status_code == 400 and "on" in early.json()
    assert post(client, f"{url}advance/", {"to": "township_reviewed", "on": str(day(10))}).status_code == 200
    closed = post(client, f"{url}close/", {"on": str(day(11))})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert ExitRecord.objects.get(household=poor).income_per_capita == Decimal("3000")


def test_an_identification_through_the_api_with_an_objection(village, ninghua_clerk):
    client = api_as(ninghua_clerk)
    data = {"village": village.code, "applicant_name": "李四", "applicant_id_number": resident_id(),
            "applicant_labor": "weak", "category": "ordinary", "main_cause": "illness", "year": 2016,
            "income_per_capita": "2000", "on": str(D)}
    case = post(client, f"{CASES}identification/", data).json()
    url = f"{CASES}{case['id']}/"
    post(client, f"{url}advance/", {"to": "village_reviewed", "on": str(day(1))})
    post(client, f"{url}advance/", {"to": "village_notice", "on": str(day(2))})
    raised = post(client, f"{url}objections/", {"content": "家有轿车", "raised_on": str(day(3))})
    assert raised.status_code == 201
    objection = raised.json()["steps"][-1]["objections"][0]
    assert objection["outcome"] == "pending"
    decided = post(client, f"{url}objections/{objection['id']}/decide/",
                   {"outcome": "dismissed", "decision": "借用亲戚车辆", "decided_on": str(day(4))})
    assert decided.status_code == 200 and decided.json()["steps"][-1]["objections"][0]["outcome"] == "dismissed"
    assert post(client, f"{url}objections/999999/decide/", {"outcome": "upheld", "decision": "x"}).status_code == 404


def test_the_api_refuses_with_the_right_status(poor, ninghua_clerk, datian_clerk, city_reviewer):
    case = post(api_as(ninghua_clerk), f"{CASES}exit/", {"household": poor.pk, "year": 2016, "on": str(D)}).json()
    url = f"{CASES}{case['id']}/"
    # Another county's clerk does not see the case; the reviewer sees it but takes no village step.
    assert api_as(datian_clerk).get(url).status_code == 404
    assert post(api_as(datian_clerk), f"{url}advance/", {"to": "signed"}).status_code == 404
    assert post(api_as(city_reviewer), f"{url}reject/", {"reason": "不符合"}).status_code == 403
    refused = post(api_as(city_reviewer), f"{CASES}exit/", {"household": poor.pk, "year": 2016})
    assert refused.status_code == 403, refused.json()
    client = api_as(ninghua_clerk)
    skipped = post(client, f"{url}advance/", {"to": "signed", "on": str(day(1))})
    assert skipped.status_code == 400 and "to" in skipped.json()
    assert post(client, f"{url}advance/", {"to": "verified"}).status_code == 400  # its own service
    assert post(client, f"{url}advance/", {"to": "nonsense"}).status_code == 400
    assert post(client, f"{url}advance/", {"to": "signed", "on": "2999-01-01"}).status_code == 400
    assert post(client, f"{url}verify/", {"income_per_capita": "-1"}).status_code == 400
    assert post(client, f"{CASES}exit/", {"household": 999999, "year": 2016}).status_code == 400
    assert client.get(f"{CASES}?state=nonsense").status_code == 400
    assert Case.objects.get().state == State.PROPOSED


def test_the_case_list_is_scoped_and_filtered(poor, ninghua_clerk, datian_clerk, city_reviewer):
    post(api_as(ninghua_clerk), f"{CASES}exit/", {"household": poor.pk, "year": 2016, "on": str(D)})
    assert api_as(ninghua_clerk).get(f"{CASES}?kind=exit&open=true").json()["count"] == 1
    assert api_as(ninghua_clerk).get(f"{CASES}?open=false").json()["count"] == 0
    assert api_as(city_reviewer).get(CASES).json()["count"] == 1
    assert api_as(datian_clerk).get(CASES).json()["count"] == 0


def test_applicant_id_numbers_are_masked_for_those_who_may_not_see_them(village, ninghua_clerk, admin_user):
    number = resident_id()
    data = {"village": village.code, "applicant_name": "李四", "applicant_id_number": number, "applicant_labor": "weak",
            "category": "ordinary", "main_cause": "illness", "year": 2016, "income_per_capita": "2000"}
    shown = post(api_as(ninghua_clerk), f"{CASES}identification/", data).json()["applicant_id_number"]
    assert shown == number[:6] + "********" + number[-4:]
    assert api_as(admin_user).get(CASES).json()["results"][0]["applicant_id_number"] == number


def test_the_in_tray_and_the_pending_exits(poor, ninghua_clerk, datian_clerk):
    post(api_as(ninghua_clerk), f"{CASES}exit/", {"household": poor.pk, "year": 2016, "on": str(D)})
    tray = api_as(ninghua_clerk).get("/api/v1/workflows/in-tray/").json()
    assert tray["counts"]["village"] == 1 and tray["results"][0]["next_state"] == "verified"
    assert api_as(ninghua_clerk).get("/api/v1/workflows/in-tray/?waits_on=county").json()["results"] == []
    assert api_as(ninghua_clerk).get("/api/v1/workflows/in-tray/?waits_on=x").status_code == 400
    assert api_as(datian_clerk).get("/api/v1/workflows/in-tray/").json()["results"] == []
    pending = api_as(ninghua_clerk).get("/api/v1/workflows/pending-exits/?year=2016").json()
    assert pending == [{"county": "350424", "county_name": "宁化县", "year": 2016, "households": 1, "persons": 2}]
    assert api_as(datian_clerk).get("/api/v1/workflows/pending-exits/").json() == []


@pytest.fixture
def flawed(poor, datian_village):
    """One finding in each county: incomes of zero."""
    from tests.factories import household

    other = household(village=datian_village, number="DT-1", main_cause_id="lack_funds")
    Household.objects.filter(pk__in=[poor.pk, other.pk]).update(income_per_capita=0)
    return poor, other


def test_the_findings_are_scoped_paginated_and_counted(flawed, ninghua_clerk, city_reviewer):
    poor, _ = flawed
    mine = api_as(ninghua_clerk).get("/api/v1/audit/findings/").json()
    assert mine["count"] == 1
    finding = mine["results"][0]
    assert (finding["check"], finding["household"], finding["url"]) == (
        "income_not_positive", poor.pk, f"/dashboard/household/{poor.pk}/")
    everything = api_as(city_reviewer).get("/api/v1/audit/findings/?page_size=1").json()
    assert everything["count"] == 2 and len(everything["results"]) == 1
    counts = api_as(city_reviewer).get("/api/v1/audit/findings/counts/").json()
    assert [(c["county"], c["total"]) for c in counts] == [("350424", 1), ("350425", 1)]
    assert api_as(city_reviewer).get("/api/v1/audit/findings/?county=350425").json()["count"] == 1
    assert api_as(city_reviewer).get("/api/v1/audit/findings/?check=head_count").json()["count"] == 0
    for bad in ("?check=nonsense", "?county=999999", "?county=abc", "?page_size=0"):
        assert api_as(city_reviewer).get(f"/api/v1/audit/findings/{bad}").status_code == 400, bad


@override_settings(JOB_AUDIT_HOUSEHOLDS=1, TASKS=QUEUED_ONLY)
def test_findings_over_more_households_than_the_threshold_come_from_a_job(flawed, ninghua_clerk, city_reviewer):
    mine = api_as(ninghua_clerk).get("/api/v1/audit/findings/")
    assert mine.status_code == 200 and mine.json()["count"] == 1  # one household: at once
    reviewer = api_as(city_reviewer)
    answer = reviewer.get("/api/v1/audit/findings/")
    assert answer.status_code == 202 and answer["Location"].endswith(f"/api/v1/jobs/{answer.json()['id']}/")
    assert reviewer.get("/api/v1/audit/findings/counts/").json()["id"] == answer.json()["id"]  # the same run
    job_run(answer.json()["id"], beats=False)  # the worker
    assert reviewer.get(answer["Location"]).json()["state"] == "done"
    findings = reviewer.get("/api/v1/audit/findings/?page_size=1").json()
    assert findings["count"] == 2 and [f["check"] for f in findings["results"]] == ["income_not_positive"]
    counts = reviewer.get("/api/v1/audit/findings/counts/").json()
    assert [(c["county"], c["total"]) for c in counts] == [("350424", 1), ("350425", 1)]
    assert reviewer.get("/api/v1/audit/findings/?county=350425").status_code == 200  # one household again


def test_nothing_is_readable_anonymously(client, db):
    for url in (CASES, "/api/v1/workflows/in-tray/", "/api/v1/workflows/pending-exits/", "/api/v1/audit/findings/"):
        assert client.get(url).status_code == 401, url
