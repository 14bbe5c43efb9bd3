"""A village of 宁化县 with a registered household, and the steps of both workflows taken in the
past, days apart as the public notices need (a step is never dated after today)."""

import datetime
from decimal import Decimal

import pytest

from households.models import PovertyCause
from households.services import role_grant
from tests.factories import TownshipFactory, VillageFactory, household, member, resident_id
from workflows import services
from workflows.models import State

D = datetime.date(2016, 3, 1)  # the day a case opens; later steps are D + n days


def day(n: int) -> datetime.date:
    return D + datetime.timedelta(days=n)


@pytest.fixture
def village(db):
    return VillageFactory(township=TownshipFactory(county_id="350424", code="350424101", name="翠江镇"),
                          code="350424101201", name="城南村")


@pytest.fixture
def datian_village(db):
    return VillageFactory(township=TownshipFactory(county_id="350425", code="350425101", name="均溪镇"),
                          code="350425101201", name="城关村")


@pytest.fixture
def poor(village):
    """A registered household of 2 persons (national standard, identified 2014)."""
    return household(village=village, number="NH-1", main_cause_id="lack_funds",
                     members=[member(name="王五"), member(name="王小", relation="child", labor="none",
                                                        id_number=resident_id(birth=datetime.date(2005, 1, 1)))])


@pytest.fixture
def writing_client(db):
    """Another system that writes (system_client with --write): it takes no workflow step."""
    return role_grant(username="province_writer", role="system_client", counties=["350424"], can_write=True)


def application(village, user, **fields):
    defaults = {
        "applicant_name": "李四", "applicant_id_number": resident_id(), "applicant_labor": "weak",
        "category": "ordinary", "main_cause": PovertyCause.objects.get(pk="illness"), "year": 2016,
        "income_per_capita": Decimal("2100"), "on": D,
    }
    return services.identification_apply(user=user, village=village, **{**defaults, **fields})


PASSING = {"income_per_capita": Decimal("3500"), "food": True, "clothing": True, "education": True, "medical": True,
           "housing": True}


def take(case, to, user, on, **fields):
    """Take the step `to` through the service that takes it."""
    if to == State.VERIFIED:
        return services.exit_verify(case=case, user=user, on=on, **{**PASSING, **fields})
    if to == State.REGISTERED:
        return services.identification_register(case=case, user=user, on=on, number=fields.get("number", "NH-NEW"))
    if to == State.CLOSED:
        return services.exit_close(case=case, user=user, on=on)
    return services.case_advance(case=case, to=to, user=user, on=on)


def walk(case, user, *, until, start=1):
    """Take each step after the case's state up to `until`, each a notice period after the last
    (so a notice never holds it up). Returns the case reloaded and the next free day."""
    n = start
    while case.state != until:
        take(case, case.next_state, user, day(n))
        case.refresh_from_db()
        n += 7
    return case, n
