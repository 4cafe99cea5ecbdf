"""German name order in the database: `ORDER BY name COLLATE kette_german`.

Both databases compare text byte by byte by default (SQLite always; PostgreSQL
in the "C" and "C.UTF-8" locales these machines and many containers run), which
puts "Übach-Palenberg" after "Zülpich" and "Höhenberg" after "Holweide". The
collation `kette_german` sorts as German phone books do (DIN 5007-2: ä as ae,
ö as oe, ü as ue, ß as ss, case ignored):

- SQLite: registered on every connection (`register`, called when Django
  opens one) as a Python comparison of `core.text.sort_key`, the key the
  guide's offers are sorted by, ties broken by the text itself;
- PostgreSQL: created by core's migration 0004 from ICU's German phone-book
  order (`de-u-co-phonebk`), or, where the server lacks ICU, from the "C"
  collation (byte order, as before; noted in docs/architecture.md).

`german("name")` orders a query by a name in that collation. The small tables
(programmes, municipalities, sectors, people, bodies) list it in
`Meta.ordering`; organisations and places, read in bulk behind prefetches and
imports, get it only from the selectors that list them. Offers have a stored
key of their own (`Service.sort_name`), which the guide's large result lists
need.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models.functions import Collate

from kette.core.text import sort_key

GERMAN = "kette_german"


def german(expression: str) -> Collate:
    """`expression` (a field name or path) compared in German name order."""
    return Collate(expression, GERMAN)


@functools.lru_cache(maxsize=16384)
def _key(text: str) -> tuple[str, str]:
    return sort_key(text), text


def compare(left: str, right: str) -> int:
    """SQLite's comparison for `kette_german`: negative, zero or positive."""
    a, b = _key(left), _key(right)
    return (a > b) - (a < b)


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(GERMAN, compare)


def register() -> None:
    """Give every SQLite connection Django opens the collation (once)."""
    connection_created.connect(_on_connection, dispatch_uid="kette-german-collation")
