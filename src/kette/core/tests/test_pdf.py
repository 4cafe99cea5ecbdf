"""The shared PDF renderer: tagged PDF/UA with embedded fonts, extractable text, no network."""

import io
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from pypdf import PdfReader

from kette.core.pdf import LocalOnlyFetcher, html_to_pdf

DOCUMENT = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Sachbericht Köln 2026</title></head>
<body><h1>Sachbericht</h1><p>Präventionskette: Übergänge für Kinder und Jugendliche – größer.</p>
<table><caption>Angebote</caption><thead><tr><th>Lebensphase</th><th>Anzahl</th></tr></thead>
<tbody><tr><td>Kita</td><td>12</td></tr></tbody></table>
<svg role="img" aria-label="Balken" width="100" height="20"><rect width="60" height="20"/></svg>
</body></html>"""


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def test_pdf_is_tagged_with_language_title_and_text():
    data = html_to_pdf(DOCUMENT)
    assert data.startswith(b"%PDF-")
    reader = pdf_reader(data)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "de"
    assert reader.metadata.title == "Sachbericht Köln 2026"
    text = reader.pages[0].extract_text()
    assert "Präventionskette" in text
    assert "Übergänge" in text
    assert "größer" in text


def test_fonts_are_the_shipped_ones_and_embedded():
    reader = pdf_reader(html_to_pdf(DOCUMENT))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = []
    for ref in fonts.values():
        font = ref.get_object()
        names.append(str(font["/BaseFont"]))
        descendant = font.get("/DescendantFonts")
        descriptor = (
            descendant[0].get_object()["/FontDescriptor"] if descendant else font["/FontDescriptor"]
        )
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert names and all("Source-Sans-Pro" in name for name in names)


def test_fetcher_refuses_network_and_foreign_files(tmp_path: Path):
    fetcher = LocalOnlyFetcher([tmp_path])
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.org/logo.png")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    allowed = tmp_path / "photo.txt"
    allowed.write_text("ok")
    response = fetcher.fetch(allowed.as_uri())
    assert response is not None


def test_remote_image_is_left_out_not_fetched():
    html = DOCUMENT.replace(
        "<h1>Sachbericht</h1>", '<h1>Sachbericht</h1><img src="http://192.0.2.1/x.png" alt="Logo">'
    )
    reader = pdf_reader(html_to_pdf(html))
    assert "Sachbericht" in reader.pages[0].extract_text()


def test_a_table_row_stays_on_one_page_with_its_label():
    """A row split at a page break left its numbers on one page and its label on
    the next (the report's life phase × field of action matrix)."""
    rows = "".join(
        f"<tr><th scope='row'>Zeile{n:03d} Übergang Schule–Beruf<br>(16–27 Jahre)<br>zweite"
        f"<br>dritte Zeile</th><td>{500 + n}</td></tr>"
        for n in range(60)
    )
    html = Template(
        '{% extends "core/print/base.html" %}{% block body %}<table><thead><tr>'
        "<th>Lebensphase</th><th>Anzahl</th></tr></thead><tbody>" + rows + "</tbody></table>"
        "{% endblock %}"
    ).render(Context({"LANGUAGE_CODE": "de", "title": "Tabelle"}))
    pages = [page.extract_text() for page in pdf_reader(html_to_pdf(html)).pages]
    assert len(pages) > 1
    for text in pages:
        labels = {int(n) for n in re.findall(r"Zeile(\d{3})", text)}
        numbers = {int(n) - 500 for n in re.findall(r"\b5\d\d\b", text)}
        assert labels == numbers
        assert "Lebensphase" in text  # the header repeats on every page
