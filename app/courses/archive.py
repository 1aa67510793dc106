"""Course zips from the browser: unpacked into a folder the checker reads, within limits.

A zip holds one course, laid out like ``courses/<slug>/``: either ``course.md`` and the
lessons at its root, or one folder (the slug) holding them. Anything that could write
outside that folder or exhaust the disk is refused before a byte is written: paths
with ``..`` or a leading ``/`` or drive, symbolic links, encrypted entries, too many
files, too large a total once unpacked, and entries compressed suspiciously well.
"""

from __future__ import annotations

import io
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask_babel import lazy_gettext as _l

from app.courses.loader import SLUG_RE

_DRIVE = re.compile(r"^[A-Za-z]:")
_JUNK_FOLDERS = ("__MACOSX",)
_RATIO_FLOOR = 1024 * 1024  # small entries may compress well without being bombs


class ArchiveRefused(ValueError):
    """The zip is not unpacked; the message names the entry or limit and what to do."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_files: int
    max_unpacked: int
    max_ratio: int

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(config["COURSE_ZIP_MAX_BYTES"], config["COURSE_ZIP_MAX_FILES"],
                   config["COURSE_ZIP_MAX_UNPACKED_BYTES"], config["COURSE_ZIP_MAX_RATIO"])


def unpack_course(data: bytes, root: Path, slug_hint: str, limits: Limits) -> str:
    """Unpack the course zip into ``root/<slug>/`` and return the slug; or refuse."""
    if len(data) > limits.max_bytes:
        raise ArchiveRefused(_l("The zip is %(size)d KB; the limit is %(limit)d KB: leave "
                                "large videos out and link to them instead.",
                                size=len(data) // 1024, limit=limits.max_bytes // 1024))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        raise ArchiveRefused(_l("This file is not a zip archive: zip the course folder "
                                "(course.md and the lessons) and upload that.")) from None
    with archive:
        entries = _checked_entries(archive, limits)
        slug, strip = _layout([name for name, _ in entries], slug_hint)
        folder = root / slug
        folder.mkdir(parents=True)
        for name, info in entries:
            _extract(archive, info, folder / name[strip:])
    return slug


def _checked_entries(archive: zipfile.ZipFile,
                     limits: Limits) -> list[tuple[str, zipfile.ZipInfo]]:
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        raise ArchiveRefused(_l("The zip holds %(count)d entries; the limit is %(limit)d: "
                                "split the course.", count=len(infos), limit=limits.max_files))
    entries, total = [], 0
    for info in infos:
        name = _checked_name(info)
        if name is None:
            continue
        total += info.file_size
        if total > limits.max_unpacked:
            raise ArchiveRefused(_l("Unpacked, the zip would take more than %(limit)d MB: "
                                    "the limit is %(limit)d MB.",
                                    limit=limits.max_unpacked // 1024 // 1024))
        if (info.file_size > _RATIO_FLOOR
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
            raise ArchiveRefused(_l("%(name)s unpacks to more than %(ratio)d times its "
                                    "packed size, which is refused as a zip bomb.",
                                    name=info.filename, ratio=limits.max_ratio))
        entries.append((name, info))
    if not entries:
        raise ArchiveRefused(_l("The zip is empty: zip the course folder and upload that."))
    return entries


def _checked_name(info: zipfile.ZipInfo) -> str | None:
    """The entry's safe relative path, None for folders and packing leftovers; or refuse."""
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or _DRIVE.match(name) or ".." in parts:
        raise ArchiveRefused(_l("%(name)s points outside the course folder: zip the folder "
                                "itself, with paths inside it only.", name=info.filename))
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ArchiveRefused(_l("%(name)s is a symbolic link: put the file itself into the "
                                "course folder.", name=info.filename))
    if info.flag_bits & 0x1:
        raise ArchiveRefused(_l("%(name)s is encrypted: zip the course without a password.",
                                name=info.filename))
    if info.is_dir() or not parts or parts[0] in _JUNK_FOLDERS:
        return None
    return "/".join(part for part in parts if part != ".")


def _layout(names: list[str], slug_hint: str) -> tuple[str, int]:
    """The course's slug and how many leading characters of each name to drop."""
    if "course.md" in names:
        return _slug(slug_hint), 0
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        top = tops.pop()
        return _slug(top), len(top) + 1
    raise ArchiveRefused(_l("The zip must hold one course: course.md and the lessons at its "
                            "root, or one folder (named like the course) holding them."))


def _slug(name: str) -> str:
    if not SLUG_RE.match(name):
        raise ArchiveRefused(_l("%(name)s is not a course slug: name the course folder (or, "
                                "for a zip without one, the course) with 3–60 lowercase "
                                "letters, digits and '-'.", name=name or "''"))
    return name


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)  # stops at the declared size
    except (zipfile.BadZipFile, OSError, NotImplementedError, EOFError) as exc:
        raise ArchiveRefused(_l("%(name)s cannot be unpacked (%(why)s): zip the course "
                                "again.", name=info.filename, why=str(exc))) from None
