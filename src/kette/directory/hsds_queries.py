"""Reads behind the public HSDS 3.0 API (`/api/hsds/`, see docs/hsds.md).

Everything here is public: only published offers, the organisations that have
one, the places where one takes place, and the vocabularies. Contacts are
never loaded. The scope is the whole programme or one municipality.

Lists are ordered by name (then id) and paginated as HSDS says
(`total_items, total_pages, page_number, size, first_page, last_page, empty,
contents`). Each page costs a fixed number of queries: a COUNT, the page and
the prefetches of what the page shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from kette.core.models import Municipality, Programme
from kette.core.selectors import default_programme
from kette.directory import hsds, search
from kette.directory.models import (
    LocationFeature,
    Organization,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """The programme's whole directory, or one municipality's."""

    municipality: Municipality | None = None
    programme: Programme | None = None


def scope_for(municipality: Municipality | None) -> Scope:
    if municipality is not None:
        return Scope(municipality=municipality)
    return Scope(programme=default_programme())


def _in_scope(queryset: QuerySet[M], scope: Scope, prefix: str = "") -> QuerySet[M]:
    if scope.municipality is not None:
        return queryset.filter(**{f"{prefix}municipality": scope.municipality})
    if scope.programme is not None:
        return queryset.filter(**{f"{prefix}municipality__programme": scope.programme})
    return queryset


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def published_services(scope: Scope) -> QuerySet[Service]:
    return _in_scope(Service.objects.filter(status=ServiceStatus.PUBLISHED), scope)


# ---------------------------------------------------------------------------
# Service filters (AND-combined)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceFilters:
    search: str = ""
    taxonomy_term_id: str = ""
    taxonomy_id: str = ""
    organization_id: str = ""
    modified_after: dt.datetime | None = None
    # Years, half-open like kette's months: the offers for someone of at least
    # `minimum_age` and under `maximum_age` years (overlapping ranges; offers
    # without an age limit always match).
    minimum_age: Decimal | float | None = None
    maximum_age: Decimal | float | None = None


def _months(years: Decimal | float) -> int:
    return round(Decimal(str(years)) * 12)


def _term_condition(terms: Q) -> Q:
    """Offers linked to one of `terms`: as a field of action of the offer, or as an
    accessibility feature of one of its places (both are HSDS attributes)."""
    term_ids = TaxonomyTerm.objects.filter(terms).values("pk")
    located = LocationFeature.objects.filter(term__in=term_ids).values("location_id")
    # One IN over a UNION: an OR of two IN conditions keeps SQLite from using an index.
    linked = (
        ServiceTerm.objects.filter(term__in=term_ids)
        .values("service_id")
        .union(ServiceAtLocation.objects.filter(location__in=located).values("service_id"))
    )
    return Q(pk__in=linked)


def _search_sql(scope: Scope, filters: ServiceFilters) -> tuple[str, list[Any]] | None:
    """The SQL of the ids of the published offers of the scope that the search
    finds (scope and status are part of the full-text condition, as in the
    guide's search), or None without a search."""
    if not filters.search.strip():
        return None
    return search.matching_ids_sql(
        query=filters.search, municipality=scope.municipality, programme=scope.programme
    )


def filter_services(scope: Scope, filters: ServiceFilters) -> QuerySet[Service]:
    """The published offers of the scope that pass every filter."""
    matching = _search_sql(scope, filters)
    if matching is None:
        services = published_services(scope)
    else:
        # Scope and status are in the full-text condition already: checking them
        # again on every match would cost a row lookup each.
        services = Service.objects.filter(pk__in=RawSQL(*matching))  # noqa: S611 (fixed SQL)
    for value, condition in (
        (filters.taxonomy_term_id, lambda u: _term_condition(Q(id_hsds=u))),
        (filters.taxonomy_id, lambda u: _term_condition(Q(taxonomy__id_hsds=u))),
        (filters.organization_id, lambda u: Q(organization__id_hsds=u)),
    ):
        if value:
            parsed = _uuid(value)
            if parsed is None:
                return services.none()
            services = services.filter(condition(parsed))
    if filters.modified_after is not None:
        services = services.filter(updated_at__gte=filters.modified_after)
    if filters.minimum_age is not None:
        months = _months(filters.minimum_age)
        services = services.filter(Q(max_age_months__isnull=True) | Q(max_age_months__gt=months))
    if filters.maximum_age is not None:
        months = _months(filters.maximum_age)
        # one age asked for (minimum = maximum): offers whose range holds it
        point = filters.minimum_age is not None and filters.minimum_age == filters.maximum_age
        starts_below = Q(min_age_months__lte=months) if point else Q(min_age_months__lt=months)
        services = services.filter(Q(min_age_months__isnull=True) | starts_below)
    return services


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


def page_of(
    queryset: QuerySet[M],
    *,
    page: int,
    per_page: int,
    render: Callable[[Sequence[Any]], list[dict[str, Any]]],
    load: QuerySet[M] | None = None,
    fetch: Callable[[list[Any]], dict[Any, Any]] | None = None,
    count: Callable[[], int] | None = None,
) -> dict[str, Any]:
    """One HSDS page of `queryset` (filtered and ordered). The page's ids are read
    first, without joins (cheap also deep into the list); then the rows with
    those ids are loaded from `load` (the model's rows with what the page
    shows selected or prefetched; default: `queryset`), or by `fetch(ids)`
    (rows in any form, by primary key), so the filters are not evaluated twice.
    `render` turns the rows into HSDS objects. `count`: a cheaper way to the
    same total."""
    per_page = min(MAX_PER_PAGE, max(1, per_page))
    page = max(1, page)
    total = queryset.count() if count is None else count()
    offset = (page - 1) * per_page
    rows: list[Any] = []
    if offset < total:
        ids = list(queryset.values_list("pk", flat=True)[offset : offset + per_page])
        if fetch is not None:
            by_pk = fetch(ids)
        else:
            source = queryset if load is None else load
            by_pk = {row.pk: row for row in source.filter(pk__in=ids)}
        rows = [by_pk[pk] for pk in ids]
    contents = render(rows) if rows else []
    total_pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _services_by_organization(scope: Scope, organizations: Sequence[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    services = hsds.with_details(
        published_services(scope).filter(organization__in=organizations), contacts=False
    ).order_by("name", "pk")
    for service in services:
        found.setdefault(service.organization_id, []).append(hsds.service_to_hsds(service))
    return found


# --- services -------------------------------------------------------------------


def services_page(
    scope: Scope, filters: ServiceFilters, *, page: int, per_page: int, full: bool
) -> dict[str, Any]:
    services = filter_services(scope, filters).order_by("name", "pk")
    if full:

        def render(rows: Sequence[Service]) -> list[dict[str, Any]]:
            details = hsds.with_details(
                Service.objects.filter(pk__in=[s.pk for s in rows]), contacts=False
            ).in_bulk()
            return [hsds.service_to_hsds(details[s.pk]) for s in rows]

        return page_of(
            services, page=page, per_page=per_page, render=render, load=Service.objects.only("pk")
        )
    return page_of(
        services,
        page=page,
        per_page=per_page,
        render=lambda rows: [hsds.service_summary_of(row) for row in rows],
        fetch=lambda ids: values_by_pk(Service, ids, hsds.SERVICE_SUMMARY_COLUMNS),
        count=_search_count(scope, filters),
    )


def values_by_pk(model: type[Model], pks: Sequence[Any], names: Sequence[str]) -> dict[Any, Any]:
    """The rows of `model` with the primary keys `pks`, each as a dict of `names`
    (fields, or "relation__field" across a foreign key), by primary key: what
    `model.objects.filter(pk__in=pks).values(*names)` gives, converted by the
    same backend and field converters, but without the SQL compiler (for a
    list page of 50 rows, compiling that query took longer than running it)."""
    select, keys, converted = _values_plan(model, tuple(names), connection.alias)
    placeholders = ", ".join(["%s"] * len(pks))
    found: dict[Any, Any] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"{select} ({placeholders})", list(pks))
        for values in map(list, cursor.fetchall()):
            for i, convert, column in converted:
                value = values[i]
                for converter in convert:
                    value = converter(value, column, connection)
                values[i] = value
            found[values[0]] = dict(zip(keys, values, strict=True))
    return found


@functools.lru_cache(maxsize=32)
def _values_plan(
    model: type[Model], names: tuple[str, ...], alias: str
) -> tuple[str, list[str], list[tuple[int, list[Any], Any]]]:
    """`values_by_pk`'s statement (up to its IN list), keys and converters
    (column position, converter functions, column), once per model, names and
    database."""
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    joins: dict[str, str] = {}
    columns: list[str] = []
    converters: list[tuple[str, list[Any], Any]] = []
    for name in ("pk", *names):
        owner_alias, owner, attr = table, meta, name
        if "__" in name:
            relation, attr = name.split("__", 1)
            foreign_key: Any = meta.get_field(relation)
            owner = foreign_key.related_model._meta
            owner_alias = quote(f"hsds_{relation}")
            joins.setdefault(
                relation,
                f"{'LEFT' if foreign_key.null else 'INNER'} JOIN {quote(owner.db_table)} "
                f"{owner_alias} ON {owner_alias}.{quote(owner.pk.column)} = "
                f"{table}.{quote(foreign_key.column)}",
            )
        field: Any = owner.pk if attr == "pk" else owner.get_field(attr)
        column = field.get_col(owner_alias)
        columns.append(f"{owner_alias}.{quote(field.column)}")
        convert = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        converters.append((name, convert, column))
    select = (
        f"SELECT {', '.join(columns)} FROM {table} {' '.join(joins.values())} "  # noqa: S608
        f"WHERE {table}.{quote(meta.pk.column)} IN"
    )
    keys = [name for name, _convert, _column in converters]
    converted = [
        (i, convert, column) for i, (_, convert, column) in enumerate(converters) if convert
    ]
    return select, keys, converted


def _search_count(scope: Scope, filters: ServiceFilters) -> Callable[[], int] | None:
    """With a search and no other filter: the count of the full-text matches
    alone (on SQLite a count in the index, without a row lookup per match)."""
    matching = _search_sql(scope, filters)
    if matching is None or filters != ServiceFilters(search=filters.search):
        return None
    sql, params = matching

    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) matches", params)  # noqa: S608
            return int(cursor.fetchone()[0])

    return count


def service_detail(scope: Scope, service_id: str) -> dict[str, Any] | None:
    parsed = _uuid(service_id)
    if parsed is None:
        return None
    service = hsds.with_details(published_services(scope), contacts=False).filter(id_hsds=parsed)
    found = service.first()
    return hsds.service_to_hsds(found) if found else None


# --- organisations ----------------------------------------------------------------


def public_organizations(scope: Scope) -> QuerySet[Organization]:
    """Organisations with at least one published offer in the scope (the others
    may be actors of the internal network only)."""
    return Organization.objects.filter(
        pk__in=published_services(scope).values("organization_id")
    ).order_by("name", "pk")


def _render_organizations(
    scope: Scope, *, full: bool, full_service: bool
) -> Callable[[Sequence[Organization]], list[dict[str, Any]]]:
    def render(rows: Sequence[Organization]) -> list[dict[str, Any]]:
        services = _services_by_organization(scope, [o.pk for o in rows]) if full_service else {}
        result = []
        for organization in rows:
            data = hsds.organization_to_hsds(organization, full=full or full_service)
            if full_service:
                data["services"] = services.get(organization.pk, [])
            result.append(data)
        return result

    return render


def organizations_page(
    scope: Scope, *, search_text: str, page: int, per_page: int, full: bool, full_service: bool
) -> dict[str, Any]:
    organizations = public_organizations(scope)
    if search_text.strip():
        organizations = organizations.filter(name__icontains=search_text.strip())
    load = Organization.objects.all()
    if full or full_service:
        load = load.prefetch_related("phones")
    return page_of(
        organizations,
        page=page,
        per_page=per_page,
        render=_render_organizations(scope, full=full, full_service=full_service),
        load=load,
    )


def organization_detail(
    scope: Scope, organization_id: str, *, full_service: bool
) -> dict[str, Any] | None:
    parsed = _uuid(organization_id)
    if parsed is None:
        return None
    found = public_organizations(scope).filter(id_hsds=parsed).prefetch_related("phones").first()
    if found is None:
        return None
    return _render_organizations(scope, full=True, full_service=full_service)([found])[0]


# --- taxonomies and terms ---------------------------------------------------------


def taxonomies_page(scope: Scope, *, search_text: str, page: int, per_page: int) -> dict[str, Any]:
    taxonomies = Taxonomy.objects.order_by("name", "pk")
    if search_text.strip():
        taxonomies = taxonomies.filter(name__icontains=search_text.strip())
    return page_of(
        taxonomies,
        page=page,
        per_page=per_page,
        render=lambda rows: [hsds.taxonomy_to_hsds(t) for t in rows],
    )


def taxonomy_detail(taxonomy_id: str) -> dict[str, Any] | None:
    parsed = _uuid(taxonomy_id)
    found = Taxonomy.objects.filter(id_hsds=parsed).first() if parsed else None
    return hsds.taxonomy_to_hsds(found) if found else None


def public_terms(scope: Scope) -> QuerySet[TaxonomyTerm]:
    """The programme-wide terms and those of the municipalities in the scope."""
    own = _in_scope(TaxonomyTerm.objects.filter(municipality__isnull=False), scope)
    return (
        TaxonomyTerm.objects.filter(Q(municipality__isnull=True) | Q(pk__in=own.values("pk")))
        .select_related("taxonomy", "parent")
        .order_by("taxonomy__name", "position", "name", "pk")
    )


def taxonomy_terms_page(
    scope: Scope,
    *,
    search_text: str,
    taxonomy_id: str,
    parent_id: str,
    top_only: bool,
    page: int,
    per_page: int,
) -> dict[str, Any]:
    terms = public_terms(scope)
    if search_text.strip():
        terms = terms.filter(name__icontains=search_text.strip())
    for value, lookup in ((taxonomy_id, "taxonomy__id_hsds"), (parent_id, "parent__id_hsds")):
        if value:
            parsed = _uuid(value)
            terms = terms.filter(**{lookup: parsed}) if parsed else terms.none()
    if top_only:
        terms = terms.filter(parent__isnull=True)
    return page_of(
        terms,
        page=page,
        per_page=per_page,
        render=lambda rows: [hsds.taxonomy_term_to_hsds(t) for t in rows],
        load=TaxonomyTerm.objects.select_related("taxonomy", "parent"),
    )


def taxonomy_term_detail(scope: Scope, term_id: str) -> dict[str, Any] | None:
    parsed = _uuid(term_id)
    found = public_terms(scope).filter(id_hsds=parsed).first() if parsed else None
    return hsds.taxonomy_term_to_hsds(found) if found else None


# --- services at locations ----------------------------------------------------------


def _location_details(prefix: str) -> list[str | Prefetch]:
    return [
        prefix + "languages",
        prefix + "phones",
        prefix + "schedules",
        Prefetch(
            prefix + "accessibility",
            queryset=TaxonomyTerm.objects.select_related("taxonomy", "parent"),
        ),
    ]


def _full_links(links: QuerySet[ServiceAtLocation]) -> QuerySet[ServiceAtLocation]:
    return links.select_related(
        "service",
        "location__municipality",
        "location__organization",
        "location__district",
    ).prefetch_related("schedules", *_location_details("location__"))


def _link_term_condition(terms: Q) -> Q:
    """Offers at places linked to one of `terms`: as a field of action of the offer,
    or as an accessibility feature of that place (not of another of its places)."""
    term_ids = TaxonomyTerm.objects.filter(terms).values("pk")
    return Q(service__in=ServiceTerm.objects.filter(term__in=term_ids).values("service_id")) | Q(
        location__in=LocationFeature.objects.filter(term__in=term_ids).values("location_id")
    )


def filter_links(scope: Scope, filters: ServiceFilters) -> QuerySet[ServiceAtLocation]:
    """The offers at places whose offer passes the filters; the taxonomy filters
    hold per place (a step-free entrance at one place is not at the others)."""
    links = ServiceAtLocation.objects.filter(
        service__in=filter_services(
            scope, dataclasses.replace(filters, taxonomy_term_id="", taxonomy_id="")
        ).values("pk")
    )
    for value, lookup in (
        (filters.taxonomy_term_id, "id_hsds"),
        (filters.taxonomy_id, "taxonomy__id_hsds"),
    ):
        if value:
            parsed = _uuid(value)
            if parsed is None:
                return links.none()
            links = links.filter(_link_term_condition(Q(**{lookup: parsed})))
    return links


def service_at_locations_page(
    scope: Scope, filters: ServiceFilters, *, page: int, per_page: int, full: bool
) -> dict[str, Any]:
    links = filter_links(scope, filters).order_by("service__name", "location__name", "pk")
    if full:
        return page_of(
            links,
            page=page,
            per_page=per_page,
            render=lambda rows: [hsds.service_at_location_to_hsds(link) for link in rows],
            load=_full_links(ServiceAtLocation.objects.all()),
        )
    return page_of(
        links,
        page=page,
        per_page=per_page,
        render=lambda rows: [hsds.service_at_location_summary(link) for link in rows],
        load=ServiceAtLocation.objects.select_related(
            "service__organization", "service__last_verified_by", "location__organization"
        ),
    )


def service_at_location_detail(scope: Scope, link_id: str) -> dict[str, Any] | None:
    parsed = _uuid(link_id)
    if parsed is None:
        return None
    links = ServiceAtLocation.objects.filter(
        service__in=published_services(scope).values("pk"), id_hsds=parsed
    )
    found = _full_links(links).first()
    return hsds.service_at_location_to_hsds(found) if found else None
