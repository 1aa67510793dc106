"""The Markdown rubric format: read, check and write rubrics. Pure: stdlib only.

Reviewers score product demonstrations, interviews, project reviews and professionalism
against rubrics. The grammar is documented in ``docs/rubric-format.md``; this module and the
ones it names are its reference implementation, in the style of the question-bank format
(:mod:`app.banks.markdown_format`). A file is read line by line in one pass (front matter,
then criterion headings, tracking fenced code blocks), and each criterion is then split
into key lines (:mod:`app.rubrics.criteria`), guidance and level list
(:mod:`app.rubrics.levels`) from its own lines, so the work is linear in the size of the
file. The parsed rubric is :mod:`app.rubrics.rubric`.

Every problem is reported as an :class:`~app.content.authoring.Issue` with its 1-based line, the
criterion key (in ``question_id``) when known, and a message that says what is wrong and
what to write instead.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.content.authoring import (
    LANGUAGES,
    CommonKeys,
    FrontMatter,
    FrontMatterRules,
    Issue,
    Reporter,
    clashes,
    decode,
    errors_only,
    known_value,
    one_of,
    read_front_matter,
    split_lines,
    trim_blank,
)
from app.content.sections import report_unclosed, scan_sections

from .criteria import CriterionRead, heading_key, read_criterion
from .rubric import KINDS, TOTAL_WEIGHT, Criterion, Level, Rubric, num

__all__ = [
    "KINDS",
    "LANGUAGES",
    "Criterion",
    "Level",
    "Rubric",
    "check_rubrics",
    "content_fingerprint",
    "errors_only",
    "export_rubric",
    "parse_rubric",
    "read_rubric_file",
]


# -- reading ---------------------------------------------------------------------------------


def read_rubric_file(path: str | os.PathLike,
                     data: bytes | None = None) -> tuple[Rubric | None, list[Issue]]:
    """Read a rubric file (UTF-8, optional BOM, any line endings), then parse it.

    ``data`` is the file's content when it is already in memory (an upload); ``path`` is
    then only the name shown in messages.
    """
    name = str(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            return None, [Issue(name, 1, f"cannot read the file ({exc.strerror or exc}): check "
                                         "the path")]
    text, issues = decode(data, name)
    return (None, issues) if text is None else parse_rubric(text, name)


def parse_rubric(text: str, path: str) -> tuple[Rubric | None, list[Issue]]:
    """Parse one rubric file. The rubric is returned only when there is no error."""
    report = Reporter(path)
    if not text.lstrip("\ufeff").strip():
        report.error(1, "the file is empty: write front matter ('---', then 'id: ...', "
                        "'title: ...', 'kind: ...' and 'language: ...' lines, then '---'), "
                        "then criteria starting with '## key: Title'")
        return None, report.issues
    lines = split_lines(text)
    front = read_front_matter(lines, report, _FRONT_MATTER, _RubricFront())
    description, criteria = _criteria(lines, front.start, report)
    issues = report.in_line_order()
    if report.errors:
        return None, issues
    rubric = Rubric(id=front.id, title=front.title, kind=front.kind, language=front.language,
                    description=description, criteria=tuple(criteria), path=path,
                    line=front.lines.get("id", 1))
    return rubric, issues


# -- front matter ----------------------------------------------------------------------------


@dataclass
class _RubricFront(FrontMatter):
    kind: str = ""


def _check_kind(front: _RubricFront, value: str, number: int, report: Reporter) -> None:
    if known_value(value, KINDS, "kind", one_of(KINDS), number, report):
        front.kind = value


_COMMON = CommonKeys(noun="rubric", id_example="product-demo")
_FRONT_MATTER = FrontMatterRules[_RubricFront](
    checks={"id": _COMMON.id, "title": _COMMON.title, "kind": _check_kind,
            "language": _COMMON.language},
    examples={"id": "product-demo", "title": "Product demonstration", "kind": "demo",
              "language": "en"})


# -- criteria --------------------------------------------------------------------------------


def _criteria(lines: list[str], start: int, report: Reporter) -> tuple[str, list[Criterion]]:
    """The description, then the criteria under their headings (outside fenced code)."""
    sections = scan_sections(lines, start)
    report_unclosed(lines, sections, report, heading_key)
    headings = sections.headings
    description = "\n".join(trim_blank(lines[start:headings[0] if headings else len(lines)]))
    if not headings:
        if sections.unclosed < 0:  # else the code block swallowed the rest: that is the problem
            report.error(max(1, min(start + 1, len(lines))),
                         "the rubric has no criteria: add one starting with a line '## key: "
                         "Title' (e.g. '## communication: Communication'), then 'weight: 25', a "
                         "blank line and its levels '- 1 = 0: ...'")
        return description, []
    first_line: dict[str, int] = {}
    read = [read_criterion(lines, sections.fenced, section, position, first_line, report)
            for position, section in enumerate(sections.spans(), start=1)]
    _check_total(read, headings[0] + 1, report)
    return description, [each.criterion for each in read if each.criterion is not None]


def _check_total(read: list[CriterionRead], number: int, report: Reporter) -> None:
    """The weights total 100 (unless one is missing or not valid: that is reported already)."""
    weights = [(each.key, each.weight) for each in read if each.weight is not None]
    if len(weights) < len(read):
        return
    total = sum((weight for _key, weight in weights), Decimal(0))
    if total != TOTAL_WEIGHT:
        listed = ", ".join(f"{key or '?'} {num(weight)}" for key, weight in weights)
        report.error(number, f"the criteria's weights total {num(total)} ({listed}): change "
                             "the 'weight:' lines so that they total exactly 100")


# -- checks across files -------------------------------------------------------------------


def _rubric_files(paths: Iterable[str | os.PathLike]) -> list[str | os.PathLike]:
    if isinstance(paths, str | os.PathLike):  # one path, not an iterable of characters
        paths = [paths]
    found: list[str | os.PathLike] = []
    for path in paths:
        if Path(path).is_dir():
            found += sorted(p for p in Path(path).rglob("*.md") if p.is_file())
        else:
            found.append(path)
    return found


def check_rubrics(paths: Iterable[str | os.PathLike]) -> tuple[list[Rubric], list[Issue]]:
    """Read every file (a folder: its ``*.md`` files), then check across the rubrics.

    Rubric IDs must be unique across the files; each clash names both places. Issues are
    sorted by (path, line); the rubrics come in file order.
    """
    rubrics: list[Rubric] = []
    issues: list[Issue] = []
    for path in _rubric_files(paths):
        rubric, found = read_rubric_file(path)
        issues += found
        if rubric is not None:
            rubrics.append(rubric)
    for rubric_id, rubric, others in clashes(rubrics, lambda rubric: rubric.id):
        where = ", ".join(f"{other.path}:{other.line}" for other in others)
        issues.append(Issue(rubric.path, rubric.line, f"duplicate rubric ID '{rubric_id}': "
                                                      f"{where} has the same ID; give each "
                                                      "rubric its own ID"))
    issues.sort(key=lambda issue: (issue.path, issue.line))
    return rubrics, issues


# -- writing ---------------------------------------------------------------------------------


def export_rubric(rubric: Rubric) -> str:
    """The rubric as canonical Markdown; :func:`parse_rubric` reads it back to equal content."""
    out = ["---", f"id: {rubric.id}", f"title: {rubric.title}", f"kind: {rubric.kind}",
           f"language: {rubric.language}", "---"]
    if rubric.description:
        out += ["", rubric.description]
    for criterion in rubric.criteria:
        out += ["", f"## {criterion.key}: {criterion.title}", f"weight: {num(criterion.weight)}"]
        if criterion.guidance:
            out += ["", criterion.guidance]
        out.append("")
        out += [f"- {level.value} = {num(level.points)}: {level.description}"
                for level in criterion.levels]
    return "\n".join(out) + "\n"


def content_fingerprint(rubric: Rubric) -> str:
    """SHA-256 (hex) of the canonical export: changes exactly when the content changes."""
    return hashlib.sha256(export_rubric(rubric).encode("utf-8")).hexdigest()
