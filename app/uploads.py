"""Stored attachments (evaluation evidence, training certificates): checks and serving.

A file is accepted only when its ending is on the list *and* its first bytes are
what that type starts with, so a renamed executable or HTML page is refused. Stored
files are always served as downloads, never rendered on the app's origin.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from pathlib import PurePath

import sqlalchemy as sa
from flask import Response
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.downloads import PDF_TYPE, XLSX_TYPE, attachment

MAX_BYTES = 10 * 1024 * 1024
_ZIP = (b"PK\x03\x04",)
TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": (PDF_TYPE, (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
              _ZIP),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": (XLSX_TYPE, _ZIP),
}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


class UploadRefused(ValueError):
    """The file may not be stored; the message names it and says why."""


def safe_filename(name: str) -> str:
    """The file's own name (no folders), Unicode kept, characters unsafe in a header dropped."""
    name = unicodedata.normalize("NFC", PurePath(name.replace("\\", "/")).name)
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[-150:] or "file"


def checked(filename: str, data: bytes, limit: int = MAX_BYTES) -> tuple[str, str]:
    """The safe name and media type of an acceptable upload; raises UploadRefused."""
    name = safe_filename(filename)
    suffix = PurePath(name).suffix.lower()
    if suffix not in TYPES:
        raise UploadRefused(_l("%(name)s: this kind of file is not accepted; attach a "
                               "PDF, PowerPoint (.pptx), Word (.docx), Excel (.xlsx), "
                               "PNG or JPEG file.", name=name))
    if not data:
        raise UploadRefused(_l("%(name)s is empty.", name=name))
    if len(data) > limit:
        raise UploadRefused(_l("%(name)s is %(size)s MB; the limit is %(limit)s MB.",
                               name=name, size=f"{len(data) / 1048576:.1f}",
                               limit=f"{limit / 1048576:g}"))
    media_type, signatures = TYPES[suffix]
    if not data.startswith(signatures):
        raise UploadRefused(_l("%(name)s does not look like a %(suffix)s file: its "
                               "content does not match its name.", name=name, suffix=suffix))
    return name, media_type


class StoredFile:
    """Columns of a stored attachment (mixed into a model with its own id and owner)."""

    filename: Mapped[str] = mapped_column(sa.String(200))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def stored(filename: str, data: bytes, uploader, limit: int = MAX_BYTES) -> dict:
    """The :class:`StoredFile` values of an acceptable upload; raises UploadRefused."""
    name, media_type = checked(filename, data, limit)
    return {"filename": name, "media_type": media_type, "size": len(data), "data": data,
            "sha256": hashlib.sha256(data).hexdigest(), "uploaded_by_id": uploader.id}


def download(data: bytes, filename: str, media_type: str) -> Response:
    """A stored file as a download that no browser will render on our origin."""
    response = attachment(data, filename, media_type, cache_control="private, no-store")
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
