"""The workflows' tests run in the shared two-county world (tests/conftest.py: `village`, `poor`)."""

import pytest

from common.actors import SYSTEM
from households.services import role_grant


@pytest.fixture
def writing_client(db):
    """Another system that writes (system_client with --write): it takes no workflow step."""
    return role_grant(actor=SYSTEM, username="province_writer", role="system_client", counties=["350424"],
                      can_write=True)
