"""Two clerks naming a household's helper at once (issue 20), on a real PostgreSQL: the second waits
for the household's row, which the first holds until it commits, then sees the first's assignment;
at most one current assignment, never a 500 from the database's constraint. The first is held at
its INSERT by a table lock the test holds, so that the two requests certainly overlap (see
test_concurrency.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from households.models import Helper, HelperAssignment
from tests.conftest import api_as
from tests.factories import VillageFactory, household
from tests.postgres import (  # noqa: F401  (the reference-data fixtures are used by being here)
    ON_POSTGRESQL,
    LockHolder,
    Requests,
    reference_data,
    reference_data_after_the_module,
    waits,
)

pytestmark = [ON_POSTGRESQL, pytest.mark.django_db(transaction=True)]


def patch(user, pk: int, body: dict):
    def call():
        client = api_as(get_user_model().objects.get(pk=user.pk))  # a user object per thread
        return client.patch(f"/api/v1/households/{pk}/", body, format="json")

    return call


def test_two_helpers_named_at_once_leave_one_current_assignment(transactional_db, ninghua_clerk):
    village = VillageFactory(code="350424101201", township__code="350424101")
    family = household(village=village)
    holder = LockHolder("LOCK TABLE households_helperassignment IN SHARE MODE")
    try:
        requests = Requests(patch(ninghua_clerk, family.pk, {"helper_name": "林帮扶", "helper_unit": "宁化县农业局"}),
                            patch(ninghua_clerk, family.pk, {"helper_name": "陈干部", "helper_unit": "宁化县财政局"}))
        waiting = waits(2, requests, holder)
        inserting = [w for w in waiting.values() if w.relation == "households_helperassignment"]
        assert len(inserting) == 1 and inserting[0].blockers == [holder.pid], waiting
        (queued,) = (w for w in waiting.values() if w.pid != inserting[0].pid)
        assert queued.blockers == [inserting[0].pid], waiting
    finally:
        holder.release()
    answers = requests.answers()
    assert [a.status_code for a in answers] == [200, 200], [a.content for a in answers]
    # The second came the same day: a correction of the first's assignment, not a second current one.
    (assignment,) = HelperAssignment.objects.filter(household=family)
    assert assignment.ended_on is None and assignment.started_on == timezone.localdate()
    assert assignment.helper.name in {"林帮扶", "陈干部"} and Helper.objects.count() == 2
    assert {a.json()["helper_name"] for a in answers} == {"林帮扶", "陈干部"}
