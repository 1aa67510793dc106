"""Each person's archive (§4.3): every kind of item, and only for those who may see it."""

from __future__ import annotations

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
