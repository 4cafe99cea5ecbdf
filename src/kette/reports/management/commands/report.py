"""`kette report --municipality SLUG --year YEAR --out FILE.pdf`: a municipality's annual
report as PDF (kept with its date, like the button in the UI); `kette report --programme
--out FILE.pdf|FILE.xlsx`: the programme overview."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kette.core.models import Municipality
from kette.core.selectors import default_programme
from kette.reports import programme, selectors, services


class Command(BaseCommand):
    help = (
        "Write a municipality's annual report (Sachbericht) for a year as PDF, or with "
        "--programme the programme overview as PDF or XLSX (by the file extension)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", required=True, help="target file (.pdf; .xlsx for --programme)"
        )
        parser.add_argument("--municipality", help="the municipality's slug")
        parser.add_argument("--year", type=int, help="the report's year")
        parser.add_argument(
            "--programme", action="store_true", help="the programme overview instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if options["programme"]:
            self._programme(out)
            return
        if not options["municipality"] or not options["year"]:
            raise CommandError(_("Give --municipality and --year, or --programme."))
        if out.suffix.lower() != ".pdf":
            raise CommandError(_("The annual report is written as PDF: use a .pdf file name."))
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(
                _("Unknown municipality: %(slug)s") % {"slug": options["municipality"]}
            )
        report = services.report_open(actor=None, municipality=municipality, year=options["year"])
        generated = services.report_generate(actor=None, report=report)
        with generated.file.open("rb") as source:
            out.write_bytes(source.read())
        self.stdout.write(
            _("Annual report %(year)s of %(name)s written to %(out)s (%(size)d bytes).")
            % {"year": report.year, "name": municipality.name, "out": out, "size": generated.size}
        )

    def _programme(self, out: Path) -> None:
        found = default_programme()
        if found is None:
            raise CommandError(_("There is no programme yet."))
        overview = selectors.programme_overview(found)
        suffix = out.suffix.lower()
        if suffix == ".pdf":
            out.write_bytes(programme.overview_pdf(overview))
        elif suffix == ".xlsx":
            out.write_bytes(programme.overview_xlsx(overview))
        else:
            raise CommandError(_("The programme overview is written as .pdf or .xlsx."))
        self.stdout.write(
            _("Programme overview of %(count)d municipalities written to %(out)s.")
            % {"count": len(overview.rows), "out": out}
        )
