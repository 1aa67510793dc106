"""Importing rubrics: versions, all-or-nothing, kind changes refused, audit; CLI lint/import;
the helpers evaluations use; ``flask demo load`` with the sample rubrics."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.rubrics.format import KINDS, content_fingerprint, parse_rubric
from app.rubrics.models import Rubric as RubricRow
from app.rubrics.models import RubricVersion
from app.rubrics.services import (
    KIND_LABELS,
    ImportRefused,
    current_version,
    import_rubrics,
    render_rubric,
    rubric_by_id,
    rubric_choices,
    version_by_id,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "question_banks" / "rubrics"

RUBRIC = """---
id: test-demo
title: Test demonstration
kind: demo
language: en
---

Score the **demo** as the customer would.

## communication: Communication
weight: 40

Listen for the customer's words.

- 1 = 0: Reads from the slides.
- 2 = 50: Clear enough.
- 3 = 100: Tells the customer's story.

## structure: Time and structure
weight: 60

- 1 = 0: No structure.
- 2 = 100: Clear agenda and a next step.
"""

OTHER = """---
id: test-interview
title: Test interview
kind: interview
language: en
---

## listening: Listening
weight: 100

- 0 = 0: Talks over the interviewer.
- 5 = 10: Listens and answers the question asked.
"""


def _parse(text: str, path: str = "rubrics/test-demo.md"):
    rubric, issues = parse_rubric(text, path)
    assert issues == [], [str(i) for i in issues]
    return rubric


def _write(folder: Path, text: str, name: str = "test-demo.md") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _import(app, *texts: str, actor_label: str = "test"):
    with app.app_context():
        report = import_rubrics([_parse(t, f"rubrics/{i}.md") for i, t in enumerate(texts)],
                                actor_label=actor_label)
        db.session.commit()
        return report


def _versions(app, rubric_id: str = "test-demo"):
    with app.app_context():
        return db.session.execute(
            sa.select(RubricVersion.version, RubricVersion.content, RubricVersion.fingerprint,
                      RubricVersion.rendered, RubricVersion.created_by)
            .join(RubricRow, RubricRow.id == RubricVersion.rubric_pk)
            .where(RubricRow.rubric_id == rubric_id).order_by(RubricVersion.version)).all()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def _audit(app) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.execute(sa.select(AuditEntry).where(
            AuditEntry.action == "rubric.import").order_by(AuditEntry.id)).scalars().all()
        db.session.expunge_all()
        return entries


# -- the service -----------------------------------------------------------------------------


def test_a_new_rubric_gets_version_1_with_content_fingerprint_and_html(app):
    report = _import(app, RUBRIC)
    assert (report.added, report.changed, report.unchanged) == (1, 0, 0)
    assert str(report.changes[0]) == "test-demo: added (version 1)"
    [(version, content, fingerprint, rendered, by)] = _versions(app)
    rubric = _parse(RUBRIC)
    assert version == 1 and content == rubric.content() and by == "test"
    assert fingerprint == content_fingerprint(rubric)
    assert rendered["description"] == \
        "<p>Score the <strong>demo</strong> as the customer would.</p>"
    assert rendered["criteria"]["communication"]["guidance"] == \
        "<p>Listen for the customer's words.</p>"
    assert rendered["criteria"]["structure"]["guidance"] == ""
    assert rendered["criteria"]["communication"]["levels"] == {
        "1": "<p>Reads from the slides.</p>", "2": "<p>Clear enough.</p>",
        "3": "<p>Tells the customer's story.</p>"}
    with app.app_context():
        row = rubric_by_id("test-demo")
        assert (row.title, row.kind, row.language, row.version) == (
            "Test demonstration", "demo", "en", 1)
        assert row.source_name == "rubrics/0.md"


def test_reimporting_unchanged_content_writes_nothing(app):
    _import(app, RUBRIC)
    with app.app_context():
        updated = rubric_by_id("test-demo").updated_at
    # Layout alone (bullets, spacing, Windows line endings) is not a change.
    relaid = RUBRIC.replace("- ", "* ").replace(" = ", "=").replace("\n", "\r\n")
    report = _import(app, relaid)
    assert (report.added, report.changed, report.unchanged) == (0, 0, 1)
    assert str(report.changes[0]) == "test-demo: unchanged (version 1)"
    assert len(_versions(app)) == 1 and len(_audit(app)) == 1
    with app.app_context():
        assert rubric_by_id("test-demo").updated_at == updated


def test_a_changed_level_description_makes_version_2_and_keeps_version_1(app):
    _import(app, RUBRIC)
    changed = RUBRIC.replace("Clear enough.", "Clear; explains most terms.").replace(
        "title: Test demonstration", "title: Test demonstration (revised)")
    report = _import(app, changed, actor_label="second")
    assert (report.added, report.changed, report.unchanged) == (0, 1, 0)
    assert str(report.changes[0]) == "test-demo: changed (version 1 → 2)"
    first, second = _versions(app)
    assert first.version == 1 and second.version == 2
    assert first.content == _parse(RUBRIC).content()  # untouched
    assert first.rendered["criteria"]["communication"]["levels"]["2"] == "<p>Clear enough.</p>"
    assert first.created_by == "test" and second.created_by == "second"
    assert second.rendered["criteria"]["communication"]["levels"]["2"] == \
        "<p>Clear; explains most terms.</p>"
    assert second.fingerprint == content_fingerprint(_parse(changed)) != first.fingerprint
    with app.app_context():
        row = rubric_by_id("test-demo")
        assert (row.version, row.title) == (2, "Test demonstration (revised)")
        assert current_version(row.id).version == 2


def test_changing_the_kind_is_refused_and_nothing_is_written(app):
    _import(app, RUBRIC)
    with app.app_context():
        with pytest.raises(ImportRefused) as refused:
            import_rubrics([_parse(OTHER, "rubrics/new.md"),
                            _parse(RUBRIC.replace("kind: demo", "kind: interview"),
                                   "rubrics/test-demo.md")], actor_label="test")
        db.session.rollback()
    [message] = refused.value.messages
    assert message.startswith("rubrics/test-demo.md:2: rubric 'test-demo' is a demo rubric")
    assert "give it a new id instead" in message
    assert _count(app, RubricRow) == 1 and _count(app, RubricVersion) == 1
    assert len(_audit(app)) == 1
    with app.app_context():
        assert rubric_by_id("test-demo").kind == "demo"
        assert rubric_by_id("test-interview") is None


def test_the_same_id_twice_in_one_import_is_refused(app):
    with app.app_context():
        with pytest.raises(ImportRefused) as refused:
            import_rubrics([_parse(RUBRIC, "a.md"), _parse(RUBRIC, "b.md")])
        db.session.rollback()
    assert refused.value.messages == [
        "b.md:2: duplicate rubric ID 'test-demo': a.md:2 has the same ID; give each rubric its "
        "own ID"]
    assert _count(app, RubricRow) == 0


def test_one_audit_entry_per_added_or_changed_rubric(app, make_user):
    _import(app, RUBRIC, OTHER, actor_label="cli")
    _import(app, RUBRIC.replace("No structure.", "No visible structure."), OTHER)
    entries = _audit(app)
    assert [(e.object_type, e.object_id, e.before, e.after["version"], e.actor_label)
            for e in entries] == [
        ("rubrics", "test-demo", None, 1, "cli"),
        ("rubrics", "test-interview", None, 1, "cli"),
        ("rubrics", "test-demo", {"version": 1}, 2, "test"),
    ]
    assert entries[2].after["fingerprint"] == _versions(app)[1].fingerprint


def test_render_rubric_sanitises_every_piece():
    content = _parse(RUBRIC.replace("Listen for", "<script>alert(1)</script>Listen for")
                     .replace("Clear enough.", "[x](javascript:alert(2)) enough.")).content()
    rendered = render_rubric(content)
    html = repr(rendered)
    assert "<script" not in html and "javascript:" not in html
    assert set(rendered["criteria"]) == {"communication", "structure"}
    assert list(rendered["criteria"]["structure"]["levels"]) == ["1", "2"]


def test_every_kind_has_a_label():
    assert set(KIND_LABELS) == set(KINDS)


def test_choices_list_current_versions_by_kind_then_title(app):
    _import(app, RUBRIC, OTHER, RUBRIC.replace("test-demo", "another-demo").replace(
        "title: Test demonstration", "title: A demonstration"))
    _import(app, RUBRIC.replace("No structure.", "Nothing."))
    with app.app_context():
        choices = rubric_choices()
        labels = [label for _, label in choices]
        assert labels == ["A demonstration (another-demo, version 1)",
                          "Test demonstration (test-demo, version 2)",
                          "Test interview (test-interview, version 1)"]
        demo_version = version_by_id(choices[1][0])
        assert demo_version.version == 2 and demo_version.rubric.rubric_id == "test-demo"
        assert demo_version.criteria[1]["levels"][0]["description"] == "Nothing."
        assert [label for _, label in rubric_choices("interview")] == [labels[2]]
        assert rubric_choices("project-review") == []
        assert version_by_id(999_999) is None
        assert current_version(999_999) is None


# -- the CLI ---------------------------------------------------------------------------------


def test_lint_reports_path_and_line_and_exits_1_on_errors(runner, tmp_path):
    bad = _write(tmp_path / "nested", RUBRIC.replace("- 2 = 50:", "- 2 = lots:"), "bad.md")
    _write(tmp_path, OTHER, "ok.md")
    result = runner.invoke(args=["rubrics", "lint", str(tmp_path)])  # a folder, recursively
    assert result.exit_code == 1
    line = RUBRIC.split("\n").index("- 2 = 50: Clear enough.") + 1
    assert f"{bad}:{line}: [communication] points 'lots' are not valid" in result.output
    assert "1 rubric(s), 1 criteria: 1 error(s)." in result.output

    result = runner.invoke(args=["rubrics", "lint", str(tmp_path / "ok.md")])
    assert result.exit_code == 0
    assert result.output.strip() == "1 rubric(s), 1 criteria: 0 error(s)."


def test_lint_names_a_missing_path_and_an_empty_folder(runner, tmp_path):
    result = runner.invoke(args=["rubrics", "lint", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "nope: no such file or folder" in result.output
    result = runner.invoke(args=["rubrics", "lint", str(tmp_path)])
    assert result.exit_code == 1 and "no rubric files found" in result.output


def test_lint_passes_the_sample_rubrics(runner):
    result = runner.invoke(args=["rubrics", "lint", str(SAMPLES)])
    assert result.exit_code == 0, result.output
    assert "8 rubric(s)," in result.output and ": 0 error(s)." in result.output


def test_cli_import_then_reimport(app, runner, tmp_path):
    _write(tmp_path, RUBRIC)
    _write(tmp_path, OTHER, "sub/other.md")
    first = runner.invoke(args=["rubrics", "import", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "test-demo: added (version 1)" in first.output
    assert "Rubrics: 2 added, 0 changed, 0 unchanged." in first.output
    second = runner.invoke(args=["rubrics", "import", str(tmp_path)])
    assert second.exit_code == 0 and "Rubrics: 0 added, 0 changed, 2 unchanged." in second.output
    assert [e.actor_label for e in _audit(app)] == ["cli", "cli"]
    assert _count(app, RubricVersion) == 2


def test_cli_import_with_one_bad_file_of_two_writes_nothing(app, runner, tmp_path):
    good = _write(tmp_path, RUBRIC)
    bad = _write(tmp_path, OTHER.replace("weight: 100", "weight: 90"), "other.md")
    result = runner.invoke(args=["rubrics", "import", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:" in result.output and "1 error(s); nothing was imported." in result.output
    assert _count(app, RubricRow) == 0 and _count(app, RubricVersion) == 0
    assert _audit(app) == []


def test_cli_import_refuses_a_kind_change_and_writes_nothing(app, runner, tmp_path):
    path = _write(tmp_path, RUBRIC)
    assert runner.invoke(args=["rubrics", "import", str(path)]).exit_code == 0
    _write(tmp_path, RUBRIC.replace("kind: demo", "kind: professionalism"))
    new = _write(tmp_path, OTHER, "other.md")
    result = runner.invoke(args=["rubrics", "import", str(path), str(new)])
    assert result.exit_code == 1
    assert f"{path}:2: rubric 'test-demo' is a demo rubric" in result.output
    assert "nothing was imported" in result.output
    assert _count(app, RubricRow) == 1 and _count(app, RubricVersion) == 1


# -- flask demo load -------------------------------------------------------------------------


def test_demo_load_imports_the_sample_rubrics_once(app, runner, tmp_path):
    from tests.courses.builders import write_course

    write_course(tmp_path / "courses", "sample-course")
    app.config["COURSES_DIR"] = str(tmp_path / "courses")
    banks = tmp_path / "banks"
    _write(banks, "---\nid: demo-bank\ntitle: Demo\narea: product\nlanguage: en\n---\n\n"
                  "## DB-1\ntype: truefalse\n\nAgents connect outbound.\n\n- [x] True\n"
                  "- [ ] False\n", "b.md")
    shutil.copytree(SAMPLES, banks / "rubrics")  # the real sample rubrics
    app.config["BANKS_DIR"] = str(banks)
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Sample question banks: 1 (1 added or changed)" in first.output
    assert "Sample rubrics: 8 (8 added or changed)." in first.output
    assert "Demo evaluations: created." in first.output
    assert " created and open." in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "Sample rubrics: 8 (0 added or changed)." in second.output
    assert "Demo evaluations: already there." in second.output
    assert "Demo assessment period: already there." in second.output
    with app.app_context():  # the demo learner has a released interview and a demo to come
        from app.evaluations.models import Evaluation

        states = db.session.execute(sa.select(Evaluation.kind, Evaluation.state)
                                    .order_by(Evaluation.id)).all()
        assert states == [("interview", "released"), ("demo", "open")]
    assert _count(app, RubricRow) == 8 and _count(app, RubricVersion) == 8
    with app.app_context():
        kinds = db.session.execute(sa.select(RubricRow.kind, sa.func.count())
                                   .group_by(RubricRow.kind)).all()
        assert dict(kinds) == dict.fromkeys(KINDS, 2)
    assert {e.actor_label for e in _audit(app)} == {"demo"}


def test_demo_load_refuses_sample_rubrics_with_errors(app, runner, tmp_path):
    from tests.courses.builders import write_course

    write_course(tmp_path / "courses", "sample-course")
    app.config["COURSES_DIR"] = str(tmp_path / "courses")
    (tmp_path / "banks").mkdir()
    broken = _write(tmp_path / "banks" / "rubrics", RUBRIC.replace("weight: 60", "weight: 6"))
    app.config["BANKS_DIR"] = str(tmp_path / "banks")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1 and f"{broken}:" in result.output
    assert "The sample rubrics have errors; nothing was loaded." in result.output
    assert _count(app, RubricRow) == 0
