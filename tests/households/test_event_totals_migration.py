"""The migration that makes the kept exits and returns (0016) fills them from the records already there.
Run for real with Django's migration executor, back to 0015 and forward again (transaction=True: the
schema changes; the reference data is loaded again around it, as for the tests that commit)."""

import pytest

from households.total_selectors import event_totals, totals_drift
from tests.conftest import DATIAN, NINGHUA, build_places, exit_in, people
from tests.factories import household
from tests.households.test_helper_migration import migrate
from tests.postgres import (  # noqa: F401  (the reference-data fixtures are used by being here)
    reference_data,
    reference_data_after_the_module,
)

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("households", "0015_household_helper_fields_removed")]


def test_the_migration_fills_the_totals_from_the_records():
    places = build_places()
    exit_in(household(village=places.chengnan, members=people(3)), 2015)
    exit_in(household(village=places.chengbei, members=people(2)), 2015)
    exit_in(household(village=places.chengguan, members=people(4, prefix=DATIAN)), 2016)
    migrate(BEFORE)  # the table goes, with what the services kept in it
    migrate()
    totals = event_totals()
    assert sorted(totals) == [(NINGHUA, 2015), (DATIAN, 2016)]
    assert (totals[NINGHUA, 2015]["exited_households"], totals[NINGHUA, 2015]["exited_persons"]) == (2, 5)
    assert (totals[DATIAN, 2016]["exited_households"], totals[DATIAN, 2016]["exited_persons"]) == (1, 4)
    assert totals_drift() == []
