"""The annual report: every section with empty and with full data, disclosure control,
the tagged PDF, drafts, kept PDFs, the command, permissions, the programme overview."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from kette.core.models import FundingPeriod, Role
from kette.directory import services as directory
from kette.directory.models import Service, Taxonomy, TaxonomyTerm
from kette.learning.models import (
    Attendance,
    ContributionStatus,
    PracticeExample,
    PracticeExampleStatus,
)
from kette.learning.tests.factories import (
    ContributionFactory,
    MeetingFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from kette.monitoring.models import Direction, Unit
from kette.monitoring.tests.factories import (
    DistrictFactory,
    IndicatorFactory,
    NeedIndexWeightFactory,
    ObservationFactory,
)
from kette.network.models import BodyKind, Level
from kette.network.tests.factories import (
    ActorProfileFactory,
    BodyFactory,
    BodyMembershipFactory,
    CooperationFactory,
    SectorFactory,
)
from kette.reports import selectors, services
from kette.reports.models import AnnualReport, Chapter, GeneratedReport
from kette.testing import history
from kette.testing.factories import MunicipalityFactory, user_with_role

pytestmark = pytest.mark.django_db

YEAR = 2012
ENTERED = dt.datetime(YEAR, 3, 1, 9, tzinfo=dt.UTC)
SUPPRESSED_RATE = 37.9  # a rate with numerator 2: below the threshold, never shown
CHAPTER_TITLES = [
    "Leitbild und Ziele",
    "Die Präventionskette",
    "Bedarfe und Angebote",
    "Steuerungsstruktur und Netzwerk",
    "Lernnetzwerk",
    "Sozialmonitoring",
    "Ausblick",
]


def term(code):
    return TaxonomyTerm.objects.get(taxonomy__slug=Taxonomy.FIELDS_OF_ACTION, code=code)


@pytest.fixture
def full(world):
    """Municipality A with data in every section."""
    city = world.a
    directory.taxonomy_ensure_defaults()
    FundingPeriod.objects.create(
        municipality=city, starts_on=dt.date(2012, 1, 1), ends_on=dt.date(2014, 12, 31)
    )
    # Monitoring: two districts, children by age band, a rate with a suppressed cell.
    nord = DistrictFactory(municipality=city, code="1", name="Nordviertel")
    sued = DistrictFactory(municipality=city, code="2", name="Südviertel")
    u3 = IndicatorFactory(key="k-0-3", name="Kinder unter 3", unit=Unit.COUNT, age_band="0–3")
    quote = IndicatorFactory(
        key="quote", name="SGB-II-Quote", unit=Unit.PERCENT, direction=Direction.HIGHER_IS_WORSE
    )
    ObservationFactory(municipality=city, district=nord, indicator=u3, value=400)
    ObservationFactory(municipality=city, district=sued, indicator=u3, value=250)
    ObservationFactory(
        municipality=city, district=nord, indicator=quote, value=SUPPRESSED_RATE, numerator=2
    )
    ObservationFactory(municipality=city, district=sued, indicator=quote, value=12.5, numerator=40)
    NeedIndexWeightFactory(municipality=city, indicator=quote)
    # Directory: offers with ages and fields of action, placed in the districts,
    # entered in March of the report's year (their change history says so).
    entered = history.mark()
    org = directory.organization_create(actor=None, municipality=city, name="Familienzentrum Nord")
    other = directory.organization_create(actor=None, municipality=city, name="Gesundheitsamt")
    babytreff = directory.service_create(
        actor=None,
        organization=org,
        name="Babytreff",
        status="published",
        min_age_months=0,
        max_age_months=36,
        terms=[term("gesundheit")],
    )
    place = directory.location_create(
        actor=None, municipality=city, name="Zentrum", city="A", district=nord
    )
    directory.service_add_location(actor=None, service=babytreff, location=place)
    directory.service_create(
        actor=None,
        organization=other,
        name="Elternberatung",
        status="published",
        min_age_months=0,
        max_age_months=72,
        terms=[term("beratung")],
    )
    history.redate(entered, ENTERED)
    # Network: a steering group of two sectors, a cooperation.
    youth = SectorFactory(municipality=city, name="Kinder- und Jugendhilfe", is_core=True)
    health = SectorFactory(municipality=city, name="Gesundheit", is_core=True)
    ActorProfileFactory(organization=org, sector=youth)
    ActorProfileFactory(organization=other, sector=health)
    group = BodyFactory(
        municipality=city, name="Lenkungskreis Prävention", kind=BodyKind.STEERING_GROUP
    )
    BodyMembershipFactory(body=group, organization=org, level=Level.LEADERSHIP)
    BodyMembershipFactory(
        body=group, organization=other, level=Level.DEPARTMENT, valid_from=dt.date(2012, 6, 1)
    )
    CooperationFactory(organization_a=org, organization_b=other)
    # Learning network: a meeting attended, a talk given, a practice example shared.
    meeting = MeetingFactory(
        programme=world.programme,
        number=7,
        starts_on=dt.date(2012, 9, 13),
        ends_on=dt.date(2012, 9, 13),
        venue="Köln",
    )
    RegistrationFactory(meeting=meeting, municipality=city, attendance=Attendance.ATTENDED)
    ContributionFactory(
        working_group=WorkingGroupFactory(meeting=meeting, title="AG Steuerung"),
        municipality=city,
        title="Unsere Steuerungsgruppe",
        status=ContributionStatus.ACCEPTED,
    )
    example = PracticeExample.objects.create(
        municipality=city,
        title="Willkommensbesuche",
        summary="…",
        status=PracticeExampleStatus.PUBLISHED,
    )
    PracticeExample.objects.filter(pk=example.pk).update(
        created_at=dt.datetime(2012, 5, 1, tzinfo=dt.UTC)
    )
    # The coordinator's part.
    report = services.report_open(actor=None, municipality=city, year=YEAR)
    services.report_save(
        actor=None,
        report=report,
        leitbild="Kein Kind zurücklassen.",
        texts={Chapter.OUTLOOK: "Im nächsten Jahr bauen wir die Übergänge aus."},
        goals=[
            services.GoalInput(
                title="Willkommensbesuche ausbauen",
                indicator="Besuchte Familien",
                unit="Familien",
                planned=Decimal("200"),
                achieved=Decimal("150"),
            )
        ],
    )
    return report


def city_offer(city, name):
    return Service.objects.for_municipality(city).get(name=name)


def preview(client, user, report):
    client.force_login(user)
    url = reverse("reports:report_preview", args=[report.municipality.slug, report.year])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_every_section_renders_with_full_data(client, full):
    coordinator = user_with_role(Role.COORDINATOR, full.municipality)
    html = preview(client, coordinator, full)
    for title in CHAPTER_TITLES:
        assert title in html
    assert "Kein Kind zurücklassen." in html
    assert "Willkommensbesuche ausbauen" in html and "75 %" in html  # 150 of 200
    assert "2 veröffentlichte Angebote" in html
    assert "Nordviertel" in html and "Frühe Kindheit" in html  # gap analysis
    # children are counted, not measured: "400", not "400,00"
    assert re.search(r">\s*400\s*<", html) and "400,00" not in html
    assert "Lenkungskreis Prävention" in html
    assert "1 → 2" in html  # members on 1 January and 31 December
    assert "Unsere Steuerungsgruppe" in html and "Willkommensbesuche" in html
    assert "an 1 von 1 Treffen" in html
    assert "SGB-II-Quote" in html
    assert "Im nächsten Jahr bauen wir die Übergänge aus." in html
    assert html.count('role="img"') >= 2  # the bar chart and the gap map


def test_every_section_renders_empty(client, world):
    report = services.report_open(actor=None, municipality=world.b, year=YEAR)
    viewer = user_with_role(Role.VIEWER, world.b)
    html = preview(client, viewer, report)
    for title in CHAPTER_TITLES:
        assert title in html
    assert "Es wurde noch kein Leitbild eingetragen." in html
    assert "Für dieses Jahr sind keine Ziele eingetragen." in html
    assert "Es liegen noch keine Bevölkerungszahlen nach Alter vor" in html
    assert "Es wurden noch keine Gremien der Steuerungsstruktur erfasst." in html
    assert "Es wurden noch keine Indikatorwerte importiert." in html
    text = pdf_text(services.report_render_pdf(report))
    for title in CHAPTER_TITLES:
        assert title in text


def test_disclosure_control_holds_in_page_and_pdf(client, full):
    coordinator = user_with_role(Role.COORDINATOR, full.municipality)
    html = preview(client, coordinator, full)
    text = pdf_text(services.report_render_pdf(full))
    assert "12,5" in html and "12,5" in text  # the published rate
    for shown in (html, text):
        assert "37,9" not in shown and "37.9" not in shown


def test_pdf_is_tagged_with_title_language_and_vector_graphics(full):
    data = services.report_render_pdf(full)
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "de"
    assert reader.metadata.title == f"Sachbericht {YEAR} – {full.municipality.name}"
    text = pdf_text(data)
    assert "Kein Kind zurücklassen." in text
    assert "Lenkungskreis Prävention" in text
    # Charts and maps are drawn as paths, not embedded raster images.
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        assert not any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())


def _own_field_of_action(report):
    """A field of action of the municipality's own, on a published offer."""
    city = report.municipality
    own = directory.taxonomy_term_create(
        actor=None,
        municipality=city,
        taxonomy=Taxonomy.objects.get(slug=Taxonomy.FIELDS_OF_ACTION),
        name="Sprachförderung",
    )
    directory.service_create(
        actor=None,
        organization=directory.organization_create(actor=None, municipality=city, name="Kita"),
        name="Sprachkita",
        status="published",
        min_age_months=36,
        max_age_months=72,
        terms=[own],
    )
    return own


def test_the_english_report_translates_the_defaults_and_marks_own_terms_german(client, full):
    """In English the default vocabulary is English; a municipality's own term
    stays German and says so (screen readers; WeasyPrint hyphenates by lang)."""
    _own_field_of_action(full)
    client.cookies["kette_language"] = "en"
    html = preview(client, user_with_role(Role.COORDINATOR, full.municipality), full)
    with translation.override("en"):
        pdf_html = render_to_string(
            "reports/report_pdf.html", {"LANGUAGE_CODE": "en", "data": selectors.report_data(full)}
        )
        pdf = services.report_render_pdf(full)
    assert str(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"]) == "en"
    for page in (html, pdf_html):
        headers = re.findall(r'<th scope="col" class="num number"([^>]*)>([^<]*)</th>', page)
        assert ("", "Health") in headers and ("", "Counselling") in headers
        assert (' lang="de"', "Sprachförderung") in headers
        assert "Beratung" not in headers and "Gesundheit" not in headers
        rows = re.findall(r'<th scope="row"([^>]*)>([^<]*)</th>', page)
        assert ("", "Early childhood (0–3 years)") in rows
        # the gap analysis names the life phases in English too
        assert re.search(r"<td>Early childhood \(0–3 years\)</td>", page)
        assert "Offers per 1,000 children, Early childhood (0–3 years)," in page
        # which year's child counts each life phase uses, and the level (German data)
        years = " ".join(re.search(r'<p class="gap-years">(.*?)</p>', page, re.S)[1].split())
        assert "Children from 2012: Early childhood (0–3 years)." in years
        assert "No child counts up to this year: Pregnancy and birth, Day-care age" in years
        assert 'Gap analysis by <span lang="de">Stadtteil</span>:' in page
    # the chart's labels
    assert ">Early childhood (0–3 years)</text>" in html
    # the transitions: only the running year has figures per transition (no history)
    today = services.report_open(
        actor=None, municipality=full.municipality, year=timezone.localdate().year
    )
    current = preview(client, user_with_role(Role.COORDINATOR, full.municipality), today)
    rows = re.findall(r'<th scope="row"([^>]*)>([^<]*)</th>', current)
    assert ("", "Family – day care") in rows
    # the narrow matrix headers hyphenate: the own term by German rules (English
    # patterns break it "Sprac‐h‐för‐der‐ung")
    assert re.search(r"Sprach‐\s*förde‐\s*rung", pdf_text(pdf))


def test_the_german_report_shows_the_stored_names_unmarked(client, full):
    _own_field_of_action(full)
    html = preview(client, user_with_role(Role.COORDINATOR, full.municipality), full)
    headers = re.findall(r'<th scope="col" class="num number"([^>]*)>([^<]*)</th>', html)
    assert ("", "Beratung") in headers and ("", "Sprachförderung") in headers
    years = " ".join(re.search(r'<p class="gap-years">(.*?)</p>', html, re.S)[1].split())
    assert "Kinderzahlen von 2012: Frühe Kindheit (0–3 Jahre)." in years
    assert "Lückenanalyse je Stadtteil:" in html
    assert 'lang="de"' not in html.split("<main", 1)[1]


def test_drafts_are_saved_from_the_form_and_bad_numbers_are_explained(client, full):
    coordinator = user_with_role(Role.COORDINATOR, full.municipality)
    client.force_login(coordinator)
    url = reverse("reports:report_edit", args=[full.municipality.slug, full.year])
    page = client.get(url)
    assert page.status_code == 200
    goal = full.goals.get()
    data = {
        "leitbild": "Neues Leitbild",
        "text_chain": "Die Kette wächst.",
        "goals-TOTAL_FORMS": "2",
        "goals-INITIAL_FORMS": "1",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
        "goals-0-id": str(goal.pk),
        "goals-0-title": goal.title,
        "goals-0-planned": "200",
        "goals-0-achieved": "viele",
        "goals-1-title": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Bitte eine Zahl eingeben." in response.content.decode()
    full.refresh_from_db()
    assert full.leitbild == "Kein Kind zurücklassen."  # nothing saved
    data["goals-0-achieved"] = "210"
    data["goals-1-title"] = "Sprachkitas"
    response = client.post(url, data)
    assert response.status_code == 302
    full.refresh_from_db()
    assert full.leitbild == "Neues Leitbild"
    assert selectors.texts_of(full)["chain"] == "Die Kette wächst."
    assert [(g.title, g.achieved) for g in full.goals.all()] == [
        ("Willkommensbesuche ausbauen", Decimal("210.00")),
        ("Sprachkitas", None),
    ]
    data.update({"goals-INITIAL_FORMS": "2", "goals-1-id": str(full.goals.last().pk)})
    data["goals-0-DELETE"] = "on"
    assert client.post(url, data).status_code == 302
    assert [g.title for g in full.goals.all()] == ["Sprachkitas"]


def test_generated_pdfs_are_kept_with_their_date_and_served_to_readers(client, full):
    coordinator = user_with_role(Role.COORDINATOR, full.municipality)
    client.force_login(coordinator)
    slug = full.municipality.slug
    response = client.post(reverse("reports:report_generate", args=[slug, full.year]))
    generated = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/pdf/{generated.pk}/")
    assert generated.created_by == coordinator
    download = client.get(response["Location"])
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF-") and len(body) == generated.size
    # named with the local time the page shows, not UTC
    stamp = timezone.localtime(generated.created_at).strftime("%Y%m%d-%H%M")
    assert f"sachbericht-{slug}-{full.year}-{stamp}.pdf" in download["Content-Disposition"]
    # Listed on the report's pages.
    listing = client.get(reverse("reports:report_list", args=[slug])).content.decode()
    assert response["Location"] in listing


def test_command_writes_the_pdf_and_keeps_it(full, tmp_path):
    out = tmp_path / "bericht.pdf"
    call_command(
        "report",
        "--municipality",
        full.municipality.slug,
        "--year",
        str(YEAR),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert "Kein Kind zurücklassen." in pdf_text(out.read_bytes())
    assert GeneratedReport.objects.filter(report=full).count() == 1


def test_command_opens_a_new_year_with_last_years_mission_statement(full, tmp_path):
    out = tmp_path / "bericht.pdf"
    call_command(
        "report",
        "--municipality",
        full.municipality.slug,
        "--year",
        str(YEAR + 1),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert AnnualReport.objects.get(year=YEAR + 1).leitbild == "Kein Kind zurücklassen."


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        (Role.COORDINATOR, True, True),
        (Role.EDITOR, True, True),
        (Role.VIEWER, True, False),
        (Role.PROVIDER, False, False),
        (Role.PROGRAMME_STAFF, True, False),
    ],
)
def test_permissions_by_role(client, full, role, read, write):
    municipality = None if role == Role.PROGRAMME_STAFF else full.municipality
    client.force_login(user_with_role(role, municipality))
    slug = full.municipality.slug
    list_url = reverse("reports:report_list", args=[slug])
    edit_url = reverse("reports:report_edit", args=[slug, full.year])
    assert client.get(list_url).status_code == (200 if read else 403)
    assert client.get(edit_url).status_code == (200 if write else 403)
    generate = client.post(reverse("reports:report_generate", args=[slug, full.year]))
    assert generate.status_code == (302 if write else 403)


def test_coordinator_of_another_municipality_sees_nothing(client, full, world):
    client.force_login(user_with_role(Role.COORDINATOR, world.b))
    slug = full.municipality.slug
    assert client.get(reverse("reports:report_preview", args=[slug, YEAR])).status_code == 403
    # B's own report space does not reach A's report either.
    assert client.get(reverse("reports:report_preview", args=["bergdorf", YEAR])).status_code == 404


def test_programme_overview_for_the_coordination_office(client, full, world):
    other = MunicipalityFactory(programme=world.programme, name="Zeta", slug="zeta")
    rate = IndicatorFactory(
        key="mindestsicherungsquote", name="Mindestsicherungsquote", unit=Unit.PERCENT
    )
    ObservationFactory(municipality=full.municipality, indicator=rate, value=11.2, numerator=900)
    ObservationFactory(municipality=other, indicator=rate, value=44.4, numerator=1)
    staff = user_with_role(Role.PROGRAMME_STAFF)
    client.force_login(staff)
    html = client.get(reverse("reports:programme_report")).content.decode()
    assert "Altstadt" in html and "Zeta" in html and "Lenkungskreis" not in html
    assert "11,2" in html and "44,4" not in html
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("reports:programme_report_xlsx")).content)
    )
    rows = {row[0]: row for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    header = next(workbook.active.iter_rows(max_row=1, values_only=True))
    column = next(i for i, name in enumerate(header) if name.startswith("Mindestsicherungsquote"))
    assert rows["Altstadt"][header.index("Veröffentlichte Angebote")] == 2
    assert rows["Altstadt"][column] == pytest.approx(11.2)
    assert rows["Zeta"][column] == "."
    pdf = client.get(reverse("reports:programme_report_pdf")).content
    assert "Zeta" in pdf_text(pdf) and "44,4" not in pdf_text(pdf)
    # the document title without the template's line breaks and indentation
    title = PdfReader(io.BytesIO(pdf)).metadata.title
    assert title == f"Programmbericht – {world.programme.name}"
    client.force_login(user_with_role(Role.COORDINATOR, full.municipality))
    assert client.get(reverse("reports:programme_report")).status_code == 403
    assert client.get(reverse("reports:programme_report_xlsx")).status_code == 403


def test_programme_overview_drops_a_key_indicator_nobody_has_and_marks_gaps(client, full, world):
    """A key indicator without any value gets no empty column but a note; a
    municipality without a value of a shown one gets "–", never a blank cell."""
    MunicipalityFactory(programme=world.programme, name="Zeta", slug="zeta")
    rate = IndicatorFactory(
        key="mindestsicherungsquote", name="Mindestsicherungsquote", unit=Unit.PERCENT
    )
    IndicatorFactory(key="sgb2-quote-u15", name="SGB-II-Quote unter 15 Jahren", unit=Unit.PERCENT)
    ObservationFactory(municipality=full.municipality, indicator=rate, value=11.2, numerator=900)
    client.force_login(user_with_role(Role.PROGRAMME_STAFF))
    html = client.get(reverse("reports:programme_report")).content.decode()
    header = re.search(r"<thead>.*?</thead>", html, re.S).group(0)
    assert "Mindestsicherungsquote" in header and "SGB-II-Quote" not in header
    note = "Noch keine Kommune hat Werte für: SGB-II-Quote unter 15 Jahren"
    assert note in " ".join(html.split())
    zeta = re.search(r'<th scope="row">Zeta</th>(.*?)</tr>', html, re.S).group(1)
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", zeta, re.S)]
    assert cells and "" not in cells and cells[-1] == "–"
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("reports:programme_report_xlsx")).content)
    )
    header_row = next(workbook.active.iter_rows(max_row=1, values_only=True))
    assert not any(name and name.startswith("SGB-II") for name in header_row)
    text = pdf_text(client.get(reverse("reports:programme_report_pdf")).content)
    assert "Noch keine Kommune hat Werte für" in text


def nord_early_childhood(data):
    return next(
        row
        for row in data.gaps.analysis.rows
        if row.district.name == "Nordviertel" and row.life_phase.code == "fruehe-kindheit"
    )


def test_a_past_year_shows_the_offers_of_its_31_december_not_todays(client, full):
    """Offers archived or entered since then change today's figures, not the report
    of a past year, in the preview and the PDF alike."""
    city = full.municipality
    babytreff = city_offer(city, "Babytreff")
    directory.service_archive(actor=None, service=babytreff)
    org = babytreff.organization
    for name in ("Spielgruppe", "Sprachkurs", "Lernhilfe"):
        directory.service_create(actor=None, organization=org, name=name, status="published")
    html = " ".join(preview(client, user_with_role(Role.VIEWER, city), full).split())
    assert f"Am 31.12.{YEAR} enthielt der Familienwegweiser 2 veröffentlichte Angebote." in html
    assert "veröffentlichte Angebote" in html and "4 veröffentlichte" not in html
    assert "aus dem Änderungsprotokoll des Angebotsverzeichnisses" in html
    assert "kein Änderungsprotokoll, daher gibt es für ein vergangenes Jahr keine Zahlen" in html
    assert f"Gezählt sind die am 31.12.{YEAR} veröffentlichten Angebote" in html
    data = selectors.report_data(full)
    assert data.chain.at is not None and data.chain.offers.published == 2
    # the Babytreff, placed in the Nordviertel, still counts there for early childhood
    assert nord_early_childhood(data).offers == 1
    text = " ".join(pdf_text(services.report_render_pdf(full)).split())
    assert f"Am 31.12.{YEAR} enthielt der Familienwegweiser 2 veröffentlichte Angebote." in text
    # today's report: today's offers, from the current tables
    today = services.report_open(actor=None, municipality=city, year=timezone.localdate().year)
    current = selectors.report_data(today)
    assert current.chain.at is None and current.chain.matrix.total == 4
    assert nord_early_childhood(current).offers == 0  # archived; the new ones have no place
    assert current.chain.matrix.transitions_recorded


def test_a_year_before_the_first_offer_says_when_the_directory_began(client, full):
    city = full.municipality
    earlier = services.report_open(actor=None, municipality=city, year=YEAR - 1)
    html = " ".join(preview(client, user_with_role(Role.VIEWER, city), earlier).split())
    message = (
        f"Zum 31.12.{YEAR - 1} verzeichnet kette keine veröffentlichten Angebote: "
        f"Das Angebotsverzeichnis wird seit dem 01.03.{YEAR} in kette geführt."
    )
    assert message in html
    assert "Veröffentlichte Angebote je Lebensphase und Handlungsfeld" not in html  # no matrix
    assert message in " ".join(pdf_text(services.report_render_pdf(earlier)).split())
