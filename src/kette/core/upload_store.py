"""Uploaded import files between the validation report and the confirmation.

The file lies under DATA_DIR/import-uploads/ (not in MEDIA_ROOT, which may be
served publicly, and not in the session); the browser holds only a signed token
naming it, bound to the kind of import, the municipality and the uploading user
and valid for a day. The token also carries the options chosen with the upload
(e.g. a column mapping or a layout), so the report and the confirmation read
the file the same way. Files older than a day are removed whenever a new one is
stored. Used by the offer import (directory) and the monitoring uploads.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.utils.translation import gettext as _

SALT = "kette.core.import-upload"
MAX_AGE = 24 * 60 * 60


@dataclass(frozen=True)
class StoredUpload:
    file_id: str
    kind: str
    municipality_id: int
    user_id: int
    filename: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return upload_dir() / f"{self.file_id}.upload"

    def read(self) -> bytes:
        return self.path.read_bytes()

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)


def upload_dir() -> Path:
    directory = Path(settings.DATA_DIR) / "import-uploads"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _clean_old() -> None:
    limit = time.time() - MAX_AGE
    for path in upload_dir().glob("*.upload"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def store(
    data: bytes,
    *,
    kind: str,
    municipality_id: int,
    user_id: int,
    filename: str,
    options: dict[str, str] | None = None,
) -> str:
    """Keep the file and return the signed token that names it."""
    _clean_old()
    file_id = uuid.uuid4().hex
    (upload_dir() / f"{file_id}.upload").write_bytes(data)
    return signing.dumps(
        {
            "f": file_id,
            "k": kind,
            "m": municipality_id,
            "u": user_id,
            "n": filename[:200],
            "o": {str(key): str(value) for key, value in (options or {}).items()},
        },
        salt=SALT,
    )


def load(token: str, *, kind: str, municipality_id: int, user_id: int) -> StoredUpload | None:
    """The upload the token names if it is valid, unexpired, of this kind, for this
    municipality and user, and its file still exists; None otherwise."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if (
        not isinstance(payload, dict)
        or payload.get("k") != kind
        or payload.get("m") != municipality_id
        or payload.get("u") != user_id
    ):
        return None
    options = payload.get("o")
    upload = StoredUpload(
        file_id=str(payload.get("f", "")),
        kind=kind,
        municipality_id=municipality_id,
        user_id=user_id,
        filename=str(payload.get("n", "")),
        options=dict(options) if isinstance(options, dict) else {},
    )
    if not upload.file_id.isalnum() or not upload.path.is_file():
        return None
    return upload


def load_or_404(token: str, *, kind: str, municipality_id: int, user_id: int) -> StoredUpload:
    """`load` for a view: Http404 with a German hint when there is no such upload."""
    upload = load(token, kind=kind, municipality_id=municipality_id, user_id=user_id)
    if upload is None:
        raise Http404(_("This upload has expired or does not exist. Please upload again."))
    return upload


def max_bytes() -> int:
    """The largest file an import takes (`KETTE_IMPORT_MAX_BYTES`)."""
    return int(settings.KETTE_IMPORT_MAX_BYTES)


def size_message(size: int) -> str:
    return _("The file is %(size)s MB large; at most %(limit)s MB can be imported at once.") % {
        "size": megabytes(size),
        "limit": megabytes(max_bytes()),
    }


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")
