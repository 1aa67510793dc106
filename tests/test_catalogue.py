"""The Chinese catalogue's placeholders and % signs agree with their source strings.

Two rules:

* Babel's own checkers (``babel.messages.checkers``: plural forms, python-format) on
  every entry.
* Strings written in templates (``_()``, ``ngettext`` and ``{% trans %}`` blocks) are
  always %-formatted by Jinja's i18n extension (Flask-Babel installs it "newstyle"),
  even when they take no variable: a literal % is written %% there. Babel's
  python-format checker looks only at entries whose msgid has a placeholder, so a
  translation that adds a bare % to a plain msgid ("10 percent" → "10% 分段") passes
  it and answers 500 in Chinese only. For those strings every %-sequence of the
  msgstr must be a placeholder of the msgid (or %%), and the msgstr must format with
  the msgid's variables.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages import checkers
from babel.messages.catalog import TranslationError
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "app" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
TEMPLATES = ROOT / "app" / "templates"

# One %-sequence as Python's % operator reads it; a % that starts none of these is bare.
SEQUENCE = re.compile(r"%(?:\((?P<name>\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
                      r"(?P<conversion>[diouxXeEfFgGcrsa%])")


def _catalogue():
    with CATALOGUE.open("rb") as f:
        return read_po(f)


def template_msgids() -> dict[str, set[str]]:
    """Every msgid (singular and plural) written in a template, with where it is."""
    found: dict[str, set[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            TEMPLATES, method_map=[("**.html", "jinja2")]):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                found.setdefault(msgid, set()).add(f"app/templates/{filename}:{lineno}")
    return found


def percent_problems(msgid: str, msgstr: str, plural: bool = False) -> list[str]:
    """What is wrong with ``msgstr`` as Jinja's newstyle gettext formats it, for ``msgid``.

    Empty when every % of the msgstr starts a sequence, the sequences are %% or named
    placeholders of the msgid, and ``msgstr % variables`` works (ngettext adds ``num``).
    """
    problems = []
    names = {m["name"] for m in SEQUENCE.finditer(msgid) if m["name"]}
    if plural:
        names.add("num")
    position = 0
    for match in SEQUENCE.finditer(msgstr):
        if "%" in msgstr[position:match.start()]:
            problems.append(f"bare % at {msgstr.index('%', position)}")
        position = match.end()
        if match["conversion"] == "%" and match["name"] is None:
            continue
        if match["name"] is None:
            problems.append(f"positional placeholder {match.group()!r}")
        elif match["name"] not in names:
            problems.append(f"placeholder {match.group()!r} is not in the msgid")
    if "%" in msgstr[position:]:
        problems.append(f"bare % at {msgstr.index('%', position)}")
    try:
        msgstr % {name: 1 for name in names}  # noqa: B018 - formatting is the test
    except (ValueError, TypeError, KeyError) as error:
        problems.append(f"does not format: {type(error).__name__}: {error}")
    return problems


def test_babel_checkers_accept_every_entry():
    catalogue = _catalogue()
    problems = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        for checker in (checkers.num_plurals, checkers.python_format):
            try:
                checker(catalogue, message)
            except TranslationError as error:
                problems.append(f"{message.id!r}: {error}")
        problems += [f"{message.id!r}: {error}" for error in message.check(catalogue)]
    assert problems == []


def test_template_strings_keep_their_percent_signs_and_placeholders():
    catalogue = _catalogue()
    in_templates = template_msgids()
    assert len(in_templates) > 200  # the extraction really found the templates' strings
    problems = []
    for message in catalogue:
        singular = message.id[0] if isinstance(message.id, tuple) else message.id
        if not singular or singular not in in_templates:
            continue
        plural = isinstance(message.id, tuple)
        sources = message.id if plural else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        where = ", ".join(sorted(in_templates[singular]))
        for source in sources:  # English pages format the msgid itself
            problems += [f"msgid {source!r} ({where}): {p}"
                         for p in percent_problems(source, source, plural)]
        for string in strings:
            if string:
                problems += [f"msgstr {string!r} of {singular!r} ({where}): {p}"
                             for p in percent_problems(" ".join(sources), string, plural)]
    assert problems == [], "\n".join(problems)


def test_the_check_catches_a_bare_percent_in_a_plain_msgid():
    """The case that answered 500 on the Chinese exam results page."""
    msgid = "Each person's result, in bands of 10 percent of the maximum score."
    assert percent_problems(msgid, "每人的成绩，按满分的 10% 分段统计。")
    assert percent_problems(msgid, "每人的成绩，按满分的 10%% 分段统计。") == []
    assert percent_problems("pass mark %(mark)s%%", "及格线 %(mark)s%") != []
    assert percent_problems("pass mark %(mark)s%%", "及格线 %(mark)s%%") == []
    assert percent_problems("%(a)s of %(b)s", "%(a)s / %(c)s") != []  # unknown name
    assert percent_problems("%(num)d item", "%(num)d 项", plural=True) == []
    assert percent_problems("Done", "完成 %s") != []  # positional: formats a dict
