"""`kette import_observations FILE --municipality SLUG`: indicator values from CSV/XLSX/ODS."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kette.core.models import Municipality
from kette.monitoring import services, tables
from kette.monitoring.errors import ImportRejected


class Command(BaseCommand):
    help = (
        "Import observations from CSV, XLSX or ODS in long form (Sozialraum, Indikator, Jahr, "
        "Wert, optional Zähler, Nenner) or wide form (Sozialraum plus one column per year or "
        "indicator). German number formats. Atomic and idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--layout", choices=["long", "wide"], default="long")
        parser.add_argument("--indicator", help="indicator key (wide form with year columns)")
        parser.add_argument("--year", type=int, help="year (wide form with indicator columns)")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Unbekannte Kommune „{options['municipality']}“.")
        path: Path = options["file"]
        started = time.perf_counter()
        try:
            table = tables.read_table(path.read_bytes(), path.name)
            services.indicator_catalogue_sync(actor=None)
            report = services.observations_import(
                actor=None,
                municipality=municipality,
                table=table,
                layout=options["layout"],
                indicator_key=options["indicator"],
                year=options["year"],
            )
        except OSError as error:
            raise CommandError(f"Datei nicht lesbar: {error}") from error
        except tables.TableError as error:
            raise CommandError(str(error)) from error
        except ImportRejected as error:
            raise CommandError(
                "Import abgelehnt, nichts wurde gespeichert:\n" + "\n".join(error.errors)
            ) from error
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{municipality.name}: {report.created} neu, {report.updated} geändert, "
            f"{report.unchanged} unverändert, {report.missing} ohne Wert ({seconds:.2f} s)."
        )
        for warning in report.warnings:
            self.stdout.write(f"Hinweis: {warning}")
