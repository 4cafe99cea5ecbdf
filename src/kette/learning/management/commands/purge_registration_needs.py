"""Delete the accessibility and dietary needs of registrations for past meetings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from kette.learning.services import registration_needs_purge


class Command(BaseCommand):
    help = (
        "Delete the accessibility and dietary needs of registrations for meetings that "
        "are over. Idempotent; run it daily (e.g. from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = registration_needs_purge()
        self.stdout.write(
            ngettext(
                "Needs deleted from %(count)d registration (%(meetings)d meetings).",
                "Needs deleted from %(count)d registrations (%(meetings)d meetings).",
                result.registrations,
            )
            % {"count": result.registrations, "meetings": result.meetings}
        )
