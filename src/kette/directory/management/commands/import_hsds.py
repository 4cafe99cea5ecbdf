"""`kette import_hsds PATH --municipality SLUG [--dry-run] [--user USERNAME]`: import
Open Referral HSDS 3.0 (JSON or a tabular data package) into a municipality's
directory (see docs/hsds.md)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from kette.directory import hsds_import
from kette.directory.management.commands._options import municipality_and_actor, progress_bar


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 offers: a JSON file (a list of full services, an API page or a "
        "list of pages) or a tabular data package (its directory, datapackage.json or a ZIP "
        "file of it). "
        "Offers are matched by their HSDS ids (importing twice updates). Everything is "
        "checked first; nothing is written unless every offer is valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            help="JSON file, data package directory, datapackage.json or ZIP of a data package",
        )
        parser.add_argument("--municipality", required=True, help="the municipality's slug")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument("--user", help="username recorded as the author of the changes")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False, width=120)
        municipality, actor = municipality_and_actor(options)
        try:
            objects = hsds_import.load(Path(options["path"]))
        except hsds_import.ImportFileError as error:
            raise CommandError(str(error)) from error
        with progress_bar(console, len(objects)) as advance:
            report = hsds_import.import_services(
                municipality, objects, actor=actor, dry_run=options["dry_run"], progress=advance
            )
        if report.unmodelled:
            table = Table(title=_("HSDS fields kette does not model (not imported)"))
            table.add_column(_("Field"))
            table.add_column(_("Objects"), justify="right")
            for name, count in sorted(report.unmodelled.items()):
                table.add_row(name, str(count))
            console.print(table)
        for note in report.notes:
            console.print(f"– {note}")
        if report.problems:
            console.print(_("Problems") + ":")
            for problem in report.problems:  # one line each: offer, schema path, reason
                console.print(str(problem), soft_wrap=True)
            raise CommandError(
                _("%(count)s problem(s) in %(offers)s offer(s); nothing was imported.")
                % {
                    "count": len(report.problems),
                    "offers": len({p.index for p in report.problems}),
                }
            )
        console.print(hsds_import.summary_text(report))
