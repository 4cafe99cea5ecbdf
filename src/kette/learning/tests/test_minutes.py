import datetime as dt

import icalendar
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from kette.core.models import Role
from kette.learning import selectors, services
from kette.learning.models import AgendaItemKind, Attendance, Minutes, MinutesEntry, Visibility
from kette.learning.tests.factories import (
    AgendaItemFactory,
    ContributionFactory,
    MeetingFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from kette.learning.tests.pdf import read_pdf
from kette.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(world):
    return factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")


@pytest.fixture
def meeting(world):
    meeting = MeetingFactory(
        programme=world.programme,
        number=17,
        starts_on=dt.date(2017, 9, 13),
        visibility=Visibility.PUBLIC,
    )
    AgendaItemFactory(meeting=meeting, title="Begrüßung", start_time=dt.time(10))
    AgendaItemFactory(
        meeting=meeting,
        title="Arbeitsgruppen",
        kind=AgendaItemKind.WORKING_GROUPS,
        start_time=dt.time(13),
        end_time=dt.time(15),
    )
    return meeting


def test_minutes_are_saved_per_agenda_item_and_unchanged_text_records_nothing(
    world, office, meeting
):
    welcome, groups = selectors.agenda_of(meeting)
    minutes = services.minutes_save(
        actor=office,
        meeting=meeting,
        introduction="Einleitung",
        texts={welcome.pk: "Die LKS begrüßte 40 Kommunen.", groups.pk: ""},
        published=False,
    )
    assert [s.text for s in selectors.minutes_sections(meeting)] == [
        "Die LKS begrüßte 40 Kommunen.",
        "",
    ]
    records = MinutesEntry.history.count() + Minutes.history.count()
    services.minutes_save(
        actor=office,
        meeting=meeting,
        introduction="Einleitung",
        texts={welcome.pk: "Die LKS begrüßte 40 Kommunen.", groups.pk: ""},
        published=False,
    )
    assert MinutesEntry.history.count() + Minutes.history.count() == records
    assert minutes.history.latest().history_user == office


def test_minutes_refuse_another_meetings_agenda_item(world, office, meeting):
    foreign = AgendaItemFactory(meeting=MeetingFactory(programme=world.programme))
    with pytest.raises(ValidationError):
        services.minutes_save(
            actor=office,
            meeting=meeting,
            introduction="",
            texts={foreign.pk: "x"},
            published=True,
        )


def test_the_attendance_list_groups_present_people_by_municipality(world, meeting):
    RegistrationFactory(
        meeting=meeting, municipality=world.b, person_name="Bea", attendance=Attendance.ATTENDED
    )
    RegistrationFactory(
        meeting=meeting, municipality=world.a, person_name="Ali", attendance=Attendance.WALK_IN
    )
    RegistrationFactory(
        meeting=meeting, municipality=world.a, person_name="Abwesend", attendance=Attendance.ABSENT
    )
    RegistrationFactory(
        meeting=meeting,
        municipality=None,
        person_name="Gabi",
        organisation="Ministerium",
        attendance=Attendance.ATTENDED,
    )
    groups = selectors.attendance_list(meeting)
    assert [(g.label, g.names) for g in groups] == [
        ("Altstadt", ["Ali"]),
        ("Bergdorf", ["Bea"]),
        ("", ["Gabi (Ministerium)"]),
    ]


def test_only_published_minutes_are_read_outside_the_office(world, office, meeting):
    viewer = factories.user_with_role(Role.VIEWER, world.b, username="v")
    assert office.has_perm("learning.read_minutes", meeting)
    assert not viewer.has_perm("learning.read_minutes", meeting)
    services.minutes_save(actor=office, meeting=meeting, introduction="", texts={}, published=True)
    meeting.refresh_from_db()
    assert AnonymousUser().has_perm("learning.read_minutes", meeting)
    assert office.has_perm("learning.write_minutes", meeting)
    assert not viewer.has_perm("learning.write_minutes", meeting)
    meeting.visibility = Visibility.PRIVATE
    meeting.save()
    assert not viewer.has_perm("learning.read_minutes", meeting)


def test_the_office_writes_minutes_and_the_public_reads_them_without_names(
    client, world, office, meeting
):
    group = WorkingGroupFactory(meeting=meeting, title="AG Steuerung")
    ContributionFactory(
        working_group=group, municipality=world.a, title="Ahlener Weg", status="accepted"
    )
    RegistrationFactory(
        meeting=meeting,
        municipality=world.a,
        person_name="Ali Beispiel",
        attendance=Attendance.ATTENDED,
    )
    welcome, groups = selectors.agenda_of(meeting)
    client.force_login(office)
    response = client.post(
        "/lernnetzwerk/17/protokoll/bearbeiten/",
        {
            "introduction": "Ein Tag in Köln.",
            f"item_{welcome.pk}": "Begrüßt wurde herzlich.",
            f"item_{groups.pk}": "",
            "published": "on",
        },
    )
    assert response["Location"] == "/lernnetzwerk/17/protokoll/"
    staff_page = client.get("/lernnetzwerk/17/protokoll/").content.decode()
    assert "Ali Beispiel" in staff_page
    client.logout()
    page = client.get("/lernnetzwerk/17/protokoll/").content.decode()
    assert "Begrüßt wurde herzlich." in page and "Ein Tag in Köln." in page
    assert "Ahlener Weg" in page and "AG Steuerung" in page
    assert "Altstadt" in page and "1 Programmkommune war anwesend." in page
    assert "Ali Beispiel" not in page
    assert 'href="/lernnetzwerk/17/protokoll/"' in client.get("/lernnetzwerk/17/").content.decode()


def test_draft_minutes_stay_with_the_office(client, world, office, meeting):
    services.minutes_save(
        actor=office, meeting=meeting, introduction="Entwurf-Text", texts={}, published=False
    )
    assert client.get("/lernnetzwerk/17/protokoll/").status_code == 302
    coordinator = factories.user_with_role(Role.COORDINATOR, world.a, username="k")
    client.force_login(coordinator)
    assert client.get("/lernnetzwerk/17/protokoll/").status_code == 403
    assert client.get("/lernnetzwerk/17/protokoll/bearbeiten/").status_code == 403
    assert "Entwurf-Text" not in client.get("/lernnetzwerk/17/").content.decode()


def test_the_minutes_pdf_is_tagged_structured_by_agenda_item_and_lists_attendance(
    client, world, office, meeting
):
    group = WorkingGroupFactory(meeting=meeting, title="AG Steuerung")
    ContributionFactory(
        working_group=group, municipality=world.a, title="Ahlener Weg", status="accepted"
    )
    RegistrationFactory(
        meeting=meeting, municipality=world.a, person_name="Ali Beispiel", attendance="attended"
    )
    RegistrationFactory(
        meeting=meeting, municipality=world.b, person_name="Bea Muster", attendance="walk_in"
    )
    welcome, groups = selectors.agenda_of(meeting)
    services.minutes_save(
        actor=office,
        meeting=meeting,
        introduction="Ein Tag in Köln.",
        texts={welcome.pk: "Begrüßt wurde herzlich.", groups.pk: "Vier Gruppen tagten."},
        published=True,
    )
    page = client.get("/lernnetzwerk/17/protokoll/").content.decode()
    assert 'href="/lernnetzwerk/17/protokoll.pdf"' in page

    reader, text = read_pdf(
        client.get("/lernnetzwerk/17/protokoll.pdf"), filename="lernnetzwerk-17-protokoll.pdf"
    )
    assert reader.metadata.title.startswith("Protokoll: 17. Lernnetzwerktreffen")
    # Structured by agenda item, in the agenda's order, with the minutes under each.
    assert text.index("TOP 1: Begrüßung") < text.index("Begrüßt wurde herzlich.")
    assert text.index("Begrüßt wurde herzlich.") < text.index("TOP 2: Arbeitsgruppen")
    assert text.index("TOP 2: Arbeitsgruppen") < text.index("Vier Gruppen tagten.")
    assert "Ahlener Weg" in text and "AG Steuerung" in text and "Ein Tag in Köln." in text
    # The attendance list: municipalities and head counts, names not for the public.
    assert "Anwesenheitsliste" in text
    assert "2 Programmkommunen waren anwesend." in text
    assert "Altstadt" in text and "Bergdorf" in text
    assert "Ali Beispiel" not in text and "Bea Muster" not in text

    client.force_login(office)
    _, staff_text = read_pdf(client.get("/lernnetzwerk/17/protokoll.pdf"))
    assert "Ali Beispiel" in staff_text and "Bea Muster" in staff_text


def test_the_minutes_pdf_has_the_visibility_of_the_minutes_page(client, world, office, meeting):
    services.minutes_save(
        actor=office, meeting=meeting, introduction="Entwurf-Text", texts={}, published=False
    )
    url = "/lernnetzwerk/17/protokoll.pdf"
    assert client.get(url).status_code == 302  # anonymous: log in first
    coordinator = factories.user_with_role(Role.COORDINATOR, world.a, username="k")
    client.force_login(coordinator)
    assert client.get(url).status_code == 403  # a draft is the office's
    client.force_login(office)
    _reader, text = read_pdf(client.get(url))
    assert "Entwurf: Nur die Landeskoordinierungsstelle sieht dieses Protokoll." in text
    # Published minutes of a private meeting stay with the office.
    services.minutes_save(
        actor=office, meeting=meeting, introduction="Entwurf-Text", texts={}, published=True
    )
    meeting.visibility = Visibility.PRIVATE
    meeting.save()
    client.force_login(coordinator)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_minutes_and_calendar_name_who_speaks_as_the_agenda_does(client, world, office, meeting):
    """Speakers entered by name, organisation and municipality (not as free text)
    appear in the minutes page, its PDF and the calendar file, and the short
    talks of the working groups with presenter and municipality."""
    AgendaItemFactory(
        meeting=meeting,
        kind=AgendaItemKind.PRACTICE_REPORT,
        title="Praxisbericht Ahlen",
        start_time=dt.time(11),
        end_time=dt.time(11, 30),
        speaker_name="Marina Bänke",
        speaker_organisation="Stadt Ahlen, Jugendamt",
        speaker_municipality=world.a,
    )
    AgendaItemFactory(
        meeting=meeting, title="Grußwort", start_time=dt.time(10, 30), speakers="Dr. Ralf Heinen\n"
    )
    group = WorkingGroupFactory(meeting=meeting, title="AG Steuerung")
    ContributionFactory(
        working_group=group,
        municipality=world.b,
        presenter="Bea Muster",
        title="Bergdorfer Weg",
        status="accepted",
    )
    services.minutes_save(actor=office, meeting=meeting, introduction="", texts={}, published=True)
    speaker = "Marina Bänke, Stadt Ahlen, Jugendamt (Altstadt)"

    page = client.get("/lernnetzwerk/17/").content.decode()
    assert speaker in page and "Dr. Ralf Heinen" in page
    minutes = client.get("/lernnetzwerk/17/protokoll/").content.decode()
    assert speaker in minutes and "Dr. Ralf Heinen" in minutes
    _reader, text = read_pdf(client.get("/lernnetzwerk/17/protokoll.pdf"))
    assert "Marina Bänke" in text and "(Altstadt)" in text and "Dr. Ralf Heinen" in text
    assert "Bergdorfer Weg – Bea Muster (Bergdorf)" in text

    for url in ("/lernnetzwerk/17/termin.ics", "/lernnetzwerk/lernnetzwerk.ics"):
        (event,) = icalendar.Calendar.from_ical(client.get(url).content).walk("VEVENT")
        description = str(event["description"]).splitlines()
        assert f"11:00 Praxisbericht Ahlen ({speaker})" in description
        assert "10:30 Grußwort (Dr. Ralf Heinen)" in description
        groups = description.index("13:00 Arbeitsgruppen")
        assert description[groups + 1 :] == [
            "– AG Steuerung",
            "  – Bergdorfer Weg: Bea Muster (Bergdorf)",
        ]
