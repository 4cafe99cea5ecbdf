"""The learning network in English: dates and meeting names read as English, in
pages, mails, calendar files and PDFs; German stays as it was."""

import datetime as dt

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from kette.core.models import Role
from kette.learning import services
from kette.learning.models import Visibility
from kette.learning.tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    RegistrationFactory,
)
from kette.learning.tests.pdf import read_pdf
from kette.testing import factories

pytestmark = pytest.mark.django_db
NEXT_YEAR = dt.date.today().year + 1


@pytest.fixture
def meeting(world):
    """Two days in September next year (a Wednesday and a Thursday or so)."""
    starts = dt.date(NEXT_YEAR, 9, 13)
    meeting = MeetingFactory(
        programme=world.programme,
        number=17,
        title="Übergänge gestalten",
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=1),
        visibility=Visibility.PUBLIC,
    )
    AgendaItemFactory(meeting=meeting, title="Begrüßung", day=starts)
    return meeting


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_meeting_page_reads_as_english_in_english_and_as_german_in_german(
    client, world, meeting
):
    german = client.get("/lernnetzwerk/17/").content.decode()
    assert "17. Lernnetzwerktreffen: Übergänge gestalten" in german
    assert f"13. September {NEXT_YEAR} – 14. September {NEXT_YEAR}" in german
    assert "13. September</td>" in german  # the agenda's day column

    page = english(client).get("/lernnetzwerk/17/").content.decode()
    assert "Network meeting 17: Übergänge gestalten" in page
    assert f"13 September {NEXT_YEAR} – 14 September {NEXT_YEAR}" in page
    weekday = dt.date(NEXT_YEAR, 9, 13).strftime("%a")  # C locale: English
    assert f"{weekday}, 13 September</td>" in page
    assert "September 13" not in page and "13. September" not in page

    listing = client.get("/lernnetzwerk/").content.decode()
    assert f"13 September {NEXT_YEAR}" in listing and "13. September" not in listing


def test_mails_and_the_calendar_file_in_english(
    client, world, meeting, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(meeting=meeting, email="mia@example.org")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=None, registration=registration)
    (cancelled,) = mail.outbox
    assert cancelled.subject == (
        f"Registration cancelled: Network meeting 17: Übergänge gestalten on 13 Sep {NEXT_YEAR}"
    )
    assert "your registration for Network meeting 17: Übergänge gestalten" in cancelled.body
    weekday = dt.date(NEXT_YEAR, 9, 13).strftime("%A")
    assert f"Date: 13 September {NEXT_YEAR} – 14 September {NEXT_YEAR}" in cancelled.body

    calendar = english(client).get("/lernnetzwerk/17/termin.ics").content
    (event,) = icalendar.Calendar.from_ical(calendar).walk("VEVENT")
    assert str(event["summary"]) == "Network meeting 17: Übergänge gestalten"

    meeting.ends_on = meeting.starts_on
    meeting.save()
    factories.user_with_role(Role.COORDINATOR, world.a, username="k", email="k@example.org")
    with translation.override("en"):
        services.meeting_invitations_send(
            actor=None, meeting=meeting, base_url="https://kette.test"
        )
    # a one-day meeting names its weekday
    (invitation,) = mail.outbox[1:]
    assert invitation.subject.endswith(f"on 13 Sep {NEXT_YEAR}")
    assert f"Date: {weekday}, 13 September {NEXT_YEAR}" in invitation.body


def test_the_minutes_and_badges_pdfs_in_english(client, world, meeting):
    office = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    RegistrationFactory(meeting=meeting, person_name="Mia Muster")
    services.minutes_save(actor=office, meeting=meeting, introduction="", texts={}, published=True)
    english(client).force_login(office)
    _reader, minutes = read_pdf(client.get("/lernnetzwerk/17/protokoll.pdf"), language="en")
    assert "Minutes of Network meeting 17: Übergänge gestalten" in minutes
    assert f"13 September {NEXT_YEAR} – 14 September {NEXT_YEAR}" in minutes
    _reader, badges = read_pdf(client.get("/lernnetzwerk/17/namensschilder.pdf"), language="en")
    assert f"13 September {NEXT_YEAR}" in badges and "Mia Muster" in badges
    assert "13. September" not in minutes + badges
