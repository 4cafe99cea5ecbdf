"""`kette invite_to_meeting NUMBER [--again] [--dry-run]`: mail the invitation to a
network meeting to the coordinators of all programme municipalities."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kette.core.selectors import default_programme
from kette.learning import services
from kette.learning.models import Meeting


class Command(BaseCommand):
    help = (
        "Mail the invitation to a network meeting (by its number) to the coordinators of "
        "all programme municipalities, with links to register people and to offer a short "
        "talk. Coordinators invited before are skipped unless --again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", type=int, help="the meeting's number")
        parser.add_argument("--again", action="store_true", help="also mail those invited before")
        parser.add_argument("--dry-run", action="store_true", help="list, send nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        programme = default_programme()
        meeting = (
            Meeting.objects.filter(programme=programme, number=options["number"]).first()
            if programme
            else None
        )
        if meeting is None:
            raise CommandError(_("There is no meeting no. %(number)s.") % options)
        try:
            report = services.meeting_invitations_send(
                actor=None,
                meeting=meeting,
                base_url=settings.KETTE_BASE_URL,
                again=options["again"],
                dry_run=options["dry_run"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for email in report.sent:
            self.stdout.write(f"  {email}")
        template = (
            _("%(sent)s invitation(s) would be sent; %(already)s invited before.")
            if options["dry_run"]
            else _("%(sent)s invitation(s) sent; %(already)s invited before.")
        )
        self.stdout.write(template % {"sent": len(report.sent), "already": report.already})
