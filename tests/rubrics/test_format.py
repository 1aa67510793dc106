"""The Markdown rubric format: the model, every error, encodings, cross-file checks, export,
round trip and fingerprints, and the sample rubrics. Pure: no app, no database."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from app.content.authoring import Issue, errors_only
from app.rubrics.format import (
    KINDS,
    LANGUAGES,
    Criterion,
    Level,
    Rubric,
    check_rubrics,
    content_fingerprint,
    export_rubric,
    parse_rubric,
    read_rubric_file,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "question_banks" / "rubrics"
SAMPLE_FILES = sorted(SAMPLES.glob("*.md"))
PATH = "rubrics/test.md"
FRONT = """---
id: test-rubric
title: Test rubric
kind: demo
language: en
---
"""
FRONT_LINES = FRONT.count("\n")  # the body starts on line FRONT_LINES + 2 (after a blank)
LEVELS = "- 1 = 0: Poor\n- 2 = 50: Fair\n- 3 = 100: Good\n"
TWO = f"""## first: First
weight: 60

{LEVELS}
## second: Second
weight: 40

{LEVELS}"""


def parse(body: str, front: str = FRONT, path: str = PATH):
    return parse_rubric(front + "\n" + body, path)


def ok(body: str, front: str = FRONT) -> Rubric:
    rubric, issues = parse(body, front)
    assert issues == [], [str(i) for i in issues]
    return rubric


def problems(body: str, front: str = FRONT) -> list[str]:
    rubric, issues = parse(body, front)
    assert rubric is None
    return [str(issue) for issue in issues]


def line(n: int) -> int:
    """Line n of the body (1-based) as a line of the file."""
    return FRONT_LINES + 1 + n


def only(body: str, weight: str = "100") -> str:
    """A one-criterion rubric body with the given levels."""
    return f"## only: Only\nweight: {weight}\n\n{body}"


def at(n: int, key: str | None, message: str) -> str:
    """An issue of the body's line n, as printed."""
    return str(Issue(PATH, line(n), message, key))


# -- the model ----------------------------------------------------------------------------


def test_a_valid_rubric_parses_to_the_expected_dataclasses():
    rubric = ok("""Score the demo.

### How to score

Pick the best fitting level.

## communication: Communication
weight: 25

Listen for the customer's words.

- 1 = 0: Reads from the slides.
- 2 = 25: Feature talk.
- 3 = 50: Clear.
- 4 = 75: Customer's problem first.
- 5 = 100: Tells the customer's story.

## time-and-structure: Time and structure
weight: 75

- 0 = 0: No structure.
- 10 = 12.5: On time, with a next step.
""")
    assert rubric == Rubric(
        id="test-rubric", title="Test rubric", kind="demo", language="en",
        description="Score the demo.\n\n### How to score\n\nPick the best fitting level.",
        criteria=(
            Criterion("communication", "Communication", Decimal(25),
                      "Listen for the customer's words.", (
                          Level(1, Decimal(0), "Reads from the slides.", line(12)),
                          Level(2, Decimal(25), "Feature talk.", line(13)),
                          Level(3, Decimal(50), "Clear.", line(14)),
                          Level(4, Decimal(75), "Customer's problem first.", line(15)),
                          Level(5, Decimal(100), "Tells the customer's story.", line(16))),
                      line(7)),
            Criterion("time-and-structure", "Time and structure", Decimal(75), "", (
                Level(0, Decimal(0), "No structure.", line(21)),
                Level(10, Decimal("12.5"), "On time, with a next step.", line(22))), line(18))),
        path=PATH, line=2)
    assert [c.max_points for c in rubric.criteria] == [Decimal(100), Decimal("12.5")]
    assert isinstance(rubric.criteria[0].levels[0].points, Decimal)


def test_the_dataclasses_are_frozen():
    rubric = ok(TWO)
    with pytest.raises(AttributeError):
        rubric.title = "Other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        rubric.criteria[0].levels[0].points = Decimal(1)  # type: ignore[misc]


def test_constants():
    assert KINDS == ("demo", "interview", "project-review", "professionalism")
    assert LANGUAGES == ("en", "zh_CN")


def test_every_kind_and_language_is_accepted():
    for kind in KINDS:
        for language in LANGUAGES:
            front = FRONT.replace("kind: demo", f"kind: {kind}").replace(
                "language: en", f"language: {language}")
            rubric = ok(TWO, front)
            assert (rubric.kind, rubric.language) == (kind, language)


def test_bullets_spaces_and_decimals_are_read_flexibly():
    rubric = ok(only("* 1=0:Poor\n+ 2  =  25.50 :  Fair  \n- 03 = 50.0: Good\n"
                     "-\t4 = 75.25: Very good\n"))
    levels = rubric.criteria[0].levels
    assert [(lv.value, lv.points, lv.description) for lv in levels] == [
        (1, Decimal(0), "Poor"), (2, Decimal("25.5"), "Fair"), (3, Decimal(50), "Good"),
        (4, Decimal("75.25"), "Very good")]
    assert str(levels[2].points) == "50"  # stored canonically
    rubric = ok(only(LEVELS, weight="100.00"))
    assert str(rubric.criteria[0].weight) == "100"


def test_levels_need_not_be_consecutive_and_points_may_repeat():
    rubric = ok(only("- 0 = 0: None\n- 5 = 50: Some\n- 6 = 50: More\n- 10 = 100: All\n"))
    assert [lv.value for lv in rubric.criteria[0].levels] == [0, 5, 6, 10]


def test_weights_with_decimals_total_exactly_100():
    rubric = ok(f"## a: A\nweight: 33.33\n\n{LEVELS}\n## b: B\nweight: 33.33\n\n{LEVELS}\n"
                f"## c: C\nweight: 33.34\n\n{LEVELS}")
    assert sum(c.weight for c in rubric.criteria) == 100


def test_description_and_guidance_are_markdown_kept_verbatim():
    guidance = ("Look for:\n\n- the customer's problem\n- a next step  \n\n| a | b |\n| --- | --- |"
                "\n| 1 | 2 |\n\n1. numbered lines stay in the guidance\n\n> a quote")
    rubric = ok(f"\n\nIntro **bold**.\n\n# A level-1 heading\n\n\n## only: Only\n\nweight: 100\n\n"
                f"\n{guidance}\n\n\n{LEVELS}\n\n")
    assert rubric.description == "Intro **bold**.\n\n# A level-1 heading"
    assert rubric.criteria[0].guidance == guidance
    assert len(rubric.criteria[0].levels) == 3


def test_fenced_code_is_never_a_heading_or_a_level():
    rubric = ok("""```markdown
## not: A criterion
```

## only: Only
weight: 100

~~~~
## neither: This
```
- 1 = 0: nor a level
~~~~

- 1 = 0: Poor
- 2 = 1: Good
""")
    assert rubric.description == "```markdown\n## not: A criterion\n```"
    assert [c.key for c in rubric.criteria] == ["only"]
    assert "- 1 = 0: nor a level" in rubric.criteria[0].guidance
    assert [lv.description for lv in rubric.criteria[0].levels] == ["Poor", "Good"]


def test_chinese_content_throughout():
    front = FRONT.replace("title: Test rubric", "title: 产品演示评分表").replace(
        "language: en", "language: zh_CN")
    rubric = ok("""用于评估产品演示。

## communication: 沟通表达：清晰
weight: 100

注意听演示者用的是客户的语言。

- 1 = 0: 照着幻灯片念；术语从不解释。
- 2 = 50: 表达清楚。
- 3 = 100: 用客户自己的话讲出完整故事。
""", front)
    assert (rubric.title, rubric.language, rubric.description) == (
        "产品演示评分表", "zh_CN", "用于评估产品演示。")
    criterion = rubric.criteria[0]
    assert (criterion.key, criterion.title, criterion.guidance) == (
        "communication", "沟通表达：清晰", "注意听演示者用的是客户的语言。")
    assert criterion.levels[0].description == "照着幻灯片念；术语从不解释。"
    again, issues = parse_rubric(export_rubric(rubric), "again.md")
    assert issues == [] and again.content() == rubric.content()


def test_text_is_not_unicode_normalised():
    decomposed = "Cafe\u0301"  # 'Café' as e + combining accent, as the banks keep it
    rubric = ok(only(f"- 1 = 0: {decomposed}\n- 2 = 1: ok\n").replace("Only", decomposed))
    assert rubric.criteria[0].title == decomposed
    assert rubric.criteria[0].levels[0].description == decomposed


# -- file and front-matter errors -----------------------------------------------------------


def test_an_empty_file():
    for text in ("", "\n\n", "  \r\n"):
        rubric, issues = parse_rubric(text, PATH)
        assert rubric is None
        assert [str(i) for i in issues] == [
            "rubrics/test.md:1: the file is empty: write front matter ('---', then 'id: ...', "
            "'title: ...', 'kind: ...' and 'language: ...' lines, then '---'), then criteria "
            "starting with '## key: Title'"]


def test_missing_front_matter():
    rubric, issues = parse_rubric(TWO, PATH)
    assert rubric is None
    assert [str(i) for i in issues] == [
        "rubrics/test.md:1: the file must start with front matter: a line '---', then "
        "'id: ...', 'title: ...', 'kind: ...' and 'language: ...' lines, then '---'"]


def test_unclosed_front_matter_still_reads_the_criteria():
    rubric, issues = parse_rubric(FRONT.replace("---\n", "", 2).replace(
        "id:", "---\nid:") + "\n" + TWO.replace("weight: 40", "weight: 30"), PATH)
    assert rubric is None
    assert [str(i) for i in issues] == [
        "rubrics/test.md:1: the front matter is not closed: add a line '---' after its last "
        "'key: value' line",
        "rubrics/test.md:7: the criteria's weights total 90 (first 60, second 30): change the "
        "'weight:' lines so that they total exactly 100"]


def test_front_matter_bad_unknown_duplicate_and_missing_keys():
    rubric, issues = parse_rubric("---\nid: Bad_ID\ntitle: T\nkind: exam\nlanguage: fr\n"
                                  "area: demo\ntitle: Again\nnot a key line\n---\n\n" + TWO, PATH)
    assert rubric is None
    assert [str(i) for i in issues] == [
        "rubrics/test.md:2: rubric ID 'Bad_ID' is not valid: use 3 to 60 lowercase letters, "
        "digits and '-', starting and ending with a letter or digit, e.g. 'id: product-demo'",
        "rubrics/test.md:4: unknown kind 'exam': use demo, interview, project-review or "
        "professionalism",
        "rubrics/test.md:5: unknown language 'fr': use en or zh_CN",
        "rubrics/test.md:6: unknown front-matter key 'area': use id, title, kind or language",
        "rubrics/test.md:7: duplicate front-matter key 'title' (also line 3): keep one",
        "rubrics/test.md:8: 'not a key line' is not a 'key: value' line: the front matter holds "
        "only id, title, kind and language lines"]
    rubric, issues = parse_rubric("---\ntitle: T\n---\n\n" + TWO, PATH)
    assert [str(i) for i in issues] == [
        "rubrics/test.md:1: the front matter has no 'id' line: add 'id: product-demo'",
        "rubrics/test.md:1: the front matter has no 'kind' line: add 'kind: demo'",
        "rubrics/test.md:1: the front matter has no 'language' line: add 'language: en'"]


def test_rubric_ids_use_the_bank_id_alphabet():
    for good in ("abc", "product-demo-zh", "a" * 60, "360-review"):
        assert ok(TWO, FRONT.replace("test-rubric", good)).id == good
    for bad in ("ab", "a" * 61, "-demo", "demo-", "Demo", "产品", "demo_1"):
        shown = bad if len(bad) <= 60 else bad[:59] + "…"
        assert problems(TWO, FRONT.replace("test-rubric", bad)) == [
            f"rubrics/test.md:2: rubric ID '{shown}' is not valid: use 3 to 60 lowercase letters, "
            "digits and '-', starting and ending with a letter or digit, e.g. "
            "'id: product-demo'"]


def test_title_empty_or_too_long():
    assert problems(TWO, FRONT.replace("title: Test rubric", "title:")) == [
        "rubrics/test.md:3: empty title: write the rubric's name after 'title: '"]
    assert ok(TWO, FRONT.replace("title: Test rubric", "title: " + "题" * 200)).title == "题" * 200
    assert problems(TWO, FRONT.replace("title: Test rubric", "title: " + "x" * 201)) == [
        "rubrics/test.md:3: the title is 201 characters long: keep it to 200 or fewer"]


def test_a_rubric_needs_a_criterion():
    assert problems("Just a description.\n") == [str(Issue(
        PATH, FRONT_LINES + 1, "the rubric has no criteria: add one starting with a line "
        "'## key: Title' (e.g. '## communication: Communication'), then 'weight: 25', a blank "
        "line and its levels '- 1 = 0: ...'"))]
    rubric, issues = parse_rubric(FRONT, PATH)
    assert rubric is None and [i.line for i in issues] == [FRONT_LINES]


# -- heading errors -------------------------------------------------------------------------


def test_headings_need_a_key_and_a_title():
    assert problems(only(LEVELS).replace("## only: Only", "## Communication skills")) == [
        at(1, None, "the heading 'Communication skills' has no key: write '## key: Title', "
                    "e.g. '## communication-skills: Communication skills'")]
    assert problems(only(LEVELS).replace("## only: Only", "##")) == [
        at(1, None, "the heading has no criterion: write '## key: Title', e.g. "
                    "'## communication: Communication'")]
    assert problems(only(LEVELS).replace("## only: Only", "## only:")) == [
        at(1, "only", "the criterion has no title: write it after the colon, e.g. "
                      "'## only: Communication'")]
    assert problems(only(LEVELS).replace("Only", "x" * 201)) == [
        at(1, "only", "the title is 201 characters long: keep it to 200 or fewer")]


def test_criterion_keys_are_lowercase_letters_digits_and_dashes():
    for good in ("a", "q1", "time-and-structure", "x" * 40):
        assert ok(only(LEVELS).replace("## only:", f"## {good}:")).criteria[0].key == good
    for bad, hint in (("Communication", "communication"), ("time_and structure",
                      "time-and-structure"), ("x" * 41, "x" * 40), ("-a", "a"), ("沟通", None)):
        suggestion = hint or "criterion-1"
        assert problems(only(LEVELS).replace("## only:", f"## {bad}:")) == [
            at(1, None, f"criterion key '{bad}' is not valid: use 1 to 40 lowercase letters, "
                        "digits and '-', starting and ending with a letter or digit, e.g. "
                        f"'## {suggestion}: Only'")]


def test_a_full_width_colon_in_the_heading():
    assert problems(only(LEVELS).replace("## only: Only", "## communication：沟通")) == [
        at(1, None, "the heading uses a full-width colon '：': write the ASCII colon ':' after "
                    "the key, e.g. '## communication: 沟通'")]


def test_duplicate_criterion_keys_name_the_first():
    body = TWO.replace("## second: Second", "## first: Again")
    assert problems(body) == [
        at(8, "first", f"duplicate criterion key 'first' (also line {line(1)}): give each "
                       "criterion its own key")]


def test_a_level_2_heading_in_the_description_is_a_criterion():
    assert problems("## Background\n\nSome text.\n\n" + TWO)[0] == at(
        1, None, "the heading 'Background' has no key: write '## key: Title', e.g. "
                 "'## background: Background'")


# -- key-line errors ------------------------------------------------------------------------


def test_weight_is_required():
    assert problems(f"## only: Only\n\n{LEVELS}") == [
        at(1, "only", "missing 'weight: N' line: write it right after the heading, e.g. "
                      "'weight: 25' (the weights of all criteria total 100)")]
    assert problems(f"## only: Only\n\nSome guidance first.\n\n{LEVELS}") == [
        at(1, "only", "missing 'weight: N' line: write it right after the heading, e.g. "
                      "'weight: 25' (the weights of all criteria total 100)")]


@pytest.mark.parametrize("value", ["0", "-5", "1.255", "abc", "", "1e2", "25%", "0.00"])
def test_weight_must_be_positive_with_at_most_two_decimals(value):
    assert problems(only(LEVELS, weight=value)) == [
        at(2, "only", f"weight '{value}' is not valid: write a positive number with at most two "
                      "decimals, e.g. 'weight: 25' or 'weight: 12.5'")]


def test_unknown_and_duplicate_key_lines():
    body = only(LEVELS).replace("weight: 100", "weight: 100\npoints: 5\nweight: 100")
    assert problems(body) == [
        at(3, "only", "unknown key 'points': a criterion has only a 'weight: N' line (and leave a "
                      "blank line before the guidance)"),
        at(4, "only", f"duplicate key 'weight' (also line {line(2)}): keep one")]


def test_a_blank_line_must_follow_the_key_lines():
    body = only(LEVELS).replace("weight: 100\n\n", "weight: 100\nLook for the story.\n\n")
    assert problems(body) == [
        at(3, "only", "expected a blank line after the key lines: leave one empty line before "
                      "the guidance or the levels")]


def test_a_full_width_colon_after_weight():
    assert problems(only(LEVELS).replace("weight: 100", "weight：100")) == [
        at(2, "only", "'weight' is followed by a full-width colon '：': write 'weight: ...' with "
                      "the ASCII colon")]
    assert problems(only(LEVELS).replace("weight: 100", "weight：100\nweight: 100")) == [
        at(2, "only", "'weight' is followed by a full-width colon '：': write 'weight: ...' with "
                      "the ASCII colon"),
        at(3, "only", f"duplicate key 'weight' (also line {line(2)}): keep one")]


def test_the_weights_must_total_exactly_100():
    body = TWO.replace("weight: 40", "weight: 39.99")
    assert problems(body) == [
        at(1, None, "the criteria's weights total 99.99 (first 60, second 39.99): change the "
                    "'weight:' lines so that they total exactly 100")]
    body = TWO.replace("weight: 40", "weight: 45")
    assert problems(body)[0].endswith("the criteria's weights total 105 (first 60, second 45): "
                                      "change the 'weight:' lines so that they total exactly 100")
    assert problems(only(LEVELS, weight="50")) == [
        at(1, None, "the criteria's weights total 50 (only 50): change the 'weight:' lines so "
                    "that they total exactly 100")]


def test_the_total_is_not_reported_when_a_weight_is_already_wrong():
    assert problems(TWO.replace("weight: 40", "weight: forty")) == [
        at(9, "second", "weight 'forty' is not valid: write a positive number with at most two "
                        "decimals, e.g. 'weight: 25' or 'weight: 12.5'")]


# -- level errors ---------------------------------------------------------------------------


FORM = "'- LEVEL = POINTS: description', e.g. '- 3 = 50: Answers most questions'"


@pytest.mark.parametrize(("item", "message"), [
    ("- Good", f"'Good' is not a level: write {FORM}"),
    ("- 3: Good", f"'3: Good' is not a level: write {FORM}"),
    ("- 3 = 100 Good", f"'3 = 100 Good' has no ':' after the points: write {FORM}"),
    ("- 3 = 100：很好", f"'3 = 100：很好' uses a full-width colon '：': write the ASCII ':' after "
                       f"the points, as in {FORM}"),
    ("- 3 ＝ 100: 很好", f"'3 ＝ 100: 很好' uses a full-width '＝': write the ASCII '=', as in "
                        f"{FORM}"),
    ("- 11 = 100: Good", f"level '11' is not valid: the level is a whole number from 0 to 10, "
                         f"as in {FORM}"),
    ("- 2.5 = 100: Good", f"level '2.5' is not valid: the level is a whole number from 0 to 10, "
                          f"as in {FORM}"),
    ("- -1 = 100: Good", f"level '-1' is not valid: the level is a whole number from 0 to 10, "
                         f"as in {FORM}"),
    ("- = 100: Good", f"level '' is not valid: the level is a whole number from 0 to 10, as in "
                      f"{FORM}"),
    ("- 3 = -1: Good", f"points '-1' are not valid: write a number of 0 or more with at most two "
                       f"decimals (e.g. 50 or 12.5), as in {FORM}"),
    ("- 3 = 99.999: Good", f"points '99.999' are not valid: write a number of 0 or more with at "
                           f"most two decimals (e.g. 50 or 12.5), as in {FORM}"),
    ("- 3 = lots: Good", f"points 'lots' are not valid: write a number of 0 or more with at most "
                         f"two decimals (e.g. 50 or 12.5), as in {FORM}"),
    ("- 3 = 100:", f"the level has no description: write what a reviewer sees at this level after "
                   f"the colon, as in {FORM}"),
    ("- 3 = 100:   ", f"the level has no description: write what a reviewer sees at this level "
                      f"after the colon, as in {FORM}"),
])
def test_malformed_level_lines_say_the_expected_form(item, message):
    assert problems(only(f"- 1 = 0: Poor\n- 2 = 50: Fair\n{item}\n")) == [at(6, "only", message)]


def test_every_bad_part_of_a_level_line_is_reported():
    assert problems(only("- 1 = 0: Poor\n- 12 = x:\n")) == [
        at(5, "only", f"level '12' is not valid: the level is a whole number from 0 to 10, as in "
                      f"{FORM}"),
        at(5, "only", f"points 'x' are not valid: write a number of 0 or more with at most two "
                      f"decimals (e.g. 50 or 12.5), as in {FORM}"),
        at(5, "only", f"the level has no description: write what a reviewer sees at this level "
                      f"after the colon, as in {FORM}")]


def test_at_least_two_levels():
    assert problems(only("- 1 = 100: Good\n")) == [
        at(4, "only", f"a criterion needs at least two levels: add another {FORM}")]


def test_levels_must_ascend_in_the_order_written():
    assert problems(only("- 1 = 0: Poor\n- 3 = 50: Good\n- 2 = 100: Fair\n")) == [
        at(6, "only", "level 2 comes after level 3: list the levels in ascending order, lowest "
                      "first")]


def test_levels_must_be_unique():
    assert problems(only("- 1 = 0: Poor\n- 2 = 50: Fair\n- 2 = 100: Good\n")) == [
        at(6, "only", f"duplicate level 2 (also line {line(5)}): give each level its own number")]
    assert problems(only("- 1 = 0: Poor\n- 2 = 50: Fair\n- 3 = 60: Good\n- 1 = 100: Best\n")) == [
        at(7, "only", f"duplicate level 1 (also line {line(4)}): give each level its own number")]


def test_points_never_decrease_as_levels_ascend():
    assert problems(only("- 1 = 0: Poor\n- 2 = 50: Fair\n- 3 = 25: Good\n- 4 = 100: Best\n")) == [
        at(6, "only", "level 3 has 25 points, fewer than level 2 above it (50): a higher level "
                      "must be worth at least as much; write 50 or more")]


def test_the_highest_level_is_worth_more_than_zero():
    assert problems(only("- 1 = 0: Poor\n- 2 = 0.00: Fair\n")) == [
        at(5, "only", "the highest level (2) has 0 points: give it more than 0, e.g. "
                      "'- 2 = 100: ...'")]


def test_a_blank_line_inside_the_level_list():
    assert problems(only("- 1 = 0: Poor\n\n- 2 = 50: Fair\n- 3 = 100: Good\n")) == [
        at(5, "only", "blank line inside the level list: write the levels as one list without "
                      "blank lines (if the list above is part of the guidance, end the guidance "
                      "with a sentence)")]


def test_a_guidance_list_above_the_levels_stays_guidance():
    rubric = ok(only(f"Ask:\n\n- one easy question\n* one hard question\n\n{LEVELS}"))
    assert rubric.criteria[0].guidance == "Ask:\n\n- one easy question\n* one hard question"
    # ... unless its items start with a digit: then it looks like levels.
    assert problems(only(f"Ask:\n\n- 3 easy questions\n\n{LEVELS}"))[:2] == [
        at(6, "only", f"'3 easy questions' is not a level: write {FORM}"),
        at(7, "only", "blank line inside the level list: write the levels as one list without "
                      "blank lines (if the list above is part of the guidance, end the guidance "
                      "with a sentence)")]


def test_text_after_the_level_list():
    assert problems(only(f"{LEVELS}\nScore generously.\n")) == [
        at(8, "only", "text after the level list: the levels must come last in a criterion; "
                      "move this text above them, into the guidance")]


def test_a_level_description_is_one_line():
    assert problems(only("- 1 = 0: Poor\n- 2 = 100: Good and\n  continued here\n")) == [
        at(6, "only", "a level is one line: join this line to the level above it (its "
                      "description may not continue on the next line)")]


def test_a_criterion_without_levels():
    message = f"the criterion has no levels: end it with a list of at least two levels, {FORM}"
    assert problems(only("")) == [at(1, "only", message)]
    assert problems(only("Guidance only.\n\n- a guidance list\n\nand a closing line.\n")) == [
        at(1, "only", message)]
    # A criterion followed by another still needs its own levels.
    assert problems(f"## a: A\nweight: 50\n\n## b: B\nweight: 50\n\n{LEVELS}") == [
        at(1, "a", message)]


def test_an_unclosed_code_block():
    assert problems(only(f"```yaml\nkey: value\n\n{LEVELS}")) == [
        at(4, "only", "this code block is never closed: add a line '```' where it ends")]
    # A block that swallows every criterion is the only problem reported.
    assert problems(f"~~~~\nA description.\n\n{TWO}") == [
        at(1, None, "this code block is never closed: add a line '~~~~' where it ends")]


def test_every_problem_is_reported_in_line_order_with_its_criterion_key():
    body = """## first: First
weight: 60

- 1 = 0: Poor
- 1 = 50: Again

## Second
weight: 30

- 1 = 0: Poor

## third: Third
weight: 0

- Good
- 2 = 100: Best
"""
    rubric, issues = parse(body)
    assert rubric is None
    assert [(i.line, i.question_id, i.severity) for i in issues] == [
        (line(5), "first", "error"), (line(7), None, "error"), (line(10), None, "error"),
        (line(13), "third", "error"), (line(15), "third", "error")]
    assert errors_only(issues) == issues


# -- reading files --------------------------------------------------------------------------


def test_bom_and_windows_line_endings_are_accepted(tmp_path):
    text = FRONT + "\n" + TWO
    path = tmp_path / "r.md"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    rubric, issues = read_rubric_file(path)
    assert issues == []
    assert rubric.content() == parse_rubric(text, "x")[0].content()
    assert rubric.path == str(path)
    rubric, issues = read_rubric_file("upload.md", ("\ufeff" + text).encode())
    assert issues == [] and rubric.path == "upload.md"
    rubric, issues = parse_rubric("\ufeff" + text.replace("\n", "\r"), "old-mac.md")
    assert issues == [] and len(rubric.criteria) == 2


def test_a_file_that_is_not_utf8_gives_one_error_with_its_line():
    data = (FRONT + "\n" + TWO).replace("Second", "Caf\xe9").encode("latin-1")
    rubric, issues = read_rubric_file("latin.md", data)
    assert rubric is None
    assert [str(i) for i in issues] == [
        f"latin.md:{line(8)}: the file is not UTF-8 (byte 0xE9 on this line): save it as UTF-8"]
    rubric, issues = read_rubric_file("utf16.md", (FRONT + "\n" + TWO).encode("utf-16"))
    assert rubric is None
    assert [str(i) for i in issues] == [
        "utf16.md:1: the file is UTF-16, not UTF-8: save it as UTF-8"]


def test_a_missing_file_is_an_issue_not_an_exception(tmp_path):
    rubric, issues = read_rubric_file(tmp_path / "nope.md")
    assert rubric is None
    assert len(issues) == 1 and issues[0].line == 1
    assert issues[0].message.startswith("cannot read the file (")


# -- checks across files ------------------------------------------------------------------


def test_duplicate_rubric_ids_across_files_name_both(tmp_path):
    (tmp_path / "a.md").write_text(FRONT + "\n" + TWO, encoding="utf-8")
    (tmp_path / "b.md").write_text(FRONT.replace("Test rubric", "Copy") + "\n" + TWO,
                                   encoding="utf-8")
    (tmp_path / "c.md").write_text(FRONT.replace("test-rubric", "other") + "\n" + TWO,
                                   encoding="utf-8")
    a, b = str(tmp_path / "a.md"), str(tmp_path / "b.md")
    rubrics, issues = check_rubrics([tmp_path / "a.md", b, tmp_path / "c.md"])
    assert [r.id for r in rubrics] == ["test-rubric", "test-rubric", "other"]
    assert [str(i) for i in issues] == [
        f"{a}:2: duplicate rubric ID 'test-rubric': {b}:2 has the same ID; give each rubric its "
        "own ID",
        f"{b}:2: duplicate rubric ID 'test-rubric': {a}:2 has the same ID; give each rubric its "
        "own ID"]


def test_check_rubrics_reads_folders_and_sorts_issues_by_path_and_line(tmp_path):
    (tmp_path / "b.md").write_text(FRONT.replace("kind: demo", "kind: quiz") + "\n" + TWO,
                                   encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text(FRONT + "\n" + TWO.replace("weight: 40", "weight: 4"),
                                           encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a rubric", encoding="utf-8")
    (tmp_path / "c.md").write_text(FRONT.replace("test-rubric", "good-one") + "\n" + TWO,
                                   encoding="utf-8")
    rubrics, issues = check_rubrics([tmp_path])
    assert [r.id for r in rubrics] == ["good-one"]
    assert [(Path(i.path).name, i.line) for i in issues] == [("b.md", 4), ("a.md", line(1))]
    assert check_rubrics(tmp_path) == (rubrics, issues)
    assert check_rubrics(str(tmp_path / "c.md"))[0] == rubrics


# -- export, round trip and fingerprints ----------------------------------------------------


def test_export_is_canonical_markdown():
    rubric = ok("""

Intro.


## b-crit: Beta
weight:   62.50

Guide.

* 0=0:   None
+ 3 = 10.10: Some

## a: Alpha
weight: 37.5

- 1 = 0: x
- 2 = 1: y
""")
    assert export_rubric(rubric) == """---
id: test-rubric
title: Test rubric
kind: demo
language: en
---

Intro.

## b-crit: Beta
weight: 62.5

Guide.

- 0 = 0: None
- 3 = 10.1: Some

## a: Alpha
weight: 37.5

- 1 = 0: x
- 2 = 1: y
"""
    rubric = ok(TWO)
    assert export_rubric(rubric).startswith(FRONT + "\n## first: First\nweight: 60\n\n- 1 = 0:")


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_every_sample_rubric_round_trips_through_export(path):
    rubric, issues = read_rubric_file(path)
    assert issues == [], [str(i) for i in issues]
    text = export_rubric(rubric)
    again, issues = parse_rubric(text, "exported.md")
    assert issues == []
    assert again.content() == rubric.content()
    assert export_rubric(again) == text
    assert content_fingerprint(again) == content_fingerprint(rubric)


def test_the_round_trip_keeps_tricky_guidance():
    rubric = ok("""Description with `## not a heading` inline.

```text
## fenced: heading
- 1 = 0: fenced level
```

## only: Only
weight: 100

Key-looking first line: fine after the blank line.

- a guidance list

- 0 = 0: Level with `code`, **bold** and a = sign: and a colon
- 1 = 0.5: 中文描述：全角冒号
""")
    again, issues = parse_rubric(export_rubric(rubric), "again.md")
    assert issues == []
    assert again.content() == rubric.content()
    assert again.criteria[0].levels[0].description == (
        "Level with `code`, **bold** and a = sign: and a colon")


def test_content_leaves_out_path_and_lines():
    a = ok(TWO)
    b, issues = parse_rubric("\n".join(["---", "id: test-rubric", "title: Test rubric",
                                        "kind: demo", "language: en", "---", "", "", "", TWO]),
                             "elsewhere.md")
    assert issues == []
    assert a != b  # lines and path differ ...
    assert a.content() == b.content()  # ... the content does not
    assert a.content()["criteria"][0] == {
        "key": "first", "title": "First", "weight": "60", "guidance": "",
        "levels": [{"value": 1, "points": "0", "description": "Poor"},
                   {"value": 2, "points": "50", "description": "Fair"},
                   {"value": 3, "points": "100", "description": "Good"}]}


BASE = f"""Describe.

## first: First
weight: 60

Guide.

{LEVELS}
## second: Second
weight: 40

{LEVELS}"""


def fingerprint(body: str, front: str = FRONT) -> str:
    return content_fingerprint(ok(body, front))


def test_the_fingerprint_is_sha256_of_the_export():
    import hashlib

    rubric = ok(BASE)
    digest = content_fingerprint(rubric)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest == hashlib.sha256(export_rubric(rubric).encode("utf-8")).hexdigest()


@pytest.mark.parametrize(("old", "new"), [
    ("weight: 60", "weight: 59.5"),
    ("- 2 = 50: Fair", "- 2 = 40: Fair"),
    ("- 3 = 100: Good", "- 4 = 100: Good"),
    ("- 2 = 50: Fair", "- 2 = 50: Fine"),
    ("Describe.", "Describe it."),
    ("Guide.", "Guide them."),
    ("## first: First", "## first: The first"),
    ("## first: First", "## one: First"),
])
def test_the_fingerprint_changes_with_the_content(old, new):
    changed = BASE.replace(old, new, 1)
    if new == "weight: 59.5":
        changed = changed.replace("weight: 40", "weight: 40.5")
    assert changed != BASE
    assert fingerprint(changed) != fingerprint(BASE)


@pytest.mark.parametrize(("old", "new"), [
    ("title: Test rubric", "title: Other"), ("kind: demo", "kind: interview"),
    ("language: en", "language: zh_CN"), ("id: test-rubric", "id: test-rubric-2")])
def test_the_fingerprint_changes_with_the_front_matter(old, new):
    assert fingerprint(BASE, FRONT.replace(old, new)) != fingerprint(BASE)


def test_the_fingerprint_ignores_layout():
    relaid = ("\n\n\nDescribe.\n\n\n##   first:   First   \n\nweight:60\n\n\nGuide.\n\n\n"
              "*  1=0:Poor\n+ 2 = 50.00 :  Fair\n- 03 = 100.0: Good   \n\n\n\n"
              "## second: Second\nweight: 40.0\n\n- 1 = 0: Poor\n- 2 = 50: Fair\n- 3 = 100: Good")
    front = "---\nid:  test-rubric\ntitle:Test rubric  \n\nkind: demo\nlanguage: en\n---  \n"
    assert ok(relaid, front).content() == ok(BASE).content()
    assert fingerprint(relaid, front) == fingerprint(BASE)
    crlf = ("\ufeff" + FRONT + "\n" + BASE).replace("\n", "\r\n")
    assert content_fingerprint(parse_rubric(crlf, "x")[0]) == fingerprint(BASE)


# -- the sample rubrics ---------------------------------------------------------------------


def test_every_sample_rubric_lints_clean():
    expected = {"product-demo", "interview", "project-review", "professionalism"}
    assert {p.stem for p in SAMPLE_FILES} == expected | {f"{name}-zh" for name in expected}
    rubrics, issues = check_rubrics([SAMPLES])
    assert issues == [], [str(i) for i in issues]
    assert len(rubrics) == len(SAMPLE_FILES)
    assert len({r.id for r in rubrics}) == len(rubrics)
    for rubric in rubrics:
        assert rubric.id == Path(rubric.path).stem
        assert rubric.language == ("zh_CN" if rubric.id.endswith("-zh") else "en")
        assert rubric.description
        assert sum(c.weight for c in rubric.criteria) == 100
        for criterion in rubric.criteria:
            assert [lv.value for lv in criterion.levels] == [1, 2, 3, 4, 5], criterion.key
            assert [lv.points for lv in criterion.levels] == [0, 25, 50, 75, 100]
            assert all(len(lv.description) >= 20 for lv in criterion.levels), criterion.key


def test_english_and_chinese_samples_score_the_same_things():
    by_id = {r.id: r for r in check_rubrics([SAMPLES])[0]}
    kinds = {"product-demo": "demo", "interview": "interview", "project-review": "project-review",
             "professionalism": "professionalism"}
    for rubric_id, kind in kinds.items():
        en, zh = by_id[rubric_id], by_id[f"{rubric_id}-zh"]
        assert en.kind == zh.kind == kind
        assert [(c.key, c.weight) for c in en.criteria] == [(c.key, c.weight)
                                                            for c in zh.criteria]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.title + zh.criteria[0].title)
    demo = [c.key for c in by_id["product-demo"].criteria]
    assert demo == ["communication", "accuracy", "questions", "structure"]


# -- speed --------------------------------------------------------------------------------


def test_parsing_is_linear_and_fast_for_big_files():
    criteria = [f"## c{n}: Criterion {n}\nweight: 0.01\n\nLook for {n}.\n\n"
                + "".join(f"- {level} = {level * 10}: Level {level} of {n}\n"
                          for level in range(11))
                for n in range(10_000)]
    text = FRONT + "\nA big rubric.\n\n" + "\n".join(criteria)
    started = time.perf_counter()
    rubric, issues = parse_rubric(text, "big.md")
    elapsed = time.perf_counter() - started
    assert issues == [] and len(rubric.criteria) == 10_000
    assert sum(len(c.levels) for c in rubric.criteria) == 110_000
    assert elapsed < 10.0  # about 170,000 lines; only catches a quadratic blow-up
    # A single criterion with a huge guidance is linear too.
    guidance = "\n".join(f"- point {n}" if n % 3 else "" for n in range(60_000))
    started = time.perf_counter()
    rubric, issues = parse(only(f"{guidance}\n\nEnd of guidance.\n\n{LEVELS}"))
    assert issues == [] and time.perf_counter() - started < 5.0
