"""Uploaded import files between the validation report and the confirmation.

The file lies under DATA_DIR/import-uploads/ (not in MEDIA_ROOT, which may be
served publicly, and not in the session); the browser holds only a signed token
naming it, bound to the municipality and the uploading user and valid for a day.
Files older than a day are removed whenever a new one is stored.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing

SALT = "kette.directory.import-upload"
MAX_AGE = 24 * 60 * 60


@dataclass(frozen=True)
class StoredUpload:
    file_id: str
    municipality_id: int
    user_id: int
    filename: str
    mapping: str

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


def store(data: bytes, *, municipality_id: int, user_id: int, filename: str, mapping: str) -> str:
    """Keep the file and return the signed token that names it."""
    _clean_old()
    file_id = uuid.uuid4().hex
    (upload_dir() / f"{file_id}.upload").write_bytes(data)
    return signing.dumps(
        {"f": file_id, "m": municipality_id, "u": user_id, "n": filename[:200], "p": mapping},
        salt=SALT,
    )


def load(token: str, *, municipality_id: int, user_id: int) -> StoredUpload | None:
    """The upload the token names if it is valid, unexpired, for this municipality
    and user, and its file still exists; None otherwise."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if payload.get("m") != municipality_id or payload.get("u") != user_id:
        return None
    upload = StoredUpload(
        file_id=str(payload["f"]),
        municipality_id=municipality_id,
        user_id=user_id,
        filename=str(payload.get("n", "")),
        mapping=str(payload.get("p", "")),
    )
    if not upload.file_id.isalnum() or not upload.path.is_file():
        return None
    return upload
