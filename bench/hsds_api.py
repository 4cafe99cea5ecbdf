"""The public HSDS API (/api/hsds/) with 100,000 generated offers on SQLite.

    .venv/bin/python bench/hsds_api.py [--rows 100000] [--db PATH] [--reuse] [--no-http]

Uses the offers of `bench/search_sqlite.py` (same generator, same file; pass
`--reuse` to use a file that benchmark already generated). For typical list
requests (50 offers a page) it prints three tables, each beside its baseline:

1. the selector, `hsds_queries.services_page` with the page rendered to JSON,
   beside the floor: the bare SQL the page cannot do without, a COUNT and one
   `ORDER BY name, id LIMIT 50 OFFSET …` over the same rows (for search: the
   bare FTS5 match). Target ≤ 1.5×, DESIGN §6's for the search selector
   (DESIGN §6 sets no separate figure for the HSDS API).
2. the whole request through kette's WSGI application, as a server calls it
   (middleware, parameter parsing, the response closed at the end), beside the
   same floor: no target, for where the time goes.
3. over HTTP, kette under gunicorn (one worker) beside Datasette's JSON for the
   same rows (filtered, sorted by name, 50 rows, as it comes: with its count and
   facet suggestions). Target: kette at least 2× faster (ratio ≤ 0.5), DESIGN
   §6's for search over HTTP. Needs `pip install -r bench/requirements.txt`.

Full services (with every detail prefetched) are reported on their own.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from common import measure, measure_alternating, side_by_side  # noqa: E402
from search_sqlite import (  # noqa: E402
    _getter,
    _setup,
    datasette_command,
    fts_expression,
    generate,
    serve_both,
)

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
    parser.add_argument("--no-http", action="store_true", help="skip the comparison over HTTP")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    fresh = not (args.reuse and args.db.exists())
    _setup(args.db, fresh)
    if fresh:
        generate(args.rows)
    import io

    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from kette.core.models import Municipality
    from kette.directory import search
    from kette.directory.api import _json
    from kette.directory.hsds_queries import ServiceFilters, scope_for, services_page
    from kette.directory.models import Service, ServiceTerm, TaxonomyTerm

    koeln = Municipality.objects.get(slug="koeln")
    term = TaxonomyTerm.objects.filter(taxonomy__slug="handlungsfelder").first()
    if not ServiceTerm.objects.filter(term=term).exists():
        # The search generator keeps fields of action in the facets only: link
        # every 7th offer to the term for the taxonomy_term_id case.
        ids = Service.objects.filter(municipality=koeln).values_list("pk", flat=True)
        ServiceTerm.objects.bulk_create(
            ServiceTerm(municipality=koeln, service_id=pk, term=term) for pk in ids[::7]
        )
    application = get_wsgi_application()

    def request(params: str):
        """One GET through the WSGI application, as a WSGI server makes it."""

        def call() -> None:
            started: list[str] = []
            environ = {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": "/api/hsds/services",
                "QUERY_STRING": f"municipality=koeln&{params}",
                "SERVER_NAME": "localhost",
                "SERVER_PORT": "80",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "HTTP_HOST": "localhost",
                "wsgi.url_scheme": "http",
                "wsgi.input": io.BytesIO(b""),
                "wsgi.errors": sys.stderr,
            }
            response = application(environ, lambda status, headers: started.append(status))
            body = b"".join(response)
            response.close()  # a server does: Django's request_finished
            assert started[0].startswith("200"), body[:200]

        return call

    scope = scope_for(koeln)

    def selector(filters: ServiceFilters, page: int = 1):
        def call() -> None:
            _json(services_page(scope, filters, page=page, per_page=50, full=False))

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
    # label, API parameters, selector filters and page, floor, Datasette's
    # parameters for the same rows (None: no equivalent; Datasette pages by key)
    published = {"municipality_id": str(koeln.pk), "status": "published", "_sort": "name"}
    cases = [
        ("page 1 (list form)", "page=1", ServiceFilters(), 1, floor(0), published),
        ("page 1000 (list form)", "page=1000", ServiceFilters(), 1000, floor(49_950), None),
        (
            "search 'beratung'",
            "search=beratung",
            ServiceFilters(search="beratung"),
            1,
            fts("beratung"),
            {**published, "_search": fts_expression("beratung"), "_searchmode": "raw"},
        ),
        (
            "search 'familie' (broad)",
            "search=familie",
            ServiceFilters(search="familie"),
            1,
            fts("familie"),
            {**published, "_search": fts_expression("familie"), "_searchmode": "raw"},
        ),
        (
            "taxonomy_term_id",
            f"taxonomy_term_id={term.id_hsds}",
            ServiceFilters(taxonomy_term_id=str(term.id_hsds)),
            1,
            floor(0, term_sql, [term.pk], COUNT_SQL + term_condition),
            {
                **published,
                "_where": "id IN (SELECT service_id FROM directory_serviceterm "
                f"WHERE term_id = {term.pk})",
            },
        ),
        (
            "minimum_age=3&maximum_age=6",
            "minimum_age=3&maximum_age=6",
            ServiceFilters(minimum_age=3, maximum_age=6),
            1,
            floor(0, age_sql, [], age_count),
            {**published, "_where": ages.removeprefix(" AND ")},
        ),
    ]
    selector_rows, request_rows = [], []
    for label, params, filters, page, base, _ in cases:
        ours, through, bare = measure_alternating(
            [
                (label, selector(filters, page)),
                (label, request(params)),
                (label, base),
            ],
            repeat=args.repeat,
        )
        selector_rows.append((ours, bare))
        request_rows.append((through, bare))
    title = f"{args.rows:,} offers, SQLite, 50 per page"
    print(
        side_by_side(
            f"HSDS services selector (rendered to JSON) vs bare SQL, {title}",
            selector_rows,
            target=1.5,
        )
    )
    print()
    print(side_by_side(f"whole request (WSGI application) vs bare SQL, {title}", request_rows))
    full = measure(
        "page 1, 50 full services", request("page=1&full_service=true"), repeat=args.repeat
    )
    print(
        f"\n{full.label}: median {full.median:.1f} ms, p95 {full.p95:.1f} ms "
        "(every detail prefetched; no bare-SQL floor)"
    )
    if not args.no_http:
        bench_http(args.db, cases, args.repeat)


def bench_http(db: Path, cases: list, repeat: int) -> None:
    datasette = datasette_command()
    if datasette is None:
        return
    kette, ds = serve_both(db, datasette, "/api/hsds/services?municipality=koeln")
    try:
        rows = []
        for label, params, _filters, _page, _floor, ds_params in cases:
            if ds_params is None:
                continue
            ds_path = f"/{db.stem}/directory_service.json?" + urllib.parse.urlencode(
                {**ds_params, "_size": "50", "_shape": "objects"}
            )
            ours, base = measure_alternating(
                [
                    (label, _getter(kette.port, f"/api/hsds/services?municipality=koeln&{params}")),
                    (label, _getter(ds.port, ds_path)),
                ],
                repeat=repeat,
            )
            rows.append((ours, base))
        print()
        print(
            side_by_side(
                "over HTTP: kette (gunicorn, 1 worker) vs Datasette's JSON for the same rows "
                "(as it comes: count and facet suggestions)",
                rows,
                target=0.5,
            )
        )
    finally:
        kette.stop()
        ds.stop()


if __name__ == "__main__":
    main()
