"""Permissions of the offer directory as django-rules predicates.

Municipality-level permissions take the Municipality as object (as
MunicipalityMixin checks them); object-level ones take the Service or
Organization. Coordinators and editors manage every offer of their
municipality; a provider only its own organisations' offers (ProviderAccess)
and sees other providers' offers only once published; viewers and the
coordination office read; anonymous visitors see published offers only.
"""

from __future__ import annotations

from typing import Any

import rules

from kette.core.models import Role
from kette.core.roles import roles_of
from kette.core.rules import (
    is_municipality_editor,
    is_municipality_member,
    is_programme_admin,
    is_programme_staff,
    municipality_role_in,
)
from kette.directory.models import Organization, ProviderAccess, Service, ServiceStatus

is_provider = municipality_role_in(Role.PROVIDER)


def _role(user: Any, obj: Any) -> str | None:
    if obj is None:
        return None
    return roles_of(user).in_municipality(obj.municipality_id)


@rules.predicate
def edits_offers_of(user: Any, obj: Any) -> bool:
    """Coordinator or editor of the municipality of the Service/Organization."""
    return _role(user, obj) in (Role.COORDINATOR, Role.EDITOR)


@rules.predicate
def reads_all_offers_of(user: Any, obj: Any) -> bool:
    """Coordinator, editor or viewer of the object's municipality."""
    return _role(user, obj) in (Role.COORDINATOR, Role.EDITOR, Role.VIEWER)


def _organization_id(obj: Any) -> int | None:
    if isinstance(obj, Organization):
        return obj.pk
    if isinstance(obj, Service):
        return obj.organization_id
    return None


@rules.predicate
def is_own_provider(user: Any, obj: Any) -> bool:
    """A provider account with access to the object's organisation."""
    if obj is None or _role(user, obj) != Role.PROVIDER:
        return False
    organization_id = _organization_id(obj)
    return (
        organization_id is not None
        and ProviderAccess.objects.filter(user=user, organization_id=organization_id).exists()
    )


@rules.predicate
def staff_reads(user: Any, obj: Any) -> bool:
    """The coordination office reads every municipality's offers."""
    return obj is not None and is_programme_staff.test(user)


@rules.predicate
def admin_manages(user: Any, obj: Any) -> bool:
    return obj is not None and is_programme_admin.test(user)


@rules.predicate
def is_published(user: Any, service: Any) -> bool:
    return isinstance(service, Service) and service.status == ServiceStatus.PUBLISHED


# Municipality level (object: Municipality)
rules.add_perm(
    "directory.list_offers", is_municipality_member | staff_reads
)  # the internal offer list; providers see their own and the published ones
rules.add_perm("directory.create_offer", is_municipality_editor | is_provider | admin_manages)
rules.add_perm("directory.manage_organizations", is_municipality_editor | admin_manages)
rules.add_perm(
    "directory.manage_vocabulary", municipality_role_in(Role.COORDINATOR) | admin_manages
)

# Object level (object: Service)
rules.add_perm(
    "directory.read_offer",
    is_published | reads_all_offers_of | is_own_provider | staff_reads,
)
rules.add_perm("directory.edit_offer", edits_offers_of | is_own_provider | admin_manages)
rules.add_perm("directory.publish_offer", edits_offers_of | is_own_provider | admin_manages)
rules.add_perm("directory.confirm_offer", edits_offers_of | is_own_provider | admin_manages)

# Object level (object: Organization)
rules.add_perm("directory.edit_organization", edits_offers_of | is_own_provider | admin_manages)

# Review of providers' changes and the directory's settings (object: Municipality)
rules.add_perm("directory.review_changes", is_municipality_editor | admin_manages)
rules.add_perm("directory.manage_settings", municipality_role_in(Role.COORDINATOR) | admin_manages)
