"""Build banks, exams and attempts for exam tests."""

from __future__ import annotations

from datetime import timedelta

from app.banks.markdown_format import parse_bank
from app.banks.services import import_banks
from app.database import utcnow
from app.exams.models import Exam, ExamRule
from app.extensions import db

BANK = """---
id: taking-bank
title: Taking bank
area: product
language: en
---

## TK-1
type: single

Where do DataHub agents run?

- [ ] In the vendor cloud
- [x] In the customer network

> They sit next to the sources and connect outbound.

## TK-2
type: multiple
points: 2

Which SSO protocols does DataHub support?

- [x] SAML 2.0
- [x] OpenID Connect
- [ ] Telnet

## TK-3
type: short

Name the classified-protection scheme.

- MLPS 2.0

## TK-4
type: matching
points: 2

Match the regulation to its subject.

- PIPL -> Personal information
- MLPS 2.0 -> Classified protection
- DSL -> Data security

## TK-5
type: ordering

Put the phases in order.

1. Qualify
2. Discover
3. Design

## TK-6
type: essay
points: 3

Why does lineage matter to a bank's CDO?

- Starts from the regulator's questions
- Names a report whose numbers lineage explains
"""


def make_exam(app, *, minutes: int = 30, closes_in: timedelta = timedelta(hours=2),
              **settings) -> int:
    """A published exam open now, with every question of the bank fixed; returns its id."""
    with app.app_context():
        bank, issues = parse_bank(BANK, "taking-bank.md")
        assert bank is not None, issues
        import_banks([bank], actor_label="test")
        now = utcnow()
        exam = Exam(title="Quarterly product exam", opens_at=now - timedelta(minutes=5),
                    closes_at=now + closes_in, time_limit_minutes=minutes,
                    published_at=now - timedelta(days=1), **settings)
        exam.rules = [ExamRule(position=1, kind="fixed",
                               question_ids=[f"TK-{n}" for n in range(1, 7)])]
        db.session.add(exam)
        db.session.commit()
        return exam.id
