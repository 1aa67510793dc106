"""Evaluation pages over HTTP: independence, who sees what, who may act."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.database import utcnow
from app.evaluations import services as svc
from app.evaluations.models import Evaluation, EvidenceFile, Review
from app.extensions import db
from tests.evaluations.builders import rubric_version, schedule, score, user
from tests.helpers import login as sign_in
from tests.helpers import post_form


@pytest.fixture
def setting(app, make_user):
    """Two reviewers have a demo of the subject to score; a third reviewer has no part."""
    with app.app_context():
        people = {name: make_user(*roles, name=name.title()) for name, roles in (
            ("subject", ("learner",)), ("alice", ("reviewer",)), ("bob", ("reviewer",)),
            ("stranger", ("reviewer",)), ("coordinator", ("manager",)),
            ("supervisor", ("supervisor",)))}
        evaluation = schedule(people["subject"], [people["alice"], people["bob"]],
                              people["coordinator"])
        people["evaluation_id"] = evaluation.id
        db.session.commit()
    return people


def login(client, person):
    """Sign in as ``person``, signing out whoever was signed in."""
    if client.get("/login").status_code == 302:
        post_form(client, "/logout", token_from="/")
    return sign_in(client, person)


def test_a_reviewer_sees_no_other_scores_until_submitting_their_own(app, client, setting):
    eid = setting["evaluation_id"]
    with app.app_context():
        evaluation = db.session.get(Evaluation, eid)
        score(evaluation, setting["bob"], 3, 2, comment="Bob-secret-comment",
              overall="Bob-overall")
    login(client, setting["alice"])
    html = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "Bob-secret-comment" not in html and "Bob-overall" not in html
    assert "100.00" not in html and "hidden" in html
    form = client.get(f"/evaluations/{eid}/review").get_data(as_text=True)
    assert "Bob-secret-comment" not in form
    # submit through the page, as a reviewer would
    response = post_form(client, f"/evaluations/{eid}/review",
                         {"level-talk": "2", "level-show": "2", "comment-talk": "Mine",
                          "action": "submit"}, token_from=f"/evaluations/{eid}/review")
    assert response.status_code == 302
    html = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "Bob-secret-comment" in html and "100.00" in html


def test_drafts_are_seen_by_nobody_but_their_reviewer(app, client, setting):
    eid = setting["evaluation_id"]
    with app.app_context():
        score(db.session.get(Evaluation, eid), setting["bob"], 1, 1, submit=False,
              comment="Bob-draft-note")
    for person in ("alice", "coordinator", "supervisor", "subject"):
        login(client, setting[person])
        html = client.get(f"/evaluations/{eid}").get_data(as_text=True)
        assert "Bob-draft-note" not in html, person
    login(client, setting["bob"])
    assert "Bob-draft-note" in client.get(f"/evaluations/{eid}/review").get_data(as_text=True)


def test_people_without_a_part_get_404_whatever_id_they_guess(app, client, setting):
    eid = setting["evaluation_id"]
    login(client, setting["stranger"])
    token_page = "/evaluations/"
    for path in (f"/evaluations/{eid}", f"/evaluations/{eid}/review",
                 f"/evaluations/{eid + 1}"):
        assert client.get(path).status_code == 404, path
    assert post_form(client, f"/evaluations/{eid}/review",
                     {"level-talk": "3", "level-show": "2", "action": "submit"},
                     token_from=token_page).status_code == 404
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Review).where(
            Review.reviewer_id == setting["stranger"].id)).scalar() == 0


def test_the_person_evaluated_sees_the_schedule_but_no_scores_before_release(
        app, client, setting):
    eid = setting["evaluation_id"]
    with app.app_context():
        evaluation = db.session.get(Evaluation, eid)
        score(evaluation, setting["alice"], 2, 2, comment="Alice-note")
        score(evaluation, setting["bob"], 2, 1, comment="Bob-note")  # 70 and 30: moderation
    login(client, setting["subject"])
    html = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "DataHub" in html and "Room 3" in html
    for secret in ("Alice-note", "Bob-note", "70.00", "30.00", "50.00", "Alice", "Bob"):
        assert secret not in html, secret
    assert client.get(f"/evaluations/{eid}/review").status_code == 404
    assert post_form(client, f"/evaluations/{eid}/release", token_from="/evaluations/"
                     ).status_code == 403


def test_release_shows_the_result_criteria_and_anonymous_comments(app, client, setting):
    eid = setting["evaluation_id"]
    with app.app_context():
        evaluation = db.session.get(Evaluation, eid)
        score(evaluation, setting["alice"], 3, 2, comment="Note-one")  # 100
        score(evaluation, setting["bob"], 2, 2, comment="Note-two")      # 70: within 30?
    login(client, setting["coordinator"])
    page = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "Needs moderation" in page  # 30 apart, more than 20
    response = post_form(client, f"/evaluations/{eid}/moderate",
                         {"decision": "accept", "note": "Both defensible."},
                         token_from=f"/evaluations/{eid}")
    assert response.status_code == 302
    assert post_form(client, f"/evaluations/{eid}/release",
                     token_from=f"/evaluations/{eid}").status_code == 302
    login(client, setting["subject"])
    html = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "85.00" in html and "Note-one" in html and "Note-two" in html
    assert "2.5 / 3" in html  # talk: levels 3 and 2
    assert "Tells the customer" in html  # the descriptor of the nearest level (3)
    assert "Reviewer 1" in html and "Alice" not in html and "Bob" not in html
    assert "85.00" in client.get("/evaluations/").get_data(as_text=True)


def test_reviewer_names_are_shown_when_the_evaluation_says_so(app, client, setting):
    with app.app_context():
        evaluation = schedule(setting["subject"], [setting["alice"]], setting["coordinator"],
                              show_names=True)
        score(evaluation, setting["alice"], 2, 2, comment="Signed note")
        svc.release(evaluation, user(setting["coordinator"]))
        db.session.commit()
        eid = evaluation.id
        db.session.commit()
    login(client, setting["subject"])
    html = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "Alice" in html and "Signed note" in html


def test_only_the_coordinator_moderates_releases_and_amends(
        app, client, setting, make_user):
    eid = setting["evaluation_id"]
    with app.app_context():
        evaluation = db.session.get(Evaluation, eid)
        alice = score(evaluation, setting["alice"], 2, 2)
        score(evaluation, setting["bob"], 2, 2)
        review_id = alice.id
    # An admin as such holds no authority over anyone's scores (§1.3.1).
    setting["admin"] = make_user("admin")
    for person in ("alice", "supervisor", "admin"):
        login(client, setting[person])
        for path in (f"/evaluations/{eid}/release", f"/evaluations/{eid}/moderate",
                     f"/evaluations/{eid}/reviewers"):
            assert post_form(client, path, token_from="/evaluations/").status_code == 403
        assert client.get(f"/evaluations/{eid}/reviews/{review_id}/amend").status_code == 403
    with app.app_context():
        assert db.session.get(Evaluation, eid).state != "released"
    login(client, setting["coordinator"])
    assert post_form(client, f"/evaluations/{eid}/release",
                     token_from="/evaluations/").status_code == 302
    with app.app_context():
        assert db.session.get(Evaluation, eid).state == "released"


def test_amending_through_the_page_needs_a_reason_and_is_audited(app, client, setting):
    eid = setting["evaluation_id"]
    with app.app_context():
        evaluation = db.session.get(Evaluation, eid)
        alice = score(evaluation, setting["alice"], 2, 2)
        score(evaluation, setting["bob"], 2, 2)
        review_id = alice.id
    login(client, setting["coordinator"])
    post_form(client, f"/evaluations/{eid}/release", token_from=f"/evaluations/{eid}")
    path = f"/evaluations/{eid}/reviews/{review_id}/amend"
    no_reason = post_form(client, path, {"level-talk": "3", "level-show": "2"},
                          token_from=path)
    assert no_reason.status_code == 200 and "Give the reason" in no_reason.get_data(
        as_text=True)
    done = post_form(client, path, {"level-talk": "3", "level-show": "2",
                                    "reason": "Recording reviewed"}, token_from=path)
    assert done.status_code == 302
    with app.app_context():
        assert str(db.session.get(Evaluation, eid).result) == "85.00"
    html = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "Recording reviewed" in html and "70.00 → 85.00" in html


def test_a_review_of_another_evaluation_cannot_be_amended_through_this_one(
        app, client, setting):
    with app.app_context():
        other = schedule(setting["subject"], [setting["alice"]], setting["coordinator"])
        foreign = score(other, setting["alice"], 2, 2).id
    login(client, setting["coordinator"])
    eid = setting["evaluation_id"]
    assert client.get(f"/evaluations/{eid}/reviews/{foreign}/amend").status_code == 404


def test_scheduling_through_the_form(app, client, setting):
    login(client, setting["coordinator"])
    with app.app_context():
        version_id = rubric_version().id
        user(setting["alice"]).manager_id = setting["coordinator"].id  # so she is on the list
        db.session.commit()
    when = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    due = (utcnow() + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    data = {"subject": setting["subject"].id, "rubric": version_id,
            "scenario": "演示给银行客户", "scheduled_at": when, "due_at": due,
            "reviewers": [setting["alice"].id], "spread_limit": "20",
            "links": "https://video.example.com/rec/1"}
    refused = post_form(client, "/evaluations/new", {
        **data, "subject": setting["alice"].id,
        "reviewers": [setting["alice"].id, setting["bob"].id]})
    assert refused.status_code == 200 and "Nobody reviews themselves" in refused.get_data(
        as_text=True)
    bad_link = post_form(client, "/evaluations/new", {**data, "links": "javascript:alert(1)"})
    assert "is not a web address" in bad_link.get_data(as_text=True)
    done = post_form(client, "/evaluations/new", data)
    assert done.status_code == 302
    with app.app_context():
        made = db.session.execute(sa.select(Evaluation).order_by(Evaluation.id.desc())
                                  ).scalars().first()
        assert made.scenario == "演示给银行客户" and made.evidence_links == [
            "https://video.example.com/rec/1"]
        assert [r.reviewer_id for r in made.reviews] == [setting["alice"].id]
    login(client, setting["alice"])
    assert "演示给银行客户" not in client.get("/evaluations/").get_data(as_text=True)
    assert "Subject" in client.get("/evaluations/").get_data(as_text=True)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_files_are_checked_and_served_only_to_those_who_may_see(
        app, client, setting):
    eid = setting["evaluation_id"]
    login(client, setting["coordinator"])
    token_from = f"/evaluations/{eid}"

    def upload(name, data):
        return post_form(client, f"/evaluations/{eid}/files",
                         {"file": (io.BytesIO(data), name)}, token_from=token_from,
                         content_type="multipart/form-data", follow_redirects=True)

    assert "not accepted" in upload("tool.exe", b"MZ\x90\x00").get_data(as_text=True)
    assert "does not look like" in upload("fake.pdf", b"<html><script>").get_data(
        as_text=True)
    assert "File attached" in upload("演示 slides.pdf", PDF).get_data(as_text=True)
    with app.app_context():
        stored = db.session.execute(sa.select(EvidenceFile)).scalar_one()
        file_id = stored.id
        assert stored.filename == "演示 slides.pdf" and stored.media_type == "application/pdf"
    url = f"/evaluations/{eid}/files/{file_id}"
    for person in ("alice", "subject", "supervisor"):
        login(client, setting[person])
        response = client.get(url)
        assert response.status_code == 200 and response.data == PDF, person
        assert response.headers["Content-Disposition"].startswith("attachment;")
    login(client, setting["stranger"])
    assert client.get(url).status_code == 404


def test_a_chinese_speaking_person_reads_the_released_result_in_chinese(
        app, client, make_user):
    with app.app_context():
        subject = make_user("learner", locale="zh_CN")
        reviewer, coordinator = make_user("reviewer"), make_user("manager")
        evaluation = schedule(subject, [reviewer], coordinator)
        score(evaluation, reviewer, 3, 2, comment="讲得很好")
        svc.release(evaluation, user(coordinator))
        db.session.commit()
        eid = evaluation.id
    login(client, subject)
    html = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "结果" in html and "1 名评审员加权总分的平均值。" in html
    assert "100.00" in html and "讲得很好" in html


def test_the_persons_manager_sees_the_released_result_but_nothing_before(
        app, client, make_user):
    with app.app_context():
        manager = make_user("manager")
        subject = make_user("learner", manager=manager)
        reviewer, coordinator = make_user("reviewer"), make_user("trainer")
        evaluation = schedule(subject, [reviewer], coordinator)
        score(evaluation, reviewer, 3, 2, comment="Secret-until-release")
        eid = evaluation.id
    login(client, manager)
    before = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "DataHub" in before and "Secret-until-release" not in before
    assert "100.00" not in before
    with app.app_context():
        svc.release(db.session.get(Evaluation, eid), user(coordinator))
        db.session.commit()
    after = client.get(f"/evaluations/{eid}").get_data(as_text=True)
    assert "Secret-until-release" in after and "100.00" in after
    assert post_form(client, f"/evaluations/{eid}/reviews/1/amend", {"reason": "x"},
                     token_from="/evaluations/").status_code == 403
