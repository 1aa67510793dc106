"""The course checker: every kind of mistake reported with its file and line."""

from __future__ import annotations

import pytest

from app.courses import loader
from app.courses.loader import load_courses
from tests.courses.builders import SVG, write_course


def _problems(root):
    courses, problems = load_courses(root)
    return courses, [str(p) for p in problems]


def test_a_good_course_loads_with_lessons_in_order_and_assets(tmp_path):
    write_course(tmp_path, lessons={"02-b.md": "# B\n", "01-a.md": "# A 第一课\n\n![d](d.svg)\n",
                                    "10-c.md": "# C\n[back](01-a.md#top)\n"},
                 assets={"d.svg": SVG}, meta={"prerequisites": ""})
    courses, problems = _problems(tmp_path)
    assert problems == []
    course = courses[0]
    assert [lesson.slug for lesson in course.lessons] == ["a", "b", "c"]
    assert course.lessons[0].title == "A 第一课"
    assert course.family == "knowledge" and course.minutes == 30
    assert [asset.path for asset in course.assets] == ["d.svg"]


@pytest.mark.parametrize("meta,line,message", [
    ({"area": "sales"}, 3, "unknown area 'sales'; use one of product, industry"),
    ({"minutes": "lots"}, 5, "minutes must be a whole number"),
    ({"language": "fr"}, 6, "unknown language 'fr'; use en or zh_CN"),
    ({"summary": None}, 6, "'summary' is missing"),  # reported where the front matter ends
    ({"title": "x" * 201}, 2, "title is longer than 200 characters"),
])
def test_front_matter_values_are_checked(tmp_path, meta, line, message):
    write_course(tmp_path, meta=meta)
    _, problems = _problems(tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path.name}/demo-course/course.md:{line}: {message}")


def test_front_matter_syntax_errors_name_the_line(tmp_path):
    folder = write_course(tmp_path)
    (folder / "course.md").write_text(
        "---\ntitle: T\narea: product\nsummary: S\nminutes: 5\nlanguage: en\n"
        "just words\ncolour: blue\ntitle: Again\n---\nBody\n", encoding="utf-8")
    _, problems = _problems(tmp_path)
    shown = f"{tmp_path.name}/demo-course/course.md"
    assert problems == [
        f"{shown}:7: write 'key: value' here, not 'just words'",
        f"{shown}:8: unknown key 'colour'; the keys are title, area, summary, minutes, "
        "language, prerequisites",
        f"{shown}:9: 'title' is given twice (first on line 2)",
    ]


def test_missing_and_unclosed_front_matter(tmp_path):
    folder = write_course(tmp_path, "no-front")
    (folder / "course.md").write_text("# Just a title\n", encoding="utf-8")
    folder = write_course(tmp_path, "unclosed")
    (folder / "course.md").write_text("---\ntitle: T\n", encoding="utf-8")
    _, problems = _problems(tmp_path)
    assert any("no-front/course.md:1: course.md must start with front matter" in p
               for p in problems)
    assert any("unclosed/course.md:1: the front matter is not closed" in p for p in problems)


def test_course_md_is_required(tmp_path):
    (tmp_path / "empty-course").mkdir()
    _, problems = _problems(tmp_path)
    assert problems == [f"{tmp_path.name}/empty-course/course.md:1: course.md is missing: every "
                        "course folder needs one"]


def test_lesson_problems(tmp_path):
    write_course(tmp_path, lessons={
        "01-ok.md": "# OK\n\n[two](02-missing.md) and [out](../other/01-x.md)\n\n"
                    "![gone](img/gone.png)\n\n```\n[not a link](nowhere.md)\n```\n",
        "02-untitled.md": "\n\nSome text without a title.\n",
        "05-dup-a.md": "# Same number\n",
        "05-dup-b.md": "# Same number again\n",
        "3-bad-name.md": "# Bad name\n",
        "notes.txt": "scratch",
    })
    _, problems = _problems(tmp_path)
    shown = f"{tmp_path.name}/demo-course"
    assert f"{shown}/01-ok.md:3: link '02-missing.md' points to no lesson or file of this " \
           "course" in problems
    assert f"{shown}/01-ok.md:3: '../other/01-x.md' leaves the course folder: link only to " \
           "files inside it" in problems
    assert f"{shown}/01-ok.md:5: image 'img/gone.png' does not exist in the course folder" \
        in problems
    assert f"{shown}/02-untitled.md:3: a lesson starts with its title as a level-1 heading: " \
           "'# Title'" in problems
    assert f"{shown}/05-dup-b.md:1: lesson number 5 is also used by 05-dup-a.md" in problems
    assert any(p.startswith(f"{shown}/3-bad-name.md:1: unexpected file: name lessons NN-slug.md")
               for p in problems)
    assert any(p.startswith(f"{shown}/notes.txt:1: unexpected file: allowed assets are")
               for p in problems)
    assert not any("nowhere.md" in p for p in problems)  # code blocks are not links


def test_a_course_without_lessons_is_reported(tmp_path):
    write_course(tmp_path, lessons={})
    _, problems = _problems(tmp_path)
    assert problems == [f"{tmp_path.name}/demo-course/course.md:1: the course has no lessons: "
                        "add files named like 01-introduction.md"]


def test_unknown_prerequisite_and_bad_slug(tmp_path):
    write_course(tmp_path, "needs-others", meta={"prerequisites": "ghost-course, needs-others"})
    write_course(tmp_path, "Bad_Slug")
    _, problems = _problems(tmp_path)
    shown = f"{tmp_path.name}/needs-others/course.md"
    assert f"{shown}:7: prerequisite 'ghost-course' does not exist: name other course folders" \
        in problems
    assert f"{shown}:7: prerequisite 'needs-others' is the course itself: name other course " \
           "folders" in problems
    assert any("Bad_Slug:1: the folder name is the course slug" in p for p in problems)


def test_size_and_encoding_limits(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_ASSET_BYTES", 100)
    write_course(tmp_path, lessons={"01-big.md": "# Big\n" + "x" * (loader.MAX_TEXT_BYTES + 1)},
                 assets={"huge.png": b"\x89PNG" + b"0" * 200})
    (tmp_path / "demo-course" / "03-bytes.md").write_bytes("# T\n\n中文".encode("gbk"))
    _, problems = _problems(tmp_path)
    shown = f"{tmp_path.name}/demo-course"
    assert any(p.startswith(f"{shown}/01-big.md:1: file is 200 KB; the limit is 200 KB")
               for p in problems)
    assert f"{shown}/03-bytes.md:3: file is not UTF-8 text: save it as UTF-8" in problems
    assert any(p.startswith(f"{shown}/huge.png:1: asset is 0 KB; the limit is 0 MB")
               for p in problems)


def test_bom_and_windows_line_endings_are_fine(tmp_path):
    folder = write_course(tmp_path, lessons={})
    (folder / "01-win.md").write_bytes("\ufeff# Windows 课程\r\n\r\nText\r\n".encode())
    courses, problems = _problems(tmp_path)
    assert problems == [] and courses[0].lessons[0].title == "Windows 课程"


def test_the_shipped_sample_courses_pass_the_checker():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "courses"
    courses, problems = _problems(root)
    assert problems == []
    assert len(courses) >= 6
    assert {course.family for course in courses} == {"knowledge", "skills", "qualities"}
    assert any(course.language == "zh_CN" for course in courses)
    assert all(len(course.lessons) >= 3 for course in courses)


def test_every_front_matter_problem_is_reported_even_with_a_key_missing(tmp_path):
    write_course(tmp_path, meta={"title": None, "area": "sales", "minutes": "x"})
    _, problems = _problems(tmp_path)
    messages = " | ".join(problems)
    assert "'title' is missing" in messages and "unknown area 'sales'" in messages
    assert "minutes must be a whole number" in messages


def test_symbolic_links_are_refused(tmp_path):
    import os

    folder = write_course(tmp_path)
    secret = tmp_path.parent / "secret.md"
    secret.write_text("# Server secrets\n", encoding="utf-8")
    os.symlink(secret, folder / "03-secrets.md")
    _, problems = _problems(tmp_path)
    assert f"{tmp_path.name}/demo-course/03-secrets.md:1: symbolic links are not allowed: copy " \
           "the file into the course folder" in problems
