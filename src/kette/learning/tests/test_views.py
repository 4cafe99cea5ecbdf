import csv
import datetime as dt
import io

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.formats import date_format
from openpyxl import load_workbook

from kette.core.models import Municipality, Role
from kette.learning import selectors, services
from kette.learning.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    Contribution,
    ContributionStatus,
    Meeting,
    Registration,
    RegistrationStatus,
    Visibility,
)
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
SOON = dt.date.today() + dt.timedelta(days=30)
MEETING = {"title": "Treffen", "starts_on": SOON, "ends_on": SOON}


@pytest.fixture
def office(world):
    return factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")


@pytest.fixture
def meeting(world):
    return MeetingFactory(
        programme=world.programme,
        number=17,
        title="Präventionsketten gemeinsam gestalten",
        starts_on=SOON,
        ends_on=SOON,
        venue="Rathaus Köln; Spanischer Bau, Ratssaal",
        host_municipality=world.a,
        visibility=Visibility.PUBLIC,
        capacity=1,
    )


def login(client, user):
    client.force_login(user)
    return client


def test_the_public_list_shows_public_meetings_and_links_the_calendar(client, world, meeting):
    MeetingFactory(
        programme=world.programme, title="Netzwerktreffen-Nur-Mitglieder", visibility="network"
    )
    MeetingFactory(programme=world.programme, title="Internes-Treffen-X", visibility="private")
    page = client.get("/lernnetzwerk/").content.decode()
    assert "Präventionsketten gemeinsam gestalten" in page
    assert "Netzwerktreffen-Nur-Mitglieder" not in page and "Internes-Treffen-X" not in page
    assert '<link rel="alternate"' in page and 'type="text/calendar"' in page
    assert 'href="/lernnetzwerk/lernnetzwerk.ics"' in page
    assert "Kommende Treffen" in page


def test_network_members_see_network_meetings_in_the_list(client, world, meeting):
    MeetingFactory(
        programme=world.programme, title="Netzwerktreffen-Nur-Mitglieder", visibility="network"
    )
    viewer = factories.user_with_role(Role.VIEWER, world.b, username="v-b")
    assert (
        "Netzwerktreffen-Nur-Mitglieder"
        in login(client, viewer).get("/lernnetzwerk/").content.decode()
    )


def test_the_meeting_page_shows_agenda_and_accepted_talks_only(client, world, meeting):
    AgendaItemFactory(
        meeting=meeting, kind=AgendaItemKind.GREETING, title="Grußwort", speakers="Bürgermeister"
    )
    group = WorkingGroupFactory(meeting=meeting, title="AG 1: Steuerung", room="Raum 3")
    ContributionFactory(
        working_group=group,
        municipality=world.a,
        title="Unsere Steuerungsgruppe",
        status=ContributionStatus.ACCEPTED,
    )
    ContributionFactory(working_group=group, municipality=world.b, title="Noch offen")
    response = client.get("/lernnetzwerk/17/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Grußwort" in page and "Bürgermeister" in page
    assert "AG 1: Steuerung" in page and "Raum 3" in page
    assert "Unsere Steuerungsgruppe" in page
    assert "Noch offen" not in page
    assert 'href="/lernnetzwerk/17/termin.ics"' in page


def test_hidden_meetings_are_not_found_and_anonymous_visitors_are_asked_to_log_in(client, world):
    MeetingFactory(programme=world.programme, number=5, title="Intern", visibility="private")
    MeetingFactory(programme=world.programme, number=6, visibility="network")
    assert client.get("/lernnetzwerk/5/")["Location"].startswith("/konto/anmelden/")
    coordinator = factories.user_with_role(Role.COORDINATOR, world.a, username="k-a")
    login(client, coordinator)
    response = client.get("/lernnetzwerk/5/")
    assert response.status_code == 404 and "Intern" not in response.content.decode()
    assert client.get("/lernnetzwerk/5/termin.ics").status_code == 404
    assert client.get("/lernnetzwerk/6/").status_code == 200
    assert client.get("/lernnetzwerk/99/").status_code == 404


def test_the_ical_file_parses_back_with_escaping_and_folding(client, world, meeting):
    AgendaItemFactory(meeting=meeting, start_time=dt.time(10), end_time=dt.time(10, 15))
    AgendaItemFactory(
        meeting=meeting, start_time=dt.time(15), end_time=dt.time(16, 30), title="Abschluss, Ende"
    )
    meeting.description = "Ein langer Text; mit Sonderzeichen, Kommas und Umlauten: " + "ä" * 80
    meeting.save()
    response = client.get("/lernnetzwerk/17/termin.ics")
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), "lines must be folded"
    assert b"Rathaus K\xc3\xb6ln\\; Spanischer Bau\\, Ratssaal" in raw
    (event,) = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert str(event["location"]) == "Rathaus Köln; Spanischer Bau, Ratssaal"
    assert str(event["summary"]) == "17. Lernnetzwerktreffen: Präventionsketten gemeinsam gestalten"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    berlin = dt.datetime.combine(SOON, dt.time(10)).astimezone()
    assert start.tzinfo is not None
    assert (end - start) == dt.timedelta(hours=6, minutes=30)
    assert berlin  # the file states UTC; wall-clock 10:00 Europe/Berlin
    assert "Abschluss, Ende" in str(event["description"])
    assert str(event["url"]) == "http://testserver/lernnetzwerk/17/"


def test_the_programme_feed_lists_public_meetings_only(client, world, meeting):
    MeetingFactory(programme=world.programme, number=3, title="Geheim", visibility="private")
    MeetingFactory(programme=world.programme, number=4, visibility="network")
    calendar = icalendar.Calendar.from_ical(client.get("/lernnetzwerk/lernnetzwerk.ics").content)
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"lernnetzwerk-{world.programme.pk}-17@kette"]
    # A meeting without agenda is an all-day event.
    assert events[0].decoded("dtstart") == SOON


def test_a_coordinator_registers_people_and_the_next_goes_to_the_waitlist(
    client, world, meeting, coordinator, django_capture_on_commit_callbacks
):
    group = WorkingGroupFactory(meeting=meeting)
    login(client, coordinator)
    url = f"/k/{world.a.slug}/lernnetzwerk/17/anmeldungen/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "person_name": "Mia Muster",
                "email": "mia@example.org",
                "working_group": group.pk,
                "needs": "vegetarisch",
            },
            follow=True,
        )
    assert "Mia Muster ist angemeldet." in response.content.decode()
    registration = Registration.objects.get(email="mia@example.org")
    assert (registration.municipality, registration.working_group) == (world.a, group)
    # the cancel link starts with KETTE_BASE_URL, as in every mail
    assert f"{settings.KETTE_BASE_URL}/lernnetzwerk/abmelden/" in mail.outbox[-1].body
    response = client.post(
        url, {"person_name": "Max Muster", "email": "max@example.org"}, follow=True
    )
    assert "Max Muster steht auf der Warteliste." in response.content.decode()
    # The same address twice gets a German message, not an error page.
    response = client.post(url, {"person_name": "Mia", "email": "MIA@example.org"})
    assert response.status_code == 200
    assert "bereits zu dem Treffen angemeldet" in response.content.decode()


def test_a_coordinator_cancels_their_own_registration_and_the_waitlist_moves_up(
    client, world, meeting, coordinator, django_capture_on_commit_callbacks
):
    first = services.registration_create(
        actor=None, meeting=meeting, person_name="A", email="a@example.org", municipality=world.a
    )
    second = services.registration_create(
        actor=None, meeting=meeting, person_name="B", email="b@example.org", municipality=world.b
    )
    login(client, coordinator)
    base = f"/k/{world.a.slug}/lernnetzwerk/17/anmeldungen/"
    # the list asks once more before a cancellation (it mails the person)
    listing = client.get(base).content.decode()
    assert '<details class="confirm">' in listing
    assert "Die Anmeldung von A stornieren? Die Person erfährt es per E-Mail." in listing
    assert f'action="{base}{first.pk}/abmelden/"' in listing
    assert client.post(f"{base}{second.pk}/abmelden/").status_code == 404
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}{first.pk}/abmelden/")
    second.refresh_from_db()
    assert second.status == RegistrationStatus.REGISTERED
    # as the dialog promised, A is told; B is told a place has become free
    told = {m.to[0]: m for m in mail.outbox}
    assert set(told) == {"a@example.org", "b@example.org"}
    cancelled = told["a@example.org"]
    assert cancelled.subject == (
        "Anmeldung storniert: 17. Lernnetzwerktreffen: Präventionsketten gemeinsam "
        f"gestalten am {SOON:%d.%m.%Y}"
    )
    assert cancelled.body.startswith("Guten Tag A,\n\nIhre Anmeldung zum 17. Lernnetzwerktreffen")
    assert f"Datum: {date_format(SOON, 'l, j. F Y')}" in cancelled.body
    assert "Ort: Rathaus Köln; Spanischer Bau, Ratssaal" in cancelled.body


def test_another_municipalitys_coordinator_cannot_register_for_a(client, world, meeting):
    other = factories.user_with_role(Role.COORDINATOR, world.b, username="k-b")
    login(client, other)
    response = client.post(
        f"/k/{world.a.slug}/lernnetzwerk/17/anmeldungen/",
        {"person_name": "X", "email": "x@example.org"},
    )
    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_the_cancellation_link_page(client, world, meeting, django_capture_on_commit_callbacks):
    registration = services.registration_create(
        actor=None,
        meeting=meeting,
        person_name="Mia Muster",
        email="m@example.org",
        needs="Rollstuhlplatz",
    )
    url = f"/lernnetzwerk/abmelden/{services.registration_cancel_token(registration)}/"
    page = client.get(url).content.decode()
    assert "Mia Muster, möchten Sie Ihre Anmeldung" in page
    assert "Rollstuhlplatz" not in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert "Sie haben Ihre Anmeldung" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    # the person gets the cancellation in writing, once
    assert [m.to for m in mail.outbox] == [["m@example.org"]]
    assert "Ihre Anmeldung zum 17. Lernnetzwerktreffen" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert "bereits abgemeldet" in client.get(url).content.decode()
    assert len(mail.outbox) == 1
    broken = client.post("/lernnetzwerk/abmelden/kaputt/")
    assert broken.status_code == 400
    assert "Dieser Abmeldelink ist nicht gültig." in broken.content.decode()


def test_the_office_plans_a_meeting_and_builds_the_agenda(client, world, office):
    login(client, office)
    response = client.post(
        "/lernnetzwerk/neu/",
        {
            "title": "Neues Treffen",
            "starts_on": SOON.isoformat(),
            "ends_on": SOON.isoformat(),
            "visibility": "public",
            "venue": "Köln",
            "host_municipality": world.a.pk,
            "registration_open": "on",
        },
    )
    meeting = Meeting.objects.get(title="Neues Treffen")
    assert response["Location"] == f"/lernnetzwerk/{meeting.number}/programm/"
    builder = f"/lernnetzwerk/{meeting.number}/programm/"
    client.post(
        builder,
        {
            "form": "item",
            "item-day": SOON.isoformat(),
            "item-start_time": "10:00",
            "item-end_time": "10:15",
            "item-kind": "welcome",
            "item-title": "Begrüßung",
            "item-order": 0,
        },
    )
    client.post(builder, {"form": "group", "group-title": "AG 1", "group-order": 1})
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.title == "Begrüßung" and meeting.working_groups.get().title == "AG 1"
    bad = client.post(
        builder,
        {
            "form": "item",
            "item-day": SOON.isoformat(),
            "item-start_time": "11:00",
            "item-end_time": "10:00",
            "item-kind": "break",
            "item-title": "Pause",
            "item-order": 0,
        },
    )
    assert bad.status_code == 200
    assert "Das Ende kann nicht vor dem Beginn liegen." in bad.content.decode()
    edit = f"{builder}top/{item.pk}/"
    assert client.get(edit).status_code == 200
    client.post(
        edit,
        {
            "day": SOON.isoformat(),
            "start_time": "10:05",
            "kind": "welcome",
            "title": "Willkommen",
            "order": 0,
        },
    )
    item.refresh_from_db()
    assert (item.title, item.start_time) == ("Willkommen", dt.time(10, 5))
    # Deleting asks first (no script needed), and says the minutes text goes too.
    services.minutes_save(
        actor=office, meeting=meeting, introduction="", texts={item.pk: "Gut."}, published=True
    )
    form = client.get(edit).content.decode()
    assert '<details class="confirm">' in form
    assert "„Willkommen“ löschen?" in form
    assert "Der Protokolltext zu diesem TOP wird mit gelöscht." in form
    assert client.get(f"{edit}loeschen/").status_code == 405
    client.post(f"{edit}loeschen/")
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    group = meeting.working_groups.get()
    client.post(f"{builder}ag/{group.pk}/", {"title": "AG Steuerung", "order": 1})
    group.refresh_from_db()
    assert group.title == "AG Steuerung"
    ContributionFactory(working_group=group, municipality=world.b, title="Jugendforum")
    chose = RegistrationFactory(meeting=meeting, working_group=group)
    form = client.get(f"{builder}ag/{group.pk}/").content.decode()
    assert "1 Kurzreferat (Bergdorf) wird mit gelöscht." in form
    assert "1 Anmeldung verliert die Wahl dieser Arbeitsgruppe." in form
    client.post(f"{builder}ag/{group.pk}/loeschen/")
    assert not meeting.working_groups.exists() and not Contribution.objects.exists()
    chose.refresh_from_db()
    assert chose.working_group is None
    client.post(
        f"/lernnetzwerk/{meeting.number}/bearbeiten/",
        {
            "title": "Umbenannt",
            "starts_on": SOON.isoformat(),
            "ends_on": SOON.isoformat(),
            "visibility": "network",
        },
    )
    meeting.refresh_from_db()
    assert (meeting.title, meeting.visibility) == ("Umbenannt", "network")


def test_a_duplicate_number_and_inverted_dates_get_german_messages_at_once(
    client, world, office, meeting
):
    response = login(client, office).post(
        "/lernnetzwerk/neu/",
        {
            "number": 17,
            "title": "Doppelt",
            "starts_on": SOON.isoformat(),
            "ends_on": (SOON - dt.timedelta(days=1)).isoformat(),
            "visibility": "public",
        },
    )
    page = response.content.decode()
    assert "Ein Treffen mit dieser Nummer gibt es bereits." in page
    assert "Der letzte Tag kann nicht vor dem ersten Tag liegen." in page


@pytest.mark.parametrize("number", ["0", "1000", "2147483648"])
def test_a_meeting_number_outside_1_to_999_is_refused_in_german(client, world, office, number):
    response = login(client, office).post(
        "/lernnetzwerk/neu/",
        {
            "number": number,
            "title": "Zu groß",
            "starts_on": SOON.isoformat(),
            "ends_on": SOON.isoformat(),
            "visibility": "public",
        },
    )
    assert response.status_code == 200
    assert "Die Nummer des Treffens muss zwischen 1 und 999 liegen." in response.content.decode()
    assert not Meeting.objects.exists()
    # the service refuses it too, and the next number after 999 is no number
    services.meeting_create(actor=office, programme=world.programme, number=999, **MEETING)
    with pytest.raises(ValidationError) as error:
        services.meeting_create(actor=office, programme=world.programme, **MEETING)
    assert error.value.message_dict == {
        "number": ["Die Nummer des Treffens muss zwischen 1 und 999 liegen."]
    }
    # an address with a number beyond any column is simply not found
    assert client.get(f"/lernnetzwerk/{'9' * 25}/").status_code == 404


def test_a_submitted_talk_appears_on_the_meeting_page_once_accepted(
    client, world, meeting, coordinator, office
):
    group = WorkingGroupFactory(meeting=meeting, title="AG Übergänge")
    login(client, coordinator)
    url = f"/k/{world.a.slug}/lernnetzwerk/17/kurzreferate/"
    response = client.post(
        url,
        {
            "working_group": group.pk,
            "presenter": "Erika Beispiel",
            "title": "Kita und Schule",
            "abstract": "Übergänge",
            "slides": SimpleUploadedFile("f.pdf", b"%PDF-1.4"),
        },
        follow=True,
    )
    assert "Vielen Dank!" in response.content.decode()
    talk = Contribution.objects.get()
    assert "Kita und Schule" not in client.get("/lernnetzwerk/17/").content.decode()
    login(client, office)
    review = client.get("/lernnetzwerk/17/kurzreferate/").content.decode()
    assert "Kita und Schule" in review
    assert "erfährt Ihre Entscheidung per E-Mail" in review
    client.post(f"/lernnetzwerk/17/kurzreferate/{talk.pk}/entscheidung/", {"decision": "accept"})
    talk.refresh_from_db()
    assert talk.status == ContributionStatus.ACCEPTED
    assert "Kita und Schule" in client.get("/lernnetzwerk/17/").content.decode()
    client.post(f"/lernnetzwerk/17/kurzreferate/{talk.pk}/entscheidung/", {"decision": "x"})
    talk.refresh_from_db()
    assert talk.status == ContributionStatus.ACCEPTED


def test_staff_pages_are_closed_to_coordinators(client, world, meeting, coordinator):
    login(client, coordinator)
    for path in (
        "programm/",
        "kurzreferate/",
        "anmeldungen/",
        "anmeldungen.csv",
        "einlass/",
        "bearbeiten/",
    ):
        assert client.get(f"/lernnetzwerk/17/{path}").status_code == 403, path
    assert client.get("/lernnetzwerk/statistik/").status_code == 403
    assert client.get("/lernnetzwerk/neu/").status_code == 403


def test_the_registration_list_and_its_exports(client, world, meeting, office):
    RegistrationFactory(
        meeting=meeting, municipality=world.a, person_name="=HYPERLINK()", needs="vegan"
    )
    login(client, office)
    page = client.get("/lernnetzwerk/17/anmeldungen/").content.decode()
    assert "vegan" in page
    content = client.get("/lernnetzwerk/17/anmeldungen.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][0] == "Name" and rows[0][2] == "Kommune"
    assert rows[1][0] == "'=HYPERLINK()" and rows[1][2] == "Altstadt" and rows[1][7] == "vegan"
    response = client.get("/lernnetzwerk/17/anmeldungen.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Name" and values[1][2] == "Altstadt"


def test_the_registration_exports_follow_the_interface_language(client, world, meeting, office):
    registration = RegistrationFactory(meeting=meeting, municipality=world.a)
    Registration.objects.filter(pk=registration.pk).update(
        created_at=dt.datetime(2026, 3, 5, 13, 7, tzinfo=dt.UTC)  # 14:07 in Berlin
    )
    login(client, office)

    def exports():
        content = client.get("/lernnetzwerk/17/anmeldungen.csv").content.decode("utf-8-sig")
        csv_rows = list(csv.reader(io.StringIO(content), delimiter=";"))
        response = client.get("/lernnetzwerk/17/anmeldungen.xlsx")
        sheet = load_workbook(io.BytesIO(response.content)).active
        return csv_rows, sheet

    rows, sheet = exports()
    assert (rows[0][8], rows[1][5], rows[1][8]) == (
        "angemeldet am",
        "angemeldet",
        "05.03.2026 14:07",
    )
    assert sheet.title == "Anmeldungen"
    # a date in the workbook, not text, shown as German dates are
    assert sheet["I2"].value == dt.datetime(2026, 3, 5, 14, 7)
    assert sheet["I2"].number_format == "DD.MM.YYYY HH:MM"

    client.cookies["kette_language"] = "en"
    rows, sheet = exports()
    assert (rows[0][8], rows[1][5], rows[1][8]) == (
        "registered on",
        "registered",
        "5 Mar 2026, 14:07",
    )
    assert (sheet.title, sheet["A1"].value) == ("Registrations", "name")
    assert sheet["I2"].value == dt.datetime(2026, 3, 5, 14, 7)
    assert sheet["I2"].number_format == "D MMM YYYY, HH:MM"


def test_check_in_and_walk_ins(client, world, meeting, office):
    registration = RegistrationFactory(meeting=meeting, municipality=world.a)
    login(client, office)
    assert client.get("/lernnetzwerk/17/einlass/").status_code == 200
    client.post(
        "/lernnetzwerk/17/einlass/", {"registration": registration.pk, "attendance": "excused"}
    )
    registration.refresh_from_db()
    assert registration.attendance == Attendance.EXCUSED
    client.post(
        "/lernnetzwerk/17/einlass/",
        {
            "form": "walk_in",
            "person_name": "Spontan",
            "email": "s@example.org",
            "municipality": world.b.pk,
        },
    )
    walk_in = Registration.objects.get(email="s@example.org")
    assert walk_in.attendance == Attendance.WALK_IN
    bad = client.post("/lernnetzwerk/17/einlass/", {"registration": "x"}, follow=True)
    assert "Bitte wählen Sie eine Anwesenheit." in bad.content.decode()


def test_the_statistics_table(client, world, office):
    world.a.cohort = 2012
    world.a.save()
    past = MeetingFactory(
        programme=world.programme, number=11, starts_on=dt.date(2015, 3, 3), title="Unna"
    )
    RegistrationFactory(meeting=past, municipality=world.a, attendance=Attendance.ATTENDED)
    page = login(client, office).get("/lernnetzwerk/statistik/").content.decode()
    assert "Teilnahmestatistik" in page
    assert "Altstadt" in page and "Bergdorf" in page
    assert "Nr. 11" in page
    assert "100 %" in page


@pytest.mark.parametrize("typo", [0, 20177])
def test_a_mistyped_cohort_stored_before_validation_does_not_break_the_statistics(
    client, world, office, typo
):
    # Stored before cohorts were validated: the statistics and the programme
    # report count such a municipality as in the programme from the start.
    Municipality.objects.filter(pk=world.a.pk).update(cohort=typo)
    past = MeetingFactory(programme=world.programme, number=11, starts_on=dt.date(2015, 3, 3))
    RegistrationFactory(meeting=past, municipality=world.a, attendance=Attendance.ATTENDED)
    stats = selectors.participation_statistics(world.programme, today=dt.date(2020, 1, 1))
    altstadt = next(row for row in stats.rows if row.municipality == world.a)
    assert (altstadt.eligible, altstadt.rate) == (1, 1.0)
    login(client, office)
    page = client.get("/lernnetzwerk/statistik/")
    assert page.status_code == 200 and "100 %" in page.content.decode()
    assert client.get("/programm/bericht/").status_code == 200
    assert client.get("/programm/bericht.xlsx").status_code == 200


@pytest.mark.django_db
def test_slides_of_a_submitted_talk_only_for_its_municipality_and_the_office(client):
    from django.core.files.base import ContentFile

    from kette.core.models import Role
    from kette.learning.models import ContributionStatus
    from kette.learning.tests.factories import ContributionFactory
    from kette.testing.factories import MunicipalityFactory, user_with_role

    talk = ContributionFactory(
        slides=ContentFile(b"%PDF-1.4 Folien", name="Unsere Steuerung.pdf"),
    )
    assert "Unsere" not in talk.slides.name  # stored under a random name
    meeting = talk.working_group.meeting
    url = f"/lernnetzwerk/{meeting.number}/kurzreferate/{talk.pk}/folien/"

    assert client.get(url).status_code == 302  # anonymous: log in first
    other = MunicipalityFactory(programme=meeting.programme)
    client.force_login(user_with_role(Role.COORDINATOR, other, username="andere"))
    assert client.get(url).status_code == 403
    client.force_login(user_with_role(Role.EDITOR, talk.municipality, username="eigene"))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 Folien"

    talk.status = ContributionStatus.ACCEPTED
    talk.save()
    client.logout()
    response = client.get(url)
    assert response.status_code == 200  # accepted talk of a public meeting
    assert b"".join(response.streaming_content) == b"%PDF-1.4 Folien"


def test_name_badges_pdf_shows_who_and_where_from_and_nothing_sensitive(
    client, world, meeting, office
):
    meeting.capacity = None
    meeting.save()
    RegistrationFactory(
        meeting=meeting,
        municipality=world.a,
        person_name="Marina Beispiel",
        email="marina@example.org",
        needs="Rollstuhlplatz",
    )
    RegistrationFactory(
        meeting=meeting,
        municipality=None,
        person_name="Gabi Gast",
        organisation="Landesjugendamt",
        email="gabi@example.org",
    )
    RegistrationFactory(
        meeting=meeting, municipality=world.b, person_name="Wartende Person", status="waitlisted"
    )
    RegistrationFactory(
        meeting=meeting, municipality=world.b, person_name="Abgesagte Person", status="cancelled"
    )
    for index in range(7):
        RegistrationFactory(meeting=meeting, municipality=world.b, person_name=f"Bea {index}")
    login(client, office)
    page = client.get("/lernnetzwerk/17/anmeldungen/").content.decode()
    assert 'href="/lernnetzwerk/17/namensschilder.pdf"' in page
    reader, text = read_pdf(
        client.get("/lernnetzwerk/17/namensschilder.pdf"),
        filename="lernnetzwerk-17-namensschilder.pdf",
    )
    assert reader.metadata.title.startswith("Namensschilder: 17. Lernnetzwerktreffen")
    # Nine badges: eight to the first sheet, one on the second; guests last.
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    assert "Marina Beispiel" in first and "Altstadt" in first and "Bea 6" in first
    assert "Gabi Gast" in second and "Landesjugendamt" in second
    assert text.index("Marina Beispiel") < text.index("Bea 0")  # Altstadt before Bergdorf
    assert "Rathaus Köln" in first
    assert "Seite 1 / 2" in first  # core's print footer, in German
    for private in ("marina@example.org", "gabi@example.org", "Rollstuhlplatz"):
        assert private not in text
    assert "Wartende Person" not in text and "Abgesagte Person" not in text


def test_name_badges_are_for_the_office_only(client, world, meeting, coordinator):
    url = "/lernnetzwerk/17/namensschilder.pdf"
    assert client.get(url).status_code == 302
    login(client, coordinator)
    assert client.get(url).status_code == 403


def test_the_office_moves_a_meeting_and_the_calendar_file_follows(
    client, world, meeting, office, django_capture_on_commit_callbacks
):
    AgendaItemFactory(meeting=meeting, start_time=dt.time(10), end_time=dt.time(15))
    services.registration_create(
        actor=None, meeting=meeting, person_name="Mia", email="mia@example.org"
    )
    factories.user_with_role(Role.COORDINATOR, world.a, username="k", email="k@example.org")
    services.meeting_invitations_send(actor=None, meeting=meeting, base_url="https://x")
    mail.outbox.clear()
    later = SOON + dt.timedelta(days=7)
    login(client, office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/lernnetzwerk/17/bearbeiten/",
            {
                "title": meeting.title,
                "starts_on": later.isoformat(),
                "ends_on": later.isoformat(),
                "venue": "Ahlen, Stadthalle",
                "visibility": "public",
                "registration_open": "on",
            },
            follow=True,
        )
    page = response.content.decode()
    assert "1 Tagesordnungspunkt wurde mit den Daten verschoben." in page
    assert "1 angemeldete Person wurde per E-Mail über Datum und Ort informiert." in page
    assert "Auch 1 eingeladene Koordinatorin oder eingeladener Koordinator wurde" in page
    assert [m.to for m in mail.outbox] == [["mia@example.org"], ["k@example.org"]]
    assert f"{settings.KETTE_BASE_URL}/lernnetzwerk/abmelden/" in mail.outbox[0].body
    event = icalendar.Calendar.from_ical(client.get("/lernnetzwerk/17/termin.ics").content).walk(
        "VEVENT"
    )[0]
    assert event.decoded("dtstart").date() == later
    assert str(event["location"]) == "Ahlen, Stadthalle"


def test_a_coordinator_cannot_cancel_registrations_of_a_meeting_that_has_begun(
    client, world, meeting, coordinator
):
    registration = RegistrationFactory(
        meeting=meeting, municipality=world.a, person_name="Charlie Testmann"
    )
    Meeting.objects.filter(pk=meeting.pk).update(starts_on=dt.date(2017, 9, 13))
    Meeting.objects.filter(pk=meeting.pk).update(ends_on=dt.date(2017, 9, 13))
    login(client, coordinator)
    base = f"/k/{world.a.slug}/lernnetzwerk/17/anmeldungen/"
    listing = client.get(base).content.decode()
    assert "Charlie Testmann" in listing and '<details class="confirm">' not in listing
    response = client.post(f"{base}{registration.pk}/abmelden/", follow=True)
    assert "Das Treffen hat begonnen" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED
