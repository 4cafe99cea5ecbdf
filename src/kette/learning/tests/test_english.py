"""The learning network in English: dates and meeting names read as English, in
pages, calendar files, PDFs and the mail confirming one's own cancellation;
German stays as it was, and mails others trigger are in the default language."""

import datetime as dt

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.formats import date_format

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


def test_cancelling_through_ones_own_link_in_english_confirms_in_english(
    client, world, meeting, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(meeting=meeting, email="mia@example.org")
    token = services.registration_cancel_token(registration)
    with django_capture_on_commit_callbacks(execute=True):
        english(client).post(f"/lernnetzwerk/abmelden/{token}/")
    (cancelled,) = mail.outbox
    assert cancelled.subject == (
        f"Registration cancelled: Network meeting 17: Übergänge gestalten on 13 Sep {NEXT_YEAR}"
    )
    assert "your registration for Network meeting 17: Übergänge gestalten" in cancelled.body
    assert f"Date: 13 September {NEXT_YEAR} – 14 September {NEXT_YEAR}" in cancelled.body

    calendar = english(client).get("/lernnetzwerk/17/termin.ics").content
    (event,) = icalendar.Calendar.from_ical(calendar).walk("VEVENT")
    assert str(event["summary"]) == "Network meeting 17: Übergänge gestalten"


def test_mails_sent_by_someone_working_in_english_are_in_the_default_language(
    world, meeting, django_capture_on_commit_callbacks
):
    """kette stores no language per recipient, so the office's English does not
    decide the language of what others receive: German, the default."""
    office = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    meeting.ends_on = meeting.starts_on
    meeting.capacity = 1
    meeting.save()
    mia = RegistrationFactory(meeting=meeting, email="mia@example.org")
    services.registration_create(
        actor=office,
        meeting=meeting,
        person_name="Ben",
        email="ben@example.org",
        cancel_url_template="https://kette.test/{token}/",
    )  # the waitlist
    mail.outbox.clear()
    factories.user_with_role(Role.COORDINATOR, world.a, username="k", email="k@example.org")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=office, registration=mia)
        services.meeting_invitations_send(
            actor=office, meeting=meeting, base_url="https://kette.test"
        )
        # the office's own language is left as it was
        assert translation.get_language() == "en"
    by_address = {m.to[0]: m for m in mail.outbox}
    with translation.override("de"):
        weekday = date_format(meeting.starts_on, "l")
    cancelled = by_address["mia@example.org"]
    assert cancelled.subject == (
        f"Anmeldung storniert: 17. Lernnetzwerktreffen: Übergänge gestalten am 13.09.{NEXT_YEAR}"
    )
    assert f"Datum: {weekday}, 13. September {NEXT_YEAR}" in cancelled.body
    assert "Network meeting" not in cancelled.body
    assert by_address["ben@example.org"].subject == "Sie sind angemeldet"
    invitation = by_address["k@example.org"]
    assert invitation.subject.endswith(f"am 13.09.{NEXT_YEAR}")
    assert f"Datum: {weekday}, 13. September {NEXT_YEAR}" in invitation.body
    assert "Date:" not in invitation.body and "Network meeting" not in invitation.body


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
