"""Reading the learning network's PDFs back in tests."""

import io

from pypdf import PdfReader


def read_pdf(
    response, *, filename: str | None = None, language: str = "de"
) -> tuple[PdfReader, str]:
    """The PDF of a response and its extracted text (all pages). Every PDF kette
    serves is tagged (PDF/UA): marked content, a structure tree, the language
    (the interface's)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    if filename is not None:
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == language
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text
