"""The review policy of an exam: when a learner may see their result, and whether the result
page shows them anything (the learner's pages and the result notices ask the same rules)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class ReviewPolicy(Protocol):
    review_when: str
    closes_at: datetime
    review_score: bool
    review_correctness: bool
    review_answers: bool
    review_explanations: bool


def review_visible(exam: ReviewPolicy, now: datetime) -> bool:
    """Whether the review policy lets learners see their results yet."""
    return exam.review_when == "after_submit" or now >= exam.closes_at


def shows_result(exam: ReviewPolicy) -> bool:
    """Whether the result page, once visible, shows more than "your answers are saved": the
    score, or the questions with their correctness, answers or explanations."""
    return (exam.review_score or exam.review_correctness or exam.review_answers
            or exam.review_explanations)


def result_open(exam: ReviewPolicy, now: datetime) -> bool:
    """The learner may see a result now: a "result ready" notice may be sent."""
    return review_visible(exam, now) and shows_result(exam)
