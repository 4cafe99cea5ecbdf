"""Provider organisations (Träger) with their accounts, and the municipality's own
vocabulary terms, through the internal pages."""

import pytest

from kette.directory import services
from kette.directory.models import (
    Organization,
    ProviderAccess,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
)
from kette.testing import factories
from kette.testing.clients import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(world):
    organization = services.organization_create(
        actor=None, municipality=world.a, name="Kinderschutzbund", description="Ortsverband"
    )
    services.service_create(actor=None, organization=organization, name="Elterncafé Entwurf")
    services.service_create(
        actor=None, organization=organization, name="Babytreff", status=ServiceStatus.PUBLISHED
    )
    return organization


@pytest.fixture
def other(world):
    return services.organization_create(actor=None, municipality=world.a, name="AWO Ortsverein")


@pytest.fixture
def provider(world, organization):
    user = factories.user_with_role("provider", world.a, username="traeger-a")
    services.provider_access_grant(actor=None, user=user, organization=organization)
    return user


def url(world, rest=""):
    return f"/k/{world.a.slug}/traeger/{rest}"


# --- organisations ------------------------------------------------------------------


def test_the_coordinator_lists_providers_with_their_offer_counts(
    world, coordinator, organization, other
):
    response = logged_in(coordinator).get(url(world))
    assert response.status_code == 200
    rows = [(o.name, o.offer_count, o.published_count) for o in response.context["organizations"]]
    assert rows == [("AWO Ortsverein", 0, 0), ("Kinderschutzbund", 2, 1)]
    body = response.content.decode()
    assert "Neuer Träger" in body and "Kinderschutzbund" in body


def test_the_coordinator_creates_and_edits_a_provider(world, coordinator):
    client = logged_in(coordinator)
    response = client.post(
        url(world, "neu/"),
        {"name": "Caritas", "email": "info@caritas.example", "website": "caritas.example"},
    )
    organization = Organization.objects.get(name="Caritas")
    assert response.status_code == 302
    assert response["Location"] == url(world, f"{organization.pk}/")
    assert organization.municipality == world.a
    assert organization.history.first().history_user == coordinator
    response = client.post(
        url(world, f"{organization.pk}/"),
        {"action": "save", "name": "Caritasverband", "email": "", "website": ""},
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.name, organization.email) == ("Caritasverband", "")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Dieses Feld ist zwingend erforderlich"),
        ({"name": "X", "email": "keine-adresse"}, "gültige E-Mail-Adresse"),
    ],
)
def test_bad_provider_input_gets_a_german_message_and_saves_nothing(
    world, coordinator, data, message
):
    response = logged_in(coordinator).post(url(world, "neu/"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organization.objects.filter(municipality=world.a).exists()


def test_a_provider_sees_and_edits_only_its_own_organisation(world, provider, organization, other):
    client = logged_in(provider)
    listing = client.get(url(world))
    assert [o.name for o in listing.context["organizations"]] == ["Kinderschutzbund"]
    assert "Neuer Träger" not in listing.content.decode()
    assert client.get(url(world, f"{other.pk}/")).status_code == 404
    assert client.get(url(world, "neu/")).status_code == 403
    page = client.get(url(world, f"{organization.pk}/"))
    assert page.status_code == 200
    assert "Träger-Konten" not in page.content.decode()  # accounts are the town hall's
    babytreff = organization.services.get(name="Babytreff")
    assert f"/angebote/{babytreff.pk}/bearbeiten/" in page.content.decode()  # its own offers
    response = client.post(
        url(world, f"{organization.pk}/"), {"action": "save", "name": "Kinderschutzbund e. V."}
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.name == "Kinderschutzbund e. V."
    # Granting access is not the provider's business.
    helper = factories.user_with_role("provider", world.a, username="traeger-b")
    response = client.post(
        url(world, f"{organization.pk}/"), {"action": "grant", "user": helper.pk}
    )
    assert response.status_code == 403
    assert not ProviderAccess.objects.filter(user=helper).exists()


def test_a_viewer_reads_providers_but_cannot_change_them(world, organization):
    viewer = factories.user_with_role("viewer", world.a, username="lesend-a")
    client = logged_in(viewer)
    page = client.get(url(world, f"{organization.pk}/"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Ortsverband" in body and "<form" not in body.split("<main", 1)[-1].split("</main>")[0]
    # its offers by name, not linked to forms the viewer would be refused
    assert "Babytreff" in body and "/bearbeiten/" not in body
    response = client.post(url(world, f"{organization.pk}/"), {"action": "save", "name": "X"})
    assert response.status_code == 403
    organization.refresh_from_db()
    assert organization.name == "Kinderschutzbund"


def test_the_coordinator_grants_and_revokes_provider_accounts(world, coordinator, organization):
    account = factories.user_with_role("provider", world.a, username="traeger-neu")
    editor = factories.user_with_role("editor", world.a, username="redaktion-a")
    outside = factories.user_with_role("provider", world.b, username="traeger-b")
    client = logged_in(coordinator)
    page = client.get(url(world, f"{organization.pk}/"))
    choices = list(page.context["access_form"].fields["user"].queryset)
    assert choices == [account]  # only provider accounts of this municipality
    for user in (editor, outside):
        response = client.post(
            url(world, f"{organization.pk}/"), {"action": "grant", "user": user.pk}
        )
        assert response.status_code == 200
        assert "Bitte eine gültige Auswahl treffen" in response.content.decode()
    response = client.post(
        url(world, f"{organization.pk}/"), {"action": "grant", "user": account.pk}
    )
    assert response.status_code == 302
    access = ProviderAccess.objects.get(user=account, organization=organization)
    assert access.history.first().history_user == coordinator
    assert logged_in(account).get(url(world, f"{organization.pk}/")).status_code == 200
    response = client.post(url(world, f"{organization.pk}/"), {"action": "revoke", "pk": access.pk})
    assert response.status_code == 302
    assert not ProviderAccess.objects.filter(pk=access.pk).exists()
    assert logged_in(account).get(url(world, f"{organization.pk}/")).status_code == 404


def test_revoking_an_access_of_another_organisation_is_a_404(
    world, coordinator, organization, other, provider
):
    access = ProviderAccess.objects.get(user=provider)
    response = logged_in(coordinator).post(
        url(world, f"{other.pk}/"), {"action": "revoke", "pk": access.pk}
    )
    assert response.status_code == 404
    assert ProviderAccess.objects.filter(pk=access.pk).exists()


# --- vocabulary -----------------------------------------------------------------


def vocabulary_url(world, rest=""):
    return f"/k/{world.a.slug}/angebote/begriffe/{rest}"


def fields_of_action():
    return Taxonomy.objects.get(slug=Taxonomy.FIELDS_OF_ACTION)


def test_the_coordinator_adds_an_own_term_next_to_the_programme_terms(world, coordinator):
    client = logged_in(coordinator)
    page = client.get(vocabulary_url(world))
    assert page.status_code == 200
    assert "Gesundheit" in page.content.decode()
    response = client.post(
        vocabulary_url(world),
        {"taxonomy": fields_of_action().pk, "name": "Medienkompetenz", "description": ""},
    )
    assert response.status_code == 302
    term = TaxonomyTerm.objects.get(name="Medienkompetenz")
    assert (term.municipality, term.code) == (world.a, "medienkompetenz")
    assert term.history.first().history_user == coordinator
    listing = client.get(vocabulary_url(world)).content.decode()
    assert "Medienkompetenz" in listing and "eigener Begriff" in listing
    # The new term is offered in the offer form of A, not of B.
    assert "Medienkompetenz" in client.get(f"/k/{world.a.slug}/angebote/neu/").content.decode()
    other = factories.user_with_role("coordinator", world.b, username="koord-b")
    assert (
        "Medienkompetenz"
        not in logged_in(other).get(f"/k/{world.b.slug}/angebote/neu/").content.decode()
    )
    # The same name again (a default term's too) is refused in German.
    for name in ("Medienkompetenz", "Gesundheit"):
        again = client.post(
            vocabulary_url(world), {"taxonomy": fields_of_action().pk, "name": name}
        )
        assert again.status_code == 200
        assert "gibt es schon" in again.content.decode()
    assert TaxonomyTerm.objects.filter(municipality=world.a).count() == 1


def test_only_coordinators_manage_the_vocabulary(world):
    editor = factories.user_with_role("editor", world.a, username="redaktion-a")
    response = logged_in(editor).post(
        vocabulary_url(world), {"taxonomy": fields_of_action().pk, "name": "Medien"}
    )
    assert response.status_code == 403
    assert not TaxonomyTerm.objects.filter(municipality=world.a).exists()


def test_an_own_term_is_renamed_and_deleted_only_while_unused(world, coordinator, organization):
    term = services.taxonomy_term_create(
        actor=None, municipality=world.a, taxonomy=fields_of_action(), name="Medien"
    )
    client = logged_in(coordinator)
    response = client.post(
        vocabulary_url(world, f"{term.pk}/"),
        {"action": "save", "name": "Medienkompetenz", "description": "Umgang mit Medien"},
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.name, term.code) == ("Medienkompetenz", "medien")
    service = organization.services.get(name="Babytreff")
    services.service_update(actor=None, service=service, terms=[term])
    page = client.get(vocabulary_url(world, f"{term.pk}/"))
    assert "von 1 Angebot oder Ort verwendet" in page.content.decode()
    response = client.post(vocabulary_url(world, f"{term.pk}/"), {"action": "delete"}, follow=True)
    assert "noch von 1 Angebot oder Ort verwendet" in response.content.decode()
    assert TaxonomyTerm.objects.filter(pk=term.pk).exists()
    services.service_update(actor=None, service=service, terms=[])
    response = client.post(vocabulary_url(world, f"{term.pk}/"), {"action": "delete"})
    assert response.status_code == 302
    assert not TaxonomyTerm.objects.filter(pk=term.pk).exists()


def test_default_terms_and_other_municipalities_terms_are_not_editable(world, coordinator):
    default = TaxonomyTerm.objects.filter(municipality=None).first()
    foreign = services.taxonomy_term_create(
        actor=None, municipality=world.b, taxonomy=fields_of_action(), name="Fremd"
    )
    client = logged_in(coordinator)
    for term in (default, foreign):
        assert client.get(vocabulary_url(world, f"{term.pk}/")).status_code == 404
        response = client.post(vocabulary_url(world, f"{term.pk}/"), {"action": "delete"})
        assert response.status_code == 404
    assert TaxonomyTerm.objects.filter(pk__in=[default.pk, foreign.pk]).count() == 2
