from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "kette.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from kette.core import audit, datasources, demo, navigation
        from kette.monitoring import sources
        from kette.monitoring.demo import load_monitoring_demo
        from kette.monitoring.models import NeedIndexWeight, Observation

        audit.register(Observation)
        audit.register(NeedIndexWeight)
        for source in sources.ALL:
            datasources.register(source)
        demo.register_step("monitoring", load_monitoring_demo)
        navigation.register_section(
            navigation.Section(
                key="monitoring",
                label=_("Monitoring"),
                description=_("Districts, indicators with disclosure control and the need index."),
                url_name="monitoring:districts",
                permission="monitoring.read_indicators",
                position=30,
            )
        )
