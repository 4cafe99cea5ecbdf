"""The public HSDS 3.0 API (/api/hsds/): every response validates against the
official schemas, strictly (no fields beyond them)."""

import datetime as dt
import json
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from kette.directory import hsds, hsds_queries, hsds_validation, services
from kette.directory.models import (
    Contact,
    Service,
    ServiceStatus,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)
from kette.directory.tests.factories import LocationFactory, OrganizationFactory, ServiceFactory
from kette.directory.tests.hsds_data import assert_no_empty_values, full_offer
from kette.testing import factories

pytestmark = pytest.mark.django_db

PAGE_KEYS = [
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
]


def assert_strict(obj, entity):
    assert hsds_validation.errors(obj, entity, strict=True) == []


def get(client, path, **params):
    response = client.get(f"/api/hsds{path}", params)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("application/json")
    return response


def page(client, path, **params):
    response = get(client, path, **params)
    assert response.status_code == 200, response.content
    data = response.json()
    assert list(data) == PAGE_KEYS
    assert_no_empty_values(data["contents"])
    return data


@pytest.fixture
def world():
    """Köln with the full offer (published), a draft, an archived offer, a second
    provider's offer; Ahlen in the same programme with one offer."""
    programme = factories.ProgrammeFactory()
    offer = full_offer(programme=programme)
    koeln = offer.municipality
    other = ServiceFactory(
        organization=OrganizationFactory(municipality=koeln, name="Stadt Köln Jugendamt"),
        name="Elterncafé",
        description="Treffpunkt für Mütter und Väter",
        min_age_months=36,
        max_age_months=72,
    )
    draft = ServiceFactory(
        organization=offer.organization, name="Entwurf geheim", status=ServiceStatus.DRAFT
    )
    archived = ServiceFactory(
        organization=offer.organization, name="Altes Angebot", status=ServiceStatus.ARCHIVED
    )
    ahlen = factories.MunicipalityFactory(programme=programme, slug="ahlen", name="Ahlen")
    in_ahlen = ServiceFactory(
        organization=OrganizationFactory(municipality=ahlen, name="Familienbüro Ahlen"),
        name="Babymassage",
    )
    # A network actor without any published offer must not appear.
    hidden = OrganizationFactory(municipality=koeln, name="Nur Netzwerkpartner")
    ServiceFactory(organization=hidden, name="Noch ein Entwurf", status=ServiceStatus.DRAFT)
    services.directory_reindex()
    return {
        "offer": offer,
        "other": other,
        "draft": draft,
        "archived": archived,
        "in_ahlen": in_ahlen,
        "hidden": hidden,
        "koeln": koeln,
        "ahlen": ahlen,
    }


def names(data):
    return [item["name"] for item in data["contents"]]


def test_the_root_names_version_profile_and_openapi_document(client):
    response = get(client, "/")
    assert response.status_code == 200
    data = response.json()
    assert data == {
        "version": "3.0",
        "profile": "http://testserver/api/docs",
        "openapi_url": "http://testserver/api/openapi.json",
    }
    document = client.get("/api/openapi.json")
    assert document.status_code == 200
    assert document["Access-Control-Allow-Origin"] == "*"  # readable from other origins
    assert "Access-Control-Allow-Origin" not in client.get("/api/municipalities")


def test_services_lists_only_published_offers_in_list_form(client, world):
    data = page(client, "/services")
    assert names(data) == ["Babymassage", "Babytreff", "Elterncafé"]
    assert data | {"contents": []} == {
        "total_items": 3,
        "total_pages": 1,
        "page_number": 1,
        "size": 3,
        "first_page": True,
        "last_page": True,
        "empty": False,
        "contents": [],
    }
    for item in data["contents"]:
        assert_strict(item, "compiled/service_list")
        assert "phones" not in item and "service_at_locations" not in item
    babytreff = data["contents"][1]
    assert babytreff["organization"]["name"] == "Familienzentrum Ehrenfeld e. V."
    assert babytreff["minimum_age"] == -0.75 and babytreff["maximum_age"] == 1.5
    assert "assurer_email" not in babytreff  # an e-mail address of a person


def test_the_list_form_is_the_summary_of_each_offer(client, world):
    """The list page is built from plain rows, not model instances: it must say
    exactly what `hsds.service_summary` says of each offer, searched or not."""
    offer = world["offer"]
    offer.last_verified_at = timezone.make_aware(dt.datetime(2026, 3, 4, 23, 30))
    offer.save()
    world["other"].organization.website = "https://jugendamt.example.org"
    world["other"].organization.save()
    expected = [
        hsds.service_summary(s)
        for s in Service.objects.filter(status=ServiceStatus.PUBLISHED)
        .select_related("organization")
        .order_by("name", "pk")
    ]
    assert page(client, "/services")["contents"] == expected
    koeln = [s for s in expected if s["name"] != "Babymassage"]
    slug = world["koeln"].slug
    assert page(client, "/services", municipality=slug)["contents"] == koeln
    searched = page(client, "/services", municipality=slug, search="Eltern")
    assert searched["contents"] == [s for s in koeln if s["name"] == "Elterncafé"]
    assert searched["total_items"] == 1


def test_the_api_does_not_read_the_municipality_outline(client, world, django_assert_num_queries):
    koeln = world["koeln"]
    koeln.boundary = {"type": "Polygon", "coordinates": [[[6.9, 50.9], [7.0, 50.9], [7.0, 51.0]]]}
    koeln.save()
    with django_assert_num_queries(4) as captured:
        data = page(client, "/services", municipality=koeln.slug)
    assert data["total_items"] == 2
    assert not any("boundary" in query["sql"] for query in captured.captured_queries)


def test_values_by_pk_gives_what_values_gives(world):
    names = hsds.SERVICE_SUMMARY_COLUMNS
    ids = list(Service.objects.values_list("pk", flat=True))
    found = hsds_queries.values_by_pk(Service, ids, names)
    assert found == {row["pk"]: row for row in Service.objects.values("pk", *names)}


def test_full_services_validate_and_carry_no_contacts(client, world):
    data = page(client, "/services", full_service="true")
    assert names(data) == ["Babymassage", "Babytreff", "Elterncafé"]
    for item in data["contents"]:
        assert_strict(item, "service")
    babytreff = data["contents"][1]
    assert babytreff["service_at_locations"][0]["location"]["addresses"][0]["city"] == "Köln"
    assert {a["taxonomy_term"]["taxonomy"] for a in babytreff["attributes"]}
    text = json.dumps(data, ensure_ascii=False)
    assert "contacts" not in text
    assert "Erika Beispiel" not in text and "Hausmeister" not in text
    assert "0221 999" not in text  # the contact's phone
    assert "koordination@stadt.example.org" not in text
    assert page(client, "/services", full="true")["contents"] == data["contents"]


def test_pagination_follows_the_specification(client, world):
    for i in range(4):
        ServiceFactory(organization=world["other"].organization, name=f"Kurs {i}")
    first = page(client, "/services", per_page=3)
    assert first | {"contents": []} == {
        "total_items": 7,
        "total_pages": 3,
        "page_number": 1,
        "size": 3,
        "first_page": True,
        "last_page": False,
        "empty": False,
        "contents": [],
    }
    last = page(client, "/services", per_page=3, page=3)
    assert (last["size"], last["first_page"], last["last_page"], last["empty"]) == (
        1,
        False,
        True,
        False,
    )
    beyond = page(client, "/services", per_page=3, page=9)
    assert (beyond["size"], beyond["last_page"], beyond["empty"], beyond["contents"]) == (
        0,
        True,
        True,
        [],
    )
    seen = [n for p in (1, 2, 3) for n in names(page(client, "/services", per_page=3, page=p))]
    assert len(seen) == len(set(seen)) == 7
    nothing = page(client, "/services", search="Gibtesnichtwort")
    assert nothing | {"contents": []} == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "Babytreffs"}, ["Babytreff"]),  # German stemming
        ({"search": "muetter"}, ["Elterncafé"]),  # umlaut folding
        ({"search": "baby"}, ["Babymassage", "Babytreff"]),  # prefixes
        ({"minimum_age": "3"}, ["Babymassage", "Elterncafé"]),  # Babytreff: under 1.5
        ({"minimum_age": "1"}, ["Babymassage", "Babytreff", "Elterncafé"]),
        ({"maximum_age": "3"}, ["Babymassage", "Babytreff"]),  # Elterncafé from 3
        ({"maximum_age": "3.5"}, ["Babymassage", "Babytreff", "Elterncafé"]),
        ({"minimum_age": "2", "maximum_age": "3"}, ["Babymassage"]),  # no age limit
        ({"municipality": "ahlen"}, ["Babymassage"]),
        ({"taxonomy_term_id": "nicht-eine-uuid"}, []),
        ({"organization_id": str(uuid.uuid4())}, []),
    ],
)
def test_service_filters(client, world, params, expected):
    assert names(page(client, "/services", **params)) == expected


def test_id_filters_and_their_and_combination(client, world):
    offer, koeln = world["offer"], world["koeln"]
    term = offer.terms.first()
    feature = TaxonomyTerm.objects.get(locations__service_at_locations__service=offer)
    ServiceTerm.objects.create(municipality=koeln, service=world["other"], term=term)
    by_term = {"taxonomy_term_id": str(term.id_hsds)}
    assert names(page(client, "/services", **by_term)) == ["Babytreff", "Elterncafé"]
    # accessibility features of the places count as terms of the offer too
    assert names(page(client, "/services", taxonomy_term_id=str(feature.id_hsds))) == ["Babytreff"]
    by_taxonomy = {"taxonomy_id": str(term.taxonomy.id_hsds)}
    assert names(page(client, "/services", **by_taxonomy)) == ["Babytreff", "Elterncafé"]
    by_org = {"organization_id": str(offer.organization.id_hsds)}
    assert names(page(client, "/services", **by_org)) == ["Babytreff"]
    assert names(page(client, "/services", **by_term, **by_org)) == ["Babytreff"]
    assert names(page(client, "/services", **by_term, search="Treffpunkt")) == ["Elterncafé"]
    assert names(page(client, "/services", **by_term, municipality="ahlen")) == []
    assert names(page(client, "/services", **by_term, minimum_age="4")) == ["Elterncafé"]
    # one age (minimum = maximum): offers whose range holds it, "ab 3" included
    # (Babymassage has no age limit)
    point = {"municipality": world["koeln"].slug}
    assert names(page(client, "/services", minimum_age="3", maximum_age="3", **point)) == [
        "Elterncafé"
    ]
    assert names(page(client, "/services", minimum_age="1", maximum_age="1", **point)) == [
        "Babytreff"
    ]


def test_offers_at_places_are_filtered_by_the_features_of_that_place(client, world):
    """The offer is at two places; only the first has the accessibility feature."""
    offer = world["offer"]
    feature = TaxonomyTerm.objects.get(locations__service_at_locations__service=offer)
    field_of_action = offer.terms.first()
    second = LocationFactory(municipality=world["koeln"], name="Zweigstelle")
    services.service_add_location(actor=None, service=offer, location=second)

    def places(**params):
        data = page(client, "/service_at_locations", **params)
        return [item["location"]["name"] for item in data["contents"]]

    assert places() == ["Familienzentrum", "Zweigstelle"]  # Babytreff's; Elterncafé has none
    assert places(taxonomy_term_id=str(feature.id_hsds)) == ["Familienzentrum"]
    assert places(taxonomy_id=str(feature.taxonomy.id_hsds)) == ["Familienzentrum"]
    # a field of action belongs to the offer: at every place
    assert places(taxonomy_term_id=str(field_of_action.id_hsds)) == [
        "Familienzentrum",
        "Zweigstelle",
    ]
    assert places(taxonomy_term_id="kein-uuid") == []


def test_modified_after(client, world):
    past = timezone.now() - dt.timedelta(days=10)
    Service.objects.exclude(pk=world["other"].pk).update(updated_at=past)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert names(page(client, "/services", modified_after=since)) == ["Elterncafé"]
    naive = (timezone.localtime() - dt.timedelta(days=20)).replace(tzinfo=None).isoformat()
    assert len(names(page(client, "/services", modified_after=naive))) == 3
    assert get(client, "/services", modified_after="gestern").status_code == 422


def test_invalid_parameters_and_unknown_municipality(client, world):
    for params in ({"page": "0"}, {"per_page": "101"}, {"minimum_age": "nan"}):
        assert get(client, "/services", **params).status_code == 422
    detail = get(client, "/services", per_page="viele").json()["detail"]
    assert [(d["loc"], d["msg"]) for d in detail] == [
        (["query", "per_page"], "„per_page“ ist keine ganze Zahl")
    ]
    detail = get(client, "/services", page="0").json()["detail"]
    assert detail[0]["msg"] == "„page“ muss mindestens 1 sein"
    response = get(client, "/services", minimum_age="10", maximum_age="3")
    assert response.status_code == 422
    assert [(d["loc"], d["msg"]) for d in response.json()["detail"]] == [
        (["query", "maximum_age"], "„maximum_age“ darf nicht kleiner als „minimum_age“ sein")
    ]
    detail = get(client, "/services", modified_after="gestern").json()["detail"]
    assert "ctx" not in detail[0] and detail[0]["msg"].startswith("„modified_after“ ist kein")
    response = get(client, "/services", municipality="gibt-es-nicht")
    assert response.status_code == 404
    assert response.json() == {"detail": "Kommune nicht gefunden"}
    taxonomy = Taxonomy.objects.first()
    response = get(client, f"/taxonomies/{taxonomy.id_hsds}", municipality="gibt-es-nicht")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/gibt-es-nicht", "/services/", "/services/x/y"])
def test_an_unknown_path_answers_a_json_404_with_cors(client, world, path):
    response = get(client, path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Nicht gefunden"}
    elsewhere = client.get("/api/gibt-es-nicht")  # the rest of the API: JSON, no CORS
    assert elsewhere.status_code == 404 and elsewhere.json() == {"detail": "Nicht gefunden"}
    assert "Access-Control-Allow-Origin" not in elsewhere.headers


def test_cors_preflight_head_and_the_redirect_of_the_root(client, world):
    response = client.options(
        "/api/hsds/services",
        HTTP_ORIGIN="https://portal.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="accept, x-requested-with",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "accept, x-requested-with"
    full = client.get("/api/hsds/services")
    head = client.head("/api/hsds/services")
    assert head.status_code == 200 and head.content == b""
    assert head["Access-Control-Allow-Origin"] == "*"
    assert head["Content-Type"] == full["Content-Type"]
    assert head["Content-Length"] == str(len(full.content))
    redirect = client.get("/api/hsds", {"municipality": "ahlen"})
    assert redirect.status_code == 301
    assert redirect["Location"] == "/api/hsds/?municipality=ahlen"
    assert redirect["Access-Control-Allow-Origin"] == "*"
    # the rest of kette is not opened to other origins
    assert "Access-Control-Allow-Origin" not in client.get("/api/").headers


def test_service_detail(client, world):
    offer = world["offer"]
    response = get(client, f"/services/{offer.id_hsds}")
    assert response.status_code == 200
    data = response.json()
    assert_strict(data, "service")
    assert_no_empty_values(data)
    assert data["id"] == str(offer.id_hsds)
    assert "contacts" not in json.dumps(data)
    assert get(client, f"/services/{offer.id_hsds}", municipality="ahlen").status_code == 404
    for hidden in (world["draft"], world["archived"]):
        assert get(client, f"/services/{hidden.id_hsds}").status_code == 404
    response = get(client, "/services/kein-uuid")
    assert response.status_code == 404
    assert response.json() == {"detail": "Angebot nicht gefunden"}


def test_organizations(client, world):
    data = page(client, "/organizations")
    assert names(data) == [
        "Familienbüro Ahlen",
        "Familienzentrum Ehrenfeld e. V.",
        "Stadt Köln Jugendamt",
    ]
    for item in data["contents"]:
        assert_strict(item, "compiled/organization_list")
    assert names(page(client, "/organizations", municipality="ahlen")) == ["Familienbüro Ahlen"]
    assert names(page(client, "/organizations", search="zentrum")) == [
        "Familienzentrum Ehrenfeld e. V."
    ]
    full = page(client, "/organizations", full="true")["contents"][1]
    assert_strict(full, "organization")
    assert full["phones"][0]["number"] == "0221 1"

    with_services = page(client, "/organizations", full_service="true")["contents"]
    fze = with_services[1]
    assert [s["name"] for s in fze["services"]] == ["Babytreff"]  # no draft, no archive
    for service in fze["services"]:
        assert_strict(service, "service")
    assert_strict({k: v for k, v in fze.items() if k != "services"}, "organization")

    organization = world["offer"].organization
    detail = get(client, f"/organizations/{organization.id_hsds}")
    assert detail.status_code == 200
    assert_strict(detail.json(), "organization")
    assert "services" not in detail.json()
    detail = get(client, f"/organizations/{organization.id_hsds}", full_service="true").json()
    assert [s["name"] for s in detail["services"]] == ["Babytreff"]
    assert get(client, f"/organizations/{world['hidden'].id_hsds}").status_code == 404


def test_taxonomies_and_terms(client, world):
    data = page(client, "/taxonomies")
    assert {t["name"] for t in data["contents"]} == set(
        Taxonomy.objects.values_list("name", flat=True)
    )
    for item in data["contents"]:
        assert_strict(item, "taxonomy")
    taxonomy = Taxonomy.objects.get(slug=Taxonomy.FIELDS_OF_ACTION)
    response = get(client, f"/taxonomies/{taxonomy.id_hsds}")
    assert response.status_code == 200
    assert response.json()["name"] == taxonomy.name
    assert get(client, f"/taxonomies/{uuid.uuid4()}").status_code == 404

    own = TaxonomyTerm.objects.create(
        taxonomy=taxonomy, municipality=world["koeln"], code="eigen", name="Kölner Feld"
    )
    terms = page(client, "/taxonomy_terms", per_page=100, taxonomy_id=str(taxonomy.id_hsds))
    for item in terms["contents"]:
        assert_strict(item, "taxonomy_term")
        assert item["taxonomy_id"] == str(taxonomy.id_hsds)
    assert terms["total_items"] == taxonomy.terms.count()
    assert "Kölner Feld" in names(terms)
    in_ahlen = page(client, "/taxonomy_terms", per_page=100, municipality="ahlen")
    assert "Kölner Feld" not in names(in_ahlen)
    assert get(client, f"/taxonomy_terms/{own.id_hsds}", municipality="ahlen").status_code == 404
    detail = get(client, f"/taxonomy_terms/{own.id_hsds}")
    assert detail.status_code == 200
    assert_strict(detail.json(), "taxonomy_term")
    top = page(client, "/taxonomy_terms", per_page=100, top_only="true")
    assert all("parent_id" not in t for t in top["contents"])
    assert names(page(client, "/taxonomy_terms", search="Kölner")) == ["Kölner Feld"]


def test_service_at_locations(client, world):
    offer = world["offer"]
    second = LocationFactory(municipality=world["koeln"], name="Außenstelle")
    services.service_add_location(actor=None, service=world["other"], location=second)
    data = page(client, "/service_at_locations")
    assert [(i["service"]["name"], i["location"]["name"]) for i in data["contents"]] == [
        ("Babytreff", "Familienzentrum"),
        ("Elterncafé", "Außenstelle"),
    ]
    for item in data["contents"]:
        assert_strict(item, "compiled/service_at_location_list")
    by_org = page(client, "/service_at_locations", organization_id=str(offer.organization.id_hsds))
    assert by_org["total_items"] == 1
    assert page(client, "/service_at_locations", search="Elterncafe")["total_items"] == 1
    full = page(client, "/service_at_locations", full="true")["contents"]
    for item in full:
        assert_strict(item, "service_at_location")
    assert full[0]["schedules"][0]["dtstart"] == "2026-03-04"
    link = offer.service_at_locations.get()
    detail = get(client, f"/service_at_locations/{link.id_hsds}")
    assert detail.status_code == 200
    assert_strict(detail.json(), "service_at_location")
    assert detail.json()["location"]["addresses"][0]["postal_code"] == "50823"
    assert "Hausmeister" not in detail.content.decode()
    Contact.objects.filter(location=link.location).update(name="Auch geheim")
    services.service_unpublish(actor=None, service=offer)
    assert get(client, f"/service_at_locations/{link.id_hsds}").status_code == 404


ENDPOINTS = [
    ("/services", {}),
    ("/services", {"full_service": "true"}),
    ("/services", {"search": "angebot", "taxonomy_id": None, "minimum_age": "0"}),
    ("/organizations", {}),
    ("/organizations", {"full_service": "true"}),
    ("/taxonomies", {}),
    ("/taxonomy_terms", {}),
    ("/service_at_locations", {}),
    ("/service_at_locations", {"full": "true"}),
]


@pytest.mark.parametrize(("path", "params"), ENDPOINTS)
def test_list_pages_need_a_fixed_number_of_queries(
    client, world, path, params, django_assert_max_num_queries
):
    if "taxonomy_id" in params:
        params = params | {"taxonomy_id": str(Taxonomy.objects.first().id_hsds)}
    for i in range(30):
        copy = full_offer(programme=world["koeln"].programme, official_key=f"0599{i:04d}")
        copy.name = f"Angebot {i}"
        copy.save()
    services.directory_reindex()
    with django_assert_max_num_queries(25) as captured:
        data = page(client, path, per_page=100, **params)
    assert data["size"] >= 1
    print(path, params, len(captured.captured_queries))


def test_detail_pages_need_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    offer = world["offer"]
    link = offer.service_at_locations.get()
    for path in (
        f"/services/{offer.id_hsds}",
        f"/organizations/{offer.organization.id_hsds}?full_service=true",
        f"/service_at_locations/{link.id_hsds}",
    ):
        with django_assert_max_num_queries(25):
            assert client.get("/api/hsds" + path).status_code == 200


def test_the_docs_page_loads_nothing_from_elsewhere(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert not [s for s in sources if "//" in s], sources
    for source in sources:
        assert finders.find(source.removeprefix("/static/")), source
    schema = client.get("/api/openapi.json").json()
    assert "/api/hsds/services" in schema["paths"]
    assert "hsds_service" in schema["components"]["schemas"]
