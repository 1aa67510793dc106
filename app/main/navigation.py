"""The navigation bar: one list, filtered by what the person may do."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.auth.permissions import Permission, can


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string, translated at render time
    permission: Permission | None = None
    description: object = ""


NAV_ITEMS: list[NavItem] = [
    NavItem("main.home", _l("Home")),
    NavItem("exams.my_exams", _l("My exams"), None,
            _l("Timed written exams: open, upcoming and past, with your results.")),
    NavItem("courses.catalogue", _l("Courses"), None,
            _l("Self-study courses on products, industry, technology, skills and qualities.")),
    NavItem("courses.my_learning", _l("My learning"), None,
            _l("Courses you have started and completed, with your progress.")),
    NavItem("training.plan", _l("Training plan"), None,
            _l("The year's courses, seminars and practice; submit your training needs.")),
    NavItem("evaluations.index", _l("Evaluations"), None,
            _l("Demonstrations, interviews and project reviews: what you review, what is "
               "about you.")),
    NavItem("assessments.index", _l("Assessments"), None,
            _l("Periodic assessment records: the plan, your results and feedback; your "
               "team's records.")),
    NavItem("complaints.index", _l("Complaints"), None,
            _l("Complaints and suggestions about training and assessment, and their "
               "answers.")),
    NavItem("exam_admin.index", _l("Exams"), Permission.MANAGE_EXAMS,
            _l("Build and publish exams from the question banks; accommodations.")),
    NavItem("exam_results.index", _l("Results"), Permission.MANAGE_EXAMS,
            _l("Mark essays, regrade after a key correction, results, statistics, exports.")),
    NavItem("banks.index", _l("Question banks"), Permission.MANAGE_BANKS,
            _l("Questions for exams: browse, check versions, import Markdown, GIFT or Aiken.")),
    NavItem("courses.stats_index", _l("Course statistics"), Permission.VIEW_COURSE_STATS,
            _l("Who started and completed each course, ratings, comments and drop-off.")),
    NavItem("admin.users", _l("People"), Permission.MANAGE_USERS,
            _l("Create and edit accounts, roles, teams and managers; import HR lists.")),
    NavItem("oversight.supervision", _l("Supervision"), Permission.SUPERVISE,
            _l("Assessment progress, results by team and manager, late evaluations, "
               "reviewer consistency, complaints by age.")),
    NavItem("oversight.audit_log", _l("Audit log"), Permission.READ_AUDIT,
            _l("Every recorded change: who, when, what, before and after.")),
]


def items_for(user) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.permission is None or can(user, item.permission)]
