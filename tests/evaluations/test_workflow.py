"""The evaluation workflow through its services: schedule, score, moderate, release, amend."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.evaluations import scorecards
from app.evaluations import services as svc
from app.evaluations.models import EvaluationState, Moderation, Review, ReviewState
from app.extensions import db
from tests.evaluations.builders import schedule, score, user


@pytest.fixture
def people(app, make_user):
    with app.app_context():
        yield {"subject": make_user("learner"), "alice": make_user("reviewer"),
               "bob": make_user("reviewer"), "coordinator": make_user("manager")}


def test_scheduling_refuses_self_review_and_no_reviewers(people):
    with pytest.raises(svc.EvaluationRefused, match="Nobody reviews themselves"):
        schedule(people["subject"], [people["alice"], people["subject"]],
                 people["coordinator"])
    with pytest.raises(svc.EvaluationRefused, match="at least one reviewer"):
        schedule(people["subject"], [], people["coordinator"])


def test_scheduling_records_the_rubric_version_kind_and_default_spread(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"])
    assert evaluation.kind == "demo" and evaluation.rubric_version.version == 1
    assert evaluation.spread_limit == D("20.00") and evaluation.state == EvaluationState.OPEN
    assert [r.state for r in evaluation.reviews] == ["pending", "pending"]
    entry = db.session.execute(sa.select(AuditEntry).where(
        AuditEntry.action == "evaluation.schedule")).scalar_one()
    assert entry.after["reviewers"] == [people["alice"].email, people["bob"].email]


def test_a_draft_can_change_a_submitted_scorecard_cannot(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"])
    review = score(evaluation, people["alice"], 1, 1, submit=False)
    assert review.state == ReviewState.DRAFT and review.total is None
    score(evaluation, people["alice"], 2, 2)
    assert review.state == ReviewState.SUBMITTED and review.total == D("70.00")
    with pytest.raises(svc.EvaluationRefused, match="locked"):
        score(evaluation, people["alice"], 3, 2)
    db.session.refresh(review)
    assert review.total == D("70.00") and scorecards.scorecard(review) == {"talk": 2, "show": 2}


def test_submitting_needs_every_criterion_and_keeps_the_draft(people):
    evaluation = schedule(people["subject"], [people["alice"]], people["coordinator"])
    with pytest.raises(svc.EvaluationRefused, match="Showing the product"):
        score(evaluation, people["alice"], 3, None, comment="Strong opening")
    db.session.commit()
    review = svc.current_review_of(evaluation, user(people["alice"]))
    assert review.state == ReviewState.DRAFT
    assert scorecards.scorecard(review) == {"talk": 3, "show": None}
    assert review.scores[0].comment == "Strong opening"


def test_the_result_is_the_mean_once_every_review_is_in(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"])
    score(evaluation, people["alice"], 2, 2)  # 70
    assert evaluation.state == EvaluationState.OPEN and evaluation.result is None
    score(evaluation, people["bob"], 3, 2)    # 100: spread 30 > 20
    assert evaluation.result == D("85.00") and evaluation.state == EvaluationState.MODERATION
    with pytest.raises(svc.EvaluationRefused, match="moderation decision"):
        svc.release(evaluation, user(people["coordinator"]))


def test_totals_within_the_spread_go_straight_to_ready(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"], spread_limit="30")
    score(evaluation, people["alice"], 2, 2)
    score(evaluation, people["bob"], 3, 2)  # exactly 30 apart: not more than the limit
    assert evaluation.state == EvaluationState.READY
    svc.release(evaluation, user(people["coordinator"]))
    db.session.commit()
    assert evaluation.state == EvaluationState.RELEASED and evaluation.released_at


def test_moderation_can_ask_for_a_rescore_and_keeps_the_first_score(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"])
    score(evaluation, people["alice"], 2, 2, comment="Good")
    score(evaluation, people["bob"], 1, 1)  # 0: spread 70
    with pytest.raises(svc.EvaluationRefused, match="moderation note"):
        svc.moderate(evaluation, user(people["coordinator"]), " ", accept=False,
                     rescore=[people["bob"].id])
    svc.moderate(evaluation, user(people["coordinator"]), "Bob scored the dry run.",
                 accept=False, rescore=[people["bob"].id])
    db.session.commit()
    assert evaluation.state == EvaluationState.OPEN and evaluation.result is None
    bobs = db.session.execute(sa.select(Review).where(
        Review.reviewer_id == people["bob"].id).order_by(Review.round)).scalars().all()
    assert [(r.round, r.state, r.total) for r in bobs] == [
        (1, "superseded", D("0.00")), (2, "draft", None)]
    assert scorecards.scorecard(bobs[1]) == {"talk": 1, "show": 1}  # starts from the first card
    score(evaluation, people["bob"], 2, 2)
    assert evaluation.state == EvaluationState.READY and evaluation.result == D("70.00")
    moderation = db.session.execute(sa.select(Moderation)).scalar_one()
    assert (moderation.outcome, moderation.spread) == ("rescore", D("70.00"))


def test_moderation_can_accept_a_disagreement_with_a_note(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"])
    score(evaluation, people["alice"], 2, 2)
    score(evaluation, people["bob"], 1, 1)
    svc.moderate(evaluation, user(people["coordinator"]), "Both saw it; both are fair.",
                 accept=True)
    assert evaluation.state == EvaluationState.READY and evaluation.result == D("35.00")


def test_after_release_only_an_amendment_with_a_reason_changes_scores(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"], spread_limit="100")
    alice = score(evaluation, people["alice"], 2, 2)
    score(evaluation, people["bob"], 2, 1)  # 30
    svc.release(evaluation, user(people["coordinator"]))
    db.session.commit()
    assert evaluation.result == D("50.00")
    coordinator = user(people["coordinator"])
    with pytest.raises(svc.EvaluationRefused, match="reason"):
        svc.amend(evaluation, coordinator, alice, {"talk": 3, "show": 2}, {}, "", " ")
    svc.amend(evaluation, coordinator, alice, {"talk": 3, "show": 2}, {"talk": "Re-watched"},
              "", "The recording shows the customer story was told.")
    db.session.commit()
    assert alice.total == D("100.00") and evaluation.result == D("65.00")
    entry = db.session.execute(sa.select(AuditEntry).where(
        AuditEntry.action == "evaluation.amend")).scalar_one()
    assert entry.before["result"] == "50.00" and entry.after["result"] == "65.00"
    assert entry.before["levels"] == {"talk": 2, "show": 2}
    assert entry.after["levels"] == {"talk": 3, "show": 2}
    assert entry.reason.startswith("The recording") and entry.actor_id == coordinator.id


def test_amending_before_release_is_refused(people):
    evaluation = schedule(people["subject"], [people["alice"]], people["coordinator"])
    review = score(evaluation, people["alice"], 2, 2)
    with pytest.raises(svc.EvaluationRefused, match="released"):
        svc.amend(evaluation, user(people["coordinator"]), review, {"talk": 3, "show": 2},
                  {}, "", "why")


def test_the_queue_lists_what_a_reviewer_owes_earliest_due_first(people):
    first = schedule(people["subject"], [people["alice"]], people["coordinator"])
    second = schedule(people["subject"], [people["alice"], people["bob"]],
                      people["coordinator"])
    second.due_at = first.due_at.replace(year=first.due_at.year - 1)
    db.session.commit()
    assert [r.evaluation_id for r in svc.queue(user(people["alice"]))] == [second.id, first.id]
    score(first, people["alice"], 2, 2)
    assert [r.evaluation_id for r in svc.queue(user(people["alice"]))] == [second.id]


def test_reviewer_consistency_uses_current_submitted_scorecards(people):
    evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                          people["coordinator"], spread_limit="100")
    score(evaluation, people["alice"], 3, 2)  # 100
    score(evaluation, people["bob"], 2, 1)    # 30
    rows = {person.id: figures for person, figures in svc.reviewer_consistency()}
    assert rows[people["alice"].id].mean_difference == D("70.00")
    assert rows[people["bob"].id].mean_difference == D("-70.00")
