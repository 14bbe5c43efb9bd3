"""A run of the rules of a return (return_risks_refresh) racing a return, on PostgreSQL: the run reads
the registry first and writes after, so a household that returns in between must not be raised a
warning it can no longer link to (docs/return-risks.md)."""

import pytest

from common.actors import SYSTEM
from households.models import Household
from tests.conftest import NINGHUA
from tests.factories import VillageFactory
from tests.postgres import (  # noqa: F401  (the reference-data fixtures are used by being here)
    ON_POSTGRESQL,
    LockHolder,
    Requests,
    reference_data,
    reference_data_after_the_module,
    waits,
)
from workflows.risk_models import ReturnRisk
from workflows.risk_services import return_risks_refresh

from .risk_world import exited

pytestmark = [ON_POSTGRESQL, pytest.mark.django_db(transaction=True)]


def test_a_household_that_returns_while_the_rules_run_is_not_warned(transactional_db):
    """A return in progress holds the household's row (return_save locks it); the run, having read the
    household as exited and below the line, waits for that row before raising its warning. The return
    commits; the run then sees the household returned and raises nothing for it."""
    village = VillageFactory(code="350424101201", township__code="350424101", township__county_id=NINGHUA)
    poor = exited(village, "R-RACE", incomes={2015: "3000", 2016: "2900"})
    other = exited(village, "R-OTHER", incomes={2015: "3000", 2016: "2900"})
    holder = LockHolder("SELECT id FROM households_household WHERE id = %s FOR UPDATE", [poor.pk])
    try:
        run = Requests(lambda: return_risks_refresh(actor=SYSTEM))
        (waiting,) = waits(1, run, holder).values()
        assert waiting.blockers == [holder.pid], waiting
        with holder.db.cursor() as cursor:  # the return lands: the household is no longer exited
            cursor.execute("UPDATE households_household SET status = 'returned' WHERE id = %s", [poor.pk])
    finally:
        holder.release()
    (counts,) = run.answers()
    assert counts["raised"] == 1
    assert list(ReturnRisk.objects.values_list("household__number", flat=True)) == ["R-OTHER"]
    assert Household.objects.get(pk=other.pk).status == Household.Status.EXITED
