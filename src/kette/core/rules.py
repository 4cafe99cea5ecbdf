"""Permissions of the core app as django-rules predicates.

Rule names avoid Django's `add_/change_/delete_/view_` model-permission names
so the two never collide. Predicates return False for None.
"""

from __future__ import annotations

from typing import Any

import rules

from kette.core.models import Municipality, Role
from kette.core.roles import roles_of


@rules.predicate
def is_programme_admin(user: Any) -> bool:
    if user is None or not getattr(user, "is_active", False):
        return False
    return bool(getattr(user, "is_superuser", False)) or roles_of(user).is_programme_admin


@rules.predicate
def is_programme_staff(user: Any) -> bool:
    return roles_of(user).is_programme_staff or is_programme_admin.test(user)


def municipality_role_in(*allowed: str) -> Any:
    """Predicate: the user holds one of `allowed` roles in the municipality."""

    @rules.predicate(name=f"has_municipality_role({','.join(allowed)})")
    def predicate(user: Any, municipality: Municipality | None) -> bool:
        if municipality is None:
            return False
        return roles_of(user).in_municipality(municipality.pk) in allowed

    return predicate


is_coordinator = municipality_role_in(Role.COORDINATOR)
is_municipality_editor = municipality_role_in(Role.COORDINATOR, Role.EDITOR)
is_municipality_member = municipality_role_in(
    Role.COORDINATOR, Role.EDITOR, Role.PROVIDER, Role.VIEWER
)

# The municipality's internal workspace (dashboard): its own people and the
# coordination office, which reads every municipality's programme data.
rules.add_perm("core.enter_workspace", is_municipality_member | is_programme_staff)
rules.add_perm("core.edit_profile", is_coordinator | is_programme_admin)
rules.add_perm("core.manage_members", is_coordinator | is_programme_admin)
rules.add_perm("core.read_history", is_coordinator | is_programme_admin)
rules.add_perm("core.read_programme_overview", is_programme_staff)
rules.add_perm("core.use_admin", is_programme_admin)
