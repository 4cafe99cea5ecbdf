from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kette.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from kette.core import audit, navigation
        from kette.reports import rules  # noqa: F401 - registers the permissions
        from kette.reports.models import AnnualReport, ChapterText, Goal

        audit.register(AnnualReport, related=("municipality",))
        audit.register(ChapterText, related=("report__municipality",))
        audit.register(Goal)
        navigation.register_section(
            navigation.Section(
                key="reports",
                label=_("Annual report"),
                description=_(
                    "Goals, planned and achieved figures, and the Sachbericht as PDF, "
                    "written from the chain, the network, monitoring and the learning network."
                ),
                url_name="reports:report_list",
                permission="reports.read_report",
                position=60,
            )
        )
