"""kette export_network --municipality SLUG --kind … FILE [--with-names]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kette.core.models import Municipality
from kette.network import transfer


class Command(BaseCommand):
    help = (
        "Export organisations, people, body memberships or cooperation ties of a "
        "municipality as CSV or XLSX (by the file's extension). People are pseudonymised "
        "and their contact details left out unless --with-names is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--kind", required=True, choices=transfer.KINDS)
        parser.add_argument("--with-names", action="store_true", help="real names and contacts")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Kommune nicht gefunden: {options['municipality']}")
        path: Path = options["file"]
        if path.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError("Dateiendung .csv oder .xlsx angeben.")
        count = transfer.export_file(
            municipality=municipality,
            kind=options["kind"],
            path=path,
            with_names=options["with_names"],
        )
        note = (
            ""
            if options["with_names"] or options["kind"] not in ("people", "memberships")
            else (" Personen sind pseudonymisiert.")
        )
        self.stdout.write(f"{count} Zeilen nach {path} geschrieben.{note}")
