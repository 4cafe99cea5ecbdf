"""Writes of the network app. Every service is keyword-only, atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kette.core.audit import audited_delete, audited_save
from kette.core.collation import german
from kette.core.models import Municipality, User
from kette.core.tenancy import check_fields, check_same_municipality
from kette.directory.models import LifePhase, Organization, TaxonomyTerm
from kette.network import defaults
from kette.network.models import (
    ActorProfile,
    Body,
    BodyMembership,
    Cooperation,
    Level,
    MembershipRole,
    Person,
    Sector,
)

PERSON_FIELDS = {
    "function",
    "organization",
    "level",
    "email",
    "phone",
    "legal_basis",
    "legal_basis_note",
}
BODY_FIELDS = {"kind", "parent", "mandate", "meeting_rhythm", "position"}
MEMBERSHIP_FIELDS = {"person", "organization", "role", "level", "valid_from", "valid_until"}
COOPERATION_FIELDS = {
    "organization_a",
    "organization_b",
    "kind",
    "strength",
    "valid_from",
    "valid_until",
    "note",
}


def _assign(obj: Any, fields: dict[str, Any], allowed: set[str], *linked: str) -> None:
    """Set `fields` on `obj` after checking their names and that the `linked` records
    belong to the same municipality (the caller saves)."""
    check_fields(fields, allowed)
    check_same_municipality(obj.municipality, *(fields.get(name) for name in linked))
    for key, value in fields.items():
        setattr(obj, key, value)


# ---------------------------------------------------------------------------
# Sectors and organisations
# ---------------------------------------------------------------------------


@transaction.atomic
def sectors_ensure_defaults(
    municipality: Municipality, *, actor: User | None = None
) -> list[Sector]:
    """Give the municipality the default sector set (idempotent: existing codes stay
    as the municipality changed them)."""
    existing = {s.code: s for s in Sector.objects.for_municipality(municipality)}
    result = []
    for position, default in enumerate(defaults.SECTORS):
        sector = existing.get(default.code)
        if sector is None:
            sector = Sector(
                municipality=municipality,
                code=default.code,
                name=default.name,
                is_core=default.is_core,
                color=default.color,
                position=position,
            )
            audited_save(sector, actor=actor)
        result.append(sector)
    return result


@transaction.atomic
def sector_update(
    *,
    actor: User | None,
    sector: Sector,
    name: str | None = None,
    is_core: bool | None = None,
    color: str | None = None,
) -> Sector:
    """Adjust a sector of the municipality's set (name, core flag, colour)."""
    if name is not None:
        sector.name = name
    if is_core is not None:
        sector.is_core = is_core
    if color is not None:
        sector.color = color
    audited_save(sector, actor=actor)
    return sector


@transaction.atomic
def sector_create(
    *,
    actor: User | None,
    municipality: Municipality,
    name: str,
    is_core: bool = False,
    color: str = "#37474f",
) -> Sector:
    """Add a sector to the municipality's set, at the end of the list; its short
    name is derived from the name (made unique with a number)."""
    sectors = Sector.objects.for_municipality(municipality)
    if sectors.filter(name=name).exists():
        raise ValidationError({"name": _("A sector of this name already exists.")})
    base = slugify(name)[:70] or "sektor"
    code, number = base, 2
    while sectors.filter(code=code).exists():
        code, number = f"{base}-{number}", number + 1
    position = (sectors.aggregate(last=Max("position"))["last"] or 0) + 1
    sector = Sector(
        municipality=municipality,
        code=code,
        name=name,
        is_core=is_core,
        color=color,
        position=position,
    )
    audited_save(sector, actor=actor)
    return sector


@transaction.atomic
def sector_delete(*, actor: User | None, sector: Sector) -> None:
    """Remove a sector from the set. Refused while organisations are assigned to it:
    deleting it would silently drop them out of every sector measure."""
    in_use = ActorProfile.objects.filter(sector=sector).count()
    if in_use:
        raise ValidationError(
            ngettext(
                "The sector %(name)s is still assigned to %(count)d organisation. "
                "Assign it another sector first.",
                "The sector %(name)s is still assigned to %(count)d organisations. "
                "Assign them another sector first.",
                in_use,
            )
            % {"name": sector.name, "count": in_use}
        )
    audited_delete(sector, actor=actor)


@transaction.atomic
def organization_set_sector(
    *,
    actor: User | None,
    organization: Organization,
    sector: Sector | None,
    note: str | None = None,
) -> ActorProfile:
    """Record the sector of an organisation (creates its actor profile when missing)."""
    check_same_municipality(organization.municipality, sector)
    profile = ActorProfile.objects.filter(organization=organization).first()
    if profile is None:
        profile = ActorProfile(
            municipality_id=organization.municipality_id, organization=organization
        )
    profile.sector = sector
    if note is not None:
        profile.note = note
    audited_save(profile, actor=actor)
    return profile


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *, actor: User | None, municipality: Municipality, name: str, **fields: Any
) -> Person:
    """Record a professional of the network in their function."""
    check_fields(fields, PERSON_FIELDS)
    check_same_municipality(municipality, fields.get("organization"))
    person = Person(municipality=municipality, name=name, **fields)
    audited_save(person, actor=actor)
    return person


@transaction.atomic
def person_update(*, actor: User | None, person: Person, **fields: Any) -> Person:
    _assign(person, fields, PERSON_FIELDS | {"name"}, "organization")
    audited_save(person, actor=actor)
    return person


@transaction.atomic
def person_delete(*, actor: User | None, person: Person) -> None:
    """Remove a person and their memberships (e.g. when consent is withdrawn)."""
    for membership in person.memberships.all():
        audited_delete(membership, actor=actor)
    audited_delete(person, actor=actor)


# ---------------------------------------------------------------------------
# Bodies and memberships
# ---------------------------------------------------------------------------


def _set_body_links(
    body: Body,
    *,
    life_phases: Iterable[LifePhase] | None,
    fields_of_action: Iterable[TaxonomyTerm] | None,
) -> None:
    if life_phases is not None:
        phases = list(life_phases)
        check_same_municipality(body.municipality, *phases)
        body.life_phases.set(phases, through_defaults={"municipality": body.municipality})
    if fields_of_action is not None:
        terms = list(fields_of_action)
        for term in terms:
            if term.municipality_id not in (None, body.municipality_id):
                raise ValidationError(_("The data belong to another municipality."))
        body.fields_of_action.set(terms, through_defaults={"municipality": body.municipality})


@transaction.atomic
def body_create(
    *,
    actor: User | None,
    municipality: Municipality,
    name: str,
    kind: str,
    life_phases: Iterable[LifePhase] = (),
    fields_of_action: Iterable[TaxonomyTerm] = (),
    **fields: Any,
) -> Body:
    """Create a body (Gremium) of the steering structure."""
    check_fields(fields, BODY_FIELDS)
    check_same_municipality(municipality, fields.get("parent"))
    body = Body(municipality=municipality, name=name, kind=kind, **fields)
    audited_save(body, actor=actor)
    _set_body_links(body, life_phases=life_phases, fields_of_action=fields_of_action)
    return body


@transaction.atomic
def body_update(
    *,
    actor: User | None,
    body: Body,
    life_phases: Iterable[LifePhase] | None = None,
    fields_of_action: Iterable[TaxonomyTerm] | None = None,
    **fields: Any,
) -> Body:
    _assign(body, fields, BODY_FIELDS | {"name"}, "parent")
    audited_save(body, actor=actor)
    _set_body_links(body, life_phases=life_phases, fields_of_action=fields_of_action)
    return body


@transaction.atomic
def body_delete(*, actor: User | None, body: Body) -> None:
    """Remove a body with its memberships. Refused while it has subordinate bodies,
    so that deleting never silently re-hangs or removes part of the structure."""
    children = list(body.children.order_by(german("name")).values_list("name", flat=True))
    if children:
        raise ValidationError(
            _(
                "%(name)s still has subordinate bodies (%(children)s). "
                "Assign them to another body or delete them first."
            )
            % {"name": body.name, "children": ", ".join(children)}
        )
    for membership in body.memberships.all():
        audited_delete(membership, actor=actor)
    audited_delete(body, actor=actor)


def membership_overlap_message(*, member: str, body: str, period: str) -> str:
    """Why a membership is refused: the member already sits in the body in a period
    that shares a day with it (`period` names that one)."""
    return _("%(member)s is already a member of “%(body)s” in this period (%(period)s).") % {
        "member": member,
        "body": body,
        "period": period,
    }


def _refuse_overlap(membership: BodyMembership) -> None:
    """The same person or organisation sits in a body once at a time: a second,
    overlapping membership would count twice in the steering-quality measures."""
    others = BodyMembership.objects.filter(
        body=membership.body, person=membership.person, organization=membership.organization
    ).exclude(pk=membership.pk)
    clash = next((other for other in others if other.overlaps(membership)), None)
    if clash is not None:
        field = "person" if membership.person is not None else "organization"
        member = membership.person or membership.organization
        message = membership_overlap_message(
            member=str(member), body=membership.body.name, period=clash.period_label()
        )
        raise ValidationError({field: message})


@transaction.atomic
def body_membership_add(
    *,
    actor: User | None,
    body: Body,
    person: Person | None = None,
    organization: Organization | None = None,
    role: str = MembershipRole.MEMBER,
    level: str | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> BodyMembership:
    """Add a person or an organisation to a body. The level defaults to the person's
    level (an organisation's seat counts as leadership only when stated). Refused
    when the member already sits in the body in an overlapping period."""
    check_same_municipality(body.municipality, person, organization)
    if level is None:
        level = person.level if person is not None else Level.DEPARTMENT
    membership = BodyMembership(
        municipality=body.municipality,
        body=body,
        person=person,
        organization=organization,
        role=role,
        level=level,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    _refuse_overlap(membership)
    audited_save(membership, actor=actor)
    return membership


@transaction.atomic
def body_membership_update(
    *, actor: User | None, membership: BodyMembership, **fields: Any
) -> BodyMembership:
    """Change a membership (member, role, level, from/until); the body stays."""
    _assign(membership, fields, MEMBERSHIP_FIELDS, "person", "organization")
    _refuse_overlap(membership)
    audited_save(membership, actor=actor)
    return membership


@transaction.atomic
def body_membership_delete(*, actor: User | None, membership: BodyMembership) -> None:
    """Remove a membership recorded in error (a member who left is ended instead)."""
    audited_delete(membership, actor=actor)


@transaction.atomic
def body_membership_end(
    *, actor: User | None, membership: BodyMembership, on: dt.date
) -> BodyMembership:
    """End a membership on `on` (kept for the history of the structure)."""
    membership.valid_until = on
    audited_save(membership, actor=actor)
    return membership


# ---------------------------------------------------------------------------
# Cooperation ties
# ---------------------------------------------------------------------------


@transaction.atomic
def cooperation_create(
    *,
    actor: User | None,
    organization_a: Organization,
    organization_b: Organization,
    kind: str,
    strength: int = 2,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    note: str = "",
) -> Cooperation:
    """Record a cooperation tie between two organisations of one municipality."""
    if organization_a.municipality_id != organization_b.municipality_id:
        raise ValidationError(_("Both organisations must belong to the same municipality."))
    tie = Cooperation(
        municipality_id=organization_a.municipality_id,
        organization_a=organization_a,
        organization_b=organization_b,
        kind=kind,
        strength=strength,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note,
    )
    audited_save(tie, actor=actor)
    return tie


@transaction.atomic
def cooperation_update(
    *, actor: User | None, cooperation: Cooperation, **fields: Any
) -> Cooperation:
    """Change a cooperation tie (sides, kind, strength, from/until, note)."""
    _assign(cooperation, fields, COOPERATION_FIELDS, "organization_a", "organization_b")
    audited_save(cooperation, actor=actor)
    return cooperation


@transaction.atomic
def cooperation_end(*, actor: User | None, cooperation: Cooperation, on: dt.date) -> Cooperation:
    cooperation.valid_until = on
    audited_save(cooperation, actor=actor)
    return cooperation


@transaction.atomic
def cooperation_delete(*, actor: User | None, cooperation: Cooperation) -> None:
    audited_delete(cooperation, actor=actor)
