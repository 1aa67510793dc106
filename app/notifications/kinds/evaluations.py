"""Notices of evaluations: to reviewers (assigned, due soon, overdue), to the coordinator
(every review in, moderation needed, late) and to the person evaluated (an interview is
scheduled, the result is released).

The person evaluated hears of an evaluation's result only at release, and no notice
carries a score: the page says as much as the reader may see. The notices are created
by :mod:`app.evaluations.services` and :mod:`app.evaluations.scorecards` (the step that
causes them) and, for the time-based ones, by :func:`due` (``flask notifications due``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from app.auth.models import User
from app.auth.permissions import Permission, can
from app.evaluations.models import Evaluation, Review
from app.evaluations.states import OWED_REVIEW_STATES, EvaluationState
from app.extensions import db
from app.notifications.kinds import Kind, register
from app.notifications.models import Notification
from app.notifications.services import notify
from app.rubrics.services import KIND_LABELS
from app.templating import display_date, display_datetime

DUE_SOON = timedelta(days=2)


def _evaluation(n: Notification) -> Evaluation | None:
    """The evaluation the notice is about, or None once it no longer exists."""
    if not n.object_id.isdigit():
        return None
    return db.session.get(Evaluation, int(n.object_id))


def _words(evaluation: Evaluation) -> dict[str, str]:
    """What the sentences name: the kind of evaluation, the person, the due moment."""
    return {"kind": str(KIND_LABELS.get(evaluation.kind, evaluation.kind)),
            "name": evaluation.subject.display_name,
            "due": display_datetime(evaluation.due_at)}


def _page(n: Notification, reader: User) -> str | None:
    """The evaluation's page, when the reader may see it."""
    evaluation = _evaluation(n)
    if evaluation is None or not can(reader, Permission.VIEW_EVALUATION, evaluation):
        return None
    return url_for("evaluations.show", evaluation_id=evaluation.id)


def _scorecard(n: Notification, reader: User) -> str | None:
    """A reviewer's own scorecard (where they score), else the page if they may see it."""
    evaluation = _evaluation(n)
    if evaluation is None or not can(reader, Permission.VIEW_EVALUATION, evaluation):
        return None
    if any(r.reviewer_id == reader.id and r.is_current for r in evaluation.reviews):
        return url_for("evaluations.review", evaluation_id=evaluation.id)
    return url_for("evaluations.show", evaluation_id=evaluation.id)


# -- reviewers ------------------------------------------------------------------------------


def _assigned_text(n: Notification) -> str:
    evaluation = _evaluation(n)
    if evaluation is None:
        return _("A review was assigned to you; the evaluation no longer exists.")
    if int(n.params.get("round", 1)) > 1:
        return _("Moderation asks you to score again: %(kind)s of %(name)s.",
                 **_words(evaluation))
    return _("Review assigned to you: %(kind)s of %(name)s, due %(due)s.", **_words(evaluation))


def _due_soon_text(n: Notification) -> str:
    evaluation = _evaluation(n)
    if evaluation is None:
        return _("A review you owed was due soon; the evaluation no longer exists.")
    return _("Your review is due soon (%(due)s): %(kind)s of %(name)s.", **_words(evaluation))


def _overdue_text(n: Notification) -> str:
    evaluation = _evaluation(n)
    if evaluation is None:
        return _("A review you owed was overdue; the evaluation no longer exists.")
    return _("Your review is overdue (it was due %(due)s): %(kind)s of %(name)s.",
             **_words(evaluation))


register(Kind(key="evaluation.assigned", audience="reviewer",
              label=lambda: _("An evaluation is assigned to me"),
              text=_assigned_text, link=_scorecard))
register(Kind(key="evaluation.due_soon", audience="reviewer",
              label=lambda: _("A review I owe is due within 2 days"),
              text=_due_soon_text, link=_scorecard))
register(Kind(key="evaluation.overdue", audience="reviewer",
              label=lambda: _("A review I owe is overdue"),
              text=_overdue_text, link=_scorecard))


# -- the coordinator ------------------------------------------------------------------------


def _ready_text(n: Notification) -> str:
    evaluation = _evaluation(n)
    if evaluation is None:
        return _("Every review of an evaluation was in; the evaluation no longer exists.")
    return _("Every review is in: %(kind)s of %(name)s is ready to release.",
             **_words(evaluation))


def _moderation_text(n: Notification) -> str:
    evaluation = _evaluation(n)
    if evaluation is None:
        return _("An evaluation needed moderation; it no longer exists.")
    return _("The reviewers disagree by more than %(limit)s points: %(kind)s of %(name)s "
             "needs your moderation.", limit=f"{evaluation.spread_limit.normalize():f}",
             **_words(evaluation))


def _late_text(n: Notification) -> str:
    evaluation = _evaluation(n)
    if evaluation is None:
        return _("An evaluation was late; it no longer exists.")
    return _("Late: %(kind)s of %(name)s was due %(due)s with reviews still owed.",
             **_words(evaluation))


register(Kind(key="evaluation.ready", audience="coordinator",
              label=lambda: _("Every review of an evaluation I coordinate is in"),
              text=_ready_text, link=_page))
register(Kind(key="evaluation.moderation", audience="coordinator",
              label=lambda: _("The reviewers of an evaluation I coordinate disagree"),
              text=_moderation_text, link=_page))
register(Kind(key="evaluation.late", audience="coordinator",
              label=lambda: _("An evaluation I coordinate is late"),
              text=_late_text, link=_page))


# -- the person evaluated -------------------------------------------------------------------


def _released_text(n: Notification) -> str:
    evaluation = _evaluation(n)
    if evaluation is None:
        return _("The result of an evaluation of you was released; the evaluation no longer "
                 "exists.")
    return _("Your result is released: %(kind)s on %(day)s.",
             kind=_words(evaluation)["kind"], day=display_date(evaluation.scheduled_at))


def _released_link(n: Notification, reader: User) -> str | None:
    evaluation = _evaluation(n)
    if evaluation is None or evaluation.state != EvaluationState.RELEASED:
        return None
    return _page(n, reader)


def _interview_text(n: Notification) -> str:
    evaluation = _evaluation(n)
    if evaluation is None:
        return _("An interview with you was scheduled; it no longer exists.")
    when = display_datetime(evaluation.scheduled_at)
    if evaluation.place:
        return _("An interview with you is scheduled: %(when)s, %(place)s.", when=when,
                 place=evaluation.place)
    return _("An interview with you is scheduled: %(when)s.", when=when)


register(Kind(key="evaluation.released", audience="learner",
              label=lambda: _("The result of an evaluation of me is released"),
              text=_released_text, link=_released_link))
register(Kind(key="evaluation.interview_scheduled", audience="learner",
              label=lambda: _("An interview evaluation of me is scheduled"),
              text=_interview_text, link=_page))


# -- time-based: due soon, overdue, late ----------------------------------------------------


def _owed_reviews(before: datetime) -> list[Review]:
    """Current scorecards not yet submitted, of open evaluations due before ``before``."""
    return list(db.session.execute(
        sa.select(Review).join(Evaluation, Evaluation.id == Review.evaluation_id)
        .where(Evaluation.state == EvaluationState.OPEN, Evaluation.due_at <= before,
               Review.state.in_(sorted(OWED_REVIEW_STATES)))
        .order_by(Review.id)).scalars())


def due(now: datetime) -> int:
    """Reviews due within 2 days or overdue (to the reviewer), and evaluations late (to
    the coordinator). Each notice once: per scorecard (a re-score round is a new one),
    per evaluation for the coordinator."""
    made = 0
    late: dict[int, Evaluation] = {}
    for review in _owed_reviews(now + DUE_SOON):
        evaluation = review.evaluation
        kind = "evaluation.overdue" if evaluation.due_at < now else "evaluation.due_soon"
        made += len(notify([review.reviewer], kind, evaluation,
                           dedupe_key=f"{kind}:{review.id}"))
        if evaluation.due_at < now:
            late[evaluation.id] = evaluation
    for evaluation in late.values():
        made += len(notify([evaluation.coordinator], "evaluation.late", evaluation,
                           dedupe_key=f"evaluation.late:{evaluation.id}"))
    return made
