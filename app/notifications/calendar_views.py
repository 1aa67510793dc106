"""The calendar (blueprint ``calendar``): the private feed, its address on the settings
page (create, reset), and single events as ``.ics`` downloads.

The feed is the one page reached without signing in: its token is the key. An unknown,
old or malformed token is a plain 404 that says nothing about which part was wrong.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import public
from app.downloads import attachment
from app.exams.models import Exam
from app.extensions import db
from app.notifications import calendar
from app.training.models import PlanItem

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

CALENDAR_TYPE = "text/calendar"


@bp.app_context_processor
def calendar_context() -> dict:
    def calendar_feed_url() -> str | None:
        """The signed-in person's feed address, or None while they have none (read only)."""
        if not current_user.is_authenticated:
            return None
        feed = calendar.feed_of(current_user)
        return calendar.feed_url(feed) if feed is not None else None
    return {"calendar_feed_url": calendar_feed_url}


@bp.route("/<token>.ics")
@public
def feed(token: str):
    """The person's feed, found by its token alone (no session is needed or used)."""
    owner = calendar.owner_of(token)
    if owner is None:
        abort(404)
    response = Response(calendar.feed_for(owner), mimetype=CALENDAR_TYPE)
    response.headers["Cache-Control"] = "no-store"  # the address is a secret; so is this
    return response


def _to_settings():
    return redirect(url_for("notifications.settings") + "#calendar")


@bp.post("/address")
def create_address():
    """Make the person's address (a second click keeps the first one)."""
    calendar.create_feed(current_user)
    flash(_("Your calendar address is ready: add it to your calendar."), "success")
    return _to_settings()


@bp.post("/address/reset")
def reset_address():
    """A new address; the old one stops working at once."""
    calendar.reset_feed(current_user)
    flash(_("Your calendar has a new address; the old one no longer works. "
            "Subscribe again with the new one."), "success")
    return _to_settings()


@bp.route("/exam/<int:exam_id>.ics")
def exam_event(exam_id: int):
    """The exam's window, for whoever may open its start page (the same check)."""
    exam = db.session.get(Exam, exam_id)
    if exam is None or not calendar.exam_open_to(exam, current_user):
        abort(404)
    return attachment(calendar.single(calendar.exam_entry(exam)), f"exam-{exam.id}.ics",
                      CALENDAR_TYPE)


@bp.route("/training/<int:item_id>.ics")
def training_event(item_id: int):
    """A plan item's days: its page is open to everyone signed in, so is this."""
    item = db.session.get(PlanItem, item_id)
    if item is None:
        abort(404)
    return attachment(calendar.single(calendar.training_entry(item)),
                      f"training-{item.id}.ics", CALENDAR_TYPE)

