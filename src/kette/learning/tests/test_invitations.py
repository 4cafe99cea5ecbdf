"""Invitations to a meeting: mailed to the coordinators of all programme municipalities."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from kette.core.models import Membership, Role
from kette.learning import services
from kette.learning.models import MeetingInvitation, Visibility
from kette.learning.tests.factories import MeetingFactory
from kette.testing import factories

pytestmark = pytest.mark.django_db
SOON = dt.date.today() + dt.timedelta(days=30)


@pytest.fixture
def meeting(world):
    return MeetingFactory(
        programme=world.programme,
        number=17,
        title="Voneinander lernen",
        starts_on=SOON,
        ends_on=SOON,
        venue="Rathaus Köln",
        host_municipality=world.a,
    )


@pytest.fixture
def people(world):
    """Coordinators of A and B (one of them of both), and people who get nothing."""
    anna = factories.user_with_role(
        Role.COORDINATOR, world.a, username="anna", email="Anna@example.org", first_name="Anna"
    )
    Membership.objects.create(
        user=anna, programme=world.programme, municipality=world.b, role=Role.COORDINATOR
    )
    factories.user_with_role(Role.COORDINATOR, world.b, username="ben", email="ben@example.org")
    factories.user_with_role(Role.EDITOR, world.a, username="ed", email="editor@example.org")
    factories.user_with_role(
        Role.COORDINATOR, world.a, username="alt", email="alt@example.org", is_active=False
    )
    factories.user_with_role(Role.COORDINATOR, world.a, username="ohne", email="")
    elsewhere = factories.MunicipalityFactory(
        programme=factories.ProgrammeFactory(name="Anderes", slug="anderes"), slug="fremd"
    )
    factories.user_with_role(Role.COORDINATOR, elsewhere, username="x", email="x@example.org")


def test_coordinators_get_one_invitation_each_with_their_links(world, meeting, people, settings):
    settings.KETTE_BASE_URL = "https://kette.example.org/"
    report = services.meeting_invitations_send(
        actor=None, meeting=meeting, base_url=settings.KETTE_BASE_URL
    )
    assert sorted(report.sent) == ["anna@example.org", "ben@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "ben@example.org"]
    anna = next(m for m in mail.outbox if m.to == ["anna@example.org"])
    assert anna.subject == (
        f"Einladung: 17. Lernnetzwerktreffen: Voneinander lernen am {SOON:%d.%m.%Y}"
    )
    assert anna.body.startswith("Guten Tag Anna")
    assert "Ort: Rathaus Köln" in anna.body
    assert "https://kette.example.org/lernnetzwerk/17/" in anna.body
    for slug in ("altstadt", "bergdorf"):  # Anna coordinates both
        assert f"https://kette.example.org/k/{slug}/lernnetzwerk/17/anmeldungen/" in anna.body
        assert f"https://kette.example.org/k/{slug}/lernnetzwerk/17/kurzreferate/" in anna.body
    assert "&amp;" not in anna.body and "&#x27;" not in anna.body
    assert MeetingInvitation.objects.count() == 2

    # A second run mails nobody twice; --again does.
    mail.outbox.clear()
    again = services.meeting_invitations_send(actor=None, meeting=meeting, base_url="http://x")
    assert (again.sent, again.already, mail.outbox) == ([], 2, [])
    services.meeting_invitations_send(actor=None, meeting=meeting, base_url="x", again=True)
    assert len(mail.outbox) == 2 and MeetingInvitation.objects.count() == 2


def test_closed_registration_leaves_out_the_registration_link(world, meeting, people):
    meeting.registration_open = False
    meeting.call_for_talks_open = False
    meeting.save()
    services.meeting_invitations_send(actor=None, meeting=meeting, base_url="https://k.example")
    assert "anmeldungen" not in mail.outbox[0].body
    assert "kurzreferate" not in mail.outbox[0].body


def test_the_command_invites_and_lists_the_addresses(world, meeting, people, capsys):
    call_command("invite_to_meeting", "17", "--dry-run")
    assert "2 Einladung(en) würden versandt" in capsys.readouterr().out
    assert mail.outbox == []
    call_command("invite_to_meeting", "17")
    out = capsys.readouterr().out
    assert "anna@example.org" in out and "2 Einladung(en) versandt; 0 bereits eingeladen." in out
    assert len(mail.outbox) == 2
    with pytest.raises(CommandError, match=r"Es gibt kein Treffen Nr\. 99\."):
        call_command("invite_to_meeting", "99")
    meeting.starts_on = meeting.ends_on = dt.date(2017, 9, 13)
    meeting.save()
    with pytest.raises(CommandError, match=r"Dieses Treffen ist vorbei\."):
        call_command("invite_to_meeting", "17")


def test_the_office_sends_invitations_with_a_button(
    client, world, meeting, people, office, settings
):
    settings.KETTE_BASE_URL = "https://kette.example.org"
    client.force_login(office)
    page = client.get("/lernnetzwerk/17/").content.decode()
    assert 'action="/lernnetzwerk/17/einladen/"' in page
    # the button says whom it mails (a dry run: nothing sent yet)
    assert "Einladung jetzt an 2 Koordinatorinnen und Koordinatoren senden" in page
    assert not mail.outbox
    response = client.post("/lernnetzwerk/17/einladen/", follow=True)
    assert "Einladungen an 2 Koordinatorinnen und Koordinatoren versandt" in (
        response.content.decode()
    )
    assert "Alle Koordinatorinnen und Koordinatoren mit E-Mail-Adresse sind eingeladen." in (
        response.content.decode()
    )
    # links start with KETTE_BASE_URL, as the command's do, not with the request's host
    assert all("https://kette.example.org/k/" in m.body for m in mail.outbox)
    coordinator = factories.User.objects.get(username="ben")
    client.force_login(coordinator)
    assert client.post("/lernnetzwerk/17/einladen/").status_code == 403
    assert "einladen" not in client.get("/lernnetzwerk/17/").content.decode()
    assert len(mail.outbox) == 2


def test_a_meeting_only_the_office_sees_is_not_announced_to_coordinators(
    client, world, meeting, people, office
):
    # The coordinators could open none of the invitation's links (404), so nobody
    # is mailed: the page explains why, the button and the command refuse.
    meeting.visibility = Visibility.PRIVATE
    meeting.save()
    client.force_login(office)
    page = client.get("/lernnetzwerk/17/").content.decode()
    assert "Einladung jetzt an" not in page
    assert "Dieses Treffen sieht nur die Landeskoordinierungsstelle" in page
    assert 'href="/lernnetzwerk/17/bearbeiten/">Sichtbarkeit ändern</a>' in page
    response = client.post("/lernnetzwerk/17/einladen/", follow=True)
    assert "Machen Sie es zuerst für das Lernnetzwerk sichtbar." in response.content.decode()
    with pytest.raises(CommandError, match="nur die Landeskoordinierungsstelle"):
        call_command("invite_to_meeting", "17")
    assert mail.outbox == [] and not MeetingInvitation.objects.exists()

    # Visible to the network, the invitation goes out and its links open.
    meeting.visibility = Visibility.NETWORK
    meeting.save()
    call_command("invite_to_meeting", "17")
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "ben@example.org"]
    client.force_login(factories.User.objects.get(username="ben"))
    assert client.get("/lernnetzwerk/17/").status_code == 200
    assert client.get("/k/bergdorf/lernnetzwerk/17/anmeldungen/").status_code == 200


def test_moving_a_meeting_tells_the_invited_who_have_not_registered(
    world, meeting, people, settings, django_capture_on_commit_callbacks
):
    settings.KETTE_BASE_URL = "https://kette.example.org"
    office = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    services.meeting_invitations_send(actor=None, meeting=meeting, base_url="https://x")
    # Ben registered himself: he gets the registrants' mail, not this one.
    services.registration_create(
        actor=None, meeting=meeting, person_name="Ben", email="ben@example.org"
    )
    factories.user_with_role(Role.COORDINATOR, world.b, username="neu", email="neu@example.org")
    mail.outbox.clear()

    later = SOON + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        change = services.meeting_update(
            actor=office, meeting=meeting, starts_on=later, ends_on=later
        )
    assert (change.told, change.told_invited) == (1, 1)
    # Anna was invited and is told, with her links; the coordinator who came
    # after the invitation was never invited and is not mailed now either.
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "ben@example.org"]
    anna = next(m for m in mail.outbox if m.to == ["anna@example.org"])
    assert anna.subject == (
        f"Terminänderung: 17. Lernnetzwerktreffen: Voneinander lernen am {later:%d.%m.%Y}"
    )
    body = " ".join(anna.body.split())
    assert "zu dem Sie eingeladen wurden, haben sich Datum oder Ort geändert" in body
    assert f"https://kette.example.org/k/{world.a.slug}/lernnetzwerk/17/anmeldungen/" in body
    assert f"https://kette.example.org/k/{world.b.slug}/lernnetzwerk/17/anmeldungen/" in body

    # A title change tells nobody; a meeting only the office sees tells no one invited.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(actor=office, meeting=meeting, title="Neu")
        change = services.meeting_update(
            actor=office, meeting=meeting, venue="Ahlen", visibility=Visibility.PRIVATE
        )
    assert (change.told, change.told_invited) == (1, 0)
    assert [m.to for m in mail.outbox] == [["ben@example.org"]]
