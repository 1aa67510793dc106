"""Build rubrics and evaluations for evaluation tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import User
from app.auth.permissions import evaluation_authority
from app.database import utcnow
from app.evaluations import services as svc
from app.extensions import db
from app.rubrics.format import parse_rubric
from app.rubrics.models import Rubric, RubricVersion
from app.rubrics.services import import_rubrics

# talk: weight 60, levels 0 / 50 / 100 points; show: weight 40, levels 0 / 100.
# So (talk 2, show 2) = 30 + 40 = 70; (3, 2) = 100; (1, 1) = 0; (2, 1) = 30.
RUBRIC = """---
id: test-demo
title: Test demonstration
kind: demo
language: en
---

Score what you saw, not what you expected.

## talk: Talking to the customer
weight: 60

- 1 = 0: Reads the slides.
- 2 = 50: Clear and correct.
- 3 = 100: Tells the customer's own story.

## show: Showing the product
weight: 40

- 1 = 0: The demonstration breaks.
- 2 = 100: Everything shown works.
"""


def rubric_version(text: str = RUBRIC) -> RubricVersion:
    rubric, issues = parse_rubric(text, "test.md")
    assert rubric is not None, issues
    import_rubrics([rubric], actor_label="test")
    db.session.flush()
    return db.session.execute(
        sa.select(RubricVersion).join(Rubric, sa.and_(
            Rubric.id == RubricVersion.rubric_pk, Rubric.version == RubricVersion.version))
        .where(Rubric.rubric_id == rubric.id)).scalar_one()


def user(person) -> User:
    return db.session.get(User, person.id)


def give_authority(subject, coordinator, kind: str = "demo") -> None:
    """Make ``coordinator`` the subject's manager, unless they already have authority
    (app.auth.permissions.evaluation_authority): only then may they schedule."""
    subject, coordinator = user(subject), user(coordinator)
    if evaluation_authority(coordinator, subject, kind) is None and subject.manager_id is None:
        subject.manager_id = coordinator.id
        db.session.flush()


def schedule(subject, reviewers, coordinator, *, spread_limit: str | None = None,
             show_names: bool = False, version: RubricVersion | None = None):
    """Schedule a demo (or ``version``'s kind); the coordinator gets authority over the
    subject by becoming their manager when the test has not given them one."""
    when = utcnow() + timedelta(days=1)
    version = version or rubric_version()
    give_authority(subject, coordinator, version.rubric.kind)
    plan = svc.Schedule(
        subject=user(subject), rubric_version=version,
        scenario="Demonstrate **DataHub** to a bank's IT director.", scheduled_at=when,
        place="Room 3", due_at=when + timedelta(days=2),
        reviewers=[user(r) for r in reviewers], evidence_links=[],
        show_reviewer_names=show_names,
        spread_limit=Decimal(spread_limit) if spread_limit is not None else None)
    evaluation = svc.schedule(plan, user(coordinator))
    db.session.commit()
    return evaluation


def score(evaluation, reviewer, talk, show, *, submit=True, comment="", overall=""):
    review = svc.current_review_of(evaluation, user(reviewer))
    svc.save_scores(review, {"talk": talk, "show": show},
                    {"talk": comment, "show": ""}, overall, submit=submit)
    db.session.commit()
    return review
