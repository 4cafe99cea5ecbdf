"""One test per permission of the network app."""

import pytest

from kette.core.models import Role
from kette.network import rules as _rules  # noqa: F401
from kette.testing import factories

pytestmark = pytest.mark.django_db

ALL_ROLES = [Role.COORDINATOR, Role.EDITOR, Role.PROVIDER, Role.VIEWER]


def _allowed(permission, world):
    allowed = set()
    for role in ALL_ROLES:
        user = factories.user_with_role(role, world.a, username=f"{role}-a")
        if user.has_perm(permission, world.a):
            allowed.add(role)
        outsider = factories.user_with_role(role, world.b, username=f"{role}-b")
        assert not outsider.has_perm(permission, world.a), f"{role} of B"
    staff = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    if staff.has_perm(permission, world.a):
        allowed.add(Role.PROGRAMME_STAFF)
    return allowed


def test_read_structure_is_for_the_municipality_and_the_coordination_office(world):
    assert _allowed("network.read_structure", world) == {
        Role.COORDINATOR,
        Role.EDITOR,
        Role.PROVIDER,
        Role.VIEWER,
        Role.PROGRAMME_STAFF,
    }


def test_read_people_excludes_providers_and_the_coordination_office(world):
    assert _allowed("network.read_people", world) == {Role.COORDINATOR, Role.EDITOR, Role.VIEWER}


def test_manage_network_is_for_coordinators_and_editors(world):
    assert _allowed("network.manage_network", world) == {Role.COORDINATOR, Role.EDITOR}


def test_manage_sectors_is_for_coordinators(world):
    assert _allowed("network.manage_sectors", world) == {Role.COORDINATOR}


def test_compare_municipalities_is_for_programme_roles(world):
    assert _allowed("network.compare_municipalities", world) == {Role.PROGRAMME_STAFF}
    admin = factories.user_with_role(Role.PROGRAMME_ADMIN, None, username="admin")
    assert admin.has_perm("network.compare_municipalities")
    for role in ALL_ROLES:
        user = factories.user_with_role(role, world.a, username=f"{role}-vergleich")
        assert not user.has_perm("network.compare_municipalities")


def test_anonymous_has_no_network_permission(world):
    from django.contrib.auth.models import AnonymousUser

    for permission in (
        "network.read_structure",
        "network.read_people",
        "network.manage_network",
        "network.manage_sectors",
        "network.compare_municipalities",
    ):
        assert not AnonymousUser().has_perm(permission, world.a)
