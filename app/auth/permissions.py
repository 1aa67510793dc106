"""Who may do what to which object: the one place that decides.

Views never test roles themselves; they call :func:`can`, :func:`require` or
:func:`ensure`. Templates get ``can`` too, so navigation shows only what the
person's roles allow.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from functools import wraps
from typing import Any, Protocol, cast

from flask import abort
from flask_login import current_user

# Only the pure ``states`` modules of features: a rule compares enum members, so a renamed
# value cannot silently change who may do what; feature models and services never.
from app.assessments.states import RecordState
from app.auth.models import Role, User
from app.evaluations.states import (
    OWED_REVIEW_STATES,
    SUBMITTED_REVIEW_STATES,
    EvaluationState,
)


class Permission(enum.StrEnum):
    MANAGE_USERS = "users.manage"
    READ_AUDIT = "audit.read"
    VIEW_PERSON = "person.view"
    VIEW_COURSE_STATS = "courses.stats"
    MANAGE_COURSES = "courses.manage"
    MANAGE_BANKS = "banks.manage"
    MANAGE_EXAMS = "exams.manage"
    VIEW_RUBRICS = "rubrics.view"
    MANAGE_RUBRICS = "rubrics.manage"
    SCHEDULE_EVALUATIONS = "evaluations.schedule"
    READ_EVALUATIONS = "evaluations.read"
    # Object permissions on one evaluation or review (no role grant: see EVALUATION_RULES)
    VIEW_EVALUATION = "evaluation.view"
    COORDINATE_EVALUATION = "evaluation.coordinate"
    SEE_REVIEW = "evaluation.review.see"
    SCORE_REVIEW = "evaluation.review.score"
    SEE_EVALUATION_RESULT = "evaluation.result.see"
    MANAGE_PERIODS = "assessments.periods"
    READ_ALL_RECORDS = "assessments.read"
    # Object permissions on one assessment record
    VIEW_RECORD = "assessment.record.view"
    SCORE_RECORD = "assessment.record.score"
    FOLLOW_UP_RECORD = "assessment.record.follow_up"
    HANDLE_COMPLAINTS = "complaints.handle"
    SUPERVISE = "oversight.supervise"
    VIEW_COMPLAINT = "complaint.view"
    DECIDE_CHANGE = "assessment.change.decide"
    MANAGE_TRAINING_PLAN = "training.manage"
    READ_TRAINING = "training.read"
    # Object permissions on one training need or certificate
    VIEW_NEED = "training.need.view"
    VIEW_CERTIFICATE = "training.certificate.view"
    # Object permission on one notification: its recipient only, whatever their roles
    OWN_NOTIFICATION = "notification.own"


ROLE_GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
    # §4.1: the supervision group reads everything.
    Permission.READ_AUDIT: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    Permission.VIEW_PERSON: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # §2.5: trainers evaluate their courses' effectiveness.
    Permission.VIEW_COURSE_STATS: frozenset({Role.TRAINER, Role.ADMIN}),
    # Trainers write the courses: upload, replace a lesson, retire, restore, download.
    Permission.MANAGE_COURSES: frozenset({Role.TRAINER, Role.ADMIN}),
    # Question banks hold exam answer keys: trainers and admins only.
    Permission.MANAGE_BANKS: frozenset({Role.TRAINER, Role.ADMIN}),
    # Building, marking and analysing exams (§3.2.1, §2.5.1).
    Permission.MANAGE_EXAMS: frozenset({Role.TRAINER, Role.ADMIN}),
    # Rubrics are read by whoever schedules, reviews or supervises evaluations.
    Permission.VIEW_RUBRICS: frozenset({Role.TRAINER, Role.MANAGER, Role.REVIEWER,
                                        Role.SUPERVISOR, Role.ADMIN}),
    Permission.MANAGE_RUBRICS: frozenset({Role.TRAINER, Role.ADMIN}),
    # A manager or trainer schedules an evaluation and coordinates it (§3.2.1, §3.2.2);
    # of whom, and of which kind, is decided by evaluation_authority below.
    Permission.SCHEDULE_EVALUATIONS: frozenset({Role.TRAINER, Role.MANAGER}),
    # §4.1: the supervision group reads every evaluation and reviewer consistency.
    Permission.READ_EVALUATIONS: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # A manager opens a quarter and plans it (§3.3.1); admins configure.
    Permission.MANAGE_PERIODS: frozenset({Role.MANAGER, Role.ADMIN}),
    # §4.1: supervisors read every record; admins too. Neither scores.
    Permission.READ_ALL_RECORDS: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # §4.2: the supervision group handles complaints and suggestions.
    Permission.HANDLE_COMPLAINTS: frozenset({Role.SUPERVISOR}),
    # §4.1: the supervision dashboard.
    Permission.SUPERVISE: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # §2.1, §2.2: trainers turn needs into the annual plan and run it.
    Permission.MANAGE_TRAINING_PLAN: frozenset({Role.TRAINER, Role.ADMIN}),
    # Every need, attendance list, certificate and the plan's execution.
    Permission.READ_TRAINING: frozenset({Role.TRAINER, Role.SUPERVISOR, Role.ADMIN}),
    Permission.VIEW_NEED: frozenset({Role.TRAINER, Role.SUPERVISOR, Role.ADMIN}),
    Permission.VIEW_CERTIFICATE: frozenset({Role.TRAINER, Role.SUPERVISOR, Role.ADMIN}),
}


def _may_view_person(user: User, person: User) -> bool:
    """A person is seen by themselves, their manager, supervisors and admins."""
    return person.id == user.id or person.manager_id == user.id


# -- authority: who may produce a score about whom (§1.3.1, §3.1) ---------------------------
#
# An evaluation's coordinator schedules, moderates and releases it, and its result
# feeds the person's assessment record. So the coordinator must hold authority over
# the person for that kind of evaluation. The same rule decides at scheduling time
# and again when a record folds its sources: a source produced outside it never counts.

class Authority(enum.StrEnum):
    """The basis on which someone coordinates an evaluation of a person."""

    LINE_MANAGER = "line_manager"            # the person's manager: every kind
    SECOND_LINE_MANAGER = "second_line_manager"  # the manager's manager: all but professionalism
    TRAINER = "trainer"                      # a trainer: demonstrations and interviews
    DELEGATE = "delegate"                    # named by the line manager, for professionalism


# Evaluation kinds are the rubric kinds (app.rubrics.format.KINDS), plain strings.
TRAINER_KINDS = frozenset({"demo", "interview"})
LINE_MANAGER_ONLY_KINDS = frozenset({"professionalism"})


def evaluation_authority(user: User | None, person: User | None, kind: str, *,
                         delegated_by: frozenset[int] | set[int] = frozenset()
                         ) -> Authority | None:
    """On what basis ``user`` may coordinate an evaluation of ``kind`` of ``person``.

    ``delegated_by``: ids of the people who delegated the professionalism rating of
    this person to ``user`` for the time in question (only the line manager's counts).
    None means no authority: never the person themselves, never another team's
    manager, never a supervisor or an admin as such.
    """
    if user is None or person is None or user.id == person.id or not user.active:
        return None
    if person.manager_id is not None and person.manager_id == user.id:
        return Authority.LINE_MANAGER
    if kind in LINE_MANAGER_ONLY_KINDS:
        return _delegated(person, delegated_by)
    return _second_line_or_trainer(user, person, kind)


def _delegated(person: User, delegated_by: frozenset[int] | set[int]) -> Authority | None:
    """Beyond the line manager, a line-manager-only kind goes only to whom they named."""
    if person.manager_id is not None and person.manager_id in delegated_by:
        return Authority.DELEGATE
    return None


def _second_line_or_trainer(user: User, person: User, kind: str) -> Authority | None:
    manager = person.manager
    if manager is not None and manager.manager_id == user.id:
        return Authority.SECOND_LINE_MANAGER
    if kind in TRAINER_KINDS and Role.TRAINER in user.roles:
        return Authority.TRAINER
    return None


def may_evaluate_someone_of(user: User, person: User, kinds: Iterable[str]) -> bool:
    """For the scheduling page's picker: some kind (delegations aside) may be coordinated."""
    return any(evaluation_authority(user, person, kind) is not None for kind in kinds)


# -- the shapes the object rules read (the models live in their features) --------------------


class ReviewLike(Protocol):
    @property
    def reviewer_id(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def evaluation(self) -> EvaluationLike: ...


class EvaluationLike(Protocol):
    @property
    def subject_id(self) -> int: ...
    @property
    def coordinator_id(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def subject(self) -> User: ...
    @property
    def reviews(self) -> Sequence[ReviewLike]: ...


class RecordLike(Protocol):
    @property
    def person_id(self) -> int: ...
    @property
    def person(self) -> User: ...
    @property
    def state(self) -> str: ...


# -- evaluations (§1.3.1: reviewers score independently) -------------------------------------
#
# These rules decide on their own, without role grants: independence must hold
# even for a supervisor or admin who is also a reviewer of the evaluation.


def _reads_all_evaluations(user: User) -> bool:
    return bool(user.roles & ROLE_GRANTS[Permission.READ_EVALUATIONS])


def _own_reviews(user: User, evaluation: EvaluationLike) -> list[ReviewLike]:
    return [r for r in evaluation.reviews if r.reviewer_id == user.id]


def _owes_a_review(user: User, evaluation: EvaluationLike) -> bool:
    """A reviewer whose current scorecard is not submitted yet."""
    return any(r.state in OWED_REVIEW_STATES for r in _own_reviews(user, evaluation))


def _may_view_evaluation(user: User, evaluation: EvaluationLike) -> bool:
    """The page itself: its schedule and scenario (scores are decided separately).

    The person's manager sees it too: released results feed their team's assessment
    records, which must be traceable to their sources.
    """
    return (evaluation.subject_id == user.id or evaluation.coordinator_id == user.id
            or bool(_own_reviews(user, evaluation)) or _reads_all_evaluations(user)
            or evaluation.subject.manager_id == user.id)


def _part_in_scoring(user: User, evaluation: EvaluationLike) -> bool:
    """Coordinates it, reviews it, or reads every evaluation (supervision)."""
    return (evaluation.coordinator_id == user.id or bool(_own_reviews(user, evaluation))
            or _reads_all_evaluations(user))


def _may_coordinate(user: User, evaluation: EvaluationLike) -> bool:
    """Moderate, release, amend, add evidence: only the coordinator who scheduled it (and
    so held authority over the person). Never the person evaluated; an admin as such has
    no authority over scores (§1.3.1)."""
    return evaluation.coordinator_id == user.id and evaluation.subject_id != user.id


def _may_see_review(user: User, review: ReviewLike) -> bool:
    """A reviewer's scores and comments, before release.

    Their own always; nobody else's drafts, ever; others' submitted scores only once
    the viewer owes no review of this evaluation themselves. The person evaluated
    sees single reviews only through the released result.
    """
    if review.reviewer_id == user.id:
        return True
    if review.state not in SUBMITTED_REVIEW_STATES:
        return False
    evaluation = review.evaluation
    if evaluation.subject_id == user.id or _owes_a_review(user, evaluation):
        return False
    return _part_in_scoring(user, evaluation)


def _may_score(user: User, review: ReviewLike) -> bool:
    """Only the assigned reviewer, while the scorecard is open and the evaluation too."""
    return (review.reviewer_id == user.id and review.state in OWED_REVIEW_STATES
            and review.evaluation.state == EvaluationState.OPEN
            and review.evaluation.subject_id != user.id)


def _may_see_result(user: User, evaluation: EvaluationLike) -> bool:
    """The released result: whoever may see the evaluation. Before release: only those
    with a part in the scoring who owe no scorecard (not the person, not their manager)."""
    if evaluation.state == EvaluationState.RELEASED:
        return _may_view_evaluation(user, evaluation)
    if evaluation.subject_id == user.id or _owes_a_review(user, evaluation):
        return False
    return _part_in_scoring(user, evaluation)


# -- assessment records (§3.3): managers see only their own team ---------------------------


def _may_view_record(user: User, record: RecordLike) -> bool:
    """The person once it is published; their manager; supervisors and admins."""
    if record.person_id == user.id:
        return record.state != RecordState.DRAFT
    return (record.person.manager_id == user.id
            or bool(user.roles & ROLE_GRANTS[Permission.READ_ALL_RECORDS]))


def _may_score_record(user: User, record: RecordLike) -> bool:
    """Only the person's manager scores, gives feedback and publishes."""
    return record.person.manager_id == user.id and record.person_id != user.id


def _may_follow_up(user: User, record: RecordLike) -> bool:
    """Interview, improvement plan, decisions, change requests: the manager, once published."""
    return _may_score_record(user, record) and record.state != RecordState.DRAFT


def _may_decide_change(user: User, change) -> bool:
    """An admin or a second manager: never the person who asked, never the person assessed."""
    record = change.record
    return (change.requested_by_id != user.id and record.person_id != user.id
            and bool(user.roles & {Role.ADMIN, Role.MANAGER}))


def _may_view_complaint(user: User, complaint) -> bool:
    """Its author (never anyone, for an anonymous suggestion) and the supervision group."""
    return (complaint.author_id is not None and complaint.author_id == user.id) \
        or Role.SUPERVISOR in user.roles


def _may_view_own_training(user: User, obj) -> bool:
    """A need or certificate: its person and their manager (besides the role grant)."""
    person = obj.author if hasattr(obj, "author_id") else obj.person
    return person.id == user.id or person.manager_id == user.id


def _own_notification(user: User, notification) -> bool:
    """A notification is its recipient's alone: not even an admin reads another's."""
    return notification.user_id == user.id


# Object rules widen a role grant for a particular object; the role grant
# always applies too (the evaluation and record rules have none).
OBJECT_RULES: dict[Permission, Callable[[User, Any], bool]] = {
    Permission.VIEW_PERSON: _may_view_person,
    Permission.VIEW_EVALUATION: _may_view_evaluation,
    Permission.COORDINATE_EVALUATION: _may_coordinate,
    Permission.SEE_REVIEW: _may_see_review,
    Permission.SCORE_REVIEW: _may_score,
    Permission.SEE_EVALUATION_RESULT: _may_see_result,
    Permission.VIEW_RECORD: _may_view_record,
    Permission.SCORE_RECORD: _may_score_record,
    Permission.FOLLOW_UP_RECORD: _may_follow_up,
    Permission.DECIDE_CHANGE: _may_decide_change,
    Permission.VIEW_COMPLAINT: _may_view_complaint,
    Permission.VIEW_NEED: _may_view_own_training,
    Permission.VIEW_CERTIFICATE: _may_view_own_training,
    Permission.OWN_NOTIFICATION: _own_notification,
}


def can(user: Any, permission: Permission, obj: Any = None) -> bool:
    """True when ``user`` may exercise ``permission`` (on ``obj`` when given)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.roles & ROLE_GRANTS.get(permission, frozenset()):
        return True
    rule = OBJECT_RULES.get(permission)
    return obj is not None and rule is not None and rule(user, obj)


def ensure(permission: Permission, obj: Any = None) -> None:
    """Abort with 403 unless the current user may act; for object checks in views."""
    if not can(current_user, permission, obj):
        abort(403)


class GuardedView(Protocol):
    """A view that :func:`require` wrapped: it carries the permission it checks."""

    required_permission: Permission

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...


def require(permission: Permission) -> Callable[[Callable[..., Any]], GuardedView]:
    """View decorator for a role-level permission.

    The permission is recorded on the view so tests can walk the URL map and
    prove every restricted route refuses people without it.
    """

    def decorator(view: Callable[..., Any]) -> GuardedView:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            ensure(permission)
            return view(*args, **kwargs)

        guarded = cast(GuardedView, wrapped)
        guarded.required_permission = permission
        return guarded

    return decorator


def public(view):
    """Mark a view as reachable without signing in (login, health, language)."""
    view.is_public = True
    return view
