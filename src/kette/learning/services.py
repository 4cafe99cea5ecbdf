"""Writes of the learning network. Every service is keyword-only, atomic and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kette.core.audit import audited_delete, audited_save
from kette.core.mail import in_mail_language
from kette.core.models import Membership, Municipality, Programme, Role, User
from kette.directory import search
from kette.learning import uploads
from kette.learning.models import (
    MAX_SLIDES_BYTES,
    AgendaItem,
    Article,
    ArticleStatus,
    Attendance,
    Contribution,
    ContributionStatus,
    MaterialAudience,
    Meeting,
    MeetingDocument,
    MeetingInvitation,
    MeetingPhoto,
    Minutes,
    MinutesEntry,
    PracticeExample,
    PracticeExampleAttachment,
    Registration,
    RegistrationStatus,
    Visibility,
    WorkingGroup,
)

CANCEL_SALT = "kette.learning.registration_cancel"
# A cancellation link works for this long after it was issued (and never after
# the meeting has begun).
CANCEL_MAX_AGE = dt.timedelta(days=365)

MEETING_FIELDS = {
    "title",
    "starts_on",
    "ends_on",
    "venue",
    "host_municipality",
    "description",
    "visibility",
    "capacity",
    "registration_open",
    "call_for_talks_open",
}
AGENDA_FIELDS = {
    "day",
    "start_time",
    "end_time",
    "kind",
    "title",
    "speakers",
    "speaker_name",
    "speaker_organisation",
    "speaker_municipality",
    "order",
}
WORKING_GROUP_FIELDS = {"title", "topic", "moderators", "room", "order"}


def _day(day: dt.date) -> str:
    """A date in mails and messages, in the active language's short format
    (13.09.2017; in English 13 Sep 2017)."""
    return date_format(day, "SHORT_DATE_FORMAT")


def _assign(instance: Any, allowed: set[str], fields: dict[str, Any]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)


# Meetings ------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *, actor: User | None, programme: Programme, number: int | None = None, **fields: Any
) -> Meeting:
    """Create a meeting; without `number` it gets the programme's next number."""
    if number is None:
        highest = Meeting.objects.for_programme(programme).aggregate(n=Max("number"))["n"]
        number = (highest or 0) + 1
    meeting = Meeting(programme=programme, number=number)
    _assign(meeting, MEETING_FIELDS, fields)
    if meeting.host_municipality and meeting.host_municipality.programme_id != programme.pk:
        raise ValidationError({"host_municipality": _("The host is not part of the programme.")})
    audited_save(meeting, actor=actor)
    return meeting


@dataclass(frozen=True)
class MeetingChange:
    """What `meeting_update` did besides saving the meeting."""

    meeting: Meeting
    moved_items: int  # agenda items moved with the meeting's dates
    told: int  # people registered or waiting who were mailed the new date or venue
    told_invited: int = 0  # coordinators invited (not registered) who were mailed it


@transaction.atomic
def meeting_update(
    *, actor: User | None, meeting: Meeting, cancel_url_template: str = "", **fields: Any
) -> MeetingChange:
    """Change a meeting's fields; more places move people up from the waitlist.

    When the first day moves, every agenda item moves by as many days, keeping
    its day relative to the first (so the agenda and the calendar file follow).
    A change that would leave items after the new last day is refused, naming
    them: which of them to drop or move is the office's decision. When the dates
    or the venue of a meeting that is not over change, everyone registered or
    on the waitlist is mailed the new date and venue after commit, with a fresh
    cancellation link when `cancel_url_template` (an absolute URL with `{token}`)
    is given, and so are the coordinators who were invited and have not
    registered themselves (with the invitation's links).
    """
    before = Meeting.objects.get(pk=meeting.pk)
    _assign(meeting, MEETING_FIELDS, fields)
    host = meeting.host_municipality
    if host and host.programme_id != meeting.programme_id:
        raise ValidationError({"host_municipality": _("The host is not part of the programme.")})
    shift = meeting.starts_on - before.starts_on
    dates_changed = (meeting.starts_on, meeting.ends_on) != (before.starts_on, before.ends_on)
    items = (
        list(meeting.agenda_items.order_by("day", "start_time", "order", "pk"))
        if dates_changed
        else []
    )
    _refuse_items_after_the_end(items, shift, meeting.ends_on)
    audited_save(meeting, actor=actor)
    moved = items if shift else []
    for item in moved:
        item.meeting = meeting
        item.day += shift
        audited_save(item, actor=actor)
    told = told_invited = 0
    if (dates_changed or meeting.venue != before.venue) and (
        meeting.ends_on >= timezone.localdate()
    ):
        told = _mail_new_date_or_venue(meeting, cancel_url_template)
        told_invited = _mail_invited_new_date_or_venue(meeting)
    _move_up_from_waitlist(meeting, actor=actor)
    return MeetingChange(
        meeting=meeting, moved_items=len(moved), told=told, told_invited=told_invited
    )


def _refuse_items_after_the_end(
    items: list[AgendaItem], shift: dt.timedelta, ends_on: dt.date
) -> None:
    after = [item for item in items if item.day + shift > ends_on]
    if after:
        names = ", ".join(
            f"{item.title} ({_day(item.day + shift)}, {item.start_time:%H:%M})" for item in after
        )
        raise ValidationError(
            {
                "ends_on": _(
                    "These agenda items would lie after the last day: %(items)s. "
                    "Move them to an earlier day or delete them first."
                )
                % {"items": names}
            }
        )


@in_mail_language
def _mail_new_date_or_venue(meeting: Meeting, cancel_url_template: str) -> int:
    """Tell everyone registered or waiting the meeting's new date and venue."""
    subject = _("Change of date or venue: %(meeting)s on %(date)s") % {
        "meeting": meeting,
        "date": _day(meeting.starts_on),
    }
    return _mail_registered(
        meeting, subject, "learning/email/meeting_changed.txt", cancel_url_template
    )


@in_mail_language
def _mail_registered(
    meeting: Meeting, subject: str, template: str, cancel_url_template: str = ""
) -> int:
    """Mail everyone registered or waiting for the meeting after commit; `template`
    gets the meeting, the registration and, with `cancel_url_template`, a fresh
    cancellation link. Returns how many were mailed."""
    people = meeting.registrations.exclude(status=RegistrationStatus.CANCELLED).order_by("pk")
    told = 0
    for registration in people:
        link = ""
        if cancel_url_template:
            token = registration_cancel_token(registration)
            link = cancel_url_template.replace("{token}", token)
        body = render_to_string(
            template, {"meeting": meeting, "registration": registration, "cancel_link": link}
        )
        _mail_after_commit(registration.email, subject, body)
        told += 1
    return told


@transaction.atomic
def meeting_delete(*, actor: User | None, meeting: Meeting) -> int:
    """Delete a meeting with everything that belongs to it: agenda, working groups,
    short talks, registrations, invitations, minutes, documents, photos and the
    articles about it, each deletion recorded; the stored files (slides,
    documents, photos) go once the transaction has committed. Everyone
    registered or waiting for a meeting that is not over is told by e-mail that
    it does not take place. Returns how many were told. The confirmation page
    says all this first (`selectors.meeting_dependants`)."""
    meeting = _lock_meeting(meeting)
    told = 0
    if meeting.ends_on >= timezone.localdate():
        told = _mail_meeting_cancelled(meeting)
    for article in meeting.articles.all():
        audited_delete(article, actor=actor)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is not None:
        for entry in minutes.entries.all():
            audited_delete(entry, actor=actor)
        audited_delete(minutes, actor=actor)
    for photo in meeting.photos.all():
        meeting_photo_delete(actor=actor, photo=photo)
    for document in meeting.documents.all():
        meeting_document_delete(actor=actor, document=document)
    for registration in meeting.registrations.all():
        audited_delete(registration, actor=actor)
    for group in meeting.working_groups.all():
        working_group_delete(actor=actor, group=group)
    meeting.invitations.all().delete()  # no history of their own
    for item in meeting.agenda_items.all():
        audited_delete(item, actor=actor)
    audited_delete(meeting, actor=actor)
    return told


@in_mail_language
def _mail_meeting_cancelled(meeting: Meeting) -> int:
    """Tell everyone registered or waiting that the meeting does not take place."""
    subject = _("Cancelled: %(meeting)s on %(date)s") % {
        "meeting": meeting,
        "date": _day(meeting.starts_on),
    }
    return _mail_registered(meeting, subject, "learning/email/meeting_cancelled.txt")


# Agenda and working groups ----------------------------------------------------


@transaction.atomic
def agenda_item_create(*, actor: User | None, meeting: Meeting, **fields: Any) -> AgendaItem:
    """Add an item to the agenda (on the meeting's first day unless `day` is given)."""
    item = AgendaItem(meeting=meeting, day=meeting.starts_on)
    _assign(item, AGENDA_FIELDS, fields)
    audited_save(item, actor=actor)
    return item


@transaction.atomic
def agenda_item_update(*, actor: User | None, item: AgendaItem, **fields: Any) -> AgendaItem:
    _assign(item, AGENDA_FIELDS, fields)
    audited_save(item, actor=actor)
    return item


@transaction.atomic
def agenda_item_delete(*, actor: User | None, item: AgendaItem) -> None:
    audited_delete(item, actor=actor)


@transaction.atomic
def working_group_create(*, actor: User | None, meeting: Meeting, **fields: Any) -> WorkingGroup:
    group = WorkingGroup(meeting=meeting)
    _assign(group, WORKING_GROUP_FIELDS, fields)
    audited_save(group, actor=actor)
    return group


@transaction.atomic
def working_group_update(*, actor: User | None, group: WorkingGroup, **fields: Any) -> WorkingGroup:
    _assign(group, WORKING_GROUP_FIELDS, fields)
    audited_save(group, actor=actor)
    return group


@transaction.atomic
def working_group_delete(*, actor: User | None, group: WorkingGroup) -> None:
    """Delete a working group with its short talks and their slides (the files go
    once the transaction has committed); registrations lose their choice. The
    confirmation page says all this first (`selectors.working_group_dependants`)."""
    for contribution in group.contributions.all():
        if contribution.slides:
            _remove_file_after_commit(contribution.slides)
        audited_delete(contribution, actor=actor)
    for registration in group.registrations.all():
        registration.working_group = None
        audited_save(registration, actor=actor)
    audited_delete(group, actor=actor)


# Short talks ------------------------------------------------------------------


def _check_slides(slides: UploadedFile | None) -> None:
    if slides is not None and slides.size and slides.size > MAX_SLIDES_BYTES:
        raise ValidationError(
            {"slides": _("The file is too large (at most %(mb)s MB).") % {"mb": 25}}
        )


@transaction.atomic
def contribution_submit(
    *,
    actor: User | None,
    municipality: Municipality,
    working_group: WorkingGroup,
    presenter: str,
    title: str,
    abstract: str = "",
    slides: UploadedFile | None = None,
) -> Contribution:
    """A municipality offers a short talk to a working group; the coordination
    office then accepts or declines it. Refused when the call is closed or the
    meeting is over."""
    meeting = working_group.meeting
    if meeting.ends_on < timezone.localdate():
        raise ValidationError(_("This meeting is over."))
    if not meeting.call_for_talks_open:
        raise ValidationError(_("The call for short talks for this meeting is closed."))
    _check_slides(slides)
    return _contribution_new(
        actor, municipality, working_group, presenter, title, abstract, slides=slides
    )


def _contribution_new(
    actor: User | None,
    municipality: Municipality,
    working_group: WorkingGroup,
    presenter: str,
    title: str,
    abstract: str,
    slides: UploadedFile | None = None,
) -> Contribution:
    """Save a new short talk of a municipality of the meeting's programme."""
    if municipality.programme_id != working_group.meeting.programme_id:
        raise ValidationError(_("The municipality is not part of this meeting's programme."))
    contribution = Contribution(
        municipality=municipality,
        working_group=working_group,
        presenter=presenter,
        title=title,
        abstract=abstract,
        submitted_by=actor,
    )
    if slides is not None:
        contribution.slides = slides
    audited_save(contribution, actor=actor)
    return contribution


def _set_status(contribution: Contribution, status: str, actor: User | None) -> Contribution:
    """Save a decision; a changed one is mailed to whoever offered the talk."""
    if contribution.status != status:
        contribution.status = status
        audited_save(contribution, actor=actor)
        _mail_decision(contribution, actor)
    return contribution


@in_mail_language
def _mail_decision(contribution: Contribution, actor: User | None) -> None:
    """Tell the person who offered the talk that it was accepted or declined (not
    when they decided themselves, as when the office records an earlier talk)."""
    person = contribution.submitted_by
    if person is None or not person.email or (actor is not None and person.pk == actor.pk):
        return
    meeting = contribution.working_group.meeting
    accepted = contribution.status == ContributionStatus.ACCEPTED
    if accepted:
        subject = _("Your short talk has been accepted: %(title)s")
    else:
        subject = _("Your short talk has not been accepted: %(title)s")
    talks_url = settings.KETTE_BASE_URL.rstrip("/") + reverse(
        "learning:contribution_submit",
        kwargs={"municipality_slug": contribution.municipality.slug, "number": meeting.number},
    )
    body = render_to_string(
        "learning/email/contribution_decided.txt",
        {
            "person": person,
            "contribution": contribution,
            "meeting": meeting,
            "accepted": accepted,
            "talks_url": talks_url,
        },
    )
    _mail_after_commit(person.email, subject % {"title": contribution.title}, body)


@transaction.atomic
def contribution_record(
    *,
    actor: User | None,
    municipality: Municipality,
    working_group: WorkingGroup,
    presenter: str,
    title: str,
    abstract: str = "",
) -> Contribution:
    """Record a short talk given at an earlier meeting (as its minutes tell it):
    accepted at once, with no call for talks and no date to check."""
    contribution = _contribution_new(actor, municipality, working_group, presenter, title, abstract)
    return contribution_accept(actor=actor, contribution=contribution)


@transaction.atomic
def contribution_accept(*, actor: User | None, contribution: Contribution) -> Contribution:
    """Accept a short talk: it appears in its working group on the meeting page,
    and the person who offered it is told by e-mail after commit."""
    if contribution.order == 0:
        highest = contribution.working_group.contributions.aggregate(n=Max("order"))["n"]
        contribution.order = (highest or 0) + 1
    return _set_status(contribution, ContributionStatus.ACCEPTED, actor)


@transaction.atomic
def contribution_decline(*, actor: User | None, contribution: Contribution) -> Contribution:
    """Decline a short talk: it stays visible to its municipality only, and the
    person who offered it is told by e-mail after commit."""
    return _set_status(contribution, ContributionStatus.DECLINED, actor)


# Registrations -------------------------------------------------------------------


def registered_count(meeting: Meeting) -> int:
    return meeting.registrations.filter(status=RegistrationStatus.REGISTERED).count()


def _has_place(meeting: Meeting) -> bool:
    return meeting.capacity is None or registered_count(meeting) < meeting.capacity


def _lock_meeting(meeting: Meeting) -> Meeting:
    # Serialises registrations of one meeting (PostgreSQL row lock; SQLite
    # transactions are IMMEDIATE and serialise anyway), so the capacity holds.
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _move_up_from_waitlist(meeting: Meeting, *, actor: User | None) -> list[Registration]:
    """Give free places to the waitlist in the order people registered."""
    moved: list[Registration] = []
    waiting = meeting.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
        "created_at", "pk"
    )
    for registration in waiting:
        if not _has_place(meeting):
            break
        registration.status = RegistrationStatus.REGISTERED
        audited_save(registration, actor=actor)
        moved.append(registration)
        _notify_moved_up(registration)
    return moved


def _mail_after_commit(email: str, subject: str, body: str) -> None:
    """Mail once the transaction has committed: a write that is rolled back
    mails nobody."""
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email]))


@in_mail_language
def _notify_moved_up(registration: Registration) -> None:
    body = _(
        "Good news: a place has become free at %(meeting)s on %(date)s. You are now registered."
    ) % {"meeting": registration.meeting, "date": _day(registration.meeting.starts_on)}
    _mail_after_commit(registration.email, _("You are registered"), body)


@transaction.atomic
def registration_create(
    *,
    actor: User | None,
    meeting: Meeting,
    person_name: str,
    email: str,
    municipality: Municipality | None = None,
    organisation: str = "",
    working_group: WorkingGroup | None = None,
    needs: str = "",
    cancel_url_template: str = "",
) -> Registration:
    """Register a person: a place while there is one, else the waitlist.

    `cancel_url_template` (an absolute URL with `{token}`) is mailed to the person
    with the confirmation, so they can cancel without an account.
    """
    meeting = _lock_meeting(meeting)
    if not meeting.registration_open:
        raise ValidationError(_("Registration for this meeting is closed."))
    if meeting.ends_on < timezone.localdate():
        raise ValidationError(_("This meeting is over."))
    if municipality is not None and municipality.programme_id != meeting.programme_id:
        raise ValidationError(_("The municipality is not part of this meeting's programme."))
    if working_group is not None and working_group.meeting_id != meeting.pk:
        raise ValidationError(
            {"working_group": _("This working group belongs to another meeting.")}
        )
    email = email.strip().lower()
    if (
        meeting.registrations.filter(email=email)
        .exclude(status=RegistrationStatus.CANCELLED)
        .exists()
    ):
        raise ValidationError({"email": _("This person is already registered for the meeting.")})
    registration = Registration(
        meeting=meeting,
        person_name=person_name.strip(),
        email=email,
        municipality=municipality,
        organisation=organisation,
        working_group=working_group,
        needs=needs,
        registered_by=actor,
        status=RegistrationStatus.REGISTERED
        if _has_place(meeting)
        else RegistrationStatus.WAITLISTED,
    )
    audited_save(registration, actor=actor)
    if cancel_url_template:
        _mail_confirmation(registration, cancel_url_template)
    return registration


@in_mail_language
def _mail_confirmation(registration: Registration, cancel_url_template: str) -> None:
    link = cancel_url_template.replace("{token}", registration_cancel_token(registration))
    if registration.status == RegistrationStatus.WAITLISTED:
        state = _("You are on the waitlist; we will write to you when a place becomes free.")
    else:
        state = _("You are registered.")
    body = _(
        "Hello %(name)s,\n\n%(state)s\n\n%(meeting)s, %(date)s, %(venue)s\n\n"
        "If you cannot come, please cancel with this link:\n%(link)s"
    ) % {
        "name": registration.person_name,
        "state": state,
        "meeting": registration.meeting,
        "date": _day(registration.meeting.starts_on),
        "venue": registration.meeting.venue,
        "link": link,
    }
    _mail_after_commit(registration.email, _("Your registration"), body)


def registration_cancel_token(registration: Registration) -> str:
    """A signed, expiring token that lets the person cancel without logging in."""
    return signing.dumps(
        {"r": registration.pk, "m": registration.meeting_id}, salt=CANCEL_SALT, compress=True
    )


class InvalidCancellation(Exception):
    """The cancellation link is broken, expired or the meeting has begun."""


def registration_from_token(token: str) -> Registration:
    """The registration a cancellation token names; raises InvalidCancellation."""
    try:
        data = signing.loads(token, salt=CANCEL_SALT, max_age=CANCEL_MAX_AGE)
    except signing.SignatureExpired as error:
        raise InvalidCancellation(_("This cancellation link has expired.")) from error
    except signing.BadSignature as error:
        raise InvalidCancellation(_("This cancellation link is not valid.")) from error
    registration = (
        Registration.objects.select_related("meeting")
        .filter(pk=data.get("r"), meeting_id=data.get("m"))
        .first()
    )
    if registration is None:
        raise InvalidCancellation(_("This cancellation link is not valid."))
    if registration.meeting.starts_on <= timezone.localdate():
        raise InvalidCancellation(
            _("The meeting has begun; please tell the coordination office directly.")
        )
    return registration


@transaction.atomic
def registration_cancel(
    *, actor: User | None, registration: Registration, by_the_person: bool = False
) -> Registration:
    """Cancel a registration (idempotent): the person is told by e-mail (also when
    they cancelled themselves, as a confirmation), the first on the waitlist
    moves up. Refused once the meeting has begun. The mails are in the default
    language; with `by_the_person` (they cancel through their own link) their
    confirmation is in the language they are using."""
    meeting = _lock_meeting(registration.meeting)
    registration = Registration.objects.get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    if meeting.starts_on <= timezone.localdate():
        # what happened is recorded at the door, not undone afterwards
        raise ValidationError(_("The meeting has begun; registrations can no longer be cancelled."))
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.needs = ""
    audited_save(registration, actor=actor)
    if by_the_person:
        _mail_cancellation(meeting, registration)
    else:
        in_mail_language(_mail_cancellation)(meeting, registration)
    _move_up_from_waitlist(meeting, actor=actor)
    return registration


def _mail_cancellation(meeting: Meeting, registration: Registration) -> None:
    _mail_after_commit(
        registration.email,
        _("Registration cancelled: %(meeting)s on %(date)s")
        % {"meeting": meeting, "date": _day(meeting.starts_on)},
        render_to_string(
            "learning/email/registration_cancelled.txt",
            {"meeting": meeting, "registration": registration},
        ),
    )


@transaction.atomic
def registration_cancel_by_token(*, token: str) -> Registration:
    """Cancel through a signed link (no account needed); the confirmation is in the
    language the person is using."""
    return registration_cancel(
        actor=None, registration=registration_from_token(token), by_the_person=True
    )


@transaction.atomic
def attendance_set(
    *, actor: User | None, registration: Registration, attendance: str
) -> Registration:
    """Record at the door whether someone attended, was absent or excused."""
    if attendance not in {*Attendance.values, ""}:
        raise ValidationError({"attendance": _("Unknown attendance.")})
    if registration.attendance != attendance:
        registration.attendance = attendance
        audited_save(registration, actor=actor)
    return registration


@transaction.atomic
def walk_in_create(
    *,
    actor: User | None,
    meeting: Meeting,
    person_name: str,
    email: str,
    municipality: Municipality | None = None,
    organisation: str = "",
) -> Registration:
    """Someone came without registering: record them as a walk-in (no capacity
    check). Someone registered is checked in; someone on the waitlist who is let
    in is registered too (a badge, no later move-up mail)."""
    if municipality is not None and municipality.programme_id != meeting.programme_id:
        raise ValidationError(_("The municipality is not part of this meeting's programme."))
    email = email.strip().lower()
    existing = (
        meeting.registrations.filter(email=email)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if existing is not None:
        if existing.status == RegistrationStatus.WAITLISTED:
            existing.status = RegistrationStatus.REGISTERED
            existing.attendance = Attendance.ATTENDED
            audited_save(existing, actor=actor)
            return existing
        return attendance_set(actor=actor, registration=existing, attendance=Attendance.ATTENDED)
    registration = Registration(
        meeting=meeting,
        person_name=person_name.strip(),
        email=email,
        municipality=municipality,
        organisation=organisation,
        status=RegistrationStatus.REGISTERED,
        attendance=Attendance.WALK_IN,
        registered_by=actor,
    )
    audited_save(registration, actor=actor)
    return registration


@transaction.atomic
def registration_record(
    *,
    actor: User | None,
    meeting: Meeting,
    person_name: str,
    email: str,
    attendance: str,
    municipality: Municipality | None = None,
    organisation: str = "",
    working_group: WorkingGroup | None = None,
) -> Registration:
    """Record a registration with its attendance after the fact (a paper list of an
    earlier meeting): no capacity, waitlist or mail. Updates the person's existing
    registration for the meeting, so rerunning an import changes nothing."""
    if municipality is not None and municipality.programme_id != meeting.programme_id:
        raise ValidationError(_("The municipality is not part of this meeting's programme."))
    email = email.strip().lower()
    registration = (
        meeting.registrations.filter(email=email)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    ) or Registration(meeting=meeting, email=email, registered_by=actor)
    values = {
        "person_name": person_name.strip(),
        "municipality": municipality,
        "organisation": organisation,
        "working_group": working_group,
        "attendance": attendance,
        "status": RegistrationStatus.REGISTERED,
    }
    if registration.pk is None or any(getattr(registration, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(registration, key, value)
        audited_save(registration, actor=actor)
    return registration


@dataclass(frozen=True)
class PurgeResult:
    registrations: int
    meetings: int


@transaction.atomic
def registration_needs_purge(*, today: dt.date | None = None) -> PurgeResult:
    """Empty the accessibility and dietary needs of every meeting that is over.

    Idempotent: a second run finds nothing. The needs are not in the history, so
    nothing of them remains.
    """
    today = today or timezone.localdate()
    rows = Registration.objects.filter(meeting__ends_on__lt=today).exclude(needs="")
    meetings = rows.values("meeting_id").distinct().count()
    count = rows.update(needs="", needs_purged_at=timezone.now())
    return PurgeResult(registrations=count, meetings=meetings)


# Minutes -------------------------------------------------------------------------------


@transaction.atomic
def minutes_save(
    *,
    actor: User | None,
    meeting: Meeting,
    introduction: str,
    texts: dict[int, str],
    published: bool,
) -> Minutes:
    """Write the minutes: an introduction and a text per agenda item (keyed by the
    item's id; ids of other meetings' items are refused). Unchanged parts record
    no history."""
    minutes = Minutes.objects.filter(meeting=meeting).first() or Minutes(meeting=meeting)
    if minutes.pk is None or (minutes.introduction, minutes.published) != (
        introduction,
        published,
    ):
        minutes.introduction = introduction
        minutes.published = published
        audited_save(minutes, actor=actor)
    items = {item.pk: item for item in meeting.agenda_items.all()}
    unknown = set(texts) - set(items)
    if unknown:
        raise ValidationError(_("These agenda items belong to another meeting."))
    existing = {entry.agenda_item_id: entry for entry in minutes.entries.all()}
    for item_pk, text in texts.items():
        entry = existing.get(item_pk)
        if entry is None:
            if not text.strip():
                continue
            entry = MinutesEntry(minutes=minutes, agenda_item=items[item_pk])
        elif entry.text == text:
            continue
        entry.text = text
        audited_save(entry, actor=actor)
    return minutes


# Documents and photos ---------------------------------------------------------------


@transaction.atomic
def meeting_document_add(
    *,
    actor: User | None,
    meeting: Meeting,
    file: UploadedFile,
    title: str,
    kind: str,
    audience: str,
) -> MeetingDocument:
    """Attach a document (slides, handout) to a meeting. Only PDF, Office Open XML
    and OpenDocument files whose content matches their extension are accepted;
    the file is stored under a random name."""
    try:
        extension = uploads.check_document(file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    document = MeetingDocument(
        meeting=meeting, title=title, kind=kind, audience=audience, uploaded_by=actor
    )
    document.file.save(f"document.{extension}", file, save=False)
    _save_or_remove_file(document, document.file, actor)
    return document


@transaction.atomic
def meeting_photo_add(
    *,
    actor: User | None,
    meeting: Meeting,
    image: UploadedFile,
    caption: str,
    credit: str,
    alt_text: str,
    audience: str,
) -> MeetingPhoto:
    """Add a photo to a meeting's gallery: re-encoded without EXIF (GPS included)
    or any other metadata, upright by its orientation; caption, credit and
    alternative text are required."""
    missing = {
        name: forms.Field.default_error_messages["required"]
        for name, value in (("caption", caption), ("credit", credit), ("alt_text", alt_text))
        if not value.strip()
    }
    if missing:
        raise ValidationError(missing)
    try:
        clean = uploads.clean_photo(image)
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from error
    credit = credit.strip()
    for prefix in ("Foto:", "Fotos:", "Photo:", "©"):
        if credit.lower().startswith(prefix.lower()):
            credit = credit[len(prefix) :].strip()
    highest = meeting.photos.aggregate(n=Max("order"))["n"]
    photo = MeetingPhoto(
        meeting=meeting,
        caption=caption.strip(),
        credit=credit,
        alt_text=alt_text.strip(),
        audience=audience,
        width=clean.width,
        height=clean.height,
        order=(highest or 0) + 1,
        uploaded_by=actor,
    )
    photo.image.save(clean.file.name, clean.file, save=False)
    _save_or_remove_file(photo, photo.image, actor)
    return photo


def _save_or_remove_file(instance: Any, field_file: Any, actor: User | None) -> None:
    """Save the row; the stored file of a row that cannot be saved is removed again."""
    try:
        audited_save(instance, actor=actor)
    except Exception:
        field_file.storage.delete(field_file.name)
        raise


@transaction.atomic
def practice_example_attachment_add(
    *, actor: User | None, example: PracticeExample, file: UploadedFile, title: str
) -> PracticeExampleAttachment:
    """Attach a document to a practice example, checked like the meeting documents."""
    try:
        extension = uploads.check_document(file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    attachment = PracticeExampleAttachment(
        municipality=example.municipality, example=example, title=title, uploaded_by=actor
    )
    attachment.file.save(f"anhang.{extension}", file, save=False)
    _save_or_remove_file(attachment, attachment.file, actor)
    return attachment


def _remove_file_after_commit(field_file: Any) -> None:
    """Remove a stored file once the deletion of its row has committed."""
    name, storage = field_file.name, field_file.storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def practice_example_attachment_delete(
    *, actor: User | None, attachment: PracticeExampleAttachment
) -> None:
    _remove_file_after_commit(attachment.file)
    audited_delete(attachment, actor=actor)


@transaction.atomic
def meeting_document_delete(*, actor: User | None, document: MeetingDocument) -> None:
    _remove_file_after_commit(document.file)
    audited_delete(document, actor=actor)


@transaction.atomic
def meeting_photo_delete(*, actor: User | None, photo: MeetingPhoto) -> None:
    """Delete a photo and its file; articles that showed it no longer do."""
    _remove_file_after_commit(photo.image)
    audited_delete(photo, actor=actor)


# Invitations ---------------------------------------------------------------------------


@dataclass
class InvitationReport:
    sent: list[str]  # e-mail addresses mailed now
    already: int  # coordinators invited before (not mailed again)


def invitation_recipients(meeting: Meeting) -> dict[str, list[Membership]]:
    """The coordinators of the programme's municipalities, by e-mail address (a
    person coordinating several municipalities gets one mail)."""
    memberships = (
        Membership.objects.filter(
            role=Role.COORDINATOR,
            municipality__programme_id=meeting.programme_id,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user", "municipality")
        .order_by("user__email", "pk")
    )
    recipients: dict[str, list[Membership]] = {}
    for membership in memberships:
        recipients.setdefault(membership.user.email.lower(), []).append(membership)
    for municipalities in recipients.values():  # in German order (Übach among the U)
        municipalities.sort(key=lambda m: search.sort_key(m.municipality.name))  # type: ignore[union-attr]
    return recipients


def meeting_invitations_send(
    *,
    actor: User | None,
    meeting: Meeting,
    base_url: str,
    again: bool = False,
    dry_run: bool = False,
) -> InvitationReport:
    """Mail an invitation to every coordinator of the programme's municipalities,
    with the links to register their people and to offer a short talk. Those
    invited before are skipped unless `again`. `base_url` starts absolute links.

    Refused for a meeting that is over, and for one only the coordination office
    may see: the coordinators could open none of the invitation's links."""
    if meeting.ends_on < timezone.localdate():
        raise ValidationError(_("This meeting is over."))
    if meeting.visibility == Visibility.PRIVATE:
        raise ValidationError(
            _(
                "Only the coordination office can see this meeting, so the coordinators "
                "could not open the invitation's links. Make it visible to the learning "
                "network first."
            )
        )
    root = base_url.rstrip("/")
    invited = set(meeting.invitations.values_list("email", flat=True))
    report = InvitationReport(sent=[], already=0)
    for email, memberships in invitation_recipients(meeting).items():
        if email in invited and not again:
            report.already += 1
            continue
        report.sent.append(email)
        if dry_run:
            continue
        _mail_invitation(meeting, email, memberships, root)
        invitation = MeetingInvitation.objects.filter(meeting=meeting, email=email).first()
        invitation = invitation or MeetingInvitation(meeting=meeting, email=email)
        invitation.user = memberships[0].user
        invitation.sent_at = timezone.now()
        audited_save(invitation, actor=actor)
    return report


@in_mail_language
def _mail_invitation(
    meeting: Meeting, email: str, memberships: list[Membership], root: str
) -> None:
    subject, body = _invitation(meeting, memberships, root, changed=False)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


def _invitation(
    meeting: Meeting, memberships: list[Membership], root: str, *, changed: bool
) -> tuple[str, str]:
    """Subject and text of an invitation, or with `changed` of the notice to the
    invited that the date or venue has changed (the same links)."""

    def link(name: str, municipality: Municipality) -> str:
        kwargs = {"municipality_slug": municipality.slug, "number": meeting.number}
        return root + reverse(f"learning:{name}", kwargs=kwargs)

    context = {
        "meeting": meeting,
        "person": memberships[0].user,
        "meeting_url": root + meeting.get_absolute_url(),
        "municipalities": [
            {
                "name": m.municipality.name,  # type: ignore[union-attr]
                "register_url": link("municipality_registrations", m.municipality),  # type: ignore[arg-type]
                "talk_url": link("contribution_submit", m.municipality),  # type: ignore[arg-type]
            }
            for m in memberships
        ],
    }
    if changed:
        subject = _("Change of date or venue: %(meeting)s on %(date)s")
    else:
        subject = _("Invitation: %(meeting)s on %(date)s")
    body = render_to_string("learning/email/invitation.txt", {**context, "changed": changed})
    return subject % {"meeting": meeting, "date": _day(meeting.starts_on)}, body


@in_mail_language
def _mail_invited_new_date_or_venue(meeting: Meeting) -> int:
    """Tell the coordinators invited to the meeting its new date or venue, with the
    invitation's links; not those who are registered themselves (they got the
    registrants' mail), not those no longer coordinators, nobody for a meeting
    only the office may see. Returns how many were mailed."""
    if meeting.visibility == Visibility.PRIVATE:
        return 0
    invited = set(meeting.invitations.values_list("email", flat=True))
    registered = set(
        meeting.registrations.exclude(status=RegistrationStatus.CANCELLED).values_list(
            "email", flat=True
        )
    )
    root = settings.KETTE_BASE_URL.rstrip("/")  # as every mail's links
    told = 0
    for email, memberships in invitation_recipients(meeting).items():
        if email in invited and email not in registered:
            subject, body = _invitation(meeting, memberships, root, changed=True)
            _mail_after_commit(email, subject, body)
            told += 1
    return told


# Articles ------------------------------------------------------------------------------

ARTICLE_FIELDS = {"title", "teaser", "body", "status"}


def _article_save(
    article: Article, actor: User | None, photos: list[MeetingPhoto] | None, fields: dict[str, Any]
) -> Article:
    _assign(article, ARTICLE_FIELDS, fields)
    if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    if photos is not None:
        if any(photo.meeting_id != article.meeting_id for photo in photos):
            raise ValidationError({"photos": _("Only photos of this meeting can be used.")})
        if any(photo.audience == MaterialAudience.NETWORK for photo in photos):
            raise ValidationError(
                {"photos": _("Photos for the learning network only cannot go into an article.")}
            )
    audited_save(article, actor=actor)
    if photos is not None:
        article.photos.set(photos)
    return article


@transaction.atomic
def article_create(
    *,
    actor: User | None,
    meeting: Meeting,
    photos: list[MeetingPhoto] | None = None,
    **fields: Any,
) -> Article:
    """Write an article about a meeting (a draft unless `status` says published).
    Publishing it for the first time sets `published_at`."""
    article = Article(meeting=meeting, author=actor)
    return _article_save(article, actor, photos, fields)


@transaction.atomic
def article_update(
    *,
    actor: User | None,
    article: Article,
    photos: list[MeetingPhoto] | None = None,
    **fields: Any,
) -> Article:
    """Change an article; its photos must come from the meeting's gallery and be
    meant for everyone who may see the meeting (a published article is public)."""
    return _article_save(article, actor, photos, fields)


# Practice examples -------------------------------------------------------------------

PRACTICE_EXAMPLE_FIELDS = {
    "title",
    "summary",
    "life_phases",
    "fields_of_action",
    "contact_name",
    "contact_role",
    "contact_email",
    "visibility",
    "status",
}


def _set_contributions(example: PracticeExample, contributions: list[Contribution] | None) -> None:
    if contributions is None:
        return
    # Tenant rows link only within their municipality.
    if any(c.municipality_id != example.municipality_id for c in contributions):
        raise ValidationError(
            {"contributions": _("Only short talks of the same municipality can be linked.")}
        )
    example.contributions.set(contributions)


@transaction.atomic
def practice_example_create(
    *,
    actor: User | None,
    municipality: Municipality,
    contributions: list[Contribution] | None = None,
    **fields: Any,
) -> PracticeExample:
    """Share a practice example of the municipality (a draft until published)."""
    example = PracticeExample(municipality=municipality)
    _assign(example, PRACTICE_EXAMPLE_FIELDS, fields)
    audited_save(example, actor=actor)
    _set_contributions(example, contributions)
    return example


@transaction.atomic
def practice_example_delete(*, actor: User | None, example: PracticeExample) -> None:
    """Delete a practice example with its attachments (the files go once the
    transaction has committed); the short talks it was linked to stay."""
    for attachment in example.attachments.all():
        practice_example_attachment_delete(actor=actor, attachment=attachment)
    audited_delete(example, actor=actor)


@transaction.atomic
def practice_example_update(
    *,
    actor: User | None,
    example: PracticeExample,
    contributions: list[Contribution] | None = None,
    **fields: Any,
) -> PracticeExample:
    _assign(example, PRACTICE_EXAMPLE_FIELDS, fields)
    audited_save(example, actor=actor)
    _set_contributions(example, contributions)
    return example
