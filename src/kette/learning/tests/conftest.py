"""Fixtures of the learning network's tests."""

import pytest

from kette.core.models import Role
from kette.testing import factories


@pytest.fixture
def office(world):
    """A member of the coordination office (programme staff)."""
    return factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
