"""What the app proposes from a record (§3.4), against hand-made cases."""

from __future__ import annotations

from decimal import Decimal as D

from app.assessments import recommendations as rec

VALUES = {"knowledge": D("82"), "capability": D("64.5"), "performance": D("75"),
          "professionalism": D("90")}


def test_pay_promotion_and_position_follow_the_band():
    assert rec.propose("excellent", VALUES).pay == "raise"
    assert rec.propose("excellent", VALUES).promotion_priority is True
    assert rec.propose("good", VALUES).pay == "keep"
    assert not rec.propose("good", VALUES).promotion_priority
    unqualified = rec.propose("unqualified", VALUES)
    assert unqualified.pay == "review" and unqualified.position_review
    incomplete = rec.propose(None, {**VALUES, "knowledge": None})
    assert incomplete.pay is None and not incomplete.position_review


def test_training_targets_the_weakest_indicator_then_weak_exam_areas():
    proposal = rec.propose("good", VALUES, weak_areas=[
        rec.Weakness("technical", D("0.4"), 6), rec.Weakness("product", D("0.9"), 8),
        rec.Weakness("industry", D(1), 4)])
    assert proposal.weakest_indicator == "capability"
    assert proposal.training_areas == ("communication", "demonstration", "project-management",
                                       "technical", "product")


def test_weak_tags_need_two_questions_and_criteria_are_named_lowest_first():
    proposal = rec.propose("qualified", VALUES, weak_tags=[
        rec.Weakness("licensing", D("0.2"), 1), rec.Weakness("security", D("0.5"), 3),
        rec.Weakness("agents", D("0.25"), 2)], weak_criteria=[
        rec.Weakness("Handling questions", D("0.5"), 2),
        rec.Weakness("Time and structure", D("0.75"), 2),
        rec.Weakness("Communication", D("0.5"), 2)])
    assert proposal.weak_tags == ("agents", "security")
    assert proposal.weak_criteria == ("Communication", "Handling questions",
                                      "Time and structure")
