"""Optional review of providers' changes by the coordination, and the directory's
settings page that switches it on."""

import pytest
from django.core import mail
from django.test import Client

from kette.directory import freshness, review, services
from kette.directory.models import (
    OfferChange,
    OfferChangeStatus,
    ServiceStatus,
    TaxonomyTerm,
)
from kette.testing import factories
from kette.testing.clients import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(world):
    return services.organization_create(actor=None, municipality=world.a, name="Familienzentrum")


@pytest.fixture
def offer(organization):
    return services.service_create(
        actor=None,
        organization=organization,
        name="Babytreff",
        description="Offener Treff",
        min_age_months=0,
        max_age_months=12,
        status=ServiceStatus.PUBLISHED,
    )


@pytest.fixture
def provider(world, organization):
    user = factories.user_with_role(
        "provider", world.a, username="traeger-a", email="traeger@example.org"
    )
    services.provider_access_grant(actor=None, user=user, organization=organization)
    return user


@pytest.fixture
def reviewing(world):
    freshness.directory_settings_update(
        actor=None, municipality=world.a, review_provider_changes=True
    )


def edit_url(world, offer):
    return f"/k/{world.a.slug}/angebote/{offer.pk}/bearbeiten/"


def form_data(offer, **changes):
    data = {
        "organization": offer.organization_id,
        "name": offer.name,
        "description": offer.description,
        "min_age_years": "0",
        "max_age_years": "1",
        "languages": "",
    }
    data.update(changes)
    return data


def test_without_review_a_provider_changes_its_published_offer_at_once(world, provider, offer):
    response = logged_in(provider).post(edit_url(world, offer), form_data(offer, name="Babycafé"))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.name == "Babycafé"
    assert not OfferChange.objects.exists()


def test_with_review_a_providers_change_waits_and_the_guide_shows_the_old_offer(
    world, coordinator, provider, offer, reviewing, django_capture_on_commit_callbacks
):
    coordinator.email = "koordination@example.org"
    coordinator.save()
    client = logged_in(provider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url(world, offer), form_data(offer, name="Babycafé", languages="de, tr")
        )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.name == "Babytreff"
    change = OfferChange.objects.get(service=offer)
    assert change.status == OfferChangeStatus.PENDING
    assert change.changes == {"name": "Babycafé", "languages": ["de", "tr"]}
    assert change.proposed_by == provider
    assert change.history.first().history_user == provider
    # The public guide still shows the published text.
    guide = Client().get(f"/k/{world.a.slug}/familienwegweiser/{offer.pk}/")
    assert guide.status_code == 200
    assert "Babytreff" in guide.content.decode() and "Babycafé" not in guide.content.decode()
    # The coordination is told by mail, with a link to the review page.
    assert [m.to for m in mail.outbox] == [["koordination@example.org"]]
    assert f"/k/{world.a.slug}/angebote/aenderungen/{change.pk}/" in mail.outbox[0].body
    # The provider goes on editing the proposal, not the published text.
    page = client.get(edit_url(world, offer)).content.decode()
    assert 'value="Babycafé"' in page and "wartet auf Prüfung" in page
    assert 'value="de, tr"' in page
    # Saving the published values again leaves nothing to review.
    client.post(edit_url(world, offer), form_data(offer))
    assert not OfferChange.objects.filter(service=offer).exists()


def test_review_mails_are_german_whatever_the_sender_works_in(
    world, coordinator, provider, offer, reviewing, django_capture_on_commit_callbacks
):
    """No language is stored per person: the mails go in the default language,
    not in the English of whoever's action sends them."""
    coordinator.email = "koordination@example.org"
    coordinator.save()
    client = logged_in(provider)
    client.cookies["kette_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(world, offer), form_data(offer, name="Babycafé"))
    (proposed,) = mail.outbox
    assert proposed.subject == "Eine Änderung eines Angebots wartet auf Ihre Prüfung: Babytreff"
    mail.outbox.clear()
    change = OfferChange.objects.get(service=offer)
    client = logged_in(coordinator)
    client.cookies["kette_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/k/{world.a.slug}/angebote/aenderungen/{change.pk}/", {"action": "approve"})
    (decided,) = mail.outbox
    assert decided.to == ["traeger@example.org"] and "freigegeben" in decided.body


def test_the_coordinator_approves_a_change_and_it_is_applied_under_review(
    world, coordinator, provider, offer, reviewing, django_capture_on_commit_callbacks
):
    term = TaxonomyTerm.objects.get(code="gesundheit", municipality=None)
    logged_in(provider).post(
        edit_url(world, offer), form_data(offer, name="Babycafé", terms=[term.pk])
    )
    change = OfferChange.objects.get(service=offer)
    client = logged_in(coordinator)
    listing = client.get(f"/k/{world.a.slug}/angebote/aenderungen/")
    assert "Babytreff" in listing.content.decode()
    page = client.get(f"/k/{world.a.slug}/angebote/aenderungen/{change.pk}/")
    rows = [(row.label, row.before, row.after) for row in page.context["rows"]]
    assert ("Name", "Babytreff", "Babycafé") in rows
    assert ("Handlungsfelder", "–", "Gesundheit") in rows
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/k/{world.a.slug}/angebote/aenderungen/{change.pk}/", {"action": "approve"}
        )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.name == "Babycafé"
    assert list(offer.term_links.values_list("term_id", flat=True)) == [term.pk]
    record = offer.history.first()
    assert record.history_user == coordinator
    assert record.history_change_reason == "approved change proposed by traeger-a"
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (OfferChangeStatus.APPROVED, coordinator)
    assert [m.to for m in mail.outbox] == [["traeger@example.org"]]
    assert "freigegeben" in mail.outbox[0].body
    # A decided change cannot be decided again.
    again = client.post(
        f"/k/{world.a.slug}/angebote/aenderungen/{change.pk}/",
        {"action": "reject", "note": "x"},
        follow=True,
    )
    assert "bereits entschieden" in again.content.decode()
    change.refresh_from_db()
    assert change.status == OfferChangeStatus.APPROVED


def test_a_rejection_needs_a_reason_which_the_provider_then_reads(
    world, coordinator, provider, offer, reviewing
):
    logged_in(provider).post(edit_url(world, offer), form_data(offer, name="Babycafé"))
    change = OfferChange.objects.get(service=offer)
    client = logged_in(coordinator)
    url = f"/k/{world.a.slug}/angebote/aenderungen/{change.pk}/"
    response = client.post(url, {"action": "reject", "note": ""})
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich" in response.content.decode()
    change.refresh_from_db()
    assert change.status == OfferChangeStatus.PENDING
    client.post(url, {"action": "reject", "note": "Der Name steht so im Flyer."})
    change.refresh_from_db()
    offer.refresh_from_db()
    assert (change.status, offer.name) == (OfferChangeStatus.REJECTED, "Babytreff")
    page = logged_in(provider).get(edit_url(world, offer)).content.decode()
    assert "nicht freigegeben" in page and "Der Name steht so im Flyer." in page


def test_a_providers_request_to_publish_waits_for_approval(
    world, coordinator, provider, organization, reviewing
):
    draft = services.service_create(actor=None, organization=organization, name="Elternkurs")
    client = logged_in(provider)
    # Drafts are not public: the provider edits them directly.
    client.post(edit_url(world, draft), form_data(draft, description="Acht Abende"))
    draft.refresh_from_db()
    assert draft.description == "Acht Abende"
    page = client.get(edit_url(world, draft)).content.decode()
    assert "Veröffentlichung beantragen" in page
    client.post(f"/k/{world.a.slug}/angebote/{draft.pk}/status/", {"action": "publish"})
    draft.refresh_from_db()
    assert draft.status == ServiceStatus.DRAFT
    change = OfferChange.objects.get(service=draft)
    assert change.changes == {"status": "published"}
    page = client.get(edit_url(world, draft)).content.decode()
    assert "erscheint dort, sobald die Koordination die Änderung freigibt" in page
    assert "unverändert" not in page
    review.offer_change_approve(actor=coordinator, change=change)
    draft.refresh_from_db()
    assert draft.status == ServiceStatus.PUBLISHED


def test_a_provider_withdraws_its_proposal(world, coordinator, provider, offer, reviewing):
    client = logged_in(provider)
    client.post(edit_url(world, offer), form_data(offer, name="Babycafé"))
    assert OfferChange.objects.filter(service=offer).exists()
    # The coordination rejects with a reason instead of withdrawing silently.
    response = logged_in(coordinator).post(
        f"/k/{world.a.slug}/angebote/{offer.pk}/status/", {"action": "withdraw"}
    )
    assert response.status_code == 403
    assert OfferChange.objects.filter(service=offer).exists()
    client.post(f"/k/{world.a.slug}/angebote/{offer.pk}/status/", {"action": "withdraw"})
    assert not OfferChange.objects.filter(service=offer).exists()
    offer.refresh_from_db()
    assert offer.name == "Babytreff"


def test_the_town_halls_own_edits_are_not_reviewed(world, coordinator, offer, reviewing):
    editor = factories.user_with_role("editor", world.a, username="redaktion-a")
    for user, name in ((coordinator, "Babytreff Nord"), (editor, "Babytreff Süd")):
        logged_in(user).post(edit_url(world, offer), form_data(offer, name=name))
        offer.refresh_from_db()
        assert offer.name == name
    assert not OfferChange.objects.exists()


def test_only_coordinators_and_editors_review(world, provider, offer, reviewing):
    logged_in(provider).post(edit_url(world, offer), form_data(offer, name="Babycafé"))
    change = OfferChange.objects.get(service=offer)
    viewer = factories.user_with_role("viewer", world.a, username="lesend-a")
    url = f"/k/{world.a.slug}/angebote/aenderungen/{change.pk}/"
    for user in (provider, viewer):
        client = logged_in(user)
        assert client.get(f"/k/{world.a.slug}/angebote/aenderungen/").status_code == 403
        assert client.post(url, {"action": "approve"}).status_code == 403
    change.refresh_from_db()
    assert change.status == OfferChangeStatus.PENDING


def test_the_coordinator_sets_freshness_period_and_review(world, coordinator):
    client = logged_in(coordinator)
    url = f"/k/{world.a.slug}/angebote/einstellungen/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"stale_after_months": "0"})
    assert bad.status_code == 200
    assert "größer oder gleich 1" in bad.content.decode()
    response = client.post(url, {"stale_after_months": "6", "review_provider_changes": "on"})
    assert response.status_code == 302
    row = freshness.directory_settings_of(world.a)
    assert (row.stale_after_months, row.review_provider_changes) == (6, True)
    assert row.history.first().history_user == coordinator
    assert freshness.stale_after_months(world.a) == 6
    editor = factories.user_with_role("editor", world.a, username="redaktion-a")
    assert logged_in(editor).post(url, {"stale_after_months": "3"}).status_code == 403
    assert freshness.stale_after_months(world.a) == 6
