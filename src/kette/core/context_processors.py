"""Template context every page needs: navigation by role, map settings."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kette.core.roles import roles_of


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str


def _navigation(request: HttpRequest) -> list[NavItem]:
    items = [NavItem(_("Start"), reverse("core:home"))]
    # Core imports no app; the learning network is linked when it is installed.
    with contextlib.suppress(NoReverseMatch):
        items.append(NavItem(_("Lernnetzwerk"), reverse("learning:meeting_list")))
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return items
    roles = roles_of(user)
    if user.has_perm("core.read_programme_overview"):
        items.append(NavItem(_("Programmübersicht"), reverse("core:programme_overview")))
    if user.has_perm("core.use_admin") and user.is_staff:
        items.append(NavItem(_("Administration"), reverse("admin:index")))
    if roles.municipality:
        items.append(NavItem(_("Meine Kommunen"), reverse("core:home") + "#arbeitsbereiche"))
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
