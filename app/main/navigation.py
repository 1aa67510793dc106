"""The navigation bar: one list, filtered by what the person may do.

The header shows the list in a few groups (``NAV_GROUPS``), each a dropdown menu;
the home page shows the same list as cards.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.permissions import Permission, can


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string, translated at render time
    permission: Permission | None = None
    description: object = ""
    group: str = ""  # a key of NAV_GROUPS; "" for an entry of its own in the header


# The header's groups, in their order; the labels name what the entries are for.
NAV_GROUPS: dict[str, object] = {
    "learning": _l("Learning"),
    "assessment": _l("Assessment"),
    "teaching": _l("Teaching"),
    "oversight": _l("Oversight"),
}


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: object
    items: tuple[NavItem, ...]

    def holds(self, endpoint: str | None) -> bool:
        return any(item.endpoint == endpoint for item in self.items)


NAV_ITEMS: list[NavItem] = [
    NavItem("main.home", _l("Home")),
    NavItem("exams.my_exams", _l("My exams"), None,
            _l("Timed written exams: open, upcoming and past, with your results."),
            group="learning"),
    NavItem("courses.catalogue", _l("Courses"), None,
            _l("Self-study courses on products, industry, technology, skills and qualities."),
            group="learning"),
    NavItem("courses.my_learning", _l("My learning"), None,
            _l("Courses you have started and completed, with your progress."),
            group="learning"),
    NavItem("training.plan", _l("Training plan"), None,
            _l("The year's courses, seminars and practice; submit your training needs."),
            group="learning"),
    NavItem("evaluations.index", _l("Evaluations"), None,
            _l("Demonstrations, interviews and project reviews: what you review, what is "
               "about you."),
            group="assessment"),
    NavItem("assessments.index", _l("Assessments"), None,
            _l("Periodic assessment records: the plan, your results and feedback; your "
               "team's records."),
            group="assessment"),
    NavItem("complaints.index", _l("Complaints"), None,
            _l("Complaints and suggestions about training and assessment, and their "
               "answers."),
            group="assessment"),
    NavItem("exam_admin.index", _l("Exams"), Permission.MANAGE_EXAMS,
            _l("Build and publish exams from the question banks; accommodations."),
            group="teaching"),
    NavItem("exam_results.index", _l("Results"), Permission.MANAGE_EXAMS,
            _l("Mark essays, regrade after a key correction, results, statistics, exports."),
            group="teaching"),
    NavItem("banks.index", _l("Question banks"), Permission.MANAGE_BANKS,
            _l("Questions for exams: browse, check versions, import Markdown, GIFT or Aiken."),
            group="teaching"),
    NavItem("courses.stats_index", _l("Course statistics"), Permission.VIEW_COURSE_STATS,
            _l("Who started and completed each course, ratings, comments and drop-off."),
            group="teaching"),
    NavItem("admin.users", _l("People"), Permission.MANAGE_USERS,
            _l("Create and edit accounts, roles, teams and managers; import HR lists."),
            group="oversight"),
    NavItem("oversight.supervision", _l("Supervision"), Permission.SUPERVISE,
            _l("Assessment progress, results by team and manager, late evaluations, "
               "reviewer consistency, complaints by age."),
            group="oversight"),
    NavItem("oversight.audit_log", _l("Audit log"), Permission.READ_AUDIT,
            _l("Every recorded change: who, when, what, before and after."),
            group="oversight"),
]


def items_for(user) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.permission is None or can(user, item.permission)]


def header_for(user) -> list[NavItem | NavGroup]:
    """The header's entries in the order of NAV_ITEMS: items without a group, and each
    group holding the items the person may use (a group with none is left out)."""
    items = items_for(user)
    entries: list[NavItem | NavGroup] = []
    for item in items:
        if not item.group:
            entries.append(item)
        elif not any(isinstance(e, NavGroup) and e.key == item.group for e in entries):
            members = tuple(other for other in items if other.group == item.group)
            entries.append(NavGroup(item.group, NAV_GROUPS[item.group], members))
    return entries


def navigation_context() -> dict:
    """What every page's header needs (a context processor of the main blueprint)."""
    return {"nav_items": lambda: items_for(current_user),
            "nav_header": lambda: header_for(current_user)}
