"""What every test shares: the reference data loaded once, the personas (a clerk of 宁化县, a clerk
of 大田县, the city reviewer, a channel department, another system), and one small two-county world
of places that the registry's, the dashboards', the workflows' and the projects' tests all build on."""

import datetime
from types import SimpleNamespace

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.actors import SYSTEM
from households.services import reference_data_load, role_grant
from tests.factories import TownshipFactory, VillageFactory, household, member, resident_id

NINGHUA, DATIAN = "350424", "350425"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the reference data of fixtures/, loaded once."""
    with django_db_blocker.unblock():
        reference_data_load(paths=sorted((settings.BASE_DIR / "fixtures").glob("*.json")))


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# ---------------------------------------------------------------- the personas


@pytest.fixture
def ninghua_clerk(db):
    """A clerk of 宁化县 (350424)."""
    return role_grant(actor=SYSTEM, username="clerk_ninghua", role="county_clerk", counties=[NINGHUA])


@pytest.fixture
def datian_clerk(db):
    """A clerk of 大田县 (350425)."""
    return role_grant(actor=SYSTEM, username="clerk_datian", role="county_clerk", counties=[DATIAN])


@pytest.fixture
def city_reviewer(db):
    return role_grant(actor=SYSTEM, username="reviewer", role="city_reviewer")


@pytest.fixture
def health_department(db):
    """市卫计委: records 医疗救助 measures in any county."""
    return role_grant(actor=SYSTEM, username="weiji", role="channel_department", channels=["medical_aid"])


@pytest.fixture
def api_client(db):
    """Another system: a read-only token for 宁化县."""
    user = role_grant(actor=SYSTEM, username="province", role="system_client", counties=[NINGHUA])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# ---------------------------------------------------------------- the two-county world


def build_places() -> SimpleNamespace:
    """宁化县 翠江镇 with 城南村 (a registered poor village, hollow) and 城北村; 大田县 均溪镇 with 城关村
    (a registered poor village)."""
    cuijiang = TownshipFactory(county_id=NINGHUA, code="350424101", name="翠江镇")
    junxi = TownshipFactory(county_id=DATIAN, code="350425101", name="均溪镇")
    return SimpleNamespace(
        cuijiang=cuijiang, junxi=junxi,
        chengnan=VillageFactory(township=cuijiang, code="350424101201", name="城南村", is_poor_village=True,
                                is_hollow=True),
        chengbei=VillageFactory(township=cuijiang, code="350424101202", name="城北村"),
        chengguan=VillageFactory(township=junxi, code="350425101201", name="城关村", is_poor_village=True),
    )


@pytest.fixture
def places(db) -> SimpleNamespace:
    return build_places()


@pytest.fixture
def village(places):
    """宁化县 翠江镇 城南村."""
    return places.chengnan


@pytest.fixture
def datian_village(places):
    """大田县 均溪镇 城关村."""
    return places.chengguan


@pytest.fixture
def poor(village):
    """A registered household of 城南村, 2 persons (national standard, identified 2014)."""
    return household(village=village, number="NH-1", main_cause_id="lack_funds",
                     members=[member(name="王五"), member(name="王小", relation="child", labor="none",
                                                        id_number=resident_id(birth=datetime.date(2005, 1, 1)))])
