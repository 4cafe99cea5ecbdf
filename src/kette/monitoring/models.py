"""Indicators, their observations per district and year, and the need index's weights.

Districts themselves live in core (kette.core.models.District); this app
imports their boundaries and analyses them.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kette.core.models import District, Municipality, TenantModel

DEFAULT_DISCLOSURE_THRESHOLD = 3


class Unit(models.TextChoices):
    COUNT = "count", _("count")
    PERCENT = "percent", _("percent")
    PER_1000 = "per_1000", _("per 1,000")


class Direction(models.TextChoices):
    # "worse" in the sense of the need index: a higher value means more need.
    HIGHER_IS_WORSE = "higher_is_worse", _("higher value = more need")
    HIGHER_IS_BETTER = "higher_is_better", _("higher value = less need")
    NEUTRAL = "neutral", _("no direction")


class IndicatorQuerySet(models.QuerySet):
    def available_to(self, municipality: Municipality) -> IndicatorQuerySet:
        """The programme-wide standard set plus the municipality's own indicators."""
        return self.filter(Q(municipality__isnull=True) | Q(municipality=municipality))


class Indicator(models.Model):
    """An indicator of the catalogue: programme-wide (municipality empty) or a
    municipality's own addition."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
        help_text=_("empty: a standard indicator for every municipality of the programme"),
    )
    key = models.SlugField(_("key"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    direction = models.CharField(
        _("direction"), max_length=20, choices=Direction.choices, default=Direction.NEUTRAL
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    age_band = models.CharField(
        _("age band"), max_length=40, blank=True, help_text=_("e.g. 0–3 or under 15")
    )
    disclosure_threshold = models.PositiveSmallIntegerField(
        _("disclosure threshold"),
        default=DEFAULT_DISCLOSURE_THRESHOLD,
        help_text=_('Counts below this threshold are shown as "." and never exported.'),
    )
    sort_order = models.PositiveSmallIntegerField(default=100)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(municipality__isnull=True),
                name="indicator_key_standard",
            ),
            models.UniqueConstraint(
                fields=["municipality", "key"],
                condition=Q(municipality__isnull=False),
                name="indicator_key_per_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_count(self) -> bool:
        return self.unit == Unit.COUNT


class Observation(TenantModel):
    """One value of an indicator for a district (or the whole municipality when the
    district is empty) in one year. Rates may carry their numerator and denominator;
    the numerator is the count that disclosure control checks."""

    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="observations",
        verbose_name=_("indicator"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"))
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["indicator", "year", "district__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "district", "indicator", "year"],
                condition=Q(district__isnull=False),
                name="observation_unique_district",
            ),
            models.UniqueConstraint(
                fields=["municipality", "indicator", "year"],
                condition=Q(district__isnull=True),
                name="observation_unique_municipality",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "indicator", "year"])]

    def __str__(self) -> str:
        where: Any = self.district or self.municipality
        return f"{self.indicator} {self.year} – {where}"


class NeedIndexWeight(TenantModel):
    """An indicator chosen for the municipality's need index, with its weight."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("indicator")
    )
    weight = models.FloatField(_("weight"), default=1.0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("need index weight")
        verbose_name_plural = _("need index weights")
        ordering = ["indicator__sort_order", "indicator__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "indicator"], name="need_index_weight_unique"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="need_index_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.weight:g}"


class RegionalObservation(models.Model):
    """A value of official statistics for a region of the state (a Gemeinde, Kreis,
    Regierungsbezirk or the state itself, by its official key), kept for the
    coordination office's comparison of all municipalities. Programme-wide
    reference data from public statistics, not a tenant's data: the region need
    not be a municipality of the programme."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="+", verbose_name=_("indicator")
    )
    region_key = models.CharField(_("official key"), max_length=12)
    region_name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("regional value")
        verbose_name_plural = _("regional values")
        ordering = ["indicator", "year", "region_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region_key", "year"], name="regional_observation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year} – {self.region_name}"
