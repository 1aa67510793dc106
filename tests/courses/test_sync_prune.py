"""`flask courses sync FOLDER`: removal only with --prune; sources kept; loads audited."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.courses.models import Course, LessonVersion
from app.extensions import db
from tests.courses.builders import write_course


def _live(app) -> dict[str, bool]:
    with app.app_context():
        return {slug: retired is None for slug, retired in db.session.execute(
            sa.select(Course.slug, Course.retired_at)).all()}


def test_syncing_one_folder_retires_nothing_without_prune(app, runner, tmp_path):
    both, one = tmp_path / "both", tmp_path / "one"
    write_course(both, "first-course")
    write_course(both, "other-course")
    assert runner.invoke(args=["courses", "sync", str(both)]).exit_code == 0
    write_course(one, "first-course", overview="Changed overview.\n")
    result = runner.invoke(args=["courses", "sync", str(one)])
    assert result.exit_code == 0, result.output
    assert "first-course: changed" in result.output
    assert "so retired only with --prune: other-course" in result.output
    assert _live(app) == {"first-course": True, "other-course": True}


def test_prune_retires_the_courses_not_in_the_folder(app, runner, tmp_path):
    both, one = tmp_path / "both", tmp_path / "one"
    write_course(both, "first-course")
    write_course(both, "other-course")
    runner.invoke(args=["courses", "sync", str(both)])
    write_course(one, "first-course")
    result = runner.invoke(args=["courses", "sync", str(one), "--prune"])
    assert result.exit_code == 0, result.output
    assert "other-course: retired" in result.output
    assert "--prune:" not in result.output
    assert _live(app) == {"first-course": True, "other-course": False}


def test_without_prune_a_prerequisite_may_name_a_course_outside_the_folder(app, runner,
                                                                            tmp_path):
    write_course(tmp_path / "a", "base-course")
    runner.invoke(args=["courses", "sync", str(tmp_path / "a")])
    write_course(tmp_path / "b", "next-course", meta={"prerequisites": "base-course"})
    result = runner.invoke(args=["courses", "sync", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["courses", "sync", str(tmp_path / "b"), "--prune"])
    assert result.exit_code != 0
    assert "prerequisite 'base-course' does not exist" in result.output


def test_sync_keeps_the_files_as_written_and_audits_each_changed_course(app, runner,
                                                                         tmp_path):
    write_course(tmp_path, lessons={"01-first.md": "# First\n\nHello.\n"})
    runner.invoke(args=["courses", "sync", str(tmp_path)])
    write_course(tmp_path, lessons={"01-first.md": "# First\n\n\nHello.\n"})  # same page
    runner.invoke(args=["courses", "sync", str(tmp_path)])
    with app.app_context():
        course = db.session.execute(sa.select(Course)).scalar_one()
        assert course.source.startswith("---\ntitle: Demo course\n")
        sources = db.session.execute(sa.select(LessonVersion.source)).scalars().all()
        assert sources == ["# First\n\n\nHello.\n"]
        actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.actor_label)
                                     .where(AuditEntry.object_type == "courses")).all()
        assert actions == [("course.added", "cli")]
