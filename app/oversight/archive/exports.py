"""Everyone's archive for one assessment period as CSV or Excel (§4.3), for the supervision
group to file: one row per archive entry dated within the period, for every active person."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import to_user_timezone

from app.assessments.models import AssessmentPeriod
from app.auth.models import User
from app.exams.exports import table_csv, table_xlsx
from app.oversight.archive import entries as archive
from app.oversight.archive.labels import kind_label, status_label


def _headers() -> list[str]:
    return [_("Person"), _("Email"), _("Team"), _("Date"), _("What"), _("Title"),
            _("Result or state"), _("Detail")]


def period_rows(period: AssessmentPeriod) -> list[list]:
    """By person name, each person's entries newest first; the date in the display time
    zone, as the archive page shows it."""
    found = archive.entries_for(sa.select(User.id).where(User.active),
                                period.starts_on, period.ends_on)
    return [[person.display_name, person.email, person.team.name if person.team else "",
             to_user_timezone(entry.when).date(), kind_label(entry.kind), entry.title,
             status_label(entry.status) if entry.status else "", entry.detail]
            for person in archive.active_people() for entry in found.get(person.id, ())]


def period_csv(period: AssessmentPeriod) -> bytes:
    return table_csv(_headers(), period_rows(period))


def period_xlsx(period: AssessmentPeriod) -> bytes:
    return table_xlsx(period.name, _headers(), period_rows(period))
