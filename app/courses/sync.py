"""Loading a folder of courses into the database: idempotent, versioned, all-or-nothing.

Every lesson is rendered (Markdown → sanitised HTML) here, once per content
version; pages only read the stored HTML.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import sqlalchemy as sa
from markdown.extensions.toc import slugify_unicode

from app.content.markdown import MarkdownTooLarge, RenderedMarkdown, render_markdown
from app.courses.links import local_target, normalise_relative
from app.courses.loader import CourseSource, LessonSource, Problem, load_courses
from app.courses.models import Course, CourseAsset, Lesson, LessonVersion
from app.courses.services import complete_finished_learners
from app.database import utcnow
from app.extensions import db


@dataclass
class CourseChange:
    slug: str
    status: str  # added, changed, unchanged, retired
    lessons: dict[str, int] = field(default_factory=lambda: {
        "added": 0, "changed": 0, "unchanged": 0, "retired": 0})

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {what}" for what, n in self.lessons.items())
        return f"{self.slug}: {self.status} (lessons: {counts})"


@dataclass
class SyncReport:
    problems: list[Problem] = field(default_factory=list)
    courses: list[CourseChange] = field(default_factory=list)
    # Live courses not in the folder, left alone because pruning was not asked for.
    would_retire: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _anchor(fragment: str) -> str:
    return "#sec-" + slugify_unicode(fragment, "-") if fragment else ""


def _resolver(course: CourseSource, base: PurePosixPath, lesson_prefix: str, asset_prefix: str,
              course_url: str, unresolved: list[str]):
    """Map in-course links to the URLs pages are served at (relative, so any mount works).

    Targets it cannot map are collected in ``unresolved`` (the checker's line scan
    can miss links, e.g. in nested lists; rendering sees them all).
    """
    lessons = {lesson.filename: lesson.slug for lesson in course.lessons}
    assets = {asset.path for asset in course.assets}

    def resolve(kind: str, url: str) -> str | None:
        path = local_target(url)
        resolved = normalise_relative(base, path) if path else None
        if resolved is None:
            unresolved.append(url)
            return None
        fragment = url.partition("#")[2]
        if kind == "link" and resolved in lessons:
            return f"{lesson_prefix}{lessons[resolved]}{_anchor(fragment)}"
        if kind == "link" and resolved == "course.md":
            return course_url
        if resolved in assets:
            return f"{asset_prefix}{resolved}"
        unresolved.append(url)
        return None

    return resolve


def render_course(course: CourseSource) -> tuple[RenderedMarkdown | None,
                                                 dict[str, RenderedMarkdown], list[Problem]]:
    """Render the overview and every lesson; too-large texts become problems."""
    problems: list[Problem] = []
    # The course page is /courses/<slug>/ and a lesson /courses/<slug>/lessons/<lesson>.
    unresolved: list[str] = []
    overview_resolve = _resolver(course, PurePosixPath(), "lessons/", "assets/", "./",
                                 unresolved)
    shown = f"courses/{course.slug}/course.md"
    overview = _render(course.overview, overview_resolve, shown, problems)
    _report_unresolved(course.overview, unresolved, shown, problems)
    lessons = {}
    for lesson in course.lessons:
        unresolved = []
        resolve = _resolver(course, PurePosixPath(lesson.filename).parent, "", "../assets/",
                            "../", unresolved)
        shown = f"courses/{course.slug}/{lesson.filename}"
        rendered = _render(lesson.text, resolve, shown, problems)
        _report_unresolved(lesson.text, unresolved, shown, problems)
        if rendered:
            lessons[lesson.slug] = rendered
    return overview, lessons, problems


def _report_unresolved(text: str, targets: list[str], shown: str,
                       problems: list[Problem]) -> None:
    lines = text.split("\n")
    for target in dict.fromkeys(targets):
        line = next((n for n, content in enumerate(lines, start=1) if target in content), 1)
        problem = Problem(shown, line, f"link {target!r} points to no lesson or file of this "
                                       "course")
        if not any(p.path == shown and p.message == problem.message for p in problems):
            problems.append(problem)


def _render(text: str, resolve, shown: str, problems: list[Problem]) -> RenderedMarkdown | None:
    try:
        return render_markdown(text, resolve_url=resolve)
    except MarkdownTooLarge as exc:
        problems.append(Problem(shown, 1, str(exc)))
        return None


def check_folder(root: Path, known: frozenset[str] = frozenset()
                 ) -> tuple[list[tuple[CourseSource, RenderedMarkdown,
                                       dict[str, RenderedMarkdown]]], list[Problem]]:
    """Read, check and render every course; nothing touches the database.

    ``known``: other courses' slugs that prerequisites may name.
    """
    sources, problems = load_courses(root, known)
    rendered = []
    for source in sources:
        overview, lessons, found = render_course(source)
        problems.extend(found)
        if overview is not None:  # else its problem is already reported
            rendered.append((source, overview, lessons))
    return ([] if problems else rendered), problems


def sync_courses(root: Path, *, prune: bool = True) -> SyncReport:
    """Make the database match the folder (the caller commits), or change nothing.

    With ``prune`` every live course that is not in the folder is retired; without
    it they are left alone (listed in ``would_retire``) and prerequisites may name them.
    """
    existing = {c.slug: c for c in db.session.execute(sa.select(Course)).scalars()}
    live = frozenset(slug for slug, course in existing.items() if course.retired_at is None)
    rendered, problems = check_folder(root, frozenset() if prune else live)
    if problems:
        return SyncReport(problems=problems)
    report = SyncReport()
    for source, overview, lessons in rendered:
        report.courses.append(_sync_course(existing.get(source.slug), source, overview, lessons))
    seen = {source.slug for source, _, _ in rendered}
    for slug in sorted(live - seen):
        if prune:
            report.courses.append(retire_course_and_lessons(existing[slug]))
        else:
            report.would_retire.append(slug)
    db.session.flush()
    for change in report.courses:
        if change.lessons["retired"] and change.status != "retired":
            complete_finished_learners(existing[change.slug].id)
    return report


def _sync_course(course: Course | None, source: CourseSource, overview: RenderedMarkdown,
                 lessons: dict[str, RenderedMarkdown]) -> CourseChange:
    meta_hash = hashlib.sha256((source.meta_hash + overview.html).encode()).hexdigest()
    if course is None:
        course = Course(slug=source.slug, meta_hash="")
        db.session.add(course)
        change = CourseChange(source.slug, "added")
    else:
        unchanged = course.meta_hash == meta_hash and course.retired_at is None
        change = CourseChange(source.slug, "unchanged" if unchanged else "changed")
    if course.meta_hash != meta_hash or course.retired_at is not None:
        course.title, course.area, course.family = source.title, source.area, source.family
        course.summary, course.minutes = source.summary, source.minutes
        course.language, course.prerequisites = source.language, list(source.prerequisites)
        course.overview_html, course.meta_hash = overview.html, meta_hash
        course.retired_at, course.updated_at = None, utcnow()
    if course.source != source.text:
        course.source = source.text  # the file as written; its meaning is in meta_hash
    db.session.flush()
    _sync_lessons(course, source.lessons, lessons, change)
    _sync_assets(course, source)
    if change.status == "unchanged" and any(change.lessons[k] for k in
                                            ("added", "changed", "retired")):
        change.status = "changed"
    return change


def _sync_lessons(course: Course, sources: list[LessonSource],
                  rendered: dict[str, RenderedMarkdown], change: CourseChange) -> None:
    current = {lesson.slug: lesson for lesson in db.session.execute(
        sa.select(Lesson).where(Lesson.course_id == course.id)).scalars()}
    versions = {version.lesson_id: version for version in db.session.execute(
        sa.select(LessonVersion)
        .join(Lesson, sa.and_(Lesson.id == LessonVersion.lesson_id,
                              Lesson.version == LessonVersion.version))
        .where(Lesson.course_id == course.id)).scalars()}
    hashes = {lesson_id: version.source_hash for lesson_id, version in versions.items()}
    for source in sources:
        page = rendered[source.slug]
        content_hash = hashlib.sha256((page.title or source.title).encode() + b"\x1f"
                                      + page.html.encode()).hexdigest()
        lesson = current.get(source.slug)
        if lesson is None:
            lesson = Lesson(course_id=course.id, slug=source.slug, position=source.number,
                            title=source.title, version=0)
            db.session.add(lesson)
            db.session.flush()
            kind = "added"
        elif hashes.get(lesson.id) != content_hash:
            kind = "changed"
        else:
            kind = "unchanged" if lesson.retired_at is None else "added"
        lesson.position, lesson.retired_at = source.number, None
        if kind != "unchanged" and hashes.get(lesson.id) != content_hash:
            lesson.version += 1
            lesson.title = source.title
            db.session.add(LessonVersion(
                lesson_id=lesson.id, version=lesson.version, title=source.title,
                source_hash=content_hash, html=page.html, source=source.text,
                toc=[[entry.level, entry.anchor, entry.title] for entry in page.toc]))
        elif versions[lesson.id].source != source.text:
            versions[lesson.id].source = source.text  # same page, the file written otherwise
        change.lessons[kind] += 1
    wanted = {source.slug for source in sources}
    for slug, lesson in current.items():
        if slug not in wanted and lesson.retired_at is None:
            lesson.retired_at = utcnow()  # progress on it is kept
            change.lessons["retired"] += 1


def _sync_assets(course: Course, source: CourseSource) -> None:
    stored = {asset.path: asset for asset in db.session.execute(
        sa.select(CourseAsset).where(CourseAsset.course_id == course.id)).scalars()}
    for asset in source.assets:
        row = stored.pop(asset.path, None)
        if row is None:
            db.session.add(CourseAsset(course_id=course.id, path=asset.path,
                                       content_type=asset.content_type, sha256=asset.sha256,
                                       data=asset.data))
        elif row.sha256 != asset.sha256:
            row.sha256, row.data, row.content_type = asset.sha256, asset.data, asset.content_type
    for row in stored.values():
        db.session.delete(row)


def retire_course_and_lessons(course: Course) -> CourseChange:
    course.retired_at = utcnow()
    change = CourseChange(course.slug, "retired")
    for lesson in db.session.execute(sa.select(Lesson).where(
            Lesson.course_id == course.id, Lesson.retired_at.is_(None))).scalars():
        lesson.retired_at = course.retired_at
        change.lessons["retired"] += 1
    return change
