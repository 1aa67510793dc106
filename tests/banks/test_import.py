"""Importing banks: all-or-nothing, versioned, retiring; CLI lint/import/export; round trip."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.banks.markdown_format import lint_texts, parse_bank
from app.banks.models import Question, QuestionVersion
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]

BANK = """---
id: test-bank
title: Test bank
area: product
language: en
tags: agents, 中文
---

## TB-001
type: single
tags: agents

Which tier runs in the customer's network?

- [ ] Catalogue
- [x] Edge
- [ ] Control plane

> Agents connect outbound only.

## TB-002
type: short
tags: 中文

等保的英文缩写是什么？

- MLPS 2.0
- MLPS
"""


def _write(folder: Path, text: str, name: str = "test-bank.md") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _versions(app, question_id):
    with app.app_context():
        return db.session.execute(
            sa.select(QuestionVersion.version, QuestionVersion.content, QuestionVersion.changes)
            .join(Question).where(Question.question_id == question_id)
            .order_by(QuestionVersion.version)).all()


def test_lint_reports_every_problem_and_exits_1(runner, tmp_path):
    bad = BANK.replace("- [ ] Catalogue", "- [x] Catalogue").replace("type: short", "type: long")
    path = _write(tmp_path, bad)
    result = runner.invoke(args=["banks", "lint", str(path)])
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "[TB-001]" in result.output
    assert "[TB-002]" in result.output and "unknown type 'long'" in result.output
    ok = _write(tmp_path, BANK, "ok.md")
    result = runner.invoke(args=["banks", "lint", str(ok)])
    assert result.exit_code == 0 and "1 bank(s), 2 question(s): 0 error(s)" in result.output


def test_import_then_reimport_changes_nothing(app, runner, tmp_path):
    path = _write(tmp_path, BANK)
    first = runner.invoke(args=["banks", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "test-bank: added (2 added, 0 changed, 0 unchanged, 0 retired)" in first.output
    second = runner.invoke(args=["banks", "import", str(path)])
    assert "test-bank: unchanged (0 added, 0 changed, 2 unchanged, 0 retired)" in second.output
    assert len(_versions(app, "TB-001")) == 1
    with app.app_context():
        actions = db.session.execute(sa.select(AuditEntry.action)).scalars().all()
    assert actions.count("bank.import") == 1  # the unchanged import recorded nothing


def test_a_changed_question_gets_a_new_version_and_the_old_one_stays(app, runner, tmp_path):
    path = _write(tmp_path, BANK)
    runner.invoke(args=["banks", "import", str(path)])
    _write(tmp_path, BANK.replace("- [ ] Catalogue\n- [x] Edge", "- [x] Catalogue\n- [ ] Edge"))
    result = runner.invoke(args=["banks", "import", str(path)])
    assert "1 changed, 1 unchanged" in result.output
    versions = _versions(app, "TB-001")
    assert [v for v, _, _ in versions] == [1, 2]
    assert versions[0][1]["choices"][1]["correct"] is True   # version 1 keeps the old key
    assert versions[1][1]["choices"][0]["correct"] is True
    assert versions[1][2] == ["choices"]                      # what changed


def test_a_missing_question_is_retired_not_deleted(app, runner, tmp_path):
    path = _write(tmp_path, BANK)
    runner.invoke(args=["banks", "import", str(path)])
    _write(tmp_path, BANK[:BANK.index("## TB-002")])
    result = runner.invoke(args=["banks", "import", str(path)])
    assert "1 unchanged, 1 retired" in result.output
    with app.app_context():
        retired = db.session.execute(sa.select(Question.retired_at).where(
            Question.question_id == "TB-002")).scalar_one()
    assert retired is not None and len(_versions(app, "TB-002")) == 1


def test_import_is_all_or_nothing_across_files(app, runner, tmp_path):
    good = _write(tmp_path, BANK)
    bad = _write(tmp_path, BANK.replace("test-bank", "other-bank").replace("TB-", "OB-")
                 .replace("type: single", "type: nonsense"), "other.md")
    result = runner.invoke(args=["banks", "import", str(good), str(bad)])
    assert result.exit_code == 1 and "nothing was imported" in result.output
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Question)).scalar() == 0


def test_a_question_id_of_another_bank_is_refused(app, runner, tmp_path):
    runner.invoke(args=["banks", "import", str(_write(tmp_path, BANK))])
    thief = BANK.replace("id: test-bank", "id: thief-bank")
    result = runner.invoke(args=["banks", "import", str(_write(tmp_path, thief, "thief.md"))])
    assert result.exit_code == 1
    assert "ID TB-001 already belongs to bank 'test-bank'" in result.output


def test_export_then_reimport_gives_identical_content_for_every_sample_bank(app, runner,
                                                                            tmp_path):
    files = sorted((ROOT / "question_banks").glob("*.md"))
    assert files, "no sample banks"
    result = runner.invoke(args=["banks", "import", *map(str, files)])
    assert result.exit_code == 0, result.output
    for path in files:
        original, issues = parse_bank(path.read_text(encoding="utf-8"), str(path))
        exported = runner.invoke(args=["banks", "export", original.id])
        assert exported.exit_code == 0, exported.output
        again, issues = parse_bank(exported.output, "exported.md")
        assert [i for i in issues if i.severity == "error"] == []
        assert [q.content() for q in again.questions] == [q.content() for q in
                                                          original.questions], path.name


def test_the_sample_banks_pass_the_linter_and_cover_every_type():
    files = [(str(p), p.read_bytes()) for p in sorted((ROOT / "question_banks").glob("*.md"))]
    banks, issues = lint_texts(files)
    assert issues == []
    questions = [q for bank in banks for q in bank.questions]
    assert len(questions) >= 150
    assert {q.type for q in questions} == {"single", "multiple", "truefalse", "short",
                                           "numeric", "matching", "ordering", "essay"}
    assert any(bank.language == "zh_CN" for bank in banks)


def test_a_gift_file_imports_from_the_command_line_with_its_metadata(app, runner, tmp_path):
    from app.banks.models import QuestionBank

    path = _write(tmp_path, "::Q1::DataHub agents open inbound ports. {F}\n", "moodle.gift")
    result = runner.invoke(args=["banks", "import", str(path), "--bank-id", "moodle-bank",
                                 "--title", "From Moodle", "--area", "technical",
                                 "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "moodle-bank: added (1 added" in result.output
    with app.app_context():
        bank = db.session.execute(sa.select(QuestionBank)).scalar_one()
        assert (bank.title, bank.area, bank.source_format) == ("From Moodle", "technical", "gift")


def test_each_rendered_piece_stands_alone_even_when_the_source_leaves_tags_open():
    from app.banks.markdown_format import parse_bank
    from app.banks.rendering import render_question

    text = BANK.replace("Which tier runs in the customer's network?",
                        "Which tier runs in the customer's network? <details>")
    bank, _ = parse_bank(text, "x.md")
    rendered = render_question(bank.questions[0])
    for piece in [rendered["stem"], *rendered["choices"]]:
        assert piece.count("<details") == piece.count("</details>")
