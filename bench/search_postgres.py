"""Full-text search of 1,000,000 generated offers on PostgreSQL (DESIGN §6).

    .venv/bin/python bench/search_postgres.py [--rows 1000000] [--server URL]
        [--database kette_bench_search] [--reuse] [--repeat 20]

Generates the offers of `bench/search_sqlite.py` (same generator, same search
documents and filter tokens as the directory's services write them) into a
fresh PostgreSQL database on `--server` (default
postgres://postgres@127.0.0.1:5432, the database is dropped and created unless
`--reuse`), so the `tsvector` column and its GIN index are the real ones. Then,
for the same typical queries, prints `search_services` beside a bare ranked
query with the same words (the floor; target ratio ≤ 1.5):

    SELECT id FROM directory_service WHERE search_vector @@ to_tsquery('simple', q)
    ORDER BY ts_rank(search_vector, to_tsquery('simple', q)) DESC LIMIT 20

once with facet counts and once without. The broad prefix that matches every
row is reported separately, as are the filter-only queries, whose baseline is
a bare indexed facet lookup. Last, the first search after an edited offer
beside a rebuild of the facet index. Generating a million offers takes a while (about
20 minutes on a 2-core machine); `--reuse` measures an existing database again.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from search_sqlite import ENV, bench_facet_refresh, compare_cases, generate  # noqa: E402


def _setup(server: str, database: str, fresh: bool) -> None:
    import psycopg

    if fresh:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
            admin.execute(f'CREATE DATABASE "{database}"')
    os.environ.update(ENV)
    os.environ["DATABASE_URL"] = f"{server}/{database}"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # also brings a reused database up to date


def _tsquery(query: str) -> str:
    from kette.directory.search import parse_query

    return " & ".join(term.tsquery() for term in parse_query(query))


def bench(koeln, repeat: int) -> None:
    from django.db import connection

    def floor(query: str):
        expression = _tsquery(query)

        def run():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM directory_service "
                    "WHERE search_vector @@ to_tsquery('simple', %s) "
                    "ORDER BY ts_rank(search_vector, to_tsquery('simple', %s)) DESC LIMIT 20",
                    [expression, expression],
                )
                return cursor.fetchall()

        return run

    def floor_count(query: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM directory_service "
                "WHERE search_vector @@ to_tsquery('simple', %s)",
                [_tsquery(query)],
            )
            return cursor.fetchone()[0]

    compare_cases(
        koeln,
        repeat,
        floor=floor,
        floor_count=floor_count,
        floor_name="bare ranked tsvector @@ tsquery LIMIT 20",
    )
    print()
    bench_facet_refresh(koeln, min(repeat, 7))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="kette_bench_search")
    parser.add_argument("--reuse", action="store_true", help="use the existing database")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    _setup(args.server, args.database, fresh=not args.reuse)
    if not args.reuse:
        started = time.perf_counter()
        generate(args.rows)
        print(f"(PostgreSQL, {time.perf_counter() - started:.0f} s including ANALYZE)")
    from kette.core.models import Municipality

    bench(Municipality.objects.get(slug="koeln"), args.repeat)


if __name__ == "__main__":
    main()
