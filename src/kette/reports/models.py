"""The municipality's annual report (Sachbericht): goals, free texts, generated PDFs.

What kette computes (the chain, the gap analysis, the network, the learning
network, monitoring) is read at render time from the other apps' selectors;
this app stores only what people write and the PDFs that were generated.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kette.core.models import TenantModel


class Chapter(models.TextChoices):
    """The chapters of a report, in order; each has a free text."""

    INTRODUCTION = "introduction", pgettext_lazy("report chapter", "Mission statement and goals")
    CHAIN = "chain", pgettext_lazy("report chapter", "The prevention chain")
    GAPS = "gaps", pgettext_lazy("report chapter", "Need and offers")
    STEERING = "steering", pgettext_lazy("report chapter", "Steering structure and network")
    LEARNING = "learning", pgettext_lazy("report chapter", "Learning network")
    MONITORING = "monitoring", pgettext_lazy("report chapter", "Social monitoring")
    OUTLOOK = "outlook", pgettext_lazy("report chapter", "Outlook")


class AnnualReport(TenantModel):
    """One municipality's report for one year."""

    year = models.PositiveSmallIntegerField(_("year"))
    leitbild = models.TextField(
        pgettext_lazy("report", "Mission statement"),
        blank=True,
        help_text=_("The prevention chain's mission statement (Leitbild)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["municipality", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="report_year_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="report_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}"


class ChapterText(TenantModel):
    """The coordinator's own text for one chapter of a report."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="texts")
    chapter = models.CharField(_("chapter"), max_length=20, choices=Chapter.choices)
    text = models.TextField(_("text"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chapter text")
        verbose_name_plural = _("chapter texts")
        constraints = [
            models.UniqueConstraint(fields=["report", "chapter"], name="chapter_text_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report} – {self.get_chapter_display()}"


class Goal(TenantModel):
    """A yearly goal with its indicator, the planned and the achieved figure."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("goal"), max_length=300)
    indicator = models.CharField(
        _("indicator"),
        max_length=300,
        blank=True,
        help_text=_("How the goal is measured, e.g. “Familien mit Willkommensbesuch”."),
    )
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    planned = models.DecimalField(
        _("planned"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    achieved = models.DecimalField(
        _("achieved"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["report", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def achievement(self) -> float | None:
        """Achieved as a share of planned (1.0 = fully), None without both figures."""
        if self.planned in (None, 0) or self.achieved is None:
            return None
        return float(self.achieved) / float(self.planned)


def report_pdf_path(instance: Any, filename: str) -> str:
    """Random names: generated reports are served only through a permission-checked view."""
    return f"reports/{uuid.uuid4().hex}.pdf"


class GeneratedReport(TenantModel):
    """A PDF generated from a report, kept with its date."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="generated")
    file = models.FileField(_("file"), upload_to=report_pdf_path)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("generated on"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("generated by"),
    )

    class Meta:
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} ({self.created_at:%Y-%m-%d %H:%M})"
