"""`kette reindex_offers [--municipality SLUG] [--ended-hours]`: rebuild the offers'
search documents (all, or only those of offers whose weekly hours have ended: run
that daily, e.g. from cron, so the weekday filter follows the calendar)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kette.core.models import Municipality
from kette.directory.services import directory_reindex, directory_reindex_ended_hours


class Command(BaseCommand):
    help = "Rebuild the full-text search documents and filter keys of the offers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--municipality", help="slug of one municipality (default: all)")
        parser.add_argument(
            "--ended-hours",
            action="store_true",
            help="only offers whose weekly hours have ended (daily, for the weekday filter)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(slug=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"Unknown municipality: {options['municipality']}")
        if options["ended_hours"]:
            count = directory_reindex_ended_hours(municipality=municipality)
            self.stdout.write(
                f"{count} offer(s) with ended weekly hours checked "
                "(documents already current are not written again)"
            )
        else:
            count = directory_reindex(municipality=municipality)
            self.stdout.write(f"{count} offer(s) indexed")
