"""HSDS import throughput on SQLite (DESIGN §6: ≥ 5,000 services/s).

    .venv/bin/python bench/hsds_import.py [--services 1000] [--db PATH] [--reuse]

Takes `--services` offers of the generated directory of `bench/search_sqlite.py`
(same generator and file; the imports run on a copy of it, removed afterwards,
so the file stays as the search benchmark expects it), exports them as HSDS
JSON, gives every object a new id (so they are new offers) and imports them into
a second municipality with `hsds_import.import_services` (creating), then again
(re-import: nothing changed, so nothing is written), then with every offer's
description changed (updating: every offer written again). Prints services per
second for each and, as the baseline, a bare `bulk_create` of the same number of
`Service` rows (before the imports, rolled back, the median of three). The
import validates every object against the official schema and every row as
`audited_save` would, and writes one history record per row, as every write in
kette does.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from search_sqlite import _setup, generate  # noqa: E402


def renumber(value: Any, mapping: dict[str, str]) -> Any:
    """`value` with every UUID string replaced, consistently, by a new one."""
    if isinstance(value, dict):
        return {k: renumber(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [renumber(v, mapping) for v in value]
    if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
        return mapping.setdefault(value, str(uuid.uuid4()))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "kette-bench-search.sqlite3"
    )
    parser.add_argument("--reuse", action="store_true", help="use an existing generated file")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    fresh = not (args.reuse and args.db.exists())
    _setup(args.db, fresh)
    if fresh:
        generate(args.rows)
    from django.db import connection

    # The imports run on a copy: the generated file stays as `search_sqlite.py`
    # expects it (one municipality), and every run starts from the same rows.
    connection.close()
    work = args.db.with_name(f"{args.db.stem}-import-copy{args.db.suffix}")
    for suffix in ("", "-wal"):
        if Path(f"{args.db}{suffix}").exists():
            shutil.copyfile(f"{args.db}{suffix}", f"{work}{suffix}")
    connection.settings_dict["NAME"] = str(work)  # the next query opens the copy
    try:
        run(args.services)
    finally:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)


def run(count: int) -> None:
    from django.db import transaction

    from kette.core.models import Municipality
    from kette.directory import hsds, hsds_import
    from kette.directory.models import Organization, Service

    koeln = Municipality.objects.get(slug="koeln")
    exported = []
    for start in range(0, count, 1000):  # SQLite limits the prefetches' size
        queryset = hsds.export_queryset(koeln)[start : min(start + 1000, count)]
        exported += [hsds.service_to_hsds(s) for s in queryset]
    objects = renumber(exported, {})
    target, _ = Municipality.objects.get_or_create(
        slug="bench-import",
        defaults={
            "programme": koeln.programme,
            "name": "Importstadt",
            "kind": koeln.kind,
            "official_key": "05999999",
        },
    )
    # every offer's description changed: each offer is written again
    edited = [{**obj, "description": f"{obj.get('description', '')} (geändert)"} for obj in objects]
    # The baseline first, on the file as generated (after the imports it read
    # anywhere between 6,700 and 12,600 rows/s on one machine within an hour),
    # rolled back, the median of three.
    timings = []
    for _ in range(3):
        with transaction.atomic():
            organization = Organization.objects.create(municipality=target, name="Basis")
            started = time.perf_counter()
            Service.objects.bulk_create(
                Service(municipality=target, organization=organization, name=f"x{i}")
                for i in range(len(objects))
            )
            timings.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    baseline = statistics.median(timings)
    results = []
    for label, data, expected in (
        ("create", objects, "created"),
        ("re-import", objects, "unchanged"),
        ("update", edited, "updated"),
    ):
        started = time.perf_counter()
        report = hsds_import.import_services(target, data)
        seconds = time.perf_counter() - started
        assert report.ok, report.problems[:3]
        assert getattr(report, expected) == len(objects), report
        results.append((label, seconds))
    print(f"HSDS import of {len(objects)} services (SQLite)")
    for label, seconds in results:
        print(f"  {label:<9} {seconds:8.2f} s  {len(objects) / seconds:8.0f} services/s")
    print(
        f"  baseline bulk_create of the bare rows: {len(objects) / baseline:8.0f} rows/s"
        " (median of 3, before the imports)"
    )
    for label, seconds in results:
        print(f"  {label} takes {seconds / baseline:.1f}× the bare bulk_create")
    print("  (target DESIGN §6: ≥ 5,000 services/s)")


if __name__ == "__main__":
    main()
