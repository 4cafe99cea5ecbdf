"""`kette save_column_mapping --municipality SLUG NAME "Quelle=Angebot" …`: save a
column mapping for `kette import_offers --mapping NAME` and the upload page."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kette.core.models import Municipality
from kette.directory import tabular


class Command(BaseCommand):
    help = (
        "Save (or replace) a municipality's column mapping: pairs SOURCE=TEMPLATE "
        "naming a column of another layout and the template column it means."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="name of the mapping")
        parser.add_argument("pairs", nargs="+", help='e.g. "Bezeichnung=Angebot"')
        parser.add_argument("--municipality", required=True, help="the municipality's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(
                _("There is no municipality “%(slug)s”.") % {"slug": options["municipality"]}
            )
        mapping: dict[str, str] = {}
        for pair in options["pairs"]:
            source, sep, target = pair.partition("=")
            if not sep or not source.strip() or not target.strip():
                raise CommandError(
                    _("“%(pair)s” is no pair SOURCE=TEMPLATE COLUMN.") % {"pair": pair}
                )
            mapping[source.strip()] = target.strip()
        try:
            tabular.column_mapping_save(
                actor=None, municipality=municipality, name=options["name"], mapping=mapping
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            _("Column mapping “%(name)s” saved (%(count)s columns).")
            % {"name": options["name"], "count": len(mapping)}
        )
