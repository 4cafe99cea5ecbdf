"""`kette import_districts FILE --municipality SLUG …`: district boundaries from GeoJSON."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kette.core.models import Municipality
from kette.monitoring import geo, services
from kette.monitoring.errors import ImportRejected


class Command(BaseCommand):
    help = (
        "Import (create or update by code) a municipality's districts from a GeoJSON file "
        "in WGS84 or EPSG:25832. Idempotent; rejects the whole file on any error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--code-property", required=True)
        parser.add_argument("--name-property", required=True)
        parser.add_argument("--level", default="", help="e.g. Stadtteil or Stadtbezirk")
        parser.add_argument("--parent-property", help="property holding the parent's code")
        parser.add_argument(
            "--parent-level",
            help="assign each district to the district of this level containing it",
        )
        parser.add_argument("--crs", help="source CRS, e.g. EPSG:25832 (default: from file)")
        parser.add_argument(
            "--source",
            help="where the outlines come from, named on every map of them "
            "(e.g. '© OpenStreetMap contributors (ODbL)'; default: as stored)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Unbekannte Kommune „{options['municipality']}“.")
        try:
            collection = geo.read_geojson(Path(options["file"]).read_bytes())
        except OSError as error:
            raise CommandError(f"Datei nicht lesbar: {error}") from error
        except geo.GeometryError as error:
            raise CommandError(str(error)) from error
        if options["parent_property"] and options["parent_level"]:
            raise CommandError("Bitte nur --parent-property oder --parent-level angeben.")
        started = time.perf_counter()
        try:
            report = services.districts_import(
                actor=None,
                municipality=municipality,
                collection=collection,
                code_property=options["code_property"],
                name_property=options["name_property"],
                level=options["level"],
                parent_property=options["parent_property"],
                parent_level=options["parent_level"],
                crs=options["crs"],
                source=options["source"],
            )
        except ImportRejected as error:
            raise CommandError(
                "Import abgelehnt, nichts wurde gespeichert:\n" + "\n".join(error.errors)
            ) from error
        seconds = time.perf_counter() - started
        for line in report.repaired:
            self.stdout.write(f"repariert: {line}")
        for line in report.warnings:
            self.stdout.write(f"Hinweis: {line}")
        self.stdout.write(
            f"{municipality.name}: {report.created} neu, {report.updated} geändert, "
            f"{report.unchanged} unverändert (Quelle {report.source_crs}, {seconds:.2f} s); "
            f"{report.locations_assigned} Angebotsorte einem Sozialraum zugeordnet."
        )
