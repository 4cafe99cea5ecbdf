# ruff: noqa: S608  (SQL is assembled from module constants; values go as parameters)
"""Full-text search of offers with the same semantics on SQLite and PostgreSQL.

Design
------
German-aware matching happens in Python, once, for documents and queries alike:
text is folded (`fold_german`: lower case, ä→ae, ß→ss; other diacritics
dropped), split into words, German stop words are dropped, a plural -s after a
vowel is dropped ("Kitas" → kita; see `_without_plural_s`), and every word is
reduced by the Snowball German stemmer (PyStemmer, in C; which also maps ae/oe/ue back to the
plain vowel, so "Mütter", "Muetter" and "mutter" all become "mutt"; a stem
that keeps the s of "Kurse" loses it as "Kurs" does, see `_final_s_again`; the
plural of a word in -us gets the singular's token, see `_us_plural`). The
services store the resulting tokens on each offer in two columns:
`search_name` (name and alternate name) and `search_body` (description,
provider, fields of action, locations, eligibility).

The databases only match tokens they are given, so both see exactly the same
vocabulary. Filters are tokens too: every filterable property of an offer
(status, municipality, programme, year of life, life phase, field of action,
district, language, free of charge, accessibility, weekday) becomes a key such
as "fa:bildung", stored hashed into a letters-and-digits token ("z" + 15 hex
digits) in a third column, `search_filters`; the scope is one key per status
and municipality ("ms:7:published"), per status and programme, and per status
(`scope_keys`). A search is then one full-text condition — words restricted to
the name and body columns, AND one group per filter (alternatives within a
group with OR) — that the engine answers from its inverted index alone: no
join, no row-by-row filtering.

- SQLite: an FTS5 external-content table `directory_service_fts` over the three
  columns, kept in sync by triggers (created in a migration and restored after
  every `migrate`, since Django's SQLite schema editor drops triggers when it
  rebuilds a table). Ranking: `bm25(fts, 10, 1, 0)`; the page query has the
  shape of the bare `MATCH … ORDER BY rank LIMIT 20`.
- PostgreSQL: a stored generated `tsvector` column `search_vector` with a GIN
  index, built with the `simple` configuration (no stemming, no stop words)
  from the pre-processed tokens: name weight A, body D, filter tokens C. Words
  are restricted to A and D (`'berat':*AD`). Ranking: `ts_rank` with weights
  {D 0.1, C 0, B 0, A 1} over the words only, i.e. name 10× body as on SQLite.
  The `german` configuration is deliberately not used: it would stem our stems
  again and apply its own stop list, so PostgreSQL would match differently from
  FTS5.

Every query word is matched as a prefix of a token once its stem has at least
`MIN_PREFIX` letters ("Beratung" → `berat*` finds "Beratungsstelle"); shorter
words must match whole. Compounds are also found by their head when it is one
of `COMPOUND_HEADS` ("Zentrum" finds "Familienzentrum"): documents carry those
heads as extra body tokens (dictionary decompounding, see below). Words of a
query are combined with AND; a quoted phrase (or a hyphenated word) must
appear as adjacent tokens. Ties in rank are
broken by id; without words, results are sorted by name.

Other orders (`order=`) sort the same match set in the same statement:
"name" (`Service.sort_name`, id: see `sort_key`), "district" (the
alphabetically first district of the offer's
places; offers without one last) and "distance" from a point `near=(lat, lon)`
(the offer's nearest located place; offers without one last). Distance is
ordered by the squared difference in degrees with the longitude scaled by
cos(latitude of the point): monotonic in the true distance at the scale of a
municipality and computable on both engines without trigonometry in SQL; exact
kilometres for a shown page are the caller's business (haversine in Python).

Facet counts come from an in-memory index of every offer's `ServiceFacet`
keys (kette.directory.facets), looked up for the ids of all matching offers;
the total is then their number. Without facets the total is a COUNT over the
same condition on SQLite, skipped when the first page is not full (except for
relevance, below).

On PostgreSQL the match set comes from one aggregate over groups of 64
consecutive ids (`_postgres_matches`): per group the bitmap of its matches
and, for relevance or name order, their best rank or first name. Parallel
workers share it, where listing every id (`string_agg`, `array_agg`) runs in
one process on PostgreSQL 15; the bare ranked query it is measured against is
a parallel scan too. The ids and the total come from the bitmaps; a page by
relevance or name is sorted among the matches of the groups with the best
ranks or first names only (`_postgres_page`), so the matches are scanned
once; district and distance orders take their page in a statement of its own.

Relevance on SQLite (`_sqlite_relevance`): bm25() weighs every phrase of its
MATCH expression by walking its whole doclist once per query, the filter
tokens too (although their weight is 0), and a scope token occurs in every
offer of the municipality. So the match set (ids or count) comes from an unranked MATCH of
the full condition, and the page is ranked by the words and the visitor's
filters alone whenever that provably gives the same page (same scores, same
order: the scope only drops offers), without the walk of the scope's
doclist; otherwise (the scope narrows the words' matches) by the full
condition.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
import Stemmer  # PyStemmer: the Snowball stemmers in C
from django.db import connections, transaction

from kette.core.models import Municipality, Programme
from kette.core.text import fold_german, strip_marks
from kette.core.text import sort_key as sort_key  # offers' `sort_name`

FTS_TABLE = "directory_service_fts"
MIN_PREFIX = 3
NAME_WEIGHT = 10.0
BODY_WEIGHT = 1.0
MAX_PER_PAGE = 100

# A short German stop list (folded): words that carry no meaning in a search for
# offers. Dropped from documents and queries alike.
STOP_WORDS = frozenset(
    fold_german(word)
    for word in [
        "aber",
        "alle",
        "als",
        "am",
        "an",
        "auch",
        "auf",
        "aus",
        "bei",
        "bin",
        "bis",
        "da",
        "das",
        "dass",
        "dem",
        "den",
        "der",
        "des",
        "die",
        "doch",
        "du",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "er",
        "es",
        "für",
        "hat",
        "ich",
        "ihr",
        "im",
        "in",
        "ist",
        "ja",
        "kann",
        "mit",
        "nach",
        "nicht",
        "noch",
        "nur",
        "oder",
        "sich",
        "sie",
        "sind",
        "so",
        "über",
        "um",
        "und",
        "uns",
        "von",
        "vor",
        "war",
        "was",
        "wie",
        "wir",
        "zu",
        "zum",
        "zur",
    ]
)

_WORD = re.compile(r"[^\W_]+")
_QUERY_PART = re.compile(r'"([^"]*)"?|([^\s"]+)')
_stemmer = Stemmer.Stemmer("german")


_strip_marks = strip_marks  # the name the tests and callers here use


# The plural -s of words ending in a vowel ("Kitas", "Büros", "Autos", "Babys",
# "Azubis"), which the Snowball stemmer keeps: dropped before stemming from
# words of at least PLURAL_S_MIN_LENGTH letters (folded) when a, o, i or y
# precedes it, but not after u ("Haus", "Bus"), nor from "-nis" and after
# ei/ai, where the s belongs to the word and its other forms keep it
# ("Zeugnis"/"Zeugnisse", "Kreis"/"Kreise"). Words ending in a consonant and s
# ("Kurs", "Kiosk") are the stemmer's business.
PLURAL_S_MIN_LENGTH = 5
_PLURAL_S = re.compile(r"(?<![aeiou]i)(?<!ni)(?<=[aoiy])s$")


def _without_plural_s(word: str) -> str:
    if len(word) >= PLURAL_S_MIN_LENGTH and word[-1] == "s":
        return _PLURAL_S.sub("", word)
    return word


def _final_s_again(stem: str, word: str) -> str:
    """Snowball drops the s of "Krebs" (kreb) but not of "Krebse" (krebs: only the
    e goes): a stem that ends in s and came from a longer word loses that s too
    when the stemmer, given the stem, would drop exactly that s ("Krebse",
    "Pulse" → kreb, pul); never more ("vorlesen" stays vorles). Kurs, where this
    began, now keeps its s (see `_COURSE`)."""
    if stem == word or not stem.endswith("s"):
        return stem
    again = _stemmer.stemWord(stem)
    return again if again == stem[:-1] else stem


def _us_plural(stem: str, word: str) -> str:
    """The plural of a word in -us doubles the s ("Zirkus"/"Zirkusse", "Bus"/
    "Busse", "Globusse"), which Snowball keeps (zirkuss): the plural in -usse and
    -ussen gets the singular's token. Not the genitive in -usses, which belongs
    to words in -uss ("des Zuschusses"); their plurals take an umlaut ("Flüsse",
    folded "fluesse") and stay apart."""
    if stem.endswith("uss") and word.endswith(("usse", "ussen")):
        return stem[:-1]
    return stem


# The token of each folded word seen ("": a stop word). Words recur across
# documents, and stemming is most of the cost of indexing a description.
_word_tokens: dict[str, str] = {}
WORD_TOKENS_KEPT = 200_000  # then the cache starts again


# Snowball stems "Kurs" to kur, the token of "Kur" (a spa cure: "Mutter-Kind-
# Kur" is an offer of its own), so a search for courses found cures. Words
# ending in Kurs and its forms keep "kurs". ("Kur" still finds courses: a query
# word of MIN_PREFIX letters is also a prefix.)
_COURSE = re.compile(r"(.*kurs)(?:e|en|es)?")


def _word_token(word: str) -> str:
    """The token of a folded word ("" for a stop word), remembered."""
    if word in STOP_WORDS:
        token = ""
    elif course := _COURSE.fullmatch(word):
        token = course.group(1)
    else:
        plain = _without_plural_s(word)
        token = _us_plural(_final_s_again(_stemmer.stemWord(plain), plain), plain)
    if len(_word_tokens) >= WORD_TOKENS_KEPT:
        _word_tokens.clear()
    _word_tokens[word] = token
    return token


def tokens(text: str) -> list[str]:
    """The search tokens of a text: folded, without stop words, stemmed."""
    words = _WORD.findall(_strip_marks(fold_german(text or "")))
    # remembered tokens looked up in one pass (a call per word was a third of
    # indexing an import's descriptions); None marks a word not seen yet
    found = list(map(_word_tokens.get, words))
    if None in found:
        found = [
            _word_token(word) if token is None else token
            for word, token in zip(words, found, strict=True)
        ]
    return [token for token in found if token]


@functools.lru_cache(maxsize=8192)
def _short_tokens(text: str) -> tuple[str, ...]:
    return tuple(tokens(text))


def forget_tokens() -> None:
    """Forget every cached token (after the rules changed, as in tests)."""
    _short_tokens.cache_clear()
    _word_tokens.clear()


def _document_tokens(parts: Iterable[str | None]) -> list[str]:
    # Short parts (names of providers, places, terms) recur across offers.
    return [
        token
        for part in parts
        if part
        for token in (_short_tokens(part) if len(part) <= 120 else tokens(part))
    ]


def document_text(*parts: str | None) -> str:
    """The tokens of `parts` as stored for the index (space-separated)."""
    return " ".join(_document_tokens(parts))


def document_columns(
    name_parts: Sequence[str | None], body_parts: Sequence[str | None]
) -> tuple[str, str]:
    """An offer's `search_name` and `search_body`: the body also carries the heads
    of the compounds in both (see COMPOUND_HEADS) and their hyphenated words
    written as one (see `joined_tokens`)."""
    name, body = _document_tokens(name_parts), _document_tokens(body_parts)
    body = with_compound_heads(body, also=name)
    return " ".join(name), " ".join(with_joined_tokens(body, (*name_parts, *body_parts), also=name))


# A hyphenated word of a document ("Eltern-Café", "Mutter-Kind-Kur") is also
# indexed as written in one ("elterncafe"), appended to the body after its
# words (as the compound heads, so phrases keep their positions): a query that
# writes it as one word finds it. Letters only: "0-3" or a date stay apart.
# Queries do the reverse (`_query_term`): "Eltern-Café" also searches
# "Elterncafé". Changing this changes stored documents (see migration 0016).
_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")


def joined_tokens(parts: Iterable[str | None]) -> list[str]:
    """The tokens of the hyphenated words of `parts` written as one."""
    return [
        token
        for part in parts
        if part and "-" in part
        for word in _HYPHENATED.findall(part)
        for token in tokens(word.replace("-", ""))
    ]


def with_joined_tokens(
    words: list[str], parts: Iterable[str | None], also: Sequence[str] = ()
) -> list[str]:
    """`words` followed by the joined hyphenated words of `parts` that neither
    `words` nor `also` contain (each once)."""
    joined = joined_tokens(parts)
    if not joined:
        return words
    present = {*words, *also}
    return [*words, *(token for token in dict.fromkeys(joined) if token not in present)]


# Dictionary decompounding. German joins words: "Familienzentrum",
# "Erziehungsberatung", "Krabbelgruppe", "Schwimmkurs". Prefix matching finds a
# compound by its first part ("Familie" → famili*) but not by its head, which is
# what names the kind of offer. A document word ending in one of these heads
# (after at least MIN_MODIFIER letters of something else) therefore also
# indexes the head's own token, in the body (a head found inside a compound of
# the name weighs as a word of the description, below the same word in a name),
# appended after the body's words so that phrases keep their positions:
# "Zentrum" finds "Familienzentrum", "Beratung" finds "Schuldnerberatung".
# Queries are not decompounded. The list is ours and
# deliberately short: heads that name offers for families, none whose ending
# is common in other words (Eltern: "Umwelt"; Stelle: "Vorstellung"; Arbeit:
# "Zusammenarbeit"), and none the stemmer cuts to two letters ("Abend" → ab).
# Changing it changes stored documents: add a migration that applies
# `with_compound_heads` to the stored tokens (see migration 0008).
COMPOUND_HEADS: dict[str, tuple[str, ...]] = {
    # head word: other forms that end compounds
    "Ambulanz": (),
    "Arzt": ("Ärzte", "Ärztin"),
    "Ausflug": ("Ausflüge",),
    "Bad": (),
    "Begleitung": (),
    "Beratung": ("Beratungen",),
    "Betreuung": (),
    "Bibliothek": (),
    "Bildung": (),
    "Bücherei": (),
    "Büro": (),
    "Café": ("Cafe",),
    "Club": ("Klub",),
    "Dienst": ("Dienste",),
    "Erziehung": (),
    "Familie": ("Familien",),
    "Ferien": (),
    "Förderung": (),
    "Freizeit": ("Freizeiten",),
    "Frühstück": (),
    "Garten": ("Gärten",),
    "Geburt": (),
    "Gruppe": ("Gruppen",),
    "Gymnastik": (),
    "Haus": ("Häuser",),
    "Hebamme": ("Hebammen",),
    "Hilfe": ("Hilfen",),
    "Kind": ("Kinder",),
    "Kita": ("Kitas",),
    "Kurs": ("Kurse",),
    "Lotse": ("Lotsen", "Lotsin"),
    "Museum": (),
    "Netzwerk": (),
    "Patenschaft": ("Patenschaften",),
    "Pflege": (),
    "Platz": ("Plätze",),
    "Praxis": (),
    "Programm": (),
    "Projekt": ("Projekte",),
    "Schule": ("Schulen",),
    "Schutz": (),
    "Schwimmen": (),
    "Seminar": ("Seminare",),
    "Spiel": ("Spiele",),
    "Sport": (),
    "Sprache": ("Sprachen",),
    "Sprechstunde": ("Sprechstunden",),
    "Tanz": (),
    "Theater": (),
    "Therapie": (),
    "Training": (),
    "Treff": ("Treffs",),
    "Treffpunkt": (),
    "Turnen": (),
    "Unterricht": (),
    "Untersuchung": ("Untersuchungen",),
    "Verein": (),
    "Vorbereitung": (),
    "Vorsorge": (),
    "Werkstatt": ("Werkstätten",),
    "Zentrum": ("Zentren",),
}
MIN_MODIFIER = 3
# Words that end in a head without being about it.
NOT_COMPOUNDS_WORDS = ("Beispiel", "Diskurs", "Herausforderung", "Zielgruppe")


def _compound_tails() -> dict[str, str]:
    """Tail of a compound's token (as the stemmer leaves a head at the end of a
    longer word, which can differ from the head alone: "Ausbildung" → ausbild,
    "Bildung" → bildung) → the token a query for the head word searches."""
    modifier = "familien"
    tails: dict[str, str] = {}
    for head, forms in COMPOUND_HEADS.items():
        (token,) = tokens(head)
        for form in (head, *forms):
            (compound,) = tokens(modifier + form.lower())
            tail = compound[len(modifier) :]
            # a shorter tail would match unrelated words ("Abend" → ab, "Musik" → mus)
            assert compound.startswith(modifier) and len(tail) >= 3, (form, compound)
            tails[tail] = token
    return tails


_TAILS = _compound_tails()
NOT_COMPOUNDS = frozenset(token for word in NOT_COMPOUNDS_WORDS for token in tokens(word))
_TAIL_LENGTHS = sorted({len(tail) for tail in _TAILS}, reverse=True)


@functools.lru_cache(maxsize=65536)
def compound_head(token: str) -> str | None:
    """The head token a compound's token ends in (the longest listed), if any."""
    if token in NOT_COMPOUNDS:
        return None
    for length in _TAIL_LENGTHS:
        if len(token) - length >= MIN_MODIFIER:
            head = _TAILS.get(token[-length:])
            if head is not None:
                return head
    return None


def with_compound_heads(words: list[str], also: Sequence[str] = ()) -> list[str]:
    """`words` followed by the heads of the compounds among `also` and `words`
    that `words` does not contain as words of their own (each once)."""
    present = set(words)
    heads = dict.fromkeys(
        head for word in (*also, *words) if (head := compound_head(word)) and head not in present
    )
    return [*words, *heads]


# Words that name the same kind of offer, as families and professionals type
# them: a query word (or quoted phrase) that is one of a group also finds the
# others, each as it would find itself (prefixes, phrases). Only plain
# equivalents, no broader or narrower terms ("Kita" does not find the
# "Hort"). Queries only: changing the list needs no reindex. The guide tells
# the visitor which words it searched as well (`QueryTerm.also`).
SYNONYMS: tuple[tuple[str, ...], ...] = (
    (
        "Kita",
        "Kindertagesstätte",
        "Kindergarten",
        "Kindertageseinrichtung",
        "Tageseinrichtung für Kinder",
    ),
    ("Krippe", "Kinderkrippe"),
    ("Kindertagespflege", "Tagespflege", "Tagesmutter", "Tagesvater", "Tageseltern"),
    ("OGS", "Offene Ganztagsschule", "Offener Ganztag"),
    ("Jugendzentrum", "Jugendtreff", "Jugendhaus", "Jugendclub", "Jugendfreizeiteinrichtung"),
    ("Kinderarzt", "Kinderärztin", "Kinder- und Jugendarzt", "Kinderheilkunde", "Pädiatrie"),
    ("Hausaufgabenhilfe", "Hausaufgabenbetreuung", "Nachhilfe", "Lernförderung"),
    ("Schwangerschaftsberatung", "Schwangerenberatung"),
    ("Babyschwimmen", "Säuglingsschwimmen"),
    ("Hebamme", "Entbindungspfleger"),
    ("Schuldnerberatung", "Schuldenberatung"),
    ("Bücherei", "Bibliothek"),
    ("Förderschule", "Sonderschule"),
)


def _synonym_index() -> dict[tuple[str, ...], tuple[tuple[tuple[str, ...], str], ...]]:
    """Tokens of each listed word → (tokens, word) of every word of its group."""
    index = {}
    for group in SYNONYMS:
        members = tuple((tuple(tokens(word)), word) for word in group)
        for found, _ in members:
            assert found and found not in index, found  # each word in one group only
            index[found] = members
    return index


_SYNONYMS = _synonym_index()
# token → word, of the synonyms that are one word
_SYNONYM_WORDS = {
    found[0]: word for members in _SYNONYMS.values() for found, word in members if len(found) == 1
}


@dataclass(frozen=True)
class QueryTerm:
    """One word, or a phrase of several adjacent words, of a search query; it
    matches where its tokens or any of its alternatives do (synonyms, and a
    hyphenated word written as one)."""

    tokens: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()
    also: tuple[str, ...] = ()  # the words of the synonyms searched as well

    @property
    def variants(self) -> tuple[tuple[str, ...], ...]:
        return (self.tokens, *self.alternatives)

    def _prefix(self, token: str) -> bool:
        return len(token) >= MIN_PREFIX

    def fts5(self) -> str:
        phrases = [
            " + ".join(f'"{t}"' + ("*" if self._prefix(t) else "") for t in variant)
            for variant in self.variants
        ]
        return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"

    def tsquery(self, weights: str = "") -> str:
        def lexeme(token: str) -> str:
            label = ("*" if self._prefix(token) else "") + weights
            return f"'{token}'" + (":" + label if label else "")

        def phrase(variant: tuple[str, ...]) -> str:
            parts = [lexeme(t) for t in variant]
            return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"

        phrases = [phrase(variant) for variant in self.variants]
        return phrases[0] if len(phrases) == 1 else "(" + " | ".join(phrases) + ")"


_HYPHEN_IN_WORD = re.compile(r"(?<=\w)-(?=\w)")


def _query_term(text: str, *, quoted: bool) -> QueryTerm | None:
    """The term of one query word or quoted phrase, with its alternatives."""
    found = tuple(tokens(text))
    if not found:
        return None
    alternatives: list[tuple[str, ...]] = []
    also: list[str] = []
    for other, word in _SYNONYMS.get(found, ()):
        if other != found and other not in alternatives:
            alternatives.append(other)
            also.append(word)
    if not quoted and len(found) > 1 and _HYPHEN_IN_WORD.search(text):
        # "Eltern-Café" also as "Elterncafé" (documents do the reverse: `joined_tokens`)
        joined = tuple(tokens(_HYPHEN_IN_WORD.sub("", text)))
        if joined != found and joined not in alternatives:
            alternatives.append(joined)
    return QueryTerm(found, tuple(alternatives), tuple(also))


def parse_query(text: str) -> list[QueryTerm]:
    """Split a query into terms: quoted phrases and hyphenated words become phrases,
    everything else single words; each with the alternatives it matches as well
    (`SYNONYMS`; a hyphenated word also as one word). Stop words and punctuation
    vanish; a query of nothing but those has no terms (and then matches every
    offer)."""
    terms: list[QueryTerm] = []
    for match in _QUERY_PART.finditer(text or ""):
        phrase, word = match.groups()
        term = _query_term(phrase if phrase is not None else word, quoted=phrase is not None)
        if term is not None and term not in terms:
            terms.append(term)
    return terms


def _term_hits(term: QueryTerm, words: Sequence[str]) -> int:
    """How often `term` occurs in the token list: each of its tokens equal to the
    word or, from MIN_PREFIX letters on, a prefix of it; a phrase's words
    adjacent; any of its variants."""

    def same(token: str, word: str) -> bool:
        return word == token or (term._prefix(token) and word.startswith(token))

    return sum(
        1
        for variant in term.variants
        for start in range(len(words) - len(variant) + 1)
        if all(same(token, words[start + i]) for i, token in enumerate(variant))
    )


def text_score(terms: Sequence[QueryTerm], fields: Sequence[tuple[str | None, int]]) -> int:
    """The search's matching for a few texts kept outside the offer index (e.g. the
    learning network's practice examples): folded, stemmed, stop words dropped,
    prefixes and phrases as in `search_services`. Every term must occur in one of
    the (text, weight) fields; the score sums the weights of all hits, 0 = no match.
    No terms (an empty query) match everything with score 1."""
    if not terms:
        return 1
    analysed = [
        (with_joined_tokens(with_compound_heads(tokens(text or "")), [text]), weight)
        for text, weight in fields
    ]
    score = 0
    for term in terms:
        hits = sum(_term_hits(term, words) * weight for words, weight in analysed)
        if not hits:
            return 0
        score += hits
    return score


# ---------------------------------------------------------------------------
# Typo tolerance: a query that finds nothing, with its misspelt words corrected
# ---------------------------------------------------------------------------

# A word's token is corrected only from CORRECTION_MIN_LENGTH letters on, by at
# most one edit (insertion, deletion, substitution or the transposition of two
# neighbours: "Kitta", "Hebmame"), from CORRECTION_TWO_EDITS letters on by two
# ("Strassenfusbal"). Shorter words have too many neighbours ("Kurz" → kurs,
# "Hort" → ort).
CORRECTION_MIN_LENGTH = 5
CORRECTION_TWO_EDITS = 8
# The engines' vocabulary: SQLite's of the whole index (fts5vocab), PostgreSQL's
# of the scope (ts_stat). Only the name and body columns, never filter tokens.
_VOCABULARY_SQLITE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{FTS_TABLE}_words "
    f"USING fts5vocab(main, {FTS_TABLE}, 'col')"
)
_WORDS_SQLITE = (
    f"SELECT term, sum(doc) FROM temp.{FTS_TABLE}_words "
    "WHERE col IN ('search_name', 'search_body') GROUP BY term"
)
_WORDS_POSTGRES = "SELECT word, ndoc FROM ts_stat(%s, 'AD')"


@dataclass(frozen=True)
class Correction:
    """A query word that matched no indexed word (`typed`) and the indexed
    token searched instead (`token`)."""

    typed: str
    token: str


def _vocabulary(scope_groups: list[list[str]]) -> dict[str, int]:
    """Indexed token → number of offers with it (on SQLite over the whole index,
    on PostgreSQL over the scope); words of fewer than MIN_PREFIX letters and
    numbers left out."""
    from kette.directory.models import Service

    connection = connections[Service.objects.db]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(_VOCABULARY_SQLITE)
            cursor.execute(_WORDS_SQLITE)
        else:
            # filter tokens are letters and digits only: safe inside $$…$$
            scope = _tsquery([], scope_groups)
            cursor.execute(
                _WORDS_POSTGRES,
                [
                    "SELECT search_vector FROM directory_service "
                    f"WHERE search_vector @@ to_tsquery('simple', $${scope}$$)"
                ],
            )
        return {
            word: int(count)
            for word, count in cursor.fetchall()
            if len(word) >= MIN_PREFIX and not word.isdigit()
        }


# A misspelt ending keeps the stemmer from taking it off ("Beratnug" stays
# beratnug where "Beratung" is berat): an indexed word that the typed token
# begins with, give or take its edits, is taken when at most SUFFIX_LETTERS
# letters of the token are left over.
SUFFIX_LETTERS = 3


class _Vocabulary:
    """The indexed words with their number of offers, sorted, and by length."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.words = sorted(counts)
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for word in self.words:
            self.by_length[len(word)].append(word)

    def known(self, token: str) -> bool:
        """Whether `token` matches an indexed word as a query word does: whole, or
        (from MIN_PREFIX letters) as its prefix."""
        at = bisect.bisect_left(self.words, token)
        if at == len(self.words):
            return False
        found = self.words[at]
        return found == token or (len(token) >= MIN_PREFIX and found.startswith(token))

    def nearest(self, token: str) -> str | None:
        """The indexed word nearest to `token` within the edits its length allows
        (fewest edits, then the most offers, then alphabetical); else the longest
        that the token begins with, give or take those edits, but for a misspelt
        ending (`SUFFIX_LETTERS`). None without either."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        def edits(length: int) -> int:
            return 2 if length >= CORRECTION_TWO_EDITS else 1

        found = process.extract(
            token, self.words, scorer=OSA.distance, score_cutoff=edits(len(token)), limit=None
        )
        if (best := self._best(found)) is not None:
            return best
        for length in range(len(token) - 1, len(token) - SUFFIX_LETTERS - 1, -1):
            if length < CORRECTION_MIN_LENGTH:
                break
            head = token[:length]
            found = process.extract(
                head,
                self.by_length.get(length, []),
                scorer=OSA.distance,
                score_cutoff=edits(length),
                limit=None,
            )
            if (best := self._best(found)) is not None:
                return best
        return None

    def _best(self, found: list[tuple[str, float, int]]) -> str | None:
        for word, _distance, _index in sorted(
            found, key=lambda hit: (hit[1], -self.counts[hit[0]], hit[0])
        ):
            # searched as a query word, it must come out as itself (a stem
            # stemmed again may not)
            if tokens(word) == [word]:
                return str(word)
        return None


def surface_word(token: str, texts: Iterable[str | None]) -> str:
    """The word of `texts` most often written there whose token is `token`
    ("Schwimmkurs" for schwimmkurs), else the synonym of `SYNONYMS` with that token, to show a
    correction; the token itself without either."""
    seen = Counter(
        word for text in texts for word in _WORD.findall(text or "") if tokens(word) == [token]
    )
    if seen:  # the most frequent form ("Beratung" rather than "beraten")
        return seen.most_common(1)[0][0]
    return _SYNONYM_WORDS.get(token, token)


def corrected_query(
    query: str,
    *,
    municipality: Municipality | None = None,
    programme: Programme | None = None,
    statuses: Sequence[str] = ("published",),
) -> tuple[str, list[Correction]] | None:
    """`query` with each word that matches no indexed word replaced by the nearest
    one ("Schwimkurs" → schwimmkurs), and what was replaced; None when every word
    is known or none has a near neighbour (see `correct_query`). For a search
    that found nothing: whether the corrected query finds anything is the
    caller's question."""
    scope_groups = _scope_groups(
        municipality=municipality, programme=programme, statuses=list(statuses) or ["none"]
    )
    # the synonyms' words too: "Bücherrei" finds the libraries as "Bücherei"
    # does, even where none is called a Bücherei
    return correct_query(
        query, lambda: dict.fromkeys(_SYNONYM_WORDS, 0) | _vocabulary(scope_groups)
    )


def correct_query(
    query: str, vocabulary_of: Callable[[], dict[str, int]]
) -> tuple[str, list[Correction]] | None:
    """`query` with each word that matches no word of the vocabulary (token →
    how many documents have it, read by `vocabulary_of` once, and only for a
    query with a word to check) replaced by the nearest one, and what was
    replaced; None when every word is known or none has a near neighbour.
    Quoted phrases, hyphenated words and short words stay as typed."""
    vocabulary: _Vocabulary | None = None
    pieces, corrections, last = [], [], 0
    for match in _QUERY_PART.finditer(query or ""):
        word = match.group(2)
        if word is None or "-" in word:
            continue
        found = tokens(word)
        if len(found) != 1 or len(found[0]) < CORRECTION_MIN_LENGTH or found[0].isdigit():
            continue
        if vocabulary is None:
            vocabulary = _Vocabulary(vocabulary_of())
        if vocabulary.known(found[0]):
            continue
        nearest = vocabulary.nearest(found[0])
        if nearest is None:
            continue
        pieces += [query[last : match.start(2)], nearest]
        last = match.end(2)
        corrections.append(Correction(word, nearest))
    if not corrections:
        return None
    return "".join([*pieces, query[last:]]), corrections


def shown_correction(query: str, corrections: Iterable[tuple[str, str]]) -> str:
    """`query` as typed with each corrected word replaced by the word shown for
    it ((typed, shown) pairs, the shown words as the texts write them)."""
    for typed, word in corrections:
        query = query.replace(typed, word, 1)
    return query


def text_vocabulary(texts: Iterable[Iterable[str | None]]) -> dict[str, int]:
    """A vocabulary for `correct_query` from documents given as their texts:
    token → number of documents with it (words of fewer than MIN_PREFIX letters
    and numbers left out, as from the index)."""
    counts: Counter[str] = Counter()
    for document in texts:
        counts.update(
            {
                token
                for text in document
                for token in tokens(text or "")
                if len(token) >= MIN_PREFIX and not token.isdigit()
            }
        )
    return dict(counts)


# ---------------------------------------------------------------------------
# Index DDL (SQLite); PostgreSQL's column and index are created in a migration.
# ---------------------------------------------------------------------------

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "search_name, search_body, search_filters, "
    "content='directory_service', content_rowid='id')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON directory_service BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_name, search_body, search_filters) "
    "VALUES (new.id, new.search_name, new.search_body, new.search_filters); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON directory_service BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_name, search_body, search_filters) "
    "VALUES ('delete', old.id, old.search_name, old.search_body, old.search_filters); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au "
    "AFTER UPDATE OF search_name, search_body, search_filters ON directory_service BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_name, search_body, search_filters) "
    "VALUES ('delete', old.id, old.search_name, old.search_body, old.search_filters); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_name, search_body, search_filters) "
    "VALUES (new.id, new.search_name, new.search_body, new.search_filters); END",
]
_TRIGGERS = {f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au"}


def ensure_index(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: on SQLite, recreate the FTS table and its triggers when a table
    rebuild dropped them, and rebuild the index from the offers in that case."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, type FROM sqlite_master WHERE name = 'directory_service' "
            f"OR name = '{FTS_TABLE}' OR type = 'trigger'"
        )
        present = {name for name, _ in cursor.fetchall()}
        if "directory_service" not in present:
            return  # not migrated (yet)
        if FTS_TABLE in present and present >= _TRIGGERS:
            return
        for statement in SQLITE_CREATE:
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


# ---------------------------------------------------------------------------
# The search selector
# ---------------------------------------------------------------------------

# Prefix of a ServiceFacet key -> name of the facet in results.
FACETS = {
    "lp": "life_phase",
    "fa": "field_of_action",
    "d": "district",
    "la": "language",
    "ac": "accessibility",
    "wd": "weekday",
    "free": "free_of_charge",
}
# Age filter tokens: one per year of life an offer serves, -1 for the pregnancy,
# AGE_OPEN_YEAR for that year and older; offers without ages get "age:any".
AGE_OPEN_YEAR = 27


def facet_key(dimension: str, value: Any = None) -> str:
    """The ServiceFacet key of a filter value: facet_key("fa", "bildung") == "fa:bildung"."""
    return dimension if value is None else f"{dimension}:{value}"


@functools.lru_cache(maxsize=65536)  # keys recur across offers (scope, ages, terms)
def filter_token(key: str) -> str:
    """The index token of a filter key ("st:published", "fa:bildung", …): letters and
    digits only, so both engines' tokenizers keep it whole, and unlike any word."""
    return "z" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:15]


def filter_text(keys: Iterable[str]) -> str:
    """The `search_filters` column: the filter tokens of an offer."""
    return " ".join(sorted(filter_token(key) for key in keys))


def _age_year(months: int) -> int:
    return -1 if months < 0 else min(months // 12, AGE_OPEN_YEAR)


def age_keys(min_age_months: int | None, max_age_months: int | None) -> list[str]:
    """The age filter keys of an offer serving [min, max) months."""
    if min_age_months is None and max_age_months is None:
        return ["age:any"]
    first = _age_year(min_age_months) if min_age_months is not None else -1
    last = _age_year(max_age_months - 1) if max_age_months is not None else AGE_OPEN_YEAR
    return [f"age:{year}" for year in range(first, last + 1)]


def scope_keys(*, municipality_id: int, programme_id: int, status: str) -> list[str]:
    """The scope keys of an offer: its status alone and together with its
    municipality and with its programme, so that every scope a search can have
    (`_scope_groups`) is one token per status rather than an AND of two."""
    return [f"st:{status}", f"ms:{municipality_id}:{status}", f"ps:{programme_id}:{status}"]


ORDER_RELEVANCE = "relevance"
ORDER_NAME = "name"
ORDER_DISTRICT = "district"
ORDER_DISTANCE = "distance"
ORDERS = (ORDER_RELEVANCE, ORDER_NAME, ORDER_DISTRICT, ORDER_DISTANCE)


# Sort keys of the non-relevance orders: correlated subqueries over the offer's
# places (`s` is the offer). NULL (no such place) sorts last.
# District names folded in SQL as `sort_key` folds (umlauts as ae, oe, ue, ß as
# ss, case), so that "Ückerath" sorts among the U on both databases without a
# Python collation per comparison (`core.collation`), which a broad result of
# 100,000 offers could not afford.
def _folded_sql(column: str) -> str:
    """SQL folding `column` as `sort_key` folds umlauts, ß and case (both databases)."""
    for letter, folded in (
        ("ä", "ae"),
        ("ö", "oe"),
        ("ü", "ue"),
        ("Ä", "ae"),
        ("Ö", "oe"),
        ("Ü", "ue"),
        ("ß", "ss"),
    ):
        column = f"REPLACE({column}, '{letter}', '{folded}')"
    return f"LOWER({column})"


_DISTRICT_KEY = (
    f"(SELECT MIN({_folded_sql('d.name')}) FROM directory_serviceatlocation sal "
    "JOIN directory_location l ON l.id = sal.location_id "
    "JOIN core_district d ON d.id = l.district_id WHERE sal.service_id = s.id)"
)
_DISTANCE_KEY = (
    "(SELECT MIN((l.latitude - %s) * (l.latitude - %s) + "
    "(l.longitude - %s) * (l.longitude - %s) * %s) "
    "FROM directory_serviceatlocation sal JOIN directory_location l "
    "ON l.id = sal.location_id WHERE sal.service_id = s.id "
    "AND l.latitude IS NOT NULL AND l.longitude IS NOT NULL)"
)


def _order_key(order: str, near: tuple[float, float] | None) -> tuple[str, list[Any]]:
    """SQL sort key (with its parameters) of a non-relevance order."""
    if order == ORDER_DISTRICT:
        return _DISTRICT_KEY, []
    if order == ORDER_DISTANCE:
        if near is None:
            raise ValueError("order='distance' needs near=(latitude, longitude)")
        latitude, longitude = float(near[0]), float(near[1])
        scale = math.cos(math.radians(latitude)) ** 2
        return _DISTANCE_KEY, [latitude, latitude, longitude, longitude, scale]
    return "NULL", []


@dataclass
class SearchResult:
    services: list[Any]
    total: int
    page: int
    per_page: int
    terms: list[QueryTerm]
    # facet name -> value -> number of matching offers with that value
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # (word as typed, word searched instead) when misspelt words were corrected
    # (see `corrected_query`; the guide does that for a query that found nothing)
    corrections: list[tuple[str, str]] = field(default_factory=list)
    corrected_query: str = ""  # the query as searched then, with the words as shown

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def also_searched(self) -> list[str]:
        """The synonyms searched besides the query's own words (`SYNONYMS`)."""
        return [word for term in self.terms for word in term.also]


def _age_filter_year(age_years: int | Decimal | float | str) -> int:
    """The year of life of a child's age in years ("1,5" is in year 1; negative
    ages are the pregnancy)."""
    value = Decimal(str(age_years).replace(",", "."))
    if value < 0:
        return -1
    return min(int(value), AGE_OPEN_YEAR)


def _scope_groups(
    *,
    municipality: Municipality | None,
    programme: Programme | None,
    statuses: Sequence[str],
) -> list[list[str]]:
    """The scope (statuses, municipality or programme) as one filter group: a
    combined token per status (see `scope_keys`). Every phrase of a MATCH costs
    a walk of its doclist for bm25() and a seek per match, and a scope's tokens
    occur in all of its offers."""
    if municipality is not None:
        return [[f"ms:{municipality.pk}:{status}" for status in statuses]]
    if programme is not None:
        return [[f"ps:{programme.pk}:{status}" for status in statuses]]
    return [[f"st:{status}" for status in statuses]]


def _key_groups(age_years: int | Decimal | float | str | None, keys: list[str]) -> list[list[str]]:
    """The visitor's filters (age, facet keys) as filter groups."""
    groups = []
    if age_years not in (None, ""):
        groups.append([f"age:{_age_filter_year(age_years)}", "age:any"])  # type: ignore[arg-type]
    groups.extend([key] for key in keys)
    return groups


def _filter_groups(
    *,
    municipality: Municipality | None,
    programme: Programme | None,
    statuses: Sequence[str],
    age_years: int | Decimal | float | str | None,
    keys: list[str],
) -> list[list[str]]:
    """Filters as groups of keys: keys within a group are alternatives (OR), the
    groups must all hold (AND)."""
    return [
        *_scope_groups(municipality=municipality, programme=programme, statuses=statuses),
        *_key_groups(age_years, keys),
    ]


def _fts5_expression(terms: list[QueryTerm], groups: list[list[str]]) -> str:
    parts = []
    if terms:
        text = " AND ".join(term.fts5() for term in terms)
        parts.append("{search_name search_body} : (" + text + ")")
    for group in groups:
        parts.append("(" + " OR ".join(f'"{filter_token(key)}"' for key in group) + ")")
    return " AND ".join(parts)


def _tsquery(terms: list[QueryTerm], groups: list[list[str]]) -> str:
    parts = [term.tsquery(weights="AD") for term in terms]
    for group in groups:
        parts.append("(" + " | ".join(f"'{filter_token(key)}'" for key in group) + ")")
    return " & ".join(parts)


def _matching_sql(vendor: str) -> str:
    """SQL selecting the ids of the offers matching one expression parameter."""
    if vendor == "sqlite":
        return f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
    return "SELECT s.id FROM directory_service s WHERE s.search_vector @@ to_tsquery('simple', %s)"


def matching_ids_sql(
    *,
    query: str,
    municipality: Municipality | None = None,
    programme: Programme | None = None,
    statuses: Sequence[str] = ("published",),
) -> tuple[str, list[Any]]:
    """SQL (with its parameters) selecting the ids of the offers that the search
    `query` finds in the scope, for `Service.objects.filter(pk__in=RawSQL(…))`
    where further conditions combine with the search (the HSDS API)."""
    from kette.directory.models import Service

    vendor = connections[Service.objects.db].vendor
    groups = _filter_groups(
        municipality=municipality,
        programme=programme,
        statuses=list(statuses) or ["none"],
        age_years=None,
        keys=[],
    )
    terms = parse_query(query)
    expression = _fts5_expression(terms, groups) if vendor == "sqlite" else _tsquery(terms, groups)
    return _matching_sql(vendor), [expression]


_RANKED_PAGE_SQL = (
    f"SELECT rowid, bm25({FTS_TABLE}, {NAME_WEIGHT}, {BODY_WEIGHT}, 0.0) AS rank "
    f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rank, rowid LIMIT %s OFFSET %s"
)
_COUNT_SQL = f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
# Counts up to a limit: whether a condition matches more than so many offers.
_COUNT_UPTO_SQL = (
    f"SELECT COUNT(*) FROM (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s)"
)
# All matching ids as one string: much cheaper to read than a row per id.
_IDS_SQL = f"SELECT group_concat(rowid) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"


def _ids(joined: str | None) -> Any:
    """Ids sent as one comma-separated string (`group_concat`, `string_agg`), as a
    numpy array: much cheaper to send and read than a row per id."""
    return np.fromstring(joined or "", dtype=np.int64, sep=",")


# Per process: the scopes for which the last relevance search found that the
# scope takes matches away from the words (see `_sqlite_relevance`). Only a
# guess of which way is cheaper; results never depend on it.
_scope_narrows: dict[tuple[str, ...], bool] = {}
_SCOPE_MEMORY = 4096


def _sqlite_relevance(
    cursor: Any,
    terms: list[QueryTerm],
    scope_groups: list[list[str]],
    key_groups: list[list[str]],
    *,
    page: int,
    per_page: int,
    with_facets: bool,
) -> tuple[list[tuple[int, float]], int, Any]:
    """A page of the offers matching words and filters by relevance on SQLite,
    their total and (with facets) every matching id as a numpy array.

    bm25() walks the whole doclist of every phrase of its MATCH expression once
    per query to weigh it (its IDF), even the filter tokens of weight 0, which
    add nothing to any score. A scope token occurs in every offer of the
    municipality, so its walk costs more than ranking a small match set. So
    the match set comes from an unranked MATCH of the whole condition, and the
    page is ranked by the words and the visitor's filters alone (the "word
    ranking": same scores as with the scope, which only drops offers) when
    that provably gives the same page:

    - when the scope did not narrow the last search in it: the word ranking's
      first `page * per_page` offers are all in the match set, hence are its
      first ones too, in the same order. Otherwise the scope narrows (now
      remembered) and:
    - when the words and filters alone match exactly as many offers as the
      whole condition (counted up to one more): the same offers. Otherwise
      the whole condition ranks the page.

    All ids read as one string and parsed by numpy cost half as much as a row
    per id (50,000 ids: 7 ms against 16 ms)."""
    expression = _fts5_expression(terms, scope_groups + key_groups)
    words = _fts5_expression(terms, key_groups)
    scope = (cursor.db.alias, *(token for group in scope_groups for token in group))
    narrows = _scope_narrows.get(scope, False)
    matched = None
    if with_facets or not narrows:
        cursor.execute(_IDS_SQL, [expression])
        matched = _ids(cursor.fetchone()[0])
        if len(matched) > 1 and not (matched[1:] > matched[:-1]).all():
            matched.sort()  # FTS5 scans in rowid order; never needed so far
        total = len(matched)
    else:
        cursor.execute(_COUNT_SQL, [expression])
        total = int(cursor.fetchone()[0])
    offset = (page - 1) * per_page
    if total <= offset:
        return [], total, matched
    if not narrows:
        cursor.execute(_RANKED_PAGE_SQL, [words, offset + per_page, 0])
        head = cursor.fetchall()
        ids = np.fromiter((row[0] for row in head), dtype=np.int64, count=len(head))
        at = np.minimum(np.searchsorted(matched, ids), total - 1)
        if (matched[at] == ids).all():
            return head[offset:], total, matched
        narrows = True
    else:
        cursor.execute(_COUNT_UPTO_SQL, [words, total + 1])
        narrows = int(cursor.fetchone()[0]) != total
    if len(_scope_narrows) >= _SCOPE_MEMORY:
        _scope_narrows.clear()
    _scope_narrows[scope] = narrows
    cursor.execute(_RANKED_PAGE_SQL, [expression if narrows else words, per_page, offset])
    return cursor.fetchall(), total, matched


# The name order on PostgreSQL: `sort_name` compared byte by byte, as SQLite
# does (a database's own collation may skip punctuation and spaces).
_SORT_NAME_PG = 's.sort_name COLLATE "C"'
# PostgreSQL (see `_postgres_matches`): offers in groups of 64 consecutive ids;
# per group the bitmap of its matching offers and, for a page, the group's best
# match by the page's order (best rank or first name), in one aggregate that
# PostgreSQL 15 runs in parallel workers. The groups also come sorted by that.
_RANK = (
    f"ts_rank('{{{BODY_WEIGHT / NAME_WEIGHT}, 0, 0, 1}}', s.search_vector, "
    "to_tsquery('simple', %s))"
)
_GROUPS_SQL = (
    "SELECT string_agg(g::text, ',' ORDER BY g), string_agg(b::text, ',' ORDER BY g), "
    "{ordered} FROM (SELECT s.id >> 6 AS g, "
    "bit_or(1::bigint << (s.id & 63)::int) AS b, {best} AS m FROM directory_service s "
    "WHERE s.search_vector @@ to_tsquery('simple', %s) GROUP BY 1) groups"
)
# by: (each group's best match, the groups in page order, a page of candidates)
_GROUP_ORDERS = {
    "rank": (
        f"max({_RANK})",
        "string_agg(g::text, ',' ORDER BY m DESC, g)",
        f"SELECT s.id, {_RANK} AS rank FROM directory_service s WHERE s.id = ANY(%s) "
        "ORDER BY rank DESC, s.id LIMIT %s OFFSET %s",
    ),
    "name": (
        f"min({_SORT_NAME_PG})",
        "string_agg(g::text, ',' ORDER BY m, g)",
        "SELECT s.id, 0 FROM directory_service s WHERE s.id = ANY(%s) "
        f"ORDER BY {_SORT_NAME_PG}, s.id LIMIT %s OFFSET %s",
    ),
    None: ("0", "NULL", ""),
}
# Memory for the one statement that finds the matches (its bitmap and groups;
# per process, parallel workers included): exact bitmaps for a million offers.
SEARCH_WORK_MEM = "64MB"
# Beyond this many groups (pages deeper than 25 of 20) the candidates would be
# too many to sort one by one: the page is then taken from all matches.
MAX_CANDIDATE_GROUPS = 500


class _Matches(NamedTuple):
    ids: Any  # every matching id, a sorted numpy array (its group: id >> 6)
    ordered: Any  # the groups with matches in the page's order (empty without one)


def _postgres_matches(
    cursor: Any, expression: str, *, by: str | None = None, words: str | None = None
) -> _Matches:
    """Every offer matching `expression` on PostgreSQL and, given an order
    `by` ("rank" of `words`, or "name"), the groups of 64 ids (id >> 6) in the
    order of their best match by it (ties: lower group first).

    The floor, a bare ranked query, runs in parallel workers that each keep
    only their best rows. Counting the matches and reading their ids needs
    every match; an aggregate that lists them (`string_agg`, `array_agg`) runs
    in a single process on PostgreSQL 15, which made broad words twice as slow
    as the floor. So one aggregate that parallel workers share gives, per group
    of 64 consecutive ids, the bitmap of the matches (`bit_or`) and their best
    rank (`max`) or first name (`min`): thousands of groups instead of hundreds
    of thousands of rows."""
    best, ordered, _page = _GROUP_ORDERS[by]
    # The planner takes the number of groups for 40% of the rows (an estimate
    # from a sample, also with expression statistics on id >> 6), so it sorts
    # the matching rows, search vectors and all, spilling to disk, instead of
    # hashing a few thousand groups: sorting is off for this one statement
    # (1,000,000 offers, "Familie": 3.6-4.0 s sorted, 2.1-2.2 s hashed). And
    # with the default work_mem (4 MB) the bitmap of a broad match goes lossy:
    # every row of a lossy page is checked again, reading its search vector
    # from TOAST ("age 2 + free", 183,000 of a million: 3.4 s scanning every
    # vector, 2.2 s lossy, 1.1 s exact with SEARCH_WORK_MEM).
    with transaction.atomic(using=cursor.db.alias):
        cursor.execute(
            "SELECT current_setting('enable_sort'), current_setting('work_mem'), "
            "set_config('enable_sort', 'off', true), set_config('work_mem', %s, true)",
            [SEARCH_WORK_MEM],
        )
        previous_sort, previous_work_mem = cursor.fetchone()[:2]
        cursor.execute(
            _GROUPS_SQL.format(best=best, ordered=ordered),
            [words, expression] if by == "rank" else [expression],
        )
        groups_text, bits_text, ordered_text = cursor.fetchone()
        cursor.execute(
            "SELECT set_config('enable_sort', %s, true), set_config('work_mem', %s, true)",
            [previous_sort, previous_work_mem],
        )
    groups = _ids(groups_text)
    if not len(groups):
        return _Matches(groups, groups)
    bits = np.fromstring(bits_text, dtype=np.int64, sep=",").view(np.uint64)
    matrix = np.unpackbits(bits.astype("<u8").view(np.uint8), bitorder="little")
    rows, columns = np.nonzero(matrix.reshape(len(groups), 64))
    return _Matches(groups[rows] * 64 + columns, _ids(ordered_text))


def _postgres_page(
    cursor: Any,
    expression: str,
    *,
    by: str,
    words: str | None = None,
    page: int,
    per_page: int,
) -> tuple[list[tuple[int, float]] | None, int, Any]:
    """A page of the offers matching `expression` on PostgreSQL by the rank of
    `words` or by name (`by`), their total and every matching id as a sorted
    numpy array; the page is None when it is deeper than
    `MAX_CANDIDATE_GROUPS` allows.

    The ids and the groups in page order come from `_postgres_matches`. The
    page's offers lie in the first `offset + per_page` groups: each of those
    groups holds a match at least as good (rank at least as high, name not
    later) as anything outside them, ahead on a tie by its lower id. Only their
    matches are sorted again, by primary key."""
    matched = _postgres_matches(cursor, expression, by=by, words=words)
    total = len(matched.ids)
    offset = (page - 1) * per_page
    if offset >= total:
        return [], total, matched.ids
    wanted = offset + per_page
    if wanted > MAX_CANDIDATE_GROUPS:
        return None, total, matched.ids
    candidates = matched.ids[np.isin(matched.ids >> 6, matched.ordered[:wanted])]
    params = [candidates.tolist(), per_page, offset]
    cursor.execute(_GROUP_ORDERS[by][2], [words, *params] if by == "rank" else params)
    rows = [(int(pk), float(rank)) for pk, rank in cursor.fetchall()]
    return rows, total, matched.ids


class _PageLoader:
    """The offers of a result page with their organisations, as
    `Service.objects.select_related("organization").in_bulk(ids)` gives them,
    from SQL and converters prepared once per database. Building and compiling
    that queryset and running Django's row iterator for every search cost
    half of the loading time (SQLite, 20 offers: 1.46 ms against 0.72 ms).
    The test suite checks that both give the same rows."""

    def __init__(self, connection: Any) -> None:
        from django.db.models.expressions import Col

        from kette.directory.models import Organization, Service

        quote = connection.ops.quote_name
        self.service_fields = [f.attname for f in Service._meta.concrete_fields]
        self.organization_fields = [f.attname for f in Organization._meta.concrete_fields]
        columns: list[str] = []
        # (position in the row, column, converters) of columns that need converting
        self.converters: list[tuple[int, Col, list[Any]]] = []
        for alias, model in (("s", Service), ("o", Organization)):
            for model_field in model._meta.concrete_fields:
                column = Col(alias, model_field)
                # as the compiler takes them: the backend's, then the field's
                found = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if found:
                    self.converters.append((len(columns), column, found))
                columns.append(f"{alias}.{quote(model_field.column)}")
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {quote(Service._meta.db_table)} s "
            f"JOIN {quote(Organization._meta.db_table)} o ON o.id = s.organization_id "
            "WHERE s.id IN ({})"
        )

    def load(self, connection: Any, ids: Sequence[int]) -> dict[int, Any]:
        from kette.directory.models import Organization, Service

        if not ids:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(self.sql.format(", ".join(["%s"] * len(ids))), list(ids))
            rows = cursor.fetchall()
        split = len(self.service_fields)
        found = {}
        for row in rows:
            values = list(row)
            for i, column, converters in self.converters:
                for convert in converters:
                    values[i] = convert(values[i], column, connection)
            service = Service.from_db(connection.alias, self.service_fields, values[:split])
            service.organization = Organization.from_db(
                connection.alias, self.organization_fields, values[split:]
            )
            found[service.pk] = service
        return found


_page_loaders: dict[str, _PageLoader] = {}


def load_page(ids: Sequence[int], *, using: str = "default") -> dict[int, Any]:
    """Offer id -> offer (with its organisation) for the offers `ids`."""
    connection = connections[using]
    loader = _page_loaders.get(using)
    if loader is None:
        loader = _page_loaders[using] = _PageLoader(connection)
    return loader.load(connection, ids)


def search_services(
    *,
    query: str = "",
    municipality: Municipality | None = None,
    programme: Programme | None = None,
    statuses: Sequence[str] = ("published",),
    age_years: int | Decimal | float | str | None = None,
    life_phase: str | None = None,
    field_of_action: str | None = None,
    district: int | None = None,
    language: str | None = None,
    free_of_charge: bool = False,
    accessibility: Iterable[str] = (),
    weekday: int | None = None,
    page: int = 1,
    per_page: int = 20,
    with_facets: bool = True,
    order: str = ORDER_RELEVANCE,
    near: tuple[float, float] | None = None,
    counts_only: bool = False,
) -> SearchResult:
    """Offers matching `query` and the filters, best first (by name without a
    query), one page of them, the total and (with `with_facets`) per filter value
    the number of matching offers that have it.

    Scope: one municipality, or every municipality of `programme`, or all.
    Filters combine with AND; `accessibility` requires every listed feature.
    `age_years` finds offers for a child in that year of life ("2" and "2,5":
    two-year-olds; negative: pregnancy). `life_phase`, `field_of_action` and
    `accessibility` take codes, `district` a District id, `language` an ISO 639
    code, `weekday` 1 (Monday) to 7. Only offers with a status in `statuses`
    are found (published by default).

    `order`: "relevance" (default; by name without query words), "name",
    "district" or "distance" (from `near`, a (latitude, longitude) pair).
    Offers sorted by name, district or distance carry `search_rank` 0.
    `counts_only`: the total and the facet counts, no page of offers.
    """
    from kette.directory import facets as facet_counts
    from kette.directory.models import Service

    connection = connections[Service.objects.db]
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; use one of {', '.join(ORDERS)}")
    terms = parse_query(query)
    page = max(1, int(page))
    per_page = min(MAX_PER_PAGE, max(1, int(per_page)))
    keys = []
    if life_phase:
        keys.append(facet_key("lp", life_phase))
    if field_of_action:
        keys.append(facet_key("fa", field_of_action))
    if district is not None:
        keys.append(facet_key("d", int(district)))
    if language:
        keys.append(facet_key("la", language))
    if free_of_charge:
        keys.append(facet_key("free"))
    keys.extend(facet_key("ac", code) for code in accessibility)
    if weekday is not None:
        keys.append(facet_key("wd", int(weekday)))
    statuses = list(statuses)
    if not statuses:
        return SearchResult(services=[], total=0, page=page, per_page=per_page, terms=terms)
    scope_groups = _scope_groups(municipality=municipality, programme=programme, statuses=statuses)
    key_groups = _key_groups(age_years, keys)
    groups = scope_groups + key_groups

    # Everything (text and filters) is one full-text condition, so the engine's
    # index does all the work: no join, no filtering outside the index.
    page_params: list[Any]
    grouped: tuple[str, str | None] | None = None  # PostgreSQL: see `_postgres_page`
    if connection.vendor == "sqlite":
        expression = _fts5_expression(terms, groups)
        matching = _matching_sql(connection.vendor)
        if order not in (ORDER_RELEVANCE, ORDER_NAME):
            key, key_params = _order_key(order, near)
            page_sql = (
                f"SELECT id, 0 FROM (SELECT s.id AS id, s.sort_name AS name, {key} AS sort_key "
                f"FROM directory_service s WHERE s.id IN ({matching})) hits "
                "ORDER BY sort_key IS NULL, sort_key, name, id LIMIT %s OFFSET %s"
            )
            page_params = [*key_params, expression]
        elif terms and order == ORDER_RELEVANCE:
            page_sql, page_params = "", []  # _sqlite_relevance below
        else:
            page_sql = (
                f"SELECT s.id, 0 FROM directory_service s WHERE s.id IN ({matching}) "
                "ORDER BY s.sort_name, s.id LIMIT %s OFFSET %s"
            )
            page_params = [expression]
    else:
        expression = _tsquery(terms, groups)
        if order not in (ORDER_RELEVANCE, ORDER_NAME):
            # The page alone; `_postgres_matches` counts and reads the ids.
            key, key_params = _order_key(order, near)
            page_sql = (
                f"SELECT id, 0 FROM (SELECT s.id AS id, {_SORT_NAME_PG} AS name, "
                f"{key} AS sort_key FROM directory_service s "
                "WHERE s.search_vector @@ to_tsquery('simple', %s)) hits "
                "ORDER BY sort_key IS NULL, sort_key, name, id LIMIT %s OFFSET %s"
            )
            page_params = [*key_params, expression]
        elif terms and order == ORDER_RELEVANCE:
            # `_postgres_page` counts, reads the ids and ranks the page, by the
            # words only: ts_rank of an AND with the filter tokens (weight 0)
            # would be 0 for every row. A page too deep for it is ranked from
            # every match.
            grouped = ("rank", _tsquery(terms, []))
            page_sql = (
                "SELECT array_agg(id ORDER BY rank DESC, id), "
                "array_agg(rank ORDER BY rank DESC, id) FROM (SELECT s.id AS id, "
                f"{_RANK} AS rank FROM directory_service s "
                "WHERE s.search_vector @@ to_tsquery('simple', %s) "
                "ORDER BY rank DESC, s.id LIMIT %s OFFSET %s) top"
            )
            page_params = [grouped[1], expression]
        else:
            # By name: `_postgres_page` too; a page too deep for it comes from here.
            grouped = ("name", None)
            page_sql = (
                "SELECT s.id, 0 FROM directory_service s "
                "WHERE s.search_vector @@ to_tsquery('simple', %s) "
                f"ORDER BY {_SORT_NAME_PG}, s.id LIMIT %s OFFSET %s"
            )
            page_params = [expression]

    with connection.cursor() as cursor:
        matched: Any = None  # every matching id (a sequence), when the facets need them
        if counts_only:
            if connection.vendor == "sqlite":
                cursor.execute(_IDS_SQL, [expression])
                matched = _ids(cursor.fetchone()[0])
            else:
                matched = _postgres_matches(cursor, expression).ids
            rows: list[Any] = []
            total = len(matched)
        elif connection.vendor == "sqlite" and not page_sql:
            rows, total, matched = _sqlite_relevance(
                cursor,
                terms,
                scope_groups,
                key_groups,
                page=page,
                per_page=per_page,
                with_facets=with_facets,
            )
        elif grouped is not None:  # PostgreSQL, by rank or name
            found, total, matched = _postgres_page(
                cursor, expression, by=grouped[0], words=grouped[1], page=page, per_page=per_page
            )
            if found is None:  # a deep page: taken from all matches
                cursor.execute(page_sql, [*page_params, per_page, (page - 1) * per_page])
                if grouped[0] == "rank":
                    page_ids, page_ranks = cursor.fetchone()
                    found = list(zip(page_ids or [], page_ranks or [], strict=True))
                else:
                    found = cursor.fetchall()
            rows = found
            if not with_facets:
                matched = None
        else:
            cursor.execute(page_sql, [*page_params, per_page, (page - 1) * per_page])
            rows = cursor.fetchall()
            if page == 1 and len(rows) < per_page:
                total = len(rows)
                matched = [row[0] for row in rows]
            elif connection.vendor != "sqlite":
                matched = _postgres_matches(cursor, expression).ids
                total = len(matched)
            elif with_facets:
                cursor.execute(_IDS_SQL, [expression])
                matched = _ids(cursor.fetchone()[0])
                total = len(matched)
            else:
                cursor.execute(_COUNT_SQL, [expression])
                total = int(cursor.fetchone()[0])
    facets: dict[str, dict[str, int]] = {}
    if with_facets and matched is not None and len(matched):
        if municipality is not None:
            scope = (connection.alias, "m", municipality.pk)
        elif programme is not None:
            scope = (connection.alias, "p", programme.pk)
        else:
            scope = (connection.alias, "all", 0)
        for key, count in facet_counts.count_facets(scope, matched).items():
            prefix, _, value = key.partition(":")
            name = FACETS.get(prefix)
            if name is not None:
                facets.setdefault(name, {})[value or "true"] = count

    ids = [row[0] for row in rows]
    by_id = load_page(ids, using=connection.alias)
    services = []
    for service_id, rank_value, *_ in rows:
        service = by_id[service_id]
        service.search_rank = rank_value
        services.append(service)
    return SearchResult(
        services=services,
        total=total,
        page=page,
        per_page=per_page,
        terms=terms,
        facets=facets,
    )
