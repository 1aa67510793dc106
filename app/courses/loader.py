"""Reading and checking a folder of courses. Pure: no Flask, no database.

The format is documented in docs/course-format.md. :func:`load_courses`
returns the courses it could read and *every* problem found, each naming the
file and line, so a trainer fixes everything in one pass.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from app.courses.links import link_targets, local_target, normalise_relative

# §2.3: the curriculum's three families and their subjects.
FAMILIES: dict[str, tuple[str, ...]] = {
    "knowledge": ("product", "industry", "technical"),
    "skills": ("communication", "demonstration", "project-management"),
    "qualities": ("teamwork", "problem-solving", "professionalism"),
}
AREAS: tuple[str, ...] = tuple(area for areas in FAMILIES.values() for area in areas)
LANGUAGES = ("en", "zh_CN")
REQUIRED_KEYS = ("title", "area", "summary", "minutes", "language")
OPTIONAL_KEYS = ("prerequisites",)

ASSET_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".svg": "image/svg+xml", ".pdf": "application/pdf",
}
MAX_TEXT_BYTES = 200 * 1024
MAX_ASSET_BYTES = 5 * 1024 * 1024
MAX_LESSONS = 200

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,58})[a-z0-9]$")
LESSON_RE = re.compile(r"^(?P<number>\d{2,3})-(?P<slug>[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?)\.md$")


def family_of(area: str) -> str:
    return next(family for family, areas in FAMILIES.items() if area in areas)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LessonSource:
    slug: str
    number: int
    filename: str
    title: str
    text: str

    @property
    def source_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class AssetSource:
    path: str  # relative to the course folder, with "/" separators
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class CourseSource:
    slug: str
    title: str
    area: str
    summary: str
    minutes: int
    language: str
    prerequisites: tuple[str, ...]
    overview: str  # the Markdown body of course.md
    lessons: list[LessonSource] = field(default_factory=list)
    assets: list[AssetSource] = field(default_factory=list)
    text: str = ""  # course.md as written (kept so the course can be downloaded)

    @property
    def family(self) -> str:
        return family_of(self.area)

    @property
    def meta_hash(self) -> str:
        parts = [self.title, self.area, self.summary, str(self.minutes), self.language,
                 ",".join(self.prerequisites), self.overview]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def read_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    """UTF-8 text (BOM and CRLF accepted) within the size limit, or None with a problem."""
    data = path.read_bytes()
    if len(data) > MAX_TEXT_BYTES:
        problems.append(Problem(shown, 1, f"file is {len(data) // 1024} KB; the limit is "
                                          f"{MAX_TEXT_BYTES // 1024} KB: split it into lessons"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problems.append(Problem(shown, line, "file is not UTF-8 text: save it as UTF-8"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_front_matter(text: str, shown: str,
                       problems: list[Problem]) -> tuple[dict[str, tuple[str, int]], str, int]:
    """Split ``key: value`` front matter from the body.

    Returns the values with their line numbers, the body, and the body's first line.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(shown, 1, "course.md must start with front matter: a line "
                                          "'---', then 'key: value' lines, then '---'"))
        return {}, text, 1
    values: dict[str, tuple[str, int]] = {}
    for index, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if line == "---":
            return values, "\n".join(lines[index:]), index + 1
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or not key:
            problems.append(Problem(shown, index, f"write 'key: value' here, not {line!r}"))
        elif key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            problems.append(Problem(shown, index, f"unknown key {key!r}; the keys are "
                                                  f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}"))
        elif key in values:
            problems.append(Problem(shown, index, f"{key!r} is given twice (first on line "
                                                  f"{values[key][1]})"))
        else:
            values[key] = (value.strip(), index)
    problems.append(Problem(shown, 1, "the front matter is not closed: add a line '---' "
                                      "after the last 'key: value' line"))
    return values, "", len(lines)


def _check_meta(values: dict[str, tuple[str, int]], shown: str, end_line: int,
                problems: list[Problem]) -> dict | None:
    ok = True
    for key in REQUIRED_KEYS:
        if key not in values or not values[key][0]:
            line = values[key][1] if key in values else end_line
            problems.append(Problem(shown, line, f"{key!r} is missing: add '{key}: ...' to the "
                                                 "front matter"))
            values[key] = ("", line)
            ok = False
    title, line = values["title"]
    if len(title) > 200:
        problems.append(Problem(shown, line, "title is longer than 200 characters"))
        ok = False
    summary, line = values["summary"]
    if len(summary) > 500:
        problems.append(Problem(shown, line, "summary is longer than 500 characters"))
        ok = False
    area, line = values["area"]
    if area and area not in AREAS:
        problems.append(Problem(shown, line, f"unknown area {area!r}; use one of "
                                             f"{', '.join(AREAS)}"))
        ok = False
    minutes, line = values["minutes"]
    if minutes and (not minutes.isdigit() or not 1 <= int(minutes) <= 6000):
        problems.append(Problem(shown, line, f"minutes must be a whole number from 1 to 6000, "
                                             f"not {minutes!r}"))
        ok = False
    language, line = values["language"]
    if language and language not in LANGUAGES:
        problems.append(Problem(shown, line, f"unknown language {language!r}; use en or zh_CN"))
        ok = False
    prerequisites = tuple(p.strip() for p in values.get("prerequisites", ("", 0))[0].split(",")
                          if p.strip())
    if not ok:
        return None
    return {"title": title, "area": area, "summary": summary, "minutes": int(minutes),
            "language": language, "prerequisites": prerequisites}


def _lesson_title(text: str, shown: str, problems: list[Problem]) -> str | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        match = re.match(r"^#\s+(.+?)\s*#*\s*$", line)
        if match:
            return match.group(1)
        problems.append(Problem(shown, number, "a lesson starts with its title as a level-1 "
                                               "heading: '# Title'"))
        return None
    problems.append(Problem(shown, 1, "the lesson is empty: start it with '# Title'"))
    return None


def _check_links(text: str, shown: str, lesson_files: set[str], asset_paths: set[str],
                 base: PurePosixPath, problems: list[Problem]) -> None:
    for line, is_image, target in link_targets(text):
        path = local_target(target)
        if path is None:
            continue
        resolved = normalise_relative(base, path)
        if resolved is None:
            problems.append(Problem(shown, line, f"{target!r} leaves the course folder: link "
                                                 "only to files inside it"))
        elif is_image and resolved not in asset_paths:
            problems.append(Problem(shown, line, f"image {target!r} does not exist in the "
                                                 "course folder"))
        elif not is_image and resolved not in lesson_files | asset_paths | {"course.md"}:
            problems.append(Problem(shown, line, f"link {target!r} points to no lesson or file "
                                                 "of this course"))


def load_course(folder: Path, root: Path) -> tuple[CourseSource | None, list[Problem]]:
    """Read one course folder; every problem found is returned."""
    problems: list[Problem] = []
    shown_dir = folder.relative_to(root.parent).as_posix() if folder.is_relative_to(
        root.parent) else folder.as_posix()

    def shown(name: str) -> str:
        return f"{shown_dir}/{name}"

    if not SLUG_RE.match(folder.name):
        problems.append(Problem(shown_dir, 1, "the folder name is the course slug: use 3–60 "
                                              "lowercase letters, digits and '-'"))
    meta_file = folder / "course.md"
    if not meta_file.is_file():
        problems.append(Problem(shown("course.md"), 1, "course.md is missing: every course "
                                                       "folder needs one"))
        return None, problems
    lessons, assets, lesson_texts = _read_folder(folder, shown, problems)
    text = read_text(meta_file, shown("course.md"), problems)
    meta, overview = None, ""
    if text is not None:
        values, overview, body_line = parse_front_matter(text, shown("course.md"), problems)
        meta = _check_meta(values, shown("course.md"), max(body_line - 1, 1), problems)
    if not lesson_texts and text is not None:
        problems.append(Problem(shown("course.md"), 1, "the course has no lessons: add files "
                                                       "named like 01-introduction.md"))
    lesson_files = {lesson.filename for lesson in lessons}
    asset_paths = {asset.path for asset in assets}
    for filename, lesson_text in lesson_texts.items():
        _check_links(lesson_text, shown(filename), lesson_files, asset_paths,
                     PurePosixPath(filename).parent, problems)
    if text is not None:
        _check_links(overview, shown("course.md"), lesson_files, asset_paths, PurePosixPath(),
                     problems)
    if problems or meta is None:
        return None, problems
    return CourseSource(slug=folder.name, overview=overview, lessons=lessons, assets=assets,
                        text=text or "", **meta), problems


@dataclass
class _FolderRead:
    """What reading one course folder has found so far."""

    shown: Callable[[str], str]
    problems: list[Problem]
    lessons: list[LessonSource] = field(default_factory=list)
    assets: list[AssetSource] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    numbers: dict[int, str] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)

    def problem(self, relative: str, message: str) -> None:
        self.problems.append(Problem(self.shown(relative), 1, message))


def _read_folder(folder: Path, shown, problems: list[Problem]):
    found = _FolderRead(shown, problems)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
        relative = path.relative_to(folder).as_posix()
        if _is_linked(folder, path):
            found.problem(relative, "symbolic links are not allowed: copy the file into the "
                                    "course folder")
        elif relative == "course.md" or any(part.startswith(".")
                                            for part in relative.split("/")):
            continue
        elif lesson_match := LESSON_RE.match(relative):
            _read_lesson(found, path, relative, int(lesson_match["number"]),
                         lesson_match["slug"])
        elif path.suffix.lower() in ASSET_TYPES:
            _read_asset(found, path, relative)
        else:
            hint = ("name lessons NN-slug.md (two or three digits, lowercase slug)"
                    if path.suffix.lower() == ".md" else
                    f"allowed assets are {', '.join(sorted(ASSET_TYPES))}")
            found.problem(relative, f"unexpected file: {hint}")
    if len(found.lessons) > MAX_LESSONS:
        found.problem("course.md", f"more than {MAX_LESSONS} lessons: split the course")
    found.lessons.sort(key=lambda lesson: lesson.number)
    return found.lessons, found.assets, found.texts


def _is_linked(folder: Path, path: Path) -> bool:
    """The file, or a folder between it and the course folder, is a symbolic link."""
    return path.is_symlink() or any(parent.is_symlink() for parent in path.parents
                                    if parent.is_relative_to(folder) and parent != folder)


def _read_lesson(found: _FolderRead, path: Path, relative: str, number: int,
                 slug: str) -> None:
    if number in found.numbers:
        found.problem(relative, f"lesson number {number} is also used by "
                                f"{found.numbers[number]}")
        return
    if slug in found.slugs:
        found.problem(relative, f"lesson slug {slug!r} is also used by {found.slugs[slug]}")
        return
    found.numbers[number], found.slugs[slug] = relative, relative
    text = read_text(path, found.shown(relative), found.problems)
    if text is None:
        return
    title = _lesson_title(text, found.shown(relative), found.problems)
    found.texts[relative] = text
    if title:
        found.lessons.append(LessonSource(slug, number, relative, title, text))


def _read_asset(found: _FolderRead, path: Path, relative: str) -> None:
    size = path.stat().st_size
    if size > MAX_ASSET_BYTES:
        found.problem(relative, f"asset is {size // 1024} KB; the limit is "
                                f"{MAX_ASSET_BYTES // 1024 // 1024} MB")
        return
    found.assets.append(AssetSource(relative, ASSET_TYPES[path.suffix.lower()],
                                    path.read_bytes()))


def load_courses(root: Path, known: frozenset[str] = frozenset()
                 ) -> tuple[list[CourseSource], list[Problem]]:
    """Every course folder under ``root`` and every problem, across courses too.

    ``known`` names courses outside ``root`` that prerequisites may name too.
    """
    if not root.is_dir():
        return [], [Problem(root.as_posix(), 1, "no such folder")]
    courses: list[CourseSource] = []
    problems: list[Problem] = []
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for folder in folders:
        course, found = load_course(folder, root)
        problems.extend(found)
        if course:
            courses.append(course)
    known = known | {folder.name for folder in folders}
    for course in courses:
        for prerequisite in course.prerequisites:
            if prerequisite == course.slug or prerequisite not in known:
                what = "is the course itself" if prerequisite == course.slug else "does not exist"
                line = _front_matter_line(root / course.slug / "course.md", "prerequisites")
                problems.append(Problem(f"{root.name}/{course.slug}/course.md", line,
                                        f"prerequisite {prerequisite!r} {what}: name other "
                                        "course folders"))
    return (courses if not problems else []), problems


def _front_matter_line(path: Path, key: str) -> int:
    for number, line in enumerate(path.read_text("utf-8-sig").splitlines(), start=1):
        if line.strip().lower().startswith(f"{key}:"):
            return number
    return 1
