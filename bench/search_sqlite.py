"""Full-text search of 100,000 generated offers on SQLite (DESIGN §6).

    .venv/bin/python bench/search_sqlite.py [--rows 100000] [--db PATH] [--reuse]

Generates realistic offers (German names and descriptions from word lists, ages,
fields of action, languages, districts, places with coordinates) into a fresh
SQLite file with bulk inserts; the search documents come from the directory's
own `search.document_text` and the FTS5 index is filled by the directory's own
triggers, so the index is the real one. Then, for ten typical queries, prints:

1. `search_services` beside a bare FTS5 `SELECT rowid … MATCH ? ORDER BY rank
   LIMIT 20` with the same terms (the floor; target ratio ≤ 1.5). Filter-only
   queries have no FTS floor; their baseline is a bare indexed facet lookup.
   The broad prefix (most rows match) is reported separately. kette, its
   floor and kette without facet counts are measured in turns (a, b, c, a, …).
2. The full guide page's server time (Django test client, HTML).
3. The first search with facets after an offer was edited (the facet index
   follows the recorded change) beside a rebuild of the facet index.
4. The guide's JSON over HTTP (gunicorn, one worker, on a free loopback port)
   beside Datasette's JSON full-text search over the same rows (target: kette
   at least 2× faster): Datasette as it comes (its facet suggestions on, all
   columns; it takes the 334 ms DESIGN §6 quotes for "Schwimmkurs"), and,
   stricter, stripped (`_nosuggest`, two columns) beside the guide without
   facet counts. Both with 20 rows and counts allowed 20 s. Datasette is a
   benchmark-only dependency:

       uv pip install --python .venv/bin/python -r bench/requirements.txt

   Without it, that part is skipped with this hint.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from common import Timing, measure, measure_alternating, side_by_side  # noqa: E402

ENV = {
    "DEBUG": "false",
    "KETTE_STATIC_COLLECTED": "false",
    "SECURE_SSL_REDIRECT": "false",
    "ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
    "SECRET_KEY": "benchmark-only-not-secret",
    "DJANGO_SETTINGS_MODULE": "kette.settings",
}

DISTRICTS = [
    ("Altstadt-Nord", 50.944, 6.955),
    ("Altstadt-Süd", 50.930, 6.950),
    ("Neustadt-Nord", 50.950, 6.940),
    ("Neustadt-Süd", 50.925, 6.935),
    ("Deutz", 50.935, 6.975),
    ("Ehrenfeld", 50.950, 6.915),
    ("Nippes", 50.965, 6.950),
    ("Mülheim", 50.965, 7.005),
    ("Kalk", 50.940, 7.000),
    ("Porz", 50.880, 7.060),
    ("Chorweiler", 51.025, 6.895),
    ("Lindenthal", 50.935, 6.915),
    ("Rodenkirchen", 50.895, 6.990),
    ("Sülz", 50.920, 6.920),
    ("Bayenthal", 50.910, 6.965),
    ("Bickendorf", 50.955, 6.895),
    ("Höhenberg", 50.945, 7.030),
    ("Zollstock", 50.905, 6.945),
    ("Longerich", 50.990, 6.915),
    ("Merheim", 50.945, 7.055),
]
KINDS = [
    ("Familienberatung", "beratung", 0, 216),
    ("Erziehungsberatung", "beratung", 0, 324),
    ("Schwangerenberatung", "fruehe-hilfen", -9, 12),
    ("Hebammensprechstunde", "gesundheit", -9, 12),
    ("Krabbelgruppe", "erziehung-familie", 6, 36),
    ("Eltern-Kind-Gruppe", "erziehung-familie", 0, 48),
    ("Familienzentrum", "erziehung-familie", 0, 120),
    ("Kita", "bildung", 12, 72),
    ("Sprachkurs", "sprache", 36, 216),
    ("Sprachförderung", "sprache", 24, 84),
    ("Hausaufgabenhilfe", "bildung", 72, 192),
    ("Lernförderung", "bildung", 72, 216),
    ("Kinderturnen", "bewegung", 24, 120),
    ("Schwimmkurs", "bewegung", 48, 144),
    ("Sportverein", "bewegung", 48, 216),
    ("Jugendzentrum", "freizeit", 120, 324),
    ("Offener Treff", "freizeit", 72, 216),
    ("Musikschule", "kultur", 36, 216),
    ("Theatergruppe", "kultur", 72, 216),
    ("Kinderschutzbund", "kinderschutz", 0, 216),
    ("Schuldnerberatung", "teilhabe-armut", None, None),
    ("Tafel", "teilhabe-armut", None, None),
    ("Berufsorientierung", "uebergang-beruf", 168, 324),
    ("Ausbildungsbegleitung", "uebergang-beruf", 192, 324),
]
NAME_SUFFIXES = [
    "Sonnenschein",
    "Regenbogen",
    "Kunterbunt",
    "am Park",
    "für Alle",
    "Miteinander",
    "Lichtblick",
    "Pusteblume",
    "Rappelkiste",
    "Brückenbauer",
]
SENTENCES = [
    "Wir beraten Eltern und Familien in allen Fragen der Erziehung.",
    "Das Angebot richtet sich an Kinder und Jugendliche aus dem Stadtteil.",
    "Gemeinsam spielen, singen und basteln wir mit den Kindern.",
    "Unsere Fachkräfte sprechen Deutsch, Türkisch und Arabisch.",
    "Die Teilnahme ist kostenlos und ohne Anmeldung möglich.",
    "Bitte melden Sie sich vorher telefonisch an.",
    "Wir unterstützen Mütter und Väter im ersten Lebensjahr.",
    "Hilfe bei Hausaufgaben und Vorbereitung auf Prüfungen.",
    "Der Kurs findet wöchentlich in kleinen Gruppen statt.",
    "Ein offener Treffpunkt für die ganze Familie.",
    "Beratung zu Kindergeld, Elterngeld und Bildung und Teilhabe.",
    "Bewegung und Sport für Kinder ab dem Kindergartenalter.",
    "Wir begleiten Jugendliche beim Übergang von der Schule in den Beruf.",
    "Musik, Tanz und Theater für junge Menschen.",
    "Frühe Hilfen für Familien mit Babys und Kleinkindern.",
    "Sprachförderung für Kinder mit Deutsch als Zweitsprache.",
    "Unterstützung in schwierigen Lebenslagen und bei Krisen.",
    "Die Räume sind barrierefrei erreichbar.",
    "Ferienprogramm mit Ausflügen in die Umgebung.",
    "Elterncafé mit Kinderbetreuung jeden Vormittag.",
]
PROVIDERS = [
    "Caritasverband",
    "Diakonie",
    "Arbeiterwohlfahrt",
    "Deutsches Rotes Kreuz",
    "Paritätischer Wohlfahrtsverband",
    "Stadt Köln Jugendamt",
    "Kinderschutzbund",
    "SKF",
    "Sportbund",
    "Volkshochschule",
]
STREETS = ["Hauptstraße", "Lindenweg", "Bahnhofstraße", "Schulstraße", "Kirchplatz", "Ringstraße"]
LANGUAGES = ["de", "tr", "ar", "en", "ru", "pl", "uk", "fa"]
FEATURES = ["stufenlos", "rollstuhl-wc", "aufzug", "leichte-sprache", "wickelraum"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _setup(db: Path, fresh: bool) -> None:
    os.environ.update(ENV)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    if fresh and db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # also brings a reused database up to date


def generate(rows: int, seed: int = 20261125) -> None:
    """Bulk-insert `rows` published offers of one municipality."""
    from django.db import connection, transaction

    from kette.core.models import District, Municipality, Programme
    from kette.directory import search, services
    from kette.directory.models import (
        LifePhase,
        Location,
        Organization,
        Service,
        ServiceAtLocation,
        TaxonomyTerm,
    )

    rng = random.Random(seed)
    started = time.perf_counter()
    programme = Programme.objects.create(name="Benchmark-Programm", slug="bench")
    koeln = Municipality.objects.create(
        programme=programme, name="Köln", slug="koeln", kind="kreisfreie_stadt"
    )
    services.life_phases_ensure_defaults(koeln)
    phases = list(
        LifePhase.objects.for_municipality(koeln).values_list(
            "code", "min_age_months", "max_age_months"
        )
    )
    term_names = dict(TaxonomyTerm.objects.filter(municipality=None).values_list("code", "name"))
    doc = {}  # part -> document text (the directory's own function, cached per part)

    def text(part: str) -> str:
        if part not in doc:
            doc[part] = search.document_text(part)
        return doc[part]

    districts = [
        District.objects.create(municipality=koeln, code=str(i + 1), name=name)
        for i, (name, _, _) in enumerate(DISTRICTS)
    ]
    organizations = Organization.objects.bulk_create(
        Organization(
            municipality=koeln, name=f"{PROVIDERS[i % len(PROVIDERS)]} {DISTRICTS[i % 20][0]} {i}"
        )
        for i in range(2000)
    )
    locations = []
    for i in range(5000):
        d = i % len(DISTRICTS)
        name, lat, lon = DISTRICTS[d]
        locations.append(
            Location(
                municipality=koeln,
                name=f"Haus {NAME_SUFFIXES[i % len(NAME_SUFFIXES)]}",
                address_1=f"{STREETS[i % len(STREETS)]} {1 + i % 120}",
                postal_code=f"50{600 + d * 10 + i % 10}",
                city="Köln",
                latitude=round(lat + rng.uniform(-0.012, 0.012), 6),
                longitude=round(lon + rng.uniform(-0.018, 0.018), 6),
                district=districts[d],
            )
        )
    locations = Location.objects.bulk_create(locations)
    location_features = {loc.pk: rng.sample(FEATURES, rng.randint(0, 2)) for loc in locations}

    scope = search.scope_keys(
        municipality_id=koeln.pk, programme_id=programme.pk, status="published"
    )
    batch = 5000
    facet_rows = []
    with transaction.atomic():
        for start in range(0, rows, batch):
            chunk, extra = [], []
            for _ in range(start, min(rows, start + batch)):
                kind, field, low, high = KINDS[rng.randrange(len(KINDS))]
                location = locations[rng.randrange(len(locations))]
                district_name = DISTRICTS[(location.district_id - districts[0].pk) % 20][0]
                organization = organizations[rng.randrange(len(organizations))]
                name = f"{kind} {rng.choice(NAME_SUFFIXES)} {district_name}"
                sentences = rng.sample(SENTENCES, 3)
                description = " ".join(sentences)
                is_free = rng.random() < 0.4
                languages = ["de", *rng.sample(LANGUAGES[1:], rng.randint(0, 2))]
                weekdays = sorted(rng.sample(range(1, 8), rng.randint(1, 3)))
                location_text = " ".join(
                    [location.name, location.address_1, location.postal_code, "Köln", district_name]
                )
                search_name = text(name)
                body = " ".join(
                    filter(
                        None,
                        [
                            *(text(s) for s in sentences),
                            text(organization.name),
                            text(term_names.get(field, field)),
                            text(location_text),
                        ],
                    )
                )
                # with the heads of compounds, as search.document_columns adds them
                search_body = " ".join(
                    search.with_compound_heads(body.split(), also=search_name.split())
                )
                keys = {f"fa:{field}", f"d:{location.district_id}"}
                keys.update(f"la:{code}" for code in languages)
                keys.update(f"wd:{day}" for day in weekdays)
                keys.update(f"ac:{code}" for code in location_features[location.pk])
                if is_free:
                    keys.add("free")
                for code, p_low, p_high in phases:
                    if (low is None or low < p_high) and (high is None or high > p_low):
                        keys.add(f"lp:{code}")
                # The filter tokens of the index, as services._search_document builds
                # them: facets, age years and the scope (municipality, programme, status).
                search_filters = search.filter_text(
                    keys | set(search.age_keys(low, high)) | set(scope)
                )
                chunk.append(
                    Service(
                        municipality=koeln,
                        organization=organization,
                        name=name,
                        description=description,
                        status="published",
                        is_free=is_free,
                        min_age_months=low,
                        max_age_months=high,
                        search_name=search_name,
                        search_body=search_body,
                        search_filters=search_filters,
                    )
                )
                extra.append((location, keys))
            created = Service.objects.bulk_create(chunk)
            ServiceAtLocation.objects.bulk_create(
                ServiceAtLocation(municipality=koeln, service=s, location=loc)
                for s, (loc, _) in zip(created, extra, strict=True)
            )
            for service, (_, keys) in zip(created, extra, strict=True):
                facet_rows.extend((koeln.pk, service.pk, key) for key in keys)
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO directory_servicefacet (municipality_id, service_id, key) "
                "VALUES (%s, %s, %s)",
                facet_rows,
            )
            cursor.execute("ANALYZE")
    print(
        f"generated {rows:,} offers, {len(facet_rows):,} filter keys in "
        f"{time.perf_counter() - started:.1f} s"
    )


# name, query, filters for search_services, GET parameters for the guide
CASES = [
    ("word: Familie", "Familie", {}, {}),
    ("word: Beratung", "Beratung", {}, {}),
    ("word: Schwimmkurs", "Schwimmkurs", {}, {}),
    ('phrase: "ganze Familie"', '"ganze Familie"', {}, {}),
    ("two words: Musik Theater", "Musik Theater", {}, {}),
    ("prefix: Sprach", "Sprach", {}, {}),
    (
        "text+filters: Beratung, free, tr",
        "Beratung",
        {"free_of_charge": True, "language": "tr"},
        {"kostenlos": "on", "sprache": "tr"},
    ),
    ("text+filters: Kurs, age 4", "Kurs", {"age_years": 4}, {"alter": "4"}),
    (
        "filters: Bildung, Mittwoch",
        "",
        {"field_of_action": "bildung", "weekday": 3},
        {"handlungsfeld": "bildung", "wochentag": "3"},
    ),
    (
        "filters: age 2, free",
        "",
        {"age_years": 2, "free_of_charge": True},
        {"alter": "2", "kostenlos": "on"},
    ),
]
BROAD = ("broad prefix: Köl (every row)", "Köl", {}, {})


def fts_expression(query: str) -> str:
    from kette.directory.search import parse_query

    return " AND ".join(term.fts5() for term in parse_query(query))


def bare_filters(keys: list[str], municipality_id: int, age_years: int | None = None):
    """A bare indexed facet lookup: the first 20 published offers of the
    municipality by name with every key (and, given `age_years`, for a child of
    that age: an age range overlapping that year of life), without a count."""
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            where = [
                "s.municipality_id = %s",
                "s.status = 'published'",
                *["s.id IN (SELECT service_id FROM directory_servicefacet WHERE key = %s)"]
                * len(keys),
            ]
            params: list[Any] = [municipality_id, *keys]
            if age_years is not None:
                where.append(
                    "(s.min_age_months IS NULL OR s.min_age_months < %s) "
                    "AND (s.max_age_months IS NULL OR s.max_age_months > %s)"
                )
                params += [(age_years + 1) * 12, age_years * 12]
            cursor.execute(
                f"SELECT s.id FROM directory_service s WHERE {' AND '.join(where)} "
                "ORDER BY s.name LIMIT 20",
                params,
            )
            return cursor.fetchall()

    return run


def compare_cases(koeln, repeat: int, *, floor, floor_count, floor_name: str) -> None:
    """Measure every case with `search_services` (with and without facet counts)
    beside `floor(query)` (a callable running the bare text query) and print the
    tables. `floor_count(query)` counts the bare matches: every text case without
    filters must find exactly as many offers (a search that finds nothing
    measures nothing)."""
    from kette.directory.search import search_services

    for label, query, filters, _ in [*CASES, BROAD]:
        if not query or filters:
            continue
        ours = search_services(query=query, municipality=koeln, per_page=1).total
        bare = floor_count(query)
        if ours != bare or not ours:
            raise SystemExit(f"{label}: kette finds {ours:,} offers, the bare query {bare:,}")

    text_rows, filter_rows, bare_rows = [], [], []
    for label, query, filters, _ in [*CASES, BROAD]:
        ours_action = lambda q=query, f=filters: search_services(  # noqa: E731
            query=q, municipality=koeln, **f
        )
        if query:
            # in turns, so that a busy moment of the shared machine falls on all three
            ours, base, plain = measure_alternating(
                [
                    (label, ours_action),
                    (label, floor(query)),
                    (
                        label,
                        lambda q=query, f=filters: search_services(
                            query=q, municipality=koeln, with_facets=False, **f
                        ),
                    ),
                ],
                repeat=repeat,
            )
            text_rows.append((ours, base))
            bare_rows.append((plain, base))
        else:
            keys = []
            if filters.get("field_of_action"):
                keys.append(f"fa:{filters['field_of_action']}")
            if filters.get("weekday"):
                keys.append(f"wd:{filters['weekday']}")
            if filters.get("free_of_charge"):
                keys.append("free")
            floor_filters = bare_filters(keys, koeln.pk, filters.get("age_years"))
            ours, base = measure_alternating(
                [(label, ours_action), (label, floor_filters)], repeat=repeat
            )
            filter_rows.append((ours, base))
    total = search_services(query=BROAD[1], municipality=koeln, per_page=1).total
    print(
        side_by_side(f"search_services (with facets) vs {floor_name}", text_rows[:-1], target=1.5)
    )
    _summary(text_rows[:-1])
    print()
    print(
        side_by_side(
            f"the same without facet counts: search_services(with_facets=False) vs {floor_name}",
            bare_rows[:-1],
            target=1.5,
        )
    )
    _summary(bare_rows[:-1])
    print()
    plain, base = bare_rows[-1]
    print(
        side_by_side(
            f"broad query, reported separately ({total:,} matches)",
            [text_rows[-1], (dataclasses.replace(plain, label="  same, without facets"), base)],
        )
    )
    print()
    print(
        side_by_side(
            "filters only: search_services vs a bare indexed facet lookup (no text floor)",
            filter_rows,
        )
    )
    _summary(text_rows[:-1] + filter_rows)


def bench_selector(koeln, repeat: int) -> None:
    from django.db import connection

    def floor(query: str):
        expression = fts_expression(query)

        def run():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT rowid FROM directory_service_fts WHERE directory_service_fts "
                    "MATCH %s ORDER BY rank LIMIT 20",
                    [expression],
                )
                return cursor.fetchall()

        return run

    def floor_count(query: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM directory_service_fts WHERE directory_service_fts MATCH %s",
                [fts_expression(query)],
            )
            return cursor.fetchone()[0]

    compare_cases(
        koeln,
        repeat,
        floor=floor,
        floor_count=floor_count,
        floor_name="bare FTS5 MATCH … ORDER BY rank LIMIT 20",
    )


def bench_facet_refresh(koeln, repeat: int) -> None:
    """The first search with facets after an offer was edited: the facet index
    follows the recorded change (re-reading that offer's keys) instead of being
    rebuilt from every offer of the scope (the baseline, timed directly)."""
    from django.db import connection

    from kette.directory import facets, services
    from kette.directory.models import Service
    from kette.directory.search import search_services

    scope = (connection.alias, "m", koeln.pk)
    search_services(query="Familie", municipality=koeln)  # the index is current
    rebuild = measure(
        "rebuild the index",
        lambda: facets._build(scope, facets._signature(scope)),
        repeat=3,
        warmup=0,
    )
    offer = Service.objects.filter(municipality=koeln, status="published").first()
    before = sorted(offer.languages.values_list("code", flat=True))
    samples = []
    for turn in range(repeat):
        languages = before if turn % 2 else [*before, "uk"]
        services.service_update(actor=None, service=offer, languages=languages)
        started = time.perf_counter()
        search_services(query="Familie", municipality=koeln)
        samples.append((time.perf_counter() - started) * 1000)
    if repeat % 2:
        services.service_update(actor=None, service=offer, languages=before)
    steady = measure(
        "the same search, index current",
        lambda: search_services(query="Familie", municipality=koeln),
        repeat=repeat,
    )
    after_edit = Timing("first search after an edit (patched)", samples)
    print(
        side_by_side(
            f"facet index after an edited offer ({facets._indexes[scope].ids.size:,} offers)",
            [(after_edit, rebuild), (steady, rebuild)],
        )
    )


def _summary(rows) -> None:
    import statistics

    ours = [s for o, _ in rows for s in o.samples_ms]
    base = [s for _, b in rows for s in b.samples_ms]
    p95 = lambda xs: sorted(xs)[round(0.95 * (len(xs) - 1))]  # noqa: E731
    print(
        f"all cases pooled: kette median {statistics.median(ours):.2f} ms, p95 {p95(ours):.2f} ms;"
        f" baseline median {statistics.median(base):.2f} ms, p95 {p95(base):.2f} ms"
    )


def _guide_params(query: str, params: dict) -> dict:
    return {**({"q": query} if query else {}), **params}


def bench_page(repeat: int) -> None:
    from django.test import Client

    client = Client()
    timings = []
    for label, query, _, params in [*CASES, BROAD]:
        url = "/k/koeln/familienwegweiser/"
        data = _guide_params(query, params)
        assert client.get(url, data).status_code == 200
        timings.append(measure(label, lambda u=url, d=data: client.get(u, d), repeat=repeat))
    print("full guide page (HTML, Django test client, server time)")
    for timing in timings:
        print(f"  {timing.label:<40} median {timing.median:7.2f} ms   p95 {timing.p95:7.2f} ms")


class Server:
    def __init__(self, command: list[str], port: int, env: dict, probe: str):
        self.port = port
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", probe)
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server on port {port} did not start: {command}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _getter(port: int, path: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def run():
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status} {body[:300]!r}")
        return body

    return run


def datasette_command() -> str | None:
    """The benchmark environment's `datasette`, or None (with a hint) if missing."""
    datasette = shutil.which("datasette", path=str(Path(sys.executable).parent))
    if datasette is None:
        print(
            "Datasette is not installed; skipping the HTTP comparison. Install it with\n"
            "    uv pip install --python .venv/bin/python -r bench/requirements.txt"
        )
    return datasette


def serve_both(db: Path, datasette: str, probe: str) -> tuple[Server, Server]:
    """kette under gunicorn (one worker, as a small deployment) and Datasette as
    it comes (facet suggestions on; counts may take 20 s instead of giving up
    after one), both serving the file `db`. `probe`: a kette path that must answer."""
    env = {**os.environ, **ENV, "DATABASE_URL": f"sqlite:///{db}"}
    kette_port, datasette_port = _free_port(), _free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    metadata = Path(tempfile.mkdtemp()) / "metadata.json"
    metadata.write_text(
        json.dumps(
            {
                "databases": {
                    db.stem: {
                        "tables": {
                            "directory_service": {
                                "fts_table": "directory_service_fts",
                                "fts_pk": "id",
                            }
                        }
                    }
                }
            }
        )
    )
    kette = Server(
        [gunicorn, "--workers", "1", "--bind", f"127.0.0.1:{kette_port}", "kette.wsgi"],
        kette_port,
        env,
        probe,
    )
    try:
        ds = Server(
            [
                datasette,
                "serve",
                str(db),
                "--port",
                str(datasette_port),
                "--metadata",
                str(metadata),
                "--setting",
                "sql_time_limit_ms",
                "20000",
            ],
            datasette_port,
            env,
            f"/{db.stem}.json",
        )
    except Exception:
        kette.stop()
        raise
    return kette, ds


def bench_http(db: Path, repeat: int) -> None:
    datasette = datasette_command()
    if datasette is None:
        return
    kette, ds = serve_both(db, datasette, "/k/koeln/familienwegweiser/?format=json")
    kette_port, datasette_port = kette.port, ds.port
    try:
        rows, bare_rows, strict_rows = [], [], []
        for label, query, _, params in CASES:
            if not query:
                continue  # Datasette's full-text search needs terms
            path = "/k/koeln/familienwegweiser/?" + urllib.parse.urlencode(
                {**_guide_params(query, params), "format": "json"}
            )
            # Datasette's full-text JSON as it comes (with its facet
            # suggestions, all columns), 20 rows like the guide's page ...
            ds_params: dict[str, Any] = {
                "_search": fts_expression(query),
                "_searchmode": "raw",
                "_size": "20",
                "_shape": "objects",
            }
            if params.get("kostenlos"):
                ds_params["is_free"] = "1"
            # ... and stripped: no facet suggestions, two columns
            strict = {**ds_params, "_nosuggest": "1", "_col": ["name", "organization_id"]}
            ds_path, strict_path = (
                f"/{db.stem}/directory_service.json?" + urllib.parse.urlencode(p, doseq=True)
                for p in (ds_params, strict)
            )
            ours = measure(label, _getter(kette_port, path), repeat=repeat)
            bare = measure(label, _getter(kette_port, path + "&facets=off"), repeat=repeat)
            base = measure(label, _getter(datasette_port, ds_path), repeat=repeat)
            stripped = measure(label, _getter(datasette_port, strict_path), repeat=repeat)
            rows.append((ours, base))
            bare_rows.append((bare, base))
            strict_rows.append((bare, stripped))
        print(
            side_by_side(
                "guide JSON over HTTP (gunicorn, 1 worker) vs Datasette's full-text JSON "
                "as it comes (20 rows, its facet suggestions)",
                rows,
                target=0.5,
            )
        )
        _summary(rows)
        print()
        print(
            side_by_side(
                "the same without facet counts (&facets=off) vs Datasette as it comes",
                bare_rows,
                target=0.5,
            )
        )
        _summary(bare_rows)
        print()
        print(
            side_by_side(
                "stricter: without facet counts vs Datasette stripped "
                "(_nosuggest, two columns, 20 rows)",
                strict_rows,
                target=0.5,
            )
        )
        _summary(strict_rows)
        print(
            "Note: Datasette 0.65 orders full-text matches by primary key, not by rank "
            "(no bm25); kette ranks every match, counts them and (by default) counts 7 facets."
        )
    finally:
        kette.stop()
        ds.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "kette-bench-search.sqlite3"
    )
    parser.add_argument("--reuse", action="store_true", help="use an existing generated file")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--only-http", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    fresh = not (args.reuse and args.db.exists())
    _setup(args.db, fresh)
    if fresh:
        generate(args.rows)
    from kette.core.models import Municipality

    koeln = Municipality.objects.get(slug="koeln")
    if not args.only_http:
        bench_selector(koeln, args.repeat)
        print()
        bench_page(args.repeat)
        print()
        bench_facet_refresh(koeln, args.repeat)
        print()
    if not args.skip_http:
        bench_http(args.db, args.repeat)


if __name__ == "__main__":
    main()
