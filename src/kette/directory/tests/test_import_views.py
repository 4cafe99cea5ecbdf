"""The upload page: upload → validation report → confirm; template and export."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from kette.core import upload_store
from kette.core.models import Role
from kette.directory import tabular
from kette.directory.models import Service
from kette.testing import factories
from kette.testing.spreadsheets import ods_bytes, xls_bytes

pytestmark = pytest.mark.django_db


def csv_file(rows, name="angebote.csv"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), "text/csv")


@pytest.fixture
def editor_client(client, world):
    client.force_login(factories.user_with_role(Role.EDITOR, world.a, username="red-a"))
    return client


def upload_url(world):
    return reverse("directory_import:upload", kwargs={"municipality_slug": world.a.slug})


def test_the_upload_page_offers_the_template_and_the_export(editor_client, world):
    response = editor_client.get(upload_url(world))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Angebote importieren" in page
    assert "Leere Vorlage" in page
    assert reverse("directory_import:export_xlsx", args=[world.a.slug]) in page
    assert "Alter von (Jahre)" in page
    assert 'accept=".csv,.xlsx,.ods,.xls,text/csv"' in page  # the picker shows .xls too


@pytest.mark.parametrize(
    ("name", "write", "content_type"),
    [
        ("angebote.ods", ods_bytes, "application/vnd.oasis.opendocument.spreadsheet"),
        ("angebote.xls", xls_bytes, "application/vnd.ms-excel"),
    ],
)
def test_an_ods_or_xls_file_is_checked_then_imported(
    editor_client, world, name, write, content_type
):
    data = write(
        {"Angebote": [["Angebot", "Träger", "PLZ"], ["Krabbelgruppe & Café", "AWO", 59227]]}
    )
    upload = SimpleUploadedFile(name, data, content_type)
    response = editor_client.post(upload_url(world), {"file": upload})
    assert response.status_code == 302
    page = editor_client.get(response["Location"]).content.decode()
    assert "Keine Probleme gefunden." in page
    editor_client.post(response["Location"])
    service = Service.objects.get()
    assert service.name == "Krabbelgruppe & Café"
    assert service.service_at_locations.get().location.postal_code == "59227"


def test_a_valid_file_is_checked_then_imported_on_confirmation(editor_client, world):
    upload = csv_file(
        [
            ["Angebot", "Träger", "Ort"],
            ["Spielgruppe", "AWO", "Altstadt"],
            ["Lesen", "Bücherei", ""],
        ]
    )
    response = editor_client.post(upload_url(world), {"file": upload})
    assert response.status_code == 302
    review = response["Location"]
    assert "/angebote/import/pruefen/" in review
    assert not Service.objects.exists()
    page = editor_client.get(review).content.decode()
    assert "Keine Probleme gefunden." in page
    assert "Neue Angebote" in page
    response = editor_client.post(review, follow=True)
    assert set(Service.objects.values_list("name", flat=True)) == {"Spielgruppe", "Lesen"}
    assert "2 Angebot(e) angelegt" in response.content.decode()
    # The stored file is gone after the import: the link can't import twice.
    assert editor_client.post(review).status_code == 404
    assert Service.objects.count() == 2


def test_problems_are_listed_and_block_the_import_unless_skipped(editor_client, world):
    upload = csv_file(
        [
            ["Angebot", "Träger", "Breitengrad", "Längengrad"],
            ["Gut", "T", "", ""],
            ["Paris", "T", "48,85", "2,35"],
        ]
    )
    review = editor_client.post(upload_url(world), {"file": upload})["Location"]
    page = editor_client.get(review).content.decode()
    assert "1 Problem" in page
    assert "2,35 liegt außerhalb Deutschlands (erlaubt: 5,8 bis 15,1)." in page
    assert "<td>3</td>" in page and "<td>Längengrad</td>" in page
    response = editor_client.post(review)
    assert response.status_code == 400
    assert "Es wurde nichts importiert" in response.content.decode()
    assert not Service.objects.exists()
    editor_client.post(review, {"skip_invalid": "1"})
    assert list(Service.objects.values_list("name", flat=True)) == ["Gut"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "keine Tabelle, sondern eine PNG-Datei"),
        (b"", "Die übertragene Datei ist leer."),
        (b"Angebot;Tr\xe4ger\nK\x81che;X", "Zeichenkodierung"),
    ],
)
def test_a_bad_file_is_refused_on_the_upload_page(editor_client, world, content, message):
    response = editor_client.post(
        upload_url(world), {"file": SimpleUploadedFile("angebote.csv", content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    # in German words, not Python's ("Expecting value", "File is not a zip file")
    assert "Expecting" not in response.content.decode()
    assert "is not a zip" not in response.content.decode()
    assert not Service.objects.exists()


@override_settings(KETTE_IMPORT_MAX_BYTES=1024)
def test_a_file_above_the_limit_is_refused_before_reading(editor_client, world):
    response = editor_client.post(
        upload_url(world),
        {"file": SimpleUploadedFile("gross.csv", b"Angebot;Tr\xc3\xa4ger\n" * 200)},
    )
    assert "höchstens 0,0 MB" in response.content.decode()


def test_missing_required_columns_show_on_the_report(editor_client, world):
    review = editor_client.post(upload_url(world), {"file": csv_file([["Titel"], ["X"]])})[
        "Location"
    ]
    page = editor_client.get(review).content.decode()
    assert "Pflichtspalten fehlen: „Angebot“, „Träger“." in page
    assert "Jetzt importieren" not in page


def test_an_upload_token_works_only_for_its_uploader_and_municipality(client, world):
    token = upload_store.store(
        b"Angebot;Tr\xc3\xa4ger\nA;B\n",
        municipality_id=world.a.pk,
        user_id=0,
        filename="a.csv",
        kind="directory.offers",
    )
    client.force_login(factories.user_with_role(Role.COORDINATOR, world.a, username="k2"))
    url = reverse("directory_import:review", args=[world.a.slug, token])
    assert client.get(url).status_code == 404
    tampered = signing.dumps({"f": "../../etc/passwd", "m": world.a.pk, "u": 0}, salt="x")
    assert (
        client.get(reverse("directory_import:review", args=[world.a.slug, tampered])).status_code
        == 404
    )
    assert client.post(url).status_code == 404
    assert not Service.objects.exists()


def test_template_and_export_downloads(editor_client, world):
    response = editor_client.get(reverse("directory_import:template_csv", args=[world.a.slug]))
    assert response["Content-Disposition"] == 'attachment; filename="angebote-vorlage.csv"'
    assert response.content.decode("utf-8-sig").strip() == ";".join(tabular.HEADERS)
    response = editor_client.get(reverse("directory_import:template_xlsx", args=[world.a.slug]))
    assert response.content.startswith(b"PK")
    response = editor_client.get(reverse("directory_import:export_csv", args=[world.a.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig").splitlines()[0] == ";".join(tabular.HEADERS)
    response = editor_client.get(reverse("directory_import:export_xlsx", args=[world.a.slug]))
    assert response.status_code == 200 and response.content.startswith(b"PK")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.COORDINATOR, True),
        (Role.EDITOR, True),
        (Role.PROVIDER, False),
        (Role.VIEWER, False),
    ],
)
def test_who_may_import_and_export(world, role, allowed):
    user = factories.user_with_role(role, world.a)
    assert user.has_perm("directory.import_offers", world.a) is allowed
    assert user.has_perm("directory.export_offers", world.a) is allowed
    assert user.has_perm("directory.import_offers", world.b) is False
    assert user.has_perm("directory.export_offers", world.b) is False


def test_programme_admins_may_import_and_staff_may_not(world):
    admin = factories.user_with_role(Role.PROGRAMME_ADMIN)
    staff = factories.user_with_role(Role.PROGRAMME_STAFF)
    assert admin.has_perm("directory.import_offers", world.a)
    assert admin.has_perm("directory.export_offers", world.a)
    assert not staff.has_perm("directory.import_offers", world.a)
    assert not staff.has_perm("directory.export_offers", world.a)
    assert not factories.UserFactory().has_perm("directory.import_offers", None)


def test_outsiders_are_turned_away(client, world):
    assert client.get(upload_url(world)).status_code == 302
    client.force_login(factories.user_with_role(Role.PROVIDER, world.a, username="p-a"))
    assert client.get(upload_url(world)).status_code == 403
    assert (
        client.get(reverse("directory_import:export_csv", args=[world.a.slug])).status_code == 403
    )


# --- HSDS download -----------------------------------------------------------


@pytest.fixture
def hsds_offers(world):
    from kette.directory.models import Contact, ServiceStatus
    from kette.directory.tests.factories import OrganizationFactory, ServiceFactory

    provider = OrganizationFactory(municipality=world.a, name="Familienzentrum Nord")
    published = ServiceFactory(organization=provider, name="Elterncafé")
    draft = ServiceFactory(organization=provider, name="Babymassage", status=ServiceStatus.DRAFT)
    Contact.objects.create(municipality=world.a, service=published, name="Frau Beispiel")
    ServiceFactory(organization=OrganizationFactory(municipality=world.b), name="Bergdorf-Kurs")
    return published, draft


def hsds_url(world, **params):
    from urllib.parse import urlencode

    url = reverse("directory_import:export_hsds", args=[world.a.slug])
    return f"{url}?{urlencode(params)}" if params else url


def test_the_upload_page_offers_the_hsds_download_and_contacts_only_to_coordinators(
    editor_client, client, world, coordinator
):
    page = editor_client.get(upload_url(world)).content.decode()
    assert f'action="{hsds_url(world)}"' in page
    assert "Alle Angebote als Open Referral HSDS 3.0" in page
    assert 'name="include_unpublished"' in page
    assert 'name="include_contacts"' not in page
    client.force_login(coordinator)
    assert 'name="include_contacts"' in client.get(upload_url(world)).content.decode()


def test_hsds_json_download_holds_the_published_offers_valid_against_the_schema(
    editor_client, world, hsds_offers
):
    from kette.directory import hsds_validation

    response = editor_client.get(hsds_url(world, format="json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="angebote-altstadt-hsds-'
    )
    assert response.streaming  # written as the offers are read
    services = json.loads(response.getvalue())
    assert [s["name"] for s in services] == ["Elterncafé"]  # no draft, no other town
    assert "contacts" not in services[0]
    assert all(hsds_validation.errors(s) == [] for s in services)
    everything = json.loads(
        editor_client.get(hsds_url(world, format="json", include_unpublished="on")).getvalue()
    )
    assert sorted(s["name"] for s in everything) == ["Babymassage", "Elterncafé"]


def test_hsds_data_package_download_reads_back_as_the_json_download(
    editor_client, world, hsds_offers, tmp_path
):
    from kette.directory import hsds_import, hsds_tabular

    params = {"include_unpublished": "on"}
    response = editor_client.get(hsds_url(world, format="datapackage", **params))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('.zip"')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        assert "datapackage.json" in names and "services.csv" in names
        assert all("/" not in name for name in names)
        archive.extractall(tmp_path)
    as_json = json.loads(editor_client.get(hsds_url(world, format="json", **params)).getvalue())
    assert hsds_tabular.read_package(tmp_path) == as_json
    assert hsds_import.load_bytes(response.content, "paket.zip") == as_json


def test_named_contacts_go_into_the_hsds_download_for_coordinators_only(
    editor_client, client, world, coordinator, hsds_offers
):
    response = editor_client.get(hsds_url(world, format="json", include_contacts="on"))
    assert response.status_code == 403
    assert "Nur die Koordination" in response.content.decode()
    client.force_login(coordinator)
    services = json.loads(
        client.get(hsds_url(world, format="json", include_contacts="on")).getvalue()
    )
    assert [c["name"] for c in services[0]["contacts"]] == ["Frau Beispiel"]


def test_hsds_download_refuses_a_bad_format_and_users_without_the_right(
    editor_client, client, world, hsds_offers
):
    response = editor_client.get(hsds_url(world, format="xml"))
    assert response.status_code == 400
    assert "JSON oder Datenpaket" in response.content.decode()
    client.force_login(factories.user_with_role(Role.PROVIDER, world.a, username="traeger-a"))
    assert client.get(hsds_url(world, format="json")).status_code == 403
    client.logout()
    response = client.get(hsds_url(world, format="json"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- HSDS upload ---------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parent / "hsds_examples"


def hsds_upload_url(world):
    return reverse("directory_import:hsds_upload", args=[world.a.slug])


def hsds_file(data, name="angebote.json"):
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, "application/json")


def test_an_hsds_file_is_checked_then_imported_on_confirmation_and_again_changes_nothing(
    editor_client, world
):
    example = (EXAMPLES / "service_full.json").read_bytes()
    page = editor_client.get(upload_url(world)).content.decode()
    assert f'href="{hsds_upload_url(world)}"' in page
    response = editor_client.post(hsds_upload_url(world), {"file": hsds_file(example)})
    assert response.status_code == 302
    review = response["Location"]
    assert "/angebote/import/hsds/pruefen/" in review
    page = editor_client.get(review).content.decode()
    assert not Service.objects.exists()  # the check was rolled back
    assert "Keine Probleme gefunden." in page
    assert "<dt>Neue Angebote</dt> <dd> 1 </dd>" in re.sub(r"\s+", " ", page)
    assert "HSDS-Felder, die kette nicht abbildet" in page  # the example has some
    response = editor_client.post(review)
    assert response.status_code == 302
    assert response["Location"] == hsds_upload_url(world)
    service = Service.objects.get()
    assert service.municipality == world.a
    assert str(service.id_hsds) == json.loads(example)["id"]
    message = editor_client.get(response["Location"]).content.decode()
    assert "1 Angebot(e) angelegt" in message
    again = editor_client.post(hsds_upload_url(world), {"file": hsds_file(example)})
    page = editor_client.get(again["Location"]).content.decode()
    assert "Die Datei ändert nichts" in page
    assert "Jetzt importieren" not in page


def test_an_hsds_file_with_an_invalid_offer_shows_object_path_and_reason_and_imports_nothing(
    editor_client, world
):
    services = json.loads((EXAMPLES / "service_list.json").read_text())["contents"]
    broken = [dict(services[0]), {**services[0], "id": "kein-uuid", "status": "maybe"}]
    response = editor_client.post(hsds_upload_url(world), {"file": hsds_file(broken)})
    review = response["Location"]
    page = editor_client.get(review).content.decode()
    assert "Nichts kann importiert werden" in page
    assert "<td>1</td>" not in page and "<td>2</td>" in page  # the second offer only
    assert "<code>status</code>" in page and "„maybe“ ist keiner der Werte" in page
    assert "<code>id</code>" in page and "„kein-uuid“ ist keine gültige uuid" in page
    assert "Jetzt importieren" not in page
    response = editor_client.post(review)  # confirming anyway
    assert response.status_code == 400
    assert "Nichts wurde importiert" in response.content.decode()
    assert not Service.objects.exists()


def test_an_impossible_date_in_an_hsds_file_is_shown_on_the_review_page(editor_client, world):
    services = json.loads((EXAMPLES / "service_list.json").read_text())["contents"]
    broken = [{**services[0], "assured_date": "2026-02-30"}]
    response = editor_client.post(hsds_upload_url(world), {"file": hsds_file(broken)})
    page = editor_client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "<code>assured_date</code>" in text and "„2026-02-30“ ist kein Datum" in text
    assert "Jetzt importieren" not in text


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "leer.json", "Die übertragene Datei ist leer."),
        (b"  \n", "leer.json", "Die Datei ist leer."),
        (b"\x00\x01\x02 binary", "bild.json", "ist keine JSON-Datei"),
        (
            b"{not json",
            "kaputt.json",
            "ist keine JSON-Datei: der Fehler steht in Zeile 1, Spalte 2",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "tief.json", "sie ist zu tief verschachtelt"),
        ("\n\n[{]".encode("utf-16"), "utf16.json", "sie ist nicht in UTF-8 kodiert"),
        (b"[]", "leer.json", "Die Datei enthält keine HSDS-Angebote."),
        (b'{"contents": []}', "seite.json", "Die Datei enthält keine HSDS-Angebote."),
        ("zip-without-descriptor", "paket.zip", "datapackage.json fehlt"),
        ("zip-with-escape", "paket.zip", "unzulässige Pfade"),
        ("zip-with-huge-field", "paket.zip", "services.csv ist keine lesbare CSV-Datei"),
        (b"PK\x05\x06 abgeschnitten", "paket.zip", "Die ZIP-Datei ist beschädigt"),
        (b"kein zip", "paket.zip", "Die ZIP-Datei ist beschädigt"),
        (
            (EXAMPLES / "taxonomy_term_list.json").read_bytes(),
            "begriffe.json",
            "kein Objekt hat den „status“, den jedes Angebot hat",
        ),
    ],
)
def test_unreadable_hsds_files_end_in_a_clear_message(editor_client, world, content, name, message):
    if content == "zip-without-descriptor":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("services.csv", "id,name\n")
        content = buffer.getvalue()
    elif content == "zip-with-huge-field":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("datapackage.json", "{}")
            archive.writestr("services.csv", "id,name\n" + "x" * 200_000 + ",Kurs\n")
        content = buffer.getvalue()
    elif content == "zip-with-escape":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("datapackage.json", "{}")
            archive.writestr("../../evil.csv", "x")
        content = buffer.getvalue()
    # Python's default field limit: frictionless, imported by other tests, raises
    # it for the whole process.
    limit = csv.field_size_limit(131_072)
    try:
        response = editor_client.post(hsds_upload_url(world), {"file": hsds_file(content, name)})
    finally:
        csv.field_size_limit(limit)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Service.objects.exists()


def test_an_hsds_data_package_zip_from_the_download_imports_into_another_town(
    client, world, coordinator, hsds_offers
):
    client.force_login(coordinator)
    package = client.get(hsds_url(world, format="datapackage")).content
    client.force_login(factories.user_with_role(Role.COORDINATOR, world.b, username="koord-b"))
    url = reverse("directory_import:hsds_upload", args=[world.b.slug])
    response = client.post(url, {"file": hsds_file(package, "paket.zip")})
    assert response.status_code == 302, response.content.decode()
    page = client.get(response["Location"]).content.decode()
    assert "Keine Probleme gefunden." not in page  # the ids belong to Altstadt
    assert "gehört zu einer anderen Kommune" in page
    assert not Service.objects.filter(municipality=world.b, name="Elterncafé").exists()


def test_the_hsds_upload_needs_the_import_right_and_its_own_upload(client, world, editor_client):
    example = (EXAMPLES / "service_full.json").read_bytes()
    response = editor_client.post(hsds_upload_url(world), {"file": hsds_file(example)})
    review = response["Location"]
    client.force_login(factories.user_with_role(Role.PROVIDER, world.a, username="traeger-a"))
    assert client.get(hsds_upload_url(world)).status_code == 403
    client.force_login(factories.user_with_role(Role.EDITOR, world.a, username="red-a2"))
    assert client.get(review).status_code == 404  # another user's upload
