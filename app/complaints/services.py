"""Filing and handling complaints and suggestions (§4.2). Functions flush; callers commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.assessments.models import AssessmentRecord, RecordState
from app.audit import log as audit
from app.auth.models import Role, User, UserRole
from app.complaints import notices
from app.complaints.models import Complaint
from app.complaints.states import OPEN_STATES, ComplaintState, choices_from
from app.database import utcnow
from app.evaluations.models import Evaluation, EvaluationState
from app.exams.models import Attempt, AttemptState
from app.extensions import db
from app.i18n import local_today

KINDS = ("complaint", "suggestion")
TOPICS = ("training", "assessment")


# Public references: 8 characters, no look-alikes (0/O, 1/I/L); 31^8 ≈ 8.5e11 codes.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    """A random reference no matter has yet: it says nothing of when or in which order
    matters were filed (a counting number would date an anonymous suggestion)."""
    while True:
        reference = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        if db.session.execute(sa.select(Complaint.id).where(
                Complaint.reference == reference)).first() is None:
            return reference


def by_reference(reference: str) -> Complaint | None:
    return db.session.execute(sa.select(Complaint).where(
        Complaint.reference == (reference or "").strip().upper())).scalar_one_or_none()


class ComplaintRefused(Exception):
    """The step is not possible; the message says why."""


@dataclass(frozen=True)
class Subject:
    type: str
    id: int
    label: str


def subjects_of(person: User) -> list[Subject]:
    """The person's own results a complaint may be about."""
    attempts = db.session.execute(
        sa.select(Attempt).where(Attempt.user_id == person.id,
                                 Attempt.state.in_([AttemptState.GRADED,
                                                    AttemptState.AWAITING_MARKING]))
        .order_by(Attempt.finished_at.desc()).limit(50)).scalars()
    evaluations = db.session.execute(
        sa.select(Evaluation).where(Evaluation.subject_id == person.id,
                                    Evaluation.state == EvaluationState.RELEASED)
        .order_by(Evaluation.scheduled_at.desc()).limit(50)).scalars()
    records = db.session.execute(
        sa.select(AssessmentRecord).where(AssessmentRecord.person_id == person.id,
                                          AssessmentRecord.state != RecordState.DRAFT)
        .limit(50)).scalars()
    return ([Subject("attempt", a.id, f"{a.exam.title} #{a.number}") for a in attempts]
            + [Subject("evaluation", e.id, e.rubric_version.rubric.title) for e in evaluations]
            + [Subject("record", r.id, r.period.name) for r in records])


@dataclass(frozen=True)
class Filing:
    """What the author files, its text stripped."""

    kind: str
    topic: str
    title: str
    body: str
    anonymous: bool
    subject: tuple[str, int] | None


def _check_filing(author: User, filing: Filing) -> None:
    """ComplaintRefused at the first rule the filing breaks."""
    if filing.kind not in KINDS or filing.topic not in TOPICS:
        raise ComplaintRefused(_l("Choose what you are filing and what it is about."))
    if not filing.title or not filing.body:
        raise ComplaintRefused(_l("Give a title and describe the matter."))
    if filing.anonymous and filing.kind == "complaint":
        raise ComplaintRefused(_l("Complaints are not anonymous: the supervision group has "
                                  "to be able to answer you. Suggestions may be."))
    if filing.anonymous and filing.subject is not None:
        raise ComplaintRefused(_l("An anonymous suggestion cannot name one of your results: "
                                  "that would say who you are."))
    if filing.subject is not None and filing.subject not in {
            (s.type, s.id) for s in subjects_of(author)}:
        raise ComplaintRefused(_l("Choose one of your own results."))


def file(author: User, *, kind: str, topic: str, title: str, body: str,
         anonymous: bool = False, subject: tuple[str, int] | None = None) -> Complaint:
    """File a complaint (never anonymous) or a suggestion (anonymous if the author wishes)."""
    filing = Filing(kind, topic, (title or "").strip(), (body or "").strip(), anonymous, subject)
    _check_filing(author, filing)
    complaint = Complaint(
        reference=new_reference(), kind=kind, topic=topic, title=filing.title[:200],
        body=filing.body, author_id=None if anonymous else author.id,
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        state=ComplaintState.RECEIVED, received_on=local_today())
    db.session.add(complaint)
    db.session.flush()
    if not anonymous:  # an audit entry would name the author and the moment
        audit.record(f"{kind}.file", complaint, object_id=complaint.reference, actor=author,
                     after={"topic": topic, "title": complaint.title,
                            "subject": f"{subject[0]} {subject[1]}" if subject else None})
    notices.matter_arrived(complaint, supervisors())  # an anonymous one: the next day
    return complaint


def supervisors() -> list[User]:
    return list(db.session.execute(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.SUPERVISOR.value, User.active.is_(True))
        .order_by(User.display_name)).scalars())


@dataclass(frozen=True)
class Handling:
    """A supervisor's step on a matter, its text stripped."""

    state: str
    owner: User | None
    response: str
    action_taken: str
    linked_path: str


def _checked_target(complaint: Complaint, step: Handling) -> ComplaintState:
    """The state the step puts the matter in, or ComplaintRefused saying what is wrong."""
    if not complaint.open:
        raise ComplaintRefused(_l("This matter is closed."))
    target = ComplaintState(step.state)
    if target not in choices_from(complaint.state):
        raise ComplaintRefused(_l("It cannot go back to that state."))
    if target not in OPEN_STATES and not step.response:
        raise ComplaintRefused(_l("Write the response the author will read: what was found and "
                                  "what was done, or why it is rejected."))
    if step.linked_path and not (step.linked_path.startswith("/")
                                 and not step.linked_path.startswith("//")):
        raise ComplaintRefused(_l("Link to a page of this application, such as /exam-results/…"))
    if step.owner is not None and Role.SUPERVISOR not in step.owner.roles:
        raise ComplaintRefused(_l("The owner must be a member of the supervision group."))
    return target


def _apply(complaint: Complaint, target: ComplaintState, step: Handling) -> None:
    complaint.move_to(target)
    complaint.owner_id = step.owner.id if step.owner else None
    complaint.response, complaint.action_taken = step.response, step.action_taken
    complaint.linked_path = step.linked_path[:300]
    complaint.updated_at = utcnow()
    if not complaint.open:
        complaint.closed_on = local_today()


def handle(complaint: Complaint, handler: User, *, state: str, owner: User | None,
           response: str, action_taken: str, linked_path: str) -> None:
    """A supervisor moves it on, gives it an owner, answers the author, records the action."""
    step = Handling(state, owner, (response or "").strip(), (action_taken or "").strip(),
                    (linked_path or "").strip())
    target = _checked_target(complaint, step)
    before = {"state": complaint.state, "owner": complaint.owner.email if complaint.owner
              else None, "response": complaint.response}
    _apply(complaint, target, step)
    db.session.flush()
    notices.matter_handled(complaint, handler, moved=target != before["state"],
                           answered=bool(step.response) and step.response != before["response"])
    audit.record(f"{complaint.kind}.handle", complaint, object_id=complaint.reference,
                 actor=handler, before=before,
                 after={"state": target.value, "owner": owner.email if owner else None,
                        "response": step.response, "action_taken": step.action_taken,
                        "linked": complaint.linked_path})


def days_open(complaint: Complaint, today: date | None = None) -> int:
    end = complaint.closed_on or today or local_today()
    return (end - complaint.received_on).days


def mine(person: User) -> list[Complaint]:
    return list(db.session.execute(
        sa.select(Complaint).where(Complaint.author_id == person.id)
        .order_by(Complaint.id.desc())).scalars())
