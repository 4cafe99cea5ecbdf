"""Import of Open Referral HSDS 3.0 into a municipality's directory.

`load(path)` reads a JSON file (a list of full services, one service, an API
page with `contents`, a list of such pages, or an organisation with `services`)
or a tabular data package (a directory, or its `datapackage.json`), and returns
full service objects. `import_services(municipality, objects, …)` checks every
object against the official schema and kette's rules first and writes nothing
unless all are valid; then it creates or updates the offers in one transaction
(matched by their HSDS ids, which kette keeps, so importing twice updates),
in batches: each row checked as `audited_save` would, then written per table
with one history record each. Fields kette does not model are
counted in the report (`unmodelled`), never dropped silently. See docs/hsds.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kette.core import bulk
from kette.core.audit import (
    audited_bulk_create,
    audited_bulk_update,
    audited_delete,
    clean_fields_quickly,
)
from kette.core.models import District, Municipality, User
from kette.directory import hsds, hsds_tabular, hsds_validation, services
from kette.directory.models import (
    HSDS_STATUS,
    HSDS_WEEKDAYS,
    MAX_AGE_MONTHS,
    MIN_AGE_MONTHS,
    Contact,
    CostOption,
    Language,
    Location,
    LocationFeature,
    LocationType,
    Organization,
    Phone,
    PhoneType,
    Schedule,
    ScheduleKind,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    ServiceTerm,
    TaxonomyTerm,
)

STATUS_FROM_HSDS = {value: key for key, value in HSDS_STATUS.items()}
WEEKDAY_FROM_HSDS = {value: key for key, value in HSDS_WEEKDAYS.items()}
PHONE_TYPES = frozenset(PhoneType.values)
LOCATION_TYPES = frozenset(LocationType.values)
EXTENSION_NOTE = re.compile(r"^(?P<description>.*?)\s*\(Durchwahl (?P<extension>[^)]*)\)$")

# Nested objects an import reads (the tables' nesting, and an organisation's locations).
NESTED = hsds_tabular.NESTED | {"locations": "location"}

# Fields kette models, per entity; `*_id` links are structural. Everything else
# in an object is counted as "not modelled" in the report.
MODELLED = {
    "service": {
        "id",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "application_process",
        "fees_description",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "last_modified",
        "phones",
        "schedules",
        "service_areas",
        "service_at_locations",
        "languages",
        "organization",
        "cost_options",
        "contacts",
        "attributes",
    },
    "organization": {
        "id",
        "name",
        "alternate_name",
        "description",
        "email",
        "website",
        "legal_status",
        "phones",
        "contacts",
        "locations",
    },
    "phone": {"id", "number", "extension", "type", "description"},
    "schedule": {
        "id",
        "valid_from",
        "valid_to",
        "dtstart",
        "until",
        "count",
        "freq",
        "interval",
        "wkst",
        "byday",
        "opens_at",
        "closes_at",
        "description",
        "notes",
    },
    "service_area": {"id", "name", "description", "extent", "extent_type"},
    "service_at_location": {"id", "description", "schedules", "location"},
    "location": {
        "id",
        "location_type",
        "url",
        "name",
        "alternate_name",
        "description",
        "transportation",
        "latitude",
        "longitude",
        "languages",
        "addresses",
        "accessibility",
        "phones",
        "schedules",
        "attributes",
        "contacts",
    },
    "address": {
        "id",
        "address_1",
        "address_2",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    },
    "accessibility": {"id", "description"},
    "language": {"id", "name", "code", "note"},
    "cost_option": {
        "id",
        "valid_from",
        "valid_to",
        "option",
        "currency",
        "amount",
        "amount_description",
    },
    "contact": {"id", "name", "title", "department", "email", "phones"},
    "attribute": {"id", "link_type", "link_entity", "taxonomy_term", "label"},
    # A term is a reference to kette's vocabulary: looked up, not imported.
    "taxonomy_term": None,
}


class ImportFileError(ValueError):
    """A file that cannot be read as HSDS (German message)."""


@dataclass(frozen=True)
class Problem:
    """Why an object was rejected: which object, where in it (schema path) and why."""

    index: int  # 1-based position of the service in the input
    label: str  # name or id of the service
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{_('Offer')} {self.index} ({self.label}) – {self.path}: {self.reason}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organizations_created: int = 0
    locations_created: int = 0
    problems: list[Problem] = field(default_factory=list)
    unmodelled: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    list_form: int = 0  # offers given without anything they contain (see LIST_FORM)

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


def _services_in(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [item for entry in value for item in _services_in(entry)]
    if not isinstance(value, dict):
        raise ImportFileError(_("The file contains no HSDS services."))
    if "contents" in value and isinstance(value["contents"], list):  # an API page
        return _services_in(value["contents"])
    if "services" in value and isinstance(value["services"], list):  # full organisation
        organization = {k: v for k, v in value.items() if k != "services"}
        return [
            {"organization": organization, "organization_id": organization.get("id")} | service
            for service in value["services"]
        ]
    if isinstance(value.get("service"), dict) and "location" in value:  # service at location
        link = {k: v for k, v in value.items() if k != "service"}
        service = dict(value["service"])
        service["service_at_locations"] = [*service.get("service_at_locations", []), link]
        return [service]
    return [value]


def load(path: Path) -> list[dict[str, Any]]:
    """Full service objects from an HSDS JSON file or tabular data package (a
    file or package without any is an error, as an empty file is)."""
    return _some(_read(path))


def _some(services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not services:
        raise ImportFileError(_("The file contains no HSDS services."))
    if not any(isinstance(s, dict) and "status" in s for s in services):
        # every HSDS service has a status: these are other objects
        raise ImportFileError(
            _(
                "The file contains no HSDS services (no object has the “status” every "
                "service has; perhaps organisations, places or taxonomy terms?)."
            )
        )
    return services


def _read(path: Path) -> list[dict[str, Any]]:
    if path.is_dir() or path.name == "datapackage.json":
        directory = path if path.is_dir() else path.parent
        try:
            return hsds_tabular.read_package(directory)
        except (hsds_tabular.PackageError, UnicodeDecodeError) as error:
            raise ImportFileError(
                _("The data package cannot be read: %(reason)s") % {"reason": error}
            ) from error
    if not path.is_file():
        raise ImportFileError(_("The file %(file)s does not exist.") % {"file": path})
    return _read_bytes(path.read_bytes(), path.name, max_bytes=None)


def load_bytes(data: bytes, filename: str, *, max_bytes: int | None = None) -> list[dict[str, Any]]:
    """Full service objects from the bytes of an HSDS JSON file or of a data
    package as one ZIP file (for uploads; `max_bytes` bounds the unpacked ZIP)."""
    return _some(_read_bytes(data, filename, max_bytes=max_bytes))


def _read_bytes(data: bytes, filename: str, *, max_bytes: int | None) -> list[dict[str, Any]]:
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK") or filename.lower().endswith(".zip"):
        try:
            return hsds_tabular.read_zipped_package(data, max_bytes=max_bytes or 10 * len(data))
        except (hsds_tabular.PackageError, UnicodeDecodeError) as error:
            raise ImportFileError(
                _("The data package cannot be read: %(reason)s") % {"reason": error}
            ) from error
    try:
        return _services_in(json.loads(data.decode("utf-8-sig")))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:  # nested too deeply
        if isinstance(error, ImportFileError):
            raise
        raise ImportFileError(
            _("%(file)s is not a JSON file: %(reason)s")
            % {"file": filename, "reason": _json_reason(error)}
        ) from error


def _json_reason(error: Exception) -> str:
    """Why a text is no JSON, in words for the upload page (not Python's)."""
    if isinstance(error, UnicodeDecodeError):
        return _("it is not encoded as UTF-8")
    if isinstance(error, RecursionError):
        return _("it is nested too deeply")
    if isinstance(error, json.JSONDecodeError):
        return _("the error is in line %(line)s, column %(column)s") % {
            "line": error.lineno,
            "column": error.colno,
        }
    return str(error)


# ---------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------


def german_reason(error: Any) -> str:
    """A jsonschema error as a German sentence."""
    kind, value = error.validator, error.validator_value
    if kind == "required":
        missing = re.match(r"'([^']*)' is a required property", error.message)
        name = missing.group(1) if missing else "?"
        return _("the required field “%(field)s” is missing") % {"field": name}
    if kind == "format":
        return _("“%(value)s” is not a valid %(format)s") % {
            "value": error.instance,
            "format": value,
        }
    if kind == "type":
        return _("“%(value)s” has the wrong type (expected: %(type)s)") % {
            "value": error.instance,
            "type": value if isinstance(value, str) else ", ".join(value),
        }
    if kind == "enum":
        return _("“%(value)s” is not one of %(choices)s") % {
            "value": error.instance,
            "choices": ", ".join(str(v) for v in value),
        }
    return _("invalid value (%(detail)s)") % {"detail": error.message}


def _label(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("name") or obj.get("id") or "?")
    return "?"


def schema_problems(index: int, obj: Any) -> list[Problem]:
    if hsds_validation.fast_validator("service").is_valid(obj):
        return []
    validator = hsds_validation.validator("service")
    found = sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.path])
    return [
        Problem(index, _label(obj), "/".join(str(p) for p in e.path) or "/", german_reason(e))
        for e in found
    ]


def survey(
    obj: dict[str, Any], entity: str, counter: Counter[str], ids: dict[str, set[uuid.UUID]]
) -> None:
    """One walk over an object of `entity` before anything is written: count the
    fields kette does not model (into `counter`), and collect the ids of the
    matched entities it holds and of the organisations its offers and places
    name (into `ids`, which the batch's rows are read by)."""
    modelled = _MODELLED_CHILDREN.get(entity)
    if modelled is None:
        return
    if entity in MATCHED and (parsed := _uuid(obj.get("id"))):
        ids[entity].add(parsed)
        if entity == "schedule":  # one row per day, the others with derived ids
            for day in str(obj.get("byday") or "").split(","):
                ids[entity].add(uuid.UUID(hsds.derived_id(parsed, f"byday:{day.strip()}")))
    if entity in ("service", "location") and (owner := _uuid(obj.get("organization_id"))):
        ids["organization"].add(owner)
    for key, value in obj.items():
        child: Any = modelled.get(key, _UNMODELLED)
        if child is _UNMODELLED:
            if key.endswith("_id") and key != "program_id":
                continue  # a link: structural
            if value is None or value == "" or value == []:
                continue
            counter[f"{entity}.{key}"] += 1
        elif child is not None:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    survey(item, child, counter, ids)


_UNMODELLED = object()
# Per entity kette models: each modelled field, with the entity nested in it
# (None for a plain field).
_MODELLED_CHILDREN = {
    entity: {key: NESTED.get(key) for key in fields}
    for entity, fields in MODELLED.items()
    if fields is not None
}


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


class _ObjectError(Exception):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


def _uuid(value: Any) -> uuid.UUID | None:
    return _uuid_of(str(value)) if value else None


@functools.lru_cache(maxsize=1 << 16)
def _uuid_of(text: str) -> uuid.UUID | None:
    """An id as a UUID (each id is read while collecting the batch's ids and again
    when its row is built)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _date(value: Any, path: str) -> dt.date | None:
    """A date from an ISO date (or the date part of a date-time)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise _ObjectError(
            path, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}
        ) from None


def _time(value: Any, path: str) -> dt.time | None:
    """A time of day from an ISO time, an offset or a `Z` dropped."""
    if not value:
        return None
    text = re.sub(r"(Z|[+-]\d{2}:?\d{2})$", "", str(value))
    try:
        return dt.time.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise _ObjectError(
            path, _("“%(value)s” is not a time of day (HH:MM).") % {"value": value}
        ) from None


def _decimal(value: Any, path: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise _ObjectError(path, _("“%(value)s” is not a number.") % {"value": value})
    return number


def _text(obj: dict[str, Any], key: str, limit: int | None = None) -> str:
    value = obj.get(key)
    text = "" if value is None else str(value)
    return text[:limit] if limit else text


# What a full service object contains. An object with none of these is taken for
# the list form of a service (`GET /services` without `full_service`, the
# official `service_list.json`): only the offer's and its organisation's own
# fields are updated, and what they contain in kette (places, times, phones,
# languages, cost options and `is_free`, areas, terms, contacts) is kept. A full
# object that really has none of these (no place, no phone, nothing) is read the
# same way: nothing is removed, and the report says so.
LIST_FORM_ABSENT = (
    "phones",
    "schedules",
    "service_areas",
    "service_at_locations",
    "languages",
    "cost_options",
    "contacts",
    "attributes",
)

# HSDS entities matched by id, and the kette model of each.
MATCHED: dict[str, type[Model]] = {
    "service": Service,
    "organization": Organization,
    "location": Location,
    "service_at_location": ServiceAtLocation,
    "phone": Phone,
    "schedule": Schedule,
    "language": Language,
    "contact": Contact,
    "cost_option": CostOption,
    "service_area": ServiceArea,
}
# Entities whose existing rows are read first; the others are mostly among
# their children.
PRIMARY = ("service", "organization", "location")
# The order of writing: every row after the rows it refers to.
WRITE_ORDER: list[type[Model]] = [
    Organization,
    Location,
    Service,
    Contact,
    ServiceAtLocation,
    Phone,
    Schedule,
    Language,
    CostOption,
    ServiceArea,
    ServiceTerm,
    LocationFeature,
]
# The children an existing row may have (model, owner), read once per batch.
CHILDREN: list[tuple[type[Model], str]] = [
    (ServiceAtLocation, "service"),
    (Contact, "service"),
    (Contact, "location"),
    (Contact, "organization"),
    (Phone, "service"),
    (Phone, "location"),
    (Phone, "organization"),
    (Phone, "contact"),
    (Schedule, "service"),
    (Schedule, "location"),
    (Schedule, "service_at_location"),
    (Language, "service"),
    (Language, "location"),
    (CostOption, "service"),
    (ServiceArea, "service"),
    (ServiceTerm, "service"),
    (LocationFeature, "location"),
]


def _is_cached(row: Model, name: str) -> bool:
    """Whether the related object `name` of `row` is set in memory (no query)."""
    return bool(row._meta.get_field(name).is_cached(row))  # type: ignore[union-attr]


def _has_owner(schedule: Schedule) -> bool:
    return any(
        getattr(schedule, f"{name}_id") is not None
        or (_is_cached(schedule, name) and getattr(schedule, name))
        for name in ("service", "location", "service_at_location")
    )


# kette's check constraints, checked in Python before the bulk writes (the
# database would only fail the whole import, without naming the object).
CHECKS: dict[str, Callable[[Any], bool]] = {
    "service_age_ordered": lambda s: (
        s.min_age_months is None or s.max_age_months is None or s.max_age_months > s.min_age_months
    ),
    "schedule_has_owner": _has_owner,
    "schedule_kind_complete": lambda s: (
        (s.kind == ScheduleKind.SESSION and s.dtstart is not None)
        or (s.kind == ScheduleKind.REGULAR and s.weekday is not None)
    ),
    "schedule_times_ordered": lambda s: (
        s.opens_at is None or s.closes_at is None or s.closes_at > s.opens_at
    ),
}
BATCH = 1000  # offers read, checked and written together
NAME_LENGTH = 300  # of offers and organisations
CHUNK = 500  # ids per query


def _constraints(model: type[Model]) -> list[models.CheckConstraint]:
    return [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]


def _reason(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            " ".join(messages) if name == NON_FIELD_ERRORS else f"{name}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _points_to(row: Model, name: str, target: Model) -> bool:
    """Whether the foreign key `name` of `row` refers to `target` (saved or not)."""
    if target.pk is not None:
        return bool(getattr(row, f"{name}_id") == target.pk)
    return _is_cached(row, name) and getattr(row, name) is target


@functools.cache
def _relations(model: type[Model]) -> list[tuple[str, str, str]]:
    """(cache name, attname, target attname) of each foreign key of `model`."""
    return [
        (f.cache_name, f.attname, f.target_field.attname)  # type: ignore[attr-defined]
        for f in model._meta.concrete_fields
        if f.is_relation
    ]


def _take_related_ids(row: Model) -> None:
    """Set the foreign keys of `row` from the related rows it holds in memory,
    which were written before it: Django's `_prepare_related_fields_for_save`
    without its per-field overhead (a tenth of the time of writing a batch). As
    there, an unsaved related row is an error and a related row whose id differs
    from the key is no longer held."""
    cache = row._state.fields_cache
    for cache_name, attname, target in _relations(type(row)):
        related = cache.get(cache_name)
        if related is None:
            continue
        value = getattr(related, target)
        if value is None:
            raise ValueError(f"import prohibited to prevent data loss: unsaved {cache_name}")
        current = row.__dict__.get(attname)
        if current is None:
            row.__dict__[attname] = value  # past the descriptor, which would drop it
        elif current != value:
            del cache[cache_name]


def _place_of(row: Model) -> set[int]:
    """The place whose words or facets in its offers' search documents a written
    or deleted row changes: a place itself, its accessibility features and its
    opening hours (all its offers are reindexed, not only the imported ones)."""
    if isinstance(row, Location):
        return {row.pk}
    if isinstance(row, LocationFeature | Schedule) and row.location_id is not None:
        return {row.location_id}
    return set()


def _snapshot(row: Model) -> tuple[Any, ...]:
    """The values of all columns of `row` (compared to tell a changed row)."""
    return _column_getter(type(row))(row)


@functools.cache
def _column_getter(model: type[Model]) -> Callable[[Model], tuple[Any, ...]]:
    names = [field.attname for field in model._meta.concrete_fields]
    if len(names) == 1:  # `attrgetter` of one name gives the value itself
        return lambda row: (getattr(row, names[0]),)
    return operator.attrgetter(*names)


class _Importer:
    """Builds the rows of a batch of offers in memory (existing rows and their
    children read with a few queries per batch), checks each as `audited_save`
    would (fields, `clean`, kette's constraints, uniqueness within the input),
    and writes them per table with `audited_bulk_create`/`audited_bulk_update`
    (one history record per row; unchanged rows other than the offers are left
    alone). Rows the input no longer has are deleted with `audited_delete`."""

    def __init__(
        self, municipality: Municipality, *, actor: User | None, report: ImportReport
    ) -> None:
        self.municipality = municipality
        self.actor = actor
        self.report = report
        self.districts = {
            d.name.casefold(): d for d in District.objects.filter(municipality=municipality)
        }
        terms = TaxonomyTerm.objects.available_to(municipality).select_related("taxonomy")
        self.terms_by_id = {str(t.id_hsds): t for t in terms}
        self.terms_by_code = {(str(t.taxonomy.id_hsds), t.code): t for t in terms}
        self.terms_by_code |= {(t.taxonomy.name, t.code): t for t in terms}
        self.refine_district = services.district_refiner(municipality)
        # Organisations and places stay known across batches (offers share them).
        self.shared: dict[tuple[type[Model], uuid.UUID], Model] = {}
        self.services: list[Service] = []
        # places written or whose features or hours changed (their other offers
        # are reindexed at the end)
        self.changed_places: set[int] = set()
        # places and offers this import created: a new place has no offers but
        # the import's, a new offer no life-phase links yet
        self.new_places: set[int] = set()
        self.new_services: set[int] = set()
        self.makers: dict[type[Model], bulk.RowMaker] = {}
        # what each offer of the batch staged and deleted (see `unchanged`)
        self.touched: dict[int, tuple[list[Model], list[Model]]] = {}
        self.staging: list[Model] = []
        self.deleting: list[Model] = []
        self.checks = {
            model: [(c, CHECKS[c.name]) for c in _constraints(model)] for model in WRITE_ORDER
        }
        # models whose `clean()` is Django's (which does nothing)
        self.plain_clean = {model for model in WRITE_ORDER if model.clean is Model.clean}

    # --- a batch -------------------------------------------------------------

    def begin(self, ids: dict[str, set[uuid.UUID]]) -> None:
        """Read the rows the batch names by id (`ids`, collected by `survey`), and
        the children of those rows."""
        self.rows: dict[tuple[type[Model], uuid.UUID], Model] = dict(self.shared)
        self.snapshots: dict[int, tuple[Any, ...]] = {}
        self.staged: dict[type[Model], dict[int, Model]] = defaultdict(dict)
        self.deleted: dict[type[Model], dict[int, Model]] = defaultdict(dict)
        self.touched = {}
        # children of a row by (model, owner field, id() of the owner)
        self.children: dict[tuple[type[Model], str, int], list[Model]] = {}
        self.existing: dict[tuple[type[Model], uuid.UUID], Model] = {}
        # Offers, organisations and places first, then the rows they own (links,
        # times, phones, …); only ids not found among those are looked up by id
        # (rows moved from an owner outside the batch, or of another
        # municipality): most of a re-import's rows are read once, not twice.
        found = self._read_by_id(ids, [e for e in ids if e in PRIMARY])
        # organisations and places of earlier batches that this one names again
        again = [
            row
            for entity, values in ids.items()
            for value in values
            if (row := self.shared.get((MATCHED[entity], value))) is not None
        ]
        for row in again:
            self.snapshots[id(row)] = _snapshot(row)  # as written
        self._read_children([*found, *again])
        self._read_children(self._read_by_id(ids, [e for e in ids if e not in PRIMARY]))

    def _read_by_id(self, ids: dict[str, set[uuid.UUID]], entities: list[str]) -> list[Model]:
        """The rows of `entities` with the batch's ids that are not known yet."""
        found = []
        for entity in entities:
            model = MATCHED[entity]
            wanted = [
                v
                for v in ids[entity]
                if (model, v) not in self.rows and (model, v) not in self.existing
            ]
            for start in range(0, len(wanted), CHUNK):
                for row in model.objects.filter(  # type: ignore[attr-defined]
                    id_hsds__any=wanted[start : start + CHUNK]
                ):
                    self.existing[model, row.id_hsds] = row
                    self.snapshots[id(row)] = _snapshot(row)
                    found.append(row)
        return found

    def _read_children(self, rows: list[Model]) -> None:
        """The children of those `rows` that are the municipality's (and theirs)."""
        owners: dict[type[Model], dict[int, Model]] = defaultdict(dict)
        for row in rows:
            if row.pk is not None and row.municipality_id == self.municipality.pk:  # type: ignore[attr-defined]
                owners[type(row)][row.pk] = row
        for model, owner in CHILDREN:
            owner_model = model._meta.get_field(owner).related_model
            mine = owners.get(owner_model, {})  # type: ignore[arg-type]
            keys = list(mine)
            for start in range(0, len(keys), CHUNK):
                children = model.objects.filter(  # type: ignore[attr-defined]
                    **{f"{owner}_id__any": set(keys[start : start + CHUNK])}
                )
                if model is Phone and owner != "contact":
                    children = children.filter(contact__isnull=True)
                for row in children:
                    if hasattr(row, "id_hsds"):
                        row = self.existing.setdefault((model, row.id_hsds), row)
                    self.snapshots.setdefault(id(row), _snapshot(row))
                    parent = mine[getattr(row, f"{owner}_id")]
                    self.children.setdefault((model, owner, id(parent)), []).append(row)
                    if model in (ServiceAtLocation, Contact):  # owners of further children
                        owners[model][row.pk] = row

    def unchanged(self) -> set[int]:
        """`id()` of the batch's existing offers that the input leaves exactly as
        they are: the offer's row and every row its object staged (organisation,
        places, links, schedules, phones, …) as read, none new, none deleted."""
        same = set()
        for service in self.staged[Service].values():
            if service.pk is None or id(service) not in self.touched:
                continue
            staged, deleted = self.touched[id(service)]
            if any(id(row) not in self.staged[type(row)] for row in deleted):
                continue  # a row deleted (and not moved to another owner)
            if all(
                row.pk is not None and _snapshot(row) == self.snapshots.get(id(row))
                for row in staged
                if id(row) in self.staged[type(row)]
            ):
                same.add(id(service))
        return same

    def write(self) -> None:
        """Write the batch: deletions first, then every table in `WRITE_ORDER`.
        Offers the input leaves as they are are not written (no history record,
        no new modification time)."""
        unchanged = self.unchanged()
        self.report.unchanged += len(unchanged)
        self.report.updated += sum(
            1 for key, row in self.staged[Service].items() if row.pk and key not in unchanged
        )
        for model in reversed(WRITE_ORDER):
            for key, row in self.deleted[model].items():
                if key not in self.staged[model]:  # not moved to another owner
                    self.changed_places |= _place_of(row)
                    audited_delete(row, actor=self.actor)
        for model in WRITE_ORDER:
            new, changed = [], []
            for row in self.staged[model].values():
                _take_related_ids(row)
                if row.pk is None:
                    new.append(row)
                elif model is Service:
                    if id(row) not in unchanged:
                        changed.append(row)
                elif _snapshot(row) != self.snapshots.get(id(row)):
                    changed.append(row)
            audited_bulk_create(new, actor=self.actor, validate=False)
            # an offer's search document is rewritten by `finish` (writing it here
            # as well would update the full-text index twice)
            keep = services.SEARCH_COLUMNS if model is Service else ()
            audited_bulk_update(changed, actor=self.actor, keep=keep)
            for row in new + changed:
                self.changed_places |= _place_of(row)
            if model is Location:
                self.new_places.update(row.pk for row in new)
            elif model is Service:
                self.new_services.update(row.pk for row in new)
        self.services += [
            row  # type: ignore[misc]
            for key, row in self.staged[Service].items()
            if key not in unchanged
        ]
        for shared, row in self.rows.items():
            if shared[0] in (Organization, Location):
                self.shared[shared] = row

    def finish(self) -> None:
        """Derive the offers' life phases and rebuild the search documents of the
        offers and of every other offer at a place the import changed."""
        created = [service for service in self.services if service.pk in self.new_services]
        services.services_derive_life_phases(actor=self.actor, services=created, new=True)
        services.services_derive_life_phases(
            actor=self.actor,
            services=[service for service in self.services if service.pk not in self.new_services],
        )
        ids = {service.pk for service in self.services}
        places = list(self.changed_places - self.new_places)
        for start in range(0, len(places), CHUNK):
            ids.update(
                ServiceAtLocation.objects.filter(
                    location_id__any=set(places[start : start + CHUNK])
                ).values_list("service_id", flat=True)
            )
        services.services_reindex(service_ids=ids)

    # --- helpers -------------------------------------------------------------

    def _own(self, model: type[Model], value: Any, path: str) -> Any:
        """The row of `model` with this HSDS id in the municipality, a new one with
        the id, or an error when the id belongs to another municipality. The same
        id gives the same row throughout an import."""
        parsed = _uuid(value)
        if parsed is None:
            return self._new(model)
        key = (model, parsed)
        found = self.rows.get(key)
        if found is not None:
            return found
        found = self.existing.get(key)
        if found is None:
            found = self._new(model, id_hsds=parsed)
        elif found.municipality_id != self.municipality.pk:  # type: ignore[attr-defined]
            raise _ObjectError(
                path, _("the HSDS id %(id)s belongs to another municipality") % {"id": parsed}
            )
        self.rows[key] = found
        return found

    def _new(self, model: type[Model], **values: Any) -> Any:
        """A new row of `model` in the municipality (see `bulk.RowMaker`)."""
        maker = self.makers.get(model)
        if maker is None:
            maker = self.makers[model] = bulk.RowMaker(model, municipality=self.municipality)
        return maker(**values)

    def _organization_ref(self, value: Any) -> Organization | None:
        """The municipality's organisation with this HSDS id, if any."""
        parsed = _uuid(value)
        if parsed is None:
            return None
        key = (Organization, parsed)
        found = self.rows.get(key) or self.existing.get(key)
        if found is None or found.municipality_id != self.municipality.pk:  # type: ignore[attr-defined]
            return None
        return found  # type: ignore[return-value]

    def _save(self, instance: Model, path: str) -> None:
        """Check `instance` as `audited_save` would and stage it for writing. A row
        the input leaves exactly as stored is not checked again: it is not
        written (an offer whose other rows changed is written with the values
        it has)."""
        model = type(instance)
        if instance.pk is not None and _snapshot(instance) == self.snapshots.get(id(instance)):
            self.staged[model][id(instance)] = instance
            self.staging.append(instance)
            return
        try:
            clean_fields_quickly(instance)
            if model not in self.plain_clean:
                instance.clean()
            for constraint, check in self.checks[model]:
                if not check(instance):
                    raise ValidationError(
                        {NON_FIELD_ERRORS: [constraint.get_violation_error_message()]}
                    )
        except ValidationError as error:
            raise _ObjectError(path, _reason(error)) from error
        self.staged[model][id(instance)] = instance
        self.staging.append(instance)

    def _sync(self, model: type[Model], owner: str, instance: Model, keep: list[Model]) -> None:
        """Make `keep` the children of `instance` in `model`: the others it had are
        deleted (or, when new in this import, not written)."""
        key = (model, owner, id(instance))
        had = self.children.get(key)
        if not had:  # most objects have no phones, contacts, … and had none
            if keep or had is not None:
                self.children[key] = keep
            return
        kept = {id(row) for row in keep}
        for row in had:
            if id(row) in kept:
                continue
            if row.pk is None:
                self._unstage(row)
            else:
                self.deleted[model][id(row)] = row
                self.deleting.append(row)
        self.children[key] = keep

    def _unstage(self, row: Model) -> None:
        """Do not write a new row after all, nor the new rows that belong to it."""
        self.staged[type(row)].pop(id(row), None)
        for (_model, _owner, owner), children in list(self.children.items()):
            if owner == id(row):
                for child in children:
                    if child.pk is None:
                        self._unstage(child)

    def _name(self, data: dict[str, Any], path: str) -> str:
        """A name as kette keeps it: at most NAME_LENGTH characters (noted)."""
        name = _text(data, "name")
        if len(name) > NAME_LENGTH:
            self.report.notes.append(
                _("%(path)s: the name was cut to %(limit)s characters")
                % {"path": path, "limit": NAME_LENGTH}
            )
        return name[:NAME_LENGTH]

    def _phones(self, owner: str, instance: Model, phones: list[dict[str, Any]], path: str) -> None:
        keep = []
        for i, data in enumerate(phones):
            phone = self._own(Phone, data.get("id"), f"{path}/{i}")
            bulk.set_related(phone, owner, instance)
            description = _text(data, "description")
            extension = "" if data.get("extension") is None else str(data["extension"])
            note = EXTENSION_NOTE.match(description)
            if note and not extension:
                description, extension = note["description"], note["extension"]
            phone.number = _text(data, "number")
            phone.extension = extension
            phone.type = data.get("type") if data.get("type") in PHONE_TYPES else "voice"
            if data.get("type") and phone.type != data.get("type"):
                self.report.notes.append(
                    _("%(path)s: the phone type “%(type)s” is taken as voice")
                    % {"path": f"{path}/{i}/type", "type": data.get("type")}
                )
            phone.description = description
            self._save(phone, f"{path}/{i}")
            keep.append(phone)
        self._sync(Phone, owner, instance, keep)

    def _schedules(
        self, owner: str, instance: Model, schedules: list[dict[str, Any]], path: str
    ) -> None:
        """Weekly times (one row per day of `byday`: the first keeps the HSDS id, the
        others get ids derived from it) and single dates (`dtstart` without `freq`).
        Other rules (monthly, every other week, …) kette cannot model: reported."""
        keep = []
        for i, data in enumerate(schedules):
            here = f"{path}/{i}"
            days = [d.strip() for d in str(data.get("byday") or "").split(",") if d.strip()]
            freq = data.get("freq")
            weekly = freq == "WEEKLY" and days and all(d in WEEKDAY_FROM_HSDS for d in days)
            if weekly and data.get("interval") not in (None, 1):
                weekly = False
            if not weekly and (freq or not data.get("dtstart")):
                self.report.notes.append(
                    _(
                        "%(path)s: a schedule kette cannot model "
                        "(freq %(freq)s, days %(days)s) was skipped"
                    )
                    % {"path": here, "freq": freq or "–", "days": ",".join(days) or "–"}
                )
                continue
            if weekly and len(days) > 1:
                self.report.notes.append(
                    _("%(path)s: split into one weekly time per day (%(days)s)")
                    % {"path": here, "days": ",".join(days)}
                )
            valid_from = _date(data.get("valid_from"), f"{here}/valid_from")
            valid_to = _date(data.get("valid_to"), f"{here}/valid_to")
            if weekly:
                valid_from, valid_to = self._weekly_span(data, days, valid_from, valid_to, here)
            weekdays: list[str | None] = list(days) if weekly else [None]
            for n, day in enumerate(weekdays):
                own_id = data.get("id")
                if n and _uuid(own_id):
                    own_id = hsds.derived_id(uuid.UUID(str(own_id)), f"byday:{day}")
                schedule = self._own(Schedule, own_id, here)
                bulk.set_related(schedule, owner, instance)
                schedule.kind = ScheduleKind.REGULAR if weekly else ScheduleKind.SESSION
                schedule.weekday = WEEKDAY_FROM_HSDS[day] if day else None
                schedule.dtstart = None if weekly else _date(data.get("dtstart"), f"{here}/dtstart")
                schedule.opens_at = _time(data.get("opens_at"), f"{here}/opens_at")
                schedule.closes_at = _time(data.get("closes_at"), f"{here}/closes_at")
                schedule.valid_from = valid_from
                schedule.valid_to = valid_to
                schedule.description = _text(data, "description")
                schedule.notes = _text(data, "notes")
                self._save(schedule, here)
                keep.append(schedule)
        self._sync(Schedule, owner, instance, keep)

    def _weekly_span(
        self,
        data: dict[str, Any],
        days: list[str],
        valid_from: dt.date | None,
        valid_to: dt.date | None,
        here: str,
    ) -> tuple[dt.date | None, dt.date | None]:
        """The dates weekly hours hold from and to: `valid_from`/`valid_to`, else the
        rule's `dtstart` and its `until`, or the day of its `count`-th time."""
        start = valid_from or _date(data.get("dtstart"), f"{here}/dtstart")
        end = valid_to or _date(data.get("until"), f"{here}/until")
        count = data.get("count")
        if end is None and isinstance(count, int) and count >= 1:
            if start is None:
                self.report.notes.append(
                    _("%(path)s: “count” without “dtstart”: taken as weekly hours without end")
                    % {"path": here}
                )
            else:
                # the days of the first week that are rule days, then whole weeks
                wanted = {WEEKDAY_FROM_HSDS[day] for day in days}
                offsets = [n for n in range(7) if (start + dt.timedelta(n)).isoweekday() in wanted]
                weeks, index = divmod(int(count) - 1, len(offsets))
                try:
                    end = start + dt.timedelta(days=offsets[index] + 7 * weeks)
                except OverflowError:
                    end = None
        return start, end

    def _languages(
        self, owner: str, instance: Model, languages: list[dict[str, Any]], path: str
    ) -> None:
        keep: list[Model] = []
        for i, data in enumerate(languages):
            if not _text(data, "code").strip():
                # kette keeps languages by ISO code (the guide filters by it)
                self.report.notes.append(
                    _("%(path)s: a language without code (“%(name)s”) was skipped")
                    % {"path": f"{path}/{i}", "name": _text(data, "name") or "–"}
                )
                continue
            language = self._own(Language, data.get("id"), f"{path}/{i}")
            bulk.set_related(language, owner, instance)
            language.code = _text(data, "code").lower()
            language.name = _text(data, "name")
            language.note = _text(data, "note")
            if owner == "service" and any(other.code == language.code for other in keep):  # type: ignore[attr-defined]
                error = language.unique_error_message(Language, ("service", "code"))
                raise _ObjectError(f"{path}/{i}", " ".join(error.messages))
            self._save(language, f"{path}/{i}")
            keep.append(language)
        self._sync(Language, owner, instance, keep)

    def _contacts(
        self, owner: str, instance: Model, contacts: list[dict[str, Any]], path: str
    ) -> None:
        keep = []
        for i, data in enumerate(contacts):
            contact = self._own(Contact, data.get("id"), f"{path}/{i}")
            bulk.set_related(contact, owner, instance)
            for key in ("name", "title", "department", "email"):
                setattr(contact, key, _text(data, key))
            self._save(contact, f"{path}/{i}")
            self._phones("contact", contact, data.get("phones") or [], f"{path}/{i}/phones")
            keep.append(contact)
        self._sync(Contact, owner, instance, keep)

    def _term(self, attribute: dict[str, Any], path: str) -> TaxonomyTerm | None:
        term = attribute.get("taxonomy_term") or {}
        found = self.terms_by_id.get(str(attribute.get("taxonomy_term_id") or term.get("id")))
        if found is None and term.get("code"):
            taxonomy = term.get("taxonomy_id") or term.get("taxonomy")
            found = self.terms_by_code.get((str(taxonomy), term["code"]))
        if found is None:
            self.report.notes.append(
                _("%(path)s: the term “%(term)s” is not in kette's vocabulary and was skipped")
                % {"path": path, "term": term.get("name") or attribute.get("taxonomy_term_id")}
            )
        return found

    def _term_links(
        self,
        model: type[Model],
        owner: str,
        instance: Model,
        attributes: list[dict[str, Any]],
        path: str,
    ) -> None:
        """Links of `instance` to the terms its attributes name (fields of action of
        an offer, accessibility features of a place)."""
        had = {link.term_id: link for link in self.children.get((model, owner, id(instance)), [])}  # type: ignore[attr-defined]
        keep: dict[int, Model] = {}
        for i, attribute in enumerate(attributes):
            here = f"{path}/attributes/{i}".lstrip("/")
            term = self._term(attribute, here)
            if term is None or term.pk in keep:
                continue
            link = had.get(term.pk)
            if link is None:
                link = self._new(model, term=term, **{owner: instance})
                self._save(link, here)
            keep[term.pk] = link
        self._sync(model, owner, instance, list(keep.values()))

    # --- entities ------------------------------------------------------------

    def organization(
        self, data: dict[str, Any], path: str, *, own_fields_only: bool = False
    ) -> Organization:
        organization = self._own(Organization, data.get("id"), path)
        if organization.pk is None and id(organization) not in self.staged[Organization]:
            self.report.organizations_created += 1
        organization.name = self._name(data, f"{path}/name")
        for key in ("alternate_name", "description", "email", "website", "legal_status"):
            setattr(organization, key, _text(data, key))
        self._save(organization, path)
        if own_fields_only:
            return organization
        self._phones("organization", organization, data.get("phones") or [], f"{path}/phones")
        self._contacts("organization", organization, data.get("contacts") or [], f"{path}/contacts")
        for i, location_data in enumerate(data.get("locations") or []):
            if not location_data.get("organization_id"):
                location_data = location_data | {"organization_id": data.get("id")}
            self.location(location_data, f"{path}/locations/{i}", organization)
        return organization

    def location(
        self, data: dict[str, Any], path: str, organization: Organization | None = None
    ) -> Location:
        location = self._own(Location, data.get("id"), path)
        if location.pk is None and id(location) not in self.staged[Location]:
            self.report.locations_created += 1
        location.location_type = (
            data.get("location_type")
            if data.get("location_type") in LOCATION_TYPES
            else LocationType.PHYSICAL
        )
        for key in ("url", "name", "alternate_name", "description", "transportation"):
            setattr(location, key, _text(data, key))
        bulk.set_related(
            location,
            "organization",
            organization or self._organization_ref(data.get("organization_id")),
        )
        location.latitude = _decimal(data.get("latitude"), f"{path}/latitude")
        location.longitude = _decimal(data.get("longitude"), f"{path}/longitude")
        if location.latitude is not None and location.longitude is not None:
            if abs(location.latitude) > 90 or abs(location.longitude) > 180:
                self.report.notes.append(
                    _(
                        "%(path)s: the coordinates %(lat)s, %(lon)s are impossible "
                        "and were not taken over"
                    )
                    % {"path": path, "lat": location.latitude, "lon": location.longitude}
                )
                location.latitude = location.longitude = None
            else:
                location.latitude = round(location.latitude, 6)
                location.longitude = round(location.longitude, 6)
        else:
            location.latitude = location.longitude = None
        if "addresses" in data:  # absent (a data package row left out): kept as it is
            addresses = data.get("addresses") or []
            address = addresses[0] if addresses else {}
            if len(addresses) > 1:
                self.report.notes.append(
                    _("%(path)s: only the first of %(count)s addresses was taken over")
                    % {"path": path, "count": len(addresses)}
                )
            location.address_1 = _text(address, "address_1")
            location.address_2 = _text(address, "address_2")
            location.city = _text(address, "city")
            postal_code = _text(address, "postal_code").strip()
            if postal_code and not re.fullmatch(r"\d{5}", postal_code):
                self.report.notes.append(
                    _(
                        "%(path)s: the postal code “%(code)s” is not a German one "
                        "and was not taken over"
                    )
                    % {"path": f"{path}/addresses/0/postal_code", "code": postal_code}
                )
                postal_code = ""
            location.postal_code = postal_code
            state = _text(address, "state_province")
            derived = hsds.STATES_BY_AGS.get(self.municipality.official_key[:2], "")
            location.state_province = "" if state == derived else state
            location.country = (_text(address, "country") or "DE").upper()[:2]
            region = _text(address, "region").casefold()
            bulk.set_related(location, "district", self.districts.get(region) if region else None)
        location.district_id = self.refine_district(location)
        accessibility = data.get("accessibility") or []
        location.accessibility_description = "\n\n".join(
            _text(a, "description") for a in accessibility if a.get("description")
        )
        self._save(location, path)
        self._languages("location", location, data.get("languages") or [], f"{path}/languages")
        self._phones("location", location, data.get("phones") or [], f"{path}/phones")
        self._schedules("location", location, data.get("schedules") or [], f"{path}/schedules")
        self._contacts("location", location, data.get("contacts") or [], f"{path}/contacts")
        self._term_links(LocationFeature, "location", location, data.get("attributes") or [], path)
        return location

    def service(self, data: dict[str, Any]) -> Service:
        """Stage the offer of one HSDS service object with all it contains."""
        self.staging, self.deleting = [], []
        service = self._service(data)
        self.touched[id(service)] = (self.staging, self.deleting)
        return service

    def _service(self, data: dict[str, Any]) -> Service:
        service = self._own(Service, data.get("id"), "id")
        created = service.pk is None
        listed = not any(key in data for key in LIST_FORM_ABSENT)
        organization_data = data.get("organization")
        organization: Organization | None
        if organization_data:
            organization = self.organization(
                organization_data, "organization", own_fields_only=listed
            )
        else:
            organization = self._organization_ref(data.get("organization_id"))
            if organization is None:
                raise _ObjectError(
                    "organization",
                    _("kette needs the organization of every offer (“organization” is missing)"),
                )
        bulk.set_related(service, "organization", organization)
        service.name = self._name(data, "name")
        for key in (
            "alternate_name",
            "description",
            "url",
            "email",
            "application_process",
            "fees_description",
            "eligibility_description",
        ):
            setattr(service, key, _text(data, key))
        status = data.get("status")
        if status not in STATUS_FROM_HSDS:
            self.report.notes.append(
                _("%(name)s: the status “%(status)s” is imported as a draft")
                % {"name": service.name, "status": status}
            )
        service.status = STATUS_FROM_HSDS.get(str(status), ServiceStatus.DRAFT)
        for key, attribute in (
            ("minimum_age", "min_age_months"),
            ("maximum_age", "max_age_months"),
        ):
            try:
                months = services.years_to_months(data.get(key))
            except ValidationError as error:
                raise _ObjectError(key, " ".join(error.messages)) from error
            if months is not None and months < MIN_AGE_MONTHS:
                raise _ObjectError(
                    key,
                    _(
                        "%(age)s years lies before the start of a pregnancy "
                        "(the lowest age is -0.75 years)."
                    )
                    % {"age": data.get(key)},
                )
            setattr(service, attribute, months)
        if service.max_age_months is not None and service.max_age_months > MAX_AGE_MONTHS:
            self.report.notes.append(
                _("%(name)s: maximum_age %(age)s is taken as no upper age limit")
                % {"name": service.name, "age": data.get("maximum_age")}
            )
            service.max_age_months = None
        assured = _date(data.get("assured_date"), "assured_date")
        if assured is not None and assured > timezone.localdate():
            raise _ObjectError("assured_date", _("The date lies in the future."))
        if assured is None:
            service.last_verified_at = None
        elif service.last_verified_at is None or (
            timezone.localdate(service.last_verified_at) != assured
        ):
            service.last_verified_at = timezone.make_aware(
                dt.datetime.combine(assured, dt.time(12))
            )
        if listed:
            self._save(service, "/")
            self.report.list_form += 1
            if created:
                self.report.created += 1
            return service
        cost_options = list(data.get("cost_options") or [])
        free_id = hsds.derived_id(service.id_hsds, "cost_option:free") if cost_options else None
        free = []
        for i, c in enumerate(cost_options):
            if c.get("id") == free_id or (
                str(c.get("option", "")).casefold() in (hsds.FREE_OPTION, "free", "kostenfrei")
                and _decimal(c.get("amount"), f"cost_options/{i}/amount") in (None, 0)
                and not c.get("amount_description")
            ):
                free.append(c)
        service.is_free = bool(free)
        self._save(service, "/")
        if created:
            self.report.created += 1
        self._phones("service", service, data.get("phones") or [], "phones")
        self._schedules("service", service, data.get("schedules") or [], "schedules")
        self._languages("service", service, data.get("languages") or [], "languages")
        self._contacts("service", service, data.get("contacts") or [], "contacts")
        keep: list[Model] = []
        for i, option_data in enumerate(cost_options):
            if any(option_data is c for c in free):
                continue
            option = self._own(CostOption, option_data.get("id"), f"cost_options/{i}")
            bulk.set_related(option, "service", service)
            option.option = _text(option_data, "option")
            option.amount = _decimal(option_data.get("amount"), f"cost_options/{i}/amount")
            option.currency = _text(option_data, "currency") or "EUR"
            option.amount_description = _text(option_data, "amount_description")
            option.valid_from = _date(option_data.get("valid_from"), f"cost_options/{i}/valid_from")
            option.valid_to = _date(option_data.get("valid_to"), f"cost_options/{i}/valid_to")
            self._save(option, f"cost_options/{i}")
            keep.append(option)
        self._sync(CostOption, "service", service, keep)
        areas: list[ServiceArea] = []
        for i, area_data in enumerate(data.get("service_areas") or []):
            name = _text(area_data, "name").casefold()
            district = self.districts.get(name)
            if district is None and name not in ("", self.municipality.name.casefold()):
                self.report.notes.append(
                    _(
                        "service_areas/%(i)s: “%(name)s” is no district of %(municipality)s; "
                        "taken as the whole municipality"
                    )
                    % {
                        "i": i,
                        "name": area_data.get("name"),
                        "municipality": self.municipality.name,
                    }
                )
            if any(a.district_id == (district.pk if district else None) for a in areas):
                continue  # the same area twice (e.g. two unknown names): kept once
            area = self._own(ServiceArea, area_data.get("id"), f"service_areas/{i}")
            bulk.set_related(area, "service", service)
            bulk.set_related(area, "district", district)
            area.description = _text(area_data, "description")
            self._save(area, f"service_areas/{i}")
            areas.append(area)
        self._sync(ServiceArea, "service", service, areas)  # type: ignore[arg-type]
        self._term_links(ServiceTerm, "service", service, data.get("attributes") or [], "")
        links: list[ServiceAtLocation] = []
        had = self.children.get((ServiceAtLocation, "service", id(service)), [])
        for i, link_data in enumerate(data.get("service_at_locations") or []):
            here = f"service_at_locations/{i}"
            if not link_data.get("location"):
                raise _ObjectError(here, _("the location is missing"))
            location = self.location(link_data["location"], f"{here}/location")
            link = self._own(ServiceAtLocation, link_data.get("id"), here)
            if link.pk is None and id(link) not in self.staged[ServiceAtLocation]:
                # the place once more, or an existing link without its id: one link
                others = [o for o in [*links, *had] if _points_to(o, "location", location)]
                link = others[0] if others else link
            bulk.set_related(link, "service", service)
            bulk.set_related(link, "location", location)
            link.description = _text(link_data, "description")
            self._save(link, here)
            self._schedules(
                "service_at_location", link, link_data.get("schedules") or [], f"{here}/schedules"
            )
            links.append(link)
        unique: list[Model] = list({id(link): link for link in links}.values())
        self._sync(ServiceAtLocation, "service", service, unique)
        return service


def import_services(
    municipality: Municipality,
    objects: list[dict[str, Any]],
    *,
    actor: User | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every object, then (only if all are valid) create or update the offers
    in one transaction; `dry_run` rolls it back. Problems carry the object, the
    schema path and a German reason; with any problem nothing is written."""
    report = ImportReport(dry_run=dry_run)
    # the ids each batch names, read before its rows are built
    batch_ids: list[dict[str, set[uuid.UUID]]] = [
        defaultdict(set) for _start in range(0, len(objects), BATCH)
    ]
    for index, obj in enumerate(objects, start=1):
        report.problems += schema_problems(index, obj)
        if isinstance(obj, dict):
            survey(obj, "service", report.unmodelled, batch_ids[(index - 1) // BATCH])
    seen: dict[str, int] = {}
    for index, obj in enumerate(objects, start=1):
        key = str(obj.get("id")) if isinstance(obj, dict) else ""
        if key in seen:
            report.problems.append(
                Problem(
                    index, _label(obj), "id", _("the same id as offer %(n)s") % {"n": seen[key]}
                )
            )
        seen.setdefault(key, index)
    if report.problems:
        return report
    # The collector stays paused for the whole import: the importer keeps every
    # offer (and the input) alive until `finish` anyway, and each re-enabling
    # between batches set off a full collection over all of them.
    with transaction.atomic(), bulk.collector_paused():
        importer = _Importer(municipality, actor=actor, report=report)
        if not Service.objects.for_municipality(municipality).exists():
            services.life_phases_ensure_defaults(municipality, actor=actor)
        for start in range(0, len(objects), BATCH):
            batch = objects[start : start + BATCH]
            importer.begin(batch_ids[start // BATCH])
            for index, obj in enumerate(batch, start=start + 1):
                try:
                    importer.service(obj)
                except _ObjectError as error:
                    report.problems.append(Problem(index, _label(obj), error.path, error.reason))
                if progress:
                    progress(1)
            if not report.problems:  # otherwise only checked: nothing will be kept
                importer.write()
        if not report.problems:
            importer.finish()
        if report.list_form:
            report.notes.append(
                ngettext(
                    "%(count)s offer came without places, times, phones, languages, costs, "
                    "areas or terms (the list form of HSDS): only its own fields and its "
                    "organisation's were taken over, what it contains in kette was kept.",
                    "%(count)s offers came without places, times, phones, languages, costs, "
                    "areas or terms (the list form of HSDS): only their own fields and their "
                    "organisations' were taken over, what they contain in kette was kept.",
                    report.list_form,
                )
                % {"count": report.list_form}
            )
        if report.problems or dry_run:
            transaction.set_rollback(True)
    return report


def summary_text(report: ImportReport) -> str:
    text = _(
        "%(created)s offer(s) created, %(updated)s updated, %(unchanged)s unchanged; "
        "%(organizations)s new organization(s), %(locations)s new location(s)."
    ) % {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "organizations": report.organizations_created,
        "locations": report.locations_created,
    }
    if report.dry_run:
        text += " " + _("Dry run: nothing was saved.")
    return text
