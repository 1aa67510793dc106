"""The one way to write to the audit log, and the chain check.

Every feature records score- or access-affecting actions through
:func:`record`. Each row's hash covers its content and its predecessor's hash,
so editing or deleting a row breaks the chain at that row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from app.audit.models import GENESIS_HASH, AuditEntry
from app.database import utcnow
from app.extensions import db

# Any constant: the key of the PostgreSQL advisory lock that serialises writers.
_CHAIN_LOCK_KEY = 7_243_001


def _plain(value: Any) -> Any:
    """JSON-safe copy, so what is hashed is exactly what is stored."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def entry_digest(
    *,
    prev_hash: str,
    created_at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    reason: str | None,
) -> str:
    """SHA-256 over a canonical JSON rendering of one entry and its predecessor."""
    canonical = json.dumps(
        [prev_hash, created_at, actor_id, actor_label, action, object_type, object_id,
         before, after, reason],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _digest_of(entry: AuditEntry, prev_hash: str) -> str:
    return entry_digest(
        prev_hash=prev_hash,
        created_at=entry.created_at.isoformat(),
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        before=entry.before,
        after=entry.after,
        reason=entry.reason,
    )


def _lock_chain() -> None:
    """Serialise chain writers until this transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: writing
    transactions already start with BEGIN IMMEDIATE, which holds the database's
    single write lock.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))


def record(
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    actor: Any = None,
    actor_label: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append one entry to the audit log (flushed; the caller commits).

    ``obj`` may be a model instance (its table name and id are used) or left out
    in favour of explicit ``object_type``/``object_id``. ``actor`` is the user
    acting; without one, ``actor_label`` says who (for example ``"cli"``).
    """
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = obj.id if object_id is None else object_id
    if not object_type:
        raise ValueError("an audit entry needs the type of the object acted on")
    _lock_chain()
    last = db.session.execute(
        sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar()
    entry = AuditEntry(
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label or getattr(actor, "email", None) or "system",
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        before=_plain(before),
        after=_plain(after),
        reason=reason,
        prev_hash=last or GENESIS_HASH,
    )
    entry.hash = _digest_of(entry, entry.prev_hash)
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str | None = None
    head: str | None = None
    # position (1 = oldest entry) -> hash there, for the positions asked for
    hashes_at: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_chain(entries: Iterable[AuditEntry], anchor: str | None = None,
                positions: Collection[int] = ()) -> ChainReport:
    """Walk entries in id order and report the first row that breaks the chain.

    ``anchor``, a head hash recorded earlier, must still be in the chain: that
    catches a log whose newest rows were removed, or that was rebuilt whole.
    The report keeps the hash found at each of ``positions`` (checkpoints).
    """
    expected_prev = GENESIS_HASH
    count = 0
    anchor_seen = anchor is None
    hashes_at: dict[int, str] = {}
    for entry in entries:
        count += 1
        if count in positions:
            hashes_at[count] = entry.hash
        if entry.prev_hash != expected_prev:
            return ChainReport(count - 1, entry.id,
                               "its previous-hash does not match the row before it "
                               "(a row was removed, inserted or reordered)")
        if _digest_of(entry, entry.prev_hash) != entry.hash:
            return ChainReport(count - 1, entry.id,
                               "its content does not match its hash (the row was edited)")
        expected_prev = entry.hash
        anchor_seen = anchor_seen or entry.hash == anchor
    head = expected_prev if count else None
    if not anchor_seen:
        return ChainReport(count, None, "the anchor hash recorded earlier is no longer in the "
                                        "chain (newest entries removed, or the log rewritten)",
                           head, hashes_at)
    return ChainReport(count, head=head, hashes_at=hashes_at)


def verify_chain(anchor: str | None = None, batch_size: int = 1000,
                 positions: Collection[int] = ()) -> ChainReport:
    """Check the whole audit log in the database, streaming in id order."""
    rows = db.session.execute(
        sa.select(AuditEntry).options(lazyload(AuditEntry.actor))
        .order_by(AuditEntry.id).execution_options(yield_per=batch_size)
    ).scalars()
    return check_chain(rows, anchor, positions)
