"""The public family guide: search, filters and counts through the page, the JSON
answer, detail page with JSON-LD, no cookies, published offers only."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from kette.directory.tests.guide_data import SECRET_DRAFT, make_guide_corpus
from kette.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(world):
    return make_guide_corpus(world)


def names(response):
    return re.findall(r'<h3>\s*<a href="[^"]+">([^<]+)</a>', response.content.decode())


def get_json(client, url, **params):
    response = client.get(url, {**params, "format": "json"})
    assert response["Content-Type"] == "application/json"
    return response, json.loads(response.content)


def test_the_municipal_guide_searches_published_offers_in_german(world, corpus):
    client = Client()
    response = client.get("/k/altstadt/familienwegweiser/", {"q": "Beratung"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 Angebot gefunden" in html
    assert names(response) == ["Familienberatung Nord"]
    assert SECRET_DRAFT not in html
    assert "Familientreff Bergdorf" not in html  # another municipality
    assert "0 bis unter 6 Jahre" in html


def test_an_empty_guide_lists_every_published_offer_by_name(world, corpus):
    response = Client().get("/k/altstadt/familienwegweiser/")
    assert names(response) == ["Familienberatung Nord", "Mütterzentrum Süd", "Straßenfußball"]
    assert SECRET_DRAFT not in response.content.decode()


def test_the_programme_guide_spans_all_municipalities(world, corpus):
    response = Client().get("/familienwegweiser/", {"q": "Beratung"})
    assert set(names(response)) == {"Familienberatung Nord", "Familientreff Bergdorf"}
    assert SECRET_DRAFT not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"alter": "2"}, ["Familienberatung Nord", "Mütterzentrum Süd"]),
        ({"alter": "12"}, ["Straßenfußball"]),
        ({"alter": "1,5"}, ["Familienberatung Nord", "Mütterzentrum Süd"]),
        ({"handlungsfeld": "bewegung"}, ["Straßenfußball"]),
        ({"kostenlos": "on"}, ["Familienberatung Nord", "Straßenfußball"]),
        ({"sprache": "tr"}, ["Familienberatung Nord"]),
        ({"barrierefreiheit": "stufenlos"}, ["Familienberatung Nord"]),
        ({"wochentag": "3"}, ["Mütterzentrum Süd"]),
        ({"q": "Fußball", "kostenlos": "on"}, ["Straßenfußball"]),
        ({"q": "Fußball", "handlungsfeld": "beratung"}, []),
    ],
)
def test_filters_through_the_page(world, corpus, params, expected):
    response = Client().get("/k/altstadt/familienwegweiser/", params)
    assert response.status_code == 200
    assert names(response) == expected


def test_district_filter_and_counts_per_value(world, corpus):
    client = Client()
    south = corpus["south"]
    response = client.get("/k/altstadt/familienwegweiser/", {"sozialraum": south.pk})
    assert names(response) == ["Mütterzentrum Süd", "Straßenfußball"]
    html = response.content.decode()
    # counts beside each choice, for the current matches
    assert "Südstadt (2)</option>" in html
    assert "Bewegung (1)</option>" in html
    assert "Deutsch (0)</option>" in html
    assert re.search(r"nur kostenlos\s+\(1\)", html)


def test_sort_by_name_district_and_distance(world, corpus):
    client = Client()
    url = "/k/altstadt/familienwegweiser/"
    by_name = client.get(url, {"q": "Familie", "sortierung": "name"})
    assert names(by_name) == ["Familienberatung Nord", "Mütterzentrum Süd"]
    by_district = client.get(url, {"sortierung": "sozialraum"})
    assert names(by_district) == ["Familienberatung Nord", "Mütterzentrum Süd", "Straßenfußball"]
    # the south: Haus Süd (50.90, 6.96) first
    near_south = client.get(url, {"sortierung": "entfernung", "lat": "50.9", "lon": "6.96"})
    assert names(near_south)[-1] == "Familienberatung Nord"
    with_commas = client.get(url, {"sortierung": "entfernung", "lat": "50,9", "lon": "6,96"})
    assert names(with_commas) == names(near_south)
    assert "0,0 km entfernt" in near_south.content.decode()
    # from the centre of Nordviertel (boundary centroid 50.975, 6.95)
    near_north = client.get(url, {"sortierung": "entfernung", "ab_sozialraum": corpus["north"].pk})
    assert names(near_north)[0] == "Familienberatung Nord"


@pytest.mark.parametrize(
    "origin",
    ["Ulmenweg 8", "ulmenweg", "50678", "50,9, 6,96", "50.9 6.96"],
)
def test_distance_from_what_a_visitor_types(world, corpus, origin):
    """Haus Süd is Ulmenweg 8, 50678 (50.90, 6.96): from there, the offers of the
    south come first; looked up among the directory's own places only."""
    response = Client().get(
        "/k/altstadt/familienwegweiser/", {"sortierung": "entfernung", "ab": origin}
    )
    assert response.status_code == 200
    assert names(response)[-1] == "Familienberatung Nord"
    assert "0,0 km entfernt" in response.content.decode()
    from_north = Client().get(
        "/k/altstadt/familienwegweiser/", {"sortierung": "entfernung", "ab": "Nordviertel"}
    )
    assert names(from_north)[0] == "Familienberatung Nord"


def test_an_address_kette_cannot_find_is_explained(world, corpus):
    url = "/k/altstadt/familienwegweiser/"
    response = Client().get(url, {"sortierung": "entfernung", "ab": "Hauptstraße 1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "„Hauptstraße 1“ wurde nicht gefunden" in page
    assert 'value="Hauptstraße 1"' in page  # kept for correcting it
    # the error sits at the field too, for screen readers
    assert 'aria-invalid="true" aria-describedby="ab-fehler ab-hilfe"' in page
    assert '<p class="field-message" id="ab-fehler">„Hauptstraße 1“' in page
    paris = Client().get(url, {"sortierung": "entfernung", "ab": "48,85 2,35"})
    assert "Die Koordinaten „48,85 2,35“ liegen nicht in Deutschland." in paris.content.decode()
    found = Client().get(url, {"sortierung": "entfernung", "ab": "ulmenweg 8"})
    assert "Gemessen ab: ulmenweg 8" in found.content.decode()
    programme = Client().get("/familienwegweiser/", {"sortierung": "entfernung", "ab": "Köln"})
    text = programme.content.decode()
    assert "Programmweit wird die Entfernung von Koordinaten" in text
    assert "Entfernung ab (Koordinaten)" in text and "Adressen und Stadtteile gehen im" in text


def test_pagination(world, corpus, monkeypatch):
    from kette.directory import public_views

    monkeypatch.setattr(public_views, "PER_PAGE", 2)
    client = Client()
    first = client.get("/k/altstadt/familienwegweiser/", {"q": ""})
    assert names(first) == ["Familienberatung Nord", "Mütterzentrum Süd"]
    assert "Seite 1 von 2" in first.content.decode()
    second = client.get("/k/altstadt/familienwegweiser/", {"q": "", "seite": "2"})
    assert names(second) == ["Straßenfußball"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"alter": "zwei"}, "Zahl"),
        ({"alter": "99"}, "kleiner oder gleich 27"),
        ({"handlungsfeld": "gibtsnicht"}, "gültige Auswahl"),
        ({"lat": "50.9"}, "Breiten- und Längengrad"),
        ({"lat": "10", "lon": "7"}, "größer oder gleich 47"),
        ({"lat": "50,9", "lon": "abc"}, "Bitte eine Zahl eingeben"),
        ({"sprache": "Klingonisch!"}, "Sprache aus der Liste"),
        ({"q": "x" * 500}, "höchstens 200"),
    ],
)
def test_bad_input_gets_a_german_message_not_a_500(world, corpus, params, message):
    response = Client().get("/k/altstadt/familienwegweiser/", params)
    assert response.status_code == 200
    assert message in response.content.decode()
    response, data = get_json(Client(), "/k/altstadt/familienwegweiser/", **params)
    assert response.status_code == 400
    assert any(message in error for errors in data["errors"].values() for error in errors)


def test_the_guide_names_the_synonyms_it_searched_as_well(world, corpus):
    client = Client()
    html = client.get("/k/altstadt/familienwegweiser/", {"q": "Kita"}).content.decode()
    assert re.search(
        r"Auch gesucht nach:\s*<span>Kindertagesstätte, Kindergarten, Kindertageseinrichtung,"
        r" Tageseinrichtung für Kinder</span>",
        html,
    )
    # German words in the English interface are marked as German
    without = client.get("/k/altstadt/familienwegweiser/", {"q": "Familie"}).content.decode()
    assert "gesucht nach" not in without
    _, data = get_json(client, "/k/altstadt/familienwegweiser/", q="Kindergarten")
    assert data["also_searched"][0] == "Kita"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/k/altstadt/familienwegweiser/", {"q": "Kita"}).content.decode()
    assert re.search(r'Also searched for:\s*<span lang="de">Kindertagesstätte, ', html)


def test_the_json_answer(world, corpus):
    response, data = get_json(Client(), "/k/altstadt/familienwegweiser/", q="Familie")
    assert response.status_code == 200
    assert data["total"] == 2
    first = data["results"][0]
    assert first["name"] == "Familienberatung Nord"
    assert first["organisation"] == "Caritasverband"
    assert first["url"].endswith(f"/k/altstadt/familienwegweiser/{corpus['counselling'].pk}/")
    assert first["locations"][0]["latitude"] == 50.975
    assert first["distance_km"] is None
    fields = {option["value"]: option["count"] for option in data["facets"]["field_of_action"]}
    assert fields["beratung"] == 1
    assert fields["erziehung-familie"] == 1
    assert fields["bewegung"] == 0
    assert {option["value"] for option in data["facets"]["language"]} == {"de", "tr"}
    assert data["facets"]["free_of_charge"][0]["count"] == 1
    assert SECRET_DRAFT not in response.content.decode()


def test_a_chosen_value_leaves_the_other_values_counts_as_if_chosen_instead(world, corpus):
    """Single-choice filters count without their own choice: with Wednesday
    chosen, Monday says how many Monday would find; the other filters still
    narrow those counts, and the results are Wednesday's only."""
    client = Client()
    _response, everything = get_json(client, "/k/altstadt/familienwegweiser/")
    _response, data = get_json(client, "/k/altstadt/familienwegweiser/", wochentag="3")
    assert [result["name"] for result in data["results"]] == ["Mütterzentrum Süd"]

    def counts(answer, facet):
        return {option["value"]: option["count"] for option in answer["facets"][facet]}

    assert counts(data, "weekday") == counts(everything, "weekday")
    assert counts(data, "weekday")["1"] == 1  # Monday: the counselling
    assert counts(data, "field_of_action") != counts(everything, "field_of_action")
    assert counts(data, "field_of_action")["beratung"] == 0  # narrowed by Wednesday
    html = client.get("/k/altstadt/familienwegweiser/", {"wochentag": "3"}).content.decode()
    assert re.search(r'<option value="1"[^>]*>Montag \(1\)</option>', html)
    _response, both = get_json(client, "/k/altstadt/familienwegweiser/", wochentag="1", q="Familie")
    assert counts(both, "weekday")["3"] == 1  # Familie on Wednesday: the Mütterzentrum


def test_json_without_facet_counts(world, corpus):
    _response, data = get_json(
        Client(), "/k/altstadt/familienwegweiser/", q="Familie", facets="off"
    )
    assert data["total"] == 2
    assert all(option["count"] == 0 for option in data["facets"]["field_of_action"])


def test_json_by_accept_header_and_distance(world, corpus):
    response = Client().get(
        "/familienwegweiser/",
        {"sortierung": "entfernung", "lat": "50.975", "lon": "6.95"},
        HTTP_ACCEPT="application/json",
    )
    data = json.loads(response.content)
    assert data["results"][0]["name"] == "Familienberatung Nord"
    assert data["results"][0]["distance_km"] == 0.0
    assert data["results"][-1]["distance_km"] is None  # Bergdorf's offer has no place


def test_no_cookies_for_anonymous_visitors(world, corpus):
    client = Client()
    for url in [
        "/familienwegweiser/",
        "/k/altstadt/familienwegweiser/?q=Familie&kostenlos=on",
        "/k/altstadt/familienwegweiser/?format=json",
        f"/k/altstadt/familienwegweiser/{corpus['counselling'].pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert not response.cookies, url
        assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not client.cookies


def test_the_detail_page_with_json_ld(world, corpus):
    service = corpus["counselling"]
    response = Client().get(f"/k/altstadt/familienwegweiser/{service.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Familienberatung Nord" in html
    assert "Caritasverband" in html
    assert "0221 123456" in html
    assert "beratung@example.org" in html
    # a professional's personal contact is never public
    assert "Erika Privat" not in html
    assert "erika.privat@example.org" not in html
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "Service"
    assert data["provider"]["name"] == "Caritasverband"
    assert data["audience"] == {
        "@type": "PeopleAudience",
        "suggestedMinAge": 0,
        "suggestedMaxAge": 5.9,  # "0 bis unter 6 Jahre": the oldest meant is 5.9
    }
    place = data["availableChannel"][0]["serviceLocation"]
    assert place["address"]["streetAddress"] == "Lindenweg 3"
    assert place["geo"] == {"@type": "GeoCoordinates", "latitude": 50.975, "longitude": 6.95}
    assert data["hoursAvailable"][0]["dayOfWeek"] == "https://schema.org/Monday"
    assert data["openingHours"] == ["Mo 09:00-12:00"]
    assert data["isAccessibleForFree"] is True
    assert "erika" not in match.group(1).lower()
    # the CSP allows only scripts from the site; JSON-LD is data and is not executed
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert f'href="http://testserver/k/altstadt/familienwegweiser/{service.pk}/"' in html


def test_back_to_the_guide_returns_to_the_search_the_visitor_came_from(world, corpus):
    detail = f"/k/altstadt/familienwegweiser/{corpus['counselling'].pk}/"

    def back(referer):
        page = Client().get(detail, headers={"referer": referer} if referer else {})
        link = re.search(
            r'<a href="([^"]*)">Zurück zum Familienwegweiser</a>', page.content.decode()
        )
        return link.group(1)

    searched = "http://testserver/k/altstadt/familienwegweiser/?q=Familie&seite=2"
    assert back(searched) == "/k/altstadt/familienwegweiser/?q=Familie&amp;seite=2"
    assert back("http://testserver/familienwegweiser/?q=Beratung") == (
        "/familienwegweiser/?q=Beratung"
    )
    # the breadcrumbs continue the guide's own trail: guide › municipality › offers › offer
    page = Client().get(detail).content.decode()
    trail = page.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a href="([^"]+)"', trail) == [
        "/familienwegweiser/",
        "/k/altstadt/",
        "/k/altstadt/familienwegweiser/",
    ]
    # from elsewhere (another site, another page, none): the municipality's guide
    for other in (
        "https://example.org/k/altstadt/familienwegweiser/?q=x",
        "http://testserver/",
        "",
    ):
        assert back(other) == "/k/altstadt/familienwegweiser/"


def test_a_place_known_by_its_city_and_several_phones(world, corpus):
    from kette.directory import services

    service = corpus["counselling"]
    place = services.location_create(
        actor=None, municipality=world.a, name="Treffpunkt", address_1="", city="Altstadt"
    )
    services.service_add_location(actor=None, service=service, location=place)
    services.phone_add(actor=None, number="0221 654321", service=service)
    html = Client().get(f"/k/altstadt/familienwegweiser/{service.pk}/").content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["telephone"] == ["0221 123456", "0221 654321"]
    channels = [c["serviceLocation"] for c in data["availableChannel"]]
    city_only = next(p for p in channels if p["name"] == "Treffpunkt")
    assert city_only["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Altstadt",
        "addressCountry": "DE",
    }
    listing = Client().get("/k/altstadt/familienwegweiser/", {"q": "Familienberatung"})
    text = re.sub(r"\s+", " ", listing.content.decode())
    assert '<p class="guide-address"> Altstadt' in text and ", Altstadt" not in text


def test_unpublished_and_foreign_offers_have_no_public_page(world, corpus):
    client = Client()
    assert client.get(f"/k/altstadt/familienwegweiser/{corpus['draft'].pk}/").status_code == 404
    # an offer of Bergdorf is not reachable under Altstadt
    assert client.get(f"/k/altstadt/familienwegweiser/{corpus['other'].pk}/").status_code == 404
    assert client.get(f"/k/bergdorf/familienwegweiser/{corpus['other'].pk}/").status_code == 200
    assert client.get("/k/gibtsnicht/familienwegweiser/").status_code == 404


def test_guide_results_carry_the_guides_municipality_without_reading_it_again(world, corpus):
    """Every result of a municipality's guide is that municipality's: the results
    get the caller's instance (whose boundary GeoJSON stays unread) instead of a
    query for it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kette.directory.public_search import GuideQuery, guide_search

    with CaptureQueriesContext(connection) as queries:
        result = guide_search(GuideQuery(query="Familie"), municipality=world.a)
    assert result.services
    assert all(service.municipality is world.a for service in result.services)
    assert not [q for q in queries.captured_queries if '"core_municipality"' in q["sql"]]
    everywhere = guide_search(GuideQuery(query="Familie"))
    assert {service.municipality.pk for service in everywhere.services} >= {world.a.pk}


def test_stadtbezirk_and_stadtteil_of_one_name_are_told_apart(world, corpus):
    """Köln has a Stadtbezirk Porz and, in it, a Stadtteil Porz: the list groups
    the Stadtteile under their Stadtbezirk, which is named with its level, and
    choosing the Stadtbezirk finds the offers in its Stadtteile."""
    from kette.core.models import District
    from kette.directory import services

    bezirk = District.objects.create(
        municipality=world.a, code="7", name="Porz", level="Stadtbezirk"
    )
    teil = District.objects.create(
        municipality=world.a, code="701", name="Porz", level="Stadtteil", parent=bezirk
    )
    house = services.location_create(actor=None, municipality=world.a, name="Haus", district=teil)
    services.service_add_location(actor=None, service=corpus["football"], location=house)
    client = Client()
    response = client.get("/k/altstadt/familienwegweiser/", {"sozialraum": bezirk.pk})
    assert names(response) == ["Straßenfußball"]
    html = response.content.decode()
    group = re.search(r'<optgroup label="Stadtbezirk Porz">(.*?)</optgroup>', html, re.S)
    assert group, "the Stadtbezirk is a group of the list"
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', group.group(1))
    assert options == [(str(bezirk.pk), "Stadtbezirk Porz (1)"), (str(teil.pk), "Porz (1)")]
    # districts without parts stay plain options, counted as if chosen instead
    # (the Mütterzentrum and the football are in Südstadt)
    assert "Südstadt (2)</option>" in html
    _response, data = get_json(client, "/k/altstadt/familienwegweiser/", sozialraum=bezirk.pk)
    labels = {option["label"]: option["count"] for option in data["facets"]["district"]}
    assert labels["Stadtbezirk Porz"] == 1
    assert labels["Porz"] == 1


def test_district_choices_group_parts_under_the_whole_district(world):
    from kette.core.models import District
    from kette.directory.public_views import district_choices

    assert district_choices(world.a) == []
    west = District.objects.create(municipality=world.a, code="1", name="West")
    assert district_choices(world.a) == [(west.pk, "West")]  # nothing nests: a plain list
    mitte = District.objects.create(municipality=world.a, code="2", name="Mitte")  # no level
    altstadt = District.objects.create(
        municipality=world.a, code="21", name="Altstadt", parent=mitte, level="Stadtteil"
    )
    gasse = District.objects.create(
        municipality=world.a, code="211", name="Gasse", parent=altstadt, level="Block"
    )
    assert district_choices(world.a) == [
        (west.pk, "West"),
        (
            "ganz Mitte",
            [(mitte.pk, "ganz Mitte"), (altstadt.pk, "Stadtteil Altstadt"), (gasse.pk, "Gasse")],
        ),
    ]


@pytest.mark.parametrize("url", ["/k/altstadt/familienwegweiser/", "/familienwegweiser/"])
def test_the_landing_page_shows_the_counts_and_languages_of_a_search_without_criteria(
    world, corpus, url
):
    """Before any search the filters carry the same counts and languages as a
    search with no criteria (`?q=`)."""
    client = Client()
    landing = client.get(url).content.decode()
    searched = client.get(url, {"q": ""}).content.decode()

    def selects(html):
        return re.findall(r"<select[^>]*>.*?</select>", html, re.S)

    assert selects(landing) == selects(searched)
    assert "Bewegung (1)</option>" in landing
    assert "Türkisch (1)</option>" in landing
    assert re.search(r"nur kostenlos\s+\(2\)", landing)
    if "/k/" in url:
        assert "Deutsch (1)</option>" in landing
        assert "Südstadt (2)</option>" in landing


def test_the_detail_page_names_the_languages_in_the_interface_language(world, corpus):
    from kette.directory import services

    service = corpus["counselling"]
    services.service_update(actor=None, service=service, languages=["de", "en", "tr", "ti", "xyz"])
    url = f"/k/altstadt/familienwegweiser/{service.pk}/"
    html = Client().get(url).content.decode()
    languages = re.search(r"<dt>Sprachen</dt>\s*<dd>(.*?)</dd>", html, re.S).group(1).strip()
    # Django's names, kette's own for what Django lacks, else the code;
    # German first, then by name
    assert languages == "Deutsch, Englisch, Tigrinya, Türkisch, xyz"
    english = Client(headers={"Cookie": "kette_language=en"}).get(url).content.decode()
    assert "Turkish" in english and "English, " in english


def test_the_guide_varies_by_the_accept_header(world, corpus):
    """HTML or JSON come from one URL by the Accept header: a cache must not
    answer a browser with JSON (or a script with HTML)."""
    client = Client()
    for accept in ("text/html", "application/json"):
        for url in ("/k/altstadt/familienwegweiser/", "/familienwegweiser/?q=Familie"):
            response = client.get(url, HTTP_ACCEPT=accept)
            assert response.status_code == 200
            assert "Accept" in [v.strip() for v in response["Vary"].split(",")], (url, accept)
    assert (
        client.get("/k/altstadt/familienwegweiser/", HTTP_ACCEPT="application/json")["Content-Type"]
        == "application/json"
    )


def test_ended_hours_and_past_dates_are_not_shown_and_the_others_say_until_when(world, corpus):
    import datetime as dt

    from django.utils import timezone

    from kette.directory.models import Schedule, ScheduleKind

    service = corpus["counselling"]
    today = timezone.localdate()
    Schedule.objects.filter(service=service).delete()
    for weekday, valid_to in ((2, today - dt.timedelta(days=1)), (3, dt.date(2099, 7, 31))):
        Schedule.objects.create(
            municipality=world.a,
            service=service,
            weekday=weekday,
            opens_at=dt.time(9),
            closes_at=dt.time(11),
            valid_to=valid_to,
        )
    Schedule.objects.create(
        municipality=world.a,
        service=service,
        kind=ScheduleKind.SESSION,
        dtstart=today - dt.timedelta(days=3),
        opens_at=dt.time(15),
    )
    html = Client().get(f"/k/altstadt/familienwegweiser/{service.pk}/").content.decode()
    hours = re.search(r'<ul class="guide-schedules">(.*?)</ul>', html, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", hours).split())
    # Monday's hours are the place's (kept); Tuesday's ended yesterday; the
    # session three days ago has passed
    assert text == "Montag 09:00 – 12:00 Mittwoch 09:00 – 11:00 bis 31.07.2099"
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert [h.get("validThrough") for h in data["hoursAvailable"]] == [None, "2099-07-31"]


def test_the_places_own_opening_hours_are_shown_named_by_place_when_there_are_several(
    world, corpus
):
    """Hours of a place open its offers on their days in the weekday filter, so
    the offer's page shows them too; with more than one place, it says whose."""
    import datetime as dt

    from kette.directory import search, services
    from kette.directory.models import Location

    service = corpus["mothers"]  # Wednesday hours of its own, at Haus Süd
    south = Location.objects.get(name="Haus Süd")
    services.schedule_add(actor=None, location=south, weekday=5, opens_at=dt.time(8))

    def hours_text():
        html = Client().get(f"/k/altstadt/familienwegweiser/{service.pk}/").content.decode()
        hours = re.search(r'<ul class="guide-schedules">(.*?)</ul>', html, re.S).group(1)
        return " ".join(re.sub(r"<[^>]+>", " ", hours).split())

    assert hours_text() == "Mittwoch Freitag 08:00"
    friday = search.search_services(municipality=world.a, weekday=5).services
    assert {offer.name for offer in friday} == {service.name, corpus["football"].name}
    north = Location.objects.get(name="Haus Nord")
    services.service_add_location(actor=None, service=service, location=north)
    assert hours_text() == "Mittwoch Freitag 08:00 – Haus Süd"


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        (0, 12, "0 bis unter 1 Jahr"),
        (0, 36, "0 bis unter 3 Jahre"),
        (-9, 12, "Schwangerschaft bis unter 1 Jahr"),
        (12, None, "ab 1 Jahr"),
        (18, None, "ab 1,5 Jahren"),
        (None, 12, "unter 1 Jahr"),
        (None, 72, "unter 6 Jahren"),
    ],
)
def test_ages_in_words_with_one_year_in_the_singular(low, high, text):
    from django.utils import translation

    from kette.directory.models import Service
    from kette.directory.public_views import age_text

    with translation.override("de"):
        assert age_text(Service(min_age_months=low, max_age_months=high)) == text


def test_distance_without_a_starting_point_and_a_page_beyond_the_last_are_explained(world, corpus):
    url = "/k/altstadt/familienwegweiser/"
    page = Client().get(url, {"sortierung": "entfernung"}).content.decode()
    assert "bitte unter „Reihenfolge“ einen Startpunkt an" in page
    for beyond in ("99", "10001", "99999999999999999999"):
        page = Client().get(url, {"q": "Familie", "seite": beyond}).content.decode()
        assert "Diese Seite liegt hinter der letzten." in page
        assert "Kein Angebot passt" not in page
        assert 'href="/k/altstadt/familienwegweiser/?q=Familie&amp;seite=1"' in page


@pytest.mark.parametrize("number", ["0", "-3", "abc", "1.5", ""])
def test_a_page_number_that_is_no_page_shows_the_first_page_without_an_error(world, corpus, number):
    # page numbers come from the result's links, not from the form: a mangled
    # one is no input error (there is no field to correct it in)
    response = Client().get("/k/altstadt/familienwegweiser/", {"q": "Familie", "seite": number})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bitte prüfen Sie Ihre Eingaben" not in page and "id_seite" not in page
    assert names(response) == ["Familienberatung Nord", "Mütterzentrum Süd"]
    response, data = get_json(Client(), "/k/altstadt/familienwegweiser/", q="Familie", seite=number)
    assert response.status_code == 200
    assert data["total"] == 2


def test_a_municipality_without_published_offers_says_so_and_points_to_the_programme(world, corpus):
    empty = factories.MunicipalityFactory(programme=world.programme, name="Leerstadt")
    page = Client().get(f"/k/{empty.slug}/familienwegweiser/").content.decode()
    assert "Leerstadt hat im Familienwegweiser noch keine Angebote veröffentlicht." in page
    assert 'href="/familienwegweiser/"' in page
    # a search that finds nothing is another matter
    page = Client().get(f"/k/{empty.slug}/familienwegweiser/", {"q": "Kita"}).content.decode()
    assert "noch keine Angebote veröffentlicht" not in page
    assert "Kein Angebot passt" in page
    # where there are offers, keyboard users can skip the map to the list
    page = Client().get("/k/altstadt/familienwegweiser/").content.decode()
    assert (
        '<a class="visually-hidden-focusable" href="#ergebnisliste">Karte überspringen</a>' in page
    )
    assert '<ol id="ergebnisliste"' in page
    assert "noch keine Angebote veröffentlicht" not in page


def test_a_misspelt_query_that_finds_nothing_shows_the_offers_for_the_nearest_words(world, corpus):
    client = Client()
    url = "/k/altstadt/familienwegweiser/"
    response = client.get(url, {"q": "Strassenfusbal"})
    html = response.content.decode()
    assert names(response) == ["Straßenfußball"]
    assert "Für „Strassenfusbal“ wurde nichts gefunden." in html
    assert re.search(r"Gezeigt werden die Angebote für:\s*<strong>Straßenfußball</strong>", html)
    # the search box keeps what was typed
    assert 'value="Strassenfusbal"' in html
    _, data = get_json(client, url, q="Mütterzentrm Süd")
    assert data["total"] == 1 and data["results"][0]["name"] == "Mütterzentrum Süd"
    assert data["corrected_query"] == "Mütterzentrum Süd"
    assert data["corrections"] == [{"typed": "Mütterzentrm", "searched": "Mütterzentrum"}]
    # a query that finds offers as typed is not corrected
    _, data = get_json(client, url, q="Familie")
    assert data["corrected_query"] is None and data["corrections"] == []
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url, {"q": "Strassenfusbal"}).content.decode()
    assert "Nothing was found for “Strassenfusbal”." in html
    assert re.search(r'Showing the offers for:\s*<strong lang="de">Straßenfußball</strong>', html)


def test_corrections_never_lead_to_drafts_or_other_municipalities(world, corpus):
    client = Client()
    url = "/k/altstadt/familienwegweiser/"
    for typo in ("Geheimr", "Bergdorff", "Entwurv"):
        response = client.get(url, {"q": typo})
        html = response.content.decode()
        assert names(response) == [], typo
        assert "wurde nichts gefunden" not in html
        assert SECRET_DRAFT not in html and "Bergdorf<" not in html


def test_coordinate_examples_follow_the_interface_language(world, corpus):
    client = Client()
    assert (
        "Koordinaten wie „50,94, 6,96“"
        in client.get("/k/altstadt/familienwegweiser/").content.decode()
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/k/altstadt/familienwegweiser/").content.decode()
    assert "coordinates such as “50.94, 6.96”" in html and "50,94" not in html


def test_a_free_offer_shows_its_cost_note_too(world, corpus):
    from kette.directory import services

    offer = corpus["counselling"]
    services.service_update(actor=None, service=offer, fees_description="Materialkosten 5 €")
    html = Client().get(f"/k/altstadt/familienwegweiser/{offer.pk}/").content.decode()
    assert re.search(r"kostenfrei\s*\(<span>Materialkosten 5 €</span>\)", html)
