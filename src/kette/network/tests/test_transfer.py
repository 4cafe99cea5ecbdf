"""CSV/XLSX import and export of the actor network."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from kette.directory.models import Organization
from kette.directory.tests.factories import OrganizationFactory
from kette.network import services, transfer
from kette.network.models import (
    ActorProfile,
    Body,
    BodyKind,
    BodyMembership,
    Cooperation,
    Level,
    Person,
    Sector,
)
from kette.testing import factories
from kette.testing.spreadsheets import ods_bytes, xls_bytes

pytestmark = pytest.mark.django_db


def _csv(tmp_path, text, name="daten.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(world, kind, path):
    """The problems of importing `path` into municipality A, which refuses it."""
    with pytest.raises(transfer.ImportRejected) as caught:
        transfer.import_file(actor=None, municipality=world.a, kind=kind, path=path)
    return caught.value.problems


@pytest.fixture
def orgs(world):
    return {
        name: OrganizationFactory(municipality=world.a, name=name)
        for name in ("Jugendamt", "Gesundheitsamt", "Kita Regenbogen")
    }


def test_ties_import_creates_ties_and_is_idempotent(world, orgs, tmp_path):
    path = _csv(
        tmp_path,
        "Organisation A;Organisation B;Art;Stärke;von;bis;Anmerkung\n"
        "Jugendamt;Gesundheitsamt;schriftliche Vereinbarung;3;01.01.2024;;Kooperationsvertrag\n"
        "Jugendamt;Kita Regenbogen;referral;2;2024-03-01;31.12.2025;\n",
    )
    result = transfer.import_file(actor=None, municipality=world.a, kind="ties", path=path)
    assert (result.created, result.updated) == (2, 0)
    tie = Cooperation.objects.get(kind="agreement")
    assert (tie.strength, tie.valid_from) == (3, dt.date(2024, 1, 1))
    history = Cooperation.history.count()
    again = transfer.import_file(actor=None, municipality=world.a, kind="ties", path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Cooperation.objects.for_municipality(world.a).count() == 2
    assert Cooperation.history.count() == history  # nothing written, no history
    changed = _csv(tmp_path, path.read_text().replace(";3;", ";2;"), "changed.csv")
    third = transfer.import_file(actor=None, municipality=world.a, kind="ties", path=changed)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert Cooperation.objects.get(kind="agreement").strength == 2


def test_bad_ties_are_all_reported_in_german_and_nothing_is_written(world, orgs, tmp_path):
    OrganizationFactory(municipality=world.b, name="Jobcenter")
    path = _csv(
        tmp_path,
        "Organisation A;Organisation B;Art;Stärke;von;bis\n"
        "Jugendamt;Gesundheitsamt;informeller Austausch;2;;\n"
        "Jugendamt;Jugendamt;informal;2;;\n"
        "Jugendamt;Jobcenter;Freundschaft;5;31.02.2024;01.01.2020\n",
    )
    problems = _problems(world, "ties", path)
    messages = [str(p) for p in problems]
    assert (
        "Zeile 3, Spalte „Organisation B“: Eine Kooperation verbindet zwei verschiedene "
        "Organisationen." in messages
    )
    # Another municipality's organisation is unknown here.
    assert (
        "Zeile 4, Spalte „Organisation B“: Die Organisation „Jobcenter“ ist nicht erfasst."
        in messages
    )
    assert any(
        m.startswith("Zeile 4, Spalte „Art“: „Freundschaft“ ist kein gültiger Wert")
        for m in messages
    )
    assert "Zeile 4, Spalte „Stärke“: Die Stärke ist 1, 2 oder 3." in messages
    assert any(m.startswith("Zeile 4, Spalte „von“: „31.02.2024“ ist kein Datum") for m in messages)
    assert Cooperation.objects.count() == 0  # the valid first row was not written either
    assert Sector.objects.for_municipality(world.a).count() == 0  # nor the default sectors


def test_missing_and_unknown_columns_are_named(world, tmp_path):
    path = _csv(tmp_path, "Organisation A;Typ\nJugendamt;x\n")
    problems = _problems(world, "ties", path)
    messages = [str(p) for p in problems]
    assert "Zeile 1, Spalte „Art“: Die Spalte fehlt." in messages
    assert any(m.startswith("Zeile 1, Spalte „Typ“: Unbekannte Spalte") for m in messages)


def test_organizations_people_and_memberships_build_the_structure(world, orgs, tmp_path):
    transfer.import_file(
        actor=None,
        municipality=world.a,
        kind="organizations",
        path=_csv(
            tmp_path,
            "Name;Sektor\nJugendamt;Kinder- und Jugendhilfe\nJobcenter Altstadt;arbeit\n",
            "orgs.csv",
        ),
    )
    jobcenter = Organization.objects.get(municipality=world.a, name="Jobcenter Altstadt")
    assert jobcenter.network_profile.sector.code == "arbeit"
    assert orgs["Jugendamt"].network_profile.sector.code == "jugendhilfe"

    transfer.import_file(
        actor=None,
        municipality=world.a,
        kind="people",
        path=_csv(
            tmp_path,
            "Name;Funktion;Organisation;Ebene;E-Mail;Telefon;Rechtsgrundlage\n"
            "Erika Beispiel;Amtsleitung;Jugendamt;Leitungsebene;erika@example.org;0221 1;\n",
            "people.csv",
        ),
    )
    person = Person.objects.get(municipality=world.a, name="Erika Beispiel")
    assert person.level == Level.LEADERSHIP and person.organization == orgs["Jugendamt"]

    result = transfer.import_file(
        actor=None,
        municipality=world.a,
        kind="memberships",
        path=_csv(
            tmp_path,
            "Gremium;Art des Gremiums;Übergeordnetes Gremium;Person;Organisation;Rolle;Ebene;"
            "von;bis\n"
            "AG Frühe Kindheit;Arbeitsgruppe;Lenkungskreis;;Kita Regenbogen;Mitglied;"
            "operational;;\n"
            "Lenkungskreis;Steuerungsgruppe;;Erika Beispiel;;Vorsitz;;01.01.2024;\n",
            "members.csv",
        ),
    )
    assert result.created == 2
    steering = Body.objects.get(municipality=world.a, name="Lenkungskreis")
    assert steering.kind == BodyKind.STEERING_GROUP
    assert Body.objects.get(name="AG Frühe Kindheit").parent == steering
    chair = BodyMembership.objects.get(body=steering)
    assert (chair.person, chair.role, chair.level) == (person, "chair", Level.LEADERSHIP)

    # the same files again: every row as recorded, nothing written
    histories = [ActorProfile.history, Person.history, BodyMembership.history, Body.history]
    before = [history.count() for history in histories]
    for kind, name, rows in (
        ("organizations", "orgs.csv", 2),
        ("people", "people.csv", 1),
        ("memberships", "members.csv", 2),
    ):
        again = transfer.import_file(
            actor=None, municipality=world.a, kind=kind, path=tmp_path / name
        )
        assert (again.created, again.updated, again.unchanged) == (0, 0, rows), kind
    assert [history.count() for history in histories] == before


def test_membership_problems(world, orgs, tmp_path):
    path = _csv(
        tmp_path,
        "Gremium;Übergeordnetes Gremium;Person;Organisation\n"
        "AG A;AG B;Niemand;\n"
        "AG B;AG A;;Jugendamt\n"
        ";;;Gesundheitsamt\n",
    )
    problems = _problems(world, "memberships", path)
    messages = [str(p) for p in problems]
    assert "Zeile 2, Spalte „Person“: Die Person „Niemand“ ist nicht erfasst." in messages
    assert any("sich selbst untergeordnet" in m for m in messages)
    assert "Zeile 4, Spalte „Gremium“: Pflichtangabe fehlt." in messages
    assert Body.objects.count() == 0


def test_dry_run_writes_nothing(world, orgs, tmp_path):
    path = _csv(tmp_path, "Organisation A;Organisation B;Art\nJugendamt;Gesundheitsamt;informal\n")
    result = transfer.import_file(
        actor=None, municipality=world.a, kind="ties", path=path, dry_run=True
    )
    assert result.created == 1 and result.dry_run
    assert Cooperation.objects.count() == 0


def test_xlsx_import_with_real_dates(world, orgs, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Organisation A", "Organisation B", "Art", "Stärke", "von"])
    sheet.append(["Jugendamt", "Gesundheitsamt", "gemeinsames Angebot", 1, dt.datetime(2025, 5, 1)])
    path = tmp_path / "ties.xlsx"
    workbook.save(path)
    transfer.import_file(actor=None, municipality=world.a, kind="ties", path=path)
    tie = Cooperation.objects.get()
    assert (tie.kind, tie.strength, tie.valid_from) == ("joint_offer", 1, dt.date(2025, 5, 1))


def test_broken_files_get_a_german_message(world, tmp_path):
    bad = tmp_path / "kaputt.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(transfer.ImportRejected, match=r"keine lesbare Excel-Datei \(\.xlsx\)"):
        transfer.import_file(actor=None, municipality=world.a, kind="ties", path=bad)
    bad = tmp_path / "kaputt.ods"
    bad.write_bytes(b"not a zip")
    with pytest.raises(transfer.ImportRejected, match=r"keine lesbare OpenDocument-Tabelle"):
        transfer.import_file(actor=None, municipality=world.a, kind="ties", path=bad)
    picture = tmp_path / "bild.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(transfer.ImportRejected, match="keine Tabelle, sondern eine PNG-Datei"):
        transfer.import_file(actor=None, municipality=world.a, kind="ties", path=picture)


def test_rows_keep_their_line_numbers_after_empty_rows(world, orgs, tmp_path):
    path = _csv(
        tmp_path,
        "Organisation A;Organisation B;Art\n"
        "Jugendamt;Gesundheitsamt;informeller Austausch\n"
        ";;\n"
        "\n"
        "Jugendamt;Jugendamt;informal\n"
        ";;\n",
    )
    problems = _problems(world, "ties", path)
    assert [p.row for p in problems] == [5]
    path = _csv(
        tmp_path, path.read_text().replace("Jugendamt;Jugendamt", "Kita Regenbogen;Jugendamt")
    )
    result = transfer.import_file(actor=None, municipality=world.a, kind="ties", path=path)
    assert (result.rows, result.created, Cooperation.objects.count()) == (2, 2, 2)


def test_csv_saved_by_excel_in_windows_1252_is_read(world, orgs, tmp_path):
    """Excel's "CSV (Trennzeichen-getrennt)" writes Windows-1252: the umlauts of
    the header ("Stärke") and of the kind must come through."""
    path = tmp_path / "ties.csv"
    text = "Organisation A;Organisation B;Art;Stärke;von\r\n"
    text += "Jugendamt;Gesundheitsamt;gemeinsames Angebot;3;01.05.2025\r\n"
    path.write_bytes(text.encode("cp1252"))
    transfer.import_file(actor=None, municipality=world.a, kind="ties", path=path)
    tie = Cooperation.objects.get()
    assert (tie.kind, tie.strength, tie.valid_from) == ("joint_offer", 3, dt.date(2025, 5, 1))


@pytest.mark.parametrize(("suffix", "write"), [("ods", ods_bytes), ("xls", xls_bytes)])
def test_workbook_import_of_ties(world, orgs, tmp_path, suffix, write):
    path = tmp_path / f"ties.{suffix}"
    path.write_bytes(
        write(
            {
                "Kooperationen": [
                    ["Organisation A", "Organisation B", "Art", "Stärke", "von"],
                    ["Jugendamt", "Gesundheitsamt", "gemeinsames Angebot", 2, dt.date(2025, 5, 1)],
                ]
            }
        )
    )
    transfer.import_file(actor=None, municipality=world.a, kind="ties", path=path)
    tie = Cooperation.objects.get()
    assert (tie.kind, tie.strength, tie.valid_from) == ("joint_offer", 2, dt.date(2025, 5, 1))


@pytest.fixture
def person(world, orgs):
    services.sectors_ensure_defaults(world.a)
    person = services.person_create(
        actor=None,
        municipality=world.a,
        name="Erika Beispiel",
        function="Amtsleitung",
        organization=orgs["Jugendamt"],
        email="erika@example.org",
        phone="0221 12345",
    )
    body = services.body_create(
        actor=None, municipality=world.a, name="Lenkungskreis", kind=BodyKind.STEERING_GROUP
    )
    services.body_membership_add(actor=None, body=body, person=person)
    return person


def test_exports_pseudonymise_people_by_default(world, person, tmp_path):
    path = tmp_path / "people.csv"
    call_command("export_network", "--municipality", world.a.slug, "--kind", "people", str(path))
    text = path.read_text(encoding="utf-8-sig")
    assert "Erika Beispiel" not in text and "erika@example.org" not in text
    assert "0221 12345" not in text
    alias = transfer.pseudonym(person)
    assert alias in text and alias.startswith("Person ")
    members = tmp_path / "members.xlsx"
    call_command(
        "export_network", "--municipality", world.a.slug, "--kind", "memberships", str(members)
    )
    rows = list(load_workbook(members).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Gremium", "Art des Gremiums", "Übergeordnetes Gremium", "Person")
    assert rows[1][3] == alias  # the same pseudonym joins the two files


def test_export_with_names_for_the_municipalitys_own_use(world, person, tmp_path):
    path = tmp_path / "people.csv"
    call_command(
        "export_network",
        "--municipality",
        world.a.slug,
        "--kind",
        "people",
        "--with-names",
        str(path),
    )
    text = path.read_text(encoding="utf-8-sig")
    assert "Erika Beispiel" in text and "erika@example.org" in text


def test_ties_round_trip_through_export_and_import(world, orgs, tmp_path):
    services.cooperation_create(
        actor=None,
        organization_a=orgs["Jugendamt"],
        organization_b=orgs["Gesundheitsamt"],
        kind="referral",
        strength=3,
        valid_from=dt.date(2024, 2, 1),
    )
    path = tmp_path / "ties.csv"
    call_command("export_network", "--municipality", world.a.slug, "--kind", "ties", str(path))
    Cooperation.objects.all().delete()
    out = io.StringIO()
    call_command(
        "import_network", str(path), "--municipality", world.a.slug, "--kind", "ties", stdout=out
    )
    assert out.getvalue().strip() == (
        "1 Zeile eingelesen: 1 neu angelegt, 0 aktualisiert, 0 unverändert."
    )
    tie = Cooperation.objects.get()
    assert (tie.kind, tie.strength, tie.valid_from) == ("referral", 3, dt.date(2024, 2, 1))


def test_import_command_reports_problems_and_fails(world, orgs, tmp_path, capsys):
    path = _csv(tmp_path, "Organisation A;Organisation B;Art\nJugendamt;Unbekannt;informal\n")
    with pytest.raises(CommandError, match="nichts gespeichert"):
        call_command("import_network", str(path), "--municipality", world.a.slug, "--kind", "ties")
    assert "Die Organisation „Unbekannt“ ist nicht erfasst." in capsys.readouterr().err
    with pytest.raises(CommandError, match="Kommune nicht gefunden"):
        call_command("import_network", str(path), "--municipality", "nirgendwo", "--kind", "ties")


def test_pseudonymised_memberships_round_trip(world, person, tmp_path):
    path = tmp_path / "members.csv"
    call_command(
        "export_network", "--municipality", world.a.slug, "--kind", "memberships", str(path)
    )
    assert "Erika Beispiel" not in path.read_text(encoding="utf-8-sig")
    BodyMembership.objects.all().delete()
    result = transfer.import_file(actor=None, municipality=world.a, kind="memberships", path=path)
    assert result.created == 1
    assert BodyMembership.objects.get().person == person


def test_choice_labels_parse_in_german_whatever_language_is_active(world, orgs, tmp_path):
    path = _csv(
        tmp_path,
        "Organisation A;Organisation B;Art;Stärke;von;bis;Anmerkung\n"
        "Jugendamt;Gesundheitsamt;schriftliche Vereinbarung;3;;;\n"
        "Jugendamt;Kita Regenbogen;informal exchange;1;;;\n",
    )
    with translation.override("en"):
        result = transfer.import_file(actor=None, municipality=world.a, kind="ties", path=path)
    assert result.created == 2
    kinds = set(Cooperation.objects.for_municipality(world.a).values_list("kind", flat=True))
    assert kinds == {"agreement", "informal"}


def test_memberships_import_changes_kind_and_parent_of_a_recorded_body(world, orgs, tmp_path):
    steering = services.body_create(
        actor=None, municipality=world.a, name="Lenkungskreis", kind=BodyKind.STEERING_GROUP
    )
    office = services.body_create(
        actor=None, municipality=world.a, name="Koordination", kind=BodyKind.FORUM
    )
    wg = services.body_create(
        actor=None, municipality=world.a, name="AG Kita", kind=BodyKind.WORKING_GROUP
    )
    header = "Gremium;Art des Gremiums;Übergeordnetes Gremium;Organisation;Ebene\n"
    path = _csv(
        tmp_path,
        header + "Koordination;Koordinierungsstelle;Lenkungskreis;Jugendamt;operational\n"
        "AG Kita;;Koordination;Kita Regenbogen;operational\n",
    )
    result = transfer.import_file(actor=None, municipality=world.a, kind="memberships", path=path)
    assert (result.created, result.updated) == (2, 2)
    office.refresh_from_db()
    wg.refresh_from_db()
    assert (office.kind, office.parent) == (BodyKind.COORDINATION_OFFICE, steering)
    assert (wg.kind, wg.parent) == (BodyKind.WORKING_GROUP, office)  # empty kind: unchanged
    again = transfer.import_file(actor=None, municipality=world.a, kind="memberships", path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)  # nothing changed
    assert office.history.count() == 2

    cycle = _csv(
        tmp_path, header + "Lenkungskreis;;AG Kita;Gesundheitsamt;operational\n", "zyklus.csv"
    )
    problems = _problems(world, "memberships", cycle)
    assert "sich selbst untergeordnet" in str(problems[0])
    steering.refresh_from_db()
    assert steering.parent is None
    twice = _csv(
        tmp_path,
        header + "AG Kita;;Lenkungskreis;Jugendamt;operational\n"
        "AG Kita;;Koordination;Gesundheitsamt;operational\n",
        "doppelt.csv",
    )
    problems = _problems(world, "memberships", twice)
    assert "verschiedenen übergeordneten Gremien" in str(problems[0])


HYPERLINK = '=HYPERLINK("https://evil.example";"Details")'


def test_exports_never_hand_a_spreadsheet_a_formula(world, tmp_path):
    """A provider writes a formula into their organisation's description: the
    coordinator's export shows it as text, and importing the file back keeps the
    description as it was."""
    OrganizationFactory(municipality=world.a, name="@Treff", description=HYPERLINK)
    OrganizationFactory(municipality=world.a, name="-Kinderschutzbund", email="")
    workbook_path = tmp_path / "orgs.xlsx"
    transfer.export_file(municipality=world.a, kind="organizations", path=workbook_path)
    cells = [cell for row in load_workbook(workbook_path).active.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert {"'" + HYPERLINK, "'@Treff", "'-Kinderschutzbund"} <= values

    csv_path = tmp_path / "orgs.csv"
    transfer.export_file(municipality=world.a, kind="organizations", path=csv_path)
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "\n'@Treff;" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert ["'@Treff", "", "'" + HYPERLINK, "", ""] in rows
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@"))]

    result = transfer.import_file(
        actor=None, municipality=world.a, kind="organizations", path=workbook_path
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    treff = Organization.objects.get(municipality=world.a, name="@Treff")
    assert treff.description == HYPERLINK


def test_memberships_import_refuses_a_member_twice_in_a_body_at_the_same_time(
    world, person, tmp_path
):
    """Erika is recorded in the Lenkungskreis without dates; a file that adds her
    again, or names the Jugendamt twice for overlapping periods, is refused with
    the row and column, and nothing is written."""
    header = "Gremium;Person;Organisation;Ebene;von;bis\n"
    path = _csv(
        tmp_path,
        header + "Lenkungskreis;Erika Beispiel;;;01.01.2025;\n"
        "AG Kita;;Jugendamt;Leitungsebene;01.01.2024;31.12.2025\n"
        "AG Kita;;Jugendamt;Leitungsebene;01.06.2025;\n"
        "AG Kita;;Gesundheitsamt;Leitungsebene;;31.12.2024\n"
        "AG Kita;;Gesundheitsamt;Leitungsebene;01.01.2025;\n",
    )
    messages = [str(p) for p in _problems(world, "memberships", path)]
    assert messages == [
        "Zeile 2, Spalte „Person“: Erika Beispiel ist in diesem Zeitraum bereits Mitglied "
        "von „Lenkungskreis“ (ohne Anfangs- und Enddatum).",
        "Zeile 4, Spalte „Organisation“: Jugendamt ist in diesem Zeitraum bereits Mitglied "
        "von „AG Kita“ (Zeile 3: vom 01.01.2024 bis 31.12.2025).",
    ]
    assert BodyMembership.objects.count() == 1
    assert not Body.objects.filter(name="AG Kita").exists()


def test_organisations_import_updates_description_email_and_website(world, tmp_path):
    """A file that names a recorded organisation with other contact data updates it
    (with the importing user in the change log); an empty cell leaves a value."""
    coordinator = factories.user_with_role("coordinator", world.a, username="koord")
    OrganizationFactory(
        municipality=world.a,
        name="Jugendamt",
        description="alt",
        email="alt@example.org",
        website="https://alt.example.org",
    )
    OrganizationFactory(municipality=world.a, name="Gesundheitsamt", description="bleibt")
    path = _csv(
        tmp_path,
        "Name;Beschreibung;E-Mail;Website\n"
        "Jugendamt;Hilfen für Familien;jugendamt@example.org;https://jugendamt.example.org\n"
        "Gesundheitsamt;;;\n",
    )
    result = transfer.import_file(
        actor=coordinator, municipality=world.a, kind="organizations", path=path
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    youth = Organization.objects.get(municipality=world.a, name="Jugendamt")
    assert (youth.description, youth.email, youth.website) == (
        "Hilfen für Familien",
        "jugendamt@example.org",
        "https://jugendamt.example.org",
    )
    assert youth.history.first().history_user == coordinator
    health = Organization.objects.get(municipality=world.a, name="Gesundheitsamt")
    assert health.description == "bleibt"
    again = transfer.import_file(
        actor=coordinator, municipality=world.a, kind="organizations", path=path
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_the_default_people_export_imports_back_without_creating_anyone(world, person, tmp_path):
    """The people page's export is pseudonymised; a coordinator who imports it back
    (perhaps with a changed function) updates the people the pseudonyms stand for,
    keeps their names and contact details, and creates nobody."""
    people = tmp_path / "people.csv"
    members = tmp_path / "members.csv"
    for kind, path in (("people", people), ("memberships", members)):
        transfer.export_file(municipality=world.a, kind=kind, path=path)
    alias = transfer.pseudonym(person)
    assert alias in people.read_text(encoding="utf-8-sig")

    for kind, path in (("people", people), ("memberships", members)):
        result = transfer.import_file(actor=None, municipality=world.a, kind=kind, path=path)
        assert (result.created, result.updated, result.unchanged) == (0, 0, 1), kind
    assert list(Person.objects.values_list("name", flat=True)) == ["Erika Beispiel"]
    assert BodyMembership.objects.count() == 1

    changed = _csv(
        tmp_path,
        people.read_text(encoding="utf-8-sig").replace("Amtsleitung", "Fachbereichsleitung"),
        "changed.csv",
    )
    result = transfer.import_file(actor=None, municipality=world.a, kind="people", path=changed)
    assert (result.created, result.updated) == (0, 1)
    person.refresh_from_db()
    assert (person.name, person.function, person.email, person.phone) == (
        "Erika Beispiel",
        "Fachbereichsleitung",
        "erika@example.org",
        "0221 12345",
    )


def test_a_pseudonym_nobody_here_has_is_refused_with_row_and_column(world, person, tmp_path):
    """A pseudonymised file from another municipality names nobody recorded here."""
    stranger = services.person_create(actor=None, municipality=world.b, name="Max Muster")
    alias = transfer.pseudonym(stranger)
    reason = "pseudonymisierter Name aus einem Export – keine hier erfasste Person trägt ihn"
    people = _csv(tmp_path, f"Name;Funktion\n{alias};Schulleitung\n", "people.csv")
    [problem] = _problems(world, "people", people)
    assert str(problem).startswith(f"Zeile 2, Spalte „Name“: {reason}")
    members = _csv(tmp_path, f"Gremium;Person\nLenkungskreis;{alias}\n", "members.csv")
    [problem] = _problems(world, "memberships", members)
    assert str(problem).startswith(f"Zeile 2, Spalte „Person“: {reason}")
    assert Person.objects.for_municipality(world.a).count() == 1


@pytest.mark.parametrize(
    ("kind", "filled"),
    [
        ("organizations", "Beschreibung"),
        ("people", "Funktion"),
        ("memberships", "Rolle"),
        ("ties", "Stärke"),
    ],
)
def test_an_empty_required_cell_is_named_by_row_and_column(world, orgs, tmp_path, kind, filled):
    """A row that leaves every required cell empty is refused in plain words for
    each of them, never with a database message."""
    header = transfer.COLUMNS[kind]
    row = ["2" if column == filled else "" for column in header]
    path = _csv(tmp_path, ";".join(header) + "\n" + ";".join(row) + "\n")
    messages = {str(p) for p in _problems(world, kind, path)}
    expected = {
        f"Zeile 2, Spalte „{column}“: Pflichtangabe fehlt." for column in transfer.REQUIRED[kind]
    }
    assert expected <= messages
    assert all(m.startswith("Zeile 2, Spalte") for m in messages), messages


def test_a_tie_without_kind_names_the_column(world, orgs, tmp_path):
    path = _csv(tmp_path, "Organisation A;Organisation B;Art\nJugendamt;Gesundheitsamt;\n")
    messages = [str(p) for p in _problems(world, "ties", path)]
    assert messages == ["Zeile 2, Spalte „Art“: Pflichtangabe fehlt."]


def test_an_organisations_seat_needs_a_level_as_in_the_form(world, orgs, tmp_path):
    """The form refuses an organisation's seat without a level (it decides whether
    the seat counts as high-ranking); so does the import, for a new seat."""
    path = _csv(
        tmp_path,
        "Gremium;Person;Organisation;Ebene\n"
        "Lenkungskreis;;Jugendamt;\n"
        "Lenkungskreis;;Gesundheitsamt;Leitungsebene\n",
    )
    messages = [str(p) for p in _problems(world, "memberships", path)]
    assert messages == [
        "Zeile 2, Spalte „Ebene“: Bitte geben Sie die Ebene für den Sitz der Organisation an."
    ]
    assert BodyMembership.objects.count() == 0
