import pytest
from django.conf import settings

from households.services import reference_data_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the reference data of fixtures/, loaded once."""
    with django_db_blocker.unblock():
        reference_data_load(paths=sorted((settings.BASE_DIR / "fixtures").glob("*.json")))
