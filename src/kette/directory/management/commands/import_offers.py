"""`kette import_offers FILE --municipality SLUG [--dry-run] [--skip-invalid]
[--mapping NAME] [--user USERNAME]`: import offers from CSV, XLSX or ODS in the
template (see docs/offer-import.md)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from kette.core import upload_store
from kette.directory import tabular
from kette.directory.management.commands._options import municipality_and_actor, progress_bar


class Command(BaseCommand):
    help = (
        "Import offers from a CSV, XLSX or ODS file in the template. Everything is checked "
        "first; nothing is written unless the whole file is valid (or --skip-invalid)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv, .xlsx or .ods file")
        parser.add_argument("--municipality", required=True, help="the municipality's slug")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows and skip exactly the rows with problems",
        )
        parser.add_argument("--mapping", help="name of a saved column mapping of the municipality")
        parser.add_argument("--user", help="username recorded as the author of the changes")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False, width=120)
        municipality, actor = municipality_and_actor(options)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("The file %(file)s does not exist.") % {"file": path})
        if path.stat().st_size > upload_store.max_bytes():
            # Refuse before reading a huge file into memory.
            raise CommandError(upload_store.size_message(path.stat().st_size))
        data = path.read_bytes()
        try:
            mapping = (
                tabular.mapping_named(municipality, options["mapping"])
                if options["mapping"]
                else None
            )
            table = tabular.read_table(data, path.name)
        except tabular.TabularFileError as error:
            raise CommandError(error.message) from error
        plan = tabular.prepare_import(municipality, table, mapping=mapping)
        if plan.ignored_columns:
            console.print(
                _("Ignored columns (not in the template): %(columns)s")
                % {"columns": ", ".join(plan.ignored_columns)}
            )
        if plan.problems:
            table_view = Table(title=_("Problems"))
            table_view.add_column(_("Row"), justify="right")
            table_view.add_column(_("Column"))
            table_view.add_column(_("Reason"))
            for problem in plan.problems:
                table_view.add_row(str(problem.row or "–"), problem.column or "–", problem.message)
            console.print(table_view)
            if plan.file_problems or not options["skip_invalid"]:
                raise CommandError(
                    _(
                        "%(count)s problem(s) found in %(rows)s row(s); nothing was imported. "
                        "Correct the file, or use --skip-invalid to skip exactly these rows."
                    )
                    % {"count": len(plan.problems), "rows": len(plan.bad_rows)}
                )
        rows = plan.valid_rows
        try:
            with progress_bar(console, len(rows)) as advance:
                summary = tabular.run_import(
                    plan,
                    actor=actor,
                    skip_invalid=options["skip_invalid"],
                    dry_run=options["dry_run"],
                    progress=advance,
                )
        except tabular.RowError as error:
            raise CommandError(error.message) from error
        console.print(tabular.summary_text(summary))
