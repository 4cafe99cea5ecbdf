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
