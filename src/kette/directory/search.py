# ruff: noqa: S608  (SQL is assembled from module constants; values go as parameters)
"""Full-text search of offers with the same semantics on SQLite and PostgreSQL.

Design
------
German-aware matching happens in Python, once, for documents and queries alike:
text is folded (`fold_german`: lower case, ä→ae, ß→ss; other diacritics
dropped), split into words, German stop words are dropped, and every word is
reduced by the Snowball German stemmer (which also maps ae/oe/ue back to the
plain vowel, so "Mütter", "Muetter" and "mutter" all become "mutt"). The
services store the resulting tokens on each offer in two columns:
`search_name` (name and alternate name) and `search_body` (description,
provider, fields of action, locations, eligibility).

The databases only match tokens they are given, so both see exactly the same
vocabulary:

- SQLite: an FTS5 external-content table `directory_service_fts` over those two
  columns, kept in sync by triggers (created in a migration and restored after
  every `migrate`, since Django's SQLite schema editor drops triggers when it
  rebuilds a table). Ranking: `bm25(fts, 10, 1)`.
- PostgreSQL: a stored generated `tsvector` column `search_vector` with a GIN
  index, built with the `simple` configuration (no stemming, no stop words) from
  the pre-processed tokens, name with weight A and body with weight D. Ranking:
  `ts_rank` with the default weights (A = 1.0, D = 0.1), i.e. name 10× body as
  on SQLite. The `german` configuration is deliberately not used: it would stem
  our stems again and apply its own stop list, so PostgreSQL would match
  differently from FTS5.

Every query word is matched as a prefix of a token once its stem has at least
`MIN_PREFIX` letters ("Beratung" → `berat*` finds "Beratungsstelle"); shorter
words must match whole. Words of a query are combined with AND; a quoted
phrase (or a hyphenated word) must appear as adjacent tokens.

Filters and facet counts read the denormalised `ServiceFacet` keys of each
offer with indexed lookups and one GROUP BY, all in SQL; the page of results,
its rank and the total come from a single statement (window count). No result
set is filtered in Python.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import snowballstemmer
from django.db import connections

from kette.core.models import Municipality, Programme
from kette.core.text import fold_german

FTS_TABLE = "directory_service_fts"
MIN_PREFIX = 3
NAME_WEIGHT = 10.0
BODY_WEIGHT = 1.0
MAX_PER_PAGE = 100

# A short German stop list (folded): words that carry no meaning in a search for
# offers. Dropped from documents and queries alike.
STOP_WORDS = frozenset(
    fold_german(word)
    for word in [
        "aber",
        "alle",
        "als",
        "am",
        "an",
        "auch",
        "auf",
        "aus",
        "bei",
        "bin",
        "bis",
        "da",
        "das",
        "dass",
        "dem",
        "den",
        "der",
        "des",
        "die",
        "doch",
        "du",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "er",
        "es",
        "für",
        "hat",
        "ich",
        "ihr",
        "im",
        "in",
        "ist",
        "ja",
        "kann",
        "mit",
        "nach",
        "nicht",
        "noch",
        "nur",
        "oder",
        "sich",
        "sie",
        "sind",
        "so",
        "über",
        "um",
        "und",
        "uns",
        "von",
        "vor",
        "war",
        "was",
        "wie",
        "wir",
        "zu",
        "zum",
        "zur",
    ]
)

_WORD = re.compile(r"[^\W_]+")
_QUERY_PART = re.compile(r'"([^"]*)"?|([^\s"]+)')
_stemmer = snowballstemmer.stemmer("german")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ı", "i")


def tokens(text: str) -> list[str]:
    """The search tokens of a text: folded, without stop words, stemmed."""
    folded = _strip_marks(fold_german(text or ""))
    return [_stemmer.stemWord(word) for word in _WORD.findall(folded) if word not in STOP_WORDS]


def document_text(*parts: str | None) -> str:
    """The token string stored for the index (space-separated tokens)."""
    return " ".join(token for part in parts if part for token in tokens(part))


@dataclass(frozen=True)
class QueryTerm:
    """One word, or a phrase of several adjacent words, of a search query."""

    tokens: tuple[str, ...]

    def _prefix(self, token: str) -> bool:
        return len(token) >= MIN_PREFIX

    def fts5(self) -> str:
        return " + ".join(f'"{t}"' + ("*" if self._prefix(t) else "") for t in self.tokens)

    def tsquery(self) -> str:
        parts = [f"'{t}'" + (":*" if self._prefix(t) else "") for t in self.tokens]
        return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"


def parse_query(text: str) -> list[QueryTerm]:
    """Split a query into terms: quoted phrases and hyphenated words become phrases,
    everything else single words. Stop words and punctuation vanish; a query of
    nothing but those has no terms (and then matches every offer)."""
    terms: list[QueryTerm] = []
    for match in _QUERY_PART.finditer(text or ""):
        phrase, word = match.groups()
        found = tuple(tokens(phrase if phrase is not None else word))
        if found and QueryTerm(found) not in terms:
            terms.append(QueryTerm(found))
    return terms


# ---------------------------------------------------------------------------
# Index DDL (SQLite); PostgreSQL's column and index are created in a migration.
# ---------------------------------------------------------------------------

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_name, search_body, content='directory_service', content_rowid='id')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON directory_service BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_name, search_body) "
    "VALUES (new.id, new.search_name, new.search_body); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON directory_service BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_name, search_body) "
    "VALUES ('delete', old.id, old.search_name, old.search_body); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF search_name, search_body "
    "ON directory_service BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_name, search_body) "
    "VALUES ('delete', old.id, old.search_name, old.search_body); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_name, search_body) "
    "VALUES (new.id, new.search_name, new.search_body); END",
]
_TRIGGERS = {f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au"}


def ensure_index(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: on SQLite, recreate the FTS table and its triggers when a table
    rebuild dropped them, and rebuild the index from the offers in that case."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, type FROM sqlite_master WHERE name = 'directory_service' "
            f"OR name = '{FTS_TABLE}' OR type = 'trigger'"
        )
        present = {name for name, _ in cursor.fetchall()}
        if "directory_service" not in present:
            return  # not migrated (yet)
        if FTS_TABLE in present and present >= _TRIGGERS:
            return
        for statement in SQLITE_CREATE:
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


# ---------------------------------------------------------------------------
# The search selector
# ---------------------------------------------------------------------------

# Prefix of a ServiceFacet key -> name of the facet in results.
FACETS = {
    "lp": "life_phase",
    "fa": "field_of_action",
    "d": "district",
    "la": "language",
    "ac": "accessibility",
    "wd": "weekday",
    "free": "free_of_charge",
}


def facet_key(dimension: str, value: Any = None) -> str:
    """The ServiceFacet key of a filter value: facet_key("fa", "bildung") == "fa:bildung"."""
    return dimension if value is None else f"{dimension}:{value}"


@dataclass
class SearchResult:
    services: list[Any]
    total: int
    page: int
    per_page: int
    terms: list[QueryTerm]
    # facet name -> value -> number of matching offers with that value
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _age_band(age_years: int | Decimal | float | str) -> tuple[int, int]:
    """Half-open month interval of a child's age: whole years mean the whole year
    ("3" = 36 up to 48 months), fractions the month ("1.5" = 18 months)."""
    value = Decimal(str(age_years).replace(",", "."))
    if value == value.to_integral_value():
        start = int(value) * 12
        return start, start + 12
    start = int((value * 12).to_integral_value())
    return start, start + 1


def search_services(
    *,
    query: str = "",
    municipality: Municipality | None = None,
    programme: Programme | None = None,
    statuses: Sequence[str] = ("published",),
    age_years: int | Decimal | float | str | None = None,
    life_phase: str | None = None,
    field_of_action: str | None = None,
    district: int | None = None,
    language: str | None = None,
    free_of_charge: bool = False,
    accessibility: Iterable[str] = (),
    weekday: int | None = None,
    page: int = 1,
    per_page: int = 20,
    with_facets: bool = True,
) -> SearchResult:
    """Offers matching `query` and the filters, best first (by name without a
    query), one page of them, the total and (with `with_facets`) per filter value
    the number of matching offers that have it.

    Scope: one municipality, or every municipality of `programme`, or all.
    Filters combine with AND; `accessibility` requires every listed feature.
    `life_phase`, `field_of_action` and `accessibility` take codes, `district` a
    District id, `language` an ISO 639 code, `weekday` 1 (Monday) to 7.
    Only offers with a status in `statuses` are found (published by default).
    """
    from kette.directory.models import Service

    connection = connections[Service.objects.db]
    terms = parse_query(query)
    page = max(1, int(page))
    per_page = min(MAX_PER_PAGE, max(1, int(per_page)))

    where: list[str] = []
    params: list[Any] = []
    statuses = list(statuses)
    where.append("s.status IN (" + ", ".join(["%s"] * len(statuses)) + ")")
    params.extend(statuses)
    if municipality is not None:
        where.append("s.municipality_id = %s")
        params.append(municipality.pk)
    elif programme is not None:
        where.append(
            "s.municipality_id IN (SELECT id FROM core_municipality WHERE programme_id = %s)"
        )
        params.append(programme.pk)
    if age_years not in (None, ""):
        start, end = _age_band(age_years)  # type: ignore[arg-type]
        where.append(
            "(s.min_age_months IS NULL OR s.min_age_months < %s) "
            "AND (s.max_age_months IS NULL OR s.max_age_months > %s)"
        )
        params.extend([end, start])
    keys = []
    if life_phase:
        keys.append(facet_key("lp", life_phase))
    if field_of_action:
        keys.append(facet_key("fa", field_of_action))
    if district is not None:
        keys.append(facet_key("d", int(district)))
    if language:
        keys.append(facet_key("la", language))
    if free_of_charge:
        keys.append(facet_key("free"))
    keys.extend(facet_key("ac", code) for code in accessibility)
    if weekday is not None:
        keys.append(facet_key("wd", int(weekday)))
    for key in keys:
        where.append("s.id IN (SELECT f.service_id FROM directory_servicefacet f WHERE f.key = %s)")
        params.append(key)

    select_params: list[Any] = []
    if terms and connection.vendor == "sqlite":
        expression = " AND ".join(term.fts5() for term in terms)
        # CROSS JOIN makes SQLite scan the FTS table first, where bm25() works.
        source = f"{FTS_TABLE} CROSS JOIN directory_service s ON s.id = {FTS_TABLE}.rowid"
        where.insert(0, f"{FTS_TABLE} MATCH %s")
        params.insert(0, expression)
        rank = f"bm25({FTS_TABLE}, {NAME_WEIGHT}, {BODY_WEIGHT})"
        order = "rank, name, id"
    elif terms:
        expression = " & ".join(term.tsquery() for term in terms)
        source = "directory_service s"
        where.insert(0, "s.search_vector @@ to_tsquery('simple', %s)")
        params.insert(0, expression)
        rank = "-ts_rank(s.search_vector, to_tsquery('simple', %s))"
        select_params.append(expression)
        order = "rank, name, id"
    else:
        source = "directory_service s"
        rank = "0"
        order = "name, id"
    condition = " AND ".join(where)

    with connection.cursor() as cursor:
        cursor.execute(
            # The window count sits outside the ranked subquery: FTS5 cannot
            # evaluate bm25() in a query that also computes a window function.
            "SELECT id, rank, COUNT(*) OVER () AS total FROM "
            f"(SELECT s.id AS id, {rank} AS rank, s.name AS name FROM {source} "
            f"WHERE {condition}) hits ORDER BY {order} LIMIT %s OFFSET %s",
            [*select_params, *params, per_page, (page - 1) * per_page],
        )
        rows = cursor.fetchall()
        if rows:
            total = int(rows[0][2])
        else:
            cursor.execute(f"SELECT COUNT(*) FROM {source} WHERE {condition}", params)
            total = int(cursor.fetchone()[0])
        facets: dict[str, dict[str, int]] = {}
        if with_facets and total:
            cursor.execute(
                "SELECT f.key, COUNT(*) FROM directory_servicefacet f WHERE f.service_id IN "
                f"(SELECT s.id FROM {source} WHERE {condition}) GROUP BY f.key",
                params,
            )
            for key, count in cursor.fetchall():
                prefix, _, value = key.partition(":")
                name = FACETS.get(prefix)
                if name is not None:
                    facets.setdefault(name, {})[value or "true"] = int(count)

    ids = [row[0] for row in rows]
    by_id = Service.objects.select_related("organization").in_bulk(ids)
    services = []
    for service_id, rank_value, _ in rows:
        service = by_id[service_id]
        service.search_rank = rank_value
        services.append(service)
    return SearchResult(
        services=services,
        total=total,
        page=page,
        per_page=per_page,
        terms=terms,
        facets=facets,
    )
