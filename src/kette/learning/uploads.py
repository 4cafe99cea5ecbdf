"""Checks and cleaning of uploaded meeting material.

Documents are accepted by what they are, not by their name: the extension must
be allowed *and* the content must match it (a PDF header, an Office Open XML
or OpenDocument package of the right kind). Photos are decoded with Pillow,
turned upright by their EXIF orientation and re-encoded without any metadata:
EXIF (with GPS position, camera serial number, time), XMP, IPTC, ICC profiles
and PNG text chunks do not survive.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MB = 1024 * 1024
MAX_DOCUMENT_BYTES = 25 * MB
MAX_PHOTO_BYTES = 15 * MB
# Larger photos are scaled down: enough for a gallery and for print.
MAX_PHOTO_EDGE = 2400
# More pixels than a 60-megapixel camera makes is refused before decoding.
MAX_PHOTO_PIXELS = 60_000_000

# Extension -> the main part an Office Open XML package of that kind contains.
OOXML_PARTS = {"pptx": "ppt/", "docx": "word/", "xlsx": "xl/"}
# Extension -> the mimetype an OpenDocument package declares.
ODF_TYPES = {
    "odp": "application/vnd.oasis.opendocument.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
DOCUMENT_EXTENSIONS = ["pdf", *OOXML_PARTS, *ODF_TYPES]
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _too_large(upload: UploadedFile, limit: int) -> ValidationError:
    return ValidationError(
        _("The file is too large (at most %(mb)s MB).") % {"mb": limit // MB}, code="too_large"
    )


def _read(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _is_package(data: bytes, extension: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            if extension in OOXML_PARTS:
                return "[Content_Types].xml" in names and any(
                    name.startswith(OOXML_PARTS[extension]) for name in names
                )
            if extension in ODF_TYPES and names and names[0] == "mimetype":
                return package.read("mimetype").decode("ascii", "replace") == ODF_TYPES[extension]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return False
    return False


def check_document(upload: UploadedFile) -> str:
    """The upload's extension when the file is an allowed document; otherwise a
    ValidationError in German that names what is allowed."""
    if upload.size and upload.size > MAX_DOCUMENT_BYTES:
        raise _too_large(upload, MAX_DOCUMENT_BYTES)
    extension = _extension(upload.name or "")
    allowed = ", ".join(ext.upper() for ext in DOCUMENT_EXTENSIONS)
    if extension not in DOCUMENT_EXTENSIONS:
        raise ValidationError(
            _("Documents can be uploaded as %(types)s.") % {"types": allowed}, code="type"
        )
    data = _read(upload)
    matches = data.startswith(b"%PDF-") if extension == "pdf" else _is_package(data, extension)
    if not matches:
        raise ValidationError(
            _("The file is not a real %(type)s document (its content does not match its name).")
            % {"type": extension.upper()},
            code="content",
        )
    return extension


@dataclass(frozen=True)
class CleanPhoto:
    file: ContentFile  # named photo.<ext>
    width: int
    height: int


def clean_photo(upload: UploadedFile) -> CleanPhoto:
    """Decode an uploaded photo (JPEG, PNG or WebP by content), apply its EXIF
    orientation, scale it down to MAX_PHOTO_EDGE and re-encode it with no metadata."""
    if upload.size and upload.size > MAX_PHOTO_BYTES:
        raise _too_large(upload, MAX_PHOTO_BYTES)
    not_a_photo = ValidationError(
        _("The file is not a photo kette can use. Please upload a JPEG, PNG or WebP image."),
        code="type",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(_read(upload))) as probe:
                image_format = probe.format
                if image_format not in PHOTO_FORMATS:
                    raise not_a_photo
                if probe.width * probe.height > MAX_PHOTO_PIXELS:
                    raise ValidationError(
                        _("The photo has too many pixels (at most %(mp)s megapixels).")
                        % {"mp": MAX_PHOTO_PIXELS // 1_000_000},
                        code="too_large",
                    )
                probe.load()
                upright = ImageOps.exif_transpose(probe)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise not_a_photo from error
    has_alpha = upright.mode in ("RGBA", "LA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    output_format = "PNG" if image_format == "PNG" and has_alpha else "JPEG"
    image = upright.convert("RGBA" if output_format == "PNG" else "RGB")
    image.thumbnail((MAX_PHOTO_EDGE, MAX_PHOTO_EDGE), Image.Resampling.LANCZOS)
    # A fresh image carries pixels only: no EXIF, XMP, ICC profile or text chunks.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    buffer = io.BytesIO()
    if output_format == "JPEG":
        clean.save(buffer, "JPEG", quality=88, optimize=True)
    else:
        clean.save(buffer, "PNG", optimize=True)
    extension = "png" if output_format == "PNG" else "jpg"
    return CleanPhoto(
        file=ContentFile(buffer.getvalue(), name=f"photo.{extension}"),
        width=clean.width,
        height=clean.height,
    )
