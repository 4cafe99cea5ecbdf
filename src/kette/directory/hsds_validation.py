"""Validation against the official HSDS 3.0 JSON Schemas shipped in `hsds_schema/`
(Draft 2020-12, format checking on; `$ref`s resolved locally, no network)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "hsds_schema"


@cache
def registry() -> Registry:
    """Every entity schema, keyed by its file name (the form of the `$ref`s)."""
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def validator(entity: str = "service") -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{entity}.json"},
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def errors(instance: Any, entity: str = "service") -> list[str]:
    """Readable errors ("path: reason"), empty when `instance` is valid."""
    found = sorted(validator(entity).iter_errors(instance), key=lambda e: list(e.path))
    return [f"{'/'.join(str(p) for p in e.path) or '(root)'}: {e.message}" for e in found]
