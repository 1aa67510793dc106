"""The notification centre (blueprint ``notifications``): the list, opening a notice
(marked read, then its page), marking all read, and the person's e-mail choices.

The header's unread count comes from this blueprint's context processor.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.notifications import kinds as registry
from app.notifications import services
from app.notifications.forms import AUDIENCE_LABELS, preferences_form
from app.notifications.words import describe

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def unread_context() -> dict:
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(current_user)
    return {"unread_notifications": unread_notifications}


@bp.route("/")
def index():
    page = services.page_for(current_user, request.args.get("page", 1, type=int),
                             current_app.config["NOTIFICATIONS_PAGE_SIZE"])
    return render_template("notifications/index.html", page=page,
                           entries=[describe(n, current_user) for n in page.items],
                           unread=services.unread_count(current_user))


@bp.post("/<int:notification_id>/open")
def open_notice(notification_id: int):
    """Mark the notice read and go to its page (the list, if the reader may not open it)."""
    found = services.own_notification(current_user, notification_id)
    if found is None:
        abort(404)
    services.mark_read(found)
    link = describe(found, current_user).link
    if link is None:
        flash(_("That page is not open to you now; the notice is marked read."), "info")
        return redirect(url_for("notifications.index"))
    return redirect(link)


@bp.post("/read-all")
def read_all():
    count = services.mark_all_read(current_user)
    flash(ngettext("%(num)d notice marked read.", "%(num)d notices marked read.", count)
          if count else _("Nothing was unread."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The person's choice per kind: e-mail at once, in a daily digest, or not at all."""
    registry.load()
    form, rows = preferences_form(current_user)
    if form.validate_on_submit():
        services.set_preferences(current_user, form.choices())
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form, rows=rows,
                           audience_labels=AUDIENCE_LABELS,
                           mail_enabled=services.mail_enabled())
