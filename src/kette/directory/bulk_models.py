"""Models of bulk import and freshness reminders (kept apart from models.py, which
imports them at its end so Django registers them in the directory app).

- `ColumnMapping`: a municipality's saved mapping from another spreadsheet
  layout's column names to the template's columns (see kette.directory.tabular).
- `DirectorySettings`: per-municipality settings of the directory; for now the
  freshness period after which an offer counts as stale.
- `ReminderSent`: one row per offer and recipient each time
  `kette remind_stale_offers` mailed about it, and when the "still current"
  link in that mail was used.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

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
