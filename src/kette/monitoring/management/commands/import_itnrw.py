"""`kette import_itnrw FILE --indicator KEY`: a Landesdatenbank NRW export by official key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kette.core.models import Municipality
from kette.monitoring import services, tables
from kette.monitoring.errors import ImportRejected


class Command(BaseCommand):
    help = (
        "Import an IT.NRW (Landesdatenbank NRW) CSV export as whole-municipality observations "
        "of a standard indicator for every municipality whose official key it contains."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--indicator", required=True, help="standard indicator key")
        parser.add_argument("--column", type=int, help="value column (1-based) if several")
        parser.add_argument("--municipality", help="only this municipality (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        municipalities = None
        if options["municipality"]:
            municipalities = list(Municipality.objects.filter(slug=options["municipality"]))
            if not municipalities:
                raise CommandError(f"Unbekannte Kommune „{options['municipality']}“.")
        try:
            regional = tables.read_itnrw(options["file"].read_bytes(), column=options["column"])
            services.indicator_catalogue_sync(actor=None)
            report = services.observations_import_itnrw(
                actor=None,
                regional=regional,
                indicator_key=options["indicator"],
                municipalities=municipalities,
            )
        except OSError as error:
            raise CommandError(f"Datei nicht lesbar: {error}") from error
        except tables.TableError as error:
            raise CommandError(str(error)) from error
        except ImportRejected as error:
            raise CommandError(
                "Import abgelehnt, nichts wurde gespeichert:\n" + "\n".join(error.errors)
            ) from error
        self.stdout.write(
            f"Tabelle {regional.title} ({regional.year}): {len(report.municipalities)} Kommunen, "
            f"{report.created} neu, {report.updated} geändert, {report.unchanged} unverändert, "
            f"{report.missing} ohne Wert; {report.regions} Gebietswerte für den "
            "NRW-Vergleich."
        )
