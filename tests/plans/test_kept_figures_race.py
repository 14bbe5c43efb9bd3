"""Two catch-ups of the overview's kept figures at once, on PostgreSQL, while clerks' writes commit
(plans.services.figures_catch_up): they take turns, and what is kept is the registry counted whole.

How the overlap is forced (as tests/households/test_event_totals_race.py does): a third connection
holds the kept figures' table lock in an open transaction, as a catch-up at work would; two clerks
then commit exits through the REST API (their marks written by the database's triggers, not held up
by the lock); two catch-ups start together, each in its own thread with its own connection, and the
test polls PostgreSQL until both wait for the holder. Only then is the holder released."""

from decimal import Decimal

import pytest

from common.actors import SYSTEM
from households.services import role_grant
from plans.figure_selectors import figure_totals, figures_drift
from plans.models import FigureMark
from plans.services import figures_catch_up
from tests.conftest import people
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


def test_two_catch_ups_at_once_take_turns_and_count_every_write(ninghua_clerk, transactional_db):
    village = VillageFactory(code="350424101201", township__code="350424101")
    families = [household(village=village, members=people(size), income_per_capita=Decimal("4100"))
                for size in (2, 3, 4)]
    figures_catch_up()
    assert figure_totals()[NINGHUA, 2016]["persons"] == 9
    other = role_grant(actor=SYSTEM, username="clerk_ninghua_2", role="county_clerk", counties=[NINGHUA])
    holder = LockHolder("LOCK TABLE plans_figuretotal IN EXCLUSIVE MODE")
    try:
        exits = Requests(*(post(clerk, "exits/", {"household": h.pk, "year": 2016, "income_per_capita": "4100.00"})
                           for clerk, h in zip((ninghua_clerk, other), families[1:])))
        assert [a.status_code for a in exits.answers()] == [201, 201]  # the lock holds no writer up
        assert FigureMark.objects.exists()
        catch_ups = Requests(figures_catch_up, figures_catch_up)
        waiting = waits(2, catch_ups, holder)
        assert all(w.relation == "plans_figuretotal" for w in waiting.values()), waiting
    finally:
        holder.release()
    assert sorted(catch_ups.answers()) == [0, 2]  # the second found the first had taken the marks
    assert figure_totals()[NINGHUA, 2016]["persons"] == 2  # the families of 3 and 4 out at 2016's end
    assert figures_drift() == []
