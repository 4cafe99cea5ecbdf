"""Public read API of the core app."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from kette.core import selectors
from kette.core.models import Municipality

router = Router(tags=["Kommunen"])


class MunicipalityOut(Schema):
    name: str
    slug: str
    kind: str
    official_key: str
    population: int | None
    cohort: int | None


@router.get("/municipalities", response=list[MunicipalityOut], summary="Programme municipalities")
def list_municipalities(request):  # type: ignore[no-untyped-def]
    programme = selectors.default_programme()
    if programme is None:
        return []
    return list(selectors.municipalities_of(programme))


def municipality_for(request: HttpRequest, slug: str, permission: str) -> Municipality:
    """The municipality of an API path, if the caller holds `permission` (a
    django-rules permission) there: otherwise 404 or 403 with a message."""
    try:
        municipality = selectors.municipality_by_slug(slug)
    except Http404 as error:
        raise HttpError(404, "Kommune nicht gefunden") from error
    if not request.user.has_perm(permission, municipality):
        raise HttpError(403, "Keine Berechtigung")
    return municipality
