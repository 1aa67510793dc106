"""One way to write a day and a moment: the |date and |datetime filters (app/templating.py).

Every page writes dates through them, in the display time zone; a scan of the templates,
the Python code and the scripts keeps other date formatting from coming back.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import render_template_string

from app.auth.models import User
from app.extensions import db
from tests.helpers import login, make_app

APP = Path(__file__).resolve().parent.parent / "app"

# 16:30 UTC on 3 December is already 00:30 on 4 December in Shanghai.
LATE_EVENING_UTC = datetime(2026, 12, 3, 16, 30, 5, tzinfo=UTC)
BOTH = "{{ m|date }} | {{ m|datetime }} | {{ d|date }} | {{ none|date }}{{ none|datetime }}."


def _render(app, language: str, **values) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return render_template_string(BOTH, **values)


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "4 Dec 2026 | 4 Dec 2026, 00:30 | 3 Sep 2026 | ."),
    ("zh-CN", "2026年12月4日 | 2026年12月4日 00:30 | 2026年9月3日 | ."),
])
def test_one_date_and_one_datetime_format_per_language_in_the_display_time_zone(
        app, language, expected):
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Shanghai"
    assert _render(app, language, m=LATE_EVENING_UTC, d=date(2026, 9, 3), none=None) == expected


def test_the_display_time_zone_decides_the_day(migrated_database):
    # 03:00 UTC on 4 December is still the evening of 3 December in New York
    app = make_app(migrated_database, BABEL_DEFAULT_TIMEZONE="America/New_York")
    moment = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
    assert _render(app, "en", m=moment, d=date(2026, 12, 4), none=None) == (
        "3 Dec 2026 | 3 Dec 2026, 22:00 | 4 Dec 2026 | .")


def test_only_the_one_filter_pair_exists(app):
    filters = app.jinja_env.filters
    assert {"date", "datetime"} <= set(filters)
    assert not {"datetimeformat", "dateformat", "timeformat"} & set(filters)


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", "4 Dec 2026, 00:30"), ("zh_CN", "2026年12月4日 00:30")])
def test_a_page_writes_a_moment_through_the_filter(app, client, make_user, locale, expected):
    admin = make_user("admin", locale=locale)
    other = make_user(email="dated@example.com")
    with app.app_context():
        db.session.get(User, other.id).last_login_at = LATE_EVENING_UTC
        db.session.commit()
    login(client, admin)
    html = client.get(f"/admin/users/{other.id}").get_data(as_text=True)
    assert expected in html


# --- the guard: nothing else formats dates for people -----------------------------------

# Files whose .isoformat() writes machine data: audit payloads and stored snapshots
# (compared and hashed, never shown as a date), and the operators' audit tooling, which
# speaks UTC ISO like the logs it sits beside. Exports keep real dates as well.
MACHINE_ISO = {
    "assessments/follow_up.py": "audit payloads",
    "assessments/services.py": "the record's stored indicator snapshot",
    "audit/checkpoints.py": "the audit checkpoint file (JSON)",
    "audit/cli.py": "`flask audit` output for operators, in UTC",
    "audit/log.py": "the hashed canonical form of an audit row",
    "evaluations/services.py": "audit payload",
    "training/services.py": "audit payload (_describe)",
}
TEMPLATE_FORBIDDEN = re.compile(
    r"datetimeformat|dateformat|timeformat|strftime|format_date|format_datetime|toLocale")
TEMPLATE_ISO_ALLOWED = re.compile(r'datetime="\{\{[^}]*isoformat\(\)[^}]*\}\}"')  # <time datetime>
PYTHON_FORBIDDEN = re.compile(
    r"\bstrftime\(|\bformat_(date|datetime|time|skeleton|interval)\b")
SCRIPT_FORBIDDEN = re.compile(r"toLocale\w*String|Intl\.DateTimeFormat|new Date\(")
MESSAGE_FUNCTIONS = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "flash", "SelectChoice"}


def _relative(path: Path) -> str:
    return path.relative_to(APP).as_posix()


def test_templates_write_dates_only_through_the_filters():
    found = []
    for path in sorted((APP / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            rest = TEMPLATE_ISO_ALLOWED.sub("", line)
            if TEMPLATE_FORBIDDEN.search(rest) or "isoformat" in rest:
                found.append(f"{_relative(path)}:{number}: {line.strip()}")
    assert not found, "format dates with |date or |datetime:\n" + "\n".join(found)


def test_python_formats_dates_for_people_only_through_the_filter_functions():
    found = []
    for path in sorted(APP.rglob("*.py")):
        name = _relative(path)
        if name == "templating.py":
            continue
        source = path.read_text(encoding="utf-8")
        for number, line in enumerate(source.splitlines(), 1):
            if PYTHON_FORBIDDEN.search(line) or (
                    ".isoformat()" in line and name not in MACHINE_ISO):
                found.append(f"{name}:{number}: {line.strip()}")
        found += [f"{name}:{n}: a date formatted inside a message"
                  for n in _iso_in_messages(source)]
    assert not found, ("use app.templating.display_date / display_datetime:\n"
                       + "\n".join(found))


def _iso_in_messages(source: str) -> list[int]:
    """Lines where a message or a label is given a date as ISO text or str()."""
    lines = []
    for call in (n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)):
        callee = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
        if callee not in MESSAGE_FUNCTIONS:
            continue
        for inner in (n for arg in [*call.args, *call.keywords] for n in ast.walk(arg)):
            if (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute)
                    and inner.func.attr in {"isoformat", "strftime"}):
                lines.append(inner.lineno)
    return lines


def test_scripts_do_not_write_dates_themselves():
    found = [f"{_relative(path)}:{n}: {line.strip()}"
             for path in sorted((APP / "static").rglob("*.js"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if SCRIPT_FORBIDDEN.search(line)]
    assert not found, "pages get their dates from the server's filters:\n" + "\n".join(found)


def test_the_guard_catches_a_date_in_a_message():
    source = 'raise Refused(_l("It starts on %(day)s.", day=item.starts_on.isoformat()))\n'
    assert _iso_in_messages(source) == [1]
    assert PYTHON_FORBIDDEN.search('label = format_date(day, "short")')
    assert TEMPLATE_FORBIDDEN.search("{{ x|datetimeformat('short') }}")
    assert not TEMPLATE_FORBIDDEN.search(TEMPLATE_ISO_ALLOWED.sub(
        "", '<time datetime="{{ x.isoformat() }}">{{ x|datetime }}</time>'))
