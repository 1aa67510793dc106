"""Course zips: both layouts unpack; traversal, links, bombs and oversize are refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.courses.archive import ArchiveRefused, Limits, unpack_course
from app.courses.export import course_zip as stored_course_zip
from app.courses.models import Course
from app.courses.sync import sync_courses
from app.extensions import db
from tests.courses.zips import COURSE_MD, LESSONS, course_zip, raw_zip, symlink_entry

LIMITS = Limits(max_bytes=1024 * 1024, max_files=20, max_unpacked=8 * 1024 * 1024,
                max_ratio=100)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def _refusal(data: bytes, tmp_path, limits: Limits = LIMITS, hint: str = "hint-course") -> str:
    with pytest.raises(ArchiveRefused) as refused:
        unpack_course(data, tmp_path / "courses", hint, limits)
    assert not (tmp_path / "courses").exists(), "nothing may be written on refusal"
    return str(refused.value)


def test_a_zip_of_the_folder_unpacks_under_its_own_slug(ctx, tmp_path):
    assert unpack_course(course_zip(), tmp_path, "ignored", LIMITS) == "zip-course"
    assert (tmp_path / "zip-course" / "course.md").read_text() == COURSE_MD
    assert sorted(p.name for p in (tmp_path / "zip-course").iterdir()) == [
        "01-start.md", "02-next.md", "course.md"]


def test_a_zip_of_the_files_takes_the_slug_it_is_given(ctx, tmp_path):
    data = course_zip(folder=None)
    assert unpack_course(data, tmp_path, "from-name", LIMITS) == "from-name"
    assert (tmp_path / "from-name" / "01-start.md").read_text() == LESSONS["01-start.md"]


def test_mac_leftovers_and_folder_entries_are_ignored(ctx, tmp_path):
    data = raw_zip([("zip-course/", b""), ("__MACOSX/zip-course/._course.md", b"junk"),
                    ("zip-course/course.md", COURSE_MD.encode())])
    assert unpack_course(data, tmp_path, "x", LIMITS) == "zip-course"


@pytest.mark.parametrize("name", ["../evil.md", "zip-course/../../evil.md", "/etc/evil.md",
                                  "C:/evil.md", "zip-course\\..\\..\\evil.md"])
def test_paths_leaving_the_folder_are_refused(ctx, tmp_path, name):
    data = raw_zip([("zip-course/course.md", COURSE_MD.encode()), (name, b"x")])
    assert "points outside the course folder" in _refusal(data, tmp_path)
    assert not (tmp_path / "evil.md").exists()


def test_a_symbolic_link_is_refused(ctx, tmp_path):
    data = raw_zip([("zip-course/course.md", COURSE_MD.encode()),
                    symlink_entry("zip-course/01-start.md", "/etc/passwd")])
    assert "01-start.md is a symbolic link" in _refusal(data, tmp_path)


def test_too_large_a_zip_is_refused(ctx, tmp_path):
    small = Limits(max_bytes=100, max_files=20, max_unpacked=10**6, max_ratio=100)
    assert "the limit is 0 KB" in _refusal(course_zip(), tmp_path, small)


def test_too_many_files_are_refused(ctx, tmp_path):
    files = {"course.md": COURSE_MD, **{f"{n:02d}-l{n}.md": f"# L{n}\n" for n in range(1, 30)}}
    assert "holds 30 entries; the limit is 20" in _refusal(course_zip(files), tmp_path)


def test_a_zip_bomb_is_refused_by_its_ratio(ctx, tmp_path):
    data = raw_zip([("zip-course/course.md", COURSE_MD.encode()),
                    ("zip-course/big.pdf", b"\0" * (5 * 1024 * 1024))])
    assert "big.pdf unpacks to more than 100 times" in _refusal(data, tmp_path)


def test_too_large_a_total_once_unpacked_is_refused(ctx, tmp_path):
    tight = Limits(max_bytes=10**6, max_files=20, max_unpacked=2 * 1024 * 1024,
                   max_ratio=10**6)
    data = raw_zip([("zip-course/a.pdf", b"\0" * (3 * 1024 * 1024))])
    assert "more than 2 MB" in _refusal(data, tmp_path, tight)


def test_not_a_zip_and_two_courses_and_a_bad_slug_are_refused(ctx, tmp_path):
    assert "not a zip archive" in _refusal(b"PK no zip at all", tmp_path)
    two = raw_zip([("one-course/course.md", b"x"), ("two-course/course.md", b"x")])
    assert "must hold one course" in _refusal(two, tmp_path)
    assert "Bad Name is not a course slug" in _refusal(course_zip(folder="Bad Name"), tmp_path)


def test_a_stored_course_downloads_and_unpacks_to_the_same_files(ctx, app, tmp_path):
    unpack_course(course_zip(), tmp_path / "courses", "x", LIMITS)
    (tmp_path / "courses" / "zip-course" / "img").mkdir()
    (tmp_path / "courses" / "zip-course" / "img" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert sync_courses(tmp_path / "courses").ok
    course = db.session.execute(sa.select(Course)).scalar_one()
    unpack_course(stored_course_zip(course), tmp_path / "again", "x", LIMITS)
    for path in ("course.md", "01-start.md", "02-next.md", "img/a.png"):
        assert ((tmp_path / "again" / "zip-course" / path).read_bytes()
                == (tmp_path / "courses" / "zip-course" / path).read_bytes())
    db.session.rollback()


def test_a_file_where_a_folder_must_go_is_refused(ctx, tmp_path):
    data = raw_zip([("zip-course/course.md", COURSE_MD.encode()),
                    ("zip-course/img", b"a file"), ("zip-course/img/a.png", b"x")])
    with pytest.raises(ArchiveRefused, match="img/a.png cannot be unpacked"):
        unpack_course(data, tmp_path, "x", LIMITS)
