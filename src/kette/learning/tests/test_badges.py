"""Name badges: long names and municipalities stay on their badge, whole."""

import io

import pytest
import weasyprint
from django.template.loader import render_to_string
from pypdf import PdfReader
from weasyprint.formatting_structure.boxes import TextBox

from kette.core.models import Role
from kette.core.pdf import font_face_css
from kette.learning import selectors
from kette.learning.tests.factories import MeetingFactory, RegistrationFactory
from kette.learning.tests.pdf import read_pdf
from kette.testing import factories

pytestmark = pytest.mark.django_db
MM = 72 / 25.4  # PDF points per millimetre
A4_HEIGHT = 297 * MM
# The first badge of a sheet (print/badges.html): page margins 13.5 mm top and
# 10 mm left, the badge 90 × 65 mm.
FIRST_BADGE = (10 * MM, A4_HEIGHT - (13.5 + 65) * MM, (10 + 90) * MM, A4_HEIGHT - 13.5 * MM)


def placed_text(content: bytes) -> list[tuple[str, float, float]]:
    """Each piece of text on the first page with where it starts (x, y in points)."""
    page = PdfReader(io.BytesIO(content)).pages[0]
    pieces: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            # the text matrix in the current transformation: the point on the page
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append((text.strip(), x, y))

    page.extract_text(visitor_text=visit)
    return pieces


def text_beyond_the_badges(meeting) -> list[str]:
    """The text of the badges as WeasyPrint lays it out: every piece that ends
    right of or below its badge's content area (there it would be cut off). The
    PDF's text positions show where a piece starts, not where it ends; the
    layout (`Page._page_box`, WeasyPrint's box tree) knows both."""
    html = render_to_string(
        "learning/print/badges.html",
        {
            "meeting": meeting,
            "programme": meeting.programme,
            "badges": selectors.badges_of(meeting),
        },
    )
    document = weasyprint.HTML(string=html).render(
        stylesheets=[weasyprint.CSS(string=font_face_css())]
    )
    beyond = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if box.element_tag != "li":
                continue
            right = box.content_box_x() + box.width + 0.5
            bottom = box.content_box_y() + box.height + 0.5
            for text in box.descendants():
                if isinstance(text, TextBox) and (
                    text.position_x + text.width > right or text.position_y + text.height > bottom
                ):
                    beyond.append(text.text)
    return beyond


@pytest.mark.parametrize(
    ("name", "organisation", "municipality"),
    [
        (
            "Prof. Dr. Maria-Magdalena Schmidt-Oberhausen-Lüdenscheid",
            "Landeskoordinierungsstelle Kommunale Präventionsketten Nordrhein-Westfalen "
            "am Institut für Soziale Arbeit e. V., Abteilung Kinder- und Jugendhilfe",
            "Verbandsgemeinde Hellschen-Heringsand-Unterschaar",
        ),
        ("Jugendhilfeplanungskoordinatorin Annegret Kinderbetreuungsfinanzierung", "", "Köln"),
    ],
)
def test_long_names_wrap_or_shrink_but_stay_on_the_badge(
    client, world, name, organisation, municipality
):
    meeting = MeetingFactory(
        programme=world.programme,
        number=17,
        title="Präventionsketten gemeinsam gestalten – Übergänge von der Kita in die "
        "Grundschule und von der Schule in den Beruf als Aufgabe der ganzen Kommune",
        venue="Rathaus Köln, Spanischer Bau, Ratssaal und Foyer im ersten Obergeschoss",
    )
    where = factories.MunicipalityFactory(programme=world.programme, name=municipality)
    RegistrationFactory(
        meeting=meeting, person_name=name, organisation=organisation, municipality=where
    )
    client.force_login(factories.user_with_role(Role.PROGRAMME_STAFF, None, username="lks"))
    response = client.get("/lernnetzwerk/17/namensschilder.pdf")
    _reader, text = read_pdf(response)
    # lines joined again: a hyphen the layout inserted (U+2010) goes
    flowing = " ".join(text.replace("\u2010\n", "").replace("-\n", "-").split())
    for value in (name, organisation, municipality):
        assert value in flowing  # whole, not cut
    left, bottom, right, top = FIRST_BADGE
    on_badge = [(t, x, y) for t, x, y in placed_text(response.content) if x >= 0 and y > 40]
    assert on_badge
    outside = [
        (t, round(x / MM), round((A4_HEIGHT - y) / MM))
        for t, x, y in on_badge
        if not (left <= x <= right and bottom + 2 * MM <= y <= top)
    ]
    assert outside == []
    assert text_beyond_the_badges(meeting) == []
