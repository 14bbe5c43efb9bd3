"""Reads on a real streaming replica (common/replica.py, common/replica_middleware.py): the
dashboards' and the API lists' reads answered by the replica, a form that saves and shows the
result read from the primary, a replica behind or down leaving every page working from the primary,
with a log line.

They need a replica of the test cluster (`.ci/replica start`, and DATABASE_REPLICA_URL naming it:
.ci/run does both): skipped without one, except where CI_REQUIRE_REPLICA=1 (.ci/run), where they
fail. The replica replicates the whole cluster, the test database included, which the replica
alias reads under the same name (TEST MIRROR, settings.py). What it cannot see is a transaction
not committed: these tests commit (transaction=True) and wait until the replica has replayed the
primary's WAL before they look. Which server answered is proved by what the page shows: with the
replica's replay paused (pg_wal_replay_pause()) the primary changes and the replica does not, so a
page that shows the old value was read on the replica, and one that shows the new on the primary.
The tests of one run take turns (a lock file): one pausing or stopping the replica would
otherwise fail another's."""

import fcntl
import logging
import os
import subprocess
import tempfile
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from common.actors import SYSTEM
from common.replica import REPLICA, call_reading_replica, forget_health, replica_caught_up
from common.replica_middleware import PIN_COOKIE
from households.models import Household
from households.services import role_grant
from plans.closes import close_send_back, close_submit
from tests.conftest import NINGHUA
from tests.factories import household
from tests.households.test_api import household_body
from tests.plans.test_closes_doors import explain_all
from tests.postgres import (  # noqa: F401  (the reference-data fixtures are used by being here)
    reference_data,
    reference_data_after_the_module,
)

CONFIGURED = REPLICA in django_settings.DATABASES
REQUIRED = os.environ.get("CI_REQUIRE_REPLICA") == "1"
SCRIPT = django_settings.BASE_DIR / ".ci" / "replica"
CATCH_UP = 120  # seconds the replica may take to replay what the test committed, on a busy machine

pytestmark = [
    pytest.mark.skipif(not CONFIGURED and not REQUIRED,
                       reason="no replica configured (DATABASE_REPLICA_URL; `.ci/replica start` makes one)"),
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA] if CONFIGURED else ["default"]),
]

CLOSES = reverse("dashboard:closes")
CLOSE_PAGE = reverse("dashboard:close", args=[f"{NINGHUA}-2016"])


def on_replica(sql: str):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def caught_up() -> None:
    assert replica_caught_up(CATCH_UP), f"the replica did not replay the primary's WAL within {CATCH_UP} s"


@contextmanager
def replay_paused():
    """The replica stops replaying (once it has replayed all committed so far): what the primary
    commits inside is not on the replica."""
    caught_up()
    on_replica("SELECT pg_wal_replay_pause()")
    try:
        while on_replica("SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
            pass
        yield
    finally:
        on_replica("SELECT pg_wal_replay_resume()")


@pytest.fixture
def replica(settings):
    """The replica serves reads (checked at every read, never too far behind); one test at a time."""
    if not CONFIGURED:
        pytest.fail("CI needs the streaming replica (.ci/replica start, DATABASE_REPLICA_URL)")
    with open(os.path.join(tempfile.gettempdir(), "sanming_fupin-replica-tests.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        settings.DATABASE_REPLICA_READS = True
        settings.DATABASE_REPLICA_MAX_LAG = 3600
        settings.DATABASE_REPLICA_CHECK_SECONDS = 0
        forget_health()
        yield
        forget_health()


@pytest.fixture
def submitted(registry, ninghua_clerk, city_reviewer):
    """宁化县's 2016 submitted by its clerk, on the primary and on the replica."""
    explain_all(ninghua_clerk)
    close = close_submit(actor=ninghua_clerk, county=NINGHUA, year=2016)
    caught_up()
    return close


def reviewer_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies.pop(PIN_COOKIE, None)  # the login wrote: its mark, not the test's
    return client


def shown_state(client, url=CLOSES) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return next(s for s in ("已提交", "已退回") if s in response.content.decode())


def test_the_replica_alias_reads_a_standby_copy_of_the_test_database(replica):
    recovering, port, name = on_replica("SELECT pg_is_in_recovery(), inet_server_port(), current_database()")
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), current_database()")
        primary_port, primary_name = cursor.fetchone()
    assert recovering and port != primary_port and name == primary_name


def test_a_dashboard_read_is_answered_by_the_replica(replica, submitted, city_reviewer):
    client = reviewer_client(city_reviewer)
    with replay_paused():
        close_send_back(actor=city_reviewer, county=NINGHUA, year=2016, reason="人数不符")
        with CaptureQueriesContext(connections[REPLICA]) as on_the_replica:
            assert shown_state(client) == "已提交"  # what the replica holds, not the primary
        assert any("households_yearclose" in q["sql"] for q in on_the_replica.captured_queries)
    caught_up()
    assert shown_state(client) == "已退回"


def test_an_api_list_reads_the_replica_and_a_token_caller_reads_its_own_write(replica, places, ninghua_clerk):
    client = APIClient()
    client.force_authenticate(ninghua_clerk)
    caught_up()
    with replay_paused():
        household(village=places.chengnan, number="NH-NEW")
        assert client.get("/api/v1/households/").json()["count"] == 0  # the replica's copy
        response = client.post("/api/v1/households/", household_body(places.chengnan), format="json")
        assert response.status_code == 201, response.json()
        # A token caller keeps no cookie: its mark is in the cache, and its reads go to the primary.
        client.cookies.clear()
        assert client.get("/api/v1/households/").json()["count"] == 2


def test_a_form_that_saves_shows_the_result_from_the_primary(replica, submitted, city_reviewer):
    client = reviewer_client(city_reviewer)
    with replay_paused():
        response = client.post(CLOSE_PAGE, {"action": "send_back", "reason": "人数不符"}, follow=True)
        assert "已退回" in response.content.decode() and "人数不符" in response.content.decode()
        assert shown_state(client) == "已退回"
        # Another reviewer, who wrote nothing, reads the replica, which has not replayed the write.
        other = role_grant(actor=SYSTEM, username="reviewer2", role="city_reviewer")
        assert shown_state(reviewer_client(other)) == "已提交"


def test_a_replica_behind_by_more_than_the_maximum_lag_leaves_the_reads_to_the_primary(
        replica, settings, submitted, city_reviewer, caplog):
    settings.DATABASE_REPLICA_MAX_LAG = 0
    client = reviewer_client(city_reviewer)
    with replay_paused():
        close_send_back(actor=city_reviewer, county=NINGHUA, year=2016, reason="人数不符")
        with caplog.at_level(logging.WARNING, logger="common.replica"), \
                CaptureQueriesContext(connections[REPLICA]) as on_the_replica:
            assert shown_state(client) == "已退回"
        assert "reads go to the primary: it is behind by" in caplog.text
        assert not any("households_yearclose" in q["sql"] for q in on_the_replica.captured_queries)


def test_a_job_reads_the_replica_once_it_has_replayed_what_came_before_it(replica, settings, places):
    household(village=places.chengnan, number="NH-1")
    with CaptureQueriesContext(connections[REPLICA]) as on_the_replica:
        assert call_reading_replica(Household.objects.count) == 1
    assert any("households_household" in q["sql"] for q in on_the_replica.captured_queries)
    settings.DATABASE_REPLICA_MAX_LAG = 0.2
    with replay_paused():
        household(village=places.chengnan, number="NH-2")
        # The replica cannot catch up with it: the job reads the primary, which has both.
        assert call_reading_replica(Household.objects.count) == 2


def replica_script(action: str) -> None:
    subprocess.run([SCRIPT, action], check=True, capture_output=True, timeout=300)


@pytest.fixture
def replica_stopped_at_the_end(replica):
    yield
    replica_script("start")
    connections[REPLICA].close()  # opened before the stop
    forget_health()
    caught_up()


def test_a_replica_stopped_mid_test_leaves_every_page_working(replica, replica_stopped_at_the_end, settings,
                                                              submitted, city_reviewer, caplog):
    # The pages' own writes (the data-quality page's job, an export's log) would send the reads that
    # follow to the primary for a while: here, every page reads the replica while it is there.
    settings.DATABASE_REPLICA_PIN_SECONDS = 0
    client = reviewer_client(city_reviewer)
    api = APIClient()
    api.force_authenticate(city_reviewer)
    pages = [CLOSES, CLOSE_PAGE, reverse("dashboard:overview"), reverse("dashboard:breakdowns"),
             reverse("dashboard:villages"), reverse("dashboard:projects"), reverse("dashboard:county", args=[NINGHUA]),
             reverse("dashboard:in_tray"), reverse("dashboard:helpers"), reverse("dashboard:audit"),
             f"{CLOSES}?export=closes"]
    lists = ["/api/v1/households/", "/api/v1/closes/", "/api/v1/plans/progress/", "/api/v1/households/export/"]
    for caller, url in [*((client, p) for p in pages), *((api, u) for u in lists)]:
        with CaptureQueriesContext(connections[REPLICA]) as on_the_replica:
            assert caller.get(url).status_code == 200, url
        assert on_the_replica.captured_queries, f"{url} did not read the replica"
    # Checked no more than once an hour: the next read goes to the replica as it was, finds it gone
    # under it and runs again on the primary.
    settings.DATABASE_REPLICA_CHECK_SECONDS = 3600
    replica_script("stop")
    with caplog.at_level(logging.WARNING, logger="common.replica"):
        for url in pages:
            assert client.get(url).status_code == 200, url
        for url in lists:
            assert api.get(url).status_code == 200, url
        assert "reads go to the primary: a read failed on it" in caplog.text
        # Checked again: it does not answer; the pages are the primary's.
        forget_health()
        assert shown_state(client) == "已提交"
        assert "reads go to the primary: it does not answer" in caplog.text
