"""The Markdown question-bank format: every type, every error, encodings, cross-file checks,
export and round trip. Pure: no app, no database."""

from __future__ import annotations

import time

from app.banks.markdown_format import (
    check_banks,
    export_bank,
    lint_texts,
    parse_bank,
    read_bank_file,
)
from app.banks.questions import (
    Bank,
    Choice,
    NumericAnswer,
    Pair,
    Question,
    TextAnswer,
)
from app.content.authoring import Issue, errors_only

PATH = "banks/test.md"
FRONT = """---
id: test-bank
title: Test bank
area: product
language: en
tags: agents, licensing, 合规
---
"""
FRONT_LINES = FRONT.count("\n")  # the first question heading is on line FRONT_LINES + 2


def parse(body: str, front: str = FRONT, path: str = PATH):
    return parse_bank(front + "\n" + body, path)


def one(body: str) -> Question:
    bank, issues = parse(body)
    assert errors_only(issues) == [], [str(i) for i in issues]
    assert len(bank.questions) == 1
    return bank.questions[0]


def problems(body: str, front: str = FRONT) -> list[str]:
    bank, issues = parse(body, front)
    assert bank is None
    return [str(issue) for issue in issues]


def line(n: int) -> int:
    """Line n of the body (1-based) as a line of the file."""
    return FRONT_LINES + 1 + n


SINGLE = """## Q1
type: single

Which tier?

- [ ] Catalogue
- [x] Edge
- [ ] Control plane
"""


# -- Issue --------------------------------------------------------------------------------


def test_issue_is_printed_as_path_line_id_message():
    assert str(Issue("a.md", 3, "something is wrong", "Q-1")) == "a.md:3: [Q-1] something is wrong"
    assert str(Issue("a.md", 3, "odd", "Q-1", "warning")) == "a.md:3: [Q-1] warning: odd"
    assert str(Issue("a.md", 1, "no front matter")) == "a.md:1: no front matter"


# -- the types ----------------------------------------------------------------------------


def test_front_matter_makes_the_bank():
    bank, issues = parse(SINGLE)
    assert issues == []
    assert (bank.id, bank.title, bank.area, bank.language) == ("test-bank", "Test bank",
                                                                 "product", "en")
    assert bank.tags == ("agents", "licensing", "合规")
    assert bank.path == PATH


def test_single_choice_with_keys_feedback_and_explanation():
    q = one("""## DH-001
type: single
points: 2.5
difficulty: easy
tags: agents, 合规

Which tier of DataHub runs inside the customer's network?

- [ ] The catalogue tier
- [x] The edge tier (agents)
  > Right: agents sit next to the sources.
  > They connect outbound only.
- [ ] The control plane

> Agents run next to the source systems
> and connect outbound only.
""")
    assert (q.id, q.type, q.points, q.difficulty, q.tags) == ("DH-001", "single", 2.5, "easy",
                                                               ("agents", "合规"))
    assert q.line == line(1)
    assert q.stem == "Which tier of DataHub runs inside the customer's network?"
    assert q.choices == (
        Choice("The catalogue tier", False),
        Choice("The edge tier (agents)", True,
               feedback="Right: agents sit next to the sources.\nThey connect outbound only."),
        Choice("The control plane", False))
    assert q.explanation == "Agents run next to the source systems\nand connect outbound only."
    assert isinstance(q.points, float)


def test_defaults_points_1_and_medium_and_no_tags():
    q = one(SINGLE)
    assert (q.points, q.difficulty, q.tags, q.explanation) == (1.0, "medium", (), "")


def test_multiple_choice_with_weights():
    q = one("""## Q2
type: multiple

Which protocols?

- [x] %50% SAML 2.0
- [x] %50% OpenID Connect
- [ ] %-33.33% Kerberos tickets sent by e-mail
- [ ] LDAP anonymous bind
""")
    assert q.choices == (Choice("SAML 2.0", True, 50.0), Choice("OpenID Connect", True, 50.0),
                         Choice("Kerberos tickets sent by e-mail", False, -33.33),
                         Choice("LDAP anonymous bind", False))


def test_truefalse_in_english_and_chinese():
    q = one("## TF\ntype: truefalse\n\nAgents open inbound ports.\n\n- [ ] True\n- [x] False\n")
    assert q.choices == (Choice("True", False), Choice("False", True))
    q = one("## TF\ntype: truefalse\n\n代理需要入站端口。\n\n- [x] 错\n- [ ] 对\n")
    assert q.choices == (Choice("错", True), Choice("对", False))
    q = one("## TF\ntype: truefalse\n\n代理需要入站端口。\n\n- [ ] 正确\n- [X] 错误\n")
    assert q.choices[1] == Choice("错误", True)
    assert one("## TF\ntype: truefalse\n\nS\n\n- [x] true\n- [ ] false\n").choices[0].correct


def test_short_answers_literal_regex_weighted_and_chinese():
    q = one(r"""## SA
type: short

等保的英文缩写是什么？

- MLPS 2.0
- 等保2.0
- /ml\s*ps\s*2(\.0)?/
- %50% MLPS
  > Name the version, too.
- \/usr/bin/
- \%cpu
""")
    assert q.answers == (
        TextAnswer("MLPS 2.0"), TextAnswer("等保2.0"),
        TextAnswer(r"ml\s*ps\s*2(\.0)?", regex=True),
        TextAnswer("MLPS", weight=50.0, feedback="Name the version, too."),
        TextAnswer("/usr/bin/"), TextAnswer("%cpu"))


def test_numeric_values_tolerances_and_ranges():
    q = one("""## NU
type: numeric

How many minutes?

- 42
- 3.5 ± 0.25
- 100 +- 10
- %50% 40 .. 45
  > Close enough.
- -1.5e3
""")
    assert q.answers == (
        NumericAnswer(value=42.0), NumericAnswer(value=3.5, tolerance=0.25),
        NumericAnswer(value=100.0, tolerance=10.0),
        NumericAnswer(low=40.0, high=45.0, weight=50.0, feedback="Close enough."),
        NumericAnswer(value=-1500.0))


def test_matching_pairs_and_distractor():
    q = one("""## MA
type: matching

Match the law to its subject.

- PIPL -> Personal information protection
- MLPS 2.0 -> Classified protection
- 数据安全法 -> 数据分类分级
- -> Export licensing of encryption hardware
""")
    assert q.pairs == (Pair("PIPL", "Personal information protection"),
                       Pair("MLPS 2.0", "Classified protection"),
                       Pair("数据安全法", "数据分类分级"),
                       Pair(None, "Export licensing of encryption hardware"))


def test_ordering_takes_the_items_in_written_order_whatever_the_numbers():
    q = one("## OR\ntype: ordering\n\nPut in order.\n\n1. Qualify\n1. Discover\n7) Design\n")
    assert q.sequence == ("Qualify", "Discover", "Design")


def test_essay_with_word_limit_and_guidance():
    q = one("""## ES
type: essay
points: 5
words: 300

Write the follow-up e-mail.

- Names the business problem
- Proposes a next step

> Marked by hand.
""")
    assert (q.word_limit, q.points) == (300, 5.0)
    assert q.guidance == ("Names the business problem", "Proposes a next step")
    assert q.explanation == "Marked by hand."


def test_essay_without_guidance_keeps_a_stem_list_that_is_followed_by_text():
    q = one("## ES\ntype: essay\n\nCover:\n\n- the problem\n- the benefit\n\nBe brief.\n")
    assert q.guidance == ()
    assert q.stem == "Cover:\n\n- the problem\n- the benefit\n\nBe brief."
    q = one("## ES\ntype: essay\n\nWrite about it.\n\n> Marked by hand.\n")
    assert (q.stem, q.guidance, q.explanation) == ("Write about it.", (), "Marked by hand.")


def test_star_bullets_and_capital_x_are_accepted():
    q = one("## Q\ntype: single\n\nS\n\n* [ ] A\n* [X] B\n+ [ ] C\n")
    assert [c.correct for c in q.choices] == [False, True, False]


def test_escaped_percent_and_box_like_text_after_the_box():
    q = one("## Q\ntype: single\n\nS\n\n- [x] \\%50 of revenue\n- [ ] [ ] looks like a box\n")
    assert [c.text for c in q.choices] == ["%50 of revenue", "[ ] looks like a box"]


def test_the_stem_is_markdown_kept_verbatim():
    stem = ("Given this table:\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n- a plain list\n"
            "- in the stem  \n\n### A sub-heading\n\n> a quote in the stem\n\nWhich is right?")
    q = one(f"## Q\ntype: single\n\n\n{stem}\n\n\n- [x] A\n- [ ] B\n")
    assert q.stem == stem


def test_fenced_code_in_the_stem_is_not_structure():
    q = one("""## Q
type: multiple

Read the file:

```markdown
## NOT-A-QUESTION
- [x] not an option
```

~~~~
## neither
```
- [ ] nor this
~~~~

Which lines are options?

- [x] A
- [x] B
""")
    assert q.id == "Q"
    assert [c.text for c in q.choices] == ["A", "B"]
    assert "## NOT-A-QUESTION\n- [x] not an option" in q.stem and "- [ ] nor this" in q.stem


def test_blank_lines_between_heading_and_keys_and_in_the_explanation():
    q = one("## Q\n\ntype: single\n\nS\n\n- [x] A\n- [ ] B\n\n> one\n\n> two\n>\n> three\n\n")
    assert q.explanation == "one\n\ntwo\n\nthree"


def test_unicode_throughout():
    front = FRONT.replace("language: en", "language: zh_CN").replace("agents, ", "架构, ")
    bank, issues = parse("## ZH-1\ntype: single\ntags: 架构\n\n"
                         "哪一层运行在客户网络内？\n\n- [ ] 目录层\n- [x] 边缘层（代理）\n", front)
    assert issues == []
    q = bank.questions[0]
    assert (bank.language, q.tags, q.stem) == ("zh_CN", ("架构",), "哪一层运行在客户网络内？")
    assert q.choices[1] == Choice("边缘层（代理）", True)


def test_questions_come_in_file_order_with_their_lines():
    bank, issues = parse(SINGLE + "\n" + SINGLE.replace("Q1", "Q2"))
    assert issues == []
    assert [(q.id, q.line) for q in bank.questions] == [("Q1", line(1)), ("Q2", line(10))]


# -- front-matter errors ------------------------------------------------------------------


def test_missing_front_matter():
    bank, issues = parse_bank(SINGLE, PATH)
    assert bank is None
    assert [str(i) for i in issues] == [
        "banks/test.md:1: the file must start with front matter: a line '---', then "
        "'id: ...', 'title: ...', 'area: ...' and 'language: ...' lines, then '---'"]


def test_unclosed_front_matter_still_reads_the_questions():
    bank, issues = parse_bank("---\nid: a-bank\ntitle: T\narea: product\nlanguage: en\n\n"
                              + SINGLE.replace("- [x] Edge", "- [ ] Edge"), PATH)
    assert [str(i) for i in issues] == [
        "banks/test.md:1: the front matter is not closed: add a line '---' after its last "
        "'key: value' line",
        "banks/test.md:12: [Q1] single choice has no right option: mark the right one with [x]"]


def test_front_matter_bad_unknown_duplicate_and_missing_keys():
    bank, issues = parse_bank("---\nid: Bad_ID\ntitle: T\narea: sales\nlanguage: fr\n"
                              "owner: me\ntitle: Again\nnot a key line\n---\n\n" + SINGLE, PATH)
    assert bank is None
    assert [str(i) for i in issues] == [
        "banks/test.md:2: bank ID 'Bad_ID' is not valid: use 3 to 60 lowercase letters, digits "
        "and '-', starting and ending with a letter or digit, e.g. 'id: datahub-product'",
        "banks/test.md:4: unknown area 'sales': use one of product, industry, technical, "
        "communication, demonstration, project-management, teamwork, problem-solving, "
        "professionalism",
        "banks/test.md:5: unknown language 'fr': use en or zh_CN",
        "banks/test.md:6: unknown front-matter key 'owner': use id, title, area, language or tags",
        "banks/test.md:7: duplicate front-matter key 'title' (also line 3): keep one",
        "banks/test.md:8: 'not a key line' is not a 'key: value' line: the front matter holds "
        "only id, title, area, language and tags lines"]
    bank, issues = parse_bank("---\ntitle: T\n---\n\n" + SINGLE, PATH)
    assert [str(i) for i in issues] == [
        "banks/test.md:1: the front matter has no 'id' line: add 'id: datahub-product'",
        "banks/test.md:1: the front matter has no 'area' line: add 'area: product'",
        "banks/test.md:1: the front matter has no 'language' line: add 'language: en'"]


def test_title_empty_or_too_long():
    front = FRONT.replace("title: Test bank", "title:")
    assert problems(SINGLE, front) == [
        "banks/test.md:3: empty title: write the bank's name after 'title: '"]
    front = FRONT.replace("title: Test bank", "title: " + "x" * 201)
    assert problems(SINGLE, front) == [
        "banks/test.md:3: the title is 201 characters long: keep it to 200 or fewer"]


def test_bank_tags_must_be_lowercase_letters_digits_and_dashes():
    front = FRONT.replace("tags: agents, licensing, 合规", "tags: Agents, snake_case, ok,, -x")
    assert problems(SINGLE, front) == [
        "banks/test.md:6: tag 'Agents' is not valid: use lowercase letters, digits and '-', "
        "e.g. 'agents'",
        "banks/test.md:6: tag 'snake_case' is not valid: use lowercase letters, digits and '-', "
        "e.g. 'snake-case'",
        "banks/test.md:6: empty tag in 'Agents, snake_case, ok,, -x': separate tags with single "
        "commas, e.g. 'tags: architecture, agents'",
        "banks/test.md:6: tag '-x' is not valid: use lowercase letters, digits and '-', e.g. 'x'"]


def test_text_before_the_first_question():
    assert problems("Some notes for trainers.\n\n" + SINGLE) == [
        f"banks/test.md:{line(1)}: text before the first question: start each question with a "
        "line '## ID' (e.g. '## DH-001'), or remove the text"]


# -- question errors ----------------------------------------------------------------------


def test_invalid_and_missing_question_ids():
    assert problems(SINGLE.replace("## Q1", "## What is DataHub?")) == [
        f"banks/test.md:{line(1)}: question ID 'What is DataHub?' is not valid: use letters, "
        "digits, '-', '_' and '.' (up to 64, starting with a letter or digit), e.g. '## DH-001'"]
    assert problems(SINGLE.replace("## Q1", "##")) == [
        f"banks/test.md:{line(1)}: the heading has no question ID: write '## ID', "
        "e.g. '## DH-001'"]


def test_duplicate_question_id_in_one_file_names_the_first():
    assert problems(SINGLE + "\n" + SINGLE) == [
        f"banks/test.md:{line(10)}: [Q1] duplicate question ID 'Q1' (also line {line(1)}): "
        "give each question its own ID"]


def test_missing_and_unknown_type():
    assert problems("## Q1\npoints: 2\n\nS\n\n- [x] A\n- [ ] B\n") == [
        f"banks/test.md:{line(1)}: [Q1] missing 'type: ...' line: write it right after the "
        "heading, with one of single, multiple, truefalse, short, numeric, matching, ordering, "
        "essay"]
    assert problems(SINGLE.replace("type: single", "type: choice")) == [
        f"banks/test.md:{line(2)}: [Q1] unknown type 'choice': use one of single, multiple, "
        "truefalse, short, numeric, matching, ordering, essay"]


def test_unknown_and_duplicate_keys():
    assert problems(SINGLE.replace("type: single", "type: single\nlevel: 2\ntype: single")) == [
        f"banks/test.md:{line(3)}: [Q1] unknown key 'level': use type, points, difficulty, tags "
        "or words (and leave a blank line before the question text)",
        f"banks/test.md:{line(4)}: [Q1] duplicate key 'type' (also line {line(2)}): keep one"]


def test_bad_points_difficulty_and_words():
    body = SINGLE.replace("type: single", "type: essay\npoints: 1.255\ndifficulty: tricky\n"
                                          "words: many")
    assert problems(body)[:3] == [
        f"banks/test.md:{line(3)}: [Q1] points '1.255' is not valid: write a positive number "
        "with at most two decimals, e.g. 'points: 2' or 'points: 1.5'",
        f"banks/test.md:{line(4)}: [Q1] unknown difficulty 'tricky': use easy, medium or hard",
        f"banks/test.md:{line(5)}: [Q1] words 'many' is not valid: write the word limit as a "
        "whole number, e.g. 'words: 300'"]
    assert "points '0'" in problems(SINGLE.replace("type: single", "type: single\npoints: 0"))[0]


def test_words_on_a_single_choice_question():
    assert problems(SINGLE.replace("type: single", "type: single\nwords: 300")) == [
        f"banks/test.md:{line(3)}: [Q1] 'words' applies only to essays, not to single questions:"
        " remove the line, or use 'type: essay'"]


def test_question_tags_must_come_from_the_bank():
    assert problems(SINGLE.replace("type: single", "type: single\ntags: agents, pricing")) == [
        f"banks/test.md:{line(3)}: [Q1] tag 'pricing' is not in the bank's tags: use one of "
        "agents, licensing, 合规, or add 'pricing' to the front matter's 'tags:' line"]
    untagged = FRONT.replace("tags: agents, licensing, 合规\n", "")
    assert problems(SINGLE.replace("type: single", "type: single\ntags: agents"), untagged) == [
        f"banks/test.md:{line(2)}: [Q1] tag 'agents' is not declared: this bank has no tags, "
        "add 'tags: agents' to the front matter"]


def test_a_blank_line_must_follow_the_key_lines():
    assert problems(SINGLE.replace("type: single\n\n", "type: single\n")) == [
        f"banks/test.md:{line(3)}: [Q1] expected a blank line after the key lines: leave one "
        "empty line before the question text"]


def test_empty_stem():
    assert problems("## Q1\ntype: single\n\n- [x] A\n- [ ] B\n") == [
        f"banks/test.md:{line(1)}: [Q1] empty stem: write the question text between the key "
        "lines and the answers"]


def test_single_choice_with_two_right_options():
    body = SINGLE.replace("- [ ] Catalogue", "- [x] Catalogue")
    assert problems(body) == [
        f"banks/test.md:{line(6)}: [Q1] single choice has 2 right options (lines {line(6)}, "
        f"{line(7)}): mark exactly one with [x], or use type: multiple"]


def test_choice_without_right_option_or_with_one_option():
    assert problems(SINGLE.replace("[x]", "[ ]")) == [
        f"banks/test.md:{line(6)}: [Q1] single choice has no right option: mark the right one "
        "with [x]"]
    body = "## Q1\ntype: multiple\n\nS\n\n- [ ] A\n- [ ] B\n"
    assert problems(body) == [
        f"banks/test.md:{line(6)}: [Q1] multiple choice has no right option: mark every right "
        "one with [x]"]
    assert problems("## Q1\ntype: single\n\nS\n\n- [x] A\n") == [
        f"banks/test.md:{line(6)}: [Q1] single choice needs at least two options: add another "
        "'- [ ] ...' line"]


def test_choice_options_need_a_box_and_must_not_be_empty():
    assert problems("## Q1\ntype: single\n\nS\n\n- A\n- B\n") == [
        f"banks/test.md:{line(7)}: [Q1] options need a box: write '- [x] right option' or "
        "'- [ ] wrong option'"]
    assert problems("## Q1\ntype: single\n\nS\n\n- [x]\n- [ ] B\n") == [
        f"banks/test.md:{line(6)}: [Q1] empty answer: write the option after the marker"]


def test_truefalse_must_be_true_and_false_with_one_marked():
    expected = (f"banks/test.md:{line(6)}: [Q1] true/false needs exactly the two options 'True' "
                "and 'False' (or 对/错, 正确/错误): write '- [x] True' and '- [ ] False' and mark "
                "the right one")
    assert problems("## Q1\ntype: truefalse\n\nS\n\n- [x] Yes\n- [ ] No\n") == [expected]
    assert problems("## Q1\ntype: truefalse\n\nS\n\n- [x] True\n- [ ] 错\n") == [expected]
    assert problems("## Q1\ntype: truefalse\n\nS\n\n- [x] True\n- [x] False\n") == [
        f"banks/test.md:{line(6)}: [Q1] true/false has 2 options marked [x]: mark exactly one, "
        "the right one"]


def test_short_answer_needs_answers_and_valid_regexes():
    assert problems("## Q1\ntype: short\n\nWhat is MLPS?\n") == [
        f"banks/test.md:{line(1)}: [Q1] no accepted answers: after the question text, add "
        "'- accepted answer' lines"]
    assert problems("## Q1\ntype: short\n\nS\n\n- MLPS\n- /ml(ps/\n") == [
        f"banks/test.md:{line(7)}: [Q1] invalid regular expression /ml(ps/: missing ), "
        "unterminated subpattern at position 2; fix it, or write the answer as plain text "
        "(start it with '\\/' for a literal '/')"]
    assert "empty regular expression" in problems("## Q1\ntype: short\n\nS\n\n- //\n")[0]


def test_boxes_are_only_for_choice_types():
    assert problems("## Q1\ntype: short\n\nS\n\n- [x] MLPS\n- [ ] DSL\n") == [
        f"banks/test.md:{line(6)}: [Q1] '[ ]' and '[x]' boxes are only for single, multiple and "
        "truefalse questions: write '- accepted answer' lines"]


def test_numeric_items_must_be_numbers_tolerances_or_ranges():
    assert problems("## Q1\ntype: numeric\n\nS\n\n- forty-two\n- 45 .. 40\n- 3 ± -1\n"
                    "- 1,000\n") == [
        f"banks/test.md:{line(6)}: [Q1] 'forty-two' is not a number: write 42, 42 ± 0.5 or "
        "40 .. 45",
        f"banks/test.md:{line(7)}: [Q1] the range 45 .. 40 is backwards: write the lower number "
        "first (40 .. 45)",
        f"banks/test.md:{line(8)}: [Q1] the tolerance -1 is negative: write it without a sign, "
        "e.g. 3 ± 1",
        f"banks/test.md:{line(9)}: [Q1] '1,000' is not a number: write 42, 42 ± 0.5 or 40 .. 45"]


def test_matching_needs_two_real_pairs_with_arrows():
    assert problems("## Q1\ntype: matching\n\nS\n\n- PIPL -> Privacy\n- -> Export\n") == [
        f"banks/test.md:{line(6)}: [Q1] matching needs at least two pairs 'left -> right': add "
        "another '- left -> right' line"]
    assert problems("## Q1\ntype: matching\n\nS\n\n- PIPL -> Privacy\n- DSL: data\n"
                    "- MLPS ->\n- A -> B\n") == [
        f"banks/test.md:{line(7)}: [Q1] 'DSL: data' has no '->': write 'left -> right' (or "
        "'- -> right' for a distractor)",
        f"banks/test.md:{line(8)}: [Q1] nothing right of '->' in 'MLPS ->': write "
        "'left -> right'"]


def test_ordering_needs_two_numbered_items():
    assert problems("## Q1\ntype: ordering\n\nS\n\n1. Only one\n") == [
        f"banks/test.md:{line(6)}: [Q1] ordering needs at least two items: list them in the "
        "right order as '1. first', '2. second'"]
    assert problems("## Q1\ntype: ordering\n\nS\n\n- First\n- Second\n") == [
        f"banks/test.md:{line(7)}: [Q1] ordering items are numbered: write them in the right "
        "order as '1. first', '2. second', ..."]


def test_an_essay_has_no_choices():
    assert problems("## Q1\ntype: essay\n\nS\n\n- [x] Good\n- [ ] Bad\n") == [
        f"banks/test.md:{line(6)}: [Q1] an essay has no options: write marking guidance as "
        "'- point' lines without [ ] or [x], or use type: single or multiple"]


def test_weights_must_be_percentages_where_weights_apply():
    assert problems("## Q1\ntype: single\n\nS\n\n- [x] %150% A\n- [ ] %half% B\n") == [
        f"banks/test.md:{line(6)}: [Q1] weight 150% is outside -100 to 100: write a percentage "
        "between -100 and 100, e.g. '%50%'",
        f"banks/test.md:{line(7)}: [Q1] '%half% B' starts with '%' but is not a weight: write a "
        "weight as '%50%' (-100 to 100), or '\\%' for a literal '%'"]
    assert problems("## Q1\ntype: ordering\n\nS\n\n1. %50% A\n2. B\n") == [
        f"banks/test.md:{line(6)}: [Q1] weights are not used in ordering questions: remove "
        "'%50%' (write '\\%' for a literal '%')"]


def test_feedback_only_where_the_model_keeps_it():
    assert problems("## Q1\ntype: matching\n\nS\n\n- A -> 1\n  > why\n- B -> 2\n") == [
        f"banks/test.md:{line(6)}: [Q1] feedback is not used in matching questions: move it into"
        " the explanation ('> ' lines after the answers)"]


def test_text_after_the_answers():
    assert problems(SINGLE + "\nBecause agents connect outbound.\n") == [
        f"banks/test.md:{line(10)}: [Q1] text after the answer list: the answers must come last "
        "(only '>' explanation lines may follow them); move this text above the answers, or "
        "start it with '> '"]


def test_blank_line_inside_the_answer_list():
    assert problems(SINGLE.replace("- [x] Edge", "\n- [x] Edge")) == [
        f"banks/test.md:{line(7)}: [Q1] blank line inside the answer list: write the answers as "
        "one list without blank lines (if the list above is part of the question text, end the "
        "question text with a sentence)"]


def test_unclosed_code_block():
    assert problems("## Q1\ntype: essay\n\nS\n\n```python\nprint(1)\n\n## Q2\n") == [
        f"banks/test.md:{line(6)}: [Q1] this code block is never closed: add a line '```' where "
        "it ends"]


def test_every_problem_in_the_file_is_reported_in_line_order():
    body = (SINGLE.replace("[x]", "[ ]") + "\n" + SINGLE.replace("Q1", "Q2")
            .replace("type: single", "type: nonsense") + "\n## Q3\ntype: short\n\nS?\n")
    found = problems(body)
    assert [f.split(": ", 1)[0] for f in found] == [
        f"banks/test.md:{line(6)}", f"banks/test.md:{line(11)}", f"banks/test.md:{line(19)}"]
    assert ["[Q1]" in found[0], "[Q2]" in found[1], "[Q3]" in found[2]] == [True] * 3


# -- warnings -----------------------------------------------------------------------------


def test_warnings_do_not_fail_the_bank():
    body = SINGLE.replace("- [ ] Control plane", "- [ ] edge ") + "\n" + SINGLE.replace(
        "Q1", "Q2").replace("Which tier?", "x" * 5001)
    bank, issues = parse(body)
    assert bank is not None and len(bank.questions) == 2
    assert [str(i) for i in issues] == [
        f"banks/test.md:{line(8)}: [Q1] warning: duplicate option text 'edge' (also line "
        f"{line(7)}): remove or reword one",
        f"banks/test.md:{line(10)}: [Q2] warning: the stem is 5,001 characters long (more than "
        "5,000): shorten it, or move background material into a course"]
    assert errors_only(issues) == []


def test_a_bank_without_questions_is_a_warning():
    bank, issues = parse_bank(FRONT, PATH)
    assert bank is not None and bank.questions == []
    assert [i.severity for i in issues] == ["warning"]


# -- encodings ----------------------------------------------------------------------------


def test_bom_and_windows_line_endings_are_accepted():
    data = ("\ufeff" + FRONT + "\n" + SINGLE).replace("\n", "\r\n").encode("utf-8")
    bank, issues = read_bank_file(data, PATH)
    assert issues == []
    q = bank.questions[0]
    assert (q.stem, q.line, q.choices[1].text) == ("Which tier?", line(1), "Edge")
    bank, issues = read_bank_file((FRONT + "\n" + SINGLE).replace("\n", "\r").encode(), PATH)
    assert issues == [] and bank.questions[0].line == line(1)


def test_a_file_that_is_not_utf8_gives_one_error_with_its_line():
    data = (FRONT + "\n" + SINGLE).encode("utf-8").replace(b"Edge", b"\xc9dge")
    bank, issues = read_bank_file(data, PATH)
    assert bank is None
    assert [str(i) for i in issues] == [
        f"banks/test.md:{line(7)}: the file is not UTF-8 (byte 0xC9 on this line): save it as "
        "UTF-8"]
    bank, issues = read_bank_file(data.replace(b"\n", b"\r\n"), PATH)
    assert [i.line for i in issues] == [line(7)]


# -- across files -------------------------------------------------------------------------


def test_duplicate_question_ids_across_files_name_both_places():
    other = FRONT.replace("id: test-bank", "id: other-bank")
    banks, issues = lint_texts([
        ("b.md", (other + "\n" + SINGLE.replace("Q1", "Q9") + "\n" + SINGLE).encode()),
        ("a.md", (FRONT + "\n" + SINGLE).encode())])
    assert [b.path for b in banks] == ["b.md", "a.md"]
    assert [str(i) for i in issues] == [
        f"a.md:{line(1)}: [Q1] duplicate question ID 'Q1': also at b.md:{line(10)}; question IDs"
        " must be unique across all banks, rename one",
        f"b.md:{line(10)}: [Q1] duplicate question ID 'Q1': also at a.md:{line(1)}; question IDs"
        " must be unique across all banks, rename one"]


def test_duplicate_bank_ids_name_both_files():
    first, _ = parse(SINGLE, path="a.md")
    second, _ = parse(SINGLE.replace("Q1", "Q2"), path="b.md")
    assert [str(i) for i in check_banks([first, second])] == [
        "a.md:1: duplicate bank ID 'test-bank': b.md:1 has the same ID; give each bank its own ID",
        "b.md:1: duplicate bank ID 'test-bank': a.md:1 has the same ID; give each bank its own ID"]


def test_lint_reads_every_file_and_sorts_issues_by_path_and_line():
    banks, issues = lint_texts([
        ("z.md", b"not utf-8 \xff"),
        ("m.md", (FRONT + "\n" + SINGLE.replace("[x]", "[ ]")).encode()),
        ("a.md", (FRONT.replace("test-bank", "a-bank") + "\n" + SINGLE.replace(
            "Q1", "A1")).encode())])
    assert [b.id for b in banks] == ["a-bank"]
    assert [(i.path, i.line) for i in issues] == [("m.md", line(6)), ("z.md", 1)]


# -- export and round trip ----------------------------------------------------------------

EVERY_TYPE = r"""---
id: every-type
title: 每种题型 — every type
area: technical
language: zh_CN
tags: basics, 合规
---

## T-SINGLE
type: single
points: 2
difficulty: hard
tags: basics, 合规

哪一层运行在客户网络内？

```text
## not a heading
- [x] not an option
```

- [ ] %-25% 目录层
  > 目录层在云端。
  >
  > 再想想。
- [x] 边缘层（代理）
- [ ] \%100 control plane

> 代理只建立出站连接。
>
> Second paragraph.

## T-MULTIPLE
type: multiple
points: 1.5

Which protocols?

- [x] %50% SAML 2.0
- [x] %50% OpenID Connect
- [ ] [ ] Kerberos
  > Not for single sign-on.

## T-TF
type: truefalse
difficulty: easy

代理需要开放入站端口。

- [ ] 对
- [x] 错

## T-SHORT
type: short

等保的英文缩写是什么？

- MLPS 2.0
- 等保2.0
- /ml\s*ps\s*2(\.0)?/
- %50% MLPS
  > 请写出版本。
- \/usr/bin/
- \%cpu

## T-NUMERIC
type: numeric

How many minutes of downtime does 99.9% allow in 30 days?

- 43.2
- 43 ± 0.5
- %50% 40 .. 45
  > Close.
- -1e-05

## T-MATCHING
type: matching

Match the law to its subject.

- PIPL -> Personal information protection
- 数据安全法 -> 数据分类分级
- \%x -> y
- -> Export licensing

## T-ORDERING
type: ordering

Put the steps in order.

1. Qualify
2. 发现研讨会
3. \%Design

## T-ESSAY
type: essay
points: 5
words: 300

写一封跟进邮件。

- 先讲客户的业务问题
- Proposes a next step

> Marked by hand.

## T-ESSAY-BARE
type: essay

Write freely.
"""


def test_export_then_parse_gives_the_same_questions_for_every_type():
    original, issues = parse_bank(EVERY_TYPE, "every.md")
    assert issues == []
    assert {q.type for q in original.questions} == {
        "single", "multiple", "truefalse", "short", "numeric", "matching", "ordering", "essay"}
    text = export_bank(original)
    again, issues = parse_bank(text, "exported.md")
    assert issues == []
    assert [q.content() for q in again.questions] == [q.content() for q in original.questions]
    assert (again.id, again.title, again.area, again.language, again.tags) == (
        original.id, original.title, original.area, original.language, original.tags)
    assert export_bank(again) == text


def test_export_is_canonical_markdown():
    bank = Bank(id="tiny-bank", title="Tiny", area="product", language="en", tags=("a",),
                questions=[
                    Question(id="Q1", type="single", stem="Which?", points=2.0, tags=("a",),
                             choices=(Choice("%50 off", True, weight=100.0, feedback="Yes"),
                                      Choice("No", False))),
                    Question(id="Q2", type="numeric", stem="How many?", difficulty="easy",
                             answers=(NumericAnswer(value=42.0),
                                      NumericAnswer(value=3.5, tolerance=0.25),
                                      NumericAnswer(low=40.0, high=45.0, weight=50.0)),
                             explanation="Because.\n\nReally."),
                    Question(id="Q3", type="matching", stem="Match.",
                             pairs=(Pair("A", "1"), Pair("B", "2"), Pair(None, "3"))),
                    Question(id="Q4", type="ordering", stem="Order.", sequence=("x", "y")),
                    Question(id="Q5", type="essay", stem="Write.", word_limit=200,
                             guidance=("Point",)),
                ])
    assert export_bank(bank) == """---
id: tiny-bank
title: Tiny
area: product
language: en
tags: a
---

## Q1
type: single
points: 2
tags: a

Which?

- [x] %100% \\%50 off
  > Yes
- [ ] No

## Q2
type: numeric
difficulty: easy

How many?

- 42
- 3.5 ± 0.25
- %50% 40 .. 45

> Because.
>
> Really.

## Q3
type: matching

Match.

- A -> 1
- B -> 2
- -> 3

## Q4
type: ordering

Order.

1. x
2. y

## Q5
type: essay
words: 200

Write.

- Point
"""
    again, issues = parse_bank(export_bank(bank), "x.md")
    assert issues == []
    assert [q.content() for q in again.questions] == [q.content() for q in bank.questions]


# -- speed --------------------------------------------------------------------------------


def test_linting_is_fast_enough_for_thousands_of_questions():
    blocks = [SINGLE.replace("Q1", f"S{n}") for n in range(2500)] + [
        f"## N{n}\ntype: numeric\n\nHow many?\n\n- 42\n- 40 .. 45\n\n> Why.\n" for n in range(2500)]
    data = (FRONT + "\n" + "\n".join(blocks)).encode()
    started = time.perf_counter()
    banks, issues = lint_texts([("big.md", data)])
    elapsed = time.perf_counter() - started
    assert issues == [] and len(banks[0].questions) == 5000
    assert elapsed < 5.0  # the benchmark wants >= 5,000 questions/s; this only catches blow-ups


def test_the_explanation_must_come_last():
    assert problems(SINGLE + "\n> Because.\n  > stray feedback\n") == [
        f"banks/test.md:{line(10)}: [Q1] the explanation must be the last thing in the question:"
        " move the lines after it (indented '  > ' feedback or answers) up, under their answers"]
