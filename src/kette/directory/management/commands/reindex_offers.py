"""`kette reindex_offers [--municipality SLUG]`: rebuild the offers' search documents."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kette.core.models import Municipality
from kette.directory.services import directory_reindex


class Command(BaseCommand):
    help = "Rebuild the full-text search documents and filter keys of the offers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--municipality", help="slug of one municipality (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(slug=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"Unknown municipality: {options['municipality']}")
        count = directory_reindex(municipality=municipality)
        self.stdout.write(f"{count} offer(s) indexed")
