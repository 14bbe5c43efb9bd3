"""Helpers for work over the whole registry (common/batches.py): ranges of ids and the SQL of their
queries not kept."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.batches import id_ranges, queries_unlogged
from households.models import Household, Village
from tests.factories import household

pytestmark = pytest.mark.django_db


def test_id_ranges_cover_every_row_once_in_runs_of_the_size(places):
    ids = sorted(household(village=places.chengnan, number=f"R{i}").pk for i in range(5))
    ranges = list(id_ranges(Household.objects.all(), 2))
    assert ranges == [(ids[0], ids[1]), (ids[2], ids[3]), (ids[4], ids[4])]
    assert list(id_ranges(Household.objects.none(), 2)) == []


def test_queries_in_the_block_are_not_logged_and_the_log_goes_on_after_it():
    with CaptureQueriesContext(connection) as captured:  # what DEBUG keeps
        Village.objects.count()
        with queries_unlogged():
            Household.objects.count()
            Household.objects.exists()
        Village.objects.exists()
    logged = [q["sql"] for q in captured.captured_queries]
    assert len(logged) == 2 and all("households_village" in q and "households_household" not in q for q in logged)
