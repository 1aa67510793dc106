"""Build training needs and plan items for training tests."""

from __future__ import annotations

from datetime import date, timedelta

from app.auth.audience import AudienceChoice
from app.i18n import local_today
from app.training import services as svc
from tests.evaluations.builders import user

PDF = b"%PDF-1.4\n% a tiny certificate\n%%EOF\n"


def today(app=None) -> date:
    """Today in the display time zone (as the app counts days); pass ``app`` outside a
    request or app context."""
    if app is not None:
        with app.app_context():
            return local_today()
    return local_today()


def item(trainer, *, title: str = "Discovery workshop", delivery: str = "internal",
         starts_in: int = -1, days: int = 0, choice: AudienceChoice | None = None,
         course_id: int | None = None, needs=(), area: str = "communication"):
    """A plan item starting ``starts_in`` days from today (kept within this year)."""
    start = today() + timedelta(days=starts_in)
    if start.year != today().year:  # near New Year: stay in this year's plan
        start = today()
    end = min(start + timedelta(days=days), date(start.year, 12, 31))
    return svc.create_item(svc.ItemInput(title=title, area=area, delivery=delivery,
                                         starts_on=start, ends_on=end, provider="Ms Zhao",
                                         course_id=course_id),
                           choice or AudienceChoice(), user(trainer), list(needs))


def need(author, *, topic: str = "Objection handling", reason: str = "customer",
         area: str = "communication", urgency: str = "normal", for_team: bool = False):
    return svc.submit_need(user(author), svc.NeedInput(
        year=today().year, area=area, topic=topic, reason=reason, urgency=urgency,
        for_team=for_team))
