"""Trainers build exams: settings, audience, publishing, duplicating, accommodations.

Services take models and plain values, raise :class:`BuilderError` when a rule is
broken, flush and never commit (the view commits once); sections live in
``builder_rules``. Instructions are Markdown, rendered once by ``render_markdown`` and
stored as ``instructions_html``.

**What freezes once any attempt exists.** Everything that decides what an attempt is
served or how it is scored, so that every attempt is judged against the same exam:
the sections, the scoring mode, the pass mark, how attempts combine, the time limit,
the attempts allowed, the opening time and both shuffles (``FROZEN_FIELDS``). Needs of
one person go through accommodations instead. **What stays editable**, because it
changes neither what was served nor how it is graded: title, instructions, the review
policy (release answers after the window, say), the audience (admit a late joiner), and
the closing time, which may then only move later (started attempts keep the deadline
they were given; bringing the close forward would cut people who planned for it).
Duplicate makes an editable, unpublished copy.

Audited (they affect access or scores): publish, unpublish, every accommodation change,
and changes to the settings, audience or sections of a published exam. Drafts are not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import log as audit
from app.auth.audience import AUDIENCES, AudienceChoice, AudienceError
from app.auth.audience import resolve as resolve_audience
from app.auth.models import Team, User
from app.content.markdown import MarkdownTooLarge, render_markdown
from app.exams import builder_rules as rules
from app.exams import notices
from app.exams.attempts import accommodation
from app.exams.builder_rules import BuilderError
from app.exams.grading import SCORING_MODES
from app.exams.models import Accommodation, Exam, ExamAudience
from app.extensions import db
from app.templating import display_datetime

__all__ = ["AUDIENCES", "COMBINE_MODES", "FROZEN_FIELDS", "REVIEW_TIMES", "AudienceChoice",
           "BuilderError", "ExamSettings", "audience_of", "create_exam", "duplicate_exam",
           "publish_exam", "remove_accommodation", "set_accommodation", "unpublish_exam",
           "update_exam"]

COMBINE_MODES = ("highest", "last")
REVIEW_TIMES = ("after_submit", "after_close")
MAX_TIME_LIMIT = 600
MAX_START_SPREAD = 600  # seconds
FROZEN_FIELDS = ("opens_at", "time_limit_minutes", "attempts_allowed", "combine", "pass_mark",
                 "shuffle_questions", "shuffle_options", "scoring")


@dataclass(frozen=True)
class ExamSettings:
    """An exam's own settings, as plain values (datetimes timezone-aware)."""

    title: str
    instructions: str
    opens_at: datetime
    closes_at: datetime
    time_limit_minutes: int
    attempts_allowed: int = 1
    combine: str = "highest"
    pass_mark: float = 60.0
    shuffle_questions: bool = False
    shuffle_options: bool = False
    scoring: str = "partial"
    review_score: bool = True
    review_correctness: bool = False
    review_answers: bool = False
    review_explanations: bool = False
    review_when: str = "after_close"
    start_spread_seconds: int = 0

    @classmethod
    def of(cls, exam: Exam) -> ExamSettings:
        return cls(**{f.name: getattr(exam, f.name) for f in fields(cls)})


# --- Settings ------------------------------------------------------------------------------
def _check_choices(settings: ExamSettings) -> None:
    if not settings.title.strip():
        raise BuilderError(_("Give the exam a title."), "title")
    if not 1 <= settings.time_limit_minutes <= MAX_TIME_LIMIT:
        raise BuilderError(_("The time limit must be 1 to %(max)d minutes.", max=MAX_TIME_LIMIT),
                           "time_limit_minutes")
    if settings.attempts_allowed < 1:
        raise BuilderError(_("Allow at least one attempt."), "attempts_allowed")
    if not 0 <= settings.pass_mark <= 100:
        raise BuilderError(_("The pass mark is a percentage from 0 to 100."), "pass_mark")
    for name, allowed in (("combine", COMBINE_MODES), ("scoring", SCORING_MODES),
                          ("review_when", REVIEW_TIMES)):
        if getattr(settings, name) not in allowed:
            raise BuilderError(_("Choose one of the listed options."), name)


def _check_window(settings: ExamSettings) -> None:
    if settings.closes_at <= settings.opens_at:
        raise BuilderError(_("The exam must close after it opens."), "closes_at")
    spread = settings.start_spread_seconds
    if not 0 <= spread <= MAX_START_SPREAD:
        raise BuilderError(_("Spread the starts over 0 to %(max)d seconds.",
                             max=MAX_START_SPREAD), "start_spread_seconds")
    # A later start must not mean less time: the last one still gets the whole time limit.
    needed = timedelta(minutes=settings.time_limit_minutes, seconds=spread)
    if spread and settings.closes_at - settings.opens_at < needed:
        raise BuilderError(_("With starts spread over %(n)d seconds, the exam must stay open "
                             "for at least the time limit plus %(n)d seconds, so that the "
                             "last to start still has the whole time: close it at %(time)s "
                             "or later.", n=spread,
                             time=display_datetime(settings.opens_at + needed)),
                           "closes_at")


def _check_frozen(exam: Exam, settings: ExamSettings) -> None:
    """Once attempts exist, scoring settings stay, and the close may only move later."""
    if not rules.attempts_started(exam):
        return
    changed = [name for name in FROZEN_FIELDS if getattr(exam, name) != getattr(settings, name)]
    if changed:
        raise BuilderError(_("Attempts have started, so these settings are frozen: %(names)s. "
                             "Duplicate the exam to change them.", names=", ".join(changed)))
    if settings.closes_at < exam.closes_at:
        raise BuilderError(_("Attempts have started: the exam may close later, not earlier."),
                           "closes_at")


def _render_instructions(text: str) -> str:
    try:
        return render_markdown(text).html
    except MarkdownTooLarge as too_large:
        raise BuilderError(str(too_large), "instructions") from too_large


def _apply(exam: Exam, settings: ExamSettings) -> dict[str, tuple]:
    """Set the settings on the exam; returns {name: (before, after)} of what changed."""
    changes = {}
    for name, value in asdict(settings).items():
        value = value.strip() if name in ("title", "instructions") else value
        if getattr(exam, name) != value:
            changes[name] = (getattr(exam, name), value)
            setattr(exam, name, value)
    if "instructions" in changes or not exam.instructions_html:
        exam.instructions_html = _render_instructions(exam.instructions)
    return changes


# --- Audience ------------------------------------------------------------------------------
def _audience_rows(choice: AudienceChoice) -> tuple[list[ExamAudience], dict]:
    """The rows a choice stands for, and how the audit log describes it."""
    try:
        resolved = resolve_audience(choice)
    except AudienceError as error:
        raise BuilderError(str(error), error.field) from error
    rows = ([ExamAudience(team_id=t.id) for t in resolved.teams]
            + [ExamAudience(user_id=u.id) for u in resolved.people])
    return rows, resolved.describe()


def audience_of(exam: Exam) -> AudienceChoice:
    """The exam's current audience, as the form shows it."""
    rows = db.session.execute(sa.select(ExamAudience.team_id, User.email)
                              .outerjoin(User, User.id == ExamAudience.user_id)
                              .where(ExamAudience.exam_id == exam.id)).all()
    return AudienceChoice(exam.audience,
                          tuple(sorted(team for team, _email in rows if team is not None)),
                          tuple(sorted(email for _team, email in rows if email is not None)))


def _describe_audience(exam: Exam) -> dict:
    choice = audience_of(exam)
    names = db.session.execute(sa.select(Team.name).where(
        Team.id.in_(list(choice.team_ids))).order_by(Team.name)).scalars().all()
    described: dict[str, str | list[str]] = {"audience": choice.kind}
    if choice.kind == "teams":
        described["teams"] = list(names)
    elif choice.kind == "people":
        described["people"] = list(choice.emails)
    return described


def _set_audience(exam: Exam, choice: AudienceChoice) -> tuple[dict, dict]:
    """Replace the audience rows; returns (before, after) descriptions."""
    new_rows, after = _audience_rows(choice)
    before = _describe_audience(exam)
    db.session.execute(sa.delete(ExamAudience).where(ExamAudience.exam_id == exam.id))
    exam.audience = choice.kind
    for row in new_rows:
        row.exam_id = exam.id
    db.session.add_all(new_rows)
    db.session.flush()
    return before, after


# --- Create, update, publish, duplicate ----------------------------------------------------
def create_exam(settings: ExamSettings, choice: AudienceChoice, *, actor=None) -> Exam:
    """A new draft exam (unpublished, no sections yet)."""
    _check_choices(settings)
    _check_window(settings)
    _audience_rows(choice)  # check before anything is written
    exam = Exam(created_by_id=getattr(actor, "id", None))
    _apply(exam, settings)
    db.session.add(exam)
    db.session.flush()
    _set_audience(exam, choice)
    return exam


def update_exam(exam: Exam, settings: ExamSettings, choice: AudienceChoice, *,
                actor=None) -> bool:
    """Save settings and audience; refuses frozen changes. True when something changed."""
    _check_choices(settings)
    _check_window(settings)
    _check_frozen(exam, settings)
    changes = _apply(exam, settings)
    before, after = _set_audience(exam, choice)
    if before != after:
        changes["audience"] = (before, after)
    if changes and exam.published_at is not None:
        audit.record("exam.update", exam, actor=actor,
                     before={name: old for name, (old, _new) in changes.items()},
                     after={name: new for name, (_old, new) in changes.items()})
    db.session.flush()
    return bool(changes)


def publish_exam(exam: Exam, now: datetime, *, actor=None) -> None:
    """Publish a complete exam whose window has not yet closed."""
    if exam.published_at is not None:
        raise BuilderError(_("This exam is already published."))
    if not exam.rules:
        raise BuilderError(_("Add at least one section before publishing."))
    if exam.closes_at <= exam.opens_at or exam.closes_at <= now:
        raise BuilderError(_("The exam's window has already closed: set a later closing time "
                             "before publishing."))
    problems = rules.composition(exam).problems  # banks may have changed since saving
    if problems:
        raise BuilderError(_("Correct the sections before publishing: %(problems)s",
                             problems=" ".join(problems)))
    exam.published_at = now
    audit.record("exam.publish", exam, actor=actor, after={"published_at": now})
    notices.exam_opened(exam, now)  # its window is open already; a later opening: ``due``


def unpublish_exam(exam: Exam, *, actor=None) -> None:
    """Take an exam back: no new starts until it is published again (running attempts go on)."""
    if exam.published_at is None:
        raise BuilderError(_("This exam is not published."))
    audit.record("exam.unpublish", exam, actor=actor, before={"published_at": exam.published_at})
    exam.published_at = None
    db.session.flush()


def duplicate_exam(exam: Exam, *, actor=None) -> Exam:
    """An editable, unpublished copy with the same settings, audience and sections.

    Attempts and accommodations belong to the original and are not copied.
    """
    title = _("Copy of %(title)s", title=exam.title)[:200]
    copy = Exam(created_by_id=getattr(actor, "id", None),
                instructions_html=exam.instructions_html, audience=exam.audience)
    for name, value in asdict(ExamSettings.of(exam)).items():
        setattr(copy, name, value)
    copy.title = title
    rules.copy_rules(exam, copy)
    db.session.add(copy)
    db.session.flush()
    rows = db.session.execute(sa.select(ExamAudience).where(
        ExamAudience.exam_id == exam.id)).scalars().all()
    db.session.add_all([ExamAudience(exam_id=copy.id, team_id=row.team_id, user_id=row.user_id)
                        for row in rows])
    db.session.flush()
    return copy


# --- Accommodations ------------------------------------------------------------------------
def _accommodation_values(row: Accommodation, user: User) -> dict:
    return {"person": user.email, "extra_minutes": row.extra_minutes,
            "extra_attempts": row.extra_attempts, "reason": row.reason}


def _required_reason(reason: str) -> str:
    if not reason.strip():
        raise BuilderError(_("Give the reason: it is recorded in the audit log."), "reason")
    return reason.strip()


def set_accommodation(exam: Exam, email: str, extra_minutes: int, extra_attempts: int,
                      reason: str, *, actor=None) -> Accommodation:
    """Give (or change) one person's extra time and attempts, with the reason, audited."""
    user = _person_by_email(email)
    reason = _required_reason(reason)
    if extra_minutes < 0 or extra_attempts < 0 or not (extra_minutes or extra_attempts):
        raise BuilderError(_("Give extra minutes, extra attempts, or both."), "extra_minutes")
    row = accommodation(exam, user)
    before = _accommodation_values(row, user) if row else None
    if row is None:
        row = Accommodation(exam_id=exam.id, user_id=user.id)
        db.session.add(row)
    row.extra_minutes, row.extra_attempts, row.reason = extra_minutes, extra_attempts, reason
    db.session.flush()
    audit.record("exam.accommodation", exam, actor=actor, before=before,
                 after=_accommodation_values(row, user), reason=reason)
    return row


def _person_by_email(email: str) -> User:
    user = db.session.execute(sa.select(User).where(
        sa.func.lower(User.email) == email.strip().lower())).scalar_one_or_none()
    if user is None:
        raise BuilderError(_("No account has the email %(emails)s.", emails=email.strip()),
                           "email")
    return user


def remove_accommodation(exam: Exam, row: Accommodation, reason: str, *, actor=None) -> None:
    """Withdraw an accommodation, with the reason; the audit entry keeps what it was."""
    reason = _required_reason(reason)
    user = db.session.get_one(User, row.user_id)  # the row's foreign key: never missing
    audit.record("exam.accommodation", exam, actor=actor,
                 before=_accommodation_values(row, user), after=None, reason=reason)
    db.session.delete(row)
    db.session.flush()


def accommodations_of(exam: Exam) -> list[tuple[Accommodation, User]]:
    return list(db.session.execute(
        sa.select(Accommodation, User).join(User, User.id == Accommodation.user_id)
        .where(Accommodation.exam_id == exam.id).order_by(User.email)).all())
