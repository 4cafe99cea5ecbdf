"""One test per permission of the core app."""

import pytest

from kette.core.models import Role
from kette.testing.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

MUNICIPAL = [Role.COORDINATOR, Role.EDITOR, Role.PROVIDER, Role.VIEWER]


def _users(world):
    users = {role: user_with_role(role, world.a, username=f"a-{role}") for role in MUNICIPAL}
    users["outsider"] = user_with_role(Role.COORDINATOR, world.b, username="b-coord")
    users["staff"] = user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    users["admin"] = user_with_role(Role.PROGRAMME_ADMIN, None, username="padmin")
    users["nobody"] = UserFactory(username="nobody")
    return users


def _allowed(users, perm, obj):
    return {name for name, user in users.items() if user.has_perm(perm, obj)}


def test_workspace_is_for_the_municipalitys_people_and_the_coordination_office(world):
    users = _users(world)
    assert _allowed(users, "core.enter_workspace", world.a) == {*MUNICIPAL, "staff", "admin"}


def test_only_the_coordinator_and_programme_admins_edit_the_profile(world):
    users = _users(world)
    assert _allowed(users, "core.edit_profile", world.a) == {Role.COORDINATOR, "admin"}


def test_only_the_coordinator_and_programme_admins_manage_members(world):
    users = _users(world)
    assert _allowed(users, "core.manage_members", world.a) == {Role.COORDINATOR, "admin"}


def test_only_the_coordinator_and_programme_admins_read_the_history(world):
    users = _users(world)
    assert _allowed(users, "core.read_history", world.a) == {Role.COORDINATOR, "admin"}


def test_programme_overview_is_for_the_coordination_office(world):
    users = _users(world)
    assert _allowed(users, "core.read_programme_overview", None) == {"staff", "admin"}


def test_admin_is_for_programme_admins(world):
    users = _users(world)
    assert _allowed(users, "core.use_admin", None) == {"admin"}


def test_predicates_refuse_anonymous_and_missing_objects(world):
    from django.contrib.auth.models import AnonymousUser

    coordinator = user_with_role(Role.COORDINATOR, world.a, username="c")
    assert not coordinator.has_perm("core.edit_profile", None)
    assert not AnonymousUser().has_perm("core.enter_workspace", world.a)


def test_an_inactive_user_has_no_roles(world):
    coordinator = user_with_role(Role.COORDINATOR, world.a, username="inactive")
    coordinator.is_active = False
    assert not coordinator.has_perm("core.enter_workspace", world.a)
