"""Fixtures for notification tests: a kind that exists only while a test runs."""

from __future__ import annotations

import pytest

from app.notifications.kinds import KINDS, Kind, register


@pytest.fixture
def test_kind():
    """A learner kind "test.notice": its text names the param ``what``; its link is the
    settings page when the param ``open`` is true, else None (the reader may not open it)."""
    from flask import url_for

    kind = register(Kind(
        key="test.notice", audience="learner", label=lambda: "A test notice",
        text=lambda n: f"Test notice about {n.params.get('what', '?')}",
        link=lambda n, reader: url_for("notifications.settings") if n.params.get("open")
        else None))
    yield kind
    KINDS.pop(kind.key, None)
