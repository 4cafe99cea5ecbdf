"""Freshness: reminder mails with one-click "still current" links."""

import datetime as dt
import io
import re

import pytest
from django.core import mail, signing
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from kette.core.models import Role
from kette.directory import freshness, services
from kette.directory.bulk_models import ReminderSent
from kette.directory.models import ProviderAccess, Service, ServiceStatus
from kette.testing import factories

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=500)
RECENTLY = timezone.now() - dt.timedelta(days=100)


def offer(organization, name, *, verified, status=ServiceStatus.PUBLISHED):
    service = services.service_create(
        actor=None, organization=organization, name=name, status=status
    )
    Service.objects.filter(pk=service.pk).update(last_verified_at=verified)
    service.refresh_from_db()
    return service


@pytest.fixture
def provider(world):
    return factories.user_with_role(
        Role.PROVIDER, world.a, username="traeger-a", email="traeger@example.org"
    )


@pytest.fixture
def setup(world, provider):
    family = services.organization_create(actor=None, municipality=world.a, name="Familienzentrum")
    services.provider_access_grant(actor=None, user=provider, organization=family)
    club = services.organization_create(
        actor=None, municipality=world.a, name="Sportverein", email="info@sportverein.example"
    )
    nobody = services.organization_create(actor=None, municipality=world.a, name="Ohne Adresse")
    return {
        "old": offer(family, "Babytreff", verified=LONG_AGO),
        "older": offer(family, "Elterncafé", verified=LONG_AGO - dt.timedelta(days=30)),
        "fresh": offer(family, "Krabbelgruppe", verified=RECENTLY),
        "draft": offer(family, "Entwurf", verified=LONG_AGO, status=ServiceStatus.DRAFT),
        "club": offer(club, "Kinderturnen", verified=LONG_AGO),
        "orphan": offer(nobody, "Spielplatzfest", verified=LONG_AGO),
    }


def links(body):
    return re.findall(r"http://localhost:8000(/k/\S+/noch-aktuell/\S+/)", body)


def test_each_provider_gets_one_mail_listing_its_stale_offers(world, setup, provider):
    out = io.StringIO()
    call_command("remind_stale_offers", municipality=world.a.slug, stdout=out)
    assert len(mail.outbox) == 2
    to_provider = next(m for m in mail.outbox if m.to == ["traeger@example.org"])
    assert to_provider.subject == f"Sind Ihre Angebote in {world.a.name} noch aktuell?"
    assert "Babytreff" in to_provider.body and "Elterncafé" in to_provider.body
    assert "Krabbelgruppe" not in to_provider.body and "Entwurf" not in to_provider.body
    assert "seit mehr als 12 Monaten nicht geprüft" in to_provider.body
    assert len(links(to_provider.body)) == 2
    assert "Angebot bearbeiten" in to_provider.body
    to_club = next(m for m in mail.outbox if m.to == ["info@sportverein.example"])
    assert "Kinderturnen" in to_club.body
    assert "4 veraltete(s) Angebot(e); 2 E-Mail(s) zu 3 Angebot(en) gesendet" in out.getvalue()
    assert "ohne Empfänger: Spielplatzfest (Ohne Adresse)" in out.getvalue()
    assert ReminderSent.objects.filter(user=provider).count() == 2


def test_the_command_does_not_mail_the_same_offer_twice_within_a_week(world, setup):
    call_command("remind_stale_offers", stdout=io.StringIO())
    out = io.StringIO()
    call_command("remind_stale_offers", stdout=out)
    assert len(mail.outbox) == 2
    assert "0 E-Mail(s)" in out.getvalue() and "3 bereits innerhalb von 7 Tagen" in out.getvalue()
    ReminderSent.objects.update(sent_at=timezone.now() - dt.timedelta(days=8))
    call_command("remind_stale_offers", stdout=io.StringIO())
    assert len(mail.outbox) == 4


def test_the_period_is_configurable_per_municipality_and_per_run(world, setup):
    freshness.directory_settings_update(actor=None, municipality=world.a, stale_after_months=2)
    assert freshness.stale_after_months(world.a) == 2
    assert freshness.stale_after_months(world.b) == 12
    assert "Krabbelgruppe" in {s.name for s in freshness.stale_offers(world.a)}
    out = io.StringIO()
    call_command("remind_stale_offers", months=24, dry_run=True, stdout=out)
    assert mail.outbox == []
    assert "würden gesendet (Probelauf: nichts wurde gesendet)" in out.getvalue()
    with pytest.raises(CommandError, match="zwischen 1 und 60"):
        call_command("remind_stale_offers", months=0)


def test_one_click_confirms_the_offer_without_login(client, world, setup, provider):
    call_command("remind_stale_offers", stdout=io.StringIO())
    body = next(m for m in mail.outbox if m.to == ["traeger@example.org"]).body
    url = next(link for link in links(body))
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ja, das Angebot ist noch aktuell" in page
    service = Service.objects.get(name=re.search(r"<strong>(.*?)</strong>", page).group(1))
    assert service.last_verified_at < timezone.now() - dt.timedelta(days=400)
    response = client.post(url)
    assert "ist als aktuell bestätigt" in response.content.decode()
    service.refresh_from_db()
    assert service.last_verified_at > timezone.now() - dt.timedelta(minutes=1)
    assert service.last_verified_by == provider
    assert service.history.first().history_user == provider
    assert ReminderSent.objects.get(service=service).confirmed_at is not None
    # The link has done its work: a second click confirms nothing more.
    verified = service.last_verified_at
    for again in (client.get(url), client.post(url)):
        assert again.status_code == 200
        page = again.content.decode()
        assert "wurde am" in page and "bereits als aktuell bestätigt" in page
        assert "Ja, das Angebot ist noch aktuell" not in page
    service.refresh_from_db()
    assert service.last_verified_at == verified


def test_a_link_confirms_nothing_once_access_is_revoked_or_the_offer_archived(
    client, world, setup, provider
):
    service, club = setup["old"], setup["club"]
    by_provider = freshness.confirmation_token(service, user=provider)
    by_address = freshness.confirmation_token(club, email="info@sportverein.example")
    assert freshness.read_token(by_provider, world.a) is not None
    assert freshness.read_token(by_address, world.a) is not None
    archived = freshness.confirmation_token(setup["fresh"], user=provider)
    services.service_archive(actor=None, service=setup["fresh"])
    access = ProviderAccess.objects.get(user=provider, organization=service.organization)
    services.provider_access_revoke(actor=None, access=access)
    services.organization_update(
        actor=None, organization=club.organization, email="neu@sportverein.example"
    )
    for token in (by_provider, by_address, archived):
        url = reverse("directory_freshness:confirm", args=[world.a.slug, token])
        response = client.post(url)
        assert response.status_code == 400
        assert "nicht mehr veröffentlicht oder nicht mehr von Ihnen" in response.content.decode()
    service.refresh_from_db()
    assert service.last_verified_at == LONG_AGO


def test_a_link_for_an_organisation_address_confirms_without_a_person(client, world, setup):
    token = freshness.confirmation_token(setup["club"], email="info@sportverein.example")
    url = reverse("directory_freshness:confirm", args=[world.a.slug, token])
    client.post(url)
    setup["club"].refresh_from_db()
    assert setup["club"].last_verified_by is None
    assert setup["club"].last_verified_at > timezone.now() - dt.timedelta(minutes=1)


def test_forged_expired_and_foreign_links_confirm_nothing(client, world, setup, provider):
    service = setup["old"]
    before = service.last_verified_at
    forged = signing.TimestampSigner(salt="anders").sign_object({"s": service.pk, "u": None})
    token = freshness.confirmation_token(service, user=provider)
    urls = [
        reverse("directory_freshness:confirm", args=[world.a.slug, forged]),
        reverse("directory_freshness:confirm", args=[world.a.slug, token[:-2] + "xx"]),
        reverse("directory_freshness:confirm", args=[world.b.slug, token]),  # other municipality
    ]
    for url in urls:
        response = client.post(url)
        assert response.status_code == 400
        assert "ungültig oder abgelaufen" in response.content.decode()
    past = timezone.now() - dt.timedelta(days=31)
    signer = signing.TimestampSigner(salt=freshness.SALT)
    signer.timestamp = lambda: signing.b62_encode(int(past.timestamp()))
    expired = signer.sign_object({"s": service.pk, "u": provider.pk, "e": ""}, compress=True)
    assert freshness.read_token(expired, world.a) is None
    assert (
        client.post(
            reverse("directory_freshness:confirm", args=[world.a.slug, expired])
        ).status_code
        == 400
    )
    service.refresh_from_db()
    assert service.last_verified_at == before


def test_the_workspace_shows_how_many_offers_are_due_for_a_check(world, setup, provider):
    from kette.testing.clients import logged_in

    coordinator = factories.user_with_role(Role.COORDINATOR, world.a, username="koordination")
    url = reverse("core:workspace", args=[world.a.slug])
    page = logged_in(coordinator).get(url).content.decode()
    # Babytreff, Elterncafé, Kinderturnen, Spielplatzfest (the draft is not stale)
    assert "4 Angebote seit mehr als 12 Monaten nicht geprüft" in page
    stale_list = f"/k/{world.a.slug}/angebote/?pruefung=faellig"
    assert f'<a href="{stale_list}">4 Angebote seit' in page
    listed = logged_in(coordinator).get(stale_list).content.decode()
    assert "Babytreff" in listed and "Krabbelgruppe" not in listed
    # a provider sees its own offers due (Babytreff, Elterncafé) and what the
    # section is for it, not the whole town's count and the town hall's tasks
    page = logged_in(provider).get(url).content.decode()
    assert "2 Angebote seit mehr als 12 Monaten nicht geprüft" in page
    assert "Die Angebote Ihres Trägers: aktuell halten" in page
    assert "importieren und exportieren" not in page
    # and the link lists those two: a provider's list shows the offers it keeps
    listed = logged_in(provider).get(stale_list).content.decode()
    assert "Babytreff" in listed and "Elterncafé" in listed and "Kinderturnen" not in listed
    everything = logged_in(provider).get(f"{stale_list}&alle=1").content.decode()
    assert "Kinderturnen" in everything and "Babytreff" in everything
    viewer = factories.user_with_role(Role.VIEWER, world.a, username="lesen")
    page = logged_in(viewer).get(url).content.decode()
    assert "Angebote entlang der Lebensphasen, zum Lesen." in page
    assert "nicht geprüft" not in page  # nothing a read-only role could check
    freshness.directory_settings_update(actor=None, municipality=world.a, stale_after_months=2)
    page = logged_in(coordinator).get(url).content.decode()
    assert "5 Angebote seit mehr als 2 Monaten nicht geprüft" in page
    Service.objects.filter(municipality=world.a).update(last_verified_at=timezone.now())
    assert "nicht geprüft" not in logged_in(coordinator).get(url).content.decode()
    # providers have no workspace section with that count
    assert "nicht geprüft" not in logged_in(provider).get(url).content.decode()
