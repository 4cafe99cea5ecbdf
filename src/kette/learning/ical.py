"""iCalendar (RFC 5545) files for meetings, written with the `icalendar` package,
which takes care of escaping and line folding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from kette.learning.models import AgendaItem, AgendaItemKind, Meeting, WorkingGroup

PRODID = "-//kette//Lernnetzwerk//DE"


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    # Times are stored as local wall-clock times of the venue; UTC in the file
    # avoids shipping a VTIMEZONE block.
    aware = dt.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return aware.astimezone(dt.UTC)


def _agenda_lines(agenda: list[AgendaItem], groups: Iterable[WorkingGroup]) -> list[str]:
    """An agenda item a line, with who speaks (`AgendaItem.speaker_label`); under
    the working-group phase each group's accepted short talks with presenter and
    municipality, as the meeting page lists them."""
    lines = []
    for item in agenda:
        speaker = ", ".join(item.speaker_label().splitlines())
        lines.append(f"{item.start_time:%H:%M} {item.title}" + (f" ({speaker})" if speaker else ""))
        if item.kind == AgendaItemKind.WORKING_GROUPS:
            for group in groups:
                lines.append(f"– {group.title}")
                lines += [
                    f"  – {talk.title}: {talk.presenter} ({talk.municipality.name})"
                    for talk in group.accepted_talks  # type: ignore[attr-defined]
                ]
    return lines


def _event(
    meeting: Meeting, agenda: list[AgendaItem], groups: Iterable[WorkingGroup], url: str
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"lernnetzwerk-{meeting.programme_id}-{meeting.number}@kette")
    event.add("dtstamp", meeting.updated_at.astimezone(dt.UTC))
    event.add("last-modified", meeting.updated_at.astimezone(dt.UTC))
    event.add("summary", str(meeting))
    if agenda:
        first = agenda[0]
        last = max(agenda, key=lambda item: (item.day, item.end_time or item.start_time))
        event.add("dtstart", _local(first.day, first.start_time))
        event.add("dtend", _local(last.day, last.end_time or last.start_time))
    else:
        event.add("dtstart", meeting.starts_on)
        event.add("dtend", meeting.ends_on + dt.timedelta(days=1))
    if meeting.venue:
        event.add("location", meeting.venue)
    lines = [meeting.description] if meeting.description else []
    lines += _agenda_lines(agenda, groups)
    if lines:
        event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("class", "PUBLIC")
    return event


def calendar_for(
    meetings: Iterable[Meeting],
    *,
    agenda_of: Callable[[Meeting], list[AgendaItem]],
    groups_of: Callable[[Meeting], Iterable[WorkingGroup]],
    url_of: Callable[[Meeting], str],
    name: str,
) -> bytes:
    """One VCALENDAR with a VEVENT per meeting. `groups_of` gives a meeting's
    working groups, each with its `accepted_talks`
    (`selectors.working_groups_with_talks`)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(
            _event(meeting, agenda_of(meeting), groups_of(meeting), url_of(meeting))
        )
    if not calendar.subcomponents:
        # An empty feed is still a valid calendar for subscribers.
        today = date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
        calendar.add("x-wr-caldesc", f"{name} ({today})")
    return calendar.to_ical()
