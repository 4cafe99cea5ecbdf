"""The public, read-only HSDS 3.0 API of the offer directory (`/api/hsds/…`).

Thin views over `kette.directory.hsds_queries`; the objects are built by
`kette.directory.hsds` (the same code as the export). Responses are declared in
the OpenAPI document with the official HSDS schemas (`hsds_openapi`), tightened
to forbid fields beyond them. `Access-Control-Allow-Origin: *` is set for every
response under `/api/hsds/` by `kette.api.middleware`. See docs/hsds.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError, ValidationError

from kette.core.selectors import municipality_by_slug
from kette.directory import hsds, hsds_openapi, hsds_queries
from kette.directory.hsds_queries import DEFAULT_PER_PAGE, MAX_PER_PAGE, Scope, ServiceFilters

router = Router(tags=["HSDS 3.0"])

MAX_PAGE = 1_000_000
MUNICIPALITY_HELP = (
    "Short name (slug) of a programme municipality: only its offers. "
    "Without it, the whole programme's directory."
)


class ScopeQuery(Schema):
    municipality: str | None = Field(None, description=MUNICIPALITY_HELP, max_length=80)


class PageQuery(ScopeQuery):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number (from 1).")
    per_page: int = Field(
        DEFAULT_PER_PAGE,
        ge=1,
        le=MAX_PER_PAGE,
        description=f"Results per page (1–{MAX_PER_PAGE}).",
    )
    search: str | None = Field(None, max_length=200, description="Full-text search.")


class ServiceFilterQuery(PageQuery):
    search: str | None = Field(
        None,
        max_length=200,
        description="Full-text search with the directory's German search "
        "(stemming, umlaut folding, word prefixes).",
    )
    taxonomy_term_id: str | None = Field(
        None, description="Offers with this taxonomy term (field of action or accessibility)."
    )
    taxonomy_id: str | None = Field(None, description="Offers with any term of this taxonomy.")
    organization_id: str | None = Field(None, description="Offers of this organization.")
    modified_after: dt.datetime | None = Field(
        None,
        description="Offers modified on or after this date-time (ISO 8601; "
        "without an offset: German local time).",
    )


class ServiceQuery(ServiceFilterQuery):
    minimum_age: float | None = Field(
        None,
        ge=-1,
        le=120,
        allow_inf_nan=False,
        description="Age in years: offers for people of at least this age "
        "(whose age range reaches beyond it, or without an age limit).",
    )
    maximum_age: float | None = Field(
        None,
        ge=-1,
        le=120,
        allow_inf_nan=False,
        description="Age in years, exclusive: offers for people under this age "
        "(whose age range starts below it, or without an age limit).",
    )
    full_service: bool = Field(False, description="Full service objects instead of the list form.")
    full: bool = Field(False, description="The same as full_service.")


class ServiceAtLocationQuery(ServiceFilterQuery):
    full: bool = Field(
        False,
        description="Full service_at_location objects (with schedules and the full location).",
    )


class OrganizationQuery(PageQuery):
    full: bool = Field(False, description="Organizations with their phones.")
    full_service: bool = Field(
        False, description="Organizations with their phones and full published services."
    )


class OrganizationDetailQuery(ScopeQuery):
    full_service: bool = Field(False, description="With the full published services.")


class TaxonomyTermQuery(PageQuery):
    taxonomy_id: str | None = Field(None, description="Terms of this taxonomy.")
    parent_id: str | None = Field(None, description="Terms below this term.")
    top_only: bool = Field(False, description="Only terms without a parent.")


def _scope(query: ScopeQuery) -> Scope:
    if query.municipality is None:
        return hsds_queries.scope_for(None)
    if "\x00" in query.municipality:
        raise HttpError(404, "Kommune nicht gefunden")
    try:
        return hsds_queries.scope_for(municipality_by_slug(query.municipality))
    except Http404 as error:
        raise HttpError(404, "Kommune nicht gefunden") from error


def _text(value: str | None) -> str:
    return (value or "").replace("\x00", "")


def _moment(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError) as error:
        raise HttpError(422, "Ungültiger Zeitpunkt für modified_after") from error


def _filters(query: ServiceFilterQuery) -> ServiceFilters:
    minimum, maximum = getattr(query, "minimum_age", None), getattr(query, "maximum_age", None)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ["query", "maximum_age"],
                    "msg": "„maximum_age“ darf nicht kleiner als „minimum_age“ sein",
                }
            ]
        )
    return ServiceFilters(
        search=_text(query.search),
        taxonomy_term_id=_text(query.taxonomy_term_id),
        taxonomy_id=_text(query.taxonomy_id),
        organization_id=_text(query.organization_id),
        modified_after=_moment(query.modified_after),
        minimum_age=getattr(query, "minimum_age", None),
        maximum_age=getattr(query, "maximum_age", None),
    )


def _found(data: dict[str, Any] | None, what: str) -> JsonResponse:
    if data is None:
        raise HttpError(404, f"{what} nicht gefunden")
    return _json(data)


def _json(data: dict[str, Any]) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@router.get(
    "/",
    summary="HSDS API information",
    operation_id="hsds_root",
    openapi_extra=hsds_openapi.operation("hsds_api_info", detail=False),
)
def hsds_root(request: HttpRequest) -> JsonResponse:
    return _json(
        {
            "version": hsds.HSDS_VERSION,
            "profile": request.build_absolute_uri(reverse("api:openapi-view")),
            "openapi_url": request.build_absolute_uri(reverse("api:openapi-json")),
        }
    )


@router.get(
    "/services",
    summary="Published offers (paginated)",
    operation_id="hsds_services",
    openapi_extra=hsds_openapi.page_operation("hsds_service_list", "hsds_service"),
)
def hsds_services(request: HttpRequest, query: Query[ServiceQuery]) -> JsonResponse:
    return _json(
        hsds_queries.services_page(
            _scope(query),
            _filters(query),
            page=query.page,
            per_page=query.per_page,
            full=query.full_service or query.full,
        )
    )


@router.get(
    "/services/{hsds_id}",
    summary="One published offer (full service object)",
    operation_id="hsds_service",
    openapi_extra=hsds_openapi.operation("hsds_service"),
)
def hsds_service(request: HttpRequest, hsds_id: str, query: Query[ScopeQuery]) -> JsonResponse:
    return _found(hsds_queries.service_detail(_scope(query), hsds_id), "Angebot")


@router.get(
    "/organizations",
    summary="Organizations with published offers (paginated)",
    operation_id="hsds_organizations",
    openapi_extra=hsds_openapi.page_operation(
        "hsds_organization_list", "hsds_organization_with_services"
    ),
)
def hsds_organizations(request: HttpRequest, query: Query[OrganizationQuery]) -> JsonResponse:
    return _json(
        hsds_queries.organizations_page(
            _scope(query),
            search_text=_text(query.search),
            page=query.page,
            per_page=query.per_page,
            full=query.full,
            full_service=query.full_service,
        )
    )


@router.get(
    "/organizations/{hsds_id}",
    summary="One organization with published offers",
    operation_id="hsds_organization",
    openapi_extra=hsds_openapi.operation("hsds_organization_with_services"),
)
def hsds_organization(
    request: HttpRequest,
    hsds_id: str,
    query: Query[OrganizationDetailQuery],
) -> JsonResponse:
    return _found(
        hsds_queries.organization_detail(_scope(query), hsds_id, full_service=query.full_service),
        "Organisation",
    )


@router.get(
    "/taxonomies",
    summary="Taxonomies (paginated)",
    operation_id="hsds_taxonomies",
    openapi_extra=hsds_openapi.page_operation("hsds_taxonomy"),
)
def hsds_taxonomies(request: HttpRequest, query: Query[PageQuery]) -> JsonResponse:
    return _json(
        hsds_queries.taxonomies_page(
            _scope(query), search_text=_text(query.search), page=query.page, per_page=query.per_page
        )
    )


@router.get(
    "/taxonomies/{hsds_id}",
    summary="One taxonomy",
    operation_id="hsds_taxonomy",
    openapi_extra=hsds_openapi.operation("hsds_taxonomy"),
)
def hsds_taxonomy(request: HttpRequest, hsds_id: str, query: Query[ScopeQuery]) -> JsonResponse:
    _scope(query)  # taxonomies are the programme's; an unknown municipality is still a 404
    return _found(hsds_queries.taxonomy_detail(hsds_id), "Taxonomie")


@router.get(
    "/taxonomy_terms",
    summary="Taxonomy terms (paginated)",
    operation_id="hsds_taxonomy_terms",
    openapi_extra=hsds_openapi.page_operation("hsds_taxonomy_term"),
)
def hsds_taxonomy_terms(request: HttpRequest, query: Query[TaxonomyTermQuery]) -> JsonResponse:
    return _json(
        hsds_queries.taxonomy_terms_page(
            _scope(query),
            search_text=_text(query.search),
            taxonomy_id=_text(query.taxonomy_id),
            parent_id=_text(query.parent_id),
            top_only=query.top_only,
            page=query.page,
            per_page=query.per_page,
        )
    )


@router.get(
    "/taxonomy_terms/{hsds_id}",
    summary="One taxonomy term",
    operation_id="hsds_taxonomy_term",
    openapi_extra=hsds_openapi.operation("hsds_taxonomy_term"),
)
def hsds_taxonomy_term(
    request: HttpRequest, hsds_id: str, query: Query[ScopeQuery]
) -> JsonResponse:
    return _found(hsds_queries.taxonomy_term_detail(_scope(query), hsds_id), "Begriff")


@router.get(
    "/service_at_locations",
    summary="Published offers at their places (paginated)",
    operation_id="hsds_service_at_locations",
    openapi_extra=hsds_openapi.page_operation(
        "hsds_service_at_location_list", "hsds_service_at_location"
    ),
)
def hsds_service_at_locations(
    request: HttpRequest, query: Query[ServiceAtLocationQuery]
) -> JsonResponse:
    return _json(
        hsds_queries.service_at_locations_page(
            _scope(query),
            _filters(query),
            page=query.page,
            per_page=query.per_page,
            full=query.full,
        )
    )


@router.get(
    "/service_at_locations/{hsds_id}",
    summary="One published offer at one place",
    operation_id="hsds_service_at_location",
    openapi_extra=hsds_openapi.operation("hsds_service_at_location"),
)
def hsds_service_at_location(
    request: HttpRequest,
    hsds_id: str,
    query: Query[ScopeQuery],
) -> JsonResponse:
    return _found(hsds_queries.service_at_location_detail(_scope(query), hsds_id), "Angebot am Ort")
