"""The demo registry's closes (issue 19): 2015–2017 closed in every county, 2018 open, and each
other state shown once, every finding in the way explained; the stored hash is the figures'."""

import hashlib

import pytest
from django.core.management import call_command

from households.models import FindingExplanation, YearClose
from plans.close_selectors import close_findings
from plans.models import AnnexRow

pytestmark = pytest.mark.django_db


def test_the_demo_closes_2015_to_2017_and_shows_every_state():
    call_command("seed_demo", "--persons", "600", "--seed", "4", verbosity=0)
    counties = set(AnnexRow.objects.filter(county__isnull=False).values_list("county_id", flat=True))
    states = {(c.county_id, c.year): c.state for c in YearClose.objects.all()}
    assert {key for key in states} == {(c, y) for c in counties for y in (2015, 2016, 2017)}
    exceptions = {("350481", 2017): "submitted", ("350429", 2017): "sent_back", ("350430", 2016): "reopened"}
    assert {key: s for key, s in states.items() if s != "accepted"} == exceptions
    assert FindingExplanation.objects.exists()
    for close in YearClose.objects.filter(state="accepted")[:5]:
        assert close.figures_sha256 == hashlib.sha256(close.figures.encode("utf-8")).hexdigest()
        assert close.submitted_at.year == close.accepted_at.year == close.year + 1  # dated in their January
    # Nothing stood in the way of the years closed: every finding of them is explained.
    assert all(f.explained for f in close_findings(county="350424", year=2016))
