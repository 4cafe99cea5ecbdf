import datetime as dt

import pytest
from django.test import Client

from kette.core.models import Role
from kette.directory import services
from kette.directory.models import Service, ServiceStatus, TaxonomyTerm
from kette.testing import factories
from kette.testing.clients import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(world):
    return services.organization_create(actor=None, municipality=world.a, name="Kinderschutzbund")


def form_data(organization, **changes):
    data = {
        "organization": organization.pk,
        "name": "Babytreff",
        "description": "Offener Treff für Eltern mit Babys",
        "min_age_years": "0",
        "max_age_years": "1,5",
        "languages": "de, tr",
        "terms": [TaxonomyTerm.objects.get(code="erziehung-familie", municipality=None).pk],
    }
    data.update(changes)
    return data


def test_the_coordinator_lists_every_offer_with_its_status(world, coordinator, organization):
    services.service_create(actor=None, organization=organization, name="Entwurf X")
    services.service_create(
        actor=None, organization=organization, name="Sichtbar", status=ServiceStatus.PUBLISHED
    )
    response = logged_in(coordinator).get(f"/k/{world.a.slug}/angebote/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Entwurf X" in body and "Sichtbar" in body
    assert "veröffentlicht" in body and "Neues Angebot" in body
    drafts = logged_in(coordinator).get(f"/k/{world.a.slug}/angebote/?status=draft")
    assert "Sichtbar" not in drafts.content.decode()


def test_the_coordinator_creates_an_offer_with_ages_in_years(world, coordinator, organization):
    response = logged_in(coordinator).post(
        f"/k/{world.a.slug}/angebote/neu/", form_data(organization)
    )
    service = Service.objects.get(name="Babytreff")
    assert response.status_code == 302
    assert response["Location"] == f"/k/{world.a.slug}/angebote/{service.pk}/bearbeiten/"
    assert (service.min_age_months, service.max_age_months) == (0, 18)
    assert set(service.languages.values_list("code", flat=True)) == {"de", "tr"}
    assert service.status == ServiceStatus.DRAFT
    assert service.history.first().history_user == coordinator
    page = logged_in(coordinator).get(response["Location"])
    assert "Frühe Kindheit" in page.content.decode()
    assert 'value="1,5"' in page.content.decode()


def test_text_typed_in_the_browser_reimports_unchanged_from_its_excel_export(
    world, coordinator, organization
):
    """Browsers send line breaks as CRLF, Excel keeps LF: stored as LF, an export
    of the offer imports back without counting it as changed."""
    from kette.directory import tabular

    description = "Zeile eins\r\nZeile zwei\r\n\r\nAbsatz"
    logged_in(coordinator).post(
        f"/k/{world.a.slug}/angebote/neu/", form_data(organization, description=description)
    )
    service = Service.objects.get(name="Babytreff")
    assert service.description == "Zeile eins\nZeile zwei\n\nAbsatz"
    table = tabular.read_table(tabular.export_xlsx(world.a), "angebote.xlsx")
    plan = tabular.prepare_import(world.a, table)
    assert plan.problems == []
    summary = tabular.run_import(plan, actor=coordinator)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_age_years": "drei"}, "keine Altersangabe in Jahren"),
        ({"min_age_years": "4", "max_age_years": "3"}, "Obergrenze muss über dem Mindestalter"),
        ({"max_age_years": "150"}, "zwischen -0,75 und 99 Jahren"),
        ({"languages": "deutsch"}, "Kein ISO-639-Sprachcode"),
        # two letters are not enough: "xx" reached the public language filter
        ({"languages": "de, xx, qqq"}, "Kein ISO-639-Sprachcode: xx, qqq. Bitte Codes wie"),
        ({"name": ""}, "Dieses Feld ist zwingend erforderlich"),
    ],
)
def test_bad_input_gets_a_german_message(world, coordinator, organization, changes, message):
    response = logged_in(coordinator).post(
        f"/k/{world.a.slug}/angebote/neu/", form_data(organization, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Service.objects.exists()


def test_the_coordinator_edits_publishes_and_confirms(world, coordinator, organization):
    service = services.service_create(actor=None, organization=organization, name="Alt")
    client = logged_in(coordinator)
    url = f"/k/{world.a.slug}/angebote/{service.pk}/"
    response = client.post(url + "bearbeiten/", form_data(organization, name="Neu"))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Neu"
    client.post(url + "status/", {"action": "publish"})
    client.post(url + "status/", {"action": "confirm"})
    service.refresh_from_db()
    assert service.status == ServiceStatus.PUBLISHED
    assert service.last_verified_by == coordinator
    response = client.post(url + "status/", {"action": "zaubern"}, follow=True)
    assert "Diese Aktion gibt es nicht." in response.content.decode()


def test_saving_an_edit_can_confirm_the_offer_as_current(world, organization):
    provider = factories.user_with_role(Role.PROVIDER, world.a)
    services.provider_access_grant(actor=None, user=provider, organization=organization)
    service = services.service_create(actor=None, organization=organization, name="Alt")
    client = logged_in(provider)
    url = f"/k/{world.a.slug}/angebote/{service.pk}/bearbeiten/"
    page = client.get(url).content.decode()
    assert "Ich habe alle Angaben geprüft: Das Angebot ist aktuell" in page
    # saving alone does not confirm (a typo fixed is no check of the whole offer)
    assert client.post(url, form_data(organization, name="Neu")).status_code == 302
    service.refresh_from_db()
    assert (service.name, service.last_verified_at) == ("Neu", None)
    data = form_data(organization, name="Neuer", confirm_current="on")
    assert client.post(url, data).status_code == 302
    service.refresh_from_db()
    assert service.name == "Neuer" and service.last_verified_by == provider
    assert service.last_verified_at is not None
    # a reader can neither edit nor confirm
    reader = logged_in(factories.user_with_role(Role.VIEWER, world.a))
    assert reader.get(url).status_code == 403


def test_a_provider_edits_only_its_own_organisations_offers(world, organization):
    provider = factories.user_with_role(Role.PROVIDER, world.a)
    services.provider_access_grant(actor=None, user=provider, organization=organization)
    other = services.organization_create(actor=None, municipality=world.a, name="Andere")
    own = services.service_create(actor=None, organization=organization, name="Eigenes")
    foreign_draft = services.service_create(actor=None, organization=other, name="Fremd-Entwurf")
    foreign = services.service_create(
        actor=None, organization=other, name="Fremd-Öffentlich", status=ServiceStatus.PUBLISHED
    )
    client = logged_in(provider)
    body = client.get(f"/k/{world.a.slug}/angebote/").content.decode()
    # first the offers it keeps, all it may see on request
    assert "Eigenes" in body and "Fremd-Öffentlich" not in body
    body = client.get(f"/k/{world.a.slug}/angebote/?alle=1").content.decode()
    assert "Eigenes" in body and "Fremd-Öffentlich" in body
    assert "Fremd-Entwurf" not in body
    base = f"/k/{world.a.slug}/angebote/"
    assert client.get(f"{base}{own.pk}/bearbeiten/").status_code == 200
    assert client.get(f"{base}{foreign.pk}/bearbeiten/").status_code == 403
    assert client.get(f"{base}{foreign_draft.pk}/bearbeiten/").status_code == 404
    assert client.post(f"{base}{foreign.pk}/status/", {"action": "archive"}).status_code == 403
    foreign.refresh_from_db()
    assert foreign.status == ServiceStatus.PUBLISHED
    # The organisation choice offers only the provider's own organisations.
    form = client.get(f"{base}neu/").content.decode()
    assert "Kinderschutzbund" in form and "Andere" not in form
    response = client.post(f"{base}neu/", form_data(other, name="Untergeschoben"))
    assert response.status_code == 200
    assert not Service.objects.filter(name="Untergeschoben").exists()


def test_a_viewer_reads_the_list_but_cannot_edit(world, organization):
    viewer = factories.user_with_role(Role.VIEWER, world.a)
    service = services.service_create(actor=None, organization=organization, name="Kurs")
    client = logged_in(viewer)
    assert client.get(f"/k/{world.a.slug}/angebote/").status_code == 200
    assert client.get(f"/k/{world.a.slug}/angebote/neu/").status_code == 403
    assert client.get(f"/k/{world.a.slug}/angebote/{service.pk}/bearbeiten/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(world):
    response = Client().get(f"/k/{world.a.slug}/angebote/")
    assert response.status_code == 302
    assert "/konto/anmelden/" in response["Location"]


def test_the_offer_list_needs_few_queries_however_many_offers(
    world, coordinator, organization, django_assert_max_num_queries
):
    for number in range(30):
        services.service_create(actor=None, organization=organization, name=f"Angebot {number}")
    client = logged_in(coordinator)
    client.get(f"/k/{world.a.slug}/angebote/")  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(f"/k/{world.a.slug}/angebote/")
    assert response.content.decode().count("/bearbeiten/") == 30


def test_a_provider_adds_and_removes_places_hours_and_phones_of_its_offer(world, organization):
    from kette.core.models import District

    district = District.objects.create(
        municipality=world.a,
        code="1",
        name="Nordstadt",
        boundary={
            "type": "Polygon",
            "coordinates": [[[6.9, 50.9], [7.0, 50.9], [7.0, 51.0], [6.9, 51.0], [6.9, 50.9]]],
        },
    )
    provider = factories.user_with_role(Role.PROVIDER, world.a)
    services.provider_access_grant(actor=None, user=provider, organization=organization)
    service = services.service_create(
        actor=None, organization=organization, name="Eltern-Kind-Turnen", status="published"
    )
    client = logged_in(provider)
    url = f"/k/{world.a.slug}/angebote/{service.pk}/orte/"
    assert (
        "Orte, Öffnungszeiten"
        in client.get(f"/k/{world.a.slug}/angebote/{service.pk}/bearbeiten/").content.decode()
    )
    step_free = TaxonomyTerm.objects.get(code="stufenlos", municipality=None)
    response = client.post(
        url,
        {
            "action": "add_place",
            "place-address_1": "Turnhallenweg 3",
            "place-postal_code": "50667",
            "place-city": "Köln",
            "place-latitude": "50,95",
            "place-longitude": "6,95",
            "place-accessibility": [step_free.pk],
        },
    )
    assert response.status_code == 302
    client.post(
        url,
        {
            "action": "add_hours",
            "hours-weekday": "3",
            "hours-opens_at": "15:00",
            "hours-closes_at": "16:30",
        },
    )
    client.post(url, {"action": "add_phone", "phone-number": "0221 555"})
    body = client.get(url).content.decode()
    assert "Turnhallenweg 3" in body and "Nordstadt" in body and "stufenloser Zugang" in body
    assert "Mittwoch 15:00–16:30" in body and "0221 555" in body
    service.refresh_from_db()
    assert {f"d:{district.pk}", "wd:3", "ac:stufenlos"} <= set(
        service.facets.values_list("key", flat=True)
    )
    link = service.service_at_locations.get()
    hours = service.schedules.get()
    phone = service.phones.get()
    assert link.history.get().history_user == provider
    for action, pk in (
        ("remove_place", link.pk),
        ("remove_hours", hours.pk),
        ("remove_phone", phone.pk),
    ):
        assert client.post(url, {"action": action, "pk": pk}).status_code == 302
    assert not service.service_at_locations.exists()
    assert not service.schedules.exists() and not service.phones.exists()


def test_bad_places_and_hours_get_german_messages_and_change_nothing(
    world, coordinator, organization
):
    service = services.service_create(actor=None, organization=organization, name="Kurs")
    client = logged_in(coordinator)
    url = f"/k/{world.a.slug}/angebote/{service.pk}/orte/"
    response = client.post(
        url,
        {
            "action": "add_place",
            "place-address_1": "Weg 1",
            "place-postal_code": "50667",
            "place-city": "Köln",
            "place-latitude": "40,1",
            "place-longitude": "6,9",
        },
    )
    assert response.status_code == 200
    assert "außerhalb Deutschlands" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "add_hours",
            "hours-weekday": "1",
            "hours-opens_at": "12:00",
            "hours-closes_at": "09:00",
        },
    )
    assert response.status_code == 200
    assert "Das Ende muss nach dem Beginn liegen." in response.content.decode()
    assert not service.service_at_locations.exists() and not service.schedules.exists()


def test_others_cannot_change_an_offers_places(world, organization):
    service = services.service_create(
        actor=None, organization=organization, name="Kurs", status="published"
    )
    services.phone_add(actor=None, service=service, number="0221 1")
    other_offer = services.service_create(actor=None, organization=organization, name="Anderes")
    foreign_phone = services.phone_add(actor=None, service=other_offer, number="0221 2")
    viewer = logged_in(factories.user_with_role(Role.VIEWER, world.a))
    url = f"/k/{world.a.slug}/angebote/{service.pk}/orte/"
    assert viewer.get(url).status_code == 403
    assert viewer.post(url, {"action": "add_phone", "phone-number": "1"}).status_code == 403
    stranger = factories.user_with_role(Role.PROVIDER, world.a)
    assert logged_in(stranger).get(url).status_code == 403
    coordinator = logged_in(factories.user_with_role(Role.COORDINATOR, world.a))
    # A phone number of another offer can't be removed through this offer's page.
    response = coordinator.post(url, {"action": "remove_phone", "pk": foreign_phone.pk})
    assert response.status_code == 404
    assert other_offer.phones.exists()


def test_a_place_without_a_street_is_named_on_its_remove_button(world, organization):
    service = services.service_create(actor=None, organization=organization, name="Krabbelgruppe")
    place = services.location_create(
        actor=None, municipality=world.a, name="Gemeindesaal", city="Altstadt"
    )
    services.service_add_location(actor=None, service=service, location=place)
    client = logged_in(factories.user_with_role(Role.COORDINATOR, world.a))
    body = client.get(f"/k/{world.a.slug}/angebote/{service.pk}/orte/").content.decode()
    # was "Entfernen: " with nothing after it for every place without a street
    assert '<span class="visually-hidden">: Gemeindesaal, Altstadt</span>' in body
    assert "„Gemeindesaal, Altstadt“ von diesem Angebot entfernen?" in body
    assert "Der Ort selbst bleibt im Verzeichnis." in body
    link = service.service_at_locations.get()
    for weekday in (1, 3):
        services.schedule_add(actor=None, service_at_location=link, weekday=weekday)
    body = client.get(f"/k/{world.a.slug}/angebote/{service.pk}/orte/").content.decode()
    assert "Seine Öffnungszeiten an diesem Ort (2 Einträge) werden mit entfernt." in body


def test_languages_must_be_iso_639_codes_and_rare_ones_get_names(world, coordinator, organization):
    from kette.directory import languages

    assert languages.known("tr") and languages.known("gsg") and languages.known("prs")
    assert not languages.known("xx") and not languages.known("qqq") and not languages.known("d3")
    # a language Django has no name for: pycountry's, in the interface language
    assert languages.name("yo") == "Joruba"
    assert languages.name("qqq") == "qqq"
    service = services.service_create(actor=None, organization=organization, name="Kurs")
    response = logged_in(coordinator).post(
        f"/k/{world.a.slug}/angebote/{service.pk}/bearbeiten/",
        form_data(organization, name="Kurs", languages="de; tr ar, tr"),
    )
    assert response.status_code == 302
    # semicolons and spaces separate too; a repeated code counts once
    assert sorted(service.languages.values_list("code", flat=True)) == ["ar", "de", "tr"]


def test_repeated_or_overlapping_hours_and_bad_phone_numbers_are_refused(
    world, coordinator, organization
):
    service = services.service_create(actor=None, organization=organization, name="Kurs")
    services.schedule_add(
        actor=None, service=service, weekday=1, opens_at=dt.time(8), closes_at=dt.time(12)
    )
    client = logged_in(coordinator)
    url = f"/k/{world.a.slug}/angebote/{service.pk}/orte/"

    def hours(weekday, opens, closes):
        return client.post(
            url,
            {
                "action": "add_hours",
                "hours-weekday": weekday,
                "hours-opens_at": opens,
                "hours-closes_at": closes,
            },
        )

    for opens, closes in (("08:00", "12:00"), ("10:00", "14:00"), ("07:00", "08:30")):
        response = hours("1", opens, closes)
        assert response.status_code == 200
        assert (
            "Das Angebot hat schon die Öffnungszeit Montag 08:00–12:00, die sich damit "
            "überschneidet." in response.content.decode()
        )
    assert service.schedules.count() == 1
    # adjacent hours and another day are fine
    assert hours("1", "12:00", "14:00").status_code == 302
    assert hours("2", "08:00", "12:00").status_code == 302
    assert service.schedules.count() == 3

    for bad in ("abc", "<script>x</script>", "12", "0221 12a45"):
        response = client.post(url, {"action": "add_phone", "phone-number": bad})
        assert response.status_code == 200
        assert "Bitte eine Telefonnummer aus Ziffern angeben" in response.content.decode()
    assert not service.phones.exists()
    for good in ("+49 221 123456", "(0221) 12 34-5", "0221/123456"):
        assert client.post(url, {"action": "add_phone", "phone-number": good}).status_code == 302
    assert sorted(service.phones.values_list("number", flat=True)) == [
        "(0221) 12 34-5",
        "+49 221 123456",
        "0221/123456",
    ]


def test_a_place_far_outside_the_municipality_gets_a_warning(world, coordinator, organization):
    # a square around Köln as the municipality's outline
    world.a.boundary = {
        "type": "Polygon",
        "coordinates": [[[6.7, 50.8], [7.2, 50.8], [7.2, 51.1], [6.7, 51.1], [6.7, 50.8]]],
    }
    world.a.save()
    service = services.service_create(actor=None, organization=organization, name="Kurs")
    client = logged_in(coordinator)
    url = f"/k/{world.a.slug}/angebote/{service.pk}/orte/"

    def add(street, lat, lon):
        response = client.post(
            url,
            {
                "action": "add_place",
                "place-address_1": street,
                "place-postal_code": "50667",
                "place-city": "Köln",
                "place-latitude": lat,
                "place-longitude": lon,
            },
            follow=True,
        )
        return response.content.decode()

    munich = add("Marienplatz 1", "48,137", "11,575")
    assert "Der Ort liegt außerhalb von Altstadt. Bitte prüfen Sie die Koordinaten" in munich
    assert "Der Ort wurde hinzugefügt." in munich  # kept: offers may lie elsewhere
    # within the outline, or just across the border (2 km): no warning
    for lat, lon in (("50,94", "6,96"), ("50,81", "7,21")):
        assert "außerhalb" not in add("Domplatte", lat, lon)
    assert service.service_at_locations.count() == 3


def test_long_texts_are_refused_with_a_german_message(world, coordinator, organization):
    response = logged_in(coordinator).post(
        f"/k/{world.a.slug}/angebote/neu/", form_data(organization, description="x" * 5001)
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Service.objects.exists()
    assert "höchstens 5000 Zeichen" in html
    assert 'maxlength="5000"' in html
    response = logged_in(coordinator).post(
        f"/k/{world.a.slug}/angebote/neu/", form_data(organization, description="x" * 5000)
    )
    assert response.status_code == 302


def test_the_staff_list_sorts_names_as_the_guide_does(world, coordinator, organization):
    for name in ("Zirkus", "Förderschule", "kath. Kindergarten", "Fröbel", "Äskulap-Praxis"):
        services.service_create(actor=None, organization=organization, name=name)
    from kette.directory import selectors

    names = [s.name for s in selectors.service_list(coordinator, world.a)]
    # byte order had put small letters and umlauts after Z
    assert names == ["Äskulap-Praxis", "Förderschule", "Fröbel", "kath. Kindergarten", "Zirkus"]


def test_the_offer_form_names_default_fields_of_action_in_the_interface_language(
    world, coordinator
):
    client = logged_in(coordinator)
    assert (
        "Erziehung und Familie" in client.get(f"/k/{world.a.slug}/angebote/neu/").content.decode()
    )
    client.cookies["kette_language"] = "en"
    html = client.get(f"/k/{world.a.slug}/angebote/neu/").content.decode()
    assert "Parenting and family" in html and "Erziehung und Familie" not in html
