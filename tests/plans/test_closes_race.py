"""Two first submissions of one county-year at once, through the API on PostgreSQL: one lands, the
other is refused by the close's state (400 naming `state`), not by the unique constraint; one row,
one step in its history. The overlap is forced as in tests/households/test_concurrency.py: a lock on
the closes' table stops both requests at the insert of the open row, after each has passed the
findings check; released, the first commits and the second, waiting on its row, reads it submitted."""

import pytest
from django.contrib.auth import get_user_model

from households.models import YearClose
from plans.close_selectors import close_findings
from plans.closes import finding_explain
from tests.conftest import NINGHUA, api_as, build_places
from tests.postgres import (  # noqa: F401  (the reference-data fixtures are used by being here)
    ON_POSTGRESQL,
    LockHolder,
    Requests,
    reference_data,
    reference_data_after_the_module,
    waits,
)

pytestmark = [ON_POSTGRESQL, pytest.mark.django_db(transaction=True)]


def submit(user):
    def call():
        client = api_as(get_user_model().objects.get(pk=user.pk))  # a user object per thread
        return client.post(f"/api/v1/closes/{NINGHUA}-2016/submit/")

    return call


def test_two_first_submissions_at_once_one_lands_the_other_is_refused_by_its_state(ninghua_clerk):
    build_places()
    for f in close_findings(county=NINGHUA, year=2016):
        finding_explain(actor=ninghua_clerk, check_code=f.check, county=NINGHUA, year=2016, target=f.target,
                        reason="已核实")
    holder = LockHolder("LOCK TABLE households_yearclose IN SHARE MODE")
    try:
        requests = Requests(submit(ninghua_clerk), submit(ninghua_clerk))
        waiting = waits(2, requests, holder)
        assert all(w.relation == "households_yearclose" and w.blockers == [holder.pid] for w in waiting.values()), \
            waiting
    finally:
        holder.release()

    answers = {a.status_code: a for a in requests.answers()}
    assert set(answers) == {200, 400}, [a.status_code for a in requests.answers()]
    assert answers[200].json()["state"] == "submitted"
    assert any("已提交" in m and "不能提交" in m for m in answers[400].json()["state"]), answers[400].json()
    close = YearClose.objects.get()
    assert (close.county_id, close.year, close.state) == (NINGHUA, 2016, "submitted")
    assert close.history.count() == 1
