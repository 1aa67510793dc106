"""Evidence attachments: small files checked by size, name and content before storing.

A file is accepted only when its ending is on the list *and* its first bytes are
what that type starts with, so a renamed executable or HTML page is refused. Files
are served as downloads (never rendered by the app's origin) and only to people
who may see the evaluation.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePath

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.evaluations.models import Evaluation, EvidenceFile
from app.evaluations.services import EvaluationRefused
from app.extensions import db
from app.oversight import audit

MAX_BYTES = 10 * 1024 * 1024
_ZIP = (b"PK\x03\x04",)
TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
              _ZIP),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_filename(name: str) -> str:
    """The file's own name (no folders), Unicode kept, characters unsafe in a header dropped."""
    name = unicodedata.normalize("NFC", PurePath(name.replace("\\", "/")).name)
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[-150:] or "file"


def attach(evaluation: Evaluation, filename: str, data: bytes, actor: User,
           limit: int = MAX_BYTES) -> EvidenceFile:
    name = safe_filename(filename)
    suffix = PurePath(name).suffix.lower()
    if suffix not in TYPES:
        raise EvaluationRefused(_l("%(name)s: this kind of file is not accepted; attach a "
                                   "PDF, PowerPoint (.pptx), Word (.docx), Excel (.xlsx), "
                                   "PNG or JPEG file.", name=name))
    if not data:
        raise EvaluationRefused(_l("%(name)s is empty.", name=name))
    if len(data) > limit:
        raise EvaluationRefused(_l("%(name)s is %(size)s MB; the limit is %(limit)s MB.",
                                   name=name, size=f"{len(data) / 1048576:.1f}",
                                   limit=f"{limit / 1048576:g}"))
    media_type, signatures = TYPES[suffix]
    if not data.startswith(signatures):
        raise EvaluationRefused(_l("%(name)s does not look like a %(suffix)s file: its "
                                   "content does not match its name.", name=name,
                                   suffix=suffix))
    stored = EvidenceFile(evaluation_id=evaluation.id, filename=name, media_type=media_type,
                          size=len(data), data=data, sha256=hashlib.sha256(data).hexdigest(),
                          uploaded_by_id=actor.id)
    db.session.add(stored)
    db.session.flush()
    audit.record("evaluation.attach", evaluation, actor=actor,
                 after={"file": name, "size": len(data), "sha256": stored.sha256})
    return stored


def files_of(evaluation: Evaluation) -> list[EvidenceFile]:
    return list(db.session.execute(
        sa.select(EvidenceFile).where(EvidenceFile.evaluation_id == evaluation.id)
        .order_by(EvidenceFile.id)).scalars())
