"""Programme, municipality (the tenant), users and their roles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kette.core.fields import WebsiteField
from kette.core.validators import validate_official_key

if TYPE_CHECKING:
    from django.db.models.query import QuerySet


class User(AbstractUser):
    """A person who logs in. Roles come from their memberships."""

    class Meta:
        verbose_name = _("Benutzerkonto")
        verbose_name_plural = _("Benutzerkonten")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Programme(models.Model):
    """A state programme (Landesprogramm) and its coordination office."""

    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzname in Adressen"), max_length=80, unique=True)
    former_name = models.CharField(_("früherer Name"), max_length=200, blank=True)
    state = models.CharField(_("Land"), max_length=80, blank=True)
    coordination_office = models.CharField(
        _("Landeskoordinierungsstelle"), max_length=300, blank=True
    )
    description = models.TextField(_("Beschreibung"), blank=True)
    website = WebsiteField(_("Website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Landesprogramm")
        verbose_name_plural = _("Landesprogramme")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MunicipalityKind(models.TextChoices):
    KREISFREIE_STADT = "kreisfreie_stadt", _("kreisfreie Stadt")
    KREISANGEHOERIGE_GEMEINDE = "kreisangehoerige_gemeinde", _("kreisangehörige Stadt/Gemeinde")
    KREIS = "kreis", _("Kreis")


class Municipality(models.Model):
    """A programme municipality (Programmkommune): the tenant every municipal row belongs to."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("Programm"),
    )
    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzname in Adressen"), max_length=80, unique=True)
    kind = models.CharField(_("Art"), max_length=32, choices=MunicipalityKind.choices)
    official_key = models.CharField(
        _("amtlicher Schlüssel"),
        max_length=8,
        unique=True,
        help_text=_("8-stelliger AGS einer Gemeinde oder 5-stelliger Schlüssel eines Kreises."),
    )
    population = models.PositiveIntegerField(_("Einwohnerzahl"), null=True, blank=True)
    population_date = models.DateField(_("Stand der Einwohnerzahl"), null=True, blank=True)
    boundary = models.JSONField(
        _("Gebietsgrenze (GeoJSON, WGS84)"), null=True, blank=True, editable=False
    )
    cohort = models.PositiveSmallIntegerField(_("Förderkohorte (Jahr)"), null=True, blank=True)
    description = models.TextField(_("Beschreibung der Präventionskette"), blank=True)
    website = WebsiteField(_("Website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["boundary"])

    class Meta:
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        ordering = ["name"]

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
        Municipality, on_delete=models.CASCADE, verbose_name=_("Kommune"), related_name="+"
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class FundingPeriod(TenantModel):
    """A period in which the programme funds the municipality."""

    starts_on = models.DateField(_("Beginn"))
    ends_on = models.DateField(_("Ende"))
    note = models.CharField(_("Anmerkung"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Förderzeitraum")
        verbose_name_plural = _("Förderzeiträume")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="funding_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on:%d.%m.%Y} – {self.ends_on:%d.%m.%Y}"


class District(TenantModel):
    """A small area of a municipality (Sozialraum, Stadtteil, Stadtbezirk).

    Lives in core because the directory (locations, service areas) and the
    monitoring (indicators, need index) both use it; the monitoring app imports
    boundaries. Geometry is GeoJSON in WGS84.
    """

    code = models.CharField(_("Schlüssel"), max_length=40)
    name = models.CharField(_("Name"), max_length=200)
    level = models.CharField(
        _("Ebene"), max_length=80, blank=True, help_text=_("z. B. Stadtbezirk oder Stadtteil")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("übergeordneter Bezirk"),
    )
    boundary = models.JSONField(_("Grenze (GeoJSON, WGS84)"), null=True, blank=True)
    boundary_simplified = models.JSONField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["boundary", "boundary_simplified"])

    class Meta:
        verbose_name = _("Sozialraum")
        verbose_name_plural = _("Sozialräume")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="district_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PROGRAMME_ADMIN = "programme_admin", _("Programm-Administration")
    PROGRAMME_STAFF = "programme_staff", _("Landeskoordinierungsstelle")
    COORDINATOR = "coordinator", _("Koordination")
    EDITOR = "editor", _("Redaktion")
    PROVIDER = "provider", _("Träger")
    VIEWER = "viewer", _("Lesezugriff")


PROGRAMME_ROLES = frozenset({Role.PROGRAMME_ADMIN, Role.PROGRAMME_STAFF})
MUNICIPALITY_ROLES = frozenset({Role.COORDINATOR, Role.EDITOR, Role.PROVIDER, Role.VIEWER})


class Membership(models.Model):
    """A user's role: programme-wide (coordination office) or in one municipality."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Person")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Programm")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("Kommune"),
    )
    role = models.CharField(_("Rolle"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
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

    message = models.TextField(_("Nachricht"))
    email = models.EmailField(_("E-Mail-Adresse für eine Antwort"), blank=True)
    page_url = models.CharField(_("betroffene Seite"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled = models.BooleanField(_("erledigt"), default=False)

    class Meta:
        verbose_name = _("Rückmeldung zur Barrierefreiheit")
        verbose_name_plural = _("Rückmeldungen zur Barrierefreiheit")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%d.%m.%Y %H:%M}: {self.message[:60]}"
