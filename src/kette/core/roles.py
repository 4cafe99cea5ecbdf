"""A user's roles, loaded once per request and cached on the user object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kette.core.models import Membership, Role

_CACHE_ATTR = "_kette_roles"


@dataclass(frozen=True)
class UserRoles:
    # Programme id -> programme-wide role (programme_admin or programme_staff).
    programme: dict[int, str] = field(default_factory=dict)
    # Municipality id -> role in that municipality.
    municipality: dict[int, str] = field(default_factory=dict)

    def in_municipality(self, municipality_id: int) -> str | None:
        return self.municipality.get(municipality_id)

    def in_programme(self, programme_id: int) -> str | None:
        return self.programme.get(programme_id)

    @property
    def is_programme_admin(self) -> bool:
        return Role.PROGRAMME_ADMIN in self.programme.values()

    @property
    def is_programme_staff(self) -> bool:
        return bool(self.programme)


NO_ROLES = UserRoles()


def roles_of(user: Any) -> UserRoles:
    """The user's roles; anonymous and inactive users have none."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ROLES
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        programme: dict[int, str] = {}
        municipality: dict[int, str] = {}
        for programme_id, municipality_id, role in Membership.objects.filter(user=user).values_list(
            "programme_id", "municipality_id", "role"
        ):
            if municipality_id is None:
                programme[programme_id] = role
            else:
                municipality[municipality_id] = role
        cached = UserRoles(programme, municipality)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: Any) -> None:
    """Drop the cached roles after a user's memberships changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
