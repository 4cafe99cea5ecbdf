"""Deleting a meeting or a practice example: the confirmation names what goes with
it, everything goes (files too), each deletion is recorded, and the people
registered for a meeting that is not over are told."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kette.core.models import Role
from kette.learning import selectors, services
from kette.learning.models import (
    AgendaItem,
    Article,
    Contribution,
    Meeting,
    MeetingInvitation,
    Minutes,
    PracticeExample,
    Registration,
    RegistrationStatus,
    Visibility,
    WorkingGroup,
)
from kette.learning.tests.factories import (
    AgendaItemFactory,
    ContributionFactory,
    MeetingFactory,
    RegistrationFactory,
    WorkingGroupFactory,
    share_example,
)
from kette.testing import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]
SOON = dt.date.today() + dt.timedelta(days=30)


def stored_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def full_meeting(world, office):
    """A meeting with something of every kind that belongs to it."""
    meeting = MeetingFactory(
        programme=world.programme, number=17, title="Übergänge", starts_on=SOON, ends_on=SOON
    )
    item = AgendaItemFactory(meeting=meeting)
    group = WorkingGroupFactory(meeting=meeting)
    ContributionFactory(
        working_group=group,
        municipality=world.a,
        slides=ContentFile(b"%PDF-1.4 Folien", name="folien.pdf"),
    )
    ContributionFactory(working_group=group, municipality=world.b)
    RegistrationFactory(meeting=meeting, email="mia@example.org", person_name="Mia")
    RegistrationFactory(meeting=meeting, status=RegistrationStatus.CANCELLED)
    services.minutes_save(
        actor=office, meeting=meeting, introduction="", texts={item.pk: "Begrüßt."}, published=True
    )
    services.meeting_document_add(
        actor=office,
        meeting=meeting,
        file=SimpleUploadedFile("handout.pdf", b"%PDF-1.7 Handout"),
        title="Handout",
        kind="handout",
        audience="meeting",
    )
    photo = services.meeting_photo_add(
        actor=office,
        meeting=meeting,
        image=SimpleUploadedFile("foto.png", png()),
        caption="Ratssaal",
        credit="LKS",
        alt_text="Ein Saal",
        audience="meeting",
    )
    services.article_create(
        actor=office,
        meeting=meeting,
        photos=[photo],
        title="Bericht",
        teaser="T",
        body="B",
        status="published",
    )
    MeetingInvitation.objects.create(meeting=meeting, email="k@example.org", sent_at=timezone.now())
    return meeting


def test_deleting_a_meeting_takes_everything_with_it(
    world, office, full_meeting, media_root, django_capture_on_commit_callbacks
):
    goes = selectors.meeting_dependants(full_meeting, today=dt.date.today())
    assert goes == selectors.MeetingDependants(
        agenda_items=1,
        working_groups=1,
        registrations=2,
        to_tell=1,
        talks=2,
        slides=1,
        documents=1,
        photos=1,
        has_minutes=True,
        articles=1,
        published_articles=1,
    )
    assert len(stored_files(media_root)) == 3  # slides, document, photo
    other = MeetingFactory(programme=world.programme, number=18)
    RegistrationFactory(meeting=other)

    with django_capture_on_commit_callbacks(execute=True):
        told = services.meeting_delete(actor=office, meeting=full_meeting)

    assert told == 1
    assert list(Meeting.objects.all()) == [other]
    for model in (AgendaItem, WorkingGroup, Contribution, Minutes, Article, MeetingInvitation):
        assert not model.objects.exists(), model
    assert list(Registration.objects.values_list("meeting", flat=True)) == [other.pk]
    assert stored_files(media_root) == []
    # every deletion is recorded with who did it
    assert Meeting.history.get(history_type="-").history_user == office
    assert {r.history_user for r in Registration.history.filter(history_type="-")} == {office}
    # the registered person learns that the meeting does not take place; the
    # cancelled one is not mailed again
    (cancelled,) = mail.outbox
    assert cancelled.to == ["mia@example.org"]
    assert cancelled.subject == (f"Abgesagt: 17. Lernnetzwerktreffen: Übergänge am {SOON:%d.%m.%Y}")
    assert "das 17. Lernnetzwerktreffen: Übergänge findet nicht statt" in cancelled.body


def test_deleting_a_past_meeting_mails_nobody(world, office, django_capture_on_commit_callbacks):
    past = dt.date.today() - dt.timedelta(days=100)
    meeting = MeetingFactory(programme=world.programme, starts_on=past, ends_on=past)
    RegistrationFactory(meeting=meeting)
    assert selectors.meeting_dependants(meeting, today=dt.date.today()).to_tell == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meeting_delete(actor=office, meeting=meeting) == 0
    assert mail.outbox == [] and not Meeting.objects.exists()


def test_the_office_deletes_a_meeting_from_its_edit_page_after_confirming(
    client, world, office, full_meeting, coordinator
):
    client.force_login(coordinator)
    assert client.post("/lernnetzwerk/17/loeschen/").status_code == 403
    client.force_login(office)
    page = client.get("/lernnetzwerk/17/bearbeiten/").content.decode()
    assert "„17. Lernnetzwerktreffen: Übergänge“ löschen?" in page
    assert 'action="/lernnetzwerk/17/loeschen/"' in page
    for sentence in (
        "2 Anmeldungen werden mit gelöscht.",
        "1 angemeldete oder wartende Person erfährt per E-Mail, dass das Treffen nicht "
        "stattfindet.",
        "2 Kurzreferate werden mit gelöscht.",
        "1 Foliendatei wird endgültig gelöscht.",
        "1 Dokument wird endgültig gelöscht.",
        "1 Foto wird endgültig gelöscht.",
        "Das Protokoll wird mit gelöscht.",
        "1 Bericht über das Treffen wird mit gelöscht.",
        "Veröffentlichte Berichte verschwinden von der Seite „Aktuelles“.",
    ):
        assert sentence in page, sentence
    assert client.get("/lernnetzwerk/17/loeschen/").status_code == 405
    response = client.post("/lernnetzwerk/17/loeschen/", follow=True)
    assert response.redirect_chain[-1][0] == "/lernnetzwerk/"
    assert "Das Treffen wurde gelöscht. 1 angemeldete Person wurde per E-Mail" in (
        response.content.decode()
    )
    assert not Meeting.objects.exists()
    assert client.get("/lernnetzwerk/17/").status_code == 404


def test_deleting_a_practice_example_takes_its_attachments_and_keeps_the_talks(
    client, world, media_root, django_capture_on_commit_callbacks
):
    talk = ContributionFactory(
        working_group__meeting__programme=world.programme, municipality=world.a, status="accepted"
    )
    example = share_example(
        world.a,
        "Lotsendienst",
        status="published",
        visibility=Visibility.PUBLIC,
        contributions=[talk],
    )
    services.practice_example_attachment_add(
        actor=None,
        example=example,
        title="Konzept",
        file=SimpleUploadedFile("konzept.pdf", b"%PDF-1.7 Konzept"),
    )
    url = f"/k/{world.a.slug}/praxisbeispiele/{example.pk}/loeschen/"
    client.force_login(factories.user_with_role(Role.EDITOR, world.b, username="b-editor"))
    assert client.post(url).status_code == 403
    client.force_login(factories.user_with_role(Role.VIEWER, world.a, username="a-viewer"))
    assert client.post(url).status_code == 403
    editor = factories.user_with_role(Role.EDITOR, world.a, username="a-editor")
    client.force_login(editor)
    page = client.get(f"/k/{world.a.slug}/praxisbeispiele/{example.pk}/").content.decode()
    assert "„Lotsendienst“ löschen?" in page and f'action="{url}"' in page
    assert "1 Anhang wird endgültig mit gelöscht." in page
    assert len(stored_files(media_root)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == f"/k/{world.a.slug}/praxisbeispiele/"
    assert "Das Praxisbeispiel wurde gelöscht." in response.content.decode()
    assert not PracticeExample.objects.exists()
    assert list(Contribution.objects.all()) == [talk]
    assert stored_files(media_root) == []
    assert PracticeExample.history.get(history_type="-").history_user == editor
    assert client.get(f"/lernnetzwerk/praxisbeispiele/{example.pk}/").status_code == 404
