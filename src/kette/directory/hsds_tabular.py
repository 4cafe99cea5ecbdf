"""HSDS 3.0 tabular data package: CSV files plus `datapackage.json`.

The package has the 21 resources of the official descriptor
(`hsds_schema/datapackage.json`), each a CSV file with exactly the descriptor's
columns in its order (empty files keep their header). `write_package` flattens
full service objects (the JSON export) into the tables: every nested object
becomes a row of its entity's table, once per id, and keeps its links to the
owner through the id fields the JSON already carries (`service_id`,
`location_id`, `link_id`, …). `read_package` does the reverse: it reads a data
package (kette's or anyone's) and nests the rows into full service objects, so
the importer handles JSON and data packages alike. kette's export read back
gives the same objects as the JSON export (tested).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from kette.directory.hsds_validation import SCHEMA_DIR

DESCRIPTOR = SCHEMA_DIR / "datapackage.json"

# Property of an HSDS object -> entity (resource name) of the object(s) it holds.
NESTED = {
    "organization": "organization",
    "program": "program",
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "location": "location",
    "languages": "language",
    "cost_options": "cost_option",
    "contacts": "contact",
    "attributes": "attribute",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
    "addresses": "address",
    "accessibility": "accessibility",
    "funding": "funding",
    "required_documents": "required_document",
    "organization_identifiers": "organization_identifier",
    "metadata": "metadata",
}


# Entities whose `description` HSDS requires although kette's may be empty: the
# tables repeat the name there (CSV cannot tell an empty value from a missing
# one), and reading turns a description equal to the name back into "".
REQUIRED_DESCRIPTION = {"organization", "taxonomy", "taxonomy_term"}
TIME_FIELDS = {"opens_at", "closes_at"}


@cache
def descriptor() -> dict[str, Any]:
    return json.loads(DESCRIPTOR.read_text(encoding="utf-8"))


@cache
def resources() -> dict[str, dict[str, Any]]:
    """Resource name ("service") -> its descriptor entry."""
    return {resource["name"]: resource for resource in descriptor()["resources"]}


def fields(entity: str) -> list[dict[str, Any]]:
    return list(resources()[entity]["schema"]["fields"])


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


@cache
def required(entity: str) -> list[str]:
    """The columns of `entity` that the table schema requires (no empty cell)."""
    return [f["name"] for f in fields(entity) if f.get("constraints", {}).get("required")]


def incomplete(entity: str, row: dict[str, Any]) -> bool:
    return any(row.get(name) in (None, "") for name in required(entity))


def flatten(
    services: Iterable[dict[str, Any]], left_out: dict[str, int] | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """Rows per entity, keyed by id (first occurrence kept), from full services.

    An address without street or postal code (kette keeps a city or a district
    alone) cannot be a row: the table schema requires both and a CSV cell cannot
    be an empty string. It is left out and counted in `left_out["address"]`; the
    JSON export keeps it, and the importer leaves a place's address alone when
    the place comes without `addresses`."""
    tables: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in resources()}

    def walk(obj: dict[str, Any], entity: str) -> None:
        names = [f["name"] for f in fields(entity)]
        row = {name: obj[name] for name in names if name in obj}
        for name in TIME_FIELDS & row.keys():
            if re.fullmatch(r"\d{2}:\d{2}", str(row[name])):
                row[name] = f"{row[name]}:00"  # the table schema's time: HH:MM:SS
        if entity in REQUIRED_DESCRIPTION and not row.get("description"):
            row["description"] = row.get("name", "")  # required; an empty cell is missing
        if entity == "address" and incomplete(entity, row):
            if left_out is not None and str(obj["id"]) not in tables[entity]:
                left_out[entity] = left_out.get(entity, 0) + 1
            return
        tables[entity].setdefault(str(obj["id"]), row)
        for key, value in obj.items():
            child = NESTED.get(key)
            if child is None:
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and "id" in item:
                    walk(item, child)

    for service in services:
        walk(service, "service")
    return tables


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def package_labels(slug: str, municipality_name: str) -> dict[str, str]:
    """The `name` and `title` of a municipality's data package."""
    return {"name": f"kette-{slug}", "title": f"Angebote {municipality_name} (kette, HSDS 3.0)"}


def zipped_package(services: Iterable[dict[str, Any]], *, name: str, title: str) -> bytes:
    """`write_package` as one ZIP file (the files at its top level), for a download."""
    with tempfile.TemporaryDirectory(prefix="kette-hsds-") as directory:
        write_package(services, Path(directory), name=name, title=title)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(directory).iterdir()):
                archive.write(path, path.name)
    return buffer.getvalue()


def write_package(
    services: Iterable[dict[str, Any]], directory: Path, *, name: str, title: str
) -> dict[str, int]:
    """Write the data package of `services` into `directory` (created if missing):
    one CSV file per resource and `datapackage.json`. Returns the rows left out
    per entity (incomplete addresses, see `flatten`)."""
    directory.mkdir(parents=True, exist_ok=True)
    left_out: dict[str, int] = {}
    tables = flatten(services, left_out)
    for entity, resource in resources().items():
        names = [f["name"] for f in fields(entity)]
        with (directory / resource["path"]).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(names)
            for row in tables[entity].values():
                writer.writerow([_cell(row.get(n)) for n in names])
    package = dict(descriptor())
    package |= {
        "name": name,
        "title": title,
        "description": (
            "Offers of a kette directory in the Open Referral Human Services Data "
            "Specification 3.0, tabular form. The table schemas are those of HSDS 3.0 "
            "(CC BY-SA 4.0, Open Referral)."
        ),
    }
    (directory / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return left_out


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


class PackageError(ValueError):
    """A data package that cannot be read (German message)."""


def _typed(value: str, field_type: str) -> Any:
    if field_type in ("number", "integer"):
        try:
            number = float(value)
        except ValueError:
            return value  # left to the schema validation to reject
        if not math.isfinite(number):
            return value
        if field_type == "integer" or (number.is_integer() and "." not in value):
            return int(number)
        return number
    if field_type == "boolean":
        return value.strip().lower() in ("true", "1", "yes")
    return value


def read_tables(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """The rows of every resource of the package in `directory`, typed after the
    HSDS descriptor; empty cells left out. Resources whose CSV is missing are empty;
    columns HSDS does not define are kept (the importer reports them)."""
    package_file = directory / "datapackage.json"
    paths = {name: r["path"] for name, r in resources().items()}
    if package_file.exists():
        try:
            declared = json.loads(package_file.read_text(encoding="utf-8"))
            paths |= {
                r["name"]: r["path"]
                for r in declared.get("resources", [])
                if r.get("name") in paths and isinstance(r.get("path"), str)
            }
        except (ValueError, AttributeError) as error:
            raise PackageError(
                _("datapackage.json is not a valid data package descriptor (JSON).")
            ) from error
    tables: dict[str, list[dict[str, Any]]] = {}
    for entity, relative in paths.items():
        path = (directory / relative).resolve()
        if not path.is_relative_to(directory.resolve()) or not path.is_file():
            tables[entity] = []
            continue
        types = {f["name"]: f["type"] for f in fields(entity)}
        with path.open(encoding="utf-8-sig", newline="") as handle:
            try:
                tables[entity] = [
                    _normalise(
                        entity,
                        {
                            key: _typed(value, types.get(key, "string"))
                            for key, value in row.items()
                            if key is not None and value not in (None, "")
                        },
                    )
                    for row in csv.DictReader(handle)
                ]
            except csv.Error as error:  # e.g. a field longer than the csv module takes
                raise PackageError(
                    _(
                        "%(file)s is not a readable CSV file (broken quotes, a null "
                        "character or a field longer than 131,072 characters)."
                    )
                    % {"file": relative}
                ) from error
    return tables


def read_zipped_package(data: bytes, *, max_bytes: int) -> list[dict[str, Any]]:
    """`read_package` of a data package as one ZIP file (as `zipped_package`
    writes it, or a zipped directory of one): the files are unpacked into a
    temporary directory, none outside it, at most `max_bytes` in all."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as error:
        raise PackageError(_("The ZIP file is damaged or no ZIP file.")) from error
    with archive:
        unsafe = [
            m.filename
            for m in members
            if Path(m.filename).is_absolute() or ".." in Path(m.filename).parts
        ]
        if unsafe:
            raise PackageError(
                _("The ZIP file contains paths that are not allowed (%(path)s).")
                % {"path": unsafe[0]}
            )
        if sum(m.file_size for m in members) > max_bytes:
            raise PackageError(
                _("Unpacked, the ZIP file would be larger than %(size)s MB.")
                % {"size": max_bytes // (1024 * 1024)}
            )
        descriptors = sorted(
            (m.filename for m in members if Path(m.filename).name == "datapackage.json"),
            key=lambda name: len(Path(name).parts),
        )
        if not descriptors:
            raise PackageError(
                _("The ZIP file contains no data package (datapackage.json is missing).")
            )
        with tempfile.TemporaryDirectory(prefix="kette-hsds-") as directory:
            try:
                for member in members:
                    archive.extract(member, directory)
            except (zipfile.BadZipFile, OSError, RuntimeError) as error:
                raise PackageError(_("The ZIP file is damaged or no ZIP file.")) from error
            return read_package(Path(directory) / Path(descriptors[0]).parent)


def _normalise(entity: str, row: dict[str, Any]) -> dict[str, Any]:
    """kette's conventions for a row read from a table: times as HH:MM when the
    seconds are zero, a required description equal to the name (or missing) as ""."""
    for name in TIME_FIELDS & row.keys():
        if re.fullmatch(r"\d{2}:\d{2}:00", str(row[name])):
            row[name] = str(row[name])[:5]
    if entity in REQUIRED_DESCRIPTION and row.get("description", "") in ("", row.get("name")):
        row["description"] = ""
    return row


def _nest(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Full service objects from the tables (children found by their id fields)."""

    def index(entity: str, key: str) -> dict[str, list[dict[str, Any]]]:
        return _group(tables.get(entity, []), key)

    by_id = {e: {str(r.get("id")): r for r in rows} for e, rows in tables.items()}
    taxonomies = by_id.get("taxonomy", {})

    def term(row: dict[str, Any]) -> dict[str, Any]:
        data = dict(row)
        detail = taxonomies.get(str(row.get("taxonomy_id")))
        if detail:
            data["taxonomy_detail"] = dict(detail)
        return data

    terms = {key: term(row) for key, row in by_id.get("taxonomy_term", {}).items()}

    def attributes(owner: str) -> list[dict[str, Any]]:
        result = []
        for row in index_attr.get(owner, []):
            data = dict(row)
            found = terms.get(str(row.get("taxonomy_term_id")))
            if found:
                data["taxonomy_term"] = found
            result.append(data)
        return result

    index_attr = index("attribute", "link_id")
    own_phones = [p for p in tables.get("phone", []) if not p.get("contact_id")]
    phones = {
        key: [p for p in own_phones if p.get(key)]
        for key in ("service_id", "location_id", "organization_id")
    }
    phones_by = {key: _group(rows, key) for key, rows in phones.items()} | {
        "contact_id": index("phone", "contact_id")
    }
    schedules = tables.get("schedule", [])
    sal_schedules = index("schedule", "service_at_location_id")
    service_schedules = _group(
        [s for s in schedules if not s.get("service_at_location_id")], "service_id"
    )
    location_schedules = _group(
        [s for s in schedules if not s.get("service_at_location_id") and not s.get("service_id")],
        "location_id",
    )
    languages = tables.get("language", [])
    service_languages = _group(languages, "service_id")
    location_languages = _group([x for x in languages if not x.get("service_id")], "location_id")
    contacts = tables.get("contact", [])

    def with_phones(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            _clean(dict(c) | {"phones": phones_by["contact_id"].get(str(c["id"]), [])})
            for c in rows
        ]

    service_contacts = _group(contacts, "service_id")
    organization_contacts = _group(
        [c for c in contacts if not c.get("service_id") and not c.get("location_id")],
        "organization_id",
    )
    location_contacts = _group([c for c in contacts if not c.get("service_id")], "location_id")
    addresses = index("address", "location_id")
    accessibility = index("accessibility", "location_id")

    def location(row: dict[str, Any]) -> dict[str, Any]:
        lid = str(row["id"])
        return _clean(
            dict(row)
            | {
                "languages": location_languages.get(lid, []),
                "addresses": addresses.get(lid, []),
                "contacts": with_phones(location_contacts.get(lid, [])),
                "accessibility": accessibility.get(lid, []),
                "phones": [
                    p for p in phones_by["location_id"].get(lid, []) if not p.get("service_id")
                ],
                "schedules": location_schedules.get(lid, []),
                "attributes": attributes(lid),
            }
        )

    locations = by_id.get("location", {})
    organizations = by_id.get("organization", {})
    links = index("service_at_location", "service_id")
    simple = {
        "service_areas": index("service_area", "service_id"),
        "cost_options": index("cost_option", "service_id"),
        "funding": index("funding", "service_id"),
        "required_documents": index("required_document", "service_id"),
    }
    programs = by_id.get("program", {})

    services = []
    for row in tables.get("service", []):
        sid = str(row.get("id"))
        data = dict(row)
        organization = organizations.get(str(row.get("organization_id")))
        if organization:
            oid = str(organization["id"])
            data["organization"] = _clean(
                dict(organization)
                | {
                    "phones": [
                        p
                        for p in phones_by["organization_id"].get(oid, [])
                        if not p.get("service_id") and not p.get("location_id")
                    ],
                    "contacts": with_phones(organization_contacts.get(oid, [])),
                }
            )
        program = programs.get(str(row.get("program_id")))
        if program:
            data["program"] = dict(program)
        data |= {
            "phones": phones_by["service_id"].get(sid, []),
            "schedules": service_schedules.get(sid, []),
            "languages": service_languages.get(sid, []),
            "contacts": with_phones(service_contacts.get(sid, [])),
            "attributes": attributes(sid),
            "service_at_locations": [
                _clean(
                    dict(link)
                    | {
                        "schedules": sal_schedules.get(str(link["id"]), []),
                        **(
                            {"location": location(locations[str(link["location_id"])])}
                            if str(link.get("location_id")) in locations
                            else {}
                        ),
                    }
                )
                for link in links.get(sid, [])
            ],
        }
        data |= {key: rows.get(sid, []) for key, rows in simple.items()}
        services.append(_clean(data))
    return services


def _group(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get(key):
            found.setdefault(str(row[key]), []).append(row)
    return found


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v != []}


def read_package(directory: Path) -> list[dict[str, Any]]:
    """Full HSDS service objects from the data package in `directory`."""
    if not directory.is_dir():
        raise PackageError(_("%(path)s is not a directory.") % {"path": directory})
    return _nest(read_tables(directory))
