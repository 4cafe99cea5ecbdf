"""The steering-structure, network and people pages as the roles see them."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kette.core.models import Role
from kette.directory.services import organization_update
from kette.directory.tests.factories import OrganizationFactory
from kette.network import services
from kette.network.models import CooperationKind
from kette.testing import factories
from kette.testing.spreadsheets import xls_bytes

pytestmark = pytest.mark.django_db


def _login(client, role, municipality, name):
    user = factories.user_with_role(role, municipality, username=name)
    client.force_login(user)
    return user


def test_structure_page_shows_nested_bodies_measures_and_diagram(client, world, structure):
    _login(client, Role.VIEWER, world.a, "lesen")
    response = client.get(reverse("network:structure", args=[world.a.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Steuerungsstruktur in Altstadt" in html
    assert html.index("Lenkungskreis") < html.index("AG Frühe Kindheit")
    assert "Intersektoralität" in html and "Hochrangigkeit" in html and "Fachlichkeit" in html
    # two sectors of 14 with one member each: (1 − 2·¼) / (1 − 1/14) = 0,54
    assert "0,54" in html
    assert "Es fehlen die Kernsektoren" in html and "Schule/Bildung" in html
    assert "100 %" in html  # both steering-group members at leadership level
    assert "<svg" in html and "Kinder- und Jugendhilfe: 1" in html
    assert "Erika Beispiel" in html  # a viewer of the municipality sees names
    assert "erika@example.org" not in html  # contact data only on the people page


def test_providers_and_the_coordination_office_see_functions_not_names(client, world, structure):
    _login(client, Role.PROVIDER, world.a, "traeger")
    html = client.get(reverse("network:structure", args=[world.a.slug])).content.decode()
    assert "Amtsleitung Jugendamt" in html
    assert "Erika Beispiel" not in html
    assert client.get(reverse("network:people", args=[world.a.slug])).status_code == 403
    staff = factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks")
    client.force_login(staff)
    html = client.get(reverse("network:structure", args=[world.a.slug])).content.decode()
    assert "Erika Beispiel" not in html
    assert client.get(reverse("network:people", args=[world.a.slug])).status_code == 403


def test_people_page_lists_contact_data_for_municipality_roles(client, world, structure):
    _login(client, Role.EDITOR, world.a, "redaktion")
    html = client.get(reverse("network:people", args=[world.a.slug])).content.decode()
    assert "Erika Beispiel" in html and "erika@example.org" in html and "0221 12345" in html
    assert "öffentliche Aufgabe" in html


def test_network_page_tables_measures_and_filters(client, world, structure):
    _login(client, Role.COORDINATOR, world.a, "koord")
    url = reverse("network:network", args=[world.a.slug])
    html = client.get(url).content.decode()
    assert "Kooperationsnetzwerk in Altstadt" in html
    assert "schriftliche Vereinbarung" in html and "informeller Austausch" in html
    assert "Jugendamt ist eine Schlüsselstelle" in html
    assert "<svg" in html
    response = client.get(url, {"art": "agreement"})
    assert response.context["measures"].edges == 1
    response = client.get(url, {"gremium": structure["steering"].pk})
    assert set(response.context["analysis"].organizations) == {
        structure["youth"].pk,
        structure["health"].pk,
    }
    bildung = structure["school"].network_profile.sector
    response = client.get(url, {"sektor": [bildung.pk]})
    assert response.context["measures"].nodes == 1
    response = client.get(url, {"stichtag": "2000-01-01"})
    assert response.context["day"] == dt.date(2000, 1, 1)


def test_bad_filter_input_gets_a_german_message_not_an_error(client, world, structure):
    _login(client, Role.COORDINATOR, world.a, "koord")
    url = reverse("network:network", args=[world.a.slug])
    response = client.get(url, {"stichtag": "gestern", "art": "gibtsnicht", "gremium": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bitte prüfen Sie Ihre Eingaben" in html
    assert "Gültiges Datum" in html or "gültiges Datum" in html
    response = client.get(reverse("network:structure", args=[world.a.slug]), {"stichtag": "31.02."})
    assert response.status_code == 200


def test_the_drawing_is_deterministic(client, world, structure):
    _login(client, Role.COORDINATOR, world.a, "koord")
    url = reverse("network:network", args=[world.a.slug])
    first = client.get(url, {"stichtag": "2026-06-01"}).content
    second = client.get(url, {"stichtag": "2026-06-01"}).content
    assert first.split(b"<svg class")[1] == second.split(b"<svg class")[1]


def test_outsiders_are_refused(client, world, structure):
    _login(client, Role.COORDINATOR, world.b, "koord-b")
    for name in ("structure", "network", "people"):
        assert client.get(reverse(f"network:{name}", args=[world.a.slug])).status_code == 403
    client.logout()
    response = client.get(reverse("network:structure", args=[world.a.slug]))
    assert response.status_code == 302 and "/konto/" in response["Location"]


def test_comparison_between_two_days(client, world, structure):
    later = OrganizationFactory(municipality=world.a, name="Jobcenter")
    services.cooperation_create(
        actor=None,
        organization_a=structure["youth"],
        organization_b=later,
        kind=CooperationKind.AGREEMENT,
        valid_from=dt.date(2026, 3, 1),
    )
    _login(client, Role.COORDINATOR, world.a, "koord")
    response = client.get(
        reverse("network:network", args=[world.a.slug]),
        {"stichtag": "2026-06-01", "vergleich": "2026-01-01"},
    )
    rows = {label: (old, new, diff) for label, old, new, diff in response.context["comparison"]}
    assert rows["Kooperationen (Paare)"] == (2, 3, 1)
    assert rows["Organisationen ohne Kooperation"] == (1, 0, -1)
    html = response.content.decode()
    assert "Veränderung vom 01.01.2026 zum 01.06.2026" in html
    assert "+1" in html and "−1" in html


def test_graph_exports_carry_the_filtered_network(client, world, structure):
    import networkx as nx

    midwife = OrganizationFactory(municipality=world.a, name="Hebammenpraxis")
    services.cooperation_create(
        actor=None,
        organization_a=structure["health"],
        organization_b=midwife,
        kind=CooperationKind.REFERRAL,
    )
    _login(client, Role.VIEWER, world.a, "lesen")
    base = f"/k/{world.a.slug}/netzwerk/"
    response = client.get(base + "kooperationen.graphml", {"art": "agreement"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    graph = nx.parse_graphml(response.content.decode())
    assert graph.number_of_edges() == 1
    labels = {data["label"] for _node, data in graph.nodes(data=True)}
    assert {"Jugendamt", "Gesundheitsamt", "Grundschule Nord"} <= labels
    gexf = client.get(base + "kooperationen.gexf").content.decode()
    assert "<gexf" in gexf and "Grundschule Nord" in gexf
    nodes = client.get(base + "knoten.csv").content.decode()
    assert nodes.splitlines()[0].startswith("ID;Organisation;Sektor")
    # betweenness 2/3 with a decimal comma, as the German headings and ";" promise
    assert "Jugendamt;Kinder- und Jugendhilfe;2;0,666667;" in nodes
    edges = client.get(base + "kanten.csv").content.decode()
    assert len(edges.splitlines()) == 4 and "schriftliche Vereinbarung" in edges
    # No person appears in any graph file.
    assert "Erika Beispiel" not in gexf + nodes + edges


def test_pages_use_a_fixed_number_of_queries(client, world, structure):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _login(client, Role.VIEWER, world.a, "lesen")
    urls = [
        reverse("network:structure", args=[world.a.slug]),
        reverse("network:network", args=[world.a.slug]),
    ]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    before = counts()
    for number in range(3):
        body = services.body_create(
            actor=None,
            municipality=world.a,
            name=f"AG {number}",
            kind="working_group",
            parent=structure["steering"],
        )
        org = OrganizationFactory(municipality=world.a, name=f"Verein {number}")
        services.body_membership_add(actor=None, body=body, organization=org)
        person = services.person_create(
            actor=None, municipality=world.a, name=f"P {number}", organization=org
        )
        services.body_membership_add(actor=None, body=body, person=person)
        services.cooperation_create(
            actor=None, organization_a=org, organization_b=structure["school"], kind="informal"
        )
    assert counts() == before


def test_upload_checks_first_and_then_imports(client, world, structure, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kette.network.models import Cooperation

    _login(client, Role.EDITOR, world.a, "redaktion")
    url = reverse("network:import", args=[world.a.slug])
    assert "Import und Export" in client.get(url).content.decode()
    bad = "Organisation A;Organisation B;Art;Stärke\nJugendamt;Gesundheitsamt;informal;7\n"
    response = client.post(
        url,
        {"kind": "ties", "file": SimpleUploadedFile("k.csv", bad.encode()), "dry_run": ""},
    )
    html = response.content.decode()
    assert "Die Datei wurde nicht eingelesen" in html
    assert "Zeile 2, Spalte „Stärke“: Die Stärke ist 1, 2 oder 3." in html
    good = "Organisation A;Organisation B;Art;Stärke\nGesundheitsamt;Grundschule Nord;informal;1\n"
    before = Cooperation.objects.count()
    response = client.post(
        url,
        {"kind": "ties", "file": SimpleUploadedFile("k.csv", good.encode()), "dry_run": "on"},
        follow=True,
    )
    assert (
        "Probelauf: 1 Zeile geprüft, ohne Fehler. Beim Einlesen: 1 neu angelegt, "
        "0 aktualisiert, 0 unverändert." in response.content.decode()
    )
    assert Cooperation.objects.count() == before
    workbook = xls_bytes({"Kooperationen": [line.split(";") for line in good.splitlines()]})
    response = client.post(
        url,
        {"kind": "ties", "file": SimpleUploadedFile("k.xls", workbook), "dry_run": "on"},
        follow=True,
    )
    assert "Probelauf: 1 Zeile geprüft" in response.content.decode()  # Excel 97–2003
    response = client.post(
        url, {"kind": "ties", "file": SimpleUploadedFile("k.csv", good.encode())}, follow=True
    )
    assert "1 Zeile eingelesen: 1 neu angelegt" in response.content.decode()
    assert Cooperation.objects.count() == before + 1
    response = client.post(url, {"kind": "ties", "file": SimpleUploadedFile("k.pdf", b"%PDF")})
    assert "Bitte eine CSV-, XLSX-, ODS- oder XLS-Datei hochladen." in response.content.decode()
    response = client.post(
        url, {"kind": "ties", "file": SimpleUploadedFile("k.csv", good.encode())}, follow=True
    )
    assert "1 Zeile eingelesen: 0 neu angelegt, 0 aktualisiert, 1 unverändert" in (
        response.content.decode()
    )
    settings.KETTE_IMPORT_MAX_BYTES = 1024 * 1024  # the limit of every import
    big = SimpleUploadedFile("k.csv", good.encode() + b" " * 1024 * 1024)
    response = client.post(url, {"kind": "ties", "file": big})
    assert "Die Datei ist 1,0 MB groß; höchstens 1,0 MB können auf einmal" in (
        response.content.decode()
    )


def test_data_export_is_pseudonymised_unless_names_are_asked_for(client, world, structure):
    _login(client, Role.VIEWER, world.a, "lesen")
    url = reverse("network:export", args=[world.a.slug])
    text = client.get(url, {"art": "people", "format": "csv"}).content.decode("utf-8-sig")
    assert text.startswith("Name;Funktion;Organisation")
    assert "Erika Beispiel" not in text and "erika@example.org" not in text
    named = client.get(url, {"art": "people", "format": "csv", "namen": "1"})
    assert "erika@example.org" in named.content.decode("utf-8-sig")
    xlsx = client.get(url, {"art": "ties"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(url, {"art": "passwörter"}).status_code == 404
    client.force_login(factories.user_with_role(Role.PROVIDER, world.a, username="t"))
    assert client.get(url, {"art": "people", "format": "csv"}).status_code == 403
    assert client.get(reverse("network:import", args=[world.a.slug])).status_code == 403


def _sector_post(sectors, **changes):
    data = {"form-TOTAL_FORMS": str(len(sectors)), "form-INITIAL_FORMS": str(len(sectors))}
    for i, sector in enumerate(sectors):
        data[f"form-{i}-name"] = sector.name
        data[f"form-{i}-color"] = sector.color
        if sector.is_core:
            data[f"form-{i}-is_core"] = "on"
    data.update(changes)
    return data


def test_coordinator_adjusts_the_sector_set(client, world):
    from kette.network.models import Sector

    coordinator = _login(client, Role.COORDINATOR, world.a, "koord")
    url = reverse("network:sectors", args=[world.a.slug])
    assert "Sektoren in Altstadt" in client.get(url).content.decode()
    sectors = list(Sector.objects.for_municipality(world.a))
    assert len(sectors) == 14  # the defaults, created on first visit
    kita = next(i for i, s in enumerate(sectors) if s.code == "kita")
    response = client.post(
        url,
        _sector_post(
            sectors, **{f"form-{kita}-name": "Kindertagesbetreuung", f"form-{kita}-is_core": "on"}
        ),
        follow=True,
    )
    assert "Die Sektoren wurden gespeichert." in response.content.decode()
    changed = Sector.objects.get(pk=sectors[kita].pk)
    assert (changed.name, changed.is_core) == ("Kindertagesbetreuung", True)
    assert changed.history.first().history_user == coordinator

    too_light = client.post(url, _sector_post(sectors, **{"form-0-color": "#ffff00"}))
    assert too_light.status_code == 400
    assert "Die Farbe ist zu hell" in too_light.content.decode()
    twice = client.post(url, _sector_post(sectors, **{"form-1-name": sectors[0].name}))
    assert "Jeder Sektor braucht einen eigenen Namen." in twice.content.decode()
    assert Sector.objects.get(pk=sectors[0].pk).color == sectors[0].color


def test_editors_cannot_change_sectors(client, world):
    _login(client, Role.EDITOR, world.a, "redaktion")
    assert client.get(reverse("network:sectors", args=[world.a.slug])).status_code == 403


def test_network_files_for_spreadsheets_carry_no_formula(client, world, structure):
    """Organisation names are typed by providers; in knoten.csv, kanten.csv and the
    data export a name that starts like a formula stays text."""
    evil = '=HYPERLINK("https://evil.example";"Details")'
    organization_update(actor=None, organization=structure["school"], name=evil)
    _login(client, Role.VIEWER, world.a, "lesen")
    base = f"/k/{world.a.slug}/netzwerk/"
    for name in ("knoten.csv", "kanten.csv"):
        text = client.get(base + name).content.decode()
        cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
        assert "'" + evil in cells, name
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))], name
    url = reverse("network:export", args=[world.a.slug])
    workbook = client.get(url, {"art": "ties"}).content
    sheet = load_workbook(io.BytesIO(workbook)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert "'" + evil in {cell.value for cell in cells}


def test_a_body_without_members_shows_no_measures(client, world, structure):
    """Intersectorality "0,00" and seniority "–" for a body nobody sits in read
    as findings; the card says that it has no members instead."""
    services.body_create(
        actor=None, municipality=world.a, name="AG Übergang Schule–Beruf", kind="working_group"
    )
    _login(client, Role.VIEWER, world.a, "lesen")
    html = client.get(reverse("network:structure", args=[world.a.slug])).content.decode()
    card = html[html.index("AG Übergang Schule–Beruf") :]
    card = card[: card.index("</article>")]
    assert "Zum Stichtag keine Mitglieder." in card
    assert "Intersektoralität" not in card and "0,00" not in card
