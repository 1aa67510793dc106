"""Names of the assessment vocabulary, translated at display time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.assessments.states import ChangeState, PeriodState, RecordState

INDICATOR_LABELS = {
    "knowledge": _l("Professional knowledge"),
    "capability": _l("Business capability"),
    "performance": _l("Work performance"),
    "professionalism": _l("Professionalism"),
}
BAND_LABELS = {
    "excellent": _l("Excellent"), "good": _l("Good"), "qualified": _l("Qualified"),
    "unqualified": _l("Unqualified"),
}
PART_LABELS = {
    "project_reviews": _l("Project reviews"),
    "success_rate": _l("Project success rate"),
    "satisfaction": _l("Customer satisfaction"),
}
CADENCE_LABELS = {"quarterly": _l("Quarterly"), "monthly": _l("Monthly")}
COMBINE_LABELS = {"mean": _l("The mean of the exams"), "best": _l("The best exam"),
                  "latest": _l("The latest exam")}
# Keyed by the state members, which are equal to (and hash as) their stored strings.
PERIOD_STATE_LABELS = {
    PeriodState.PLANNING: _l("Planning"), PeriodState.OPEN: _l("Under way"),
    PeriodState.SCORING: _l("Being scored"), PeriodState.PUBLISHED: _l("Published"),
    PeriodState.CLOSED: _l("Closed"),
}
RECORD_STATE_LABELS = {
    RecordState.DRAFT: _l("Draft"), RecordState.PUBLISHED: _l("Published"),
    RecordState.ACKNOWLEDGED: _l("Acknowledged"),
    RecordState.DISPUTED: _l("Disagreement recorded"),
}
CHANGE_STATE_LABELS = {
    ChangeState.PENDING: _l("waiting for approval"), ChangeState.APPROVED: _l("approved"),
    ChangeState.REJECTED: _l("rejected"),
}
PAY_LABELS = {"raise": _l("Raise"), "keep": _l("Keep"), "review": _l("Review")}
