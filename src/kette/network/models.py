"""The actor network and steering structure of a municipality (issue 5, DESIGN §5).

Organisations are the directory's `Organization` rows (providers and actors
without offers alike); the network keeps its own facts about them in
`ActorProfile` (one per organisation: its sector). People are professionals in
their function, never children or families; their contact details are shown
only to the municipality's own roles and are pseudonymised in exports by
default. Every row is a tenant row; links stay within one municipality.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kette.core.collation import german
from kette.core.models import TenantModel, TenantQuerySet
from kette.directory.models import LifePhase, Organization, TaxonomyTerm


class Level(models.TextChoices):
    """Hierarchy level of a person or a membership (Hochrangigkeit)."""

    LEADERSHIP = "leadership", _("Leadership level")
    DEPARTMENT = "department", _("Department level")
    OPERATIONAL = "operational", _("Operational level")


class Sector(TenantModel):
    """A sector of the municipality's actor network (Jugendhilfe, Gesundheit, …)."""

    code = models.SlugField(_("Short name"), max_length=80)
    name = models.CharField(_("Name"), max_length=200)
    is_core = models.BooleanField(
        _("Core sector"),
        default=False,
        help_text=_("Core sectors should be represented in every steering body."),
    )
    color = models.CharField(
        _("Colour"),
        max_length=7,
        default="#37474f",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give the colour as #RRGGBB."))],
    )
    position = models.PositiveSmallIntegerField(_("Order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Sector")
        verbose_name_plural = _("Sectors")
        ordering = ["municipality", "position", german("name")]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="sector_code_unique"),
            models.UniqueConstraint(fields=["municipality", "name"], name="sector_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ActorProfile(TenantModel):
    """What the network knows about an organisation (Träger or actor without offers)."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="network_profile",
        verbose_name=_("Organisation"),
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("Sector"),
    )
    note = models.TextField(pgettext_lazy("remark", "Note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Actor profile")
        verbose_name_plural = _("Actor profiles")

    def __str__(self) -> str:
        return f"{self.organization}: {self.sector or '–'}"


class LegalBasis(models.TextChoices):
    PUBLIC_TASK = "public_task", _("public task (Art. 6(1)(e) GDPR)")
    CONSENT = "consent", _("consent (Art. 6(1)(a) GDPR)")
    CONTRACT = "contract", _("cooperation agreement (Art. 6(1)(b) GDPR)")


class Person(TenantModel):
    """A professional in the network, in their function (never a child or a family)."""

    name = models.CharField(_("Name"), max_length=200)
    function = models.CharField(_("Position"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="network_people",
        verbose_name=_("Organisation"),
    )
    level = models.CharField(
        _("Level"), max_length=16, choices=Level.choices, default=Level.OPERATIONAL
    )
    email = models.EmailField(_("Email address"), blank=True)
    phone = models.CharField(_("Phone"), max_length=50, blank=True)
    legal_basis = models.CharField(
        _("Legal basis"),
        max_length=16,
        choices=LegalBasis.choices,
        default=LegalBasis.PUBLIC_TASK,
    )
    legal_basis_note = models.CharField(
        _("Note on the legal basis"),
        max_length=300,
        blank=True,
        help_text=_("e.g. date of consent"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Person")
        verbose_name_plural = _("People")
        ordering = ["municipality", german("name")]

    def __str__(self) -> str:
        return self.name


class BodyKind(models.TextChoices):
    STEERING_GROUP = "steering_group", _("Steering group")
    COORDINATION_OFFICE = "coordination_office", _("Coordination office")
    WORKING_GROUP = "working_group", _("Working group")
    NETWORK = "network", _("Network")
    FORUM = "forum", _("Forum")


class Body(TenantModel):
    """A body (Gremium) of the steering structure; `parent` makes the structure a tree."""

    name = models.CharField(_("Name"), max_length=300)
    kind = models.CharField(_("Kind"), max_length=24, choices=BodyKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("Parent body"),
    )
    mandate = models.TextField(_("Mandate"), blank=True)
    meeting_rhythm = models.CharField(
        _("Meeting frequency"), max_length=200, blank=True, help_text=_("e.g. quarterly")
    )
    life_phases = models.ManyToManyField(
        LifePhase,
        through="BodyLifePhase",
        blank=True,
        related_name="+",
        verbose_name=_("Life phases"),
    )
    fields_of_action = models.ManyToManyField(
        TaxonomyTerm,
        through="BodyFieldOfAction",
        blank=True,
        related_name="+",
        verbose_name=_("Fields of action"),
    )
    position = models.PositiveSmallIntegerField(_("Order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Body")
        verbose_name_plural = _("Bodies")
        ordering = ["municipality", "position", german("name")]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="body_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent.municipality_id != self.municipality_id:
            raise ValidationError({"parent": _("The body belongs to another municipality.")})
        # Walk up: the structure must stay a tree.
        seen = {self.pk}
        node: Body | None = self.parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": _("A body cannot be subordinate to itself.")})
            seen.add(node.pk)
            node = node.parent


class BodyLifePhase(TenantModel):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="life_phase_links")
    life_phase = models.ForeignKey(LifePhase, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "life_phase"], name="body_life_phase_unique")
        ]


class BodyFieldOfAction(TenantModel):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="term_links")
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "term"], name="body_field_of_action_unique")
        ]


class MembershipRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    DEPUTY = "deputy", _("Deputy")
    MEMBER = "member", _("Member")
    SECRETARIAT = "secretariat", _("Secretariat")


class ActiveQuerySet(TenantQuerySet):
    def active_on(self, day: dt.date) -> ActiveQuerySet:
        """Rows whose from/until interval (both inclusive, open ends allowed) holds `day`."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class BodyMembership(TenantModel):
    """A person or an organisation as member of a body."""

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Body")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("Person"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="network_memberships",
        verbose_name=_("Organisation"),
    )
    role = models.CharField(
        _("Role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    level = models.CharField(_("Level"), max_length=16, choices=Level.choices)
    valid_from = models.DateField(_("From"), null=True, blank=True)
    valid_until = models.DateField(_("Until"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("Membership in a body")
        verbose_name_plural = _("Memberships in bodies")
        ordering = ["body", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, organization__isnull=True)
                | Q(person__isnull=True, organization__isnull=False),
                name="body_membership_person_xor_organization",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="body_membership_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.person or self.organization}"

    @property
    def member_organization(self) -> Organization | None:
        """The organisation the member stands for (a person's employer)."""
        if self.person_id is not None:
            return self.person.organization if self.person else None
        return self.organization

    def overlaps(self, other: BodyMembership) -> bool:
        """Whether the two periods share a day (an empty from or until is open)."""
        return (
            self.valid_from is None
            or other.valid_until is None
            or self.valid_from <= other.valid_until
        ) and (
            other.valid_from is None
            or self.valid_until is None
            or other.valid_from <= self.valid_until
        )

    def period_label(self) -> str:
        """The period in words: "seit 01.01.2024", "vom … bis …"."""
        start = date_format(self.valid_from, "SHORT_DATE_FORMAT") if self.valid_from else ""
        end = date_format(self.valid_until, "SHORT_DATE_FORMAT") if self.valid_until else ""
        if start and end:
            return gettext("from %(start)s to %(end)s") % {"start": start, "end": end}
        if start:
            return gettext("since %(start)s") % {"start": start}
        if end:
            return gettext("until %(end)s") % {"end": end}
        return gettext("without start or end date")

    def clean(self) -> None:
        if (self.person_id is None) == (self.organization_id is None):
            raise ValidationError(_("A member is either a person or an organisation, not both."))
        for linked in (self.body, self.person, self.organization):
            if linked is not None and linked.municipality_id != self.municipality_id:
                raise ValidationError(_("The data belong to another municipality."))
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end is before the start.")})


class CooperationKind(models.TextChoices):
    AGREEMENT = "agreement", _("written agreement")
    REFERRAL = "referral", _("referral procedure")
    JOINT_OFFER = "joint_offer", _("joint service")
    INFORMAL = "informal", _("informal exchange")


class Cooperation(TenantModel):
    """An (undirected) cooperation tie between two organisations of one municipality."""

    organization_a = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Organisation A"),
    )
    organization_b = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Organisation B"),
    )
    kind = models.CharField(_("Kind"), max_length=16, choices=CooperationKind.choices)
    strength = models.PositiveSmallIntegerField(
        _("Strength"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("1 = weak, 2 = medium, 3 = strong"),
    )
    valid_from = models.DateField(_("From"), null=True, blank=True)
    valid_until = models.DateField(_("Until"), null=True, blank=True)
    note = models.TextField(pgettext_lazy("remark", "Note"), blank=True)
    history = HistoricalRecords()

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("Cooperation")
        verbose_name_plural = _("Cooperations")
        ordering = ["municipality", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(organization_a=F("organization_b")), name="cooperation_two_sides"
            ),
            models.CheckConstraint(
                condition=Q(strength__gte=1, strength__lte=3), name="cooperation_strength_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="cooperation_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_a} – {self.organization_b} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.organization_a_id is not None and self.organization_a_id == self.organization_b_id:
            raise ValidationError(_("A cooperation connects two different organisations."))
        for side in ("organization_a", "organization_b"):
            org = getattr(self, side) if getattr(self, f"{side}_id") else None
            if org is not None and org.municipality_id != self.municipality_id:
                raise ValidationError(
                    {side: _("The organisation belongs to another municipality.")}
                )
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end is before the start.")})
