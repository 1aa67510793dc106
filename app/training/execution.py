"""Plan execution for a year (§2.2, §4.1): planned against delivered items, attendance
rates of sessions, and completion of online items.

Definitions (docs/training.md): an item counts as *planned* unless cancelled;
*delivered* when its status says so. A session's attendance rate is attended ÷
(attended + absent): an excused person is not expected. An online item's completion
rate is the share of the people it is for who have completed its course (whenever
they did). Figures are counted in a few grouped queries, whatever the plan's size.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.auth.models import User
from app.courses.models import CourseProgress
from app.extensions import db
from app.training.models import DELIVERIES, Attendance, ItemStatus, PlanAudience, PlanItem


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class ItemFigures:
    item: PlanItem
    audience: int = 0            # active people it is for
    marks: Counter = field(default_factory=Counter)  # attended/absent/excused -> count
    completed: int = 0           # online: people in the audience who completed the course

    @property
    def attendance_rate(self) -> float | None:
        return rate(self.marks["attended"], self.marks["attended"] + self.marks["absent"])

    @property
    def completion_rate(self) -> float | None:
        return rate(self.completed, self.audience)


@dataclass
class DeliveryFigures:
    delivery: str
    planned: int = 0     # not cancelled
    delivered: int = 0
    cancelled: int = 0


@dataclass
class Execution:
    year: int
    items: list[ItemFigures]
    by_delivery: list[DeliveryFigures]

    @property
    def planned(self) -> int:
        return sum(d.planned for d in self.by_delivery)

    @property
    def delivered(self) -> int:
        return sum(d.delivered for d in self.by_delivery)

    @property
    def attendance_rate(self) -> float | None:
        """Over items not cancelled (marks taken before a cancellation do not count)."""
        marks = sum((f.marks for f in self.items if f.item.status != ItemStatus.CANCELLED),
                    Counter())
        return rate(marks["attended"], marks["attended"] + marks["absent"])

    @property
    def completion_rate(self) -> float | None:
        online = [f for f in self.items if not f.item.sessions
                  and f.item.status != ItemStatus.CANCELLED]
        return rate(sum(f.completed for f in online), sum(f.audience for f in online))


def _audience_sizes(items: list[PlanItem]) -> dict[int, set[int]]:
    """The active people each item is for (ids), in three queries."""
    everyone = set(db.session.execute(sa.select(User.id).where(User.active.is_(True)))
                   .scalars())
    by_team: dict[int, set[int]] = defaultdict(set)
    for person_id, person_team in db.session.execute(
            sa.select(User.id, User.team_id).where(User.active.is_(True))):
        if person_team is not None:
            by_team[person_team].add(person_id)
    rows = db.session.execute(sa.select(PlanAudience.item_id, PlanAudience.team_id,
                                        PlanAudience.user_id).where(
        PlanAudience.item_id.in_([i.id for i in items] or [-1]))).all()
    chosen: dict[int, set[int]] = defaultdict(set)
    for item_id, team_id, user_id in rows:
        if team_id is not None:
            chosen[item_id] |= by_team[team_id]
        elif user_id in everyone:
            chosen[item_id].add(user_id)
    return {i.id: (everyone if i.audience == "everyone" else chosen[i.id]) for i in items}


def _count_marks(figures: dict[int, ItemFigures]) -> None:
    for item_id, status, count in db.session.execute(
            sa.select(Attendance.item_id, Attendance.status, sa.func.count())
            .where(Attendance.item_id.in_(list(figures) or [-1]))
            .group_by(Attendance.item_id, Attendance.status)):
        figures[item_id].marks[status] = count


def _count_completions(items: list[PlanItem], people: dict[int, set[int]],
                       figures: dict[int, ItemFigures]) -> None:
    """Online items: how many of the people each is for have completed its course."""
    courses = {i.id: i.course_id for i in items if not i.sessions and i.course_id is not None}
    if not courses:
        return
    completed_by_course: dict[int, set[int]] = defaultdict(set)
    for course_id, user_id in db.session.execute(
            sa.select(CourseProgress.course_id, CourseProgress.user_id).where(
                CourseProgress.course_id.in_(set(courses.values())),
                CourseProgress.completed_at.is_not(None))):
        completed_by_course[course_id].add(user_id)
    for item_id, course_id in courses.items():
        figures[item_id].completed = len(people[item_id] & completed_by_course[course_id])


def _by_delivery(items: list[PlanItem]) -> list[DeliveryFigures]:
    deliveries = {d: DeliveryFigures(d) for d in DELIVERIES}
    for item in items:
        counts = deliveries[item.delivery]
        if item.status == ItemStatus.CANCELLED:
            counts.cancelled += 1
            continue
        counts.planned += 1
        counts.delivered += item.status == ItemStatus.DELIVERED
    return list(deliveries.values())


def execution(items: list[PlanItem], year: int) -> Execution:
    people = _audience_sizes(items)
    figures = {i.id: ItemFigures(i, len(people[i.id])) for i in items}
    _count_marks(figures)
    _count_completions(items, people, figures)
    return Execution(year, [figures[i.id] for i in items], _by_delivery(items))


WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 600, 220, 36, 20, 40


def chart(by_delivery: list[DeliveryFigures]) -> dict:
    """Geometry of the planned-against-delivered bars, one pair per kind of delivery."""
    plot_w, plot_h = WIDTH - 2 * LEFT, HEIGHT - TOP - BOTTOM
    peak = max([d.planned for d in by_delivery] + [1])
    slot = plot_w / len(by_delivery)
    groups = []
    for index, figures in enumerate(by_delivery):
        x = LEFT + index * slot
        bars = []
        for n, (name, value) in enumerate((("planned", figures.planned),
                                           ("delivered", figures.delivered))):
            height = round(plot_h * value / peak, 1)
            bars.append({"name": name, "value": value, "x": round(x + 16 + n * (slot - 32) / 2, 1),
                         "w": round((slot - 32) / 2 - 4, 1), "h": height,
                         "y": round(TOP + plot_h - height, 1)})
        groups.append({"key": figures.delivery, "mid": round(x + slot / 2, 1), "bars": bars})
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - LEFT,
            "base": TOP + plot_h, "groups": groups}
