"""Checkpoints outside the database catch a truncated or rebuilt audit log.

Each attack starts the way a database administrator would: the append-only
trigger is dropped, then the newest entries (or all of them) are deleted, or
the whole log is replaced by a fresh, self-consistent chain.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.audit import log as audit
from app.audit.models import AuditEntry
from app.extensions import db
from tests.audit.test_log import tamper
from tests.helpers import login


@pytest.fixture
def checkpoint_file(app, tmp_path):
    path = tmp_path / "ops" / "audit-checkpoints.jsonl"
    app.config["AUDIT_CHECKPOINT_FILE"] = str(path)
    return path


def _write(app, n, label="test"):
    with app.app_context():
        for i in range(n):
            audit.record("test.action", object_type="thing", object_id=i, actor_label=label,
                         after={"value": i})
            db.session.commit()


def _drop_guard_and(app, statement) -> None:
    """Drop the append-only trigger (migration 0002) and run ``statement``."""
    with app.app_context():
        tamper(statement)


def _newest_ids(app, n):
    with app.app_context():
        return db.session.execute(sa.select(AuditEntry.id).order_by(AuditEntry.id.desc())
                                  .limit(n)).scalars().all()


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_checkpoint_appends_the_count_and_head_to_a_file_outside_the_database(
        app, runner, checkpoint_file):
    _write(app, 3)
    first = runner.invoke(args=["audit", "checkpoint"])
    assert first.exit_code == 0, first.output
    _write(app, 2)
    second = runner.invoke(args=["audit", "checkpoint"])
    assert second.exit_code == 0, second.output
    recorded = _lines(checkpoint_file)
    assert [c["count"] for c in recorded] == [3, 5]
    with app.app_context():
        hashes = db.session.execute(sa.select(AuditEntry.hash).order_by(AuditEntry.id)
                                    ).scalars().all()
    assert [c["head"] for c in recorded] == [hashes[2], hashes[4]]
    assert recorded[0]["at"].endswith("+00:00")
    assert f"5 entries, head {hashes[4]}" in second.output


def test_a_log_that_grew_since_the_checkpoint_verifies(app, runner, checkpoint_file):
    _write(app, 3)
    runner.invoke(args=["audit", "checkpoint"])
    _write(app, 4)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 7 entries checked" in result.output
    assert "Matches all 1 checkpoints" in result.output


def test_deleting_the_newest_entries_fails_verify_against_the_checkpoint(
        app, runner, checkpoint_file):
    _write(app, 5)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    _drop_guard_and(app, sa.delete(AuditEntry).where(AuditEntry.id.in_(_newest_ids(app, 2))))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN" in result.output and "holds 3 entries, fewer than the 5" in result.output
    assert "deleted" in result.output and "line 1 of" in result.output


def test_deleting_every_entry_fails_verify_against_the_checkpoint(app, runner, checkpoint_file):
    _write(app, 4)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    _drop_guard_and(app, sa.delete(AuditEntry))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "holds 0 entries, fewer than the 4" in result.output


def test_a_rebuilt_chain_of_the_same_length_fails_verify(app, runner, checkpoint_file):
    """Delete everything and write a new, self-consistent history of 4 entries."""
    _write(app, 4)
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    _drop_guard_and(app, sa.delete(AuditEntry))
    _write(app, 4, label="forger")
    app.config["AUDIT_CHECKPOINT_FILE"] = str(checkpoint_file.parent / "elsewhere.jsonl")
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # consistent in itself
    app.config["AUDIT_CHECKPOINT_FILE"] = str(checkpoint_file)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry number 4 no longer has the hash" in result.output
    assert "rewritten" in result.output


def test_a_rewrite_before_an_earlier_checkpoint_is_caught_too(app, runner, checkpoint_file):
    """Every checkpoint in the file is held against the chain, not only the last."""
    _write(app, 2)
    runner.invoke(args=["audit", "checkpoint"])
    _drop_guard_and(app, sa.delete(AuditEntry))
    _write(app, 3, label="forger")
    with checkpoint_file.open("a") as handle:  # the forger even ran a checkpoint after
        with app.app_context():
            report = audit.verify_chain()
        handle.write(json.dumps({"count": 3, "head": report.head,
                                 "at": "2030-01-01T00:00:00+00:00"}) + "\n")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "entry number 2 no longer has the hash" in result.output


def test_checkpoint_refuses_to_bless_a_broken_log(app, runner, checkpoint_file):
    _write(app, 3)
    runner.invoke(args=["audit", "checkpoint"])
    _drop_guard_and(app, sa.delete(AuditEntry).where(AuditEntry.id.in_(_newest_ids(app, 1))))
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 1 and "fewer than the 3" in result.output
    assert [c["count"] for c in _lines(checkpoint_file)] == [3]


def test_an_unreadable_checkpoint_file_fails_verify_with_its_line(app, runner, checkpoint_file):
    _write(app, 1)
    runner.invoke(args=["audit", "checkpoint"])
    with checkpoint_file.open("a") as handle:
        handle.write('{"count": "many"}\n')
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "line 2 of" in result.output and "is not a checkpoint" in result.output


def test_without_a_checkpoint_verify_says_how_to_start(app, runner, checkpoint_file):
    _write(app, 1)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "No checkpoint in" in result.output
    assert "flask audit checkpoint" in result.output


@pytest.mark.parametrize("page", ["/oversight/audit", "/oversight/supervision"])
def test_supervisors_see_the_latest_checkpoint_and_whether_the_log_matches(
        app, client, runner, make_user, checkpoint_file, page):
    login(client, make_user("supervisor"))
    assert "No checkpoint has been recorded yet" in client.get(page).get_data(as_text=True)
    _write(app, 3)
    runner.invoke(args=["audit", "checkpoint"])
    head = _lines(checkpoint_file)[0]["head"]
    html = client.get(page).get_data(as_text=True)
    assert "Audit log checkpoints" in html and head[:16] in html
    assert "Matches" in html and "Entries deleted since" not in html
    _drop_guard_and(app, sa.delete(AuditEntry).where(AuditEntry.id.in_(_newest_ids(app, 1))))
    html = client.get(page).get_data(as_text=True)
    assert "Entries deleted since" in html
    _write(app, 1, label="forger")  # back to the recorded length, but a different head
    html = client.get(page).get_data(as_text=True)
    assert "Rewritten since" in html and "Matches" not in html
