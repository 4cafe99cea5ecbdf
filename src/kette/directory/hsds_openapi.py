"""The official HSDS 3.0 schemas as OpenAPI components of kette's API document.

Every schema of `hsds_schema/` becomes `#/components/schemas/hsds_<name>`
(`compiled/service_list` → `hsds_service_list`), with its bare `$ref`s
("phone.json") pointed at the components, only JSON Schema keywords kept (the
tabular annotations such as `datapackage_metadata` dropped) and
`additionalProperties: false` on every object: the API promises no fields
beyond the specification. Responses of the HSDS endpoints refer to them, so
the docs show the real shapes and schemathesis checks responses against them.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from kette.directory import hsds_validation

PREFIX = "#/components/schemas/"
KEYWORDS = {
    "$ref",
    "additionalProperties",
    "allOf",
    "anyOf",
    "default",
    "description",
    "enum",
    "format",
    "items",
    "maximum",
    "minimum",
    "oneOf",
    "properties",
    "required",
    "title",
    "type",
}


def component_name(entity: str) -> str:
    return "hsds_" + entity.removeprefix("compiled/")


def _convert(value: Any, *, in_properties: bool = False) -> Any:
    if isinstance(value, list):
        return [_convert(item) for item in value]
    if not isinstance(value, dict):
        return value
    if in_properties:
        return {key: _convert(item) for key, item in value.items()}
    result = {}
    for key, item in value.items():
        if key not in KEYWORDS:
            continue
        if key == "$ref":
            result[key] = PREFIX + component_name(item.removesuffix(".json"))
        else:
            result[key] = _convert(item, in_properties=key == "properties")
    return result


PAGE_PROPERTIES = {
    "total_items": {"type": "integer", "description": "The number of results of the query."},
    "total_pages": {"type": "integer", "description": "The number of pages."},
    "page_number": {"type": "integer", "description": "The number of this page (from 1)."},
    "size": {"type": "integer", "description": "The number of results on this page."},
    "first_page": {"type": "boolean", "description": "Whether this is the first page."},
    "last_page": {"type": "boolean", "description": "Whether this is the last page."},
    "empty": {"type": "boolean", "description": "Whether this page has no results."},
}


@cache
def components() -> dict[str, Any]:
    """Every HSDS schema plus kette's few composites, keyed by component name."""
    schemas: dict[str, Any] = {}
    for entity in hsds_validation.schema_files():
        schemas[component_name(entity)] = hsds_validation.forbid_additional(
            _convert(hsds_validation.schema(entity))
        )
    with_services = copy.deepcopy(schemas["hsds_organization"])
    with_services["properties"]["services"] = {
        "type": "array",
        "description": "The organization's published services (with full_service=true).",
        "items": {"$ref": PREFIX + "hsds_service"},
    }
    schemas["hsds_organization_with_services"] = with_services
    schemas["hsds_api_info"] = {
        "type": "object",
        "required": ["version", "profile", "openapi_url"],
        "additionalProperties": False,
        "properties": {
            "version": {"type": "string", "description": "HSDS version of this API."},
            "profile": {
                "type": "string",
                "format": "uri",
                "description": "URL of the information on the HSDS profile of this API.",
            },
            "openapi_url": {
                "type": "string",
                "format": "uri",
                "description": "URL of the OpenAPI document which defines this API.",
            },
        },
    }
    schemas["hsds_error"] = {
        "type": "object",
        "required": ["detail"],
        "properties": {"detail": {"description": "What went wrong (German)."}},
    }
    return schemas


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors() -> dict[int, Any]:
    error = {"$ref": PREFIX + "hsds_error"}
    return {
        404: _json(error, "Not found (also: an unknown municipality)."),
        422: _json(error, "Invalid parameters."),
    }


def operation(component: str, *, detail: bool = True) -> dict[str, Any]:
    """`openapi_extra` of an endpoint answering one `component` object."""
    responses: dict[int, Any] = {200: _json({"$ref": PREFIX + component}, "OK")}
    if detail:
        responses |= _errors()
    return {"responses": responses}


def page_operation(item: str, full_item: str | None = None) -> dict[str, Any]:
    """`openapi_extra` of a paginated list of `item`s (or `full_item`s when asked
    for full objects)."""
    items: dict[str, Any] = {"$ref": PREFIX + item}
    if full_item:
        items = {"anyOf": [items, {"$ref": PREFIX + full_item}]}
    page = {
        "type": "object",
        "required": [*PAGE_PROPERTIES, "contents"],
        "additionalProperties": False,
        "properties": PAGE_PROPERTIES | {"contents": {"type": "array", "items": items}},
    }
    return {"responses": {200: _json(page, "OK")} | _errors()}
