"""Reads of the core app: tenant-scoped querysets and computations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from kette.core import audit
from kette.core.collation import german
from kette.core.models import FundingPeriod, Membership, Municipality, Programme, User
from kette.core.roles import roles_of


def default_programme() -> Programme | None:
    """The programme shown on the start page (an installation usually runs one)."""
    return Programme.objects.order_by("pk").first()


def municipality_by_slug(slug: str) -> Municipality:
    """The tenant for a URL's municipality slug, or 404. Its outline (a GeoJSON
    document of up to a few hundred kilobytes) is read only when used."""
    return get_object_or_404(
        Municipality.objects.select_related("programme").defer("boundary"), slug=slug
    )


def municipality_with_slug(slug: str) -> Municipality | None:
    """The municipality of a slug, or None (for pages that must not 404 again)."""
    return Municipality.objects.filter(slug=slug).defer("boundary").first()


def municipalities_of(programme: Programme) -> QuerySet[Municipality]:
    return (
        Municipality.objects.filter(programme=programme).defer("boundary").order_by(german("name"))
    )


def municipalities_geojson(programme: Programme) -> dict[str, Any]:
    """The programme's municipalities as a GeoJSON FeatureCollection of their outlines."""
    features = []
    rows = Municipality.objects.filter(programme=programme, boundary__isnull=False).values(
        "name", "slug", "kind", "cohort", "boundary"
    )
    for row in rows.order_by(german("name")):
        features.append(
            {
                "type": "Feature",
                "geometry": row["boundary"],
                "properties": {
                    "name": row["name"],
                    "slug": row["slug"],
                    "cohort": row["cohort"],
                    "url": f"/k/{row['slug']}/",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def funding_periods_of(municipality: Municipality) -> QuerySet[FundingPeriod]:
    return FundingPeriod.objects.for_municipality(municipality).order_by("starts_on")


def members_of(municipality: Municipality) -> QuerySet[Membership]:
    return (
        Membership.objects.for_municipality(municipality)
        .select_related("user")
        .order_by("role", "user__last_name", "user__username")
    )


def membership_in(municipality: Municipality, pk: int) -> Membership:
    try:
        return members_of(municipality).get(pk=pk)
    except Membership.DoesNotExist as error:
        raise Http404 from error


@dataclass(frozen=True)
class Workspace:
    municipality: Municipality
    role_label: str


def workspaces_of(user: User | Any) -> list[Workspace]:
    """The municipalities a user works in, with their role there."""
    roles = roles_of(user)
    if not roles.municipality:
        return []
    labels = dict(Membership._meta.get_field("role").choices or [])
    municipalities = Municipality.objects.filter(pk__in=roles.municipality).defer("boundary")
    return [
        Workspace(m, str(labels.get(roles.municipality[m.pk], "")))
        for m in municipalities.order_by(german("name"))
    ]


def programme_overview(programme: Programme) -> QuerySet[Municipality]:
    """Every municipality of the programme with its number of members."""
    return municipalities_of(programme).annotate(member_count=Count("memberships"))


@dataclass(frozen=True)
class Change:
    """One recorded change to a tenant object."""

    when: dt.datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    model_key: str
    model_name: str
    object_id: int
    object_label: str
    fields: list[tuple[str, str, str]]  # (field name, before, after)


def change_log(municipality: Municipality, *, limit: int = 100) -> list[Change]:
    """The latest changes to every audited model of the municipality, newest first."""
    changes: list[Change] = []
    for entry in audit.registered():
        records = entry.history_for(municipality.pk).order_by("-history_date")[:limit]
        for record in records:
            changes.append(
                Change(
                    when=record.history_date,
                    who=str(record.history_user) if record.history_user else "System",
                    kind=record.history_type,
                    model_key=entry.key,
                    model_name=entry.verbose_name,
                    object_id=record.id,
                    object_label=entry.label_of(record),
                    fields=[],
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


def _display(value: Any) -> str:
    if value is None or value == "":
        return "–"
    return str(value)


def object_history(municipality: Municipality, model_key: str, object_id: int) -> list[Change]:
    """Every recorded version of one object of the municipality, newest first, each with
    the fields it changed (before and after). 404 when the object is not the tenant's."""
    entry = audit.get(model_key)
    if entry is None:
        raise Http404
    records = list(
        entry.history_for(municipality.pk)
        .filter(id=object_id)
        .order_by("history_date", "history_id")
    )
    if not records:
        raise Http404
    changes: list[Change] = []
    previous = None
    for record in records:
        fields: list[tuple[str, str, str]] = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = entry.model._meta.get_field(change.field)
                label = str(getattr(field, "verbose_name", change.field))
                fields.append((label, _display(change.old), _display(change.new)))
        changes.append(
            Change(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "System",
                kind=record.history_type,
                model_key=entry.key,
                model_name=entry.verbose_name,
                object_id=record.id,
                object_label=entry.label_of(record),
                fields=fields,
            )
        )
        previous = record
    changes.reverse()
    return changes
