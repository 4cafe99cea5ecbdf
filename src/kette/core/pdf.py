"""Accessible PDF from kette's own HTML: reports, minutes, name badges.

One renderer for every app. Documents are rendered by WeasyPrint as PDF/UA-1
(tagged structure, document language and title, embedded fonts). The fonts come
from the ``font-source-sans-pro`` package (SIL Open Font License), so a PDF
looks the same on every machine and never depends on the fonts an operator
happens to have. Charts and maps are inline SVG, so they stay vector graphics.

Resources are fetched only from the package's font files, from ``data:`` URLs
and from the directories a caller names (e.g. the media folder for photos):
rendering never opens a network connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import font_source_sans_pro
import weasyprint
from django.template.loader import render_to_string
from django.utils.translation import get_language
from weasyprint.text.fonts import FontConfiguration

FONT_DIRECTORY = Path(font_source_sans_pro.font_directory)
PDF_VARIANT = "pdf/ua-1"
PDF_MEDIA_TYPE = "application/pdf"


class LocalOnlyFetcher(weasyprint.URLFetcher):
    """Serves ``data:`` URLs and files below the allowed directories, nothing else."""

    def __init__(self, roots: Iterable[Path] = ()):
        super().__init__(allowed_protocols={"file", "data"})
        self.roots = [FONT_DIRECTORY.resolve(), *(Path(root).resolve() for root in roots)]

    def fetch(self, url: str, headers: Any = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"kette does not embed files outside its folders: {url}")
        return super().fetch(url, headers)


def font_face_css() -> str:
    """``@font-face`` rules for the shipped "Source Sans Pro", the default family."""
    faces = []
    for file_name, weight, style in (
        ("SourceSansPro-Regular.ttf", 400, "normal"),
        ("SourceSansPro-It.ttf", 400, "italic"),
        ("SourceSansPro-Semibold.ttf", 600, "normal"),
        ("SourceSansPro-Bold.ttf", 700, "normal"),
        ("SourceSansPro-BoldIt.ttf", 700, "italic"),
    ):
        url = (FONT_DIRECTORY / file_name).resolve().as_uri()
        faces.append(
            "@font-face { font-family: 'Source Sans Pro'; "
            f"src: url('{url}'); font-weight: {weight}; font-style: {style}; }}"
        )
    faces.append("html { font-family: 'Source Sans Pro', sans-serif; }")
    return "\n".join(faces)


def html_to_pdf(html: str, *, allowed_roots: Iterable[Path] = ()) -> bytes:
    """Render a complete HTML document (with ``<html lang>`` and ``<title>``) to PDF/UA."""
    document = weasyprint.HTML(
        string=html,
        base_url=FONT_DIRECTORY.as_uri() + "/",
        url_fetcher=LocalOnlyFetcher(allowed_roots),
    )
    font_config = FontConfiguration()
    stylesheet = weasyprint.CSS(
        string=font_face_css(), url_fetcher=LocalOnlyFetcher(), font_config=font_config
    )
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True, "custom_metadata": True}
    rendered = document.render(font_config, stylesheets=[stylesheet], **options)
    # A template's title block spread over lines would give the PDF's /Title
    # (shown by readers and screen readers) its line breaks and indentation.
    if rendered.metadata.title:
        rendered.metadata.title = " ".join(rendered.metadata.title.split())
    return rendered.write_pdf(**options)


def render_pdf(
    template_name: str,
    context: Mapping[str, Any],
    *,
    allowed_roots: Iterable[Path] = (),
) -> bytes:
    """Render a template that extends ``core/print/base.html`` to PDF."""
    html = render_to_string(template_name, {"LANGUAGE_CODE": get_language(), **context})
    return html_to_pdf(html, allowed_roots=allowed_roots)
