"""Names of the assessment vocabulary, translated at display time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
PERIOD_STATE_LABELS = {
    "planning": _l("Planning"), "open": _l("Under way"), "scoring": _l("Being scored"),
    "published": _l("Published"), "closed": _l("Closed"),
}
RECORD_STATE_LABELS = {
    "draft": _l("Draft"), "published": _l("Published"), "acknowledged": _l("Acknowledged"),
    "disputed": _l("Disagreement recorded"),
}
PAY_LABELS = {"raise": _l("Raise"), "keep": _l("Keep"), "review": _l("Review")}
