"""Template context every page needs: navigation by role, map settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kette.core import navigation
from kette.core.roles import roles_of


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str


def _navigation(request: HttpRequest) -> list[NavItem]:
    items = [NavItem(_("Start"), reverse("core:home"))]
    # Apps above core add their public entries (core imports none of them).
    items += [NavItem(label, url) for label, url in navigation.main_links()]
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return items
    roles = roles_of(user)
    if user.has_perm("core.read_programme_overview"):
        items.append(NavItem(_("Programme overview"), reverse("core:programme_overview")))
    if user.has_perm("core.use_admin") and user.is_staff:
        items.append(NavItem(_("Administration"), reverse("admin:index")))
    if roles.municipality:
        items.append(NavItem(_("My municipalities"), reverse("core:home") + "#arbeitsbereiche"))
    return items


def kette(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav_items": _navigation(request),
        "map_tile_url": settings.KETTE_MAP_TILE_URL,
        "map_tile_attribution": settings.KETTE_MAP_TILE_ATTRIBUTION,
        "operator_name": settings.KETTE_OPERATOR_NAME,
        "operator_address": settings.KETTE_OPERATOR_ADDRESS,
        "operator_email": settings.KETTE_OPERATOR_EMAIL,
    }
