"""Loading course folders: idempotent, versioned, retiring, all-or-nothing."""

from __future__ import annotations

import sqlalchemy as sa

from app.courses.models import Course, CourseAsset, Lesson, LessonProgress, LessonVersion
from app.courses.sync import sync_courses
from app.extensions import db
from tests.courses.builders import SVG, write_course


def _sync(app, root):
    with app.app_context():
        report = sync_courses(root)
        db.session.commit()
        return report


def _lessons(app, slug="demo-course"):
    with app.app_context():
        rows = db.session.execute(
            sa.select(Lesson.slug, Lesson.position, Lesson.version, Lesson.retired_at.is_(None))
            .join(Course).where(Course.slug == slug).order_by(Lesson.slug)).all()
        return {row[0]: tuple(row[1:]) for row in rows}


def _count(app, model):
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def test_sync_loads_renders_and_is_idempotent(app, tmp_path):
    write_course(tmp_path, lessons={
        "01-intro.md": "# Intro\n\nSee [next](02-more.md#details) and ![d](img/d.svg).\n",
        "02-more.md": "# More\n\n## Details\n\nBack to [the course](course.md).\n"},
        assets={"img/d.svg": SVG})
    first = _sync(app, tmp_path)
    assert first.ok and str(first.courses[0]) == (
        "demo-course: added (lessons: 2 added, 0 changed, 0 unchanged, 0 retired)")
    with app.app_context():
        html = db.session.execute(sa.select(LessonVersion.html).join(Lesson)
                                  .where(Lesson.slug == "intro")).scalar()
        assert 'href="more#sec-details"' in html and 'src="../assets/img/d.svg"' in html
        assert db.session.execute(sa.select(CourseAsset.path)).scalars().all() == ["img/d.svg"]
    second = _sync(app, tmp_path)
    assert str(second.courses[0]) == (
        "demo-course: unchanged (lessons: 0 added, 0 changed, 2 unchanged, 0 retired)")
    assert _count(app, LessonVersion) == 2


def test_a_changed_lesson_gets_a_new_version_and_keeps_the_old(app, tmp_path):
    folder = write_course(tmp_path)
    _sync(app, tmp_path)
    (folder / "02-second.md").write_text("# Second lesson\n\nRewritten.\n", encoding="utf-8")
    report = _sync(app, tmp_path)
    assert report.courses[0].lessons["changed"] == 1
    assert _lessons(app)["second"] == (2, 2, True)
    with app.app_context():
        versions = db.session.execute(sa.select(LessonVersion.version, LessonVersion.html)
                                      .join(Lesson).where(Lesson.slug == "second")
                                      .order_by(LessonVersion.version)).all()
    assert [v for v, _ in versions] == [1, 2]
    assert "More." in versions[0][1] and "Rewritten." in versions[1][1]


def test_renumbering_keeps_the_lesson_and_a_removed_lesson_is_retired_with_progress_kept(
        app, tmp_path, make_user):
    folder = write_course(tmp_path)
    _sync(app, tmp_path)
    learner = make_user()
    with app.app_context():
        first = db.session.execute(sa.select(Lesson).where(Lesson.slug == "first")).scalar_one()
        db.session.add(LessonProgress(user_id=learner.id, lesson_id=first.id))
        db.session.commit()
    (folder / "01-first.md").unlink()
    (folder / "02-second.md").rename(folder / "05-second.md")
    report = _sync(app, tmp_path)
    assert report.courses[0].lessons == {"added": 0, "changed": 0, "unchanged": 1, "retired": 1}
    lessons = _lessons(app)
    assert lessons["second"] == (5, 1, True) and lessons["first"][2] is False
    assert _count(app, LessonProgress) == 1  # the learner's progress survives


def test_a_removed_course_is_retired_and_comes_back(app, tmp_path):
    folder = write_course(tmp_path)
    _sync(app, tmp_path)
    hidden = tmp_path.parent / "parked"
    folder.rename(hidden)
    report = _sync(app, tmp_path)
    assert str(report.courses[0]).startswith("demo-course: retired (lessons: 0 added, 0 changed,"
                                             " 0 unchanged, 2 retired)")
    hidden.rename(folder)
    report = _sync(app, tmp_path)
    assert report.courses[0].status == "changed"
    assert all(live for _, _, live in _lessons(app).values())


def test_a_bad_file_loads_nothing(app, tmp_path):
    write_course(tmp_path, "good-course")
    _sync(app, tmp_path)
    folder = write_course(tmp_path, "good-course", lessons={"03-new.md": "# New\n"})
    write_course(tmp_path, "broken-course", lessons={"01-x.md": "no title\n"})
    (folder / "01-first.md").write_text("# First lesson\n\nChanged.\n", encoding="utf-8")
    report = _sync(app, tmp_path)
    assert not report.ok
    assert [p.path.split("/")[-2:] for p in report.problems] == [["broken-course", "01-x.md"]]
    assert _count(app, Course) == 1 and _count(app, LessonVersion) == 2
    assert "new" not in _lessons(app, "good-course")


def test_sync_cli_reports_and_check_cli_fails_with_file_and_line(app, runner, tmp_path):
    write_course(tmp_path, "cli-course")
    result = runner.invoke(args=["courses", "sync", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "cli-course: added (lessons: 2 added" in result.output
    write_course(tmp_path, "cli-course", meta={"area": "cooking"})
    result = runner.invoke(args=["courses", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path.name}/cli-course/course.md:3: unknown area 'cooking'" in result.output
    assert "1 problem(s) found." in result.output


def test_a_broken_link_in_a_nested_list_is_reported_with_its_line(app, tmp_path):
    write_course(tmp_path, lessons={"01-a.md": "# A\n\n- outer\n    - [inner](02-missing.md)\n"})
    report = _sync(app, tmp_path)
    assert [str(p) for p in report.problems] == [
        "courses/demo-course/01-a.md:4: link '02-missing.md' points to no lesson or file of "
        "this course"]


def test_retiring_the_last_undone_lesson_completes_the_course(app, tmp_path, make_user):
    from app.courses.models import CourseProgress
    from app.courses.services import complete_lesson

    folder = write_course(tmp_path)
    _sync(app, tmp_path)
    learner = make_user()
    with app.app_context():
        first = db.session.execute(sa.select(Lesson).where(Lesson.slug == "first")).scalar_one()
        complete_lesson(learner.id, first)
        db.session.commit()
    (folder / "02-second.md").unlink()
    _sync(app, tmp_path)
    with app.app_context():
        progress = db.session.execute(sa.select(CourseProgress)).scalar_one()
        assert progress.completed_at is not None
