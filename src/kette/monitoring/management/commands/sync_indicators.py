"""`kette sync_indicators`: create or update the programme-wide standard indicators."""

from typing import Any

from django.core.management.base import BaseCommand

from kette.monitoring import services


class Command(BaseCommand):
    help = "Create or update the standard indicator catalogue. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.indicator_catalogue_sync(actor=None)
        self.stdout.write(f"{count} Standardindikatoren aktuell.")
