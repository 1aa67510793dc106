"""Each person's private calendar feed, and single events as ``.ics`` files.

The feed's address carries a token: the person's id and an HMAC (the app's secret key)
of the id and their :class:`~app.notifications.models.CalendarFeed` row's random nonce.
A copy of the database alone does not give anyone's address; a reset (a new nonce) ends
the old one. The feed holds the person's exam windows, the training items planned for
them, their assessment interviews, the due dates of the reviews they owe and of their
improvement-plan items; times in UTC, the display time zone named, words in the person's
language. Functions flush; the request commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from app.assessments.models import AssessmentRecord, ImprovementItem, Interview
from app.assessments.states import RecordState
from app.auth.models import User
from app.auth.permissions import Permission, can
from app.database import utcnow
from app.evaluations.models import Evaluation, Review
from app.evaluations.states import OWED_REVIEW_STATES, EvaluationState
from app.exams import attempts as exam_attempts
from app.exams.models import Exam
from app.extensions import db
from app.notifications.models import CalendarFeed
from app.templating import display_datetime
from app.training import audiences
from app.training.models import PlanItem
from app.training.states import ItemStatus

UID_DOMAIN = "presales-academy"
PRODID = "-//Presales Academy//Calendar//EN"
DIGEST_CHARS = 40
# The feed leaves out what ended longer ago than this: it stays small however long the
# person has been here, and calendars keep what they already showed.
PAST_DAYS = 90


# -- the token --------------------------------------------------------------------------


def _digest(user_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{user_id}:{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:DIGEST_CHARS]


def token_of(feed: CalendarFeed) -> str:
    return f"{feed.user_id}-{_digest(feed.user_id, feed.nonce)}"


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.get(CalendarFeed, user.id)


def create_feed(user: User) -> CalendarFeed:
    """The person's feed, made now when they have none (an existing one is kept)."""
    feed = feed_of(user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, nonce=secrets.token_hex(32))
        db.session.add(feed)
        db.session.flush()
    return feed


def reset_feed(user: User) -> CalendarFeed:
    """A new address: a new nonce, so the old token no longer matches."""
    feed = feed_of(user)
    if feed is None:
        return create_feed(user)
    feed.nonce = secrets.token_hex(32)
    feed.created_at = utcnow()
    db.session.flush()
    return feed


def owner_of(token: str) -> User | None:
    """The active person whose current token this is, else None (no hint which part failed)."""
    user_part, _sep, digest = token.partition("-")
    if not user_part.isdigit() or len(user_part) > 10 or len(digest) != DIGEST_CHARS:
        return None
    user_id = int(user_part)
    feed = db.session.get(CalendarFeed, user_id) if user_id < 2**31 else None
    expected = _digest(user_id, feed.nonce if feed is not None else "-")
    if not hmac.compare_digest(expected, digest) or feed is None:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


def feed_url(feed: CalendarFeed) -> str:
    """The absolute address to subscribe to (PUBLIC_URL, as in e-mails)."""
    return absolute(url_for("calendar.feed", token=token_of(feed)))


def absolute(path: str) -> str:
    return current_app.config["PUBLIC_URL"] + path


# -- events -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One event: timed (aware datetimes, written in UTC) or whole days (dates; ``end``
    is the day after the last, as iCalendar counts)."""

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date
    path: str
    description: str = ""
    location: str = ""
    cancelled: bool = False


def _zone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _day(moment: datetime) -> date:
    """The day of a moment in the display time zone (where people's days begin)."""
    return moment.astimezone(ZoneInfo(_zone())).date()


def exam_open_to(exam: Exam | None, user: User) -> bool:
    """The exam start page's rule (exams.start_page): published, and the person in its
    audience. The feed and the single download both follow it."""
    return exam is not None and exam.published_at is not None \
        and exam_attempts.in_audience(exam, user)


def exam_entry(exam: Exam) -> Entry:
    return Entry(uid=f"exam-{exam.id}@{UID_DOMAIN}",
                 summary=_("Exam: %(title)s", title=exam.title),
                 start=exam.opens_at, end=exam.closes_at,
                 path=url_for("exams.start_page", exam_id=exam.id),
                 description=_("Open from %(opens)s to %(closes)s (%(zone)s); time limit "
                               "%(n)d min.", opens=display_datetime(exam.opens_at),
                               closes=display_datetime(exam.closes_at), zone=_zone(),
                               n=exam.time_limit_minutes))


def training_entry(item: PlanItem) -> Entry:
    return Entry(uid=f"training-{item.id}@{UID_DOMAIN}",
                 summary=_("Training: %(title)s", title=item.title),
                 start=item.starts_on, end=item.ends_on + timedelta(days=1),
                 path=url_for("training.item", item_id=item.id),
                 description=_("Trainer or provider: %(name)s", name=item.provider)
                 if item.provider else "", location=item.location,
                 cancelled=item.status == ItemStatus.CANCELLED)


def _exams(user: User, since: datetime) -> list[Entry]:
    exams = db.session.execute(sa.select(Exam).where(
        Exam.published_at.is_not(None), Exam.closes_at >= since)
        .order_by(Exam.opens_at, Exam.id)).scalars()
    return [exam_entry(exam) for exam in exams if exam_open_to(exam, user)]


def _training(user: User, since: datetime) -> list[Entry]:
    items = list(db.session.execute(sa.select(PlanItem).where(
        PlanItem.status != ItemStatus.CANCELLED, PlanItem.ends_on >= _day(since))
        .order_by(PlanItem.starts_on, PlanItem.id)).scalars())
    mine = audiences.meant_for(items, user)
    return [training_entry(item) for item in items if item.id in mine]


def _record_path(record: AssessmentRecord) -> str:
    return url_for("assessments.record", period_id=record.period_id,
                   person_id=record.person_id)


def _interviews(user: User, since: datetime) -> list[Entry]:
    """The person's own interviews (their record published) and the ones they hold."""
    rows = db.session.execute(sa.select(Interview, AssessmentRecord).join(
        AssessmentRecord, AssessmentRecord.id == Interview.record_id).where(
        sa.or_(AssessmentRecord.person_id == user.id, Interview.recorded_by_id == user.id),
        Interview.held_on >= _day(since)).order_by(Interview.held_on, Interview.id)).all()
    entries = []
    for interview, record in rows:
        if not can(user, Permission.VIEW_RECORD, record):
            continue
        summary = (_("Assessment interview (%(period)s)", period=record.period.name)
                   if record.person_id == user.id else
                   _("Assessment interview with %(name)s (%(period)s)",
                     name=record.person.display_name, period=record.period.name))
        entries.append(Entry(uid=f"interview-{interview.id}@{UID_DOMAIN}", summary=summary,
                             start=interview.held_on,
                             end=interview.held_on + timedelta(days=1),
                             path=_record_path(record)))
    return entries


def _reviews_due(user: User, since: datetime) -> list[Entry]:
    """The due date of each evaluation whose current scorecard the person still owes."""
    evaluations = db.session.execute(sa.select(Evaluation).where(
        Evaluation.state != EvaluationState.RELEASED, Evaluation.due_at >= since,
        sa.exists().where(Review.evaluation_id == Evaluation.id, Review.reviewer_id == user.id,
                          Review.state.in_(list(OWED_REVIEW_STATES))))
        .order_by(Evaluation.due_at, Evaluation.id)).unique().scalars()
    return [Entry(uid=f"evaluation-{evaluation.id}-due@{UID_DOMAIN}",
                  summary=_("Scorecard due: %(name)s", name=evaluation.subject.display_name),
                  start=_day(evaluation.due_at),
                  end=_day(evaluation.due_at) + timedelta(days=1),
                  path=url_for("evaluations.show", evaluation_id=evaluation.id),
                  description=_("Due %(when)s (%(zone)s).",
                                when=display_datetime(evaluation.due_at), zone=_zone()))
            for evaluation in evaluations]


def _improvements_due(user: User, since: datetime) -> list[Entry]:
    """The person's improvement-plan items not done yet (their record is published)."""
    rows = db.session.execute(sa.select(ImprovementItem, AssessmentRecord).join(
        AssessmentRecord, AssessmentRecord.id == ImprovementItem.record_id).where(
        AssessmentRecord.person_id == user.id, AssessmentRecord.state != RecordState.DRAFT,
        ImprovementItem.done_at.is_(None), ImprovementItem.due_on >= _day(since))
        .order_by(ImprovementItem.due_on, ImprovementItem.id)).all()
    return [Entry(uid=f"improvement-{item.id}@{UID_DOMAIN}",
                  summary=_("Improvement plan due: %(goal)s", goal=item.goal),
                  start=item.due_on, end=item.due_on + timedelta(days=1),
                  path=_record_path(record), description=item.action)
            for item, record in rows]


SOURCES: tuple[Callable[[User, datetime], list[Entry]], ...] = (
    _exams, _training, _interviews, _reviews_due, _improvements_due)


def entries_for(user: User, now: datetime | None = None) -> list[Entry]:
    """Everything the person's feed shows, in the current locale."""
    since = (now or utcnow()) - timedelta(days=PAST_DAYS)
    return [entry for source in SOURCES for entry in source(user, since)]


# -- iCalendar --------------------------------------------------------------------------


def _utc(value: datetime | date) -> datetime | date:
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _event(entry: Entry, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", _utc(entry.start))  # a date is written as VALUE=DATE
    event.add("dtend", _utc(entry.end))
    event.add("summary", entry.summary)
    url = absolute(entry.path)
    event.add("url", url)
    event.add("description", f"{entry.description}\n{url}" if entry.description else url)
    if entry.location:
        event.add("location", entry.location)
    if entry.cancelled:
        event.add("status", "CANCELLED")
    return event


def calendar_of(entries: Iterable[Entry], name: str) -> bytes:
    """The iCalendar text of ``entries``; times in UTC, the display time zone named."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", _zone())
    stamp = utcnow().astimezone(UTC).replace(microsecond=0)
    for entry in entries:
        calendar.add_component(_event(entry, stamp))
    return calendar.to_ical()


def feed_for(user: User) -> bytes:
    """The person's whole feed, in their language."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return calendar_of(entries_for(user),
                           _("Presales Academy: %(name)s", name=user.display_name))


def single(entry: Entry) -> bytes:
    """One event as a file to import (in the reader's language)."""
    return calendar_of([entry], entry.summary)

