import datetime as dt

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from kette.core.models import Role
from kette.learning import selectors, services
from kette.learning.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
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
from kette.testing import factories

pytestmark = pytest.mark.django_db
SOON = dt.date.today() + dt.timedelta(days=20)


@pytest.fixture
def office(world):
    return factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")


def register(meeting, n, **extra):
    return services.registration_create(
        actor=None,
        meeting=meeting,
        person_name=f"Person {n}",
        email=f"person{n}@example.org",
        **extra,
    )


def test_meetings_get_the_next_number_and_record_who_created_them(world, office):
    services.meeting_create(
        actor=office,
        programme=world.programme,
        number=16,
        title="Treffen",
        starts_on=SOON,
        ends_on=SOON,
    )
    meeting = services.meeting_create(
        actor=office,
        programme=world.programme,
        title="Nächstes",
        starts_on=SOON,
        ends_on=SOON,
        host_municipality=world.a,
        visibility=Visibility.PUBLIC,
    )
    assert meeting.number == 17
    assert meeting.history.latest().history_user == office


def test_a_host_from_another_programme_is_refused(world, office):
    other = factories.MunicipalityFactory(programme=factories.ProgrammeFactory(slug="x"))
    with pytest.raises(ValidationError):
        services.meeting_create(
            actor=office,
            programme=world.programme,
            title="T",
            starts_on=SOON,
            ends_on=SOON,
            host_municipality=other,
        )


def test_meeting_update_changes_fields_and_is_audited(world, office):
    meeting = MeetingFactory(programme=world.programme)
    services.meeting_update(actor=office, meeting=meeting, venue="Gürzenich", title="Neu")
    meeting.refresh_from_db()
    assert (meeting.venue, meeting.title) == ("Gürzenich", "Neu")
    assert meeting.history.latest().history_user == office


def test_agenda_items_are_created_updated_and_deleted(world, office):
    meeting = MeetingFactory(programme=world.programme, starts_on=SOON, ends_on=SOON)
    item = services.agenda_item_create(
        actor=office,
        meeting=meeting,
        start_time=dt.time(10),
        end_time=dt.time(10, 15),
        kind=AgendaItemKind.WELCOME,
        title="Begrüßung",
    )
    assert item.day == SOON
    services.agenda_item_update(actor=office, item=item, title="Willkommen")
    assert AgendaItem.objects.get(pk=item.pk).title == "Willkommen"
    item_pk = item.pk
    services.agenda_item_delete(actor=office, item=item)
    assert not AgendaItem.objects.filter(pk=item_pk).exists()
    assert AgendaItem.history.filter(id=item_pk).count() == 3


def test_an_agenda_item_outside_the_meetings_days_or_ending_early_is_refused(world, office):
    meeting = MeetingFactory(programme=world.programme, starts_on=SOON, ends_on=SOON)
    with pytest.raises(ValidationError) as error:
        services.agenda_item_create(
            actor=office,
            meeting=meeting,
            day=SOON + dt.timedelta(days=1),
            start_time=dt.time(10),
            kind=AgendaItemKind.BREAK,
            title="Pause",
        )
    assert "day" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.agenda_item_create(
            actor=office,
            meeting=meeting,
            start_time=dt.time(10),
            end_time=dt.time(9),
            kind=AgendaItemKind.BREAK,
            title="Pause",
        )
    assert "end_time" in error.value.message_dict


def test_working_groups_are_created_updated_and_deleted_with_their_talks(world, office):
    meeting = MeetingFactory(programme=world.programme)
    group = services.working_group_create(
        actor=office, meeting=meeting, title="AG 1", room="Raum 2", moderators="LKS"
    )
    services.working_group_update(actor=office, group=group, title="AG 1: Steuerung")
    talk = ContributionFactory(working_group=group, municipality=world.a)
    registration = RegistrationFactory(meeting=meeting, municipality=world.a, working_group=group)
    services.working_group_delete(actor=office, group=group)
    assert not meeting.working_groups.exists()
    assert not type(talk).objects.filter(pk=talk.pk).exists()
    registration.refresh_from_db()
    assert registration.working_group is None


def test_a_coordinator_submits_a_talk_that_the_office_accepts(world, office, coordinator):
    group = WorkingGroupFactory(meeting__programme=world.programme)
    talk = services.contribution_submit(
        actor=coordinator,
        municipality=world.a,
        working_group=group,
        presenter="Erika Beispiel",
        title="Steuerung der Präventionskette",
        abstract="…",
        slides=SimpleUploadedFile("folien.pdf", b"%PDF-1.4 test"),
    )
    assert talk.status == ContributionStatus.SUBMITTED
    assert talk.slides.name.endswith(".pdf")
    services.contribution_accept(actor=office, contribution=talk)
    talk.refresh_from_db()
    assert talk.status == ContributionStatus.ACCEPTED
    assert talk.order == 1
    assert talk.history.latest().history_user == office


def test_declined_talks_are_declined(world, office):
    talk = ContributionFactory(working_group__meeting__programme=world.programme)
    services.contribution_decline(actor=office, contribution=talk)
    talk.refresh_from_db()
    assert talk.status == ContributionStatus.DECLINED


def test_talks_are_refused_when_the_call_is_closed_or_the_slides_are_not_slides(world, coordinator):
    group = WorkingGroupFactory(meeting__programme=world.programme)
    with pytest.raises(ValidationError) as error:
        services.contribution_submit(
            actor=coordinator,
            municipality=world.a,
            working_group=group,
            presenter="P",
            title="T",
            slides=SimpleUploadedFile("folien.exe", b"MZ"),
        )
    assert "slides" in error.value.message_dict
    group.meeting.call_for_talks_open = False
    group.meeting.save()
    with pytest.raises(ValidationError):
        services.contribution_submit(
            actor=coordinator, municipality=world.a, working_group=group, presenter="P", title="T"
        )


def test_no_talks_are_offered_to_a_meeting_that_is_over(world, coordinator):
    group = WorkingGroupFactory(
        meeting__programme=world.programme,
        meeting__starts_on=dt.date(2026, 10, 1),
        meeting__call_for_talks_open=True,
    )
    with pytest.raises(ValidationError, match=r"Dieses Treffen ist vorbei\."):
        services.contribution_submit(
            actor=coordinator, municipality=world.a, working_group=group, presenter="P", title="T"
        )
    assert not group.contributions.exists()
    # the documentation of an earlier meeting still records the talks given there
    talk = services.contribution_record(
        actor=None, municipality=world.a, working_group=group, presenter="P", title="T"
    )
    assert talk.status == ContributionStatus.ACCEPTED


def test_the_waitlist_moves_up_by_itself_when_someone_cancels(
    world, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(programme=world.programme, capacity=2)
    first, second = register(meeting, 1), register(meeting, 2)
    third, fourth = register(meeting, 3), register(meeting, 4)
    assert [r.status for r in (first, second, third, fourth)] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.WAITLISTED,
    ]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=None, registration=second)
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses["person2@example.org"] == RegistrationStatus.CANCELLED
    assert statuses["person3@example.org"] == RegistrationStatus.REGISTERED
    assert statuses["person4@example.org"] == RegistrationStatus.WAITLISTED
    # the cancelled person is told, and the one who moved up
    assert [m.to for m in mail.outbox] == [["person2@example.org"], ["person3@example.org"]]


def test_more_places_move_the_waitlist_up(world, office):
    meeting = MeetingFactory(programme=world.programme, capacity=1)
    register(meeting, 1)
    waiting = register(meeting, 2)
    services.meeting_update(actor=office, meeting=meeting, capacity=2)
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED


def test_registration_is_refused_twice_for_the_same_address_when_closed_or_over(world):
    meeting = MeetingFactory(programme=world.programme)
    register(meeting, 1)
    with pytest.raises(ValidationError):
        services.registration_create(
            actor=None, meeting=meeting, person_name="X", email="PERSON1@example.org "
        )
    past = MeetingFactory(programme=world.programme, starts_on=dt.date(2017, 9, 13))
    with pytest.raises(ValidationError):
        register(past, 5)
    meeting.registration_open = False
    meeting.save()
    with pytest.raises(ValidationError):
        register(meeting, 6)


def test_someone_who_cancelled_may_register_again(world):
    meeting = MeetingFactory(programme=world.programme)
    services.registration_cancel(actor=None, registration=register(meeting, 1))
    again = register(meeting, 1)
    assert again.status == RegistrationStatus.REGISTERED


def test_the_confirmation_mail_carries_a_working_cancellation_link(
    world, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(programme=world.programme, capacity=1)
    register(meeting, 0)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = register(meeting, 1, cancel_url_template="https://kette.test/abmelden/{token}/")
    body = mail.outbox[-1].body
    assert "Warteliste" in body
    token = body.split("https://kette.test/abmelden/")[1].split("/")[0]
    assert services.registration_cancel_by_token(token=token).pk == waiting.pk
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CANCELLED
    # Cancelling twice changes nothing.
    assert services.registration_cancel_by_token(token=token).status == "cancelled"


def test_a_forged_or_expired_or_late_cancellation_link_is_refused(world):
    meeting = MeetingFactory(programme=world.programme)
    registration = register(meeting, 1)
    token = services.registration_cancel_token(registration)
    with pytest.raises(services.InvalidCancellation, match="nicht gültig"):
        services.registration_from_token(token[:-2] + "xx")
    forged = signing.dumps({"r": registration.pk, "m": meeting.pk}, salt="other")
    with pytest.raises(services.InvalidCancellation):
        services.registration_from_token(forged)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "CANCEL_MAX_AGE", dt.timedelta(seconds=-1))
        with pytest.raises(services.InvalidCancellation, match="abgelaufen"):
            services.registration_from_token(token)
    Meeting.objects.filter(pk=meeting.pk).update(starts_on=dt.date.today())
    with pytest.raises(services.InvalidCancellation, match="begonnen"):
        services.registration_from_token(token)


def test_check_in_records_attendance_and_walk_ins(world, office):
    meeting = MeetingFactory(programme=world.programme, capacity=1)
    registration = register(meeting, 1, municipality=world.a)
    services.attendance_set(actor=office, registration=registration, attendance=Attendance.ABSENT)
    registration.refresh_from_db()
    assert registration.attendance == Attendance.ABSENT
    walk_in = services.walk_in_create(
        actor=office,
        meeting=meeting,
        person_name="Spontan",
        email="spontan@example.org",
        municipality=world.b,
    )
    assert walk_in.attendance == Attendance.WALK_IN
    # A registered person at the door is checked in, not duplicated.
    same = services.walk_in_create(
        actor=office, meeting=meeting, person_name="Person 1", email="person1@example.org"
    )
    assert same.pk == registration.pk and same.attendance == Attendance.ATTENDED
    with pytest.raises(ValidationError):
        services.attendance_set(actor=office, registration=registration, attendance="bogus")


def test_someone_from_the_waitlist_let_in_at_the_door_is_registered(
    world, office, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(programme=world.programme, capacity=1)
    first = register(meeting, 1)
    waiting = register(meeting, 2)
    services.walk_in_create(
        actor=office, meeting=meeting, person_name="Person 2", email="PERSON2@example.org "
    )
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attendance) == (
        RegistrationStatus.REGISTERED,
        Attendance.ATTENDED,
    )
    assert "Person 2" in [badge.name for badge in selectors.badges_of(meeting)]
    # nobody is "moved up" later and told a place has become free
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=None, registration=first)
    assert [m.to for m in mail.outbox] == [["person1@example.org"]]


def test_registrations_cannot_be_cancelled_once_the_meeting_has_begun(world):
    meeting = MeetingFactory(programme=world.programme)
    registration = register(meeting, 1)
    Meeting.objects.filter(pk=meeting.pk).update(starts_on=dt.date.today())
    with pytest.raises(ValidationError, match="Das Treffen hat begonnen"):
        services.registration_cancel(actor=None, registration=registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED


def test_needs_are_purged_after_the_meeting_and_the_command_is_idempotent(world, capsys):
    past = MeetingFactory(programme=world.programme, starts_on=dt.date(2017, 9, 13))
    future = MeetingFactory(programme=world.programme)
    old = RegistrationFactory(meeting=past, needs="vegetarisch")
    coming = RegistrationFactory(meeting=future, needs="Gebärdensprache")
    call_command("purge_registration_needs")
    old.refresh_from_db()
    coming.refresh_from_db()
    assert old.needs == "" and old.needs_purged_at is not None
    assert coming.needs == "Gebärdensprache"
    assert "1 Anmeldung" in capsys.readouterr().out
    call_command("purge_registration_needs")
    assert "0 Anmeldungen" in capsys.readouterr().out
    assert not any("vegetarisch" in str(vars(record)) for record in old.history.all())


def test_cancelling_deletes_the_needs_at_once(world):
    meeting = MeetingFactory(programme=world.programme)
    registration = register(meeting, 1, needs="Rollstuhl")
    services.registration_cancel(actor=None, registration=registration)
    registration.refresh_from_db()
    assert registration.needs == ""


def test_recording_an_earlier_meetings_list_is_idempotent(world, office):
    past = MeetingFactory(programme=world.programme, starts_on=dt.date(2017, 9, 13))
    first = services.registration_record(
        actor=office,
        meeting=past,
        person_name="Alex Beispiel",
        email="Alex@example.org",
        municipality=world.a,
        attendance=Attendance.ATTENDED,
    )
    again = services.registration_record(
        actor=office,
        meeting=past,
        person_name="Alex Beispiel",
        email="alex@example.org",
        municipality=world.a,
        attendance=Attendance.ATTENDED,
    )
    assert first.pk == again.pk
    assert first.history.count() == 1
    assert again.status == RegistrationStatus.REGISTERED


def test_moving_a_meeting_moves_its_agenda_and_tells_everyone_registered(
    world, office, django_capture_on_commit_callbacks
):
    start = SOON
    meeting = MeetingFactory(
        programme=world.programme,
        number=22,
        title="Übergänge",
        starts_on=start,
        ends_on=start + dt.timedelta(days=1),
        venue="Köln, Rathaus",
        capacity=1,
    )
    welcome = AgendaItemFactory(meeting=meeting, title="Begrüßung", day=start)
    groups = AgendaItemFactory(
        meeting=meeting, title="Arbeitsgruppen", day=start + dt.timedelta(days=1)
    )
    register(meeting, 1)  # registered
    register(meeting, 2)  # waitlist
    services.registration_cancel(actor=None, registration=register(meeting, 3))
    mail.outbox.clear()

    later = start + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        change = services.meeting_update(
            actor=office,
            meeting=meeting,
            starts_on=later,
            ends_on=later + dt.timedelta(days=1),
            venue="Ahlen, Stadthalle",
            cancel_url_template="https://kette.test/abmelden/{token}/",
        )
    assert (change.moved_items, change.told) == (2, 2)
    # each item keeps its day relative to the first, and can be saved again
    welcome.refresh_from_db()
    groups.refresh_from_db()
    assert (welcome.day, groups.day) == (later, later + dt.timedelta(days=1))
    services.agenda_item_update(actor=office, item=welcome, title="Willkommen")
    # the registered and the waiting person are told, the cancelled one is not
    assert sorted(m.to[0] for m in mail.outbox) == ["person1@example.org", "person2@example.org"]
    told = {m.to[0]: m for m in mail.outbox}
    first = told["person1@example.org"]
    assert (
        first.subject == f"Terminänderung: 22. Lernnetzwerktreffen: Übergänge am {later:%d.%m.%Y}"
    )
    assert "Ort: Ahlen, Stadthalle" in first.body
    assert "Ihre Anmeldung bleibt bestehen." in first.body
    token = first.body.split("https://kette.test/abmelden/")[1].split("/")[0]
    assert services.registration_from_token(token).email == "person1@example.org"
    assert "weiter auf der Warteliste" in told["person2@example.org"].body

    # A title change tells nobody.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change = services.meeting_update(actor=office, meeting=meeting, title="Neu")
    assert (change.moved_items, change.told, mail.outbox) == (0, 0, [])


def test_a_shorter_meeting_that_would_drop_agenda_items_is_refused_naming_them(world, office):
    meeting = MeetingFactory(
        programme=world.programme, starts_on=SOON, ends_on=SOON + dt.timedelta(days=1)
    )
    AgendaItemFactory(meeting=meeting, title="Begrüßung", day=SOON)
    AgendaItemFactory(
        meeting=meeting, title="Exkursion", day=SOON + dt.timedelta(days=1), start_time=dt.time(9)
    )
    with pytest.raises(ValidationError) as error:
        services.meeting_update(actor=office, meeting=meeting, ends_on=SOON)
    assert error.value.message_dict["ends_on"] == [
        "Diese Tagesordnungspunkte lägen nach dem letzten Tag: Exkursion "
        f"({SOON + dt.timedelta(days=1):%d.%m.%Y}, 09:00). Verschieben Sie sie zuerst auf "
        "einen früheren Tag oder löschen Sie sie."
    ]
    meeting.refresh_from_db()
    assert meeting.ends_on == SOON + dt.timedelta(days=1)


def test_the_person_who_offered_a_talk_is_told_the_decision_by_mail(
    world, office, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(programme=world.programme, number=17, title="Übergänge")
    group = WorkingGroupFactory(meeting=meeting, title="AG Kita und Schule")
    kim = factories.user_with_role(
        Role.COORDINATOR,
        world.a,
        username="kim",
        email="kim@example.org",
        first_name="Kim",
        last_name="Beispiel",
    )
    talk = services.contribution_submit(
        actor=kim,
        municipality=world.a,
        working_group=group,
        presenter="Kim Beispiel",
        title="Brücken bauen",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.contribution_accept(actor=office, contribution=talk)
        services.contribution_accept(actor=office, contribution=talk)  # no change, no mail
    (accepted,) = mail.outbox
    assert accepted.to == ["kim@example.org"]
    assert accepted.subject == "Ihr Kurzreferat ist angenommen: Brücken bauen"
    assert accepted.body.startswith("Guten Tag Kim Beispiel,")
    assert (
        "hat Ihr Kurzreferat „Brücken bauen“ für die Arbeitsgruppe „AG Kita und Schule“ "
        "beim 17. Lernnetzwerktreffen: Übergänge angenommen." in " ".join(accepted.body.split())
    )
    assert f"{settings.KETTE_BASE_URL}/k/{world.a.slug}/lernnetzwerk/17/kurzreferate/" in (
        accepted.body
    )

    # in the recipient's language (kette knows none: German), not the office's English
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.contribution_decline(actor=office, contribution=talk)
    (declined,) = mail.outbox
    assert declined.subject == "Ihr Kurzreferat wurde nicht angenommen: Brücken bauen"
    assert "konnte Ihr Kurzreferat „Brücken bauen“ für die Arbeitsgruppe" in " ".join(
        declined.body.split()
    )

    # Nobody to tell: a talk the office records itself, or one without a person.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.contribution_record(
            actor=office,
            municipality=world.a,
            working_group=group,
            presenter="Ali",
            title="Früher gehalten",
        )
        services.contribution_accept(
            actor=office, contribution=ContributionFactory(working_group=group)
        )
    assert mail.outbox == []
