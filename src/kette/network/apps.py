from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "kette.network"
    label = "network"
    verbose_name = _("Network and governance")

    def ready(self) -> None:
        from kette.core import audit, demo
        from kette.network import models

        for model in (
            models.Sector,
            models.ActorProfile,
            models.Person,
            models.Body,
            models.BodyMembership,
            models.Cooperation,
        ):
            audit.register(model)
        from kette.network import rules  # noqa: F401  (registers the permissions)
        from kette.network.demo import load_network_demo

        demo.register_step("network", load_network_demo)

        from kette.core import navigation

        navigation.register_section(
            navigation.Section(
                key="network",
                label=_("Network and governance"),
                description=_(
                    "The steering structure, cooperation between organisations and "
                    "how intersectoral, expert and high-ranking the steering is."
                ),
                url_name="network:structure",
                permission="network.read_structure",
                position=20,
            )
        )
