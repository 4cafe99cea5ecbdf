"""The offer directory, aligned with Open Referral HSDS 3.0.

Every municipality-owned row inherits TenantModel; links between tenant rows
stay within one municipality. HSDS ids are the `id_hsds` UUIDs (the integer
primary keys stay internal). Field names follow HSDS where a field exists there
(`alternate_name`, `application_process`, `eligibility_description`,
`fees_description`, `address_1`, `postal_code`, `opens_at`, …).

Ages are whole months relative to birth and half-open: an offer with
`min_age_months=0, max_age_months=36` serves children from birth until their
third birthday ("0 bis unter 3 Jahre"); negative months are the pregnancy.
HSDS `minimum_age`/`maximum_age` are these bounds divided by 12.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kette.core.fields import WebsiteField
from kette.core.models import District, Municipality, TenantModel, TenantQuerySet, User
from kette.directory import defaults

MIN_AGE_MONTHS = -9  # the start of a pregnancy
MAX_AGE_MONTHS = 99 * 12


def _hsds_id() -> models.UUIDField:
    return models.UUIDField(
        _("HSDS id"), default=uuid.uuid4, unique=True, editable=False, db_index=True
    )


def _age_field(label: str) -> models.SmallIntegerField:
    return models.SmallIntegerField(
        label,
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_AGE_MONTHS), MaxValueValidator(MAX_AGE_MONTHS)],
    )


class ShownNameMixin:
    """The name a vocabulary entry shows in the interface (`display_name`): a
    default in the active language while it keeps its default German name, else
    the stored name; `name_translated` says which, for `lang="de"` on what stays
    German (`{% lang_de entry %}`, `entry|german_data`). `name` stays the data
    (search, exports, HSDS)."""

    vocabulary_kind = ""
    code: str
    name: str

    def _is_default(self) -> bool:
        return True

    def _shown(self) -> tuple[str, bool]:
        if not self._is_default():
            return self.name, False
        return defaults.shown_name(self.vocabulary_kind, self.code, self.name)

    @property
    def display_name(self) -> str:
        return self._shown()[0]

    @property
    def name_translated(self) -> bool:
        return self._shown()[1]


# ---------------------------------------------------------------------------
# Taxonomy: fields of action and accessibility features (HSDS taxonomy/term)
# ---------------------------------------------------------------------------


class Taxonomy(ShownNameMixin, models.Model):
    """A programme-wide vocabulary (reference table, not a tenant table); the two
    default ones show their names in the interface's language (`display_name`)."""

    vocabulary_kind = defaults.TAXONOMY

    FIELDS_OF_ACTION = "handlungsfelder"
    ACCESSIBILITY = "barrierefreiheit"

    id_hsds = _hsds_id()
    slug = models.SlugField(_("Short name"), max_length=80, unique=True)
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Description"), blank=True)
    uri = models.URLField(_("URI"), blank=True)
    version = models.CharField(_("Version"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("Taxonomy")
        verbose_name_plural = _("Taxonomies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:  # type: ignore[override]
        return self.slug


class TaxonomyTermQuerySet(models.QuerySet):
    def available_to(self, municipality: Municipality) -> TaxonomyTermQuerySet:
        """The programme-wide default terms plus the municipality's own additions."""
        return self.filter(Q(municipality__isnull=True) | Q(municipality=municipality))


class TaxonomyTerm(ShownNameMixin, models.Model):
    """A term of a taxonomy. `municipality` empty: part of the programme-wide default
    set, visible to every municipality; set: an addition of that one municipality
    (shown as stored in every language)."""

    vocabulary_kind = defaults.TERM

    id_hsds = _hsds_id()
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.PROTECT, related_name="terms", verbose_name=_("Taxonomy")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Municipality"),
        help_text=_("Empty: applies to every municipality of the programme."),
    )
    code = models.SlugField(_("Short name"), max_length=80)
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Description"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent term"),
    )
    term_uri = models.URLField(_("URI"), blank=True)
    position = models.PositiveSmallIntegerField(_("Order"), default=0)
    history = HistoricalRecords()

    objects = TaxonomyTermQuerySet.as_manager()

    class Meta:
        verbose_name = _("Term")
        verbose_name_plural = _("Terms")
        ordering = ["taxonomy", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy", "code"],
                condition=Q(municipality__isnull=True),
                name="term_default_code_unique",
            ),
            models.UniqueConstraint(
                fields=["taxonomy", "municipality", "code"],
                condition=Q(municipality__isnull=False),
                name="term_municipality_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def _is_default(self) -> bool:
        return self.municipality_id is None


# ---------------------------------------------------------------------------
# Life phases and transitions (per municipality)
# ---------------------------------------------------------------------------


class LifePhase(ShownNameMixin, TenantModel):
    """A life phase of the municipality's chain, as a half-open month interval."""

    vocabulary_kind = defaults.LIFE_PHASE

    id_hsds = _hsds_id()
    code = models.SlugField(_("Short name"), max_length=80)
    name = models.CharField(_("Name"), max_length=200)
    min_age_months = models.SmallIntegerField(_("from age (months)"))
    max_age_months = models.SmallIntegerField(_("up to under age (months)"))
    position = models.PositiveSmallIntegerField(_("Order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Life phase")
        verbose_name_plural = _("Life phases")
        ordering = ["municipality", "position", "min_age_months"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="life_phase_code_unique"),
            models.CheckConstraint(
                condition=Q(max_age_months__gt=F("min_age_months")),
                name="life_phase_ordered",
                violation_error_message=_("The upper age must be above the lower age."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Transition(ShownNameMixin, TenantModel):
    """A transition between institutions (Übergang), e.g. Kita → Grundschule."""

    vocabulary_kind = defaults.TRANSITION

    id_hsds = _hsds_id()
    code = models.SlugField(_("Short name"), max_length=80)
    name = models.CharField(_("Name"), max_length=200)
    from_phase = models.ForeignKey(
        LifePhase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from life phase"),
    )
    to_phase = models.ForeignKey(
        LifePhase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to life phase"),
    )
    position = models.PositiveSmallIntegerField(_("Order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Transition")
        verbose_name_plural = _("Transitions")
        ordering = ["municipality", "position"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="transition_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------
# Organisations, services, locations
# ---------------------------------------------------------------------------


class Organization(TenantModel):
    """A provider (Träger) of offers; the same rows are actors of the network."""

    id_hsds = _hsds_id()
    name = models.CharField(_("Name"), max_length=300)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("Description"), blank=True)
    email = models.EmailField(_("Email address"), blank=True)
    website = WebsiteField(_("Website"), blank=True)
    legal_status = models.CharField(_("Legal status"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Provider")
        verbose_name_plural = _("Provider")
        ordering = ["name"]
        indexes = [models.Index(fields=["municipality", "name"])]

    def __str__(self) -> str:
        return self.name


class ServiceStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    ARCHIVED = "archived", _("archived")


# kette's workflow status -> HSDS 3.0 service.status
HSDS_STATUS = {
    ServiceStatus.PUBLISHED: "active",
    ServiceStatus.DRAFT: "inactive",
    ServiceStatus.ARCHIVED: "defunct",
}


class ServiceQuerySet(TenantQuerySet):
    def published(self) -> ServiceQuerySet:
        return self.filter(status=ServiceStatus.PUBLISHED)


class Service(TenantModel):
    """An offer (Angebot) of an organisation (HSDS service).

    `search_name`, `search_body` and `search_filters` are the search document
    (folded, stemmed tokens and filter tokens) that the services keep current;
    the full-text index is built from them (see kette.directory.search).
    `sort_name`, kept with them, is the name as the guide sorts it.
    """

    id_hsds = _hsds_id()
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="services", verbose_name=_("Provider")
    )
    name = models.CharField(_("Name"), max_length=300)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("Description"), blank=True)
    url = WebsiteField(_("Website"), blank=True)
    email = models.EmailField(_("Email address"), blank=True)
    status = models.CharField(
        _("Status"), max_length=16, choices=ServiceStatus.choices, default=ServiceStatus.DRAFT
    )
    min_age_months = _age_field(_("from age (months)"))
    max_age_months = _age_field(_("up to under age (months)"))
    eligibility_description = models.TextField(_("Eligibility"), blank=True)
    application_process = models.TextField(_("Application process"), blank=True)
    is_free = models.BooleanField(_("free of charge"), default=False)
    fees_description = models.TextField(_("Fees"), blank=True)
    last_verified_at = models.DateTimeField(_("last verified on"), null=True, blank=True)
    last_verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last verified by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    terms = models.ManyToManyField(
        TaxonomyTerm,
        through="ServiceTerm",
        related_name="services",
        blank=True,
        verbose_name=_("Fields of action"),
    )
    life_phases = models.ManyToManyField(
        LifePhase,
        through="ServiceLifePhase",
        related_name="services",
        blank=True,
        verbose_name=_("Life phases"),
    )
    transitions = models.ManyToManyField(
        Transition, related_name="services", blank=True, verbose_name=_("Transitions")
    )
    search_name = models.TextField(blank=True, default="", editable=False)
    search_body = models.TextField(blank=True, default="", editable=False)
    search_filters = models.TextField(blank=True, default="", editable=False)
    # the name as the guide sorts it (`search.sort_key`), kept with the document
    sort_name = models.TextField(blank=True, default="", editable=False)
    history = HistoricalRecords(
        excluded_fields=["search_name", "search_body", "search_filters", "sort_name"]
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("Offer")
        verbose_name_plural = _("Offers")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["municipality", "status", "name"]),
            models.Index(fields=["municipality", "last_verified_at"]),
            models.Index(fields=["organization", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age_months__isnull=True)
                | Q(max_age_months__isnull=True)
                | Q(max_age_months__gt=F("min_age_months")),
                name="service_age_ordered",
                violation_error_message=_("The maximum age must be above the minimum age."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("Place with an address")
    POSTAL = "postal", _("Postal address")
    VIRTUAL = "virtual", _("online")


class Location(TenantModel):
    """A place where offers happen (HSDS location with its physical address)."""

    id_hsds = _hsds_id()
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="locations",
        verbose_name=_("Provider"),
    )
    location_type = models.CharField(
        _("Type"), max_length=16, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    name = models.CharField(_("Name"), max_length=300, blank=True)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("Description"), blank=True)
    transportation = models.TextField(_("Getting there"), blank=True)
    url = WebsiteField(_("Website"), blank=True)
    address_1 = models.CharField(_("Street and number"), max_length=300, blank=True)
    address_2 = models.CharField(_("Address line 2"), max_length=300, blank=True)
    postal_code = models.CharField(
        _("Postal code"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("Please give a five-digit postal code."))],
    )
    city = models.CharField(_("City"), max_length=200, blank=True)
    state_province = models.CharField(pgettext_lazy("address", "State"), max_length=100, blank=True)
    country = models.CharField(_("Country"), max_length=2, default="DE")
    latitude = models.DecimalField(
        _("Latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("Longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("District"),
    )
    accessibility_description = models.TextField(_("Accessibility (notes)"), blank=True)
    accessibility = models.ManyToManyField(
        TaxonomyTerm,
        through="LocationFeature",
        related_name="locations",
        blank=True,
        verbose_name=_("Accessibility"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Location")
        verbose_name_plural = _("Locations")
        ordering = ["name", "address_1"]
        indexes = [models.Index(fields=["municipality", "district"])]

    def __str__(self) -> str:
        parts = [p for p in (self.name, self.address_1, self.city) if p]
        return ", ".join(parts) or str(_("Location"))

    @property
    def town_line(self) -> str:
        """Postal code and city ("50823 Köln"), as much of it as is known."""
        return " ".join(p for p in (self.postal_code, self.city) if p)

    @property
    def address_line(self) -> str:
        """The address on one line without empty parts ("Venloer Str. 1, 50823
        Köln", or just "Köln" for a place known by its city)."""
        return ", ".join(p for p in (self.address_1, self.town_line) if p)


class ServiceAtLocation(TenantModel):
    """An offer at one of its locations."""

    id_hsds = _hsds_id()
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="service_at_locations",
        verbose_name=_("Offer"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        related_name="service_at_locations",
        verbose_name=_("Location"),
    )
    description = models.TextField(_("Description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Offer at a location")
        verbose_name_plural = _("Offers at locations")
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="service_location_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


# ---------------------------------------------------------------------------
# Details of services: schedules, phones, contacts, languages, costs, areas
# ---------------------------------------------------------------------------


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


# HSDS `byday` codes by ISO weekday.
HSDS_WEEKDAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}


class ScheduleKind(models.TextChoices):
    REGULAR = "regular", _("regular opening hours")
    SESSION = "session", _("session")


class Schedule(TenantModel):
    """Opening hours (weekly: `weekday`, `opens_at`, `closes_at`) or a dated session
    (a course date: `dtstart` with optional times). Belongs to a service, a location
    or a service at a location, as in HSDS; `valid_from`/`valid_to` bound either kind."""

    id_hsds = _hsds_id()
    kind = models.CharField(
        _("Type"), max_length=16, choices=ScheduleKind.choices, default=ScheduleKind.REGULAR
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
        verbose_name=_("Offer"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
        verbose_name=_("Location"),
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
        verbose_name=_("Offer at a location"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("Weekday"), choices=Weekday.choices, null=True, blank=True
    )
    opens_at = models.TimeField(_("from"), null=True, blank=True)
    closes_at = models.TimeField(_("until"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    dtstart = models.DateField(_("Date"), null=True, blank=True)
    description = models.TextField(_("Description"), blank=True)
    notes = models.TextField(_("Notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("opening hours", "Time")
        verbose_name_plural = _("Times")
        ordering = ["kind", "weekday", "dtstart", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False)
                | Q(location__isnull=False)
                | Q(service_at_location__isnull=False),
                name="schedule_has_owner",
                violation_error_message=_(
                    "A time belongs to an offer, a place or an offer at a place."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind="session", dtstart__isnull=False)
                | Q(kind="regular", weekday__isnull=False),
                name="schedule_kind_complete",
                violation_error_message=_(
                    "Weekly hours need a weekday, a single date needs its date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="schedule_times_ordered",
                violation_error_message=_("The closing time must be after the opening time."),
            ),
        ]

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of the validity lies before its start.")})

    def __str__(self) -> str:
        times = ""
        if self.opens_at and self.closes_at:
            times = f" {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"
        if self.kind == ScheduleKind.SESSION and self.dtstart:
            return f"{self.dtstart:%d.%m.%Y}{times}"
        return f"{self.get_weekday_display()}{times}"


class Contact(TenantModel):
    """A professional to contact about an organisation, service or location."""

    id_hsds = _hsds_id()
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(_("Name"), max_length=200, blank=True)
    title = models.CharField(pgettext_lazy("contact person", "Title"), max_length=200, blank=True)
    department = models.CharField(_("Department"), max_length=200, blank=True)
    email = models.EmailField(_("Email address"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("person", "Contact")
        verbose_name_plural = _("Contacts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.title or self.email


class PhoneType(models.TextChoices):
    VOICE = "voice", _("Phone")
    CELL = "cell", _("Mobile phone")
    FAX = "fax", _("Fax")
    TEXT = "text", _("Text message")
    VIDEO = "video", _("Video")
    TEXTPHONE = "textphone", _("Textphone")


class Phone(TenantModel):
    """A phone number of an organisation, service, location or contact."""

    id_hsds = _hsds_id()
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(_("Number"), max_length=50)
    extension = models.CharField(_("Extension"), max_length=20, blank=True)
    type = models.CharField(
        _("Type"), max_length=16, choices=PhoneType.choices, default=PhoneType.VOICE
    )
    description = models.CharField(pgettext_lazy("directory", "Note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Phone number")
        verbose_name_plural = _("Phone numbers")

    def __str__(self) -> str:
        return self.number


class Language(TenantModel):
    """A language an offer is available in (ISO 639-1 or 639-3 code, as HSDS)."""

    id_hsds = _hsds_id()
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    code = models.CharField(
        _("Language code (ISO 639)"),
        max_length=3,
        validators=[RegexValidator(r"^[a-z]{2,3}$", _("Please give an ISO 639 language code."))],
    )
    name = models.CharField(_("Language"), max_length=100, blank=True)
    note = models.CharField(pgettext_lazy("directory", "Note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Language")
        verbose_name_plural = _("Languages")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "code"],
                condition=Q(service__isnull=False),
                name="language_service_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.code


class CostOption(TenantModel):
    """A price of an offer (HSDS cost_option)."""

    id_hsds = _hsds_id()
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="cost_options", verbose_name=_("Offer")
    )
    option = models.CharField(_("Option"), max_length=300, blank=True)
    amount = models.DecimalField(_("Amount"), max_digits=9, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("Currency"), max_length=3, default="EUR")
    amount_description = models.CharField(_("Note on the amount"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Cost option")
        verbose_name_plural = _("Cost options")

    def __str__(self) -> str:
        return self.option or f"{self.amount} {self.currency}"


class ServiceArea(TenantModel):
    """Where an offer is meant for: one district, or (`district` empty) the whole
    municipality."""

    id_hsds = _hsds_id()
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_areas", verbose_name=_("Offer")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("District"),
    )
    description = models.TextField(_("Description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Service area")
        verbose_name_plural = _("Service areas")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "district"],
                condition=Q(district__isnull=False),
                name="service_area_district_unique",
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(district__isnull=True),
                name="service_area_whole_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.district.name if self.district else str(_("whole municipality"))


# ---------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------


class ServiceTerm(TenantModel):
    """A taxonomy term (field of action) of an offer (HSDS attribute)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="term_links")
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Field of action of an offer")
        verbose_name_plural = _("Fields of action of offers")
        constraints = [
            models.UniqueConstraint(fields=["service", "term"], name="service_term_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.term}"


class LocationFeature(TenantModel):
    """An accessibility feature (taxonomy term) of a location."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="feature_links")
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Feature of a location")
        verbose_name_plural = _("Features of locations")
        constraints = [
            models.UniqueConstraint(fields=["location", "term"], name="location_feature_unique")
        ]

    def __str__(self) -> str:
        return f"{self.location}: {self.term}"


class LifePhaseMode(models.TextChoices):
    DERIVED = "derived", _("derived from the ages")
    ADDED = "added", _("added")
    REMOVED = "removed", _("removed")


class ServiceLifePhase(TenantModel):
    """A life phase of an offer: derived from its age range, or explicitly added or
    removed by a person (explicit choices survive later changes of the age range)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="life_phase_links")
    life_phase = models.ForeignKey(LifePhase, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(_("Origin"), max_length=16, choices=LifePhaseMode.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Life phase of an offer")
        verbose_name_plural = _("Life phases of offers")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "life_phase"], name="service_life_phase_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.life_phase} ({self.get_mode_display()})"


class ServiceFacet(TenantModel):
    """Denormalised filter keys of an offer ("fa:bildung", "lp:kita", "d:12", "la:tr",
    "ac:stufenlos", "wd:3", "free"), rebuilt by the services whenever an offer or
    anything it shows changes. The search's facet counts read them into an
    in-memory index (kette.directory.facets); its filters are tokens of the
    full-text index (`Service.search_filters`)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="facets")
    key = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="service_facet_unique")
        ]
        indexes = [models.Index(fields=["key", "service"])]

    def __str__(self) -> str:
        return self.key


class FacetVersion(TenantModel):
    """A random token that changes (in the same transaction) whenever the
    municipality's ServiceFacet rows change, so that every process keeping an
    index of them in memory (kette.directory.facets) notices and rebuilds it."""

    token = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="facet_version_unique")
        ]

    def __str__(self) -> str:
        return self.token


class FacetChange(TenantModel):
    """One change of a municipality's ServiceFacet rows: the offers whose keys
    changed as its FacetVersion token went from `previous` to `token`, so that a
    process whose index is at `previous` updates those offers only
    (kette.directory.facets). `service_ids` is comma-separated, or "*" when a
    change touched too many offers to be worth listing (the index is rebuilt)."""

    previous = models.CharField(max_length=32)
    token = models.CharField(max_length=32)
    service_ids = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["municipality", "previous"])]

    def __str__(self) -> str:
        return f"{self.previous} -> {self.token}"


class ProviderAccess(TenantModel):
    """A provider account (Membership role `provider`) may manage the offers of this
    organisation."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="provider_accesses", verbose_name=_("Person")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="provider_accesses",
        verbose_name=_("Provider"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Provider access")
        verbose_name_plural = _("Provider accesses")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="provider_access_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organization}"


# Models of bulk import, settings, reminders and review live in their own module.
from kette.directory.bulk_models import (  # noqa: E402, F401
    ColumnMapping,
    DirectorySettings,
    OfferChange,
    OfferChangeStatus,
    ReminderSent,
)
