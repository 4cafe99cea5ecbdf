"""`kette export_hsds --municipality SLUG --format json|datapackage OUT`: a
municipality's offers as Open Referral HSDS 3.0: a JSON list of full service
objects, or the tabular data package (a directory of CSV files with
`datapackage.json`)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kette.core.models import Municipality
from kette.directory import hsds, hsds_tabular


class Command(BaseCommand):
    help = (
        "Export a municipality's offers as HSDS 3.0: JSON (a list of full service objects: "
        "organisation, locations, schedules, phones, languages, cost options, taxonomy "
        "terms, service areas) or a tabular data package (a directory of CSV files and "
        "datapackage.json). Published offers only unless --include-unpublished "
        "(for coordinators); contacts of professionals only with --include-contacts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "out", help="target file (json) or directory (datapackage; created if missing)"
        )
        parser.add_argument("--municipality", required=True, help="the municipality's slug")
        parser.add_argument(
            "--format", choices=["json", "datapackage"], default="json", help="output format"
        )
        parser.add_argument(
            "--include-unpublished",
            action="store_true",
            help="also drafts and archived offers (for coordinators; not for publication)",
        )
        parser.add_argument(
            "--include-contacts",
            action="store_true",
            help="also named contacts of professionals (for coordinators; not for publication)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(
                _("There is no municipality “%(slug)s”.") % {"slug": options["municipality"]}
            )
        count = 0

        def counted() -> Iterator[dict[str, Any]]:  # written as read, counted on the way
            nonlocal count
            for service in hsds.export_services(
                municipality,
                include_unpublished=options["include_unpublished"],
                include_contacts=options["include_contacts"],
            ):
                count += 1
                yield service

        out = Path(options["out"])
        left_out: dict[str, int] = {}
        try:
            if options["format"] == "datapackage":
                left_out = hsds_tabular.write_package(
                    counted(),
                    out,
                    **hsds_tabular.package_labels(municipality.slug, municipality.name),
                )
            else:
                with out.open("w", encoding="utf-8") as handle:
                    handle.writelines(hsds.export_json(counted()))
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(reason)s.") % {"file": out, "reason": error.strerror}
            ) from error
        self.stdout.write(
            ngettext(
                "%(count)s offer written to %(file)s (HSDS %(version)s).",
                "%(count)s offers written to %(file)s (HSDS %(version)s).",
                count,
            )
            % {"count": count, "file": out, "version": hsds.HSDS_VERSION}
        )
        if left_out.get("address"):
            self.stdout.write(
                ngettext(
                    "%(count)s address without street or postal code is not in the data "
                    "package (the table schema requires both); the JSON export keeps it.",
                    "%(count)s addresses without street or postal code are not in the data "
                    "package (the table schema requires both); the JSON export keeps them.",
                    left_out["address"],
                )
                % {"count": left_out["address"]}
            )
