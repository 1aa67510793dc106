"""Each person's archive (§4.3): every kind of item, and only for those who may see it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.assessments import services as assessments
from app.oversight.archive import entries as archive
from tests.evaluations.builders import user
from tests.oversight.builders import full_archive, login


def test_the_archive_lists_every_kind_of_item_to_those_allowed(app, client, make_user,
                                                               tmp_path):
    cast = full_archive(app, make_user, tmp_path)
    path = f"/people/{cast.person.id}/archive"
    login(client, cast.person)
    html = client.get(path).get_data(as_text=True)
    for text in ("Storytelling for presales", "Course completed", "Quarterly product exam #1",
                 "Test demonstration", "100.00 / 100", "Assessment record", "2026 Q4",
                 "Performance interview", "Agreed to rehearse.", "Rehearse the demo",
                 "Course feedback", "★★★★", "Lab was down", "Training attended",
                 "Competitor briefing", "Internal course", "Certificate or report",
                 "Cloud summit", "summit-certificate.pdf"):
        assert text in html, text
    assert f"/people/{cast.person.id}/archive.pdf" in html
    for who, status in ((cast.manager, 200), (cast.supervisor, 200), (cast.colleague, 404)):
        login(client, who)
        assert client.get(path).status_code == status


def test_the_archive_counts_days_as_people_live_them(app, make_user):
    """Display time zone Asia/Shanghai: 20:00 UTC on 31 March is already 1 April there."""
    manager = make_user("manager")
    with app.app_context():
        for name, first, last in (("Q1", date(2026, 1, 1), date(2026, 3, 31)),
                                  ("Q2", date(2026, 4, 1), date(2026, 6, 30))):
            assessments.create_period(assessments.Plan(
                name=name, cadence="quarterly", starts_on=first, ends_on=last), user(manager))
        late_evening = archive.Entry(datetime(2026, 3, 31, 20, 0, tzinfo=UTC), "course",
                                     "Evening course", "")
        groups = archive.by_period([late_evening])
        assert [(period.name, [e.title for e in entries]) for period, entries in groups] == [
            ("Q2", ["Evening course"])]
