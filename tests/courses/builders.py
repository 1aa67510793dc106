"""Build course folders on disk for tests."""

from __future__ import annotations

from pathlib import Path

DEFAULT_META = {"title": "Demo course", "area": "product", "summary": "A short summary.",
                "minutes": "30", "language": "en"}

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
       '<rect width="10" height="10" fill="#1d4ed8"/></svg>')


def write_course(root: Path, slug: str = "demo-course", *, meta: dict | None = None,
                 overview: str = "Overview of the course.\n",
                 lessons: dict[str, str] | None = None,
                 assets: dict[str, bytes | str] | None = None) -> Path:
    """A course folder; ``lessons`` maps file names to Markdown."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    values = {**DEFAULT_META, **(meta or {})}
    front = "".join(f"{key}: {value}\n" for key, value in values.items() if value is not None)
    (folder / "course.md").write_text(f"---\n{front}---\n\n{overview}", encoding="utf-8")
    if lessons is None:
        lessons = {"01-first.md": "# First lesson\n\nHello.\n",
                   "02-second.md": "# Second lesson\n\nMore.\n"}
    for name, text in lessons.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, data in (assets or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    return folder
