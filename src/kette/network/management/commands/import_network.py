"""kette import_network FILE --municipality SLUG --kind people|memberships|ties|organizations"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kette.core.models import Municipality
from kette.network import transfer


class Command(BaseCommand):
    help = (
        "Import organisations (with sector), people, body memberships or cooperation ties "
        "of a municipality from CSV, XLSX or ODS with German column headers. Every row is "
        "checked first; the file is written completely or not at all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", required=True, help="slug of the municipality")
        parser.add_argument("--kind", required=True, choices=transfer.KINDS)
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Datei nicht gefunden: {path}")
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Kommune nicht gefunden: {options['municipality']}")
        try:
            result = transfer.import_file(
                actor=None,
                municipality=municipality,
                kind=options["kind"],
                path=path,
                dry_run=options["dry_run"],
            )
        except transfer.ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(rejected.problems)} Problem(e) gefunden; es wurde nichts gespeichert."
            ) from rejected
        self.stdout.write(result.summary())
