from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kette.core"
    label = "core"
    verbose_name = _("Foundation")

    def ready(self) -> None:
        from kette.core import audit, collation, datasources, lookups
        from kette.core.models import District, FundingPeriod, Membership, Municipality

        audit.register(Municipality, municipality_field="id")
        audit.register(FundingPeriod)
        audit.register(
            Membership,
            related=("user",),
            label=lambda record: f"{record.user} ({record.get_role_display()})",
        )
        audit.register(District)
        datasources.register(datasources.BOUNDARIES)
        lookups.register()
        collation.register()
