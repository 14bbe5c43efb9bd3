"""The demo drawn and written county by county, in batches of villages (demo/stream.py): the same
registry for a seed and a size, the annex's figures met whatever the batches."""

import hashlib
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from demo import registry as demo
from demo.stream import part
from households.models import (
    ExitRecord,
    Helper,
    HelperAssignment,
    HelperVisit,
    Household,
    HouseholdIncome,
    Member,
    MemberChange,
    ReliefMeasure,
    ReturnRecord,
    Transfer,
)
from plans.models import AnnexRow
from projects.models import Job, Pilot, StudentAid, Training

pytestmark = pytest.mark.django_db

# Each table by what names a row, never its id (the ids of a second seeding run on).
ROWS = {
    Household: ("number", "village_id", "category", "main_cause_id", "status", "standard", "income_per_capita"),
    Member: ("id_number", "name", "household__number", "relation", "sex", "birth_date", "health", "labor", "active",
             "joined_on", "left_on"),
    ReliefMeasure: ("household__number", "channel_id", "year", "amount", "content", "alleviation_model_id"),
    ExitRecord: ("household__number", "year", "persons", "income_per_capita"),
    ReturnRecord: ("household__number", "year", "persons"),
    HouseholdIncome: ("household__number", "year", "total", "wages", "persons"),
    MemberChange: ("household__number", "kind", "date", "member__id_number", "other_household__number"),
    Transfer: ("household__number", "state", "to_village_id", "settlement"),
    Helper: ("county_id", "name", "unit", "phone"),
    HelperAssignment: ("household__number", "helper__name", "helper__unit", "started_on", "ended_on", "reason"),
    HelperVisit: ("assignment__household__number", "assignment__helper__name", "visited_on", "kind", "found"),
    Job: ("member__id_number", "workshop__name", "year", "monthly_wage"),
    StudentAid: ("member__id_number", "year", "amount"),
    Training: ("member__id_number", "course__name"),
    Pilot: ("name", "kind", "village_id", "year"),
}


def digest() -> tuple[str, Counter]:
    sha, counts = hashlib.sha256(), Counter()
    for model, fields in ROWS.items():
        rows = sorted(model.objects.values_list(*fields), key=repr)
        sha.update(repr(rows).encode())
        counts[model.__name__] = len(rows)
    return sha.hexdigest(), counts


def seeded(*args) -> tuple[str, Counter]:
    """The digest of a registry seeded with `args`, rolled back afterwards."""
    with transaction.atomic():
        call_command("seed_demo", *args, "--without-closes", verbosity=0)
        found = digest()
        transaction.set_rollback(True)
    assert not Household.objects.exists()
    return found


def test_same_seed_and_size_same_registry_in_many_batches():
    args = ("--persons", "2500", "--seed", "21", "--batch-persons", "120")
    first, again = seeded(*args), seeded(*args)
    assert first == again
    counts = first[1]
    assert all(counts.values()), counts  # every table has rows
    assert seeded("--persons", "2500", "--seed", "22", "--batch-persons", "120")[0] != first[0]


def test_shares_add_up_whatever_the_slices():
    for total, whole, cuts in ((1, 3000, [0, 700, 1499, 1500, 1501, 3000]), (17, 10, range(11)), (0, 5, [0, 2, 5]),
                               (1_000_000, 7, [0, 1, 2, 6, 7])):
        cuts = list(cuts)
        shares = [part(total, a, b, whole) for a, b in zip(cuts, cuts[1:])]
        assert sum(shares) == total and min(shares) >= 0


def test_counties_meet_the_annex_to_the_person_in_batches_of_villages():
    """Batches of a few hundred people: each county's people and 2014 exits still its annex share
    exactly, its later exits near its quota, the city's changes of each kind all made."""
    persons = 12000
    registry = demo.build(persons=persons, seed=3, batch_persons=300)
    people, out_2014 = Counter(m.id_number[:6] for m in registry.members), Counter()
    for e in registry.exits:
        if e.year == 2014:
            out_2014[e.household.county_code] += e.persons
    for row in AnnexRow.objects.filter(county__isnull=False):
        share = round(row.registered * persons / demo.CITY_PERSONS)
        assert people[row.county_id] == share, row.label
        assert out_2014[row.county_id] == round(share * row.exited_2014 / row.registered), row.label
    kinds = Counter(c["kind"] for c in registry.changes)
    assert kinds["birth"] == round(90 * persons / demo.CITY_PERSONS)
    assert all(kinds[kind] for kind in ("birth", "death", "marry_in", "marry_out", "split", "merge", "move_in"))
    assert len({id(h) for h in registry.households}) == len(registry.households)
    assert len({m.id_number for m in registry.members}) == len(registry.members)
