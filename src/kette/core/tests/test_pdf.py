"""The shared PDF renderer: tagged PDF/UA with embedded fonts, extractable text, no network."""

import io
from pathlib import Path

import pytest
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
