"""The in-tray's visit tasks (issue 20): a county's households due for their helper's visit, kind
`visit`, waiting on the village, beside the cases, which keep every field; counted and filtered
like them; in a fixed number of queries."""

import pytest
from django.urls import reverse

from tests.conftest import api_as
from tests.dashboard.conftest import shown_table
from tests.helper_registry import ago, build_helper_registry
from workflows.selectors import in_tray

from .steps import D, application

pytestmark = pytest.mark.django_db

URL = "/api/v1/workflows/in-tray/"


@pytest.fixture
def helpers(places):
    return build_helper_registry(places)


def visits(tasks) -> list[str]:
    return [t.who for t in tasks if t.kind == "visit"]


def test_the_households_due_for_a_visit_are_the_villages_tasks(helpers, ninghua_clerk):
    tasks, counts = in_tray(user=ninghua_clerk)
    assert visits(tasks) == ["NH-H2", "NH-H3"] and len(tasks) == 2
    h2, h3 = tasks
    assert (h2.case, h2.household, h2.state, h2.next_state, h2.waits_on, h2.since, h2.county) == (
        None, helpers.h2, None, None, "village", ago(200), "350424")
    assert h3.since == ago(100) and "李帮扶" in h3.task and h3.ready
    assert counts == {"village": 2, "township": 0, "county": 0, "reviewer": 0, "notice": 0}


def test_visit_tasks_are_those_of_the_counties_the_user_sees(helpers, datian_clerk, city_reviewer,
                                                            health_department):
    assert visits(in_tray(user=datian_clerk)[0]) == ["DT-D2"]
    assert visits(in_tray(user=city_reviewer)[0]) == ["NH-H2", "DT-D2", "NH-H3"]
    assert visits(in_tray(user=city_reviewer, county="350425")[0]) == ["DT-D2"]
    # A department sees households, not counties: it has no in-tray, as it has no cases.
    assert in_tray(user=health_department)[0] == []


def test_visit_tasks_sit_beside_the_cases_and_kind_chooses_between_them(helpers, village, ninghua_clerk):
    case = application(village, ninghua_clerk)  # opened on D (2016): older than every visit task
    tasks, counts = in_tray(user=ninghua_clerk)
    assert [t.who for t in tasks] == ["李四", "NH-H2", "NH-H3"] and tasks[0].case == case
    assert counts["village"] == 3
    only_visits, counts = in_tray(user=ninghua_clerk, kind="visit")
    assert visits(only_visits) == ["NH-H2", "NH-H3"] and len(only_visits) == 2 and counts["village"] == 2
    cases, counts = in_tray(user=ninghua_clerk, kind="identification")
    assert [t.case for t in cases] == [case] and counts["village"] == 1
    assert in_tray(user=ninghua_clerk, waits_on="county")[0] == []


def test_the_in_tray_runs_the_same_queries_however_many_visits_are_due(helpers, village, ninghua_clerk,
                                                                     city_reviewer, django_assert_max_num_queries,
                                                                     django_assert_num_queries):
    application(village, ninghua_clerk)
    in_tray(user=city_reviewer)  # the role, fetched once for the user object
    with django_assert_max_num_queries(5) as few:  # the cases, their steps, objections; the visits
        tasks, _ = in_tray(user=city_reviewer)
        [t.place.name for t in tasks]
    assert len(visits(tasks)) == 3
    helpers.p2.assignments.create(household=helpers.h5, started_on=ago(300))  # one more due
    with django_assert_num_queries(len(few.captured_queries)):
        tasks, _ = in_tray(user=city_reviewer)
        [t.place.name for t in tasks]
    assert len(visits(tasks)) == 4


def test_the_api_answers_visit_tasks_with_nulls_where_a_case_has_its_fields(helpers, village, ninghua_clerk):
    case = application(village, ninghua_clerk, on=D)
    client = api_as(ninghua_clerk)
    tray = client.get(URL).json()
    first, h2, h3 = tray["results"]
    assert first == {"case": case.pk, "household": None, "kind": "identification", "state": "applied",
                     "next_state": "village_reviewed", "county": "350424", "village": village.code, "who": "李四",
                     "waits_on": "village", "ready": True, "task": first["task"], "since": str(D)}
    assert {k: v for k, v in h2.items() if k != "task"} == {
        "case": None, "household": helpers.h2.pk, "kind": "visit", "state": None, "next_state": None,
        "county": "350424", "village": village.code, "who": "NH-H2", "waits_on": "village", "ready": True,
        "since": str(ago(200))}
    assert h3["since"] == str(ago(100))
    assert tray["counts"]["village"] == 3
    assert [t["who"] for t in client.get(URL, {"kind": "visit"}).json()["results"]] == ["NH-H2", "NH-H3"]
    assert [t["who"] for t in client.get(URL, {"kind": "exit"}).json()["results"]] == []
    assert client.get(URL, {"kind": "visits"}).status_code == 400


def test_the_in_tray_page_lists_the_visits_linking_to_the_household(helpers, client, ninghua_clerk):
    client.force_login(ninghua_clerk)
    response = client.get(reverse("dashboard:in_tray"))
    header, *body = shown_table(response, "in_tray")
    rows = {row[1]: dict(zip(header, row)) for row in body}
    assert set(rows) == {"NH-H2", "NH-H3"}
    assert (rows["NH-H2"]["事项"], rows["NH-H2"]["等待"], rows["NH-H2"]["上一环节或上次走访日期"]) == (
        "帮扶走访", "村", f"{ago(200).year}年{ago(200).month}月{ago(200).day}日")
    assert reverse("dashboard:household", args=[helpers.h2.pk]) in response.content.decode()


def test_the_admins_case_list_counts_only_cases(helpers, client, ninghua_clerk):
    client.force_login(ninghua_clerk)
    page = client.get(reverse("admin:workflows_case_changelist")).content.decode()
    assert "村（0）" in page
