"""Models of bulk import, settings, freshness reminders and the review of provider
changes (kept apart from models.py, which imports them at its end so Django
registers them in the directory app).

- `ColumnMapping`: a municipality's saved mapping from another spreadsheet
  layout's column names to the template's columns (see kette.directory.tabular).
- `DirectorySettings`: per-municipality settings of the directory: the
  freshness period after which an offer counts as stale, and whether providers'
  changes to published offers wait for a coordinator's review.
- `ReminderSent`: one row per offer and recipient each time
  `kette remind_stale_offers` mailed about it, and when the "still current"
  link in that mail was used.
- `OfferChange`: a provider's proposed change of a published offer (or request
  to publish one) while review is on; applied only when a coordinator or editor
  approves it. `changes` holds only the values that differ from the offer:
  own fields by name, `organization` (pk), `terms` and `transitions` (pks),
  `languages` (codes) and `status`.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kette.core.models import TenantModel

DEFAULT_STALE_AFTER_MONTHS = 12


class ColumnMapping(TenantModel):
    """Source column name → template column name, e.g. {"Bezeichnung": "Angebot"}."""

    name = models.CharField(_("Name"), max_length=100)
    mapping = models.JSONField(_("mapping"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="column_mapping_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class DirectorySettings(TenantModel):
    """Settings of one municipality's directory (at most one row per municipality;
    without a row the defaults apply)."""

    stale_after_months = models.PositiveSmallIntegerField(
        _("offers count as stale after (months)"),
        default=DEFAULT_STALE_AFTER_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    review_provider_changes = models.BooleanField(
        _("review providers' changes"),
        default=False,
        help_text=_(
            "Changes that providers make to published offers, and their requests to "
            "publish, wait until a coordinator or editor approves them."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("directory settings")
        verbose_name_plural = _("directory settings")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="directory_settings_unique")
        ]

    def __str__(self) -> str:
        return str(self.municipality)


class ReminderSent(TenantModel):
    """A reminder mail about one stale offer to one recipient."""

    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("offer"),
    )
    user = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    email = models.EmailField(_("e-mail address"))
    sent_at = models.DateTimeField(_("sent at"), db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["service", "email", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.service} → {self.email}"


class OfferChangeStatus(models.TextChoices):
    PENDING = "pending", _("waiting for review")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class OfferChange(TenantModel):
    """A provider's change of an offer waiting for (or after) review."""

    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.CASCADE,
        related_name="proposed_changes",
        verbose_name=_("offer"),
    )
    changes = models.JSONField(_("proposed values"), default=dict)
    proposed_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed on"), default=timezone.now)
    status = models.CharField(
        _("Status"),
        max_length=16,
        choices=OfferChangeStatus.choices,
        default=OfferChangeStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(status="pending"),
                name="offer_change_one_pending",
            )
        ]

    def __str__(self) -> str:
        return _("Change of “%(offer)s”") % {"offer": self.service}
