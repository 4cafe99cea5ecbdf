"""Core services write, validate and record who changed what."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from kette.core import services
from kette.core.models import (
    FundingPeriod,
    Membership,
    Municipality,
    MunicipalityKind,
    Role,
    User,
)
from kette.testing.factories import ProgrammeFactory, user_with_role

pytestmark = pytest.mark.django_db


def _upsert(programme, **overrides):
    fields = {
        "actor": None,
        "programme": programme,
        "name": "Mülheim an der Ruhr",
        "kind": MunicipalityKind.KREISFREIE_STADT,
        "official_key": "05117000",
        "population": 170880,
        "cohort": 2017,
        "funding_periods": [(dt.date(2017, 1, 1), dt.date(2018, 12, 31))],
    }
    fields.update(overrides)
    return services.municipality_upsert(**fields)


def test_municipality_upsert_creates_with_transliterated_slug_and_funding():
    programme = ProgrammeFactory()
    municipality = _upsert(programme)
    assert municipality.slug == "muelheim-an-der-ruhr"
    assert [str(p) for p in FundingPeriod.objects.for_municipality(municipality)] == [
        "01.01.2017 – 31.12.2018"
    ]


def test_municipality_upsert_twice_changes_nothing_and_records_nothing_new():
    programme = ProgrammeFactory()
    municipality = _upsert(programme)
    versions = municipality.history.count()
    period_versions = FundingPeriod.history.count()
    _upsert(programme)
    assert Municipality.objects.count() == 1
    assert FundingPeriod.objects.count() == 1
    assert municipality.history.count() == versions
    assert FundingPeriod.history.count() == period_versions


def test_municipality_upsert_updates_by_official_key():
    programme = ProgrammeFactory()
    _upsert(programme)
    updated = _upsert(programme, population=171000)
    assert Municipality.objects.get().population == 171000
    assert updated.history.first().history_type == "~"


def test_municipality_upsert_rejects_a_malformed_key():
    with pytest.raises(ValidationError):
        _upsert(ProgrammeFactory(), official_key="5117000")
    assert not Municipality.objects.exists()


def test_municipality_upsert_rejects_a_key_of_the_wrong_length_for_a_kreis():
    with pytest.raises(ValidationError):
        _upsert(ProgrammeFactory(), kind=MunicipalityKind.KREIS, official_key="05117000")
    assert not Municipality.objects.exists()


@pytest.mark.parametrize("typo", [0, 1999, 20177])
def test_a_mistyped_funding_cohort_is_refused_with_the_plausible_years(typo):
    this_year = dt.date.today().year
    with pytest.raises(ValidationError) as error:
        _upsert(ProgrammeFactory(), cohort=typo)
    assert error.value.message_dict["cohort"] == [
        f"Bitte das Jahr angeben, in dem die Förderung begann: {2000} bis {this_year + 10}."
    ]
    assert not Municipality.objects.exists()


def test_a_cohort_planned_ahead_is_accepted():
    planned = dt.date.today().year + 10
    assert _upsert(ProgrammeFactory(), cohort=planned).cohort == planned


def test_profile_update_is_recorded_with_the_actor(world):
    coordinator = user_with_role(Role.COORDINATOR, world.a, username="k")
    services.municipality_update_profile(
        actor=coordinator,
        municipality=world.a,
        description="Unsere Präventionskette",
        website="https://altstadt.example",
    )
    latest = world.a.history.first()
    assert latest.history_user == coordinator
    assert latest.description == "Unsere Präventionskette"


def test_invite_creates_account_membership_and_sends_a_password_link(
    world, django_capture_on_commit_callbacks
):
    coordinator = user_with_role(Role.COORDINATOR, world.a, username="k")
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.membership_invite(
            actor=coordinator,
            municipality=world.a,
            email="Neu@Example.org",
            first_name="Nora",
            last_name="Neu",
            role=Role.EDITOR,
            base_url="https://kette.example",
        )
    assert membership.user.email == "neu@example.org"
    assert membership.role == Role.EDITOR
    assert not membership.user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "https://kette.example/konto/passwort/neu/" in mail.outbox[0].body
    assert membership.history.first().history_user == coordinator


def test_invitations_and_feedback_are_mailed_in_german_whatever_the_sender_works_in(
    world, settings, django_capture_on_commit_callbacks
):
    coordinator = user_with_role(Role.COORDINATOR, world.a, username="k")
    settings.KETTE_ACCESSIBILITY_EMAIL = "barrierefrei@example.org"
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.membership_invite(
            actor=coordinator,
            municipality=world.a,
            email="neu@example.org",
            first_name="Nora",
            last_name="Neu",
            role=Role.EDITOR,
            base_url="https://kette.example",
        )
        services.accessibility_feedback_submit(message="Zu wenig Kontrast", page_url="/")
        assert translation.get_language() == "en"  # the sender's language stays
    by_address = {m.to[0]: m for m in mail.outbox}
    invitation = by_address["neu@example.org"]
    feedback = by_address["barrierefrei@example.org"]
    assert invitation.subject == "Ihr Zugang zu kette"
    assert "Bitte" in invitation.body and "Please" not in invitation.body
    assert feedback.subject == "Rückmeldung zur Barrierefreiheit"


def test_inviting_an_existing_person_changes_the_role_without_a_mail(world):
    coordinator = user_with_role(Role.COORDINATOR, world.a, username="k")
    editor = user_with_role(Role.EDITOR, world.a, username="e", email="e@example.org")
    services.membership_invite(
        actor=coordinator,
        municipality=world.a,
        email="e@example.org",
        first_name="",
        last_name="",
        role=Role.VIEWER,
        base_url="https://kette.example",
    )
    assert Membership.objects.get(user=editor).role == Role.VIEWER
    assert mail.outbox == []


def test_programme_roles_cannot_be_given_through_an_invitation(world):
    coordinator = user_with_role(Role.COORDINATOR, world.a, username="k")
    with pytest.raises(ValueError):
        services.membership_invite(
            actor=coordinator,
            municipality=world.a,
            email="x@example.org",
            first_name="X",
            last_name="Y",
            role=Role.PROGRAMME_ADMIN,
            base_url="https://kette.example",
        )


def test_removing_a_member_takes_the_role_away(world):
    coordinator = user_with_role(Role.COORDINATOR, world.a, username="k")
    editor = user_with_role(Role.EDITOR, world.a, username="e")
    assert editor.has_perm("core.enter_workspace", world.a)
    services.membership_remove(actor=coordinator, membership=Membership.objects.get(user=editor))
    # Roles are read once per request; the next request loads the user afresh.
    assert not User.objects.get(pk=editor.pk).has_perm("core.enter_workspace", world.a)
    assert Membership.history.filter(history_type="-").get().history_user == coordinator


def test_a_membership_must_match_its_scope(world):
    from django.db import IntegrityError, transaction

    user = user_with_role(Role.VIEWER, world.b, username="v")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=user, programme=world.programme, municipality=None, role=Role.COORDINATOR
        )


def test_accessibility_feedback_is_stored_and_mailed(settings):
    settings.KETTE_ACCESSIBILITY_EMAIL = "barrierefrei@example.org"
    feedback = services.accessibility_feedback_submit(
        message="Der Kontrast im Kopfbereich ist zu schwach.", page_url="/k/koeln/"
    )
    assert feedback.pk
    assert mail.outbox[0].to == ["barrierefrei@example.org"]
    assert "Kontrast" in mail.outbox[0].body


def test_accessibility_feedback_is_kept_when_mail_fails(settings):
    settings.KETTE_ACCESSIBILITY_EMAIL = "barrierefrei@example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: nothing listens, the connection is refused
    from kette.core.models import AccessibilityFeedback

    services.accessibility_feedback_submit(message="Formular ohne Beschriftung")
    assert AccessibilityFeedback.objects.filter(message="Formular ohne Beschriftung").exists()
