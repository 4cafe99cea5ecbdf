"""Upload pages for indicator values and district boundaries: upload → report of
every problem (nothing written) → confirmation; permissions; bad inputs."""

import html
import io
import json
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from kette.core import upload_store
from kette.core.models import District, Role
from kette.monitoring import services
from kette.monitoring.demo import DATA
from kette.monitoring.models import Observation, RegionalObservation
from kette.monitoring.tests.factories import DistrictFactory, collection, feature, square
from kette.testing.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    world.a.official_key = "05315000"
    world.a.save()
    DistrictFactory(municipality=world.a, code="101", name="Altstadt-Nord", level="Stadtteil")
    DistrictFactory(municipality=world.a, code="102", name="Altstadt-Süd", level="Stadtteil")
    services.indicator_catalogue_sync(actor=None)
    return world.a


@pytest.fixture
def coordinator_client(client, city):
    client.force_login(user_with_role(Role.COORDINATOR, city, username="koord"))
    return client


def _file(content, name="werte.csv"):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    return SimpleUploadedFile(name, data)


def _values_url(city):
    return reverse("monitoring:upload_observations", args=[city.slug])


def _districts_url(city):
    return reverse("monitoring:upload_districts", args=[city.slug])


def _upload_values(client, city, content, name="werte.csv", **options):
    data = {"file": _file(content, name), "layout": "long"} | options
    return client.post(_values_url(city), data)


def _upload_districts(client, city, data, **options):
    content = data if isinstance(data, bytes) else json.dumps(data).encode("utf-8")
    fields = {
        "file": _file(content, "bezirke.geojson"),
        "code_property": "ref",
        "name_property": "name",
        "level": "Stadtteil",
    } | options
    return client.post(_districts_url(city), fields)


def _table_rows(page):
    """The cells of the body rows of the page's table, as text."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _upload_values_and_import(client, city, content, **options):
    review = _upload_values(client, city, content, **options)["Location"]
    return client.post(review)


LONG = (
    "Sozialraum;Indikator;Jahr;Wert;Zähler;Nenner\n"
    "101;sgb2-quote-u15;2023;12,5;25;200\n"
    "102;sgb2-quote-u15;2023;30,0;;\n"
)


# Indicator values -----------------------------------------------------------


def test_long_form_is_checked_then_imported_on_confirmation(coordinator_client, city):
    page = coordinator_client.get(_values_url(city)).content.decode()
    assert "Indikatorwerte hochladen" in page
    assert "sgb2-quote-u15" in page
    response = _upload_values(coordinator_client, city, LONG)
    assert response.status_code == 302
    review = response["Location"]
    assert "/monitoring/daten/werte/pruefen/" in review
    page = coordinator_client.get(review).content.decode()
    assert "Keine Probleme gefunden." in page
    assert "<dt>Neue Werte</dt>" in page
    assert not Observation.objects.exists()  # the report wrote nothing

    response = coordinator_client.post(review, follow=True)
    assert response.redirect_chain[-1][0] == (
        reverse("monitoring:indicator_values", args=[city.slug])
        + "?indikator=sgb2-quote-u15&jahr=2023"
    )
    assert "Importiert. Neue Werte: 2" in response.content.decode()
    values = Observation.objects.filter(municipality=city).order_by("district__code")
    assert [(o.district.code, o.value, o.numerator) for o in values] == [
        ("101", 12.5, 25.0),
        ("102", 30.0, None),
    ]
    # The upload is gone after the import; uploading the same again changes nothing.
    assert coordinator_client.get(review).status_code == 404
    review = _upload_values(coordinator_client, city, LONG)["Location"]
    page = coordinator_client.get(review).content.decode()
    assert "<dt>Unveränderte Werte</dt>" in page


def test_values_for_years_still_to_come_are_pointed_out_before_the_import(coordinator_client, city):
    next_year = timezone.localdate().year + 1
    content = (
        "Sozialraum;Indikator;Jahr;Wert\n"
        f"101;sgb2-quote-u15;{next_year};12,5\n"
        f"102;sgb2-quote-u15;{next_year};30,0\n"
        "101;sgb2-quote-u15;2023;11,0\n"
    )
    page = coordinator_client.get(_upload_values(coordinator_client, city, content)["Location"])
    assert (
        f"2 Werte gelten für {next_year}, ein Jahr, das noch kommt: Stimmt das Jahr?"
        in page.content.decode()
    )
    assert (
        "Stimmt das Jahr"
        not in coordinator_client.get(
            _upload_values(coordinator_client, city, LONG)["Location"]
        ).content.decode()
    )


def test_implausible_counts_are_refused_and_doubtful_numerators_pointed_out(
    coordinator_client, city
):
    content = "Sozialraum;Indikator;Jahr;Wert\n101;kinder-0-3;2023;12,5\n"
    page = coordinator_client.get(_upload_values(coordinator_client, city, content)["Location"])
    html = page.content.decode()
    assert "Zeile 2, Spalte „Wert“: 12,5 ist keine ganze Zahl und als Anzahl unmöglich." in html
    assert "Jetzt importieren" not in html
    content = "Sozialraum;Indikator;Jahr;Wert;Zähler;Nenner\n101;sgb2-quote-u15;2023;;2,5;20\n"
    page = coordinator_client.get(_upload_values(coordinator_client, city, content)["Location"])
    html = page.content.decode()
    assert "<dt>Hinweis</dt>" in html
    assert "Die Spalte „Zähler“ enthält 1 Zahl, die nicht ganz ist (Zeile 2)" in html
    assert "Jetzt importieren" in html  # a notice, the import stays possible


def test_wide_form_with_year_columns_from_xlsx_needs_the_indicator(coordinator_client, city):
    workbook = Workbook()
    workbook.active.append(["Sozialraum", "2022", "2023"])
    workbook.active.append([101, 120, "1.234"])
    workbook.active.append([102, ".", 80])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload_values(
        coordinator_client, city, buffer.getvalue(), name="werte.xlsx", layout="wide"
    )
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "Die Spalten sind Jahre: bitte den Indikator angeben." in page
    assert "Jetzt importieren" not in page

    response = _upload_values(
        coordinator_client,
        city,
        buffer.getvalue(),
        name="werte.xlsx",
        layout="wide",
        indicator="kinder-0-3",
    )
    review = response["Location"]
    page = coordinator_client.get(review).content.decode()
    assert "Jetzt importieren" in page
    _upload_values_and_import(coordinator_client, city, LONG)  # another indicator's values
    response = coordinator_client.post(review, follow=True)
    # The page shows the indicator just imported in its latest year, not the first one.
    assert response.redirect_chain[-1][0].endswith("?indikator=kinder-0-3&jahr=2023")
    assert "<caption>Kinder unter 3 Jahren, 2023</caption>" in response.content.decode()
    assert Observation.objects.filter(municipality=city, indicator__key="kinder-0-3").count() == 3
    assert (
        Observation.objects.get(indicator__key="kinder-0-3", district__code="101", year=2023).value
        == 1234
    )


def test_after_a_report_with_problems_the_upload_page_keeps_the_choices(coordinator_client, city):
    content = "Sozialraum;2022;2023\n101;120;130\n"
    review = _upload_values(coordinator_client, city, content, layout="wide", year="2021")[
        "Location"
    ]
    page = coordinator_client.get(review).content.decode()
    assert "Die Spalten sind Jahre: bitte den Indikator angeben." in page
    # The report says what was chosen, and the way back keeps it.
    assert "<dt>Aufbau</dt>" in page and "Breite Form: eine Spalte je Jahr" in page
    assert "<dt>Jahr</dt>" in page
    again = html.unescape(re.search(r'<a href="([^"]+)">Andere Datei hochladen</a>', page).group(1))
    assert again == _values_url(city) + "?layout=wide&year=2021"
    form = coordinator_client.get(again).content.decode()
    assert re.search(r'<input type="radio" name="layout" value="wide"[^>]*checked', form)
    assert 'name="year" value="2021"' in form

    response = _upload_values(
        coordinator_client, city, content, layout="wide", indicator="kinder-0-3"
    )
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "Kinder unter 3 Jahren (kinder-0-3)" in page
    again = html.unescape(re.search(r'<a href="([^"]+)">Andere Datei hochladen</a>', page).group(1))
    form = coordinator_client.get(again).content.decode()
    assert '<option value="kinder-0-3" selected>' in form


def test_itnrw_export_fills_only_this_municipality(coordinator_client, city):
    data = (DATA / "itnrw_22811-01i_2023.csv").read_bytes()
    response = _upload_values(
        coordinator_client, city, data, layout="itnrw", indicator="mindestsicherungsquote"
    )
    review = response["Location"]
    page = coordinator_client.get(review).content.decode()
    assert "Neue Werte" in page
    # The review shows the row of the municipality with the value it brings.
    assert "Werte, die der Import speichert: Mindestsicherungsquote, 2023" in page
    assert _table_rows(page) == [["83", "05315", "Köln, krfr. Stadt", "14,4", "–"]]
    coordinator_client.post(review)
    observation = Observation.objects.get(municipality=city)
    assert (observation.district, observation.year, observation.value) == (None, 2023, 14.4)
    # Programme-wide reference data is not written from one municipality's upload.
    assert not RegionalObservation.objects.exists()

    # Uploaded again over a different value: the review shows both.
    observation.value = 12.0
    observation.save()
    response = _upload_values(
        coordinator_client, city, data, layout="itnrw", indicator="mindestsicherungsquote"
    )
    page = coordinator_client.get(response["Location"]).content.decode()
    assert _table_rows(page)[-1][-2:] == ["14,4", "12,0"]
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "Values the import stores: Mindestsicherungsquote, 2023" in page
    assert _table_rows(page)[-1][-2:] == ["14.4", "12.0"]


def test_itnrw_without_the_municipality_and_without_indicator(coordinator_client, city):
    response = _upload_values(coordinator_client, city, "a;b\n1;2\n", layout="itnrw")
    assert response.status_code == 200
    assert "Bitte den Indikator wählen, den die IT.NRW-Tabelle enthält." in (
        response.content.decode()
    )
    city.official_key = "05999999"
    city.save()
    data = (DATA / "itnrw_22811-01i_2023.csv").read_bytes()
    review = _upload_values(
        coordinator_client, city, data, layout="itnrw", indicator="mindestsicherungsquote"
    )["Location"]
    page = coordinator_client.get(review).content.decode()
    assert "Die Tabelle hat keine Zeile mit dem amtlichen Schlüssel 05999999" in page


def test_every_problem_of_the_rows_is_shown_and_nothing_is_written(coordinator_client, city):
    content = (
        "Sozialraum;Indikator;Jahr;Wert\n"
        "101;sgb2-quote-u15;2023;12,5\n"
        "999;sgb2-quote-u15;2023;10\n"
        "102;sgb2-quote-u15;2023;viel\n"
        "102;sgb2-quote-u15;2022;130\n"
    )
    review = _upload_values(coordinator_client, city, content)["Location"]
    page = coordinator_client.get(review).content.decode()
    assert "3 Probleme – es wird nichts importiert" in page
    assert "Zeile 3, Spalte „Sozialraum“: unbekannter Sozialraum „999“." in page
    assert "Zeile 4, Spalte „Wert“: „viel“ ist keine Zahl." in page
    assert "Zeile 5, Spalte „Wert“: 130,0 ist als Prozentwert unmöglich." in page
    assert "Jetzt importieren" not in page
    response = coordinator_client.post(review)
    assert response.status_code == 200
    assert "Es wurde nichts importiert" in response.content.decode()
    assert not Observation.objects.exists()


def test_missing_columns_are_reported(coordinator_client, city):
    review = _upload_values(coordinator_client, city, "Sozialraum;Menge\n101;3\n")["Location"]
    page = coordinator_client.get(review).content.decode()
    assert "Spalte „Indikator“ fehlt." in page
    assert "Spalte „Wert“ fehlt." in page


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "werte.csv", "Die übertragene Datei ist leer."),
        (b"   \n\n", "werte.csv", "Die Datei ist leer."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "werte.csv", "keine Tabelle, sondern eine PNG-Datei"),
        (b"Sozialraum;Wert\x00\x01\n", "werte.csv", "enthält Binärdaten"),
        (b"Sozialraum;Wert\n\x81\x8d;1\n", "werte.csv", "Zeichenkodierung"),
        (b"kein excel", "werte.xlsx", "Excel-Datei ist nicht lesbar"),
    ],
)
def test_unreadable_files_are_refused_at_the_upload(
    coordinator_client, city, content, name, message, settings, tmp_path
):
    settings.DATA_DIR = tmp_path  # own upload folder: tests in parallel store theirs
    response = _upload_values(coordinator_client, city, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(upload_store.upload_dir().glob("*.upload")) == []


@override_settings(KETTE_IMPORT_MAX_BYTES=20)
def test_too_large_file_is_refused(coordinator_client, city):
    response = _upload_values(coordinator_client, city, LONG)
    assert response.status_code == 200
    assert "höchstens 0,0 MB" in response.content.decode()


# District boundaries ----------------------------------------------------------


def test_districts_from_geojson_are_checked_then_imported(coordinator_client, city):
    page = coordinator_client.get(_districts_url(city)).content.decode()
    assert "Sozialraumgrenzen hochladen" in page
    data = collection(
        feature("101", "Altstadt-Nord", square(6.95, 50.94)),
        feature("103", "Deutz", square(6.97, 50.94)),
    )
    response = _upload_districts(coordinator_client, city, data)
    review = response["Location"]
    assert "/monitoring/daten/sozialraeume/pruefen/" in review
    page = coordinator_client.get(review).content.decode()
    assert "<dt>Neue Sozialräume</dt>" in page
    assert re.search(r"<dt>Neue Sozialräume</dt>\s*<dd>\s*1\s*</dd>", page)  # and one changed
    assert "EPSG:4326" in page
    assert not District.objects.filter(code="103").exists()
    response = coordinator_client.post(review, follow=True)
    assert response.redirect_chain[-1][0] == reverse("monitoring:districts", args=[city.slug])
    deutz = District.objects.get(municipality=city, code="103")
    assert (deutz.name, deutz.level) == ("Deutz", "Stadtteil")
    assert District.objects.get(municipality=city, code="101").boundary is not None


def test_the_source_of_the_outlines_comes_with_the_upload(coordinator_client, city):
    source = "© OpenStreetMap contributors (ODbL)"
    data = collection(feature("101", "Altstadt-Nord", square(6.95, 50.94)))
    review = _upload_districts(coordinator_client, city, data, source=source)["Location"]
    page = coordinator_client.get(review).content.decode()
    assert "<dt>Quelle der Umrisse</dt>" in page  # the choices made with the file
    coordinator_client.post(review)
    assert District.objects.get(municipality=city, code="101").outline_source == source
    # the districts page names it below the map; the next upload suggests it
    page = coordinator_client.get(reverse("monitoring:districts", args=[city.slug]))
    assert re.search(r'class="map-source">\s*Umrisse:\s*' + re.escape(source), page.text)
    form = coordinator_client.get(_districts_url(city)).context["form"]
    assert form["source"].value() == source


def test_districts_in_utm32_with_the_crs_chosen(coordinator_client, city):
    ring = [[356500, 5645400], [356550, 5645400], [356550, 5645450], [356500, 5645400]]
    data = collection(feature("1", "Dom", {"type": "Polygon", "coordinates": [ring]}))
    review = _upload_districts(coordinator_client, city, data)["Location"]
    page = coordinator_client.get(review).content.decode()
    assert "Koordinaten liegen außerhalb von WGS84" in page
    review = _upload_districts(coordinator_client, city, data, crs="EPSG:25832")["Location"]
    coordinator_client.post(review)
    boundary = District.objects.get(municipality=city, code="1").boundary
    lon, lat = boundary["coordinates"][0][0][:2] if boundary["type"] == "Polygon" else (0, 0)
    assert 6.9 < lon < 7.0 and 50.9 < lat < 51.0


def test_degrees_declared_as_utm32_are_refused(coordinator_client, city):
    data = collection(feature("1", "Dom", square(6.95, 50.94)))
    review = _upload_districts(coordinator_client, city, data, crs="EPSG:25832")["Location"]
    page = coordinator_client.get(review).content.decode()
    assert "sehen nach Grad (WGS84) aus, nicht nach Metern von EPSG:25832" in page
    assert "Jetzt importieren" not in page


def test_every_bad_feature_is_reported_and_nothing_written(coordinator_client, city):
    line = {"type": "LineString", "coordinates": [[6.9, 50.9], [6.91, 50.91]]}
    flat = {"type": "Polygon", "coordinates": [[[6.9, 50.9], [6.91, 50.9], [6.9, 50.9]]]}
    data = collection(
        feature("201", "Gut", square(6.95, 50.94)),
        feature("202", "Linie", line),
        feature("203", "", flat),
    )
    review = _upload_districts(coordinator_client, city, data)["Location"]
    page = coordinator_client.get(review).content.decode()
    assert "Feature 2 (202): keine Fläche (Geometrietyp LineString)." in page
    assert "Feature 3 (203): Eigenschaft „name“ (Name) fehlt." in page
    assert "Feature 3 (203):" in page and "Jetzt importieren" not in page
    coordinator_client.post(review)
    assert not District.objects.filter(code__startswith="20").exists()


def test_properties_not_in_the_file_are_named_with_the_ones_there(coordinator_client, city):
    data = collection(feature("1", "Dom", square(6.95, 50.94), STT_NR="1"))
    review = _upload_districts(
        coordinator_client, city, data, code_property="NUMMER", crs="EPSG:25832"
    )["Location"]
    page = coordinator_client.get(review).content.decode()
    assert "Kein Feature hat die Eigenschaft „NUMMER“; die Datei hat: ref, name, STT_NR." in page
    # Back on the upload page, the choices are still there.
    again = html.unescape(re.search(r'<a href="([^"]+)">Andere Datei hochladen</a>', page).group(1))
    form = coordinator_client.get(again).content.decode()
    assert 'name="code_property" value="NUMMER"' in form
    assert 'name="level" value="Stadtteil"' in form
    assert '<option value="EPSG:25832" selected>' in form


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b" ", "Die Datei ist leer."),
        (b"\x00\x01\x02", "enthält Binärdaten"),
        ('{"type": "FeatureCollection", "name": "Köln"}'.encode("latin-1"), "nicht in UTF-8"),
        (b'{"type": "FeatureCollection", "features": [}', "kein gültiges JSON (Zeile 1"),
        (b'{"type": "Feature"}', "keine GeoJSON-FeatureCollection"),
        # was a 500 (RecursionError)
        (b"[" * 100_000 + b"]" * 100_000, "zu tief verschachtelt"),
    ],
)
def test_unreadable_geojson_is_refused_at_the_upload(coordinator_client, city, content, message):
    response = _upload_districts(coordinator_client, city, content)
    assert response.status_code == 200
    assert message in response.content.decode()


@override_settings(KETTE_IMPORT_MAX_BYTES=50)
def test_too_large_geojson_is_refused(coordinator_client, city):
    data = collection(feature("1", "Dom", square(6.95, 50.94)))
    response = _upload_districts(coordinator_client, city, data)
    assert response.status_code == 200
    assert "höchstens 0,0 MB können auf einmal importiert werden" in response.content.decode()


def test_parent_property_and_parent_level_exclude_each_other(coordinator_client, city):
    response = _upload_districts(
        coordinator_client,
        city,
        collection(feature("1", "Dom", square(6.95, 50.94))),
        parent_property="bezirk",
        parent_level="Stadtteil",
    )
    assert response.status_code == 200
    assert "nicht beides" in response.content.decode()


# Permissions --------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.EDITOR, Role.PROVIDER, Role.VIEWER])
def test_only_coordinators_upload(client, city, role):
    client.force_login(user_with_role(role, city))
    assert client.get(_values_url(city)).status_code == 403
    assert client.get(_districts_url(city)).status_code == 403
    assert _upload_values(client, city, LONG).status_code == 403
    page = client.get(reverse("monitoring:districts", args=[city.slug])).content.decode()
    assert _values_url(city) not in page
    assert not Observation.objects.exists()


def test_coordinators_find_the_upload_pages_in_the_navigation(coordinator_client, city):
    page = coordinator_client.get(reverse("monitoring:districts", args=[city.slug]))
    html = page.content.decode()
    assert f'href="{_values_url(city)}"' in html
    assert f'href="{_districts_url(city)}"' in html


def test_without_districts_the_page_points_coordinators_to_the_upload(client, world):
    empty = world.b
    url = reverse("monitoring:districts", args=[empty.slug])
    client.force_login(user_with_role(Role.COORDINATOR, empty, username="koord-b"))
    page = client.get(url).content.decode()
    assert "Noch keine Sozialräume vorhanden." in page
    assert f'<a href="{_districts_url(empty)}">Sozialraumgrenzen hochladen (GeoJSON)</a>' in page
    assert "kette import_districts" in page  # the command line as the admins' way
    client.force_login(user_with_role(Role.VIEWER, empty, username="leser-b"))
    page = client.get(url).content.decode()
    assert "Die Koordination der Kommune lädt sie hoch." in page
    assert _districts_url(empty) not in page


def test_a_token_works_only_for_its_kind_user_and_municipality(client, city, world):
    coordinator = user_with_role(Role.COORDINATOR, city, username="k1")
    token = upload_store.store(
        LONG.encode(),
        kind="directory.offers",
        municipality_id=city.pk,
        user_id=coordinator.pk,
        filename="werte.csv",
    )
    client.force_login(coordinator)
    url = reverse("monitoring:upload_observations_review", args=[city.slug, token])
    assert client.get(url).status_code == 404
    token = upload_store.store(
        LONG.encode(),
        kind="monitoring.observations",
        municipality_id=city.pk,
        user_id=coordinator.pk,
        filename="werte.csv",
        options={"layout": "long"},
    )
    url = reverse("monitoring:upload_observations_review", args=[city.slug, token])
    assert client.get(url).status_code == 200
    client.force_login(user_with_role(Role.COORDINATOR, city, username="k2"))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    other = user_with_role(Role.COORDINATOR, world.b, username="k3")
    client.force_login(other)
    url_b = reverse("monitoring:upload_observations_review", args=[world.b.slug, token])
    assert client.get(url_b).status_code == 404
    assert not Observation.objects.exists()


def test_an_unreadable_geometry_is_explained_in_german(coordinator_client, city):
    broken = {"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4]]]}
    data = collection({**feature("1", "Dom", square(6.95, 50.94)), "geometry": broken})
    page = _upload_districts(coordinator_client, city, data)
    review = (
        coordinator_client.get(page["Location"]).content.decode()
        if page.status_code == 302
        else page.content.decode()
    )
    assert (
        "Geometrie vom Typ „Polygon“ nicht lesbar (nötig ist ein Polygon oder MultiPolygon"
        in review
    )
    assert "could not convert" not in review
