"""Checkpoints of the audit chain's head, kept outside the database.

The hash chain proves that no entry inside it changed, but not that its newest
entries still exist: someone able to drop the triggers can delete the tail, or
rebuild the whole log, and what is left verifies. A checkpoint (how many
entries there were, the head hash then, and when) appended by cron to a file
the database cannot reach pins the head: the entry at that position must still
carry that hash. The file holds one JSON object per line, oldest first.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from app.audit.log import ChainReport
from app.audit.models import AuditEntry
from app.extensions import db

_HASH = re.compile(r"[0-9a-f]{64}")


class CheckpointFileError(Exception):
    """The checkpoint file cannot be read as checkpoints; the message says where."""


@dataclass(frozen=True)
class Checkpoint:
    count: int
    head: str | None  # None: the log was empty
    taken_at: datetime
    line: int  # in the file, from 1


@dataclass(frozen=True)
class Mismatch:
    """Why the log no longer matches a checkpoint: ``kind`` for pages, ``text`` for the CLI."""

    kind: str  # "deleted" or "rewritten"
    text: str


def to_line(count: int, head: str | None, taken_at: datetime) -> str:
    return json.dumps({"count": count, "head": head, "at": taken_at.isoformat()},
                      separators=(",", ":")) + "\n"


def parse_line(text: str, line: int, path: Path | str = "") -> Checkpoint:
    """One line of the file; anything else is refused with its place."""
    where = f"line {line} of {path}" if path else f"line {line}"
    try:
        data = json.loads(text)
        count, head = data["count"], data["head"]
        taken_at = datetime.fromisoformat(data["at"])
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointFileError(f"{where} is not a checkpoint ({exc})") from None
    if (not isinstance(count, int) or isinstance(count, bool) or count < 0
            or (head is None) != (count == 0)
            or (head is not None and not (isinstance(head, str) and _HASH.fullmatch(head)))
            or taken_at.tzinfo is None):
        raise CheckpointFileError(f"{where} is not a checkpoint: it needs a count, the head "
                                  "hash (64 hex digits) and a time with its offset")
    return Checkpoint(count, head, taken_at, line)


def read_all(path: Path | str) -> list[Checkpoint]:
    """Every checkpoint in the file, oldest first; none if the file does not exist."""
    try:
        with open(path, encoding="utf-8") as handle:
            return [parse_line(text, number, path)
                    for number, text in enumerate(handle, start=1) if text.strip()]
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointFileError(f"{path} cannot be read ({exc})") from None


def latest(path: Path | str, n: int = 3) -> list[Checkpoint]:
    """The newest ``n`` checkpoints, newest first (the whole file is checked by verify)."""
    return list(reversed(read_all(path)[-n:])) if n else []


def append(path: Path | str, count: int, head: str | None, taken_at: datetime) -> None:
    """Add one line at the end, on disk before returning (O_APPEND: never overwrites)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, to_line(count, head, taken_at).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def mismatch(checkpoint: Checkpoint, entries: int, hash_there: str | None) -> Mismatch | None:
    """Compare one checkpoint with the log: ``entries`` now, ``hash_there`` at its position."""
    if checkpoint.count > entries:
        return Mismatch("deleted", f"the database holds {entries} entries, fewer than the "
                        f"{checkpoint.count} the checkpoint recorded: entries were deleted")
    if checkpoint.count and hash_there != checkpoint.head:
        return Mismatch("rewritten", f"entry number {checkpoint.count} no longer has the hash "
                        f"the checkpoint recorded ({checkpoint.head}): the log was rewritten")
    return None


def against_report(checkpoints: list[Checkpoint],
                   report: ChainReport) -> tuple[Checkpoint, Mismatch] | None:
    """The first checkpoint (oldest first) a fully walked chain contradicts."""
    for checkpoint in checkpoints:
        problem = mismatch(checkpoint, report.checked,
                           report.hashes_at.get(checkpoint.count))
        if problem:
            return checkpoint, problem
    return None


@dataclass(frozen=True)
class CheckpointStatus:
    checkpoint: Checkpoint
    problem: Mismatch | None

    @property
    def matches(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class CheckpointPanel:
    """What the supervision pages show: the latest checkpoints and the database now."""

    path: str
    entries: int
    statuses: list[CheckpointStatus]
    error: str | None = None


def panel(path: Path | str, n: int = 3) -> CheckpointPanel:
    """Compare the newest checkpoints with the database's head (two queries each at most).

    Only the pinned positions are read; the full walk is ``flask audit verify``.
    """
    entries = db.session.execute(
        sa.select(sa.func.count()).select_from(AuditEntry)).scalar_one()
    try:
        newest = latest(path, n)
    except CheckpointFileError as exc:
        return CheckpointPanel(str(path), entries, [], str(exc))
    statuses = []
    for checkpoint in newest:
        hash_there = None
        if 0 < checkpoint.count <= entries:
            hash_there = db.session.execute(
                sa.select(AuditEntry.hash).order_by(AuditEntry.id)
                .offset(checkpoint.count - 1).limit(1)).scalar()
        statuses.append(CheckpointStatus(checkpoint, mismatch(checkpoint, entries, hash_there)))
    return CheckpointPanel(str(path), entries, statuses)
