"""Checked course zips waiting for the trainer's confirmation, in the instance folder.

A zip can be 15 MB, too much to carry through the page as banks carry their file, so
the dry run keeps it under a random token in ``instance/course-uploads/`` and confirm
applies that very file. Only the person who uploaded it can confirm it; files older
than a day are removed whenever another is staged.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

FOLDER = "course-uploads"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Staged:
    data: bytes
    slug_hint: str


def _paths(instance: Path, user_id: int, token: str) -> tuple[Path, Path]:
    base = instance / FOLDER / f"{user_id}-{token}"
    return base.with_suffix(".zip"), base.with_suffix(".json")


def stage(instance: Path, user_id: int, data: bytes, slug_hint: str) -> str:
    """Keep the zip for the confirm step; returns its token."""
    folder = instance / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old(folder)
    token = secrets.token_urlsafe(24)
    archive, meta = _paths(instance, user_id, token)
    archive.write_bytes(data)
    meta.write_text(json.dumps({"slug_hint": slug_hint}), encoding="utf-8")
    return token


def staged(instance: Path, user_id: int, token: str) -> Staged | None:
    """The zip staged by this person under this token, if it is still there."""
    if not TOKEN_RE.match(token or ""):
        return None
    archive, meta = _paths(instance, user_id, token)
    if not archive.is_file() or not meta.is_file():
        return None
    hint = json.loads(meta.read_text(encoding="utf-8")).get("slug_hint", "")
    return Staged(archive.read_bytes(), str(hint))


def discard(instance: Path, user_id: int, token: str) -> None:
    if TOKEN_RE.match(token or ""):
        for path in _paths(instance, user_id, token):
            path.unlink(missing_ok=True)


def _remove_old(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
