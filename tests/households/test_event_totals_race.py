"""Two clerks' exits of one county and year committed at the same moment, through the REST API on
PostgreSQL: both count in the kept totals (issue 21 point 2), none is lost.

How the overlap is forced (as tests/households/test_concurrency.py does): a third connection of the
test holds the county-year's row of the totals in an open transaction, or a new row of it not yet
committed; both requests start together, each in its own thread with its own connection, write their
exit and come to add to the totals, and the test polls PostgreSQL until both request backends wait
for that holder. Both have then read the totals as they stood, so an addition computed from what
was read (a read, then a write of the sum) would lose one. Only then is the holder released."""

import pytest

from common.actors import SYSTEM
from households.models import EventTotal, ExitRecord
from households.services import role_grant
from households.total_selectors import event_totals, totals_drift
from tests.conftest import exit_in, people
from tests.factories import VillageFactory, household
from tests.households.test_concurrency import post
from tests.postgres import (  # noqa: F401  (the reference-data fixtures are used by being here)
    ON_POSTGRESQL,
    LockHolder,
    Requests,
    reference_data,
    reference_data_after_the_module,
    waits,
)

pytestmark = [ON_POSTGRESQL, pytest.mark.django_db(transaction=True)]

NINGHUA = "350424"


@pytest.fixture
def families(transactional_db):
    village = VillageFactory(code="350424101201", township__code="350424101")
    return [household(village=village, members=people(size)) for size in (2, 3, 4)]


@pytest.fixture
def two_clerks(ninghua_clerk, transactional_db):
    """Two clerks of 宁化县."""
    return ninghua_clerk, role_grant(actor=SYSTEM, username="clerk_ninghua_2", role="county_clerk", counties=[NINGHUA])


def race(clerks, families, holder: LockHolder) -> list:
    """The two clerks' exits of 2016, the second and third family, both waiting on the holder."""
    body = [{"household": h.pk, "year": 2016, "income_per_capita": "4100.00"} for h in families[1:]]
    try:
        requests = Requests(post(clerks[0], "exits/", body[0]), post(clerks[1], "exits/", body[1]))
        waiting = waits(2, requests, holder)
        # One waits for the holder, the other for the holder too or in the queue behind the first (the
        # row's tuple lock): neither has added to the totals yet, both have read them.
        assert any(w.blockers == [holder.pid] for w in waiting.values()), waiting
        assert all(set(w.blockers) <= {holder.pid, *waiting} for w in waiting.values()), waiting
    finally:
        holder.release()
    return requests.answers()


def test_two_exits_of_one_county_and_year_at_once_both_add_to_its_row(families, two_clerks):
    exit_in(families[0], 2016)  # the county-year's row: 1 household, 2 persons
    holder = LockHolder("SELECT * FROM households_eventtotal WHERE county_id = %s AND year = 2016 FOR UPDATE",
                        [NINGHUA])
    answers = race(two_clerks, families, holder)
    assert [a.status_code for a in answers] == [201, 201], [a.content for a in answers]
    assert ExitRecord.objects.filter(year=2016).count() == 3
    row = event_totals()[NINGHUA, 2016]
    assert (row["exited_households"], row["exited_persons"]) == (3, 9)
    assert totals_drift() == []


def test_two_exits_of_a_county_year_without_a_row_yet_both_count(families, two_clerks):
    """The holder inserts the county-year's row and has not committed: both requests' inserts meet it
    (ON CONFLICT waits for the holder's transaction) and, once it commits, both add to it."""
    assert not EventTotal.objects.filter(county_id=NINGHUA, year=2016).exists()
    holder = LockHolder("INSERT INTO households_eventtotal (county_id, year, exited_households, exited_persons, "
                        "returned_households, returned_persons) VALUES (%s, 2016, 0, 0, 0, 0)", [NINGHUA])
    answers = race(two_clerks, families, holder)
    assert [a.status_code for a in answers] == [201, 201], [a.content for a in answers]
    row = event_totals()[NINGHUA, 2016]
    assert (row["exited_households"], row["exited_persons"]) == (2, 7)
    assert totals_drift() == []
