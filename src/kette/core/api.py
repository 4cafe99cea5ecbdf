"""Public read API of the core app."""

from __future__ import annotations

from ninja import Router, Schema

from kette.core import selectors

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
