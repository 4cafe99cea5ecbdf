"""Reads of the learning network: visible meetings, agendas, registrations, statistics."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from kette.core.models import Municipality, Programme
from kette.core.roles import roles_of
from kette.core.validators import is_plausible_cohort
from kette.directory import search
from kette.learning.models import (
    PRESENT,
    AgendaItem,
    Article,
    ArticleQuerySet,
    Contribution,
    ContributionStatus,
    MaterialAudience,
    Meeting,
    MeetingDocument,
    MeetingPhoto,
    MinutesEntry,
    PracticeExample,
    PracticeExampleAttachment,
    PracticeExampleStatus,
    Registration,
    RegistrationStatus,
    Visibility,
    WorkingGroup,
)
from kette.learning.rules import is_network_member, is_staff_of_programme


def visible_meetings(programme: Programme, user: Any) -> QuerySet[Meeting]:
    """The programme's meetings the user may see: public ones for everyone, network
    meetings for people of the programme's municipalities, all for the office."""
    meetings = Meeting.objects.for_programme(programme).select_related("host_municipality")
    if is_staff_of_programme.test(user, programme):
        return meetings
    allowed = Q(visibility=Visibility.PUBLIC)
    member_of = roles_of(user).municipality
    if member_of and Municipality.objects.filter(pk__in=member_of, programme=programme).exists():
        allowed |= Q(visibility=Visibility.NETWORK)
    return meetings.filter(allowed)


def public_meetings(programme: Programme) -> QuerySet[Meeting]:
    return Meeting.objects.for_programme(programme).filter(visibility=Visibility.PUBLIC)


def meeting_by_number(programme: Programme, number: int) -> Meeting:
    """The programme's meeting with `number`, or 404 (the caller checks visibility)."""
    try:
        return Meeting.objects.select_related("host_municipality", "programme").get(
            programme=programme, number=number
        )
    except Meeting.DoesNotExist as error:
        raise Http404 from error


def agenda_of(meeting: Meeting) -> QuerySet[AgendaItem]:
    return meeting.agenda_items.select_related("speaker_municipality").order_by(
        "day", "start_time", "order", "pk"
    )


def agenda_item_in(meeting: Meeting, pk: int) -> AgendaItem:
    try:
        return meeting.agenda_items.get(pk=pk)
    except AgendaItem.DoesNotExist as error:
        raise Http404 from error


def _with_accepted_talks(groups: QuerySet[WorkingGroup]) -> QuerySet[WorkingGroup]:
    accepted = (
        Contribution.objects.filter(status=ContributionStatus.ACCEPTED)
        .select_related("municipality")
        .order_by("order", "created_at", "pk")
    )
    return groups.order_by("order", "pk").prefetch_related(
        Prefetch("contributions", queryset=accepted, to_attr="accepted_talks")
    )


def working_groups_with_talks(meeting: Meeting) -> QuerySet[WorkingGroup]:
    """The meeting's working groups, each with its accepted short talks
    (`group.accepted_talks`) in their order."""
    return _with_accepted_talks(meeting.working_groups.all())


def public_meetings_for_calendar(programme: Programme) -> QuerySet[Meeting]:
    """The public meetings with what their calendar entries show, in a fixed
    number of queries: `agenda_items` in the agenda's order with the speakers'
    municipalities, `working_groups` as `working_groups_with_talks` gives them."""
    agenda = AgendaItem.objects.select_related("speaker_municipality").order_by(
        "day", "start_time", "order", "pk"
    )
    groups = _with_accepted_talks(WorkingGroup.objects.all())
    return public_meetings(programme).prefetch_related(
        Prefetch("agenda_items", queryset=agenda), Prefetch("working_groups", queryset=groups)
    )


@dataclass(frozen=True)
class WorkingGroupDependants:
    """What deleting a working group takes with it."""

    talks: int  # short talks offered to it, whatever their status
    with_slides: bool
    municipalities: list[str]  # whose talks they are, in German order
    choices: int  # active registrations that chose the group


def working_group_dependants(group: WorkingGroup) -> WorkingGroupDependants:
    talks = list(group.contributions.select_related("municipality"))
    names = {talk.municipality.name for talk in talks}
    return WorkingGroupDependants(
        talks=len(talks),
        with_slides=any(talk.slides for talk in talks),
        municipalities=sorted(names, key=search.sort_key),
        choices=group.registrations.exclude(status=RegistrationStatus.CANCELLED).count(),
    )


@dataclass(frozen=True)
class MeetingDependants:
    """What deleting a meeting takes with it."""

    agenda_items: int
    working_groups: int
    registrations: int  # every registration, cancelled ones included
    to_tell: int  # registered or waiting for a meeting that is not over: mailed
    talks: int  # short talks offered, whatever their status
    slides: int  # of those, with slides
    documents: int
    photos: int
    has_minutes: bool
    articles: int
    published_articles: int


def meeting_dependants(meeting: Meeting, *, today: dt.date) -> MeetingDependants:
    registrations = dict(
        meeting.registrations.values_list("status").annotate(n=Count("pk")).order_by()
    )
    active = sum(n for status, n in registrations.items() if status != RegistrationStatus.CANCELLED)
    talks = Contribution.objects.filter(working_group__meeting=meeting)
    articles = meeting.articles.all()
    return MeetingDependants(
        agenda_items=meeting.agenda_items.count(),
        working_groups=meeting.working_groups.count(),
        registrations=sum(registrations.values()),
        to_tell=active if meeting.ends_on >= today else 0,
        talks=talks.count(),
        slides=talks.exclude(slides="").count(),
        documents=meeting.documents.count(),
        photos=meeting.photos.count(),
        has_minutes=hasattr(meeting, "minutes"),
        articles=articles.count(),
        published_articles=articles.published().count(),
    )


def minutes_text_of(item: AgendaItem) -> str:
    """The minutes text written for an agenda item ("" when none)."""
    entry = MinutesEntry.objects.filter(agenda_item=item).first()
    return entry.text if entry else ""


def working_group_in(meeting: Meeting, pk: int) -> WorkingGroup:
    try:
        return meeting.working_groups.get(pk=pk)
    except WorkingGroup.DoesNotExist as error:
        raise Http404 from error


def contributions_of(meeting: Meeting) -> QuerySet[Contribution]:
    """Every short talk offered for the meeting (for the coordination office)."""
    return (
        Contribution.objects.filter(working_group__meeting=meeting)
        .select_related("municipality", "working_group")
        .order_by("working_group__order", "working_group_id", "created_at", "pk")
    )


def contribution_in(meeting: Meeting, pk: int) -> Contribution:
    try:
        return contributions_of(meeting).get(pk=pk)
    except Contribution.DoesNotExist as error:
        raise Http404 from error


def contributions_of_municipality(
    meeting: Meeting, municipality: Municipality
) -> QuerySet[Contribution]:
    return contributions_of(meeting).filter(municipality=municipality)


def _by_municipality_and_name(registration: Registration) -> tuple[bool, str, str, int]:
    """Sort key: by municipality, then name, the German way (Özdemir among the O,
    Übach-Palenberg among the U, not after Z); guests without one last."""
    municipality = registration.municipality
    return (
        municipality is None,
        search.sort_key(municipality.name) if municipality else "",
        search.sort_key(registration.person_name),
        registration.pk,
    )


def registrations_of(
    meeting: Meeting, *, municipality: Municipality | None = None
) -> list[Registration]:
    """Every registration of the meeting (or of one municipality's people): the
    registered by municipality and name, then the waitlist in its order (who
    registered first moves up first), the cancelled last."""
    rows = meeting.registrations.select_related("municipality", "working_group")
    if municipality is not None:
        rows = rows.filter(municipality=municipality)
    by_name = sorted(rows, key=_by_municipality_and_name)
    waiting = sorted(
        (r for r in by_name if r.status == RegistrationStatus.WAITLISTED),
        key=lambda r: (r.created_at, r.pk),
    )
    return [
        *(r for r in by_name if r.status == RegistrationStatus.REGISTERED),
        *waiting,
        *(r for r in by_name if r.status == RegistrationStatus.CANCELLED),
    ]


def registrations_at_the_door(meeting: Meeting) -> list[Registration]:
    """Everyone registered or waiting, by name the German way, for the check-in."""
    rows = meeting.registrations.exclude(status=RegistrationStatus.CANCELLED).select_related(
        "municipality", "working_group"
    )
    return sorted(rows, key=lambda r: (search.sort_key(r.person_name), r.pk))


def registration_in(meeting: Meeting, pk: int) -> Registration:
    try:
        return meeting.registrations.get(pk=pk)
    except Registration.DoesNotExist as error:
        raise Http404 from error


def registrations_of_municipality(
    meeting: Meeting, municipality: Municipality
) -> list[Registration]:
    return registrations_of(meeting, municipality=municipality)


@dataclass(frozen=True)
class RegistrationSummary:
    registered: int
    waitlisted: int
    cancelled: int
    capacity: int | None

    @property
    def free(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.registered, 0)


def registration_summary(meeting: Meeting) -> RegistrationSummary:
    counts = dict(meeting.registrations.values_list("status").annotate(n=Count("pk")).order_by())
    return RegistrationSummary(
        registered=counts.get(RegistrationStatus.REGISTERED, 0),
        waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
        cancelled=counts.get(RegistrationStatus.CANCELLED, 0),
        capacity=meeting.capacity,
    )


@dataclass(frozen=True)
class Badge:
    """What a name badge shows: nothing of the registration beyond who and from where."""

    name: str
    organisation: str
    municipality: str


def badges_of(meeting: Meeting) -> list[Badge]:
    """A badge for everyone registered (walk-ins included; not the waitlist, not the
    cancelled), by municipality and name, guests last."""
    registered = meeting.registrations.filter(status=RegistrationStatus.REGISTERED).select_related(
        "municipality"
    )
    return [
        Badge(
            name=registration.person_name,
            organisation=registration.organisation,
            municipality=registration.municipality.name if registration.municipality else "",
        )
        for registration in sorted(registered, key=_by_municipality_and_name)
    ]


# Participation statistics --------------------------------------------------------


@dataclass
class MunicipalityParticipation:
    municipality: Municipality
    # Meeting ids the municipality's people attended (present or walk-in).
    attended: set[int] = field(default_factory=set)
    # Meetings held while the municipality was in the programme (its cohort onwards).
    eligible_ids: set[int] = field(default_factory=set)

    @property
    def attended_count(self) -> int:
        return len(self.attended)

    @property
    def eligible(self) -> int:
        return len(self.eligible_ids)

    @property
    def attended_eligible(self) -> int:
        """Meetings attended while in the programme (a guest visit before does not count)."""
        return len(self.attended & self.eligible_ids)

    @property
    def rate(self) -> float | None:
        if not self.eligible_ids:
            return None
        return self.attended_eligible / self.eligible


@dataclass
class ParticipationStatistics:
    meetings: list[Meeting]
    rows: list[MunicipalityParticipation]
    # Meeting id -> number of municipalities that meeting reached.
    reached: dict[int, int]


def _eligible(municipality: Municipality, meeting: Meeting) -> bool:
    """Whether the meeting was held while the municipality was in the programme.
    Without a cohort, or with one that cannot be a year (a typo stored before
    cohorts were validated), every meeting counts."""
    cohort = municipality.cohort
    if cohort is None or not is_plausible_cohort(cohort):
        return True
    return meeting.starts_on.year >= cohort


def participation_statistics(
    programme: Programme, *, today: dt.date | None = None
) -> ParticipationStatistics:
    """Which municipalities attended which past meetings, each municipality's
    attendance rate (meetings attended / meetings held since its cohort began) and
    how many municipalities each meeting reached."""
    meetings = list(
        Meeting.objects.for_programme(programme)
        .filter(starts_on__lte=today or dt.date.max)
        .order_by("starts_on", "number")
    )
    municipalities = sorted(
        Municipality.objects.filter(programme=programme).defer("boundary"),
        key=lambda m: (search.sort_key(m.name), m.pk),
    )
    attended: dict[int, set[int]] = defaultdict(set)
    pairs = (
        Registration.objects.filter(
            meeting__in=meetings, attendance__in=PRESENT, municipality__isnull=False
        )
        .values_list("municipality_id", "meeting_id")
        .distinct()
    )
    for municipality_id, meeting_id in pairs:
        attended[municipality_id].add(meeting_id)
    rows = [
        MunicipalityParticipation(
            municipality=m,
            attended=attended.get(m.pk, set()),
            eligible_ids={meeting.pk for meeting in meetings if _eligible(m, meeting)},
        )
        for m in municipalities
    ]
    reached = {meeting.pk: 0 for meeting in meetings}
    for ids in attended.values():
        for meeting_id in ids:
            reached[meeting_id] += 1
    return ParticipationStatistics(meetings=meetings, rows=rows, reached=reached)


def municipalities_reached(meeting: Meeting) -> int:
    """How many municipalities had someone at the meeting."""
    return (
        meeting.registrations.filter(attendance__in=PRESENT, municipality__isnull=False)
        .values("municipality_id")
        .distinct()
        .count()
    )


def programme_history(programme: Programme, *, limit: int = 100) -> list[Any]:
    """Recorded changes to the programme's meetings, agenda items and working groups,
    newest first (programme-level rows are not part of any municipality's change log)."""
    records: list[Any] = []
    for model, lookup in (
        (Meeting, "programme_id"),
        (AgendaItem, "meeting__programme_id"),
        (WorkingGroup, "meeting__programme_id"),
    ):
        history = model.history.model
        if lookup == "programme_id":
            rows = history.objects.filter(programme_id=programme.pk)
        else:
            meeting_ids = Meeting.objects.for_programme(programme).values("pk")
            rows = history.objects.filter(meeting_id__in=meeting_ids)
        records.extend(rows.select_related("history_user").order_by("-history_date")[:limit])
    records.sort(key=lambda record: record.history_date, reverse=True)
    return records[:limit]


@dataclass(frozen=True)
class MinutesSection:
    item: AgendaItem
    text: str


@dataclass(frozen=True)
class AttendanceGroup:
    """The people present from one municipality (or the guests without one)."""

    label: str
    names: list[str]


def minutes_sections(meeting: Meeting) -> list[MinutesSection]:
    """Every agenda item in order, each with its minutes text (empty when none)."""
    texts = dict(
        MinutesEntry.objects.filter(agenda_item__meeting=meeting).values_list(
            "agenda_item_id", "text"
        )
    )
    return [MinutesSection(item, texts.get(item.pk, "")) for item in agenda_of(meeting)]


def attendance_list(meeting: Meeting) -> list[AttendanceGroup]:
    """Who was present (attended or walk-in), grouped by municipality, guests last."""
    present = meeting.registrations.filter(attendance__in=PRESENT).select_related("municipality")
    groups: dict[str, list[str]] = {}
    guests: list[str] = []
    for registration in sorted(present, key=_by_municipality_and_name):
        if registration.municipality is None:
            label = registration.person_name
            if registration.organisation:
                label += f" ({registration.organisation})"
            guests.append(label)
        else:
            groups.setdefault(registration.municipality.name, []).append(registration.person_name)
    result = [AttendanceGroup(name, names) for name, names in groups.items()]
    if guests:
        result.append(AttendanceGroup("", guests))
    return result


# Documents and photos ---------------------------------------------------------------


def _material_for(queryset: QuerySet[Any], meeting: Meeting, user: Any) -> QuerySet[Any]:
    """A meeting's material the user may see (the caller has checked the meeting)."""
    if is_staff_of_programme.test(user, meeting) or is_network_member.test(user, meeting):
        return queryset
    return queryset.filter(audience=MaterialAudience.MEETING)


def documents_for(meeting: Meeting, user: Any) -> QuerySet[MeetingDocument]:
    return _material_for(meeting.documents.order_by("kind", "title", "pk"), meeting, user)


def photos_for(meeting: Meeting, user: Any) -> QuerySet[MeetingPhoto]:
    """The meeting's photos the user may see, each with `article_count`: the
    articles it appears in (deleting the photo takes it out of them)."""
    photos = meeting.photos.annotate(article_count=Count("articles")).order_by(
        "order", "created_at", "pk"
    )
    return _material_for(photos, meeting, user)


def document_in(meeting: Meeting, pk: int) -> MeetingDocument:
    try:
        return meeting.documents.select_related("meeting").get(pk=pk)
    except MeetingDocument.DoesNotExist as error:
        raise Http404 from error


def photo_in(meeting: Meeting, pk: int) -> MeetingPhoto:
    try:
        return meeting.photos.select_related("meeting").get(pk=pk)
    except MeetingPhoto.DoesNotExist as error:
        raise Http404 from error


# Articles ------------------------------------------------------------------------------


def _articles() -> ArticleQuerySet:
    return Article.objects.select_related("meeting").prefetch_related(
        Prefetch("photos", queryset=MeetingPhoto.objects.order_by("order", "pk"))
    )


def articles_for(programme: Programme, user: Any) -> QuerySet[Article]:
    """The programme's articles, newest first: published ones for everyone, drafts
    too for the coordination office."""
    articles = _articles().filter(meeting__programme=programme)
    if is_staff_of_programme.test(user, programme):
        return articles
    return articles.published()


def article_by_pk(programme: Programme, pk: int) -> Article:
    """An article of the programme, or 404; the caller checks `learning.read_article`."""
    try:
        return _articles().get(meeting__programme=programme, pk=pk)
    except Article.DoesNotExist as error:
        raise Http404 from error


def published_articles_of_meeting(meeting: Meeting) -> QuerySet[Article]:
    return _articles().published().filter(meeting=meeting)


def involved_meetings(municipality: Municipality) -> QuerySet[Meeting]:
    """Meetings a municipality hosted or spoke at (an accepted short talk, or an
    agenda item such as a practice report with one of its people as speaker)."""
    return Meeting.objects.filter(
        Q(host_municipality=municipality)
        | Q(
            working_groups__contributions__municipality=municipality,
            working_groups__contributions__status=ContributionStatus.ACCEPTED,
        )
        | Q(agenda_items__speaker_municipality=municipality),
        programme_id=municipality.programme_id,
    ).distinct()


def published_articles_of_municipality(municipality: Municipality) -> QuerySet[Article]:
    """Published articles about the meetings the municipality was involved in."""
    return _articles().published().filter(meeting__in=involved_meetings(municipality).values("pk"))


def article_photo(article: Article, pk: int) -> MeetingPhoto:
    try:
        return article.photos.get(pk=pk)
    except MeetingPhoto.DoesNotExist as error:
        raise Http404 from error


# Practice examples -------------------------------------------------------------------


def visible_practice_examples(programme: Programme, user: Any) -> QuerySet[PracticeExample]:
    """Published examples of the programme's municipalities the user may read: public
    ones for everyone, network-only ones for people of the network and the office."""
    examples = (
        PracticeExample.objects.filter(
            municipality__programme=programme, status=PracticeExampleStatus.PUBLISHED
        )
        .select_related("municipality")
        .order_by("-updated_at", "pk")
    )
    if is_staff_of_programme.test(user, programme):
        return examples
    member_of = roles_of(user).municipality
    if member_of and Municipality.objects.filter(pk__in=member_of, programme=programme).exists():
        return examples
    return examples.filter(visibility=Visibility.PUBLIC)


def _searched_texts(example: PracticeExample) -> list[tuple[str, int]]:
    """The texts a search reads of an example, with their weights."""
    return [
        (example.title, 3),
        (example.fields_of_action, 2),
        (example.municipality.name, 2),
        (" ".join(example.life_phase_labels()), 2),
        (example.summary, 1),
    ]


def _matching(examples: list[PracticeExample], query: str) -> list[PracticeExample]:
    """The examples matching `query` with the directory's German search (folding,
    stemming, prefixes, phrases), best first: title hits count three times,
    fields of action and municipality twice, the summary once."""
    terms = search.parse_query(query)
    scored = []
    for example in examples:
        score = search.text_score(terms, _searched_texts(example))
        if score:
            scored.append((score, example))
    scored.sort(key=lambda item: -item[0])  # stable: newest first among equals
    return [example for _score, example in scored]


@dataclass
class PracticeExampleSearch:
    examples: list[PracticeExample]
    # When the query as typed found nothing and misspelt words were corrected
    # ("Kitta" → Kita): the query as searched then, and (typed, shown) per word.
    corrected_query: str = ""
    corrections: list[tuple[str, str]] = field(default_factory=list)


def practice_example_search(programme: Programme, user: Any, query: str) -> PracticeExampleSearch:
    """The visible examples matching `query` (`_matching`), tolerant of typing
    errors as the family guide is: a query that finds nothing is searched again
    with each unknown word replaced by the nearest word of the visible examples
    (`search.correct_query`), if that finds something."""
    examples = list(visible_practice_examples(programme, user))
    found = _matching(examples, query)
    if found or not query:
        return PracticeExampleSearch(found)
    texts = [[text for text, _weight in _searched_texts(example)] for example in examples]
    corrected = search.correct_query(query, lambda: search.text_vocabulary(texts))
    if corrected is None:
        return PracticeExampleSearch([])
    found = _matching(examples, corrected[0])
    if not found:
        return PracticeExampleSearch([])
    words = [text for example in found for text, _weight in _searched_texts(example)]
    corrections = [(c.typed, search.surface_word(c.token, words)) for c in corrected[1]]
    return PracticeExampleSearch(
        found, corrected_query=search.shown_correction(query, corrections), corrections=corrections
    )


def attachment_of(example: PracticeExample, pk: int) -> PracticeExampleAttachment:
    """One attachment of the example, or 404; the caller checks that the example may
    be read."""
    try:
        return PracticeExampleAttachment.objects.for_municipality(example.municipality).get(
            example=example, pk=pk
        )
    except PracticeExampleAttachment.DoesNotExist as error:
        raise Http404 from error


def practice_example(pk: int) -> PracticeExample:
    """An example by id, or 404; the caller checks `learning.read_practice_example`."""
    try:
        return PracticeExample.objects.select_related("municipality").get(pk=pk)
    except PracticeExample.DoesNotExist as error:
        raise Http404 from error


def practice_examples_of(municipality: Municipality) -> QuerySet[PracticeExample]:
    """All of a municipality's examples, drafts included."""
    return PracticeExample.objects.for_municipality(municipality).order_by("-updated_at", "pk")


def practice_example_in(municipality: Municipality, pk: int) -> PracticeExample:
    try:
        return practice_examples_of(municipality).get(pk=pk)
    except PracticeExample.DoesNotExist as error:
        raise Http404 from error


def accepted_talks_of(municipality: Municipality) -> QuerySet[Contribution]:
    return (
        Contribution.objects.for_municipality(municipality)
        .filter(status=ContributionStatus.ACCEPTED)
        .select_related("working_group__meeting")
        .order_by("-working_group__meeting__starts_on", "title")
    )
