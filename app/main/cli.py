"""``flask demo load``: demo accounts (and, as features land, sample content)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app.assessments import services as assessments
from app.assessments.models import AssessmentPeriod, PeriodState
from app.auth import services
from app.auth.audience import AudienceChoice
from app.auth.models import Role, User
from app.banks.models import Question, QuestionBank
from app.banks.readers import read_files
from app.banks.services import import_banks
from app.complaints import services as complaints
from app.complaints.models import Complaint
from app.content.authoring import errors_only
from app.content.markdown import render_markdown
from app.courses.cli import default_courses_dir
from app.courses.models import Course
from app.courses.sync import sync_courses
from app.database import utcnow
from app.evaluations import services as evaluations
from app.evaluations.models import Evaluation
from app.exams.models import Exam, ExamRule
from app.extensions import db
from app.i18n import local_today
from app.notifications import kinds
from app.rubrics.format import check_rubrics
from app.rubrics.services import ImportRefused, current_version, import_rubrics, rubric_by_id
from app.training import services as training
from app.training.models import PlanItem

demo_cli = AppGroup("demo", help="Demo accounts and sample content for trying the app.")

DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential, dev only
DEMO_TEAM = "East China Presales"
DEMO_ACCOUNTS = [
    # email, display name, roles, language, manager
    ("admin@example.com", "Admin 管理员", [Role.ADMIN], "en", None),
    ("supervisor@example.com", "Liu Yang 刘洋", [Role.SUPERVISOR], "zh_CN", None),
    ("manager@example.com", "Chen Jie 陈杰", [Role.MANAGER, Role.REVIEWER], "zh_CN", None),
    ("trainer@example.com", "Zhang Min 张敏", [Role.TRAINER, Role.REVIEWER], "en", None),
    ("reviewer@example.com", "Wang Fang 王芳", [Role.REVIEWER], "zh_CN",
     "manager@example.com"),
    ("learner@example.com", "Li Wei 李伟", [Role.LEARNER], "en", "manager@example.com"),
]



Found = TypeVar("Found")


def _present(value: Found | None, what: str) -> Found:
    """``value``, which the demo loader's earlier steps made; a clear stop if they did not."""
    if value is None:
        raise click.ClickException(f"The demo {what} is missing: run `flask demo load` again.")
    return value


def _demo_account(email: str) -> User:
    return _present(services.user_by_email(email), f"account {email}")


def load_demo_accounts() -> int:
    """Create the demo accounts that are missing; returns how many were created.

    Existing accounts are left exactly as they are (idempotent, loses nothing).
    """
    created = 0
    for email, name, roles, language, manager in DEMO_ACCOUNTS:
        if services.user_by_email(email) is not None:
            continue
        user = services.create_user(email, name, roles=roles, team=DEMO_TEAM,
                                    manager_email=manager, locale=language, actor_label="demo")
        # Demo-only exception (docs/decisions.md): the README's demo password is too
        # common for services.check_new_password, so it is stored without that check.
        user.password_hash = services.hash_password(DEMO_PASSWORD)
        created += 1
    return created


@demo_cli.command("load")
def load():
    """Create the demo accounts and sample content (safe to run again)."""
    created = load_demo_accounts()
    report = sync_courses(default_courses_dir())
    if not report.ok:
        db.session.rollback()
        for problem in report.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("The sample courses have problems; nothing was loaded.")
    banks = load_sample_banks()
    rubrics = load_sample_rubrics()
    exam = load_demo_exam()
    evaluations = load_demo_evaluations()
    period = load_demo_period()
    training = load_demo_training()
    complaint = load_demo_suggestion()
    notices = sum(kinds.run_due(utcnow()).values())  # what cron's `notifications due` tells
    db.session.commit()
    click.echo(f"Demo accounts: {created} created, {len(DEMO_ACCOUNTS) - created} already there "
               f"(password: {DEMO_PASSWORD}).")
    changed = [str(change) for change in report.courses if change.status != "unchanged"]
    click.echo(f"Sample courses: {len(report.courses)} ({len(changed)} added or changed).")
    changed = [change for change in banks if change.status != "unchanged"]
    click.echo(f"Sample question banks: {len(banks)} ({len(changed)} added or changed).")
    changed = [change for change in rubrics.changes if change.status != "unchanged"]
    click.echo(f"Sample rubrics: {len(rubrics.changes)} ({len(changed)} added or changed).")
    click.echo(f"Demo exam: {exam}.")
    click.echo(f"Demo evaluations: {evaluations}.")
    click.echo(f"Demo assessment period: {period}.")
    click.echo(f"Demo training plan: {training}.")
    click.echo(f"Demo suggestion: {complaint}.")
    click.echo(f"Time-based notices: {notices} created.")


DEMO_SUGGESTION_TITLE = "More hands-on labs before the quarterly exam"


def load_demo_suggestion() -> str:
    """A signed suggestion from the learner, so the supervision group has a notice."""
    if db.session.execute(sa.select(Complaint.id).where(
            Complaint.title == DEMO_SUGGESTION_TITLE)).first():
        return "already there"
    complaints.file(_demo_account("learner@example.com"), kind="suggestion", topic="training",
                    title=DEMO_SUGGESTION_TITLE,
                    body="Two lab afternoons with the **DataHub** sandbox would help.")
    return "filed"


DEMO_EXAM_TITLE = "Quarterly knowledge check (demo)"


def load_demo_exam() -> str:
    """A published exam drawing from the sample banks, open for 30 days (created once)."""
    existing = db.session.execute(sa.select(Exam).where(
        Exam.title == DEMO_EXAM_TITLE)).scalar_one_or_none()
    if existing is not None:
        return "already there"
    banks = db.session.execute(sa.select(QuestionBank).order_by(QuestionBank.bank_id)
                               .limit(3)).scalars().all()
    if not banks:
        return "no banks to draw from"
    now = utcnow()
    exam = Exam(title=DEMO_EXAM_TITLE, opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=30), time_limit_minutes=30,
                published_at=now, shuffle_questions=True, shuffle_options=True,
                review_when="after_submit", review_correctness=True, review_answers=True,
                review_explanations=True, instructions="Answer every question; your answers "
                "save as you go. 作答会自动保存。")
    exam.instructions_html = render_markdown(exam.instructions).html
    for position, bank in enumerate(banks, start=1):
        available = db.session.execute(sa.select(sa.func.count()).select_from(Question).where(
            Question.bank_pk == bank.id, Question.retired_at.is_(None))).scalar_one()
        exam.rules.append(ExamRule(position=position, kind="random", bank_pk=bank.id,
                                   title=bank.title, count=min(4, available)))
    db.session.add(exam)
    db.session.flush()
    return "created"


def default_banks_dir() -> Path:
    configured = current_app.config.get("BANKS_DIR")
    return Path(configured) if configured else Path(current_app.root_path).parent / "question_banks"


def load_sample_banks():
    """Import the Markdown banks of question_banks/ (rubrics live in their own folder)."""
    files = [(str(p), p.read_bytes()) for p in sorted(default_banks_dir().glob("*.md"))]
    banks, issues = read_files(files)
    if errors_only(issues):
        db.session.rollback()
        for issue in issues:
            click.echo(str(issue), err=True)
        raise click.ClickException("The sample question banks have errors; nothing was loaded.")
    return import_banks(banks, actor_label="demo")


def default_rubrics_dir() -> Path:
    return default_banks_dir() / "rubrics"


def load_sample_rubrics():
    """Import the rubrics of question_banks/rubrics/ (none when the folder is missing)."""
    folder = default_rubrics_dir()
    rubrics, issues = check_rubrics([folder]) if folder.is_dir() else ([], [])
    if errors_only(issues):
        db.session.rollback()
        for issue in issues:
            click.echo(str(issue), err=True)
        raise click.ClickException("The sample rubrics have errors; nothing was loaded.")
    try:
        return import_rubrics(rubrics, actor_label="demo")
    except ImportRefused as refused:
        db.session.rollback()
        for message in refused.messages:
            click.echo(message, err=True)
        raise click.ClickException("The sample rubrics cannot be imported; nothing was "
                                   "loaded.") from None


DEMO_INTERVIEW = ("Interview for the senior presales role: design a data platform for a "
                  "regional bank.")
DEMO_DEMONSTRATION = ("Demonstrate **Skyline DataHub** to the IT director of a city commercial "
                      "bank: connect a core-banking source, show lineage and access control.")


def load_demo_evaluations() -> str:
    """A released interview of the demo learner, and a demonstration still to score (once)."""
    learner = _demo_account("learner@example.com")
    exists = db.session.execute(sa.select(Evaluation.id).where(
        Evaluation.subject_id == learner.id).limit(1)).first()
    interview, demo = rubric_by_id("interview"), rubric_by_id("product-demo")
    if exists is not None:
        return "already there"
    if interview is None or demo is None:
        return "no sample rubrics"
    people = {u.email.split("@")[0]: u for u in db.session.execute(sa.select(User).where(
        User.email.in_([a[0] for a in DEMO_ACCOUNTS]))).scalars()}
    now = utcnow()
    done = evaluations.schedule(evaluations.Schedule(
        subject=learner, scenario=DEMO_INTERVIEW,
        rubric_version=_present(current_version(interview.id), "interview rubric"),
        scheduled_at=now - timedelta(days=14), place="Shanghai office, room 5",
        due_at=now - timedelta(days=10), reviewers=[people["reviewer"], people["trainer"]],
        evidence_links=[], show_reviewer_names=False), people["manager"])
    scores = {"reviewer": ({"product-knowledge": 4, "solution-design": 3, "communication": 4,
                            "learning": 5}, "条理清晰，方案设计可以更多考虑数据出境限制。"),
              "trainer": ({"product-knowledge": 4, "solution-design": 4, "communication": 3,
                           "learning": 4}, "Strong on architecture; keep answers shorter.")}
    for name, (levels, comment) in scores.items():
        review = _present(evaluations.current_review_of(done, people[name]), "review")
        evaluations.save_scores(review, levels, {}, comment, submit=True, now=now)
    evaluations.release(done, people["manager"], now=now)
    evaluations.schedule(evaluations.Schedule(
        subject=learner, scenario=DEMO_DEMONSTRATION,
        rubric_version=_present(current_version(demo.id), "demonstration rubric"),
        scheduled_at=now + timedelta(days=3), place="Online (video call)",
        due_at=now + timedelta(days=5), reviewers=[people["reviewer"], people["manager"]],
        evidence_links=[], show_reviewer_names=True), people["trainer"])
    return "created"


def load_demo_period() -> str:
    """This quarter as an open assessment period counting the demo exam (created once)."""
    today = utcnow().date()
    first_month = 3 * ((today.month - 1) // 3) + 1
    name = f"{today.year} Q{(first_month + 2) // 3}"
    if db.session.execute(sa.select(AssessmentPeriod.id).where(
            AssessmentPeriod.name == name)).first() is not None:
        return "already there"
    starts = date(today.year, first_month, 1)
    ends = (date(today.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
            - timedelta(days=1))
    exam = db.session.execute(sa.select(Exam.id).where(Exam.title == DEMO_EXAM_TITLE)).scalar()
    period = assessments.create_period(assessments.Plan(
        name=name, cadence="quarterly", starts_on=starts, ends_on=ends,
        exam_ids=[exam] if exam else [],
        description="- **Written exam**: the quarterly knowledge check, any time in the "
                    "quarter.\n- **Demonstration and interview**: scheduled by your "
                    "manager.\n- **Work performance**: project reviews, success rate and "
                    "customer satisfaction.\n- **Professionalism**: rated by your manager."),
        _demo_account("manager@example.com"))
    period.state = PeriodState.OPEN
    return f"{name} created and open"


def load_demo_training() -> str:
    """This year's plan with needs, a delivered session with attendance, an online course
    and an external seminar (created once)."""
    today = local_today()
    if db.session.execute(sa.select(PlanItem.id).where(PlanItem.year == today.year)).first():
        return "already there"
    trainer = _demo_account("trainer@example.com")
    learner = _demo_account("learner@example.com")
    reviewer = _demo_account("reviewer@example.com")
    manager = _demo_account("manager@example.com")

    def on(days: int) -> date:  # a day of this year, near today
        return min(max(today + timedelta(days=days), date(today.year, 1, 1)),
                   date(today.year, 12, 31))

    def need(author, topic, area, reason, urgency="normal", for_team=False):
        return training.submit_need(author, training.NeedInput(
            year=today.year, area=area, topic=topic, reason=reason, urgency=urgency,
            details="", for_team=for_team))

    competitors = need(learner, "竞品对比：怎样回答客户的比较问题", "industry", "customer", "high")
    need(reviewer, "Storytelling in product demonstrations", "demonstration", "business")
    need(manager, "Kubernetes basics for the whole team", "technical", "technology",
         for_team=True)
    briefing = training.create_item(training.ItemInput(
        title="Competitor briefing 竞品分析", area="industry", delivery="internal",
        starts_on=on(-7), ends_on=on(-7), provider="Zhang Min 张敏", location="Room 3 / 三号会议室",
        description="How our products compare, and **how to answer** the questions customers "
                    "ask about competitors."), AudienceChoice(), trainer, [competitors])
    training.record_attendance(briefing, {learner.id: "attended", reviewer.id: "excused"},
                               trainer, {reviewer.id: "At a customer site"})
    training.set_status(briefing, "delivered", trainer)
    course = db.session.execute(sa.select(Course).where(
        Course.slug == "skyline-datahub-essentials")).scalar()
    if course is not None:
        training.create_item(training.ItemInput(
            title="Skyline DataHub essentials (online)", area=course.area, delivery="online",
            starts_on=on(-30), ends_on=on(30), course_id=course.id), AudienceChoice(), trainer)
    training.create_item(training.ItemInput(
        title="Cloud Expo seminar", area="technical", delivery="external", starts_on=on(14),
        ends_on=on(15), provider="Cloud Expo Shanghai"),
        AudienceChoice("people", (), (learner.email,)), trainer)
    training.create_item(training.ItemInput(
        title="Practice: pilot project with a bank", area="project-management",
        delivery="practice", starts_on=on(20), ends_on=on(35), provider="Chen Jie 陈杰"),
        AudienceChoice(), trainer)
    return f"{today.year} plan created"
