"""`kette export_offers --municipality SLUG FILE`: the municipality's offers in the
import template (CSV or XLSX by the file's extension)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kette.core.models import Municipality
from kette.directory import tabular


class Command(BaseCommand):
    help = (
        "Export a municipality's offers in the import template. The format follows the "
        "file's extension: .csv (UTF-8 with BOM, semicolons, for Excel) or .xlsx."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="target file ending in .csv or .xlsx")
        parser.add_argument("--municipality", required=True, help="the municipality's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            fmt = tabular.format_from_name(options["file"])
        except ValueError as error:
            raise CommandError(_("The file name must end in .csv or .xlsx.")) from error
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(
                _("There is no municipality “%(slug)s”.") % {"slug": options["municipality"]}
            )
        data, rows = tabular.export_table(municipality, fmt)
        out = Path(options["file"])
        try:
            out.write_bytes(data)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(reason)s.") % {"file": out, "reason": error.strerror}
            ) from error
        self.stdout.write(
            _("%(rows)s rows written to %(file)s.") % {"rows": rows, "file": options["file"]}
        )
