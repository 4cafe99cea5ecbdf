"""`kette remind_stale_offers [--municipality SLUG] [--months N] [--dry-run]`: mail
providers about their offers nobody confirmed for the freshness period."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kette.core.models import Municipality
from kette.directory import freshness


class Command(BaseCommand):
    help = (
        "Mail each provider one list of its stale offers with one-click 'still current' "
        "links. The period is the municipality's setting (default 12 months) unless "
        "--months is given. An offer is not mailed to the same address twice within 7 days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", help="only this municipality (slug)")
        parser.add_argument("--months", type=int, help="stale after this many months")
        parser.add_argument("--dry-run", action="store_true", help="count, send nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        municipalities = Municipality.objects.order_by("name")
        if options["municipality"]:
            municipalities = municipalities.filter(slug=options["municipality"])
            if not municipalities.exists():
                raise CommandError(
                    _("There is no municipality “%(slug)s”.") % {"slug": options["municipality"]}
                )
        if options["months"] is not None and not 1 <= options["months"] <= 60:
            raise CommandError(_("--months must lie between 1 and 60."))
        report = freshness.remind_stale_offers(
            municipalities=list(municipalities),
            months=options["months"],
            dry_run=options["dry_run"],
        )
        summary = (
            _(
                "%(stale)s stale offer(s); %(mails)s mail(s) about %(offers)s offer(s) would be "
                "sent (dry run: nothing was sent); %(not_due)s already reminded within 7 days; "
                "%(orphans)s without a recipient."
            )
            if options["dry_run"]
            else _(
                "%(stale)s stale offer(s); %(mails)s mail(s) about %(offers)s offer(s) sent; "
                "%(not_due)s already reminded within 7 days; %(orphans)s without a recipient."
            )
        )
        self.stdout.write(
            summary
            % {
                "stale": report.stale,
                "mails": report.mails,
                "offers": report.offers_mentioned,
                "not_due": report.not_due,
                "orphans": len(report.without_recipient),
            }
        )
        for service in report.without_recipient:
            self.stdout.write(
                _("  without recipient: %(offer)s (%(provider)s)")
                % {"offer": service.name, "provider": service.organization.name}
            )
