"""The default vocabularies in the interface's language, and German data marked as
German (lang="de") in the English interface: the family guide's filters, results
and offer pages (WCAG 3.1.2)."""

import json
import re

import pytest
from django.test import Client
from django.utils import translation

from kette.directory import defaults, services
from kette.directory.models import LifePhase, Taxonomy, TaxonomyTerm, Transition
from kette.directory.tests.guide_data import make_guide_corpus
from kette.testing.clients import logged_in

pytestmark = pytest.mark.django_db

ENGLISH = {"Cookie": "kette_language=en"}


@pytest.fixture
def corpus(world):
    """The guide corpus, with a field of action and an accessibility feature of
    Altstadt's own on the counselling offer and its place."""
    data = make_guide_corpus(world)
    fields = Taxonomy.objects.get(slug=Taxonomy.FIELDS_OF_ACTION)
    features = Taxonomy.objects.get(slug=Taxonomy.ACCESSIBILITY)
    own_field = services.taxonomy_term_create(
        actor=None, municipality=world.a, taxonomy=fields, name="Sprachförderung"
    )
    own_feature = services.taxonomy_term_create(
        actor=None, municipality=world.a, taxonomy=features, name="Ruheraum"
    )
    counselling = data["counselling"]
    services.service_update(
        actor=None,
        service=counselling,
        terms=[TaxonomyTerm.objects.get(code="beratung", municipality=None), own_field],
    )
    place = counselling.service_at_locations.get().location
    services.location_update(
        actor=None,
        location=place,
        accessibility=[TaxonomyTerm.objects.get(code="stufenlos", municipality=None), own_feature],
    )
    return data | {"own_field": own_field, "own_feature": own_feature}


def test_every_default_has_an_english_name_and_the_german_catalogue_gives_back_its_name():
    for kind, german in defaults.GERMAN_NAMES.items():
        assert set(defaults.ENGLISH_NAMES[kind]) == set(german), kind
        for code, name in german.items():
            with translation.override("de"):
                assert defaults.shown_name(kind, code, name) == (name, False)
            with translation.override("en"):
                shown, translated = defaults.shown_name(kind, code, name)
                assert translated and shown != name, (kind, code)
    # a term is looked up by its code alone: no code in both taxonomies
    fields = {code for code, _name in defaults.FIELDS_OF_ACTION}
    assert fields.isdisjoint(code for code, _name in defaults.ACCESSIBILITY_FEATURES)


def test_defaults_are_translated_and_own_or_renamed_entries_stay_as_stored(world):
    services.taxonomy_ensure_defaults()
    phases = {p.code: p for p in services.life_phases_ensure_defaults(world.a)}
    counselling = TaxonomyTerm.objects.get(code="beratung", municipality=None)
    own = services.taxonomy_term_create(
        actor=None,
        municipality=world.a,
        taxonomy=Taxonomy.objects.get(slug=Taxonomy.FIELDS_OF_ACTION),
        name="Beratung",
        code="beratung-a",
    )
    renamed = services.life_phase_update(
        actor=None,
        life_phase=phases["kita"],
        name="Kindergarten (3–6 Jahre)",
        min_age_months=36,
        max_age_months=72,
    )
    transition = Transition.objects.for_municipality(world.a).get(code="kita-grundschule")
    with translation.override("en"):
        assert (counselling.display_name, counselling.name_translated) == ("Counselling", True)
        assert phases["fruehe-kindheit"].display_name == "Early childhood (0–3 years)"
        # "schule-beruf" is a life phase and a transition: each has its own name
        assert phases["schule-beruf"].display_name == "From school to work (16–27 years)"
        assert transition.display_name == "Day care – primary school"
        # a municipality's own term, even with a default's name, and a renamed phase
        assert (own.display_name, own.name_translated) == ("Beratung", False)
        assert (renamed.display_name, renamed.name_translated) == (
            "Kindergarten (3–6 Jahre)",
            False,
        )
    with translation.override("de"):
        assert counselling.display_name == "Beratung" and not counselling.name_translated
    # the stored names stay the data
    assert TaxonomyTerm.objects.get(pk=counselling.pk).name == "Beratung"
    assert LifePhase.objects.get(pk=phases["fruehe-kindheit"].pk).name == (
        "Frühe Kindheit (0–3 Jahre)"
    )


def option(html, value):
    match = re.search(rf'<option value="{re.escape(str(value))}"([^>]*)>([^<]*)</option>', html)
    assert match, value
    return match.group(1), match.group(2).strip()


def checkbox_label(html, value):
    match = re.search(
        rf'<label for="[^"]+"([^>]*)><input type="checkbox" name="barrierefreiheit" '
        rf'value="{re.escape(value)}"[^>]*>\s*([^<]*)</label>',
        html,
    )
    assert match, value
    return match.group(1), match.group(2).strip()


def test_the_english_guide_translates_default_filters_and_marks_german_ones(world, corpus):
    html = Client(headers=ENGLISH).get("/k/altstadt/familienwegweiser/").content.decode()
    assert option(html, "beratung") == ("", "Counselling (1)")
    assert option(html, "bewegung") == ("", "Physical activity (1)")
    assert option(html, corpus["own_field"].code) == (' lang="de"', "Sprachförderung (1)")
    assert option(html, "fruehe-kindheit") == ("", "Early childhood (0–3 years) (2)")
    assert option(html, corpus["north"].pk) == (' lang="de"', "Nordviertel (1)")
    assert checkbox_label(html, "stufenlos") == ("", "Step-free access (1)")
    assert checkbox_label(html, corpus["own_feature"].code) == (' lang="de"', "Ruheraum (1)")
    # interface texts among them stay unmarked
    assert option(html, "") == (" selected", "any")
    assert option(html, "3") == ("", "Wednesday (1)")


def test_the_english_results_mark_offers_and_own_terms_german(world, corpus):
    html = Client(headers=ENGLISH).get("/k/altstadt/familienwegweiser/", {"q": "Beratung"})
    html = html.content.decode()
    item = re.search(r'<li class="guide-item".*?</li>\s*</ul>', html, re.S).group(0)
    assert re.search(r'<h3 lang="de">\s*<a href="[^"]+">Familienberatung Nord</a>', item)
    assert re.search(r'<p class="guide-meta" lang="de">\s*Caritasverband', item)
    assert re.search(r'<p class="guide-address" lang="de">\s*Lindenweg 3', item)
    tags = re.findall(r"<li([^>]*)>([^<]+)</li>", item)
    assert ("", "Counselling") in tags
    assert (' lang="de"', "Sprachförderung") in tags
    assert ("", "free of charge") in tags


def test_the_german_guide_has_no_extra_language_marks(world, corpus):
    html = Client().get("/k/altstadt/familienwegweiser/", {"q": "Beratung"}).content.decode()
    assert option(html, "beratung") == ("", "Beratung (1)")
    assert option(html, corpus["own_field"].code) == ("", "Sprachförderung (1)")
    assert checkbox_label(html, "stufenlos") == ("", "stufenloser Zugang (1)")
    main = html.split("<main", 1)[1]
    assert 'lang="de"' not in main


def test_the_programme_guide_translates_the_defaults(world, corpus):
    html = Client(headers=ENGLISH).get("/familienwegweiser/").content.decode()
    assert option(html, "beratung") == ("", "Counselling (1)")
    assert option(html, "kita") == ("", "Day-care age (3–6 years) (1)")
    assert checkbox_label(html, "wickelraum") == ("", "Baby changing facilities (0)")


def test_the_json_facets_follow_the_interface_language(world, corpus):
    url = "/k/altstadt/familienwegweiser/"
    english = json.loads(Client(headers=ENGLISH).get(url, {"format": "json"}).content)
    german = json.loads(Client().get(url, {"format": "json"}).content)

    def labels(data, facet):
        return {o["value"]: o["label"] for o in data["facets"][facet]}

    assert labels(english, "field_of_action")["beratung"] == "Counselling"
    assert labels(german, "field_of_action")["beratung"] == "Beratung"
    assert labels(english, "field_of_action")[corpus["own_field"].code] == "Sprachförderung"
    assert labels(english, "accessibility")["stufenlos"] == "Step-free access"


def test_the_english_offer_page_marks_what_stays_german(world, corpus):
    service = corpus["counselling"]
    url = f"/k/altstadt/familienwegweiser/{service.pk}/"
    html = Client(headers=ENGLISH).get(url).content.decode()
    assert '<h1 lang="de">Familienberatung Nord</h1>' in html
    assert '<li aria-current="page" lang="de">Familienberatung Nord</li>' in html
    assert re.search(r'<div class="prose" lang="de"><p>Beratung für Familien', html)
    assert 'Provider: <span lang="de">Caritasverband</span>' in html
    fields = re.search(r"<dt>Fields of action</dt>\s*<dd>(.*?)</dd>", html, re.S).group(1)
    assert fields.strip() == 'Counselling, <span lang="de">Sprachförderung</span>'
    phases = re.search(r"<dt>Life phases</dt>\s*<dd>(.*?)</dd>", html, re.S).group(1)
    assert phases.strip() == "Early childhood (0–3 years), Day-care age (3–6 years)"
    features = re.search(r"Accessibility: (.*?)\s*</p>", html, re.S).group(1)
    assert features == 'Step-free access, <span lang="de">Ruheraum</span>'
    assert re.search(r'<address class="guide-address">\s*<span lang="de">\s*Haus Nord', html)
    assert 'District: <span lang="de">Nordviertel</span>' in html
    # the map's popups name the place in German
    markers = re.search(r'<script id="guide-markers" type="application/json">(.*?)</script>', html)
    assert [m["lang"] for m in json.loads(markers.group(1))] == ["de"]


def test_the_german_offer_page_shows_the_stored_names_unmarked(world, corpus):
    service = corpus["counselling"]
    html = Client().get(f"/k/altstadt/familienwegweiser/{service.pk}/").content.decode()
    assert "<h1>Familienberatung Nord</h1>" in html
    fields = re.search(r"<dt>Handlungsfelder</dt>\s*<dd>(.*?)</dd>", html, re.S).group(1)
    assert fields.strip() == "Beratung, Sprachförderung"
    assert 'lang="de"' not in html.split("<main", 1)[1]


# --- the coordinators' vocabulary page ---------------------------------------------


@pytest.fixture
def own_term(world):
    services.taxonomy_ensure_defaults()
    return services.taxonomy_term_create(
        actor=None,
        municipality=world.a,
        taxonomy=Taxonomy.objects.get(slug=Taxonomy.FIELDS_OF_ACTION),
        name="Medienkompetenz",
    )


def vocabulary_page(coordinator, world, language, rest=""):
    client = logged_in(coordinator)
    if language:
        client.cookies["kette_language"] = language
    return client.get(f"/k/{world.a.slug}/angebote/begriffe/{rest}").content.decode()


def cells(html, code):
    """The text of the term cell in the row of `code`, tags kept."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        found = re.match(r"\s*<td>(.*?)</td>\s*<td>\s*<code>([^<]+)</code>", row, re.S)
        if found and found.group(2) == code:
            return " ".join(found.group(1).split())
    raise AssertionError(code)


def test_the_english_vocabulary_page_translates_the_programme_vocabularies(
    world, coordinator, own_term
):
    html = vocabulary_page(coordinator, world, "en")
    headings = re.findall(r'<h2 id="vocabulary-[^"]+"([^>]*)>([^<]+)</h2>', html)
    assert headings == [("", "Fields of action"), ("", "Accessibility features")]
    # a default term in English, its German name (the data) beside it, marked German
    assert cells(html, "beratung") == (
        '<span>Counselling</span> <span class="small muted" lang="de">(Beratung)</span>'
    )
    assert cells(html, "stufenlos").startswith("<span>Step-free access</span>")
    # the municipality's own term stays as typed, marked German
    assert re.search(r'<a href="[^"]+"\s*lang="de">Medienkompetenz</a>', cells(html, own_term.code))
    # the form's choice of vocabulary
    assert re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html) == [
        "Fields of action",
        "Accessibility features",
    ]
    edit = vocabulary_page(coordinator, world, "en", f"{own_term.pk}/")
    assert '<h1 lang="de">Medienkompetenz</h1>' in edit
    assert "Fields of action · Short name:" in " ".join(edit.split())


def test_the_german_vocabulary_page_is_unchanged(world, coordinator, own_term):
    html = vocabulary_page(coordinator, world, None)
    headings = re.findall(r'<h2 id="vocabulary-[^"]+"([^>]*)>([^<]+)</h2>', html)
    assert headings == [("", "Handlungsfelder"), ("", "Barrierefreiheit")]
    assert cells(html, "beratung") == "<span>Beratung</span>"
    assert re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html) == [
        "Handlungsfelder",
        "Barrierefreiheit",
    ]
    assert 'lang="de"' not in html.split("<main", 1)[1]
    assert "in Klammern" not in html
    edit = vocabulary_page(coordinator, world, None, f"{own_term.pk}/")
    assert "<h1>Medienkompetenz</h1>" in edit
    assert "Handlungsfelder · Kurzname:" in " ".join(edit.split())


def test_a_renamed_programme_vocabulary_is_shown_as_stored(world):
    services.taxonomy_ensure_defaults()
    fields = Taxonomy.objects.get(slug=Taxonomy.FIELDS_OF_ACTION)
    fields.name = "Präventionsfelder"
    with translation.override("en"):
        assert (fields.display_name, fields.name_translated) == ("Präventionsfelder", False)
