"""Reading the learning network's PDFs back in tests."""

import io

from pypdf import PdfReader


def read_pdf(response) -> tuple[PdfReader, str]:
    """The PDF of a response and its extracted text (all pages)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text


def assert_tagged(reader: PdfReader, language: str = "de") -> None:
    """Tagged PDF (PDF/UA): marked content, a structure tree and the document language."""
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == language
