import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kette.core.models import District, Role
from kette.directory import search, selectors, services
from kette.directory.models import (
    LifePhase,
    LifePhaseMode,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceFacet,
    ServiceLifePhase,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
    Transition,
)
from kette.testing import factories

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[6.9, 50.9], [7.0, 50.9], [7.0, 51.0], [6.9, 51.0], [6.9, 50.9]]],
}
INNER = {
    "type": "Polygon",
    "coordinates": [[[6.94, 50.94], [6.96, 50.94], [6.96, 50.96], [6.94, 50.96], [6.94, 50.94]]],
}


@pytest.fixture
def organization(world, coordinator):
    return services.organization_create(
        actor=coordinator, municipality=world.a, name="Familienzentrum Nord e. V."
    )


def term(code: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(code=code, municipality=None)


def facet_keys(service: Service) -> set[str]:
    return set(ServiceFacet.objects.filter(service=service).values_list("key", flat=True))


@pytest.mark.parametrize(
    ("given", "months"),
    [("1,5", 18), ("1.5", 18), (3, 36), (Decimal("0.25"), 3), ("-0.75", -9), ("", None)],
)
def test_ages_in_years_become_months(given, months):
    assert services.years_to_months(given) == months


def test_an_age_that_is_no_number_is_refused_in_german():
    with pytest.raises(ValidationError) as error:
        services.years_to_months("drei")
    assert "keine Altersangabe" in str(error.value)


def test_default_taxonomies_exist_after_installation():
    fields = TaxonomyTerm.objects.filter(taxonomy__slug=Taxonomy.FIELDS_OF_ACTION)
    assert {"gesundheit", "bildung", "kinderschutz", "freizeit"} <= set(
        fields.values_list("code", flat=True)
    )
    assert TaxonomyTerm.objects.filter(
        taxonomy__slug=Taxonomy.ACCESSIBILITY, code="leichte-sprache"
    ).exists()
    before = TaxonomyTerm.objects.count()
    services.taxonomy_ensure_defaults()
    assert TaxonomyTerm.objects.count() == before


def test_default_life_phases_and_transitions_are_created_once(world, coordinator):
    phases = services.life_phases_ensure_defaults(world.a, actor=coordinator)
    assert [(p.code, p.min_age_months, p.max_age_months) for p in phases][:3] == [
        ("schwangerschaft-geburt", -9, 0),
        ("fruehe-kindheit", 0, 36),
        ("kita", 36, 72),
    ]
    assert phases[-1].max_age_months == 27 * 12
    services.life_phases_ensure_defaults(world.a, actor=coordinator)
    assert LifePhase.objects.for_municipality(world.a).count() == 6
    transitions = Transition.objects.for_municipality(world.a).order_by("position")
    assert transitions.count() == 4
    assert transitions[1].from_phase.code == "kita"
    assert transitions[1].to_phase.code == "grundschule"
    assert not LifePhase.objects.for_municipality(world.b).exists()


def test_an_offers_life_phases_follow_its_age_range_and_keep_explicit_choices(
    organization, coordinator
):
    service = services.service_create(
        actor=coordinator,
        organization=organization,
        name="Krabbelgruppe",
        min_age_months=services.years_to_months("1"),
        max_age_months=services.years_to_months("4"),
    )
    codes = [p.code for p in selectors.life_phases_of_service(service)]
    assert codes == ["fruehe-kindheit", "kita"]

    phases = {p.code: p for p in LifePhase.objects.for_municipality(service.municipality)}
    services.service_adjust_life_phases(
        actor=coordinator,
        service=service,
        add=[phases["schwangerschaft-geburt"]],
        remove=[phases["kita"]],
    )
    services.service_update(actor=coordinator, service=service, max_age_months=6 * 12)
    codes = [p.code for p in selectors.life_phases_of_service(service)]
    assert codes == ["schwangerschaft-geburt", "fruehe-kindheit"]
    assert ServiceLifePhase.objects.get(service=service, life_phase=phases["kita"]).mode == (
        LifePhaseMode.REMOVED
    )
    assert "lp:schwangerschaft-geburt" in facet_keys(service)
    assert "lp:kita" not in facet_keys(service)

    services.service_adjust_life_phases(actor=coordinator, service=service, reset=[phases["kita"]])
    assert "kita" in [p.code for p in selectors.life_phases_of_service(service)]


def test_changing_a_life_phase_moves_the_offers_derived_phases(organization, coordinator):
    service = services.service_create(
        actor=coordinator,
        organization=organization,
        name="Vorschulgruppe",
        min_age_months=66,
        max_age_months=72,
    )
    assert [p.code for p in selectors.life_phases_of_service(service)] == ["kita"]
    grundschule = LifePhase.objects.for_municipality(organization.municipality).get(
        code="grundschule"
    )
    services.life_phase_update(
        actor=coordinator,
        life_phase=grundschule,
        name="Grundschule (ab 5½)",
        min_age_months=66,
        max_age_months=120,
    )
    assert [p.code for p in selectors.life_phases_of_service(service)] == ["kita", "grundschule"]


def test_an_offer_is_created_with_terms_languages_and_history(organization, coordinator):
    service = services.service_create(
        actor=coordinator,
        organization=organization,
        name="Elterncafé",
        description="Offener Treff für Mütter und Väter",
        terms=[term("erziehung-familie"), term("beratung")],
        languages=["de", "TR "],
        is_free=True,
    )
    assert service.status == ServiceStatus.DRAFT
    assert set(service.terms.values_list("code", flat=True)) == {"erziehung-familie", "beratung"}
    assert set(service.languages.values_list("code", flat=True)) == {"de", "tr"}
    assert service.history.first().history_user == coordinator
    assert {"fa:beratung", "la:tr", "free"} <= facet_keys(service)
    assert "elterncaf" in service.search_name
    assert "mutt" in service.search_body.split()


def test_publish_archive_and_confirm_are_recorded(organization, coordinator):
    service = services.service_create(actor=coordinator, organization=organization, name="Kurs")
    services.service_publish(actor=coordinator, service=service)
    assert Service.objects.get(pk=service.pk).status == ServiceStatus.PUBLISHED
    services.service_archive(actor=coordinator, service=service)
    assert Service.objects.get(pk=service.pk).status == ServiceStatus.ARCHIVED
    when = timezone.now() - dt.timedelta(days=3)
    services.service_confirm_current(actor=coordinator, service=service, when=when)
    service.refresh_from_db()
    assert service.last_verified_at == when
    assert service.last_verified_by == coordinator
    reasons = list(service.history.values_list("history_change_reason", flat=True))
    assert {"published", "archived", "confirmed current"} <= set(reasons)


def test_links_across_municipalities_are_refused(world, organization, coordinator):
    other = services.organization_create(actor=None, municipality=world.b, name="Fremder Träger")
    service = services.service_create(actor=coordinator, organization=organization, name="Kurs")
    with pytest.raises(ValidationError):
        services.service_update(actor=coordinator, service=service, organization=other)
    location_b = services.location_create(actor=None, municipality=world.b, name="Ort B")
    with pytest.raises(ValidationError):
        services.service_add_location(actor=coordinator, service=service, location=location_b)
    own_term_b = services.taxonomy_term_create(
        actor=None,
        municipality=world.b,
        taxonomy=Taxonomy.objects.get(slug=Taxonomy.FIELDS_OF_ACTION),
        name="Digitale Bildung",
    )
    with pytest.raises(ValidationError):
        services.service_update(actor=coordinator, service=service, terms=[own_term_b])


def test_a_municipality_adds_its_own_term_beside_the_defaults(world, coordinator):
    taxonomy = Taxonomy.objects.get(slug=Taxonomy.FIELDS_OF_ACTION)
    own = services.taxonomy_term_create(
        actor=coordinator, municipality=world.a, taxonomy=taxonomy, name="Medienkompetenz"
    )
    assert own.code == "medienkompetenz"
    assert own in selectors.fields_of_action(world.a)
    assert own not in selectors.fields_of_action(world.b)
    assert term("bildung") in selectors.fields_of_action(world.b)
    with pytest.raises(ValidationError) as error:
        services.taxonomy_term_create(
            actor=coordinator, municipality=world.a, taxonomy=taxonomy, name="Bildung"
        )
    assert "gibt es schon" in str(error.value)


def test_a_location_gets_its_district_from_the_boundaries(world, coordinator):
    outer = District.objects.create(municipality=world.a, code="1", name="Innenstadt")
    outer.boundary = SQUARE
    outer.save()
    inner = District.objects.create(
        municipality=world.a, code="101", name="Altstadt-Nord", parent=outer, boundary=INNER
    )
    District.objects.create(municipality=world.b, code="1", name="Fremd", boundary=SQUARE)
    location = services.location_create(
        actor=coordinator,
        municipality=world.a,
        name="Treff",
        latitude=Decimal("50.95"),
        longitude=Decimal("6.95"),
    )
    assert location.district == inner
    services.location_update(
        actor=coordinator, location=location, latitude=Decimal("50.91"), longitude=Decimal("6.91")
    )
    assert location.district == outer
    services.location_update(
        actor=coordinator, location=location, latitude=Decimal("52.5"), longitude=Decimal("13.4")
    )
    assert location.district is None
    explicit = services.location_create(
        actor=coordinator,
        municipality=world.a,
        latitude=Decimal("50.95"),
        longitude=Decimal("6.95"),
        district=outer,
    )
    assert explicit.district == outer


def test_a_feature_collection_boundary_and_a_broken_one_are_handled(world):
    District.objects.create(
        municipality=world.a, code="9", name="Kaputt", boundary={"type": "Unsinn"}
    )
    District.objects.create(
        municipality=world.a,
        code="2",
        name="Deutz",
        boundary={"type": "Feature", "geometry": SQUARE, "properties": {}},
    )
    found = services.district_for_point(world.a, Decimal("50.95"), Decimal("6.95"))
    assert found is not None and found.name == "Deutz"


def test_locations_schedules_and_areas_feed_the_filters(world, organization, coordinator):
    district = District.objects.create(municipality=world.a, code="7", name="Porz")
    service = services.service_create(actor=coordinator, organization=organization, name="Sport")
    location = services.location_create(
        actor=coordinator,
        municipality=world.a,
        name="Turnhalle",
        district=district,
        accessibility=[term("stufenlos")],
    )
    link = services.service_add_location(actor=coordinator, service=service, location=location)
    services.schedule_add(actor=coordinator, service_at_location=link, weekday=3)
    services.schedule_add(
        actor=coordinator,
        service=service,
        kind="session",
        dtstart=dt.date(2026, 3, 1),
        opens_at=dt.time(10),
        closes_at=dt.time(12),
    )
    keys = facet_keys(service)
    assert {f"d:{district.pk}", "ac:stufenlos", "wd:3"} <= keys
    assert "porz" in service.search_body.split()
    assert Schedule.objects.filter(service=service, kind="session").exists()

    services.service_set_areas(actor=coordinator, service=service, districts=None)
    assert service.service_areas.get().district is None
    services.location_update(actor=coordinator, location=location, accessibility=[])
    assert "ac:stufenlos" not in facet_keys(service)


def test_a_schedule_that_ends_before_it_starts_is_refused(organization, coordinator):
    service = services.service_create(actor=coordinator, organization=organization, name="Kurs")
    with pytest.raises(ValidationError):
        services.schedule_add(
            actor=coordinator,
            service=service,
            weekday=1,
            opens_at=dt.time(12),
            closes_at=dt.time(9),
        )


def test_renaming_the_provider_updates_the_search_document(organization, coordinator):
    service = services.service_create(actor=coordinator, organization=organization, name="Kurs")
    services.organization_update(actor=coordinator, organization=organization, name="Diakonie Süd")
    service.refresh_from_db()
    assert search.tokens("Diakonie Süd")[1] in service.search_body.split()
    assert Organization.objects.get(pk=organization.pk).history.count() == 2


def test_provider_access_needs_the_provider_role(world, organization, coordinator):
    provider = factories.user_with_role(Role.PROVIDER, world.a)
    access = services.provider_access_grant(
        actor=coordinator, user=provider, organization=organization
    )
    assert (
        services.provider_access_grant(actor=coordinator, user=provider, organization=organization)
        == access
    )
    editor = factories.user_with_role(Role.EDITOR, world.a)
    with pytest.raises(ValidationError):
        services.provider_access_grant(actor=coordinator, user=editor, organization=organization)


def test_contacts_phones_and_costs_belong_to_the_offers_municipality(organization, coordinator):
    service = services.service_create(actor=coordinator, organization=organization, name="Kurs")
    contact = services.contact_add(
        actor=coordinator, service=service, name="Frau Beispiel", email="kurs@example.org"
    )
    phone = services.phone_add(actor=coordinator, contact=contact, number="0221 123456")
    cost = services.cost_option_add(
        actor=coordinator, service=service, option="Kursgebühr", amount=Decimal("25.00")
    )
    assert contact.municipality == phone.municipality == cost.municipality == service.municipality


def test_deleting_an_offer_removes_it(organization, coordinator):
    service = services.service_create(actor=coordinator, organization=organization, name="Weg")
    services.service_delete(actor=coordinator, service=service)
    assert not Service.objects.filter(pk=service.pk).exists()


def _drafts(organization, count, **extra):
    advice, step_free = term("beratung"), term("stufenlos")
    return [
        services.OfferDraft(
            organization=organization,
            name=f"Elterncafé {i}",
            status=ServiceStatus.PUBLISHED,
            fields={
                "description": "Offener Treff für Mütter und Väter",
                "min_age_months": 0,
                "max_age_months": 36,
                "is_free": True,
            },
            terms=[advice, advice],  # repeated terms are linked once
            languages=["de", "TR "],
            phones=["0221 123456"],
            locations=[
                services.LocationDraft(
                    {
                        "address_1": f"Hauptstraße {i}",
                        "postal_code": "50667",
                        "city": "Köln",
                        "latitude": Decimal("50.95"),
                        "longitude": Decimal("6.95"),
                    },
                    [step_free],
                )
            ],
            **extra,
        )
        for i in range(count)
    ]


def test_many_offers_created_at_once_are_complete_and_audited(world, organization, coordinator):
    district = District.objects.create(
        municipality=world.a, code="1", name="Innenstadt", boundary=SQUARE
    )
    when = timezone.now()
    created = services.services_create_bulk(
        actor=coordinator,
        municipality=world.a,
        drafts=_drafts(organization, 3, verified_at=when),
    )
    assert [offer.name for offer in created] == ["Elterncafé 0", "Elterncafé 1", "Elterncafé 2"]
    for offer in Service.objects.filter(pk__in=[o.pk for o in created]):
        assert offer.last_verified_by == coordinator
        assert set(offer.languages.values_list("code", flat=True)) == {"de", "tr"}
        assert list(offer.phones.values_list("number", flat=True)) == ["0221 123456"]
        assert [p.code for p in selectors.life_phases_of_service(offer)] == ["fruehe-kindheit"]
        (location,) = Location.objects.filter(service_at_locations__service=offer)
        assert location.district == district
        assert location.organization == organization
        keys = facet_keys(offer)
        assert {"fa:beratung", "la:tr", "free", "lp:fruehe-kindheit", f"d:{district.pk}"} <= keys
        assert "ac:stufenlos" in keys
        assert "mutt" in offer.search_body.split()
        record = offer.history.get()
        assert (record.history_type, record.history_user) == ("+", coordinator)
        assert location.history.get().history_user == coordinator
        assert offer.term_links.get().history.get().history_user == coordinator
    hits = search.search_services(query="Elterncafé", municipality=world.a)
    assert hits.total == 3


def test_bulk_created_offers_carry_the_search_document_a_reindex_would_build(
    world, organization, coordinator
):
    """`services_create_bulk` writes each offer's search document and facets with
    the row, from the draft; they must equal what `services_reindex` builds from
    the database for the same offer, whatever the draft's shape."""
    bezirk = District.objects.create(municipality=world.a, code="0", name="Innenstadt")
    district = District.objects.create(
        municipality=world.a, code="1", name="Innenstadt-Süd", boundary=SQUARE, parent=bezirk
    )
    organization.alternate_name = "Familienbüro Straßen"
    organization.save()
    advice, step_free, sign = term("beratung"), term("stufenlos"), term("gebaerdensprache")
    later = max([advice, term("bildung")], key=lambda t: t.pk)
    earlier = min([advice, term("bildung")], key=lambda t: t.pk)
    drafts = [
        *_drafts(organization, 2),
        services.OfferDraft(
            organization=organization,
            name="Sprachförderung für Kinder",
            status=ServiceStatus.DRAFT,
            fields={
                "alternate_name": "Deutsch lernen",
                "description": "Spielerisch Sprache lernen. " * 20,
                "eligibility_description": "Für Familien mit geringem Einkommen",
                "min_age_months": 30,
                "is_free": False,
            },
            terms=[later, earlier],  # the document lists terms by id, not draft order
            languages=["ar", "DE", " "],
            locations=[
                services.LocationDraft(
                    {"name": "Familienzentrum Süd", "address_1": "Weg 2", "city": "Köln"},
                    [sign, step_free],
                ),
                services.LocationDraft(
                    {
                        "address_1": "Platz 1",
                        "postal_code": "50677",
                        "latitude": Decimal("50.95"),
                        "longitude": Decimal("6.95"),
                    },
                    [],
                ),
            ],
        ),
        services.OfferDraft(organization=organization, name="Ohne alles"),
    ]
    created = services.services_create_bulk(actor=coordinator, municipality=world.a, drafts=drafts)
    written = {
        offer.pk: (offer.search_name, offer.search_body, offer.search_filters, offer.sort_name)
        for offer in Service.objects.filter(pk__in=[o.pk for o in created])
    }
    facets_written = {offer.pk: facet_keys(offer) for offer in created}
    assert "innenstadt" in written[created[2].pk][1].split()  # the located place's district
    assert f"d:{district.pk}" in facets_written[created[2].pk]
    assert f"d:{bezirk.pk}" in facets_written[created[2].pk]  # and the larger district

    rebuilt = services.services_reindex(service_ids=list(written))
    assert rebuilt == written
    assert {offer.pk: facet_keys(offer) for offer in created} == facets_written


def test_a_reindex_that_changes_nothing_writes_no_document(world, organization, coordinator):
    created = services.services_create_bulk(
        actor=coordinator, municipality=world.a, drafts=_drafts(organization, 3)
    )
    ids = [offer.pk for offer in created]
    with CaptureQueriesContext(connection) as unchanged:
        services.services_reindex(service_ids=ids)

    def writes(queries):  # the documents' UPDATE … FROM (VALUES (pk, …), …)
        return [q["sql"] for q in queries if 'UPDATE "directory_service" SET' in q["sql"]]

    assert not writes(unchanged.captured_queries)
    Service.objects.filter(pk=ids[0]).update(search_body="")  # out of date
    with CaptureQueriesContext(connection) as changed:
        documents = services.services_reindex(service_ids=ids)
    [statement] = writes(changed.captured_queries)
    assert [pk for pk in ids if f"({pk}, '" in statement] == [ids[0]]  # its row only
    assert Service.objects.get(pk=ids[0]).search_body == documents[ids[0]][1] != ""


def test_draft_values_are_checked_and_converted_before_they_go_into_the_document(
    world, organization, coordinator
):
    drafts = _drafts(organization, 2)
    drafts[0].fields["min_age_months"] = "12"  # converted as Django converts it
    drafts[1].fields["max_age_months"] = "viele"
    with pytest.raises(services.DraftError) as raised:
        services.services_create_bulk(actor=coordinator, municipality=world.a, drafts=drafts)
    assert raised.value.index == 1
    assert not Service.objects.for_municipality(world.a).exists()
    (created,) = services.services_create_bulk(
        actor=coordinator, municipality=world.a, drafts=drafts[:1]
    )
    assert Service.objects.get(pk=created.pk).min_age_months == 12
    stored = Service.objects.get(pk=created.pk).search_filters
    assert services.services_reindex(service_ids=[created.pk])[created.pk][2] == stored


def test_bulk_creation_costs_the_same_queries_for_many_offers(
    world, organization, coordinator, django_assert_max_num_queries
):
    services.services_create_bulk(
        actor=coordinator, municipality=world.a, drafts=_drafts(organization, 2)
    )
    with django_assert_max_num_queries(40):
        services.services_create_bulk(
            actor=coordinator, municipality=world.a, drafts=_drafts(organization, 60)
        )
    assert Service.objects.for_municipality(world.a).count() == 62


def test_an_invalid_draft_is_named_by_its_index_and_nothing_is_written(
    world, organization, coordinator
):
    drafts = _drafts(organization, 3)
    drafts[1].fields["email"] = "keine adresse"
    with pytest.raises(services.DraftError) as raised:
        services.services_create_bulk(actor=coordinator, municipality=world.a, drafts=drafts)
    assert raised.value.index == 1
    assert "E-Mail" in " ".join(raised.value.messages)
    assert not Service.objects.for_municipality(world.a).exists()


def test_hours_cannot_end_before_they_start(world, organization):
    import datetime as dt

    from django.core.exceptions import ValidationError

    offer = services.service_create(actor=None, organization=organization, name="Treff")
    with pytest.raises(ValidationError, match="Gültigkeit liegt vor ihrem Beginn"):
        services.schedule_add(
            actor=None,
            service=offer,
            weekday=1,
            valid_from=dt.date(2026, 12, 31),
            valid_to=dt.date(2026, 1, 1),
        )
    same_day = dt.date(2026, 5, 1)
    assert services.schedule_add(
        actor=None, service=offer, weekday=1, valid_from=same_day, valid_to=same_day
    ).pk
