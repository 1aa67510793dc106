"""Trainers change courses in the browser: zip or lesson, problems at their lines, dry
run, confirm; retire and restore; download. Nothing stored on any refusal."""

from __future__ import annotations

import html
import io
import os
import re
import zipfile

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.courses.models import Course, Lesson, LessonProgress
from app.extensions import db
from tests.courses.zips import COURSE_MD, LESSONS, course_zip, raw_zip
from tests.helpers import csrf_token, post_form, switch_to

TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]+)"')


@pytest.fixture
def trainer(app, client, signed_in, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    return signed_in("trainer")


def _upload(client, data: bytes, name: str = "upload.zip", slug: str = ""):
    return client.post("/course-admin/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/course-admin/"), "slug": slug,
        "file": (io.BytesIO(data), name)})


def _confirm(client, page: str):
    token = TOKEN_RE.search(page)
    assert token, "no confirm button on the page"
    return post_form(client, "/course-admin/confirm", {"token": token.group(1)},
                     token_from="/course-admin/")


def _staged(app) -> list[str]:
    folder = app.instance_path + "/course-uploads"
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def _courses(app) -> dict[str, bool]:
    with app.app_context():
        return {slug: retired is None for slug, retired in db.session.execute(
            sa.select(Course.slug, Course.retired_at)).all()}


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.execute(sa.select(AuditEntry.action).where(
            AuditEntry.object_type == "courses").order_by(AuditEntry.id)).scalars())


def test_problems_are_shown_at_their_lines_and_nothing_is_kept(app, client, trainer):
    files = {"course.md": COURSE_MD.replace("minutes: 20", "minutes: soon"),
             "01-start.md": "Hello without a title.\n"}
    page = _upload(client, course_zip(files)).get_data(as_text=True)
    assert "courses/zip-course/course.md:5: minutes must be a whole number" in page
    assert "courses/zip-course/01-start.md:1: a lesson starts with its title" in page
    assert 'name="token"' not in page
    assert _courses(app) == {} and _staged(app) == []


def test_a_good_zip_is_rehearsed_then_applied_and_audited(app, client, trainer):
    page = _upload(client, course_zip()).get_data(as_text=True)
    assert "0 lessons changed, 2 added, 0 retired, 0 unchanged; progress kept" in page
    assert _courses(app) == {}, "the dry run stores nothing"
    assert len(_staged(app)) == 2
    response = _confirm(client, page)
    assert response.location.endswith("/course-admin/zip-course/")
    assert _courses(app) == {"zip-course": True}
    assert _actions(app) == ["course.added"]
    assert _staged(app) == []
    assert client.get("/courses/zip-course/lessons/start").status_code == 200


def test_a_changed_course_says_what_changes_and_keeps_progress(app, client, trainer, make_user):
    _confirm(client, _upload(client, course_zip()).get_data(as_text=True))
    with app.app_context():
        lesson = db.session.execute(sa.select(Lesson).where(Lesson.slug == "next")).scalar_one()
        db.session.add(LessonProgress(user_id=trainer.id, lesson_id=lesson.id))
        db.session.commit()
    changed = {"course.md": COURSE_MD, "01-start.md": "# Start\n\nHello again.\n",
               "03-last.md": "# Last\n\nEnd.\n"}
    page = _upload(client, course_zip(changed)).get_data(as_text=True)
    assert "1 lesson changed, 1 added, 1 retired, 0 unchanged; progress kept" in page
    _confirm(client, page)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(LessonProgress)
                                  ).scalar() == 1
    assert _actions(app) == ["course.added", "course.changed"]


def test_a_zip_of_the_files_takes_the_slug_from_its_name_or_the_field(app, client, trainer):
    page = _upload(client, course_zip(folder=None), name="pricing-basics.zip")
    assert "No problems in pricing-basics." in page.get_data(as_text=True)
    page = _upload(client, course_zip(folder=None), name="x.zip", slug="other-slug")
    assert "No problems in other-slug." in page.get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    (raw_zip([("zip-course/course.md", COURSE_MD.encode()), ("../evil.md", b"x")]),
     "../evil.md points outside the course folder"),
    (b"not a zip", "This file is not a zip archive"),
])
def test_a_refused_zip_says_why_and_stores_nothing(app, client, trainer, data, message):
    page = _upload(client, data).get_data(as_text=True)
    assert message in page
    assert _courses(app) == {} and _staged(app) == []


def test_a_zip_over_the_configured_size_is_refused(app, client, trainer):
    app.config["COURSE_ZIP_MAX_BYTES"] = 100
    page = _upload(client, course_zip()).get_data(as_text=True)
    assert "larger than 0 KB" in page
    assert _staged(app) == []


def test_only_the_uploader_can_confirm(app, client, trainer, make_user):
    page = _upload(client, course_zip()).get_data(as_text=True)
    switch_to(client, make_user("trainer"))
    response = _confirm(client, page)
    assert _courses(app) == {}
    assert "no longer kept" in client.get(response.location).get_data(as_text=True)


def test_learners_cannot_reach_the_pages(client, signed_in):
    signed_in("learner")
    assert client.get("/course-admin/").status_code == 403
    assert "Manage courses" not in client.get("/courses/").get_data(as_text=True)


def test_one_lesson_is_replaced_through_the_same_check(app, client, trainer):
    _confirm(client, _upload(client, course_zip()).get_data(as_text=True))
    token = csrf_token(client, "/course-admin/zip-course/")

    def replace(text: str):
        return client.post("/course-admin/zip-course/lesson", content_type="multipart/form-data",
                           data={"csrf_token": token, "lesson": "02-next.md",
                                 "file": (io.BytesIO(text.encode()), "next.md")})
    bad = html.unescape(replace("No heading\n\n![x](missing.png)\n").get_data(as_text=True))
    assert "courses/zip-course/02-next.md:1: a lesson starts with its title" in bad
    assert "courses/zip-course/02-next.md:3: image 'missing.png' does not exist" in bad
    good = replace("# Next, revised\n\nBetter.\n").get_data(as_text=True)
    assert "1 lesson changed, 0 added, 0 retired, 1 unchanged; progress kept" in good
    _confirm(client, good)
    with app.app_context():
        lesson = db.session.execute(sa.select(Lesson).where(Lesson.slug == "next")).scalar_one()
        assert (lesson.version, lesson.title) == (2, "Next, revised")


def test_retire_and_restore_keep_progress_and_are_audited(app, client, trainer):
    _confirm(client, _upload(client, course_zip()).get_data(as_text=True))
    client.get("/courses/zip-course/lessons/start")  # a visit: progress
    post_form(client, "/course-admin/zip-course/retire", token_from="/course-admin/zip-course/")
    assert _courses(app) == {"zip-course": False}
    assert client.get("/courses/zip-course/").status_code == 404
    page = client.get("/course-admin/zip-course/").get_data(as_text=True)
    assert "Restore the course" in page
    post_form(client, "/course-admin/zip-course/restore", token_from="/course-admin/zip-course/")
    assert _courses(app) == {"zip-course": True}
    assert client.get("/courses/zip-course/lessons/next").status_code == 200
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(LessonProgress)
                                  ).scalar() == 2
    assert _actions(app) == ["course.added", "course.retired", "course.restored"]


def test_a_course_downloads_as_a_zip_of_its_folder(app, client, trainer):
    _confirm(client, _upload(client, course_zip()).get_data(as_text=True))
    response = client.get("/course-admin/zip-course/download")
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["zip-course/01-start.md", "zip-course/02-next.md",
                                          "zip-course/course.md"]
    assert archive.read("zip-course/01-start.md").decode() == LESSONS["01-start.md"]


def test_a_course_loaded_before_sources_were_kept_says_how_to_download(app, client, trainer):
    _confirm(client, _upload(client, course_zip()).get_data(as_text=True))
    with app.app_context():
        db.session.execute(sa.update(Course).values(source=""))
        db.session.commit()
    response = client.get("/course-admin/zip-course/download", follow_redirects=True)
    assert "loaded before the app kept course files" in response.get_data(as_text=True)


def test_an_unchanged_course_offers_nothing_to_apply(app, client, trainer):
    _confirm(client, _upload(client, course_zip()).get_data(as_text=True))
    page = _upload(client, course_zip()).get_data(as_text=True)
    assert "Nothing would change" in page
    assert 'name="token"' not in page and _staged(app) == []


def test_a_retired_course_takes_no_lesson_until_restored(app, client, trainer):
    _confirm(client, _upload(client, course_zip()).get_data(as_text=True))
    post_form(client, "/course-admin/zip-course/retire", token_from="/course-admin/zip-course/")
    page = client.post("/course-admin/zip-course/lesson", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(client, "/course-admin/"),
                             "lesson": "02-next.md",
                             "file": (io.BytesIO(b"# Next\n\nNew.\n"), "next.md")})
    assert "Restore the course to change its lessons." in page.get_data(as_text=True)
    assert _courses(app) == {"zip-course": False} and _staged(app) == []


def test_the_catalogue_links_trainers_to_the_pages(client, trainer):
    assert "/course-admin/" in client.get("/courses/").get_data(as_text=True)
