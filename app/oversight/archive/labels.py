"""The archive's words for entry kinds and states (§4.3), shared by the page, the PDF and
the spreadsheets so all three say the same thing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.assessments.labels import BAND_LABELS
from app.complaints.forms import STATE_LABELS as COMPLAINT_STATE_LABELS
from app.training.forms import DELIVERY_LABELS

KIND_LABELS = {
    "course": _l("Course completed"), "session": _l("Training attended"),
    "certificate": _l("Certificate or report"), "attempt": _l("Exam"),
    "evaluation": _l("Evaluation"),
    "record": _l("Assessment record"), "interview": _l("Performance interview"),
    "plan": _l("Improvement plan item"), "feedback": _l("Course feedback"),
    "complaint": _l("Complaint"), "suggestion": _l("Suggestion"),
}
STATUS_LABELS = {
    **BAND_LABELS,
    "incomplete": _l("Incomplete"), "done": _l("Done"), "due": _l("Due"),
    **COMPLAINT_STATE_LABELS,
    "submitted": _l("Submitted"), "expired": _l("Expired"),
    "awaiting_marking": _l("Awaiting marking"),
    **DELIVERY_LABELS,
}


def kind_label(kind: str) -> str:
    """The kind's name in the current language; an unknown kind shows its key."""
    return str(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    """A state or band in the current language; an unknown one shows its key."""
    return str(STATUS_LABELS.get(status, status))


def result_text(status: str, detail: str) -> str:
    """The "Result or state" cell: the state, then the figure or text, as the page shows."""
    return " ".join(part for part in (status_label(status) if status else "", detail) if part)
