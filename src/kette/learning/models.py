"""The learning network: meetings, agenda, working groups, short talks, registrations.

Meetings belong to the programme (the coordination office runs them), not to a
municipality; short talks and registrations carry the municipality they come from.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kette.core.models import Municipality, Programme, TenantModel, TenantQuerySet

SLIDE_EXTENSIONS = ["pdf", "pptx", "odp", "ppt"]
MAX_SLIDES_BYTES = 25 * 1024 * 1024
# Meetings are numbered from 1; a programme holds a few a year.
MAX_MEETING_NUMBER = 999


def random_name(folder: str, filename: str) -> str:
    """A random file name below learning/<folder>/ that keeps only the extension:
    files are served only through permission-checked views, and their address
    must not be guessable from a title or the uploader's file name."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"learning/{folder}/{uuid.uuid4().hex}.{extension}"


def slides_path(instance: Any, filename: str) -> str:
    return random_name("slides", filename)


class Visibility(models.TextChoices):
    """Who sees a meeting (after Indico's public / inheriting / protected)."""

    PUBLIC = "public", _("public")
    NETWORK = "network", _("learning network only")
    PRIVATE = "private", _("coordination office only")


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def for_programme(self, programme: Programme) -> MeetingQuerySet:
        return self.filter(programme=programme)


class Meeting(models.Model):
    """A numbered network meeting (Lernnetzwerktreffen) of a programme."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("programme")
    )
    number = models.PositiveIntegerField(
        _("number"),
        validators=[
            MinValueValidator(1, _("The meeting number must be between 1 and 999.")),
            MaxValueValidator(
                MAX_MEETING_NUMBER, _("The meeting number must be between 1 and 999.")
            ),
        ],
    )
    title = models.CharField(_("title"), max_length=300)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    host_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host municipality"),
    )
    description = models.TextField(_("description"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.NETWORK
    )
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit. Further registrations go onto the waitlist."),
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    call_for_talks_open = models.BooleanField(_("call for short talks open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")
        ordering = ["-starts_on", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="meeting_number_unique_per_programme"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="meeting_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return _("%(number)s. network meeting: %(title)s") % {
            "number": self.number,
            "title": self.title,
        }

    def get_absolute_url(self) -> str:
        return reverse("learning:meeting_detail", kwargs={"number": self.number})

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first day.")})


class AgendaItemKind(models.TextChoices):
    WELCOME = "welcome", _("welcome")
    GREETING = "greeting", _("greeting")
    VIDEO_MESSAGE = "video_message", _("video message")
    KEYNOTE = "keynote", _("keynote")
    PRACTICE_REPORT = "practice_report", _("practice report")
    WORKING_GROUPS = "working_groups", _("working-group phase")
    BREAK = "break", _("break")
    CLOSING = "closing", _("closing")


class AgendaItem(models.Model):
    """An item (TOP) of a meeting's agenda."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    day = models.DateField(_("day"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=AgendaItemKind.choices)
    title = models.CharField(_("title"), max_length=300)
    speakers = models.TextField(
        _("speakers"), blank=True, help_text=_("As it should appear in the agenda.")
    )
    speaker_name = models.CharField(_("speaker's name"), max_length=200, blank=True)
    speaker_organisation = models.CharField(_("speaker's organisation"), max_length=300, blank=True)
    speaker_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("speaker's municipality"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["day", "start_time", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(end_time__gte=F("start_time")),
                name="agenda_item_times_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.start_time:%H:%M} {self.title}"

    def speaker_label(self) -> str:
        """Who speaks, as the agenda, the minutes and the calendar file name them:
        the free text of `speakers` if given (lines kept), else the speaker's
        name, organisation and (municipality)."""
        if self.speakers.strip():
            return self.speakers.strip()
        label = ", ".join(part for part in (self.speaker_name, self.speaker_organisation) if part)
        if self.speaker_municipality_id:
            municipality = self.speaker_municipality.name  # type: ignore[union-attr]
            label = f"{label} ({municipality})" if label else municipality
        return label

    def clean(self) -> None:
        if self.end_time and self.start_time and self.end_time < self.start_time:
            raise ValidationError({"end_time": _("The end cannot be before the start.")})
        meeting = self.meeting if self.meeting_id else None
        if meeting and self.day and not meeting.starts_on <= self.day <= meeting.ends_on:
            raise ValidationError({"day": _("The day must lie within the meeting's dates.")})


class WorkingGroup(models.Model):
    """A working group (Arbeitsgruppe) of a meeting, usually in the afternoon."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="working_groups", verbose_name=_("meeting")
    )
    title = models.CharField(_("title"), max_length=300)
    topic = models.TextField(_("topic"), blank=True)
    moderators = models.CharField(_("moderation"), max_length=300, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class ContributionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")


class Contribution(TenantModel):
    """A short talk (Kurzreferat) a municipality offers to a working group."""

    working_group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.CASCADE,
        related_name="contributions",
        verbose_name=_("working group"),
    )
    presenter = models.CharField(_("presenter"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    abstract = models.TextField(_("abstract"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ContributionStatus.choices,
        default=ContributionStatus.SUBMITTED,
    )
    slides = models.FileField(
        _("slides"),
        upload_to=slides_path,
        blank=True,
        validators=[FileExtensionValidator(SLIDE_EXTENSIONS)],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("short talk")
        verbose_name_plural = _("short talks")
        ordering = ["order", "created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    WAITLISTED = "waitlisted", _("waitlist")
    CANCELLED = "cancelled", _("cancelled")


class Attendance(models.TextChoices):
    ATTENDED = "attended", _("attended")
    ABSENT = "absent", _("absent")
    EXCUSED = "excused", _("excused")
    WALK_IN = "walk_in", _("walk-in")


PRESENT = (Attendance.ATTENDED, Attendance.WALK_IN)


class Registration(models.Model):
    """A person's registration for a meeting, and later their attendance.

    `needs` (accessibility or dietary needs) is sensitive: it is kept out of the
    history and emptied after the meeting (`kette purge_registration_needs`).
    """

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("meeting")
    )
    person_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    organisation = models.CharField(
        _("organisation"),
        max_length=300,
        blank=True,
        help_text=_("For guests who do not come from a programme municipality."),
    )
    working_group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("working group"),
    )
    needs = models.TextField(
        _("accessibility or dietary needs"),
        blank=True,
        help_text=_("Deleted automatically after the meeting."),
    )
    needs_purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance.choices, blank=True
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The needs never enter the history, so deleting them deletes them.
    history = HistoricalRecords(excluded_fields=["needs"])

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email"],
                condition=~Q(status="cancelled"),
                name="one_active_registration_per_email_and_meeting",
            )
        ]

    def __str__(self) -> str:
        return self.person_name

    @property
    def is_present(self) -> bool:
        return self.attendance in PRESENT


class Minutes(models.Model):
    """The minutes (Protokoll) of a meeting, structured by its agenda items."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("meeting")
    )
    introduction = models.TextField(_("introduction"), blank=True)
    published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Published minutes are visible to everyone who may see the meeting."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return _("Minutes of %(meeting)s") % {"meeting": self.meeting}


class MinutesEntry(models.Model):
    """What was said and agreed under one agenda item."""

    minutes = models.ForeignKey(
        Minutes, on_delete=models.CASCADE, related_name="entries", verbose_name=_("minutes")
    )
    agenda_item = models.OneToOneField(
        AgendaItem,
        on_delete=models.CASCADE,
        related_name="minutes_entry",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("minutes text"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes entry")
        verbose_name_plural = _("minutes entries")

    def __str__(self) -> str:
        return str(self.agenda_item)


def document_path(instance: Any, filename: str) -> str:
    return random_name("documents", filename)


def photo_path(instance: Any, filename: str) -> str:
    return random_name("photos", filename)


class DocumentKind(models.TextChoices):
    SLIDES = "slides", _("slides")
    HANDOUT = "handout", _("handout")
    OTHER = "other", _("other document")


class MaterialAudience(models.TextChoices):
    """Who may download a meeting's document or see its photo."""

    MEETING = "meeting", _("everyone who may see the meeting")
    NETWORK = "network", _("learning network only")


class MeetingMaterial(models.Model):
    """What documents and photos of a meeting share: who may see them, who uploaded."""

    audience = models.CharField(
        _("who may see it"),
        max_length=16,
        choices=MaterialAudience.choices,
        default=MaterialAudience.MEETING,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class MeetingDocument(MeetingMaterial):
    """Slides, handouts and other documents of a meeting, uploaded by the office."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="documents", verbose_name=_("meeting")
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=16, choices=DocumentKind.choices, default=DocumentKind.HANDOUT
    )
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["kind", "title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1].lower()


class MeetingPhoto(MeetingMaterial):
    """A photo of a meeting. Stored re-encoded without any metadata (EXIF, GPS,
    XMP, ICC); caption, credit and alt text are required."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="photos", verbose_name=_("meeting")
    )
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    caption = models.CharField(_("caption"), max_length=500)
    credit = models.CharField(
        _("photo credit"),
        max_length=200,
        help_text=_('Who took the photo; shown as "Photo: …".'),
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=500,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting photo")
        verbose_name_plural = _("meeting photos")
        ordering = ["order", "created_at", "pk"]

    def __str__(self) -> str:
        return self.caption

    def get_absolute_url(self) -> str:
        return reverse(
            "learning:meeting_photo", kwargs={"number": self.meeting.number, "photo_pk": self.pk}
        )


class MeetingInvitation(models.Model):
    """That a coordinator was invited to a meeting (so a second run does not mail
    them again)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("meeting")
    )
    email = models.EmailField(_("e-mail address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited person"),
    )
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email"], name="one_invitation_per_email_and_meeting"
            )
        ]

    def __str__(self) -> str:
        return self.email


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        return self.filter(status=ArticleStatus.PUBLISHED)


class Article(models.Model):
    """A news post (Bericht) of the coordination office about a meeting.

    Published articles are public: on the programme's news page, on the meeting's
    page and on the public pages of the municipalities involved (the host and
    those that gave a talk or a practice report).
    """

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="articles", verbose_name=_("meeting")
    )
    title = models.CharField(_("headline"), max_length=300)
    teaser = models.TextField(_("teaser"), help_text=_("One or two sentences for the overview."))
    body = models.TextField(_("text"), help_text=_("Paragraphs separated by a blank line."))
    photos = models.ManyToManyField(
        MeetingPhoto,
        blank=True,
        related_name="articles",
        verbose_name=_("photos from the meeting's gallery"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = [F("published_at").desc(nulls_first=True), "-created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:article_detail", kwargs={"article_pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class LifePhase(models.TextChoices):
    """The programme's default life phases (a municipality's own boundaries live in
    the directory once it exists)."""

    PREGNANCY = "pregnancy", _("pregnancy and birth")
    EARLY_CHILDHOOD = "0-3", _("early childhood (0–3)")
    KITA = "3-6", _("day care (3–6)")
    PRIMARY = "6-10", _("primary school (6–10)")
    SECONDARY = "10-16", _("secondary school (10–16)")
    TRANSITION_WORK = "16-27", _("school to work (16–27)")


class PracticeExampleStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class PracticeExampleQuerySet(TenantQuerySet):
    def published(self) -> models.QuerySet[Any]:
        return self.filter(status=PracticeExampleStatus.PUBLISHED)


class PracticeExample(TenantModel):
    """A practice example (Praxisbeispiel) a municipality shares with the network."""

    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    life_phases = models.JSONField(_("life phases"), default=list, blank=True)
    fields_of_action = models.CharField(
        _("fields of action"),
        max_length=500,
        blank=True,
        help_text=_("For example: early help, language support, parental work."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_role = models.CharField(_("function"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contributions = models.ManyToManyField(
        Contribution,
        blank=True,
        related_name="practice_examples",
        verbose_name=_("short talks it came from"),
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=16,
        choices=[
            (Visibility.PUBLIC, Visibility.PUBLIC.label),
            (Visibility.NETWORK, Visibility.NETWORK.label),
        ],
        default=Visibility.NETWORK,
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PracticeExampleStatus.choices,
        default=PracticeExampleStatus.DRAFT,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = PracticeExampleQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice example")
        verbose_name_plural = _("practice examples")
        ordering = ["-updated_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:practice_example_detail", kwargs={"example_pk": self.pk})

    def life_phase_labels(self) -> list[str]:
        labels = dict(LifePhase.choices)
        return [str(labels[value]) for value in self.life_phases if value in labels]


def attachment_path(instance: Any, filename: str) -> str:
    return random_name("practice", filename)


class PracticeExampleAttachment(TenantModel):
    """A document attached to a practice example (concept, flyer, slides). Checked by
    content like the meeting documents, stored under a random name, served only to
    those who may read the example."""

    example = models.ForeignKey(
        PracticeExample,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("practice example"),
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1].lower()
