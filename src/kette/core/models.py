"""Programme, municipality (the tenant), users and their roles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kette.core.collation import german
from kette.core.fields import WebsiteField
from kette.core.validators import CohortYearValidator, validate_official_key

if TYPE_CHECKING:
    from django.db.models.query import QuerySet


class User(AbstractUser):
    """A person who logs in. Roles come from their memberships."""

    class Meta:
        verbose_name = _("User account")
        verbose_name_plural = _("User accounts")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Programme(models.Model):
    """A state programme (Landesprogramm) and its coordination office."""

    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Short name in addresses"), max_length=80, unique=True)
    former_name = models.CharField(_("former name"), max_length=200, blank=True)
    state = models.CharField(_("State"), max_length=80, blank=True)
    coordination_office = models.CharField(
        _("State coordination office"), max_length=300, blank=True
    )
    description = models.TextField(_("Description"), blank=True)
    website = WebsiteField(_("Website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("State programme")
        verbose_name_plural = _("State programmes")
        ordering = [german("name")]

    def __str__(self) -> str:
        return self.name


class MunicipalityKind(models.TextChoices):
    KREISFREIE_STADT = "kreisfreie_stadt", _("independent city (kreisfreie Stadt)")
    KREISANGEHOERIGE_GEMEINDE = (
        "kreisangehoerige_gemeinde",
        _("town or municipality within a Kreis"),
    )
    KREIS = "kreis", _("rural district (Kreis)")


class Municipality(models.Model):
    """A programme municipality (Programmkommune): the tenant every municipal row belongs to."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("Programme"),
    )
    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Short name in addresses"), max_length=80, unique=True)
    kind = models.CharField(_("Type"), max_length=32, choices=MunicipalityKind.choices)
    official_key = models.CharField(
        _("official key"),
        max_length=8,
        unique=True,
        help_text=_("8-digit official municipality key (AGS) or 5-digit key of a Kreis."),
    )
    population = models.PositiveIntegerField(_("Population"), null=True, blank=True)
    population_date = models.DateField(_("Population as of"), null=True, blank=True)
    boundary = models.JSONField(
        _("Boundary (GeoJSON, WGS84)"), null=True, blank=True, editable=False
    )
    cohort = models.PositiveSmallIntegerField(
        _("Funding cohort (year)"),
        null=True,
        blank=True,
        validators=[CohortYearValidator()],
        help_text=_("The year the municipality joined the programme, e.g. 2017."),
    )
    description = models.TextField(_("Description of the prevention chain"), blank=True)
    website = WebsiteField(_("Website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["boundary"])

    class Meta:
        verbose_name = _("Municipality")
        verbose_name_plural = _("Municipalities")
        ordering = [german("name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:municipality", kwargs={"municipality_slug": self.slug})

    def clean(self) -> None:
        if self.official_key and self.kind:
            try:
                validate_official_key(self.official_key, self.kind)
            except ValidationError as error:
                raise ValidationError({"official_key": error.messages}) from error


class TenantQuerySet(models.QuerySet):
    """Querysets of municipality-owned rows: every lookup starts from the tenant."""

    def for_municipality(self, municipality: Municipality) -> QuerySet[Any]:
        return self.filter(municipality=municipality)


class TenantModel(models.Model):
    """Base for every municipality-owned model (the Citus distribution key)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, verbose_name=_("Municipality"), related_name="+"
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class FundingPeriod(TenantModel):
    """A period in which the programme funds the municipality."""

    starts_on = models.DateField(_("Start date"))
    ends_on = models.DateField(_("End date"))
    note = models.CharField(_("Note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Funding period")
        verbose_name_plural = _("Funding periods")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="funding_period_ordered"
            )
        ]

    def __str__(self) -> str:
        # in the active language's short date format, as every other date
        start = date_format(self.starts_on, "SHORT_DATE_FORMAT")
        return f"{start} – {date_format(self.ends_on, 'SHORT_DATE_FORMAT')}"


class District(TenantModel):
    """A small area of a municipality (Sozialraum, Stadtteil, Stadtbezirk).

    Lives in core because the directory (locations, service areas) and the
    monitoring (indicators, need index) both use it; the monitoring app imports
    boundaries. Geometry is GeoJSON in WGS84.
    """

    code = models.CharField(_("Key"), max_length=40)
    name = models.CharField(_("Name"), max_length=200)
    level = models.CharField(
        _("Level"), max_length=80, blank=True, help_text=_("e.g. borough or neighbourhood")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent district"),
    )
    boundary = models.JSONField(_("Outline (GeoJSON, WGS84)"), null=True, blank=True)
    boundary_simplified = models.JSONField(null=True, blank=True, editable=False)
    outline_source = models.CharField(
        _("Source of the outline"),
        max_length=300,
        blank=True,
        help_text=_(
            "Named on every map of the outline, as its licence asks, e.g. "
            "“© OpenStreetMap contributors (ODbL)”."
        ),
    )
    history = HistoricalRecords(excluded_fields=["boundary", "boundary_simplified"])

    class Meta:
        verbose_name = _("District")
        verbose_name_plural = _("Districts")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="district_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PROGRAMME_ADMIN = "programme_admin", _("Programme administration")
    PROGRAMME_STAFF = "programme_staff", _("State coordination office")
    COORDINATOR = "coordinator", _("Coordination")
    EDITOR = "editor", _("Editorial team")
    PROVIDER = "provider", _("Provider")
    VIEWER = "viewer", _("Read access")


PROGRAMME_ROLES = frozenset({Role.PROGRAMME_ADMIN, Role.PROGRAMME_STAFF})
MUNICIPALITY_ROLES = frozenset({Role.COORDINATOR, Role.EDITOR, Role.PROVIDER, Role.VIEWER})


class Membership(models.Model):
    """A user's role: programme-wide (coordination office) or in one municipality."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Person")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Programme")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("Municipality"),
    )
    role = models.CharField(_("Role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("Membership")
        verbose_name_plural = _("Memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"],
                condition=Q(municipality__isnull=False),
                name="one_role_per_user_and_municipality",
            ),
            models.UniqueConstraint(
                fields=["user", "programme"],
                condition=Q(municipality__isnull=True),
                name="one_programme_role_per_user",
            ),
            models.CheckConstraint(
                condition=(
                    Q(municipality__isnull=True, role__in=sorted(PROGRAMME_ROLES))
                    | Q(municipality__isnull=False, role__in=sorted(MUNICIPALITY_ROLES))
                ),
                name="role_matches_scope",
            ),
        ]

    def __str__(self) -> str:
        scope = self.municipality or self.programme
        return f"{self.user} – {self.get_role_display()} ({scope})"


class AccessibilityFeedback(models.Model):
    """A message sent through the feedback form of the accessibility statement."""

    message = models.TextField(_("Message"))
    email = models.EmailField(_("E-mail address for a reply"), blank=True)
    page_url = models.CharField(_("affected page"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        verbose_name = _("Accessibility feedback")
        verbose_name_plural = _("Accessibility feedback messages")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%d.%m.%Y %H:%M}: {self.message[:60]}"
