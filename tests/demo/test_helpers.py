"""The demo's helpers (demo/helpers.py): each of the helpers' reports shows something on the demo
city, the assignments and visits keep the rules the services will keep, and a seed gives the same
helpers on the same day."""

import itertools
import threading

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from common.actors import SYSTEM
from demo import helpers
from demo.helpers import add_helpers, seeded
from households.helper_selectors import (
    ACTIVE,
    helpers_over_ceiling,
    households_due_for_visit,
    households_without_helper,
    visits_by_unit,
)
from households.models import Helper, HelperAssignment, HelperVisit, Household
from households.services import role_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", persons=1500, verbosity=0, without_closes=True)


def test_each_report_shows_something_on_the_demo(demo):
    reviewer = role_grant(actor=SYSTEM, username="reviewer", role="city_reviewer")
    without = households_without_helper(user=reviewer)
    assert any(r["previous_helper"] for r in without) and any(not r["previous_helper"] for r in without)
    over = helpers_over_ceiling(user=reviewer)
    assert over and all(r["households"] > 10 for r in over)
    due = households_due_for_visit(user=reviewer)
    assert any(r["last_visited"] for r in due) and any(r["last_visited"] is None for r in due)
    # Every county's units visited their households (the exited ones too: 脱贫不脱帮扶).
    assert len({r["county"] for r in visits_by_unit(user=reviewer)}) == 12
    # Most active households have a helper, and most of those were visited lately.
    active = Household.objects.filter(status__in=ACTIVE).count()
    assert len(without) <= active * 0.5 and len(due) <= active * 0.5


def test_the_demos_assignments_and_visits_keep_the_rules(demo):
    today = timezone.localdate()
    closed = HelperAssignment.objects.filter(ended_on__isnull=False)
    assert closed.exists() and not closed.filter(reason="").exists()  # a replaced helper says why
    assert HelperAssignment.objects.values("household").annotate(n=Count("pk")).filter(n__gt=1).exists()
    periods: dict[int, list] = {}
    for household, start, end in HelperAssignment.objects.order_by("household", "started_on").values_list(
            "household", "started_on", "ended_on"):
        periods.setdefault(household, []).append((start, end))
    for household, spans in periods.items():  # one helper at a time
        for (_start, end), (next_start, _end) in zip(spans, spans[1:]):
            assert end is not None and end < next_start, household
    assert not HelperVisit.objects.filter(
        Q(visited_on__lt=F("assignment__started_on")) | Q(visited_on__gt=F("assignment__ended_on"))
        | Q(visited_on__gt=today)).exists()
    assert not HelperAssignment.objects.filter(household__status=Household.Status.REMOVED).exists()
    assert Helper.objects.values("county").order_by().distinct().count() == 12


def test_a_seed_gives_the_same_helpers_on_the_same_day(demo):
    def drawn():
        return (list(Helper.objects.order_by("pk").values_list("name", "unit", "phone")),
                list(HelperVisit.objects.order_by("pk").values_list("assignment__household__number", "visited_on")))

    first = drawn()
    HelperVisit.objects.all().delete()
    HelperAssignment.objects.all().delete()
    Helper.objects.all().delete()
    add_helpers(seeded(2015), today=timezone.localdate())
    assert drawn() == first and first[0]


def test_a_county_that_has_used_every_two_character_name_still_gets_its_helpers():
    """At ten million people one county needs some 150,000 helpers, more than its 111,090 two-character
    names in ten units: the draw goes on to three characters rather than round forever."""
    taken = {(s + a + b, f"宁化县{unit}") for s, a, b, unit in
             itertools.product(helpers.SURNAMES, helpers.GIVEN, helpers.GIVEN, helpers.UNITS)}
    drawn = []
    # In a thread of its own, so that a draw that never ends fails the test rather than hanging it.
    draw = threading.Thread(target=lambda: drawn.extend(helpers._helpers(seeded(1), "350424", "宁化县", 5, taken)),
                            daemon=True)
    draw.start()
    draw.join(timeout=20)
    assert len({(h.name, h.unit) for h in drawn}) == 5
    assert all(len(h.name) == 4 for h in drawn)
