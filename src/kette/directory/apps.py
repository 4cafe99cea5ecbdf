from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


def stale_status(municipality: Any, user: Any) -> str:
    """The workspace's line on the offers due for a check that `user` may check
    (all for the town hall, its own for a provider; "" when none is)."""
    from kette.directory import freshness, selectors

    months = freshness.stale_after_months(municipality)
    count = (
        freshness.stale_offers(municipality, months=months)
        .filter(pk__in=selectors.services_editable_by(user, municipality).values("pk"))
        .count()
    )
    if not count:
        return ""
    return ngettext(
        "%(count)s offer not checked for more than %(months)s months",
        "%(count)s offers not checked for more than %(months)s months",
        count,
    ) % {"count": count, "months": months}


def offers_description(municipality: Any, user: Any) -> Any:
    """What the offers section is for a provider (its own offers) or a
    read-only role; None: the town hall's description."""
    from kette.core.models import Role
    from kette.core.roles import roles_of

    role = roles_of(user).in_municipality(municipality.pk)
    if role == Role.PROVIDER:
        return _("Your organisation's offers: keep them current and confirm that they still hold.")
    if role == Role.VIEWER:
        return _("Offers along the life phases, to read.")
    return None


class DirectoryConfig(AppConfig):
    name = "kette.directory"
    label = "directory"
    verbose_name = _("Offers")

    def ready(self) -> None:
        from kette.core import audit
        from kette.directory import bulk_rules, models, search  # noqa: F401 (bulk_rules: perms)

        for model in (
            models.Organization,
            models.Service,
            models.Location,
            models.ServiceAtLocation,
            models.Schedule,
            models.Contact,
            models.Phone,
            models.Language,
            models.CostOption,
            models.ServiceArea,
            models.ServiceTerm,
            models.LocationFeature,
            models.ServiceLifePhase,
            models.LifePhase,
            models.Transition,
            models.TaxonomyTerm,
            models.ProviderAccess,
            models.DirectorySettings,
        ):
            audit.register(model)
        audit.register(models.OfferChange, related=("service",))
        # Django's SQLite schema editor rebuilds a table for many ALTERs, which
        # drops its triggers: put the full-text index's triggers back after
        # every migrate (idempotent, rebuilds the index only when they were gone).
        post_migrate.connect(search.ensure_index, sender=self)

        from kette.core import datasources
        from kette.core import demo as core_demo
        from kette.directory import demo

        core_demo.register_step("directory", demo.load_directory_demo)
        datasources.register(demo.OSM_KOELN)

        from kette.core import navigation

        navigation.register_main_link(
            navigation.MainLink(
                key="guide", label=_("Family guide"), url_name="guide:programme", position=10
            )
        )
        navigation.register_public_link(
            navigation.PublicLink(key="guide", label=_("Family guide"), url_name="guide:search")
        )
        navigation.register_section(
            navigation.Section(
                key="offers",
                label=_("Offers"),
                description=_(
                    "Offers along the life phases: edit, publish, confirm, import and export."
                ),
                url_name="directory:service_list",
                permission="directory.list_offers",
                position=10,
                status=stale_status,
                status_query="?pruefung=faellig",
                describe=offers_description,
            )
        )
        navigation.register_section(
            navigation.Section(
                key="chain_matrix",
                label=_("The chain at a glance"),
                description=_(
                    "Offers per life phase, field of action and transition, with the gaps "
                    "and the offers due for a check."
                ),
                url_name="directory:chain_matrix",
                permission="directory.list_offers",
                position=9,
            )
        )
        navigation.register_section(
            navigation.Section(
                key="organizations",
                label=_("Providers"),
                description=_("The providers (Träger) of the offers and their accounts."),
                url_name="directory:organization_list",
                permission="directory.list_offers",
                position=12,
            )
        )
        navigation.register_section(
            navigation.Section(
                key="vocabulary",
                label=_("Fields of action and accessibility"),
                description=_("The vocabulary of the offers: the programme's terms and your own."),
                url_name="directory:vocabulary",
                permission="directory.manage_vocabulary",
                position=13,
            )
        )
        navigation.register_section(
            navigation.Section(
                key="offer_review",
                label=_("Review providers' changes"),
                description=_(
                    "Changes of published offers that providers proposed, to approve or reject."
                ),
                url_name="directory:change_list",
                permission="directory.review_changes",
                position=14,
            )
        )
        navigation.register_section(
            navigation.Section(
                key="directory_settings",
                label=_("Settings of the offer directory"),
                description=_("Freshness period and review of providers' changes."),
                url_name="directory:settings",
                permission="directory.manage_settings",
                position=15,
            )
        )
        navigation.register_section(
            navigation.Section(
                key="offer_import",
                label=_("Import offers"),
                description=_("Upload a CSV or Excel file of offers; every row is checked first."),
                url_name="directory_import:upload",
                permission="directory.import_offers",
                position=11,
            )
        )
