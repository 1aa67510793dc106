"""Build course zips in memory for tests."""

from __future__ import annotations

import io
import stat
import zipfile

COURSE_MD = ("---\ntitle: Zipped course\narea: product\nsummary: From a zip.\nminutes: 20\n"
             "language: en\n---\n\nAn overview.\n")
LESSONS = {"01-start.md": "# Start\n\nHello.\n", "02-next.md": "# Next\n\nMore.\n"}


def course_zip(files: dict[str, str | bytes] | None = None, folder: str | None = "zip-course",
               ) -> bytes:
    """A zip of a course: ``files`` by path inside the course folder."""
    files = files if files is not None else {"course.md": COURSE_MD, **LESSONS}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(f"{folder}/{path}" if folder else path, data)
    return buffer.getvalue()


def raw_zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()
