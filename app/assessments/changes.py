"""Changing a published record (§1.3: fair; no silent edits).

The person's manager requests a change with a reason; it takes effect only when an
admin or a second manager approves it. The audit log keeps the values before and
after, who asked, who approved and why. An approved change sends the record back
to "published", so the person reads and acknowledges it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.assessments import indicators as ind
from app.assessments.models import AssessmentRecord, ChangeRequest, ChangeState, RecordState
from app.assessments.services import AssessmentRefused
from app.assessments.sources import decimals, snapshot_values
from app.audit import log as audit
from app.auth.models import User
from app.database import utcnow
from app.extensions import db
from app.notifications.services import notify

TEXTS = ("went_well", "problems")


def _current(record: AssessmentRecord) -> dict[str, Any]:
    return {"indicators": {k: record.published_snapshot["indicators"][k]["value"]
                           for k in ind.INDICATORS},
            "went_well": record.went_well, "problems": record.problems,
            "total": str(record.total) if record.total is not None else None,
            "band": record.band}


def _changed_indicators(current: dict[str, Any],
                        indicators: Mapping[str, Decimal | None]) -> dict[str, str]:
    """The indicator values that differ from the record's, as stored strings."""
    changed = {}
    for key, value in indicators.items():
        if key not in ind.INDICATORS or value is None:
            continue
        if not Decimal(0) <= value <= Decimal(100):
            raise AssessmentRefused(_l("Indicator values are between 0 and 100."))
        text = str(ind.rounded(Decimal(value)))
        if text != current["indicators"][key]:
            changed[key] = text
    return changed


def _changes(current: dict[str, Any], indicators: Mapping[str, Decimal | None],
             texts: Mapping[str, str | None]) -> dict[str, Any]:
    """What the request would change: indicators first, then the feedback texts."""
    changes: dict[str, Any] = {}
    if changed := _changed_indicators(current, indicators):
        changes["indicators"] = changed
    for name, text in texts.items():
        if text is not None and text.strip() != current[name]:
            changes[name] = text.strip()
    if not changes:
        raise AssessmentRefused(_l("Nothing would change."))
    return changes


def request_change(record: AssessmentRecord, requester: User, reason: str, *,
                   indicators: dict[str, Decimal | None] | None = None,
                   went_well: str | None = None, problems: str | None = None) -> ChangeRequest:
    if record.state == RecordState.DRAFT:
        raise AssessmentRefused(_l("A draft is edited directly; change requests are for "
                                   "published records."))
    if not (reason := (reason or "").strip()):
        raise AssessmentRefused(_l("Give the reason for the change."))
    if pending(record):
        raise AssessmentRefused(_l("A change to this record is already waiting for approval."))
    current = _current(record)
    changes = _changes(current, indicators or {},
                       {"went_well": went_well, "problems": problems})
    change = ChangeRequest(record_id=record.id, requested_by_id=requester.id, reason=reason,
                           changes=changes, state=ChangeState.PENDING)
    db.session.add(change)
    db.session.flush()
    audit.record("assessment.change.request", record, actor=requester, reason=reason,
                 before=current, after=changes)
    return change


def pending(record: AssessmentRecord) -> ChangeRequest | None:
    return db.session.execute(sa.select(ChangeRequest).where(
        ChangeRequest.record_id == record.id,
        ChangeRequest.state == ChangeState.PENDING)).scalar_one_or_none()


def history(record: AssessmentRecord) -> list[ChangeRequest]:
    return list(db.session.execute(sa.select(ChangeRequest).where(
        ChangeRequest.record_id == record.id).order_by(ChangeRequest.id)).scalars())


def _decidable(change: ChangeRequest, approver: User) -> AssessmentRecord:
    if change.state != ChangeState.PENDING:
        raise AssessmentRefused(_l("This change has already been decided."))
    if change.requested_by_id == approver.id:
        raise AssessmentRefused(_l("Someone else must approve your own change request."))
    return change.record


def _changed_snapshot(record: AssessmentRecord, change: ChangeRequest
                      ) -> tuple[dict[str, Any], ind.Result]:
    """The record's snapshot with the change's values, its total and band computed again."""
    frozen = record.published_snapshot
    snapshot = {**frozen, "indicators": {k: dict(v) for k, v in frozen["indicators"].items()}}
    for key, value in change.changes.get("indicators", {}).items():
        snapshot["indicators"][key]["value"] = value
        snapshot["indicators"][key]["changed_by_request"] = change.id
    result = ind.comprehensive(
        {k: ind.Indicator(k, v) for k, v in snapshot_values(snapshot).items()},
        decimals(record.period.weights), decimals(record.period.bands))
    snapshot.update(total=str(result.total) if result.total is not None else None,
                    band=result.band, missing=result.missing)
    return snapshot, result


def approve(change: ChangeRequest, approver: User, note: str = "") -> None:
    record = _decidable(change, approver)
    before = _current(record)
    snapshot, result = _changed_snapshot(record, change)
    record.snapshot, record.total, record.band = snapshot, result.total, result.band
    for name in TEXTS:
        if name in change.changes:
            setattr(record, name, change.changes[name])
    record.move_to(RecordState.PUBLISHED)
    record.responded_at = None
    change.move_to(ChangeState.APPROVED)
    change.decided_by_id = approver.id
    change.decided_at, change.decision_note = utcnow(), (note or "").strip()
    db.session.flush()
    audit.record("assessment.change.approve", record, actor=approver, reason=change.reason,
                 before=before, after={**_current(record),
                                       "requested_by": change.requested_by.email,
                                       "approved_by": approver.email,
                                       "note": change.decision_note})
    notify([record.person], "assessment.published", record, params={"changed": True})


def reject(change: ChangeRequest, approver: User, note: str) -> None:
    record = _decidable(change, approver)
    note = (note or "").strip()
    if not note:
        raise AssessmentRefused(_l("Say why the change is rejected."))
    change.move_to(ChangeState.REJECTED)
    change.decided_by_id = approver.id
    change.decided_at, change.decision_note = utcnow(), note
    db.session.flush()
    audit.record("assessment.change.reject", record, actor=approver, reason=note,
                 after={"requested_by": change.requested_by.email, "changes": change.changes})
