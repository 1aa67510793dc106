"""The attempt page's kept question sections are exactly what rendering them would give."""

from __future__ import annotations

import dataclasses

from flask_babel import force_locale

from app.exams.attempt_html import TEMPLATE, section
from app.exams.learner_pages import ServedQuestion


def _question(position: int, **changes) -> ServedQuestion:
    base = ServedQuestion(position=position, type="single", points=2.0,
                          stem_html="<p>Where do agents run?</p>",
                          options=[(0, "<p>In the customer network</p>"),
                                   (1, "<p>In the vendor cloud</p>")])
    return dataclasses.replace(base, **changes)


def _fresh(app, question: ServedQuestion) -> str:
    return app.jinja_env.get_template(TEMPLATE).render(question=question)


def test_a_kept_section_is_the_rendered_one_at_its_own_position(app):
    with app.test_request_context():
        section(_question(1))  # kept now
        for position in (1, 7, 42):
            assert str(section(_question(position))) == _fresh(app, _question(position))
        assert 'id="q-42"' in section(_question(42))


def test_other_content_options_order_or_points_are_never_served_from_another_key(app):
    with app.test_request_context():
        section(_question(1))
        swapped = _question(1, options=list(reversed(_question(1).options)))
        for other in (_question(1, stem_html="<p>Another stem</p>"), swapped,
                      _question(1, points=3.0)):
            assert str(section(other)) == _fresh(app, other)


def test_each_language_has_its_own_kept_section(app):
    with app.test_request_context():
        english = str(section(_question(5)))
        with force_locale("zh_CN"):
            chinese = str(section(_question(5)))
            assert chinese == _fresh(app, _question(5))
    assert "Question 5" in english and "第 5 题" in chinese


def test_answered_or_flagged_questions_show_their_state(app):
    with app.test_request_context():
        section(_question(2))
        answered = section(_question(2, response=1))
        flagged = section(_question(2, flagged=True))
    assert answered.count(" checked") == 1 and 'value="1" checked' in answered
    assert "data-flag checked" in flagged


def test_a_text_that_contains_the_marker_is_rendered_not_kept(app):
    with app.test_request_context():
        odd = _question(3, stem_html="<p>Call 2147480647 now</p>")
        assert str(section(odd)) == _fresh(app, odd)
        assert str(section(odd)) == _fresh(app, odd)
