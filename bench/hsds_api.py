"""The public HSDS API (/api/hsds/) with 100,000 generated offers on SQLite.

    .venv/bin/python bench/hsds_api.py [--rows 100000] [--db PATH] [--reuse]

Uses the offers of `bench/search_sqlite.py` (same generator, same file; pass
`--reuse` to use a file that benchmark already generated). Prints, for typical
list requests, the API's server time (Django test client, JSON rendered) beside
the floor: the bare SQL the page cannot do without, a COUNT and one
`ORDER BY name, id LIMIT 50 OFFSET …` over the same rows (for search: the bare
FTS5 match). DESIGN §6 sets no separate figure for the HSDS API; the target
applied is the search's: ratio ≤ 1.5 for list pages; full services (with every
detail prefetched) are reported on their own.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from common import measure, side_by_side  # noqa: E402
from search_sqlite import _setup, generate  # noqa: E402

PAGE_SQL = (
    "SELECT * FROM directory_service WHERE municipality_id = %s AND status = 'published' "
    "ORDER BY name, id LIMIT 50 OFFSET %s"
)
COUNT_SQL = (
    "SELECT COUNT(*) FROM directory_service WHERE municipality_id = %s AND status = 'published'"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "kette-bench-search.sqlite3"
    )
    parser.add_argument("--reuse", action="store_true", help="use an existing generated file")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    fresh = not (args.reuse and args.db.exists())
    _setup(args.db, fresh)
    if fresh:
        generate(args.rows)
    from django.db import connection
    from django.test import Client

    from kette.core.models import Municipality
    from kette.directory import search
    from kette.directory.models import Service, ServiceTerm, TaxonomyTerm

    koeln = Municipality.objects.get(slug="koeln")
    client = Client()
    term = TaxonomyTerm.objects.filter(taxonomy__slug="handlungsfelder").first()
    if not ServiceTerm.objects.filter(term=term).exists():
        # The search generator keeps fields of action in the facets only: link
        # every 7th offer to the term for the taxonomy_term_id case.
        ids = Service.objects.filter(municipality=koeln).values_list("pk", flat=True)
        ServiceTerm.objects.bulk_create(
            ServiceTerm(municipality=koeln, service_id=pk, term=term) for pk in ids[::7]
        )

    def api(params: str):
        def call() -> None:
            response = client.get(f"/api/hsds/services?municipality=koeln&{params}")
            assert response.status_code == 200, response.content[:200]
            response.json()

        return call

    def floor(offset: int, sql: str = PAGE_SQL, extra: list | None = None, count=COUNT_SQL):
        def call() -> None:
            with connection.cursor() as cursor:
                cursor.execute(count, [koeln.pk, *(extra or [])])
                cursor.fetchone()
                cursor.execute(sql, [koeln.pk, *(extra or []), offset])
                cursor.fetchall()

        return call

    def fts(query: str):
        sql, params = search.matching_ids_sql(query=query, municipality=koeln)

        def call() -> None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM ({sql})", params)
                cursor.fetchone()
                cursor.execute(
                    "SELECT * FROM directory_service WHERE id IN "
                    f"({sql}) ORDER BY name, id LIMIT 50",
                    params,
                )
                cursor.fetchall()

        return call

    term_condition = " AND id IN (SELECT service_id FROM directory_serviceterm WHERE term_id = %s)"
    term_sql = (
        "SELECT * FROM directory_service WHERE municipality_id = %s AND status = 'published' "
        "AND id IN (SELECT service_id FROM directory_serviceterm WHERE term_id = %s) "
        "ORDER BY name, id LIMIT 50 OFFSET %s"
    )
    ages = (
        " AND (max_age_months IS NULL OR max_age_months > 36)"
        " AND (min_age_months IS NULL OR min_age_months < 72)"
    )
    age_count = COUNT_SQL + ages
    age_sql = PAGE_SQL.replace(" ORDER BY", ages + " ORDER BY")
    cases = [
        ("page 1 (list form)", api("page=1"), floor(0)),
        ("page 1000 (list form)", api("page=1000"), floor(49_950)),
        ("search 'beratung'", api("search=beratung"), fts("beratung")),
        ("search 'familie' (broad)", api("search=familie"), fts("familie")),
        (
            "taxonomy_term_id",
            api(f"taxonomy_term_id={term.id_hsds}"),
            floor(0, term_sql, [term.pk], COUNT_SQL + term_condition),
        ),
        (
            "minimum_age=3&maximum_age=6",
            api("minimum_age=3&maximum_age=6"),
            floor(0, age_sql, [], age_count),
        ),
    ]
    rows = []
    for label, ours, base in cases:
        rows.append(
            (
                measure(label, ours, repeat=args.repeat),
                measure(label, base, repeat=args.repeat),
            )
        )
    print(
        side_by_side(
            f"HSDS API /api/hsds/services, {args.rows:,} offers, SQLite (50 per page)",
            rows,
            target=1.5,
        )
    )
    full = measure("page 1, 50 full services", api("page=1&full_service=true"), repeat=args.repeat)
    print(
        f"\n{full.label}: median {full.median:.1f} ms, p95 {full.p95:.1f} ms "
        "(every detail prefetched; no bare-SQL floor)"
    )


if __name__ == "__main__":
    main()
