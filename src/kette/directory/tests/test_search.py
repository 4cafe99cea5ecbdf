"""The shared search corpus: the same assertions run on SQLite (FTS5) and PostgreSQL
(tsvector) — the suite runs on both — so both engines must agree on stemming,
folding, prefixes, phrases, ranking, filters, facets and pagination."""

import datetime as dt
import importlib
import io
import re
import unicodedata
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from kette.core.models import District
from kette.directory import facets, search, services
from kette.directory.models import (
    Organization,
    Schedule,
    Service,
    ServiceStatus,
    TaxonomyTerm,
)

pytestmark = pytest.mark.django_db

FAMILIENBERATUNG = "Familienberatung Nord"
MUETTERZENTRUM = "Mütterzentrum Süd"
BERATUNGSSTELLE = "Beratungsstelle für Eltern"
STRASSENFUSSBALL = "Straßenfußball"
SPRACHKURS = "Sprachkurs Deutsch"
PUBLISHED_IN_A = {FAMILIENBERATUNG, MUETTERZENTRUM, BERATUNGSSTELLE, STRASSENFUSSBALL, SPRACHKURS}


def term(code):
    return TaxonomyTerm.objects.get(code=code, municipality=None)


@pytest.fixture
def corpus(world):
    a = world.a
    d1 = District.objects.create(municipality=a, code="1", name="Nordviertel")
    d2 = District.objects.create(municipality=a, code="2", name="Südstadt")
    org = services.organization_create(actor=None, municipality=a, name="Caritasverband")
    org2 = services.organization_create(actor=None, municipality=a, name="Diakonie")
    north = services.location_create(
        actor=None,
        municipality=a,
        name="Haus Nord",
        address_1="Lindenweg 3",
        district=d1,
        accessibility=[term("stufenlos")],
    )
    south = services.location_create(
        actor=None,
        municipality=a,
        name="Haus Süd",
        address_1="Ulmenweg 8",
        district=d2,
        accessibility=[term("rollstuhl-wc")],
    )
    published = ServiceStatus.PUBLISHED

    one = services.service_create(
        actor=None,
        organization=org,
        name=FAMILIENBERATUNG,
        description="Beratung für Familien mit kleinen Kindern",
        status=published,
        min_age_months=0,
        max_age_months=72,
        terms=[term("beratung")],
        languages=["de", "tr"],
        is_free=True,
    )
    link = services.service_add_location(actor=None, service=one, location=north)
    services.schedule_add(actor=None, service_at_location=link, weekday=1)

    two = services.service_create(
        actor=None,
        organization=org2,
        name=MUETTERZENTRUM,
        description="Treffpunkt für Mütter und Väter",
        status=published,
        min_age_months=-9,
        max_age_months=36,
        terms=[term("erziehung-familie")],
    )
    services.service_add_location(actor=None, service=two, location=south)
    services.schedule_add(actor=None, service=two, weekday=3)

    three = services.service_create(
        actor=None,
        organization=org2,
        name=BERATUNGSSTELLE,
        description="Erziehungsberatung und Hilfe in Krisen",
        status=published,
        min_age_months=0,
        max_age_months=324,
        terms=[term("beratung")],
        languages=["ar"],
    )
    services.service_add_location(actor=None, service=three, location=south)

    services.service_create(
        actor=None,
        organization=org,
        name=STRASSENFUSSBALL,
        description="Fußball auf der Straße für Jugendliche, zum Beispiel am Wochenende",
        status=published,
        min_age_months=120,
        max_age_months=216,
        terms=[term("bewegung")],
        is_free=True,
    )
    services.service_create(
        actor=None,
        organization=org,
        name=SPRACHKURS,
        description="Deutsch lernen für die ganze Familie, in der Kita oder im Büro",
        status=published,
        terms=[term("sprache")],
    )
    services.service_create(
        actor=None, organization=org, name="Familienfest Entwurf", description="Familie"
    )
    archived = services.service_create(
        actor=None, organization=org, name="Familienfreizeit alt", status=published
    )
    services.service_archive(actor=None, service=archived)

    org_b = services.organization_create(actor=None, municipality=world.b, name="Träger B")
    services.service_create(
        actor=None,
        organization=org_b,
        name="Familientreff Bergdorf",
        description="Für Familien",
        status=published,
    )
    return {"d1": d1, "d2": d2, "one": one, "two": two}


def found(world, query="", **filters):
    result = search.search_services(query=query, municipality=world.a, **filters)
    return [service.name for service in result.services]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # stemming: singular and plural, any case (the Mütterzentrum has the field
        # of action "Erziehung und Familie")
        ("Familie", {FAMILIENBERATUNG, SPRACHKURS, MUETTERZENTRUM}),
        ("Familien", {FAMILIENBERATUNG, SPRACHKURS, MUETTERZENTRUM}),
        ("FAMILIE", {FAMILIENBERATUNG, SPRACHKURS, MUETTERZENTRUM}),
        # prefix: Beratung finds Beratungsstelle (and the field of action "Beratung")
        ("Beratung", {FAMILIENBERATUNG, BERATUNGSSTELLE}),
        ("Beratungsstelle", {BERATUNGSSTELLE}),
        ("Erziehungsberatung", {BERATUNGSSTELLE}),
        ("Erziehung", {MUETTERZENTRUM, BERATUNGSSTELLE}),
        ("Kind", {FAMILIENBERATUNG}),
        # umlaut folding
        ("Mütter", {MUETTERZENTRUM}),
        ("Muetter", {MUETTERZENTRUM}),
        ("mutter", {MUETTERZENTRUM}),
        ("MÜTTER", {MUETTERZENTRUM}),
        ("Väter", {MUETTERZENTRUM}),
        # ß folding
        ("Straße", {STRASSENFUSSBALL}),
        ("strasse", {STRASSENFUSSBALL}),
        ("Fussball", {STRASSENFUSSBALL}),
        # all words must match
        ("Fußball Jugendliche", {STRASSENFUSSBALL}),
        ("Fußball Familie", set()),
        # phrases, quoted or hyphenated
        ('"ganze Familie"', {SPRACHKURS}),
        ('"Familie ganze"', set()),
        ("Mütter-Väter", {MUETTERZENTRUM}),
        # the provider, the location and the district are searchable too
        ("Diakonie", {MUETTERZENTRUM, BERATUNGSSTELLE}),
        ("Südstadt", {MUETTERZENTRUM, BERATUNGSSTELLE}),
        # heads of compounds: "Zentrum" finds the Mütterzentrum, "Kurs" the
        # Sprachkurs; phrases keep their positions; "Beispiel" is not a Spiel
        ("Zentrum", {MUETTERZENTRUM}),
        ("Zentren", {MUETTERZENTRUM}),
        ("Kurs", {SPRACHKURS}),
        # "Kurse" as "Kurs" (the stemmer drops the s of one, only the e of the other)
        ("Kurse", {SPRACHKURS}),
        ("Sprachkurse", {SPRACHKURS}),
        ('"Erziehungsberatung und Hilfe"', {BERATUNGSSTELLE}),
        ("Spiel", set()),
        ("Beispiel", {STRASSENFUSSBALL}),
        # the plural -s after a vowel, which the stemmer keeps ("Kitas", "Büros"),
        # is dropped; "Haus" keeps its s (as "Häuser" shows)
        ("Kita", {SPRACHKURS}),
        ("Kitas", {SPRACHKURS}),
        ("Büros", {SPRACHKURS}),
        ("Bueros", {SPRACHKURS}),
        ("Haus", {FAMILIENBERATUNG, MUETTERZENTRUM, BERATUNGSSTELLE}),
        ("Häuser", {FAMILIENBERATUNG, MUETTERZENTRUM, BERATUNGSSTELLE}),
        # nothing matches
        ("Zahnarzt", set()),
    ],
)
def test_german_full_text(world, corpus, query, expected):
    assert set(found(world, query)) == expected


@pytest.mark.parametrize(
    "query", ['"', "*", "AND OR NOT", "NEAR(", "'; DROP TABLE x; --", "^Familie", "a:b", "für"]
)
def test_odd_queries_never_fail(world, corpus, query):
    result = search.search_services(query=query, municipality=world.a)
    assert result.total <= len(PUBLISHED_IN_A)


def test_a_query_of_stop_words_only_lists_everything_by_name(world, corpus):
    assert found(world, "für die") == sorted(PUBLISHED_IN_A)


@pytest.fixture
def day_care(world):
    org = services.organization_create(actor=None, municipality=world.a, name="Stadt A")
    names = [
        "Kita Regenbogen",
        "Kindergarten Sonnenschein",
        "Städtische Kindertagesstätte Am Park",
        "Tageseinrichtung für Kinder Lindenweg",
        "Kinderhort Lindenweg",
        "Elterncafé am Markt",
        "Eltern-Café Süd",
    ]
    for name in names:
        services.service_create(
            actor=None, organization=org, name=name, status=ServiceStatus.PUBLISHED
        )
    return names


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # every word of the group finds all of them, as each finds itself: by
        # prefix ("Kitas"), within the name, a phrase as a phrase
        *[
            (
                query,
                {
                    "Kita Regenbogen",
                    "Kindergarten Sonnenschein",
                    "Städtische Kindertagesstätte Am Park",
                    "Tageseinrichtung für Kinder Lindenweg",
                },
            )
            for query in ("Kita", "Kitas", "Kindergarten", "Kindertagesstätte", "KiTa")
        ],
        # a narrower or broader word is not a synonym: the Hort stays out
        ("Kinderhort", {"Kinderhort Lindenweg"}),
        # with another word: both must match (the synonyms count as the word)
        ("Kita Lindenweg", {"Tageseinrichtung für Kinder Lindenweg"}),
        ("Kindergarten Regenbogen", {"Kita Regenbogen"}),
        # a quoted phrase of the group is expanded too
        (
            '"Tageseinrichtung für Kinder"',
            {
                "Kita Regenbogen",
                "Kindergarten Sonnenschein",
                "Städtische Kindertagesstätte Am Park",
                "Tageseinrichtung für Kinder Lindenweg",
            },
        ),
        # a hyphenated word finds itself as a phrase and written as one word,
        # and the other way round
        ("Eltern-Café", {"Elterncafé am Markt", "Eltern-Café Süd"}),
        ("Elterncafé", {"Elterncafé am Markt", "Eltern-Café Süd"}),
        ("Elterncafés", {"Elterncafé am Markt", "Eltern-Café Süd"}),
    ],
)
def test_synonyms_and_hyphenated_words(world, day_care, query, expected):
    assert set(found(world, query)) == expected


def test_the_synonyms_searched_are_told(world, day_care):
    result = search.search_services(query="Kita Lindenweg", municipality=world.a)
    assert result.also_searched == [
        "Kindertagesstätte",
        "Kindergarten",
        "Kindertageseinrichtung",
        "Tageseinrichtung für Kinder",
    ]
    assert search.search_services(query="Lindenweg", municipality=world.a).also_searched == []


def test_synonyms_and_joined_words_count_in_text_scores():
    terms = search.parse_query("Kindergarten")
    assert search.text_score(terms, [("Unsere Kita am Park", 1)]) == 1
    assert search.text_score(terms, [("Der Hort am Park", 1)]) == 0
    cafe = [("Das Eltern-Café", 1)]
    assert search.text_score(search.parse_query("Elterncafé"), cafe) == 1


def test_hyphenated_words_of_documents_are_also_indexed_as_one():
    name, body = search.document_columns(
        ["Eltern-Café"], ["Mutter-Kind-Kur für 0-3-Jährige, Anmeldung 2026-01-05"]
    )
    assert name == "elt caf"
    # after the words (phrases keep their positions), each once, letters only
    assert body.split()[-2:] == ["elterncaf", "mutterkindkur"]
    assert "jahrig" in body.split() and not any(t.startswith("03") for t in body.split())


def test_the_hyphen_migration_indexes_older_documents(world, day_care, monkeypatch):
    migration = importlib.import_module("kette.directory.migrations.0016_reindex_hyphenated_words")
    with monkeypatch.context() as patched:  # documents as before
        patched.setattr(search, "with_joined_tokens", lambda words, parts, also=(): words)
        services.directory_reindex()
        assert set(found(world, "Elterncafé")) == {"Elterncafé am Markt"}
    migration.reindex(None, SimpleNamespace(connection=connection))
    assert set(found(world, "Elterncafé")) == {"Elterncafé am Markt", "Eltern-Café Süd"}


def test_every_synonym_is_in_one_group_and_has_tokens():
    # the index is built at import; this states what it checks
    words = [word for group in search.SYNONYMS for word in group]
    keys = [tuple(search.tokens(word)) for word in words]
    assert all(keys) and len(set(keys)) == len(keys)


def test_name_ranks_above_description(world, corpus):
    # the Familienberatung has "Beratung" as the head of a compound in its
    # name, which counts as its description does
    assert found(world, "Beratung")[0] == BERATUNGSSTELLE
    familie = found(world, "Familie")
    assert familie[0] == FAMILIENBERATUNG
    assert set(familie[1:]) == {SPRACHKURS, MUETTERZENTRUM}


def test_drafts_archived_offers_and_other_municipalities_stay_out(world, corpus):
    assert "Familienfest Entwurf" not in found(world, "Familie")
    assert "Familienfreizeit alt" not in found(world, "Familie")
    drafts = search.search_services(query="Familie", municipality=world.a, statuses=["draft"])
    assert [s.name for s in drafts.services] == ["Familienfest Entwurf"]
    everywhere = search.search_services(query="Familie", programme=world.programme)
    assert {s.name for s in everywhere.services} == {
        FAMILIENBERATUNG,
        SPRACHKURS,
        MUETTERZENTRUM,
        "Familientreff Bergdorf",
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"age_years": 2}, {FAMILIENBERATUNG, MUETTERZENTRUM, BERATUNGSSTELLE, SPRACHKURS}),
        ({"age_years": "12"}, {BERATUNGSSTELLE, STRASSENFUSSBALL, SPRACHKURS}),
        ({"age_years": "0,5"}, {FAMILIENBERATUNG, MUETTERZENTRUM, BERATUNGSSTELLE, SPRACHKURS}),
        ({"life_phase": "kita"}, {FAMILIENBERATUNG, BERATUNGSSTELLE}),
        ({"life_phase": "schwangerschaft-geburt"}, {MUETTERZENTRUM}),
        ({"field_of_action": "beratung"}, {FAMILIENBERATUNG, BERATUNGSSTELLE}),
        ({"language": "tr"}, {FAMILIENBERATUNG}),
        ({"free_of_charge": True}, {FAMILIENBERATUNG, STRASSENFUSSBALL}),
        ({"accessibility": ["stufenlos"]}, {FAMILIENBERATUNG}),
        ({"accessibility": ["rollstuhl-wc"]}, {MUETTERZENTRUM, BERATUNGSSTELLE}),
        ({"accessibility": ["stufenlos", "rollstuhl-wc"]}, set()),
        ({"weekday": 3}, {MUETTERZENTRUM}),
        ({"weekday": 1}, {FAMILIENBERATUNG}),
        ({"query": "Beratung", "free_of_charge": True}, {FAMILIENBERATUNG}),
        ({"query": "Beratung", "age_years": 20}, {BERATUNGSSTELLE}),
    ],
)
def test_filters(world, corpus, filters, expected):
    query = filters.pop("query", "")
    assert set(found(world, query, **filters)) == expected


def test_weekly_hours_that_ended_no_longer_count_for_the_weekday_filter(world, corpus):
    """Hours valid until today still count; once their last day has passed, the
    daily `reindex_offers --ended-hours` takes the offer off that weekday."""
    today = timezone.localdate()
    hours = services.schedule_add(actor=None, service=corpus["one"], weekday=5, valid_to=today)
    ended = services.schedule_add(
        actor=None, service=corpus["two"], weekday=6, valid_to=today - dt.timedelta(days=1)
    )
    assert found(world, weekday=5) == [FAMILIENBERATUNG]
    assert found(world, weekday=6) == []
    assert ended.pk
    # a day later (the calendar moved on, nothing was saved)
    Schedule.objects.filter(pk=hours.pk).update(valid_to=today - dt.timedelta(days=1))
    assert found(world, weekday=5) == [FAMILIENBERATUNG]  # until the daily reindex
    # another municipality's ended hours are not this run's business
    bergdorf = Service.objects.get(name="Familientreff Bergdorf")
    services.schedule_add(
        actor=None, service=bergdorf, weekday=2, valid_to=today - dt.timedelta(days=3)
    )
    out = io.StringIO()
    call_command("reindex_offers", "--ended-hours", municipality=world.a.slug, stdout=out)
    assert out.getvalue().startswith("2 offer(s) with ended weekly hours checked")
    assert found(world, weekday=5) == []
    assert search.search_services(municipality=world.a).facets["weekday"] == {"1": 1, "3": 1}
    assert set(found(world, weekday=3)) == {MUETTERZENTRUM}  # the hours without end stay


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"query": "Beratung"},
        {"query": '"ganze Familie"'},
        {"query": "Famil"},
        {"query": "Beratung", "language": "tr"},
        {"weekday": 3},
        {"free_of_charge": True, "age_years": 2},
    ],
)
def test_counts_only_gives_the_total_and_facets_of_the_full_search(world, corpus, filters):
    full = search.search_services(municipality=world.a, **filters)
    counted = search.search_services(municipality=world.a, counts_only=True, **filters)
    assert (counted.total, counted.facets) == (full.total, full.facets)
    assert counted.services == []


def test_courses_and_cures_do_not_find_each_other(world, corpus, monkeypatch):
    """Snowball gives "Kurs" the token of "Kur"; kette keeps "kurs" for words
    ending in Kurs and its forms (migration 0013 rebuilds older documents)."""
    organization = corpus["one"].organization
    for name in ("Schwimmkurse für Kinder", "Mutter-Kind-Kur"):
        services.service_create(
            actor=None, organization=organization, name=name, status=ServiceStatus.PUBLISHED
        )
    assert search.tokens("Kurs Kurse Sprachkurse Kur Kuren") == [
        "kurs",
        "kurs",
        "sprachkurs",
        "kur",
        "kur",
    ]
    courses = {SPRACHKURS, "Schwimmkurse für Kinder"}  # the second by its compound's head
    assert set(found(world, "Kurs")) == courses
    assert set(found(world, "Kurse")) == courses
    assert "Mutter-Kind-Kur" in found(world, "Kur")  # (and, as a prefix, the courses)
    assert "Mutter-Kind-Kur" in found(world, "Kuren")

    migration = importlib.import_module("kette.directory.migrations.0013_reindex_course_tokens")
    with monkeypatch.context() as patched:  # documents as written before
        patched.setattr(search, "_COURSE", re.compile("(?!)"))
        search.forget_tokens()
        services.directory_reindex()
        assert "Mutter-Kind-Kur" in found(world, "Kurs")
    search.forget_tokens()
    migration.reindex(None, SimpleNamespace(connection=connection))
    assert set(found(world, "Kurs")) == courses


def test_district_filter(world, corpus):
    assert set(found(world, district=corpus["d2"].pk)) == {MUETTERZENTRUM, BERATUNGSSTELLE}
    assert set(found(world, "Beratung", district=corpus["d2"].pk)) == {BERATUNGSSTELLE}


def test_facet_counts_per_filter_value(world, corpus):
    result = search.search_services(query="Beratung", municipality=world.a)
    assert result.total == 2
    assert result.facets["field_of_action"] == {"beratung": 2}
    assert result.facets["district"] == {str(corpus["d1"].pk): 1, str(corpus["d2"].pk): 1}
    assert result.facets["language"] == {"de": 1, "tr": 1, "ar": 1}
    assert result.facets["free_of_charge"] == {"true": 1}
    assert result.facets["life_phase"]["fruehe-kindheit"] == 2
    assert result.facets["life_phase"]["schule-beruf"] == 1
    assert result.facets["accessibility"] == {"stufenlos": 1, "rollstuhl-wc": 1}
    assert result.facets["weekday"] == {"1": 1}
    everything = search.search_services(municipality=world.a)
    assert everything.facets["field_of_action"]["beratung"] == 2
    assert everything.facets["free_of_charge"] == {"true": 2}
    assert search.search_services(municipality=world.a, with_facets=False).facets == {}


def test_facet_counts_follow_changes_and_pages_beyond_the_first(world, corpus):
    """The counts come from an in-memory index (kette.directory.facets), rebuilt
    when the services change an offer's filter keys; they count every match, not
    only the shown page."""
    first = search.search_services(municipality=world.a, per_page=1)
    assert first.facets["language"]["tr"] == 1
    assert first.facets["free_of_charge"] == {"true": 2}
    arabic = first.facets["language"].get("ar", 0)
    services.service_update(actor=None, service=corpus["one"], languages=["de", "ar"])
    changed = search.search_services(municipality=world.a, per_page=1, page=2)
    assert "tr" not in changed.facets["language"]
    assert changed.facets["language"]["ar"] == arabic + 1
    services.service_delete(actor=None, service=corpus["one"])
    after_delete = search.search_services(query="Beratung", municipality=world.a)
    assert after_delete.total == 1
    assert after_delete.facets["field_of_action"] == {"beratung": 1}
    in_a = search.search_services(municipality=world.a).facets["language"]
    in_b = search.search_services(municipality=world.b).facets.get("language", {})
    programme_wide = search.search_services(programme=world.programme, per_page=1)
    assert programme_wide.facets["language"] == {
        code: in_a.get(code, 0) + in_b.get(code, 0) for code in set(in_a) | set(in_b)
    }


@pytest.mark.parametrize("scale", [1, 1000], ids=["dense ids: lookup table", "sparse ids"])
def test_the_facet_index_counts_only_the_given_offers(scale):
    index = facets.FacetIndex(
        signature=(),
        ids=np.array([3, 5, 9], dtype=np.int64) * scale,
        starts=np.array([0, 2, 2, 5], dtype=np.int64),
        codes=np.array([0, 1, 0, 1, 2], dtype=np.int32),
        keys=("fa:a", "la:de", "free"),
    )
    assert (index.positions is not None) == (scale == 1)
    assert index.count([3 * scale, 9 * scale]) == {"fa:a": 2, "la:de": 2, "free": 1}
    assert index.count([5 * scale]) == {}  # an offer without keys
    unknown = [1, 2 * scale, 4 * scale, 10 * scale, 10 * scale + 1]
    assert index.count([*unknown, 9 * scale]) == {"fa:a": 1, "la:de": 1, "free": 1}
    assert index.count([]) == {}


def _keys_by_offer(index: facets.FacetIndex) -> dict[int, set[str]]:
    return {
        int(pk): {index.keys[c] for c in index.codes[index.starts[n] : index.starts[n + 1]]}
        for n, pk in enumerate(index.ids)
    }


def test_a_patched_facet_index_replaces_the_keys_of_the_changed_offers():
    index = facets.FacetIndex(
        signature=(),
        ids=np.array([3, 5, 9, 12], dtype=np.int64),
        starts=np.array([0, 2, 3, 5, 6], dtype=np.int64),
        codes=np.array([0, 1, 0, 1, 2, 2], dtype=np.int32),
        keys=("fa:a", "la:de", "free"),
    )
    # 1 and 7 are new (before everything, in between), 5 changes, 9 loses all
    # its keys, 20 is new at the end, 4 is unknown and stays unknown.
    rows = [(1, "free"), (5, "la:tr"), (5, "fa:a"), (7, "la:de"), (20, "wd:1"), (20, "free")]
    patched = index.patched((("m", "t"),), np.array([1, 4, 5, 7, 9, 20]), rows)
    assert patched.signature == (("m", "t"),)
    assert _keys_by_offer(patched) == {
        1: {"free"},
        3: {"fa:a", "la:de"},
        5: {"la:tr", "fa:a"},
        7: {"la:de"},
        12: {"free"},
        20: {"wd:1", "free"},
    }
    assert patched.count([1, 3, 5, 9, 12, 20]) == {
        "free": 3,
        "fa:a": 2,
        "la:de": 1,
        "la:tr": 1,
        "wd:1": 1,
    }
    assert _keys_by_offer(index)[9] == {"la:de", "free"}  # the original is unchanged


@pytest.fixture
def builds(monkeypatch):
    """The scopes whose facet index was built from scratch, in order."""
    built = []
    original = facets._build

    def counting(scope, signature):
        built.append(scope)
        return original(scope, signature)

    monkeypatch.setattr(facets, "_build", counting)
    return built


def _fresh_index(scope) -> facets.FacetIndex:
    return facets._build(scope, facets._signature(scope))


def test_an_edited_offer_updates_the_facet_index_without_a_rebuild(world, corpus, builds):
    """After an edit the index follows the chain of recorded changes (only the
    edited offers' keys are read again): the same keys as a fresh build."""
    scope = (connection.alias, "m", world.a.pk)
    programme = (connection.alias, "p", world.programme.pk)
    search.search_services(municipality=world.a)
    search.search_services(programme=world.programme)
    assert builds == [scope, programme]
    services.service_update(actor=None, service=corpus["one"], languages=["de", "ar"])
    services.service_update(actor=None, service=corpus["two"], is_free=True)
    result = search.search_services(municipality=world.a)
    assert result.facets["language"]["ar"] >= 1
    assert "tr" not in result.facets["language"]
    assert result.facets["free_of_charge"] == {"true": 3}
    # a new offer in another municipality of the programme (its first change)
    org_b = services.organization_create(actor=None, municipality=world.b, name="Träger B")
    services.service_create(
        actor=None,
        organization=org_b,
        name="Lesepaten",
        status=ServiceStatus.PUBLISHED,
        languages=["uk"],
    )
    everywhere = search.search_services(programme=world.programme)
    assert everywhere.facets["language"]["uk"] == 1
    assert builds == [scope, programme]  # patched, not rebuilt
    for cached in (scope, programme):
        assert _keys_by_offer(facets._indexes[cached]) == _keys_by_offer(_fresh_index(cached))


def test_the_facet_index_is_rebuilt_without_an_unbroken_chain_of_changes(
    world, corpus, builds, monkeypatch
):
    """Pruned changes, a change listing too many offers, or an index built in a
    transaction that was rolled back: the index is rebuilt, and right."""
    from django.db import transaction

    from kette.directory.models import FacetChange

    scope = (connection.alias, "m", world.a.pk)
    search.search_services(municipality=world.a)
    services.service_update(actor=None, service=corpus["two"], is_free=True)
    FacetChange.objects.all().delete()  # pruned: the index's next change is gone
    services.service_update(actor=None, service=corpus["one"], languages=["de", "ar"])
    result = search.search_services(municipality=world.a)
    assert result.facets["language"] == {"de": 1, "ar": 2}
    assert result.facets["free_of_charge"] == {"true": 3}
    assert len(builds) == 2
    monkeypatch.setattr(facets, "MAX_PATCHED", 0)  # recorded as "*"
    services.service_update(actor=None, service=corpus["one"], languages=["de"])
    assert search.search_services(municipality=world.a).facets["language"] == {"de": 1, "ar": 1}
    assert len(builds) == 3
    assert FacetChange.objects.latest("pk").service_ids == "*"
    monkeypatch.setattr(facets, "MAX_PATCHED", 10_000)
    with transaction.atomic():
        services.service_update(actor=None, service=corpus["one"], languages=["uk"])
        assert search.search_services(municipality=world.a).facets["language"]["uk"] == 1
        transaction.set_rollback(True)
    after = search.search_services(municipality=world.a).facets["language"]
    assert "uk" not in after
    assert len(builds) == 4  # patched inside the transaction, rebuilt after it
    assert _keys_by_offer(facets._indexes[scope]) == _keys_by_offer(_fresh_index(scope))


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_a_municipality_continue_one_chain_of_changes(world, builds):
    """Two transactions recording facet changes of the same municipality at
    once: the second waits for the first on the FacetVersion row and continues
    its chain, so an index built before both is patched, to the right keys."""
    import threading

    from django.db import connections, transaction

    from kette.directory.models import FacetChange, FacetVersion

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time anyway")
    org = services.organization_create(actor=None, municipality=world.a, name="Träger")
    first, second = (
        # with keys, so the municipality's FacetVersion row exists before the race
        services.service_create(
            actor=None,
            organization=org,
            name=name,
            status=ServiceStatus.PUBLISHED,
            languages=["de"],
        )
        for name in ("Elterncafé", "Lernhilfe")
    )
    scope = (connection.alias, "m", world.a.pk)
    search.search_services(municipality=world.a)  # an index before both changes
    locked, go, done = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def change(service, languages, hold):
        try:
            with transaction.atomic():
                if hold:
                    services.service_update(actor=None, service=service, languages=languages)
                    locked.set()
                    assert go.wait(30)
                else:  # only what must queue: the record of the change
                    facets.touch({world.a.pk: [service.pk]})
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            if not hold:
                done.set()
            connections.close_all()

    holder = threading.Thread(target=change, args=(first, ["tr"], True))
    holder.start()
    assert locked.wait(30)
    waiter = threading.Thread(target=change, args=(second, [], False))
    waiter.start()
    assert not done.wait(1)  # blocked behind the first transaction
    go.set()
    holder.join(30)
    waiter.join(30)
    assert not errors, errors
    one, two = FacetChange.objects.filter(municipality=world.a).order_by("-pk")[:2][::-1]
    assert two.previous == one.token
    assert FacetVersion.objects.get(municipality=world.a).token == two.token
    assert {one.service_ids, two.service_ids} == {str(first.pk), str(second.pk)}
    result = search.search_services(municipality=world.a)
    assert result.facets["language"] == {"tr": 1, "de": 1}
    assert builds == [scope]  # patched, not rebuilt
    assert _keys_by_offer(facets._indexes[scope]) == _keys_by_offer(_fresh_index(scope))


def test_pagination(world, corpus):
    first = search.search_services(municipality=world.a, per_page=2)
    assert first.total == 5
    assert first.num_pages == 3
    assert [s.name for s in first.services] == sorted(PUBLISHED_IN_A)[:2]
    assert first.has_next and not first.has_previous
    last = search.search_services(municipality=world.a, per_page=2, page=3)
    assert [s.name for s in last.services] == sorted(PUBLISHED_IN_A)[4:]
    beyond = search.search_services(municipality=world.a, per_page=2, page=9)
    assert beyond.services == []
    assert beyond.total == 5
    ranked = search.search_services(query="Beratung", municipality=world.a, per_page=1, page=2)
    assert [s.name for s in ranked.services] == [FAMILIENBERATUNG]
    assert ranked.total == 2


def test_a_page_loads_its_offers_as_the_orm_does(world, corpus, django_assert_num_queries):
    """`search.load_page` reads the page's offers and organisations from prepared
    SQL: every field as `select_related(...).in_bulk` gives it (UUIDs, dates
    with time zone, booleans, empty and missing values), in one query."""
    one = corpus["one"]
    Service.objects.filter(pk=one.pk).update(
        last_verified_at=timezone.now(), url="https://beratung.example/", max_age_months=None
    )
    ids = list(Service.objects.values_list("pk", flat=True))
    expected = Service.objects.select_related("organization").in_bulk(ids)
    with django_assert_num_queries(1):
        loaded = search.load_page(ids)
        organizations = {pk: service.organization for pk, service in loaded.items()}
    assert set(loaded) == set(expected)
    for pk, service in loaded.items():
        for model, mine, theirs in (
            (Service, service, expected[pk]),
            (Organization, organizations[pk], expected[pk].organization),
        ):
            for field in model._meta.concrete_fields:
                value = getattr(mine, field.attname)
                assert value == getattr(theirs, field.attname), (model, field.name)
                assert type(value) is type(getattr(theirs, field.attname)), field.name
            assert not mine._state.adding
            assert mine._state.db == "default"
    assert loaded[one.pk].last_verified_at.tzinfo is not None
    assert search.load_page([]) == {}


def test_the_index_follows_changes(world, corpus):
    one = corpus["one"]
    services.service_update(actor=None, service=one, name="Erziehungshilfe Nord")
    assert found(world, "Familienberatung") == []
    assert found(world, "Erziehungshilfe") == ["Erziehungshilfe Nord"]
    services.service_archive(actor=None, service=one)
    assert found(world, "Erziehungshilfe") == []
    services.service_publish(actor=None, service=one)
    assert found(world, "Erziehungshilfe", language="tr") == ["Erziehungshilfe Nord"]
    services.service_update(actor=None, service=one, languages=["de"], min_age_months=24)
    assert found(world, "Erziehungshilfe", language="tr") == []
    assert found(world, "Erziehungshilfe", age_years=1) == []
    services.service_delete(actor=None, service=one)
    assert found(world, "Erziehungshilfe") == []


def test_the_index_survives_a_table_rebuild(world, corpus):
    """SQLite drops triggers when Django rebuilds a table; post_migrate puts them back."""
    if connection.vendor != "sqlite":
        pytest.skip("triggers exist on SQLite only")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search.FTS_TABLE}_au")
    search.ensure_index(using="default")
    services.service_update(actor=None, service=corpus["one"], name="Erziehungshilfe Nord")
    assert found(world, "Erziehungshilfe") == ["Erziehungshilfe Nord"]
    assert found(world, "Familienberatung") == []


def test_filter_tokens_are_single_words_for_both_engines():
    token = search.filter_token("fa:erziehung-familie")
    assert token.isalnum() and token.startswith("z") and len(token) == 16
    assert search.age_keys(None, None) == ["age:any"]
    assert search.age_keys(-9, 0) == ["age:-1"]
    assert search.age_keys(0, 36) == ["age:0", "age:1", "age:2"]
    assert search.age_keys(300, None) == ["age:25", "age:26", "age:27"]


def test_tokens_fold_and_stem_german():
    assert search.tokens("Mütter Muetter mutter") == ["mutt", "mutt", "mutt"]
    assert search.tokens("Straße für Familien") == ["strass", "famili"]
    assert search.tokens("Café Ñandú") == ["caf", "nandu"]
    assert [t.tokens for t in search.parse_query('Kita "ganze Familie" Eltern-Kind')] == [
        ("kita",),
        ("ganz", "famili"),
        ("elt", "kind"),
    ]


def _strip_marks_of_whole_text(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ı", "i")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from("aeiouns -–„“éèêçñåøłıİǅﬁ\u0301\u0308\u0327ÄÖÜßأَب"),
            st.characters(),
        )
    )
)
def test_marks_are_stripped_run_by_run_as_from_the_whole_text(text):
    assert search._strip_marks(text) == _strip_marks_of_whole_text(text)


def test_marks_are_stripped():
    assert search._strip_marks("Café – Crèche in Ørsted, Łódź, ﬁt") == (
        "Cafe – Creche in Ørsted, Łodz, fit"  # (Ł and Ø are letters of their own)
    )


def test_a_plural_in_usse_finds_its_singular_and_back(world, corpus, monkeypatch):
    """Snowball keeps the doubled s of "Zirkusse" (zirkuss), which "Zirkus" found
    as a prefix but which did not find "Zirkus" (migration 0014 rebuilds older
    documents)."""
    organization = corpus["one"].organization
    for name in ("Zirkus Pimparello", "Zwei Zirkusse zu Besuch"):
        services.service_create(
            actor=None, organization=organization, name=name, status=ServiceStatus.PUBLISHED
        )
    both = {"Zirkus Pimparello", "Zwei Zirkusse zu Besuch"}
    assert set(found(world, "Zirkus")) == set(found(world, "Zirkusse")) == both

    migration = importlib.import_module("kette.directory.migrations.0014_reindex_us_plurals")
    with monkeypatch.context() as patched:  # documents and queries as before
        patched.setattr(search, "_us_plural", lambda stem, word: stem)
        search.forget_tokens()
        services.directory_reindex()
        assert set(found(world, "Zirkusse")) == {"Zwei Zirkusse zu Besuch"}
    search.forget_tokens()
    migration.reindex(None, SimpleNamespace(connection=connection))
    assert set(found(world, "Zirkusse")) == both


def test_tokens_drop_the_plural_s_after_a_vowel_only():
    def same(*words):
        return len({tuple(search.tokens(word)) for word in words}) == 1

    assert same("Kitas", "Kita") and search.tokens("Kitas") == ["kita"]
    assert same("Büros", "Büro", "Bueros")
    assert same("Babys", "Baby") and same("Autos", "Auto") and same("Azubis", "Azubi")
    # the s of the word itself stays: after u, in "-nis", after ei/ai
    assert search.tokens("Haus Bus") == ["haus", "bus"]
    assert same("Zeugnis", "Zeugnisse") and search.tokens("Zeugnis") == ["zeugnis"]
    assert same("Kreis", "Kreise") and search.tokens("Kreis") == ["kreis"]
    # a consonant before the s: the stemmer's business, as before
    assert search.tokens("Kiosk Treffs") == ["kiosk", "treff"]
    # short words keep it
    assert search.tokens("Omas") == ["omas"]
    # a consonant and s before a plural ending: the s goes as in the singular
    assert same("Krebs", "Krebse") and search.tokens("Krebse") == ["kreb"]
    assert same("Puls", "Pulse")
    # Kurs keeps its s (not the token of "Kur"), in every form
    assert same("Kurs", "Kurse", "Kursen") and search.tokens("Kurse") == ["kurs"]
    assert same("Sprachkurs", "Sprachkurse")
    # never more than that s ("vorles" would lose "es" if stemmed again)
    assert search.tokens("vorlesen Krebse") == ["vorles", "kreb"]
    # the plural of words in -us doubles the s: it gets the singular's token
    assert same("Zirkus", "Zirkusse", "Zirkussen") and search.tokens("Zirkusse") == ["zirkus"]
    assert same("Bus", "Busse", "Bussen") and same("Schulbus", "Schulbusse")
    # words in -uss keep theirs, in the genitive and the plural (with umlaut) too
    assert same("Zuschuss", "Zuschusses", "Zuschüsse") and same("Fluss", "Flüsse")
    assert search.tokens("Zuschusses") == ["zuschuss"]


def test_reindex_command_rebuilds_documents_written_around_the_services(world, corpus):
    from io import StringIO

    from django.core.management import CommandError, call_command

    Service.objects.filter(pk=corpus["one"].pk).update(search_name="", search_filters="")
    assert FAMILIENBERATUNG not in found(world, "Familienberatung")
    out = StringIO()
    call_command("reindex_offers", municipality=world.a.slug, stdout=out)
    assert "7 offer(s) indexed" in out.getvalue()
    assert found(world, "Familienberatung") == [FAMILIENBERATUNG]
    with pytest.raises(CommandError):
        call_command("reindex_offers", municipality="nirgendwo")


def ordered(world, query="", **options):
    result = search.search_services(query=query, municipality=world.a, **options)
    return [s.name for s in result.services]


def test_orders_by_name_and_district(world, corpus):
    assert ordered(world, "Beratung", order="name") == [BERATUNGSSTELLE, FAMILIENBERATUNG]
    assert ordered(world, order="name") == sorted(PUBLISHED_IN_A)
    # First district of the offer's places (Nordviertel < Südstadt), ties by
    # name, offers without a place last.
    assert ordered(world, order="district") == [
        FAMILIENBERATUNG,
        BERATUNGSSTELLE,
        MUETTERZENTRUM,
        SPRACHKURS,
        STRASSENFUSSBALL,
    ]
    filtered = search.search_services(
        query="Beratung", municipality=world.a, order="district", per_page=1, page=2
    )
    assert [s.name for s in filtered.services] == [BERATUNGSSTELLE]
    assert filtered.total == 2
    assert filtered.facets["field_of_action"] == {"beratung": 2}
    assert filtered.services[0].search_rank == 0


def test_the_district_order_is_german_alphabetical_on_both_databases(world, corpus):
    # byte order put "Vogelsang" before "Ückerath" (umlauts after Z)
    District.objects.filter(name="Nordviertel").update(name="Vogelsang")
    District.objects.filter(name="Südstadt").update(name="Ückerath")
    assert ordered(world, order="district") == [
        BERATUNGSSTELLE,  # Ückerath, ties by name
        MUETTERZENTRUM,
        FAMILIENBERATUNG,  # Vogelsang
        SPRACHKURS,
        STRASSENFUSSBALL,
    ]


def test_the_name_order_is_german_alphabetical_on_both_databases(world, corpus):
    # as German phone books sort (ä as ae, ß as ss), whatever the case, without
    # accents and leading punctuation; byte order put "ASK" before "Aktive",
    # "Fröbel" before "Förderschule" and small letters after Z
    expected = [
        "Ärztehaus",
        "Aktive Eltern",
        "ASK Jugendhilfe",
        "Bénédict School",
        "Bildungszentrum",
        "(ehem.) Sonderschule",
        "Förderschule",
        "Fröbel-Kita",
        "kath. Kindergarten",
        "„Zwergenland“",
    ]
    organization = corpus["one"].organization
    for name in reversed(expected):
        services.service_create(
            actor=None, organization=organization, name=name, status=ServiceStatus.PUBLISHED
        )
    names = ordered(world, order="name", per_page=50)
    assert [name for name in names if name in expected] == expected
    assert names.index(FAMILIENBERATUNG) < names.index("Förderschule")
    assert ordered(world, order="name", per_page=3, page=2) == names[3:6]
    assert search.sort_key("(ehem.) Sonderschule") == "ehem.) sonderschule"
    assert search.sort_key("Straße für Mütter") == "strasse fuer muetter"


def test_an_older_reindex_step_waits_for_the_columns_a_later_migration_adds(monkeypatch, db):
    """Migrations 0012–0014 reindex with the current code, which reads `sort_name`
    (added by 0015): on a database upgraded through them the step leaves the
    reindex to 0015 instead of failing on the missing column."""
    from kette.directory import migration_steps

    calls = []
    monkeypatch.setattr(services, "directory_reindex", lambda: calls.append("reindex"))
    editor = SimpleNamespace(connection=connection)
    real = connection.introspection.get_table_description
    with monkeypatch.context() as before_0015:
        before_0015.setattr(
            connection.introspection,
            "get_table_description",
            lambda cursor, table: [c for c in real(cursor, table) if c.name != "sort_name"],
        )
        migration_steps.reindex_offers(None, editor)
    assert calls == []
    migration_steps.reindex_offers(None, editor)
    assert calls == ["reindex"]


def test_orders_by_distance_with_longitude_scaled_by_latitude(world, corpus):
    from kette.directory.models import Location

    Location.objects.filter(name="Haus Nord").update(latitude=50.95, longitude=6.90)
    Location.objects.filter(name="Haus Süd").update(latitude=50.90, longitude=6.96)
    # From (50.90, 6.90) Haus Nord is 0.05° of latitude away (5.6 km), Haus Süd
    # 0.06° of longitude (4.2 km at this latitude): Süd is nearer.
    assert ordered(world, order="distance", near=(50.90, 6.90)) == [
        BERATUNGSSTELLE,
        MUETTERZENTRUM,
        FAMILIENBERATUNG,
        SPRACHKURS,
        STRASSENFUSSBALL,
    ]
    assert ordered(world, "Beratung", order="distance", near=(50.951, 6.90)) == [
        FAMILIENBERATUNG,
        BERATUNGSSTELLE,
    ]
    second = search.search_services(
        query="Beratung",
        municipality=world.a,
        order="distance",
        near=(50.951, 6.90),
        per_page=1,
        page=2,
    )
    assert [s.name for s in second.services] == [BERATUNGSSTELLE]
    assert second.total == 2


def test_unknown_order_or_distance_without_point_is_refused(world, corpus):
    with pytest.raises(ValueError, match="unknown order"):
        search.search_services(municipality=world.a, order="random")
    with pytest.raises(ValueError, match="near"):
        search.search_services(municipality=world.a, order="distance")


def test_the_compound_heads_migration_writes_what_a_reindex_writes(world, corpus, monkeypatch):
    """Migration 0008 adds the heads to documents stored without them."""
    from django.apps import apps

    migration = importlib.import_module("kette.directory.migrations.0008_compound_heads")
    current = dict(Service.objects.values_list("pk", "search_body"))
    with monkeypatch.context() as patched:  # documents as written before the heads
        patched.setattr(search, "_TAILS", {})
        search.compound_head.cache_clear()
        services.services_reindex(service_ids=list(current))
    search.compound_head.cache_clear()
    before = dict(Service.objects.values_list("pk", "search_body"))
    assert before != current
    migration.add_compound_heads(apps, SimpleNamespace(connection=connection))
    assert dict(Service.objects.values_list("pk", "search_body")) == current
    assert set(found(world, "Zentrum")) == {MUETTERZENTRUM}


def _ranked_by_full_condition(query, scope_groups, key_groups):
    """Every match with its rank, ranked by bm25() over the whole condition (words,
    scope and filters in one MATCH): the reference for the page of search_services."""
    expression = search._fts5_expression(search.parse_query(query), scope_groups + key_groups)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, bm25({search.FTS_TABLE}, {search.NAME_WEIGHT}, "  # noqa: S608
            f"{search.BODY_WEIGHT}, 0.0) AS rank FROM {search.FTS_TABLE} "
            f"WHERE {search.FTS_TABLE} MATCH %s ORDER BY rank, rowid",
            [expression],
        )
        return cursor.fetchall()


@pytest.mark.parametrize("with_facets", [True, False])
def test_relevance_on_sqlite_ranks_exactly_as_bm25_over_the_whole_condition(
    world, corpus, with_facets
):
    """SQLite ranks a page by the words (and the visitor's filters) alone when the
    scope takes none of their matches away: the scores, order and total must be
    those of bm25() over the whole condition, on every page, whichever way ranked."""
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 ranking shortcut exists on SQLite only")
    org_b = services.organization_create(actor=None, municipality=world.b, name="Träger C")
    services.service_create(
        actor=None,
        organization=org_b,
        name="Sprachcafé Bergdorf",
        description="Deutsch lernen, kostenlos",
        status=ServiceStatus.PUBLISHED,
        is_free=True,
    )
    cases = [
        # (query, scope, filters): Beratung occurs only in published offers of A,
        # Familie and Sprache also in drafts, archived offers or municipality B.
        ("Beratung", {"municipality": world.a}, {}),
        ("Familie", {"municipality": world.a}, {}),
        ("Sprach Deutsch", {"municipality": world.a}, {}),
        ("Familie", {"programme": world.programme}, {}),
        ("Familie", {"municipality": world.a, "statuses": ["draft"]}, {}),
        ("Beratung", {"municipality": world.a}, {"free_of_charge": True}),
        ("Beratung", {"municipality": world.a}, {"age_years": 20}),
        ("Famili", {"programme": world.programme}, {"age_years": 2}),
        ("Deutsch", {"municipality": world.a}, {"language": "tr"}),
    ]
    shortcut_taken = {True: 0, False: 0}
    for query, scope, filters in cases:
        statuses = scope.get("statuses", ["published"])
        scope_groups = search._scope_groups(
            municipality=scope.get("municipality"),
            programme=scope.get("programme"),
            statuses=statuses,
        )
        key_groups = search._key_groups(
            filters.get("age_years"), ["free"] if filters.get("free_of_charge") else []
        )
        if filters.get("language"):
            key_groups.append([f"la:{filters['language']}"])
        expected = _ranked_by_full_condition(query, scope_groups, key_groups)
        # Both guesses of whether the scope narrows the words' matches (the
        # word ranking's head checked against the match set, or a count).
        for narrows in (False, True):
            got = []
            for page in (1, 2, 3):
                search._scope_narrows.clear()
                scope_key = (connection.alias, *(t for group in scope_groups for t in group))
                search._scope_narrows[scope_key] = narrows
                result = search.search_services(
                    query=query, **scope, **filters, per_page=2, page=page, with_facets=with_facets
                )
                assert result.total == len(expected), (query, scope, filters, narrows)
                got.extend((s.pk, s.search_rank) for s in result.services)
            assert got == expected[:6], (query, scope, filters, narrows)
        words_only = search._fts5_expression(search.parse_query(query), key_groups)
        with connection.cursor() as cursor:
            cursor.execute(search._COUNT_SQL, [words_only])
            shortcut_taken[cursor.fetchone()[0] == len(expected)] += 1
    assert shortcut_taken[True] and shortcut_taken[False]  # both ways were checked


def _many_similar_offers(world) -> None:
    """200 offers in two municipalities whose names and texts tie in groups
    (same name, same text) and otherwise differ, some drafts, half free."""
    org = services.organization_create(actor=None, municipality=world.a, name="Lesewerk")
    org_b = services.organization_create(actor=None, municipality=world.b, name="Lesewerk B")
    drafts = [
        services.OfferDraft(
            organization=org if i % 5 else org_b,
            name="Lesepaten" if i % 3 else f"Lesepaten {i}",
            # Some offers tie (same text), others rank by how often a word occurs.
            fields={
                "description": " ".join(["Lesen"] * (i % 4)) + " Vorlesen für Kinder",
                "is_free": i % 2 == 0,
            },
            status=ServiceStatus.DRAFT if i % 7 == 0 else ServiceStatus.PUBLISHED,
        )
        for i in range(200)
    ]
    for municipality in (world.a, world.b):
        services.services_create_bulk(
            actor=None,
            municipality=municipality,
            drafts=[d for d in drafts if d.organization.municipality_id == municipality.pk],
        )


_MAX_CANDIDATE_GROUPS = search.MAX_CANDIDATE_GROUPS


def _planner_settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_sort'), current_setting('work_mem')")
        return cursor.fetchone()


def _pages(monkeypatch, expected, **kwargs) -> None:
    """Two a page over 35 pages (the first pages take fewer groups than tie on
    the best match), once from the groups and once with every page taken from
    all matches: the same total and the same offers as `expected`, in order."""
    before = _planner_settings()
    for deepest in (_MAX_CANDIDATE_GROUPS, 1):  # 1: every page from all matches
        monkeypatch.setattr(search, "MAX_CANDIDATE_GROUPS", deepest)
        got = []
        for page in range(1, 36):
            result = search.search_services(**kwargs, per_page=2, page=page)
            assert result.total == len(expected), (kwargs, deepest)
            got.extend((s.pk, s.search_rank) for s in result.services)
        assert got == expected[:70], (kwargs, deepest)
    assert _planner_settings() == before  # the grouping's own settings are undone


@pytest.mark.parametrize("with_facets", [True, False])
def test_relevance_on_postgresql_ranks_exactly_as_one_ranked_query(
    world, corpus, monkeypatch, with_facets
):
    """PostgreSQL ranks a page from the groups of 64 ids with the best matches
    (`_postgres_page`): order, ranks and total must be those of one query
    ranking every match, on every page, with ties across groups, other
    municipalities, drafts and filters, and for pages too deep for the groups."""
    if connection.vendor != "postgresql":
        pytest.skip("the grouped ranking exists on PostgreSQL only")
    _many_similar_offers(world)
    cases = [
        ("Lesepaten", {"municipality": world.a}, {}),
        ("Lesen", {"municipality": world.a}, {}),
        ("Lese", {"programme": world.programme}, {}),
        ("Lesepaten", {"municipality": world.a, "statuses": ["draft"]}, {}),
        ("Vorlesen Kinder", {"municipality": world.a}, {"free_of_charge": True}),
    ]
    for query, scope, filters in cases:
        scope_groups = search._scope_groups(
            municipality=scope.get("municipality"),
            programme=scope.get("programme"),
            statuses=scope.get("statuses", ["published"]),
        )
        key_groups = search._key_groups(None, ["free"] if filters.get("free_of_charge") else [])
        terms = search.parse_query(query)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.id, {search._RANK} AS rank FROM directory_service s "  # noqa: S608
                "WHERE s.search_vector @@ to_tsquery('simple', %s) ORDER BY rank DESC, s.id",
                [search._tsquery(terms, []), search._tsquery(terms, scope_groups + key_groups)],
            )
            expected = [(pk, float(rank)) for pk, rank in cursor.fetchall()]
        assert len({rank for _, rank in expected}) < len(expected), query  # ties occur
        _pages(monkeypatch, expected, query=query, **scope, **filters, with_facets=with_facets)


@pytest.mark.parametrize("with_facets", [True, False])
def test_name_order_on_postgresql_sorts_exactly_as_one_query(
    world, corpus, monkeypatch, with_facets
):
    """By name (and without words, where relevance means name), PostgreSQL takes
    a page from the groups of 64 ids with the first names (`_postgres_page`):
    the same offers in the same order and the same total as one query sorting
    every match by name, with names tied across groups, filters only, other
    municipalities and drafts, and for pages too deep for the groups."""
    if connection.vendor != "postgresql":
        pytest.skip("the grouped name order exists on PostgreSQL only")
    _many_similar_offers(world)
    cases = [
        ("", {"municipality": world.a}, {}),
        ("", {"programme": world.programme}, {"free_of_charge": True}),
        ("", {"municipality": world.a, "statuses": ["draft", "published"]}, {}),
        ("Lese", {"municipality": world.a}, {"order": search.ORDER_NAME}),
        ("Vorlesen", {"programme": world.programme}, {"order": search.ORDER_NAME}),
    ]
    for query, scope, filters in cases:
        groups = search._filter_groups(
            municipality=scope.get("municipality"),
            programme=scope.get("programme"),
            statuses=scope.get("statuses", ["published"]),
            age_years=None,
            keys=["free"] if filters.get("free_of_charge") else [],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.id, 0 FROM directory_service s "
                "WHERE s.search_vector @@ to_tsquery('simple', %s) ORDER BY s.name, s.id",
                [search._tsquery(search.parse_query(query), groups)],
            )
            expected = [(pk, 0.0) for pk, _ in cursor.fetchall()]
        tied = Service.objects.filter(
            pk__in=[pk for pk, _ in expected], name="Lesepaten"
        ).values_list("pk", flat=True)
        assert len({pk >> 6 for pk in tied}) > 1, query  # a name tied across groups
        _pages(monkeypatch, expected, query=query, **scope, **filters, with_facets=with_facets)


def test_the_scope_token_migration_rewrites_stored_filter_tokens(world, corpus):
    """Migration 0009 turns the separate municipality and programme tokens of
    indexed offers into the combined scope tokens (and back), so offers indexed
    before it are found without a reindex."""
    import importlib
    from types import SimpleNamespace

    migration = importlib.import_module("kette.directory.migrations.0009_search_scope_tokens")
    schema_editor = SimpleNamespace(connection=connection)
    current = dict(Service.objects.values_list("pk", "search_filters"))
    one = Service.objects.select_related("municipality").get(pk=corpus["one"].pk)
    m, p, st = one.municipality_id, one.municipality.programme_id, one.status
    old_tokens = {search.filter_token(f"m:{m}"), search.filter_token(f"p:{p}")}
    new_tokens = {search.filter_token(f"ms:{m}:{st}"), search.filter_token(f"ps:{p}:{st}")}
    assert new_tokens <= set(current[one.pk].split())

    migration._rewrite(migration.COMBINED, migration.SEPARATE)(None, schema_editor)
    before = dict(Service.objects.values_list("pk", "search_filters"))
    assert old_tokens <= set(before[one.pk].split())
    assert not new_tokens & set(before[one.pk].split())
    assert found(world, "Familienberatung") == []  # old tokens: not in the scope any more

    migration._rewrite(migration.SEPARATE, migration.COMBINED)(None, schema_editor)
    assert dict(Service.objects.values_list("pk", "search_filters")) == current
    assert found(world, "Familienberatung") == [FAMILIENBERATUNG]


@pytest.fixture
def nested(world):
    """Districts in two levels: Stadtbezirk Porz with the Stadtteile Porz and
    Eil, and the Stadtbezirk Kalk without parts; offers placed in a Stadtteil
    and meant for districts (service areas) of either level."""
    a = world.a
    bezirk = District.objects.create(municipality=a, code="7", name="Porz", level="Stadtbezirk")
    porz = District.objects.create(
        municipality=a, code="701", name="Porz", level="Stadtteil", parent=bezirk
    )
    eil = District.objects.create(
        municipality=a, code="702", name="Eil", level="Stadtteil", parent=bezirk
    )
    kalk = District.objects.create(municipality=a, code="8", name="Kalk", level="Stadtbezirk")
    org = services.organization_create(actor=None, municipality=a, name="Träger")
    place = services.location_create(actor=None, municipality=a, name="Haus", district=porz)
    published = ServiceStatus.PUBLISHED

    def offer(name):
        return services.service_create(actor=None, organization=org, name=name, status=published)

    in_porz = offer("Babytreff im Stadtteil Porz")
    services.service_add_location(actor=None, service=in_porz, location=place)
    for_bezirk = offer("Hebammen für den Stadtbezirk")
    services.service_set_areas(actor=None, service=for_bezirk, districts=[bezirk])
    for_eil = offer("Lotsen für Eil")
    services.service_set_areas(actor=None, service=for_eil, districts=[eil])
    everywhere = offer("Beratung für die ganze Stadt")
    services.service_set_areas(actor=None, service=everywhere, districts=None)
    return SimpleNamespace(bezirk=bezirk, porz=porz, eil=eil, kalk=kalk)


def test_a_district_filter_finds_offers_in_its_parts_and_for_the_larger_districts(world, nested):
    """A place counts for its district and every district containing it; a
    service area for its district, the districts containing it and all its
    parts. An offer for the whole municipality (area without district) is not
    narrowed to any district and stays out of a district's results."""
    assert set(found(world, district=nested.bezirk.pk)) == {
        "Babytreff im Stadtteil Porz",
        "Hebammen für den Stadtbezirk",
        "Lotsen für Eil",
    }
    assert set(found(world, district=nested.porz.pk)) == {
        "Babytreff im Stadtteil Porz",
        "Hebammen für den Stadtbezirk",
    }
    assert set(found(world, district=nested.eil.pk)) == {
        "Hebammen für den Stadtbezirk",
        "Lotsen für Eil",
    }
    assert found(world, district=nested.kalk.pk) == []
    assert "Beratung für die ganze Stadt" in found(world)


def test_the_words_of_a_place_include_the_names_of_the_districts_above_it(world, nested):
    org = Organization.objects.get(municipality=world.a, name="Träger")
    place = services.location_create(
        actor=None, municipality=world.a, name="Treff am Deich", district=nested.eil
    )
    offer = services.service_create(
        actor=None, organization=org, name="Spielgruppe", status=ServiceStatus.PUBLISHED
    )
    services.service_add_location(actor=None, service=offer, location=place)
    # "Porz" is the Stadtbezirk of Eil: a text search for it finds the place in Eil
    assert "Spielgruppe" in found(world, "Spielgruppe Porz")
    assert "Spielgruppe" in found(world, "Spielgruppe Eil")
    assert found(world, "Spielgruppe Kalk") == []


def test_district_counts_equal_the_results_of_each_district(world, nested):
    everything = search.search_services(municipality=world.a)
    counts = everything.facets["district"]
    assert counts == {str(nested.bezirk.pk): 3, str(nested.porz.pk): 2, str(nested.eil.pk): 2}
    for district in District.objects.filter(municipality=world.a):
        chosen = search.search_services(municipality=world.a, district=district.pk)
        assert chosen.total == counts.get(str(district.pk), 0), district.name
        assert chosen.facets.get("district", {}).get(str(district.pk), 0) == chosen.total


def test_district_keys_follow_a_new_parent(world, nested):
    """Moving a Stadtteil to another Stadtbezirk and reindexing (as the district
    import does when the nesting changes) moves its offers along."""
    nested.eil.parent = nested.kalk
    nested.eil.save()
    services.directory_reindex(municipality=world.a)
    assert set(found(world, district=nested.kalk.pk)) == {"Lotsen für Eil"}
    assert "Lotsen für Eil" not in found(world, district=nested.bezirk.pk)
    assert "Hebammen für den Stadtbezirk" not in found(world, district=nested.eil.pk)


def test_the_reindex_migration_writes_nested_district_keys_and_drops_the_plural_s(
    world, corpus, nested, monkeypatch
):
    """Migration 0012 rebuilds documents stored before nested district keys (and
    the names of the districts above a place) and the plural -s rule: afterwards
    they are what a reindex writes now."""
    from django.apps import apps

    from kette.directory.models import ServiceFacet

    migration = importlib.import_module("kette.directory.migrations.0012_reindex_search_documents")
    babies = services.service_create(
        actor=None,
        organization=corpus["one"].organization,
        name="Treff für Babys",
        status=ServiceStatus.PUBLISHED,
    )
    columns = ("pk", "search_name", "search_body", "search_filters")
    current = set(Service.objects.values_list(*columns))
    current_facets = set(ServiceFacet.objects.values_list("service_id", "key"))
    with monkeypatch.context() as patched:  # documents as written before
        patched.setattr(search, "_without_plural_s", lambda word: word)
        real = services._district_tree  # before: no nesting, a place's own district's name
        patched.setattr(
            services, "_district_tree", lambda ids: services._DistrictTree({}, {}, real(ids).names)
        )
        search.forget_tokens()
        services.directory_reindex()
    search.forget_tokens()
    assert set(Service.objects.values_list(*columns)) != current
    assert Service.objects.get(pk=babies.pk).search_name.split() == ["treff", "babys"]
    assert found(world, district=nested.bezirk.pk) == ["Hebammen für den Stadtbezirk"]

    migration.reindex(apps, SimpleNamespace(connection=connection))
    assert set(Service.objects.values_list(*columns)) == current
    assert set(ServiceFacet.objects.values_list("service_id", "key")) == current_facets
    assert Service.objects.get(pk=babies.pk).search_name.split() == ["treff", "baby"]
    assert len(found(world, district=nested.bezirk.pk)) == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # one edit in a word of 4–7 letters, two from 8 on, transpositions one edit
        ("Sprachkrus", "sprachkurs"),
        ("Familie Berratung", "Familie berat"),
        ("Strassenfusbal", "strassenfussball"),
        ("Mütterzentrm", "mutterzentrum"),
        # a synonym's word counts as indexed
        ("Kindergarden", "kindergart"),
        # a misspelt ending that the stemmer would have taken off
        ("Beratnug", "berat"),
        ("Familienberatnug", "familienberat"),
    ],
)
def test_a_misspelt_word_is_corrected_to_the_nearest_indexed_word(world, corpus, query, expected):
    corrected, corrections = search.corrected_query(query, municipality=world.a)
    assert corrected == expected
    assert [c.typed for c in corrections] == [w for w in query.split() if w not in expected]


@pytest.mark.parametrize(
    "query",
    [
        "Familie",  # known
        "Famil",  # a prefix of an indexed word is known
        "Kurz",  # too short to correct (kur, kurs, …)
        "Xylophonunterricht",  # nothing near
        '"Sprachkrus"',  # a quoted phrase stays as typed
        "Eltern-Kafe",  # so does a hyphenated word
        "2027",
    ],
)
def test_known_short_quoted_or_far_words_stay_as_typed(world, corpus, query):
    assert search.corrected_query(query, municipality=world.a) is None


def test_corrections_follow_the_scope_on_postgres_and_are_checked_by_searching(world, corpus):
    # "Familientreff Bergdorf" is world.b's: on PostgreSQL its words are not in
    # world.a's vocabulary; on SQLite they are (the index is one), but searching
    # in world.a then finds nothing, which the guide checks before it shows any.
    corrected = search.corrected_query("Bergdorff", municipality=world.a)
    if connection.vendor == "postgresql":
        assert corrected is None
    else:
        assert corrected is not None and corrected[0] == "bergdorf"
        assert search.search_services(query=corrected[0], municipality=world.a).total == 0
    assert search.corrected_query("Bergdorff", municipality=world.b)[0] == "bergdorf"


def test_a_draft_offers_words_are_not_suggested_on_postgres(world, corpus):
    # only "Familienfest Entwurf" (a draft) has the word Entwurf
    corrected = search.corrected_query("Entwurv", municipality=world.a)
    if connection.vendor == "postgresql":
        assert corrected is None
    else:  # SQLite's vocabulary is the index's: searching published offers finds none
        assert search.search_services(query=corrected[0], municipality=world.a).total == 0


def test_the_surface_of_a_corrected_word_comes_from_the_texts_or_the_synonyms():
    texts = ["Schwimmkurs für Kinder", "Babyschwimmen im Hallenbad", "beraten", "Beratung"]
    assert search.surface_word("schwimmkurs", texts) == "Schwimmkurs"
    # the most frequent form
    assert search.surface_word("berat", [*texts, "Familienberatung: Beratung"]) == "Beratung"
    assert search.surface_word("kindergart", texts) == "Kindergarten"
    assert search.surface_word("hallenbad", texts) == "Hallenbad"
    assert search.surface_word("unbekannt", texts) == "unbekannt"
