"""Evidence attachments: small files checked by :mod:`app.uploads` before storing,
served as downloads only to people who may see the evaluation."""

from __future__ import annotations

import sqlalchemy as sa

import app.uploads as uploads
from app.audit import log as audit
from app.auth.models import User
from app.evaluations.models import Evaluation, EvidenceFile
from app.evaluations.refusals import EvaluationRefused
from app.extensions import db


def attach(evaluation: Evaluation, filename: str, data: bytes, actor: User,
           limit: int = uploads.MAX_BYTES) -> EvidenceFile:
    try:
        values = uploads.stored(filename, data, actor, limit)
    except uploads.UploadRefused as refused:
        raise EvaluationRefused(str(refused)) from refused
    stored = EvidenceFile(evaluation_id=evaluation.id, **values)
    db.session.add(stored)
    db.session.flush()
    audit.record("evaluation.attach", evaluation, actor=actor,
                 after={"file": stored.filename, "size": stored.size, "sha256": stored.sha256})
    return stored


def files_of(evaluation: Evaluation) -> list[EvidenceFile]:
    return list(db.session.execute(
        sa.select(EvidenceFile).where(EvidenceFile.evaluation_id == evaluation.id)
        .order_by(EvidenceFile.id)).scalars())
