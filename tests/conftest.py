import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from households.services import reference_data_load, role_grant


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the reference data of fixtures/, loaded once."""
    with django_db_blocker.unblock():
        reference_data_load(paths=sorted((settings.BASE_DIR / "fixtures").glob("*.json")))


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def ninghua_clerk(db):
    """A clerk of 宁化县 (350424)."""
    return role_grant(username="clerk_ninghua", role="county_clerk", counties=["350424"])


@pytest.fixture
def datian_clerk(db):
    """A clerk of 大田县 (350425)."""
    return role_grant(username="clerk_datian", role="county_clerk", counties=["350425"])


@pytest.fixture
def city_reviewer(db):
    return role_grant(username="reviewer", role="city_reviewer")


@pytest.fixture
def health_department(db):
    """市卫计委: records 医疗救助 measures in any county."""
    return role_grant(username="weiji", role="channel_department", channels=["medical_aid"])


@pytest.fixture
def api_client(db):
    """Another system: a read-only token for 宁化县."""
    user = role_grant(username="province", role="system_client", counties=["350424"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client
