"""Offer import (CSV template) at scale on SQLite (DESIGN §6: 100,000 rows ≤ 60 s).

    .venv/bin/python bench/offer_import.py [--rows 100000] [--format csv|xlsx] [--db PATH]

Writes a CSV or XLSX file of `--rows` generated offers in kette's template
(German headers; CSV in UTF-8; every row with a provider, address, coordinates, ages, fields
of action, languages, accessibility features, a phone number and a date of
last verification) and imports it into a new municipality of a fresh database
the way `kette import_offers` does: read, check every row, then write
(created), and once more (every row matched, nothing changed). Every written
row gets its history record and search document, as every write in kette does.

The baseline, measured in the same run, is a bare `bulk_create` of the same
number of `Service` and `Location` rows without validation, history, links or
search documents: the floor of writing that many offers through the ORM.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

ENV = {
    "DJANGO_SETTINGS_MODULE": "kette.settings",
    "SECRET_KEY": "bench",
    "DEBUG": "false",
    # 100,000 rows are a 43 MB file, beyond the upload limit's default of 20 MB.
    "KETTE_IMPORT_MAX_BYTES": str(1024**3),
}
WORDS = [
    "Familien",
    "Beratung",
    "Eltern",
    "Kinder",
    "Café",
    "Treff",
    "Hilfe",
    "Sprach",
    "Förderung",
    "Bewegung",
    "Spiel",
    "Musik",
    "Lern",
    "Jugend",
    "Mütter",
    "Väter",
    "Baby",
    "Kita",
    "Schul",
    "Übergang",
    "Ferien",
    "Sport",
    "Garten",
]


def generate_csv(path: Path, rows: int, terms: list[str], features: list[str]) -> None:
    from kette.directory.tabular import HEADERS

    rng = random.Random(20261125)
    organizations = [f"Träger {rng.choice(WORDS)} {i}" for i in range(max(1, rows // 20))]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for header in HEADERS if header != "HSDS-ID"])
        for i in range(rows):
            low = rng.randint(0, 14)
            writer.writerow(
                [
                    f"{rng.choice(WORDS)}{rng.choice(WORDS).lower()} {i}",
                    " ".join(rng.choices(WORDS, k=25)),
                    rng.choice(organizations),
                    f"{rng.choice(WORDS)}straße",
                    str(rng.randint(1, 200)),
                    str(rng.randint(50667, 51149)),
                    "Köln",
                    f"{rng.uniform(50.85, 51.05):.6f}",
                    f"{rng.uniform(6.8, 7.1):.6f}",
                    str(low),
                    str(low + rng.randint(1, 12)),
                    ", ".join(rng.sample(terms, 2)),
                    "Deutsch, Türkisch" if i % 3 else "Deutsch",
                    "ja" if i % 2 else "nein",
                    "" if i % 2 else "5 € im Monat",
                    rng.choice(features),
                    f"0221 {rng.randint(100000, 999999)}",
                    f"info{i}@example.org",
                    f"https://example.org/{i}",
                    "veröffentlicht",
                    "01.03.2026",
                ]
            )


def csv_to_xlsx(source: Path, target: Path) -> None:
    """The same rows as an Excel workbook: one sheet "Angebote", every cell
    text, written as inline strings (openpyxl's write-only mode)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Angebote")
    with source.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    workbook.save(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "kette-bench-import.sqlite3"
    )
    args = parser.parse_args()
    os.environ.update(ENV)
    os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from kette.core.models import Municipality, Programme
    from kette.directory import selectors, services, tabular
    from kette.directory.models import Location, Organization, Service

    call_command("migrate", verbosity=0)
    services.taxonomy_ensure_defaults()
    programme = Programme.objects.create(name="Benchmark-Programm", slug="bench")
    town = Municipality.objects.create(
        programme=programme, name="Köln", slug="koeln", kind="kreisfreie_stadt"
    )
    services.life_phases_ensure_defaults(town)
    terms = [term.name for term in selectors.fields_of_action(town)]
    features = [term.name for term in selectors.accessibility_features(town)]
    path = args.db.with_suffix(".csv")
    generate_csv(path, args.rows, terms, features)
    if args.format == "xlsx":
        path, source = path.with_suffix(".xlsx"), path
        csv_to_xlsx(source, path)
        source.unlink()
    size = path.stat().st_size / 1e6
    print(f"Offer import of {args.rows:,} rows ({size:.1f} MB {args.format.upper()}, SQLite)")

    results = []
    for label in ("create", "re-import"):
        started = time.perf_counter()
        table = tabular.read_table(path.read_bytes(), path.name)
        plan = tabular.prepare_import(town, table)
        checked = time.perf_counter() - started
        assert not plan.problems, plan.problems[:3]
        summary = tabular.run_import(plan, actor=None)
        seconds = time.perf_counter() - started
        results.append((label, checked, seconds, summary))
    assert results[0][3].created == args.rows, results[0][3]
    assert results[1][3].unchanged == args.rows, results[1][3]

    organization = Organization.objects.filter(municipality=town).first()
    started = time.perf_counter()
    with transaction.atomic():
        Service.objects.bulk_create(
            (
                Service(municipality=town, organization=organization, name=f"x{i}")
                for i in range(args.rows)
            ),
            batch_size=1000,
        )
        Location.objects.bulk_create(
            (Location(municipality=town, address_1=f"x {i}") for i in range(args.rows)),
            batch_size=1000,
        )
        transaction.set_rollback(True)
    baseline = time.perf_counter() - started

    for label, checked, seconds, summary in results:
        print(
            f"  {label:<10} {seconds:7.1f} s in all ({checked:5.1f} s reading and checking)"
            f"  {args.rows / seconds:7.0f} rows/s   {tabular.summary_text(summary)}"
        )
    print(f"  baseline: bare bulk_create of {args.rows:,} offers + locations: {baseline:6.1f} s")
    for label, _checked, seconds, _summary in results:
        print(f"  {label} takes {seconds / baseline:.1f}× the bare bulk_create")
    print(
        f"  target DESIGN §6: ≤ 60 s for 100,000 rows (1,667 rows/s; "
        f"{args.rows / 100_000 * 60:.1f} s at this size)"
    )


if __name__ == "__main__":
    main()
