"""Open Referral HSDS 3.0 export of the offer directory.

`service_to_hsds(service)` builds one full HSDS 3.0 service object (the shape of
`GET /services/{id}`): the organisation, services at locations with their
locations and addresses, schedules, phones, languages, cost options, service
areas, taxonomy terms as attributes, and contacts only when asked for. Empty
optional fields are left out (never `null`); required fields are always present.

Ids are the rows' `id_hsds` UUIDs. Objects kette keeps inside another row (the
address and accessibility note of a location, the attribute rows of the term
links, the "free of charge" cost option) get stable UUIDv5 ids derived from the
owning row's id, so exporting twice gives the same ids.

Ages: kette stores whole months, half-open (`min_age_months=0,
max_age_months=36` is "0 bis unter 3 Jahre"; negative months are the
pregnancy). HSDS `minimum_age`/`maximum_age` are the same bounds in years:
months divided by 12, rounded to four decimals (`18` → `1.5`, `-9` → `-0.75`).
`maximum_age` is therefore the exclusive upper bound ("under"), as documented
in docs/hsds.md.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kette.core.models import Municipality
from kette.directory.models import (
    HSDS_STATUS,
    HSDS_WEEKDAYS,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    ScheduleKind,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)

HSDS_VERSION = "3.0"

# Attribute `link_type`s kette uses for its two taxonomies.
LINK_TYPE_FIELD_OF_ACTION = "field_of_action"
LINK_TYPE_ACCESSIBILITY = "accessibility"

# German states by the first two digits of the official municipality key (AGS),
# for the required `address.state_province` when a location names none.
STATES_BY_AGS = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}

FREE_OPTION = "kostenlos"


def derived_id(parent: uuid.UUID, kind: str) -> str:
    """A stable id for an HSDS object kette keeps inside the row `parent`."""
    return str(uuid.uuid5(parent, kind))


def months_to_years(months: int | None) -> float | int | None:
    """Half-open months → HSDS years (months / 12, four decimals; whole years as int)."""
    if months is None:
        return None
    if months % 12 == 0:
        return months // 12
    return round(months / 12, 4)


def _ref(obj: Any) -> str | None:
    """The HSDS id of a linked row, or None."""
    return str(obj.id_hsds) if obj is not None else None


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty optional values: None, "" and empty lists."""
    return {k: v for k, v in data.items() if v is not None and v != "" and v != []}


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------


def taxonomy_term_to_hsds(term: TaxonomyTerm) -> dict[str, Any]:
    taxonomy = term.taxonomy
    return _clean(
        {
            "id": str(term.id_hsds),
            "code": term.code,
            "name": term.name,
            "description": term.description,  # required, may be empty
            "parent_id": _ref(term.parent),
            "taxonomy": taxonomy.name,
            "taxonomy_detail": taxonomy_to_hsds(taxonomy),
            "language": "de",
            "taxonomy_id": str(taxonomy.id_hsds),
            "term_uri": term.term_uri,
        }
    ) | {"description": term.description}


def _attribute(owner: uuid.UUID, entity: str, link_type: str, term: TaxonomyTerm) -> dict[str, Any]:
    return {
        "id": derived_id(owner, f"attribute:{term.id_hsds}"),
        "link_id": str(owner),
        "link_type": link_type,
        "link_entity": entity,
        "taxonomy_term_id": str(term.id_hsds),
        "taxonomy_term": taxonomy_term_to_hsds(term),
    }


def phone_to_hsds(phone: Phone) -> dict[str, Any]:
    extension = phone.extension.strip()
    description = phone.description
    number: int | None = None
    if extension.isdigit():
        number = int(extension)
    elif extension:  # HSDS wants a number; keep anything else readable
        description = f"{description} (Durchwahl {extension})".strip()
    return _clean(
        {
            "id": str(phone.id_hsds),
            "service_id": _ref(phone.service),
            "location_id": _ref(phone.location),
            "organization_id": _ref(phone.organization),
            "contact_id": _ref(phone.contact),
            "number": phone.number,
            "extension": number,
            "type": phone.type,
            "description": description,
        }
    )


def schedule_to_hsds(schedule: Schedule) -> dict[str, Any]:
    weekly = schedule.kind == ScheduleKind.REGULAR
    return _clean(
        {
            "id": str(schedule.id_hsds),
            "service_id": _ref(schedule.service),
            "location_id": _ref(schedule.location),
            "service_at_location_id": _ref(schedule.service_at_location),
            "valid_from": _date(schedule.valid_from),
            "valid_to": _date(schedule.valid_to),
            "dtstart": _date(schedule.dtstart),
            "count": None if weekly else 1,
            "freq": "WEEKLY" if weekly else None,
            "interval": 1 if weekly else None,
            "wkst": "MO" if weekly else None,
            "byday": HSDS_WEEKDAYS.get(schedule.weekday or 0) if weekly else None,
            "opens_at": _time(schedule.opens_at),
            "closes_at": _time(schedule.closes_at),
            "description": schedule.description,
            "notes": schedule.notes,
        }
    )


def language_to_hsds(language: Language) -> dict[str, Any]:
    return _clean(
        {
            "id": str(language.id_hsds),
            "service_id": _ref(language.service),
            "location_id": _ref(language.location),
            "name": language.name,
            "code": language.code,
            "note": language.note,
        }
    )


def cost_option_to_hsds(option: CostOption) -> dict[str, Any]:
    return _clean(
        {
            "id": str(option.id_hsds),
            "service_id": str(option.service.id_hsds),
            "valid_from": _date(option.valid_from),
            "valid_to": _date(option.valid_to),
            "option": option.option,
            "currency": option.currency,
            "amount": _number(option.amount),
            "amount_description": option.amount_description,
        }
    )


def service_area_to_hsds(area: ServiceArea) -> dict[str, Any]:
    district = area.district
    return _clean(
        {
            "id": str(area.id_hsds),
            "service_id": str(area.service.id_hsds),
            "name": district.name if district else area.municipality.name,
            "description": area.description,
            "extent": (
                _geojson(district.boundary) if district else _geojson(area.municipality.boundary)
            ),
            "extent_type": (
                "geojson"
                if (district.boundary if district else area.municipality.boundary)
                else None
            ),
        }
    )


def _geojson(value: Any) -> str | None:
    if not value:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def contact_to_hsds(contact: Contact) -> dict[str, Any]:
    return _clean(
        {
            "id": str(contact.id_hsds),
            "organization_id": _ref(contact.organization),
            "service_id": _ref(contact.service),
            "location_id": _ref(contact.location),
            "name": contact.name,
            "title": contact.title,
            "department": contact.department,
            "email": contact.email,
            "phones": [phone_to_hsds(p) for p in contact.phones.all()],
        }
    )


def _state(location: Location) -> str:
    if location.state_province:
        return location.state_province
    return STATES_BY_AGS.get(location.municipality.official_key[:2], "")


def _location_fields(location: Location) -> dict[str, Any]:
    """The location's own fields (the tabular part of an HSDS location)."""
    return {
        "id": str(location.id_hsds),
        "location_type": location.location_type,
        "url": location.url,
        "organization_id": _ref(location.organization),
        "name": location.name,
        "alternate_name": location.alternate_name,
        "description": location.description,
        "transportation": location.transportation,
        "latitude": _number(location.latitude),
        "longitude": _number(location.longitude),
    }


def location_to_hsds(location: Location, *, include_contacts: bool = False) -> dict[str, Any]:
    lid = location.id_hsds
    addresses = []
    # Whatever part of the address kette has goes out (HSDS requires the lines,
    # which may be empty): a place with a city but no street keeps its city.
    if any(
        (
            location.address_1,
            location.address_2,
            location.city,
            location.postal_code,
            location.district_id,
        )
    ):
        addresses.append(
            {
                "id": derived_id(lid, "address"),
                "location_id": str(lid),
                "address_1": location.address_1,
                **({"address_2": location.address_2} if location.address_2 else {}),
                "city": location.city,
                **({"region": location.district.name} if location.district else {}),
                "state_province": _state(location),
                "postal_code": location.postal_code,
                "country": location.country,
                "address_type": location.location_type,
            }
        )
    accessibility = []
    if location.accessibility_description:
        accessibility.append(
            {
                "id": derived_id(lid, "accessibility"),
                "location_id": str(lid),
                "description": location.accessibility_description,
            }
        )
    attributes = [
        _attribute(lid, "location", LINK_TYPE_ACCESSIBILITY, term)
        for term in location.accessibility.all()
    ]
    return _clean(
        _location_fields(location)
        | {
            "languages": [language_to_hsds(x) for x in location.languages.all()],
            "addresses": addresses,
            "contacts": (
                [contact_to_hsds(c) for c in location.contacts.all()] if include_contacts else []
            ),
            "accessibility": accessibility,
            "phones": [phone_to_hsds(p) for p in location.phones.all() if not p.contact_id],
            "schedules": [schedule_to_hsds(s) for s in location.schedules.all()],
            "attributes": attributes,
        }
    )


def organization_to_hsds(
    organization: Organization, *, full: bool = True, include_contacts: bool = False
) -> dict[str, Any]:
    """An organisation; `full=False` gives the list form (`compiled/organization_list`:
    without phones). Its own contacts (not those of its offers or places) only
    with `include_contacts`, as for offers."""
    phones = (
        [phone_to_hsds(p) for p in organization.phones.all() if not p.contact_id] if full else []
    )
    contacts = (
        [
            contact_to_hsds(c)
            for c in organization.contacts.all()
            if c.service_id is None and c.location_id is None
        ]
        if full and include_contacts
        else []
    )
    return _organization_fields(
        {name: getattr(organization, name) for name in ORGANIZATION_COLUMNS},
        phones=phones,
        contacts=contacts,
    )


# An organisation's columns its list form shows.
ORGANIZATION_COLUMNS = (
    "id_hsds",
    "name",
    "alternate_name",
    "email",
    "website",
    "legal_status",
    "description",
)


def _organization_fields(
    row: dict[str, Any],
    *,
    prefix: str = "",
    phones: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An organisation from its column values (`ORGANIZATION_COLUMNS`, each under
    `prefix` + name)."""
    return _clean(
        {
            "id": str(row[prefix + "id_hsds"]),
            "name": row[prefix + "name"],
            "alternate_name": row[prefix + "alternate_name"],
            "email": row[prefix + "email"],
            "website": row[prefix + "website"],
            "legal_status": row[prefix + "legal_status"],
            "phones": phones or [],
            "contacts": contacts or [],
        }
    ) | {"description": row[prefix + "description"]}  # required, may be empty


def service_at_location_summary(link: ServiceAtLocation) -> dict[str, Any]:
    """The list form of a service at a location (`compiled/service_at_location_list`):
    the link with the location's and the service's own fields."""
    return _clean(
        {
            "id": str(link.id_hsds),
            "service_id": str(link.service.id_hsds),
            "location_id": str(link.location.id_hsds),
            "description": link.description,
            "location": _clean(_location_fields(link.location)),
            "service": service_summary(link.service),
        }
    )


def taxonomy_to_hsds(taxonomy: Taxonomy) -> dict[str, Any]:
    return _clean(
        {
            "id": str(taxonomy.id_hsds),
            "name": taxonomy.name,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
        }
    ) | {"description": taxonomy.description}  # required, may be empty


def service_at_location_to_hsds(
    link: ServiceAtLocation, *, include_contacts: bool = False
) -> dict[str, Any]:
    return _clean(
        {
            "id": str(link.id_hsds),
            "service_id": str(link.service.id_hsds),
            "location_id": str(link.location.id_hsds),
            "description": link.description,
            "schedules": [schedule_to_hsds(s) for s in link.schedules.all()],
            "location": location_to_hsds(link.location, include_contacts=include_contacts),
        }
    )


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------


def _service_fields(service: Service, *, include_contacts: bool = False) -> dict[str, Any]:
    """The service's own fields (the tabular part of an HSDS service)."""
    verifier = service.last_verified_by if include_contacts else None  # not loaded otherwise
    return _service_fields_of(
        {name: getattr(service, name) for name in SERVICE_COLUMNS},
        organization_id=service.organization.id_hsds,
        assurer_email=verifier.email if verifier and verifier.email else None,
    )


# An offer's columns its list form shows (with its organisation's, under
# "organization__"), for `.values()`: `service_summary_of` builds the list form
# from such a row exactly as `service_summary` does from the model instances.
SERVICE_COLUMNS = (
    "id_hsds",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "application_process",
    "fees_description",
    "eligibility_description",
    "min_age_months",
    "max_age_months",
    "last_verified_at",
    "updated_at",
)
SERVICE_SUMMARY_COLUMNS = SERVICE_COLUMNS + tuple(
    f"organization__{name}" for name in ORGANIZATION_COLUMNS
)


def _service_fields_of(
    row: dict[str, Any], *, organization_id: uuid.UUID, assurer_email: str | None
) -> dict[str, Any]:
    """The service's own fields from its column values (`SERVICE_COLUMNS`)."""
    verified = row["last_verified_at"]
    return {
        "id": str(row["id_hsds"]),
        "organization_id": str(organization_id),
        "name": row["name"],
        "alternate_name": row["alternate_name"],
        "description": row["description"],
        "url": row["url"],
        "email": row["email"],
        "status": HSDS_STATUS[ServiceStatus(row["status"])],
        "application_process": row["application_process"],
        "fees_description": row["fees_description"],
        "eligibility_description": row["eligibility_description"],
        "minimum_age": months_to_years(row["min_age_months"]),
        "maximum_age": months_to_years(row["max_age_months"]),
        "assured_date": _date(timezone.localdate(verified) if verified else None),
        "assurer_email": assurer_email,
        "last_modified": row["updated_at"].isoformat(timespec="milliseconds"),
    }


def service_summary(service: Service) -> dict[str, Any]:
    """The list form of a service (HSDS `compiled/service_list`: the service's own
    fields and its organisation's, no nested details)."""
    return _clean(
        _service_fields(service)
        | {"organization": organization_to_hsds(service.organization, full=False)}
    )


def service_summary_of(row: dict[str, Any]) -> dict[str, Any]:
    """`service_summary` from a row of `SERVICE_SUMMARY_COLUMNS` (`.values()`),
    without model instances (the API's list pages)."""
    return _clean(
        _service_fields_of(row, organization_id=row["organization__id_hsds"], assurer_email=None)
        | {"organization": _organization_fields(row, prefix="organization__")}
    )


def service_to_hsds(service: Service, *, include_contacts: bool = False) -> dict[str, Any]:
    """One full HSDS 3.0 service object. Contacts (names and e-mail addresses of
    professionals) only with `include_contacts`: kette records no consent to
    publish them, so the public export leaves them out."""
    sid = service.id_hsds
    cost_options = [cost_option_to_hsds(c) for c in service.cost_options.all()]
    if service.is_free:  # also beside fee options (free, materials paid): kept on import
        cost_options.insert(
            0,
            {
                "id": derived_id(sid, "cost_option:free"),
                "service_id": str(sid),
                "option": FREE_OPTION,
                "currency": "EUR",
                "amount": 0,
            },
        )
    return _clean(
        _service_fields(service, include_contacts=include_contacts)
        | {
            "phones": [
                p for p in map(phone_to_hsds, service.phones.all()) if "contact_id" not in p
            ],
            "schedules": [schedule_to_hsds(s) for s in service.schedules.all()],
            "service_areas": [service_area_to_hsds(a) for a in service.service_areas.all()],
            "service_at_locations": [
                service_at_location_to_hsds(link, include_contacts=include_contacts)
                for link in service.service_at_locations.all()
            ],
            "languages": [language_to_hsds(x) for x in service.languages.all()],
            "organization": organization_to_hsds(
                service.organization, include_contacts=include_contacts
            ),
            "cost_options": cost_options,
            "contacts": (
                [contact_to_hsds(c) for c in service.contacts.all()] if include_contacts else []
            ),
            "attributes": [
                _attribute(sid, "service", LINK_TYPE_FIELD_OF_ACTION, term)
                for term in service.terms.all()
            ],
        }
    )


def _term_prefetch(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=TaxonomyTerm.objects.select_related("taxonomy", "parent"))


def with_details(services: QuerySet[Service], *, contacts: bool = True) -> QuerySet[Service]:
    """`services` with everything `service_to_hsds` reads prefetched: a fixed number
    of queries however many offers there are. Without `contacts` the contacts are
    not loaded (the public API never shows them)."""
    loc = "service_at_locations__location__"
    lookups: list[str | Prefetch] = [
        "organization__phones",
        "phones",
        "schedules",
        "languages",
        "cost_options",
        "service_areas__district",
        "service_areas__municipality",
        _term_prefetch("terms"),
        "service_at_locations__schedules",
        loc + "municipality",
        loc + "organization",
        loc + "district",
        loc + "languages",
        loc + "phones",
        loc + "schedules",
        _term_prefetch(loc + "accessibility"),
    ]
    if contacts:
        lookups += ["contacts__phones", loc + "contacts__phones", "organization__contacts__phones"]
    return services.select_related(
        "organization", "municipality", "last_verified_by"
    ).prefetch_related(*lookups)


EXPORT_CHUNK = 500


def export_queryset(
    municipality: Municipality, *, include_unpublished: bool = False
) -> QuerySet[Service]:
    """The municipality's offers for the export with everything `service_to_hsds`
    reads prefetched: published only unless `include_unpublished`."""
    services = Service.objects.for_municipality(municipality)
    if not include_unpublished:
        services = services.filter(status=ServiceStatus.PUBLISHED)
    return with_details(services).order_by("name", "pk")


def export_services(
    municipality: Municipality,
    *,
    include_unpublished: bool = False,
    include_contacts: bool = False,
) -> Iterable[dict[str, Any]]:
    # In chunks, each with its own prefetches: one prefetch over thousands of
    # offers exceeds SQLite's expression depth ("Expression tree is too large"),
    # and memory stays bounded however large the directory is.
    queryset = export_queryset(municipality, include_unpublished=include_unpublished)
    for service in queryset.iterator(chunk_size=EXPORT_CHUNK):
        yield service_to_hsds(service, include_contacts=include_contacts)


def export_json(services: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The JSON export's text, a list of full service objects, in pieces of one
    object each (a file or a download written as the offers are read, never
    whole in memory): exactly `json.dumps(list(services), indent=2)` and a
    line break."""
    opening = "["
    for service in services:
        text = json.dumps(service, ensure_ascii=False, indent=2)
        yield f"{opening}\n  " + text.replace("\n", "\n  ")
        opening = ","
    yield "[]\n" if opening == "[" else "\n]\n"
