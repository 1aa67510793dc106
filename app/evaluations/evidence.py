"""Evidence attachments: small files checked by :mod:`app.uploads` before storing,
served as downloads only to people who may see the evaluation."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from app import uploads
from app.auth.models import User
from app.evaluations.models import Evaluation, EvidenceFile
from app.evaluations.services import EvaluationRefused
from app.extensions import db
from app.oversight import audit


def attach(evaluation: Evaluation, filename: str, data: bytes, actor: User,
           limit: int = uploads.MAX_BYTES) -> EvidenceFile:
    try:
        name, media_type = uploads.checked(filename, data, limit)
    except uploads.UploadRefused as refused:
        raise EvaluationRefused(str(refused)) from refused
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
