"""Moodle GIFT files read into the question-bank model (pure: no app, no database)."""

from __future__ import annotations

import html
import re

import pytest

from app.banks.gift import read_gift
from app.banks.markdown_format import export_bank, parse_bank
from app.banks.questions import Choice, NumericAnswer, Pair, TextAnswer
from app.content.markdown import render_markdown

BANK_ID = "dh-gift"


def read(text: str, **options):
    return read_gift(text, "quiz.gift", BANK_ID, **options)


def one(text: str, **options):
    """The only question of a file that must read without errors or warnings."""
    bank, issues = read(text, **options)
    assert issues == []
    assert bank is not None and len(bank.questions) == 1
    return bank.questions[0]


def errors(text: str, **options) -> list[tuple[int, str]]:
    """(line, message) of every error; the bank must be refused."""
    bank, issues = read(text, **options)
    assert bank is None
    return [(issue.line, issue.message) for issue in issues if issue.severity == "error"]


def warnings(issues) -> list[tuple[int, str]]:
    return [(issue.line, issue.message) for issue in issues if issue.severity == "warning"]


def shown(markdown: str) -> str:
    """What a reader sees once our renderer has turned the Markdown into HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", render_markdown(markdown).html)).strip()


# --- question types ---------------------------------------------------------------------------
def test_multiple_choice_with_one_right_answer_is_single_choice():
    question = one("Who is buried in Grant's tomb? {~Grant ~Jefferson =no one}")
    assert question.type == "single"
    assert question.stem == "Who is buried in Grant's tomb?"
    assert question.choices == (Choice("Grant", False), Choice("Jefferson", False),
                                Choice("no one", True))
    assert (question.points, question.difficulty, question.line) == (1.0, "medium", 1)


def test_answers_may_stand_on_separate_indented_lines():
    question = one("The American holiday of Thanksgiving is on which Thursday? {\n"
                   "    ~second\n    ~third\n    =fourth\n}\n")
    assert [c.text for c in question.choices] == ["second", "third", "fourth"]
    assert [c.correct for c in question.choices] == [False, False, True]


def test_several_equals_signs_in_a_choice_block_all_earn_full_marks_with_a_notice():
    bank, issues = read("Pick {\n=a\n=b\n~c\n}")
    assert bank.questions[0].type == "single"
    assert bank.questions[0].choices == (Choice("a", True), Choice("b", False, 100.0),
                                         Choice("c", False))
    assert warnings(issues) == [(1, "2 answers earn full marks ('a', 'b'): a learner choosing "
                                    "any of them is right, as in Moodle; 'a' is shown as the "
                                    "right answer")]


def test_weights_sharing_100_percent_make_a_multiple_choice_question():
    question = one("Which protocols? {~%50%SAML ~%50%OIDC ~%-50%Kerberos ~%-100%by e-mail}")
    assert question.type == "multiple"
    # the shares our scoring gives options without a weight (+100/R, -100/W) are no weight
    assert question.choices == (Choice("SAML", True), Choice("OIDC", True),
                                Choice("Kerberos", False), Choice("by e-mail", False, -100.0))


def test_weights_in_thirds_are_close_enough_to_100_percent():
    question = one("Pick {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")
    assert question.type == "multiple"
    assert [c.correct for c in question.choices] == [True, True, True, False]


def test_without_an_equals_answer_the_block_is_multiple_response_whatever_the_weights():
    question = one("Pick {~%100%best ~wrong ~%-100%harmful}")
    assert question.type == "multiple"
    assert question.choices == (Choice("best", True), Choice("wrong", False, 0.0),
                                Choice("harmful", False, -100.0))


def test_partial_credit_beside_an_equals_answer_keeps_every_weight():
    question = one("Pick {=best ~%25%partly ~%-50%harmful ~wrong}")
    assert question.type == "single"
    assert [c.weight for c in question.choices] == [None, 25.0, -50.0, None]
    assert [c.correct for c in question.choices] == [True, False, False, False]


@pytest.mark.parametrize(("block", "total", "earned"), [
    ("{~%50%a ~%30%b ~c}", "80", "80"), ("{~%100%a ~%100%b}", "200", "100"),
])
def test_weights_that_do_not_add_up_to_100_percent_are_read_with_a_notice(block, total, earned):
    bank, issues = read(f"Pick\n{block}")
    assert bank.questions[0].type == "multiple"
    assert warnings(issues) == [(2, f"the right answers' weights add up to {total}%: a learner "
                                    f"choosing all of them earns {earned}% (Moodle imports it "
                                    "so, with a notice); make the positive weights add up to "
                                    "100%")]


def test_a_choice_block_without_any_right_answer_is_an_error():
    found = errors("Pick\n{~a ~b}")
    assert len(found) == 1 and found[0][0] == 2
    assert "no right answer: mark it with `=`" in found[0][1]


@pytest.mark.parametrize("weight", ["%150%", "%half%", "%50"])
def test_a_malformed_weight_is_an_error_on_its_line(weight):
    found = errors(f"Pick {{\n=a\n~{weight}b\n}}")
    assert found == [(3, "a weight must be a percentage from -100 to 100 between two `%`, such "
                         "as `%50%` or `%-25%`")]


def test_feedback_of_each_answer_is_kept_with_it():
    question = one("What's between orange and green? {=yellow # right; good! "
                   "~red # wrong, it's yellow ~blue}")
    assert [c.feedback for c in question.choices] == ["right; good!", "wrong, it's yellow", ""]
    assert question.choices[0].text == "yellow"


def test_general_feedback_becomes_the_explanation():
    question = one("Pick {=a ~b ####Because a is how it works.}")
    assert question.explanation == "Because a is how it works."
    assert [c.text for c in question.choices] == ["a", "b"]


@pytest.mark.parametrize(("block", "truth"), [
    ("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False),
])
def test_true_false(block, truth):
    question = one(f"The edge tier runs inside the customer's network. {block}")
    assert question.type == "truefalse"
    assert question.choices == (Choice("True", truth), Choice("False", not truth))
    assert question.stem == "The edge tier runs inside the customer's network."


def test_true_false_feedback_is_first_for_a_wrong_answer_then_for_the_right_one():
    right = one("Agents connect outbound. {TRUE#No, they do.#Yes, outbound only.####Always.}")
    assert right.choices == (Choice("True", True, None, "Yes, outbound only."),
                             Choice("False", False, None, "No, they do."))
    assert right.explanation == "Always."
    wrong = one("Agents need inbound ports. {F#They do not.#Right.}")
    assert wrong.choices == (Choice("True", False, None, "They do not."),
                             Choice("False", True, None, "Right."))


def test_true_false_in_a_chinese_bank_says_zheng_que_and_cuo_wu():
    question = one("代理只进行出站连接。{T}", language="zh_CN")
    assert [c.text for c in question.choices] == ["正确", "错误"]


def test_short_answer_keeps_every_answer_with_weight_and_feedback():
    question = one("Which standard? {=MLPS 2.0 =等保2.0#Chinese name =%50%MLPS#Which version?}")
    assert question.type == "short"
    assert question.answers == (TextAnswer("MLPS 2.0"),
                                TextAnswer("等保2.0", feedback="Chinese name"),
                                TextAnswer("MLPS", weight=50.0, feedback="Which version?"))


def test_short_answer_wildcards_become_regular_expressions():
    question = one(r"Name it {=MLPS* =C\*A}")
    assert question.answers == (TextAnswer("MLPS.*", regex=True), TextAnswer("C*A"))


def test_short_answer_where_no_answer_earns_full_marks_is_read_with_a_notice():
    bank, issues = read("Name it {=%50%a =%20%b}")
    assert [a.weight for a in bank.questions[0].answers] == [50.0, 20.0]
    assert warnings(issues) == [
        (1, "no answer earns full marks: the best earns 50% (Moodle imports it so, with a "
            "notice); leave the weight off the right answer, or write `=%100%`")]


def test_numeric_value_with_tolerance():
    question = one("What is pi to two places? {#3.14:0.005}")
    assert question.type == "numeric"
    assert question.answers == (NumericAnswer(value=3.14, tolerance=0.005),)


def test_numeric_value_alone_and_negative_numbers():
    assert one("Freezing point in Celsius? {#0}").answers == (NumericAnswer(value=0.0),)
    assert one("Lowest? {#-40:1.5}").answers == (NumericAnswer(value=-40.0, tolerance=1.5),)


def test_numeric_range():
    question = one("A number from 1 to 5? {#1..5}")
    assert question.answers == (NumericAnswer(low=1.0, high=5.0),)


def test_numeric_multiple_answers_with_weights_and_feedback():
    question = one("When was Grant born? {#\n=%100%1822:0 #Right\n=%50%1822:2 #Close\n"
                   "=1800..1900\n####Grant was born in 1822.}")
    assert question.answers == (
        NumericAnswer(value=1822.0, tolerance=0.0, feedback="Right"),
        NumericAnswer(value=1822.0, tolerance=2.0, weight=50.0, feedback="Close"),
        NumericAnswer(low=1800.0, high=1900.0))
    assert question.explanation == "Grant was born in 1822."


@pytest.mark.parametrize(("block", "expected"), [
    ("{#abc}", "'abc' is not a numerical answer"),
    ("{#3,14}", "with a decimal point"),
    ("{#}", "'(nothing)' is not a numerical answer"),
    ("{#5..1}", "the range 5..1 runs backwards"),
    ("{#3:-1}", "the tolerance in 3:-1 is negative"),
    ("{#~3}", "'(nothing)' is not a numerical answer"),
])
def test_malformed_numeric_answers_are_errors(block, expected):
    found = errors(f"How many?\n{block}")
    assert len(found) == 1 and found[0][0] == 2
    assert expected in found[0][1]


def test_matching_pairs_with_a_distractor():
    question = one("Match the law to its subject. {\n =PIPL -> Personal information\n"
                   " =DSL -> Data security\n = -> Export licensing\n}")
    assert question.type == "matching"
    assert question.pairs == (Pair("PIPL", "Personal information"), Pair("DSL", "Data security"),
                              Pair(None, "Export licensing"))


def test_matching_needs_two_pairs_and_takes_no_weights():
    assert errors("Match {=a -> 1}") == [
        (1, "a matching block needs at least two pairs `=left -> right`")]
    assert errors("Match {\n=a -> 1\n=%50%b -> 2\n}") == [
        (3, "matching pairs take no weights: remove the `%...%`")]
    assert (3, "a matching pair is written `=left -> right` (or `= -> right` for an extra "
               "right-hand answer)") in errors("Match {\n=a -> 1\n=b\n=c -> 3\n}")


def test_matching_feedback_is_dropped_with_a_warning():
    bank, issues = read("Match {\n=a -> 1\n=b -> 2 #nice\n}")
    assert bank is not None
    assert warnings(issues) == [(3, "feedback on a matching pair cannot be kept: dropped (use the "
                                    "general feedback `####...`)")]


def test_essay():
    question = one("Explain DataHub's value in three sentences. {}")
    assert question.type == "essay"
    assert (question.choices, question.answers, question.guidance) == ((), (), ())


def test_essay_with_general_feedback():
    question = one("Explain the edge tier. {####Mention outbound connections.}")
    assert (question.type, question.explanation) == ("essay", "Mention outbound connections.")


# --- text around the answers ------------------------------------------------------------------
def test_description_items_are_skipped_with_a_warning_on_their_line():
    bank, issues = read("// intro\n::Intro:: The next questions are about pricing.\n\n"
                        "Pick {=a ~b}\n")
    assert bank is not None and [q.stem for q in bank.questions] == ["Pick"]
    assert warnings(issues) == [(2, "description items are not questions: skipped (put such text "
                                    "in a course lesson or in a question's stem)")]


def test_a_file_of_descriptions_only_has_no_questions():
    bank, issues = read("Just some text.\n")
    assert bank is None
    assert [(i.line, i.severity) for i in issues] == [(1, "warning"), (1, "error")]
    assert issues[1].message.startswith("no questions found")


def test_missing_word_puts_a_blank_where_the_answers_were():
    question = one("Moodle costs {~lots of money =nothing ~a small amount} to download.")
    assert question.stem == "Moodle costs _____ to download."
    assert question.type == "single"
    assert shown(question.stem) == "Moodle costs _____ to download."


def test_missing_word_on_its_own_line_never_becomes_a_horizontal_rule():
    question = one("The holiday is on the\n{~second =fourth}\nThursday of November.")
    assert question.stem == "The holiday is on the _____ Thursday of November."


def test_missing_word_works_for_other_types_too():
    assert one("Two plus {=two =2} equals four.").stem == "Two plus _____ equals four."


def test_escapes_give_literal_special_characters():
    question = one(r"::Escapes\: all:: Which is \{right\}? a\~b \= c\#d \\ e {"
                   r"=x\=1 #that\: is it ~y\~2}")
    assert question.id == f"{BANK_ID}-escapes-all"
    assert question.stem == r"Which is {right}? a~b = c#d \\ e"
    assert question.choices == (Choice("x=1", True, None, "that: is it"), Choice("y~2", False))


def test_backslash_n_is_a_line_break():
    question = one(r"First line\nsecond line {T}")
    assert question.stem == "First line  \nsecond line"


def test_comment_lines_are_ignored_anywhere_in_a_question():
    question = one("// a comment\nWhich? {\n// inside the block\n=a\n~b // not a comment\n}")
    assert [c.text for c in question.choices] == ["a", "b // not a comment"]


def test_windows_line_endings_and_byte_order_mark():
    bank, issues = read("\ufeff// c\r\nPick {=a ~b}\r\n\r\nSure? {T}\r\n")
    assert issues == [] and [q.line for q in bank.questions] == [2, 4]


# --- categories, IDs and tags -----------------------------------------------------------------
def test_category_last_segment_becomes_a_tag_of_the_following_questions():
    bank, issues = read("$CATEGORY: $course$/top/Default for Presales/DataHub Basics\n\n"
                        "Pick {=a ~b}\n\nSure? {T}\n\n"
                        "$CATEGORY: $course$/top/Default for Presales/Licensing & Pricing\n\n"
                        "Pick again {=a ~b}\n")
    assert issues == []
    assert [q.tags for q in bank.questions] == [
        ("datahub-basics",), ("datahub-basics",), ("licensing-pricing",)]
    assert bank.tags == ("datahub-basics", "licensing-pricing")


def test_a_category_that_is_only_a_moodle_context_gives_no_tag():
    bank, issues = read("$CATEGORY: $course$/top\n\nPick {=a ~b}\n")
    assert issues == [] and bank.questions[0].tags == () and bank.tags == ()


def test_id_and_tag_comments_from_a_moodle_export():
    question = one("// question: 2041  name: Edge tier\n// [id:DH-EDGE-01]\n"
                   "// [tag:Architecture]\n// [tag:Edge agents]\n::Edge tier:: Pick {=a ~b}")
    assert question.id == "DH-EDGE-01"
    assert question.tags == ("architecture", "edge-agents")
    assert question.line == 5


def test_question_ids_come_from_the_name_then_the_position():
    bank, issues = read("::Q1 Edge tier:: Pick {=a ~b}\n\nNo name {T}\n\n"
                        "::Café & Co.:: Accents {T}\n\n::问题:: 中文名 {T}\n")
    assert issues == []
    assert [q.id for q in bank.questions] == [
        f"{BANK_ID}-q1-edge-tier", f"{BANK_ID}-2", f"{BANK_ID}-cafe-co", f"{BANK_ID}-4"]


def test_a_long_name_is_cut_to_the_64_character_limit():
    question = one("::" + "word " * 30 + ":: Pick {=a ~b}")
    assert len(question.id) <= 64 and not question.id.endswith("-")


def test_a_given_id_used_twice_is_an_error_naming_both_lines():
    found = errors("// [id:X-1]\nOne {T}\n\n// [id:x-1]\nTwo {F}\n")
    assert found == [
        (4, "question ID 'x-1' in `// [id:...]` is also the ID given at line 1: IDs must be "
            "unique; give one of them another `// [id:...]` comment, or none (then its ID is "
            "made of its `::name::`)")]


def test_an_invalid_id_comment_is_an_error():
    found = errors("// [id:bad id!]\nPick {=a ~b}")
    assert len(found) == 1 and found[0][0] == 1
    assert "question ID 'bad id!' in `// [id:...]` is not valid" in found[0][1]


def test_an_id_comment_cut_off_by_a_blank_line_is_reported():
    bank, issues = read("// [id:DH-1]\n\nPick {=a ~b}")
    assert bank.questions[0].id == f"{BANK_ID}-1"
    assert [line for line, _ in warnings(issues)] == [1]


# --- text formats -----------------------------------------------------------------------------
def test_html_is_sanitised_and_script_never_survives():
    question = one("[html]<p>Which tier runs <b>inside</b>?</p><script>alert(1)</script>"
                   "<img src\\=\"x.png\" alt\\=\"diagram\" onerror\\=\"alert(2)\">"
                   "<a href\\=\"javascript\\:alert(3)\">link</a><iframe src\\=\"e\"></iframe>"
                   "{=<p>Edge</p> ~<span style\\=\"x\">Catalogue</span>}")
    assert question.stem == ('<p>Which tier runs <b>inside</b>?</p><img src="x.png" '
                             'alt="diagram"><a>link</a>')
    for bad in ("script", "alert", "onerror", "javascript", "iframe"):
        assert bad not in question.stem
    assert [c.text for c in question.choices] == ["Edge", "Catalogue"]


@pytest.mark.parametrize("end_tag", ["</script >", "</script\tx>", "</script/>", ""])
def test_html_script_goes_with_its_content_however_its_end_tag_is_written(end_tag):
    question = one(f"[html]<p>Pick</p><script>alert(1){end_tag}<p>one</p> {{T}}")
    assert "alert" not in question.stem and "script" not in question.stem


def test_html_text_is_shown_as_written_not_read_as_markdown():
    question = one("[html]<p>2*3*4 is 24; my_var_name; [not a link](x); C# rocks</p>\n"
                   "- not a list {T}")
    assert "*" not in question.stem and "_" not in question.stem
    assert shown(question.stem) == ("2*3*4 is 24; my_var_name; [not a link](x); C# rocks\n"
                                    "- not a list")


def test_html_in_answers_and_feedback_follows_the_question_format():
    question = one("::Q::[html]<p>Pick</p>{\n=<p>A <em>right</em> one</p>#<p>Yes\\: <b>good</b>"
                   "</p>\n~[plain]<b>literal</b>\n####<p>Because.</p>}")
    assert question.choices == (Choice("A <em>right</em> one", True, None, "Yes: <b>good</b>"),
                                Choice("&lt;b&gt;literal&lt;/b&gt;", False))
    assert question.explanation == "<p>Because.</p>"


def test_markdown_text_is_kept_as_it_is():
    question = one("[markdown]Use **bold**, `code` and a [link](https://example.com) {\n"
                   "=**right** ~_wrong_}")
    assert question.stem == "Use **bold**, `code` and a [link](https://example.com)"
    assert [c.text for c in question.choices] == ["**right**", "_wrong_"]


def test_a_level_two_heading_in_markdown_text_is_an_error():
    found = errors("[markdown]## Heading\\nText {T}")
    assert len(found) == 1 and "`###`" in found[0][1]
    assert one("[markdown]### Heading\\nText {T}").stem == "### Heading\nText"


@pytest.mark.parametrize("marker", ["[plain]", "[moodle]"])
def test_plain_and_moodle_text_is_escaped_to_show_literally(marker):
    text = r"Use *stars*, my_var, [x](y), `tick`, a|b, <b>tag</b> & &amp;\n# not a heading\n" \
           r"1. not a list\n- nor this\n=== nor this\n    nor code"
    bank, issues = read(f"{marker}{text} {{T}}")
    question = bank.questions[0]
    assert [i.message.split(":")[0] for i in issues] == (
        [] if marker == "[plain]" else ["the text looks like HTML but has no `[html]` marker, so "
                                        "the tags will show as text"])
    assert shown(question.stem) == ("Use *stars*, my_var, [x](y), `tick`, a|b, <b>tag</b> & "
                                    "&amp;\n# not a heading\n1. not a list\n- nor this\n"
                                    "=== nor this\nnor code")


def test_html_looking_text_without_a_marker_is_shown_literally_with_a_warning():
    bank, issues = read("::Q:: Which is <b>bold</b>? {T}")
    assert bank.questions[0].stem == "Which is &lt;b&gt;bold&lt;/b&gt;?"
    assert warnings(issues) == [(1, "the text looks like HTML but has no `[html]` marker, so the "
                                    "tags will show as text: write `[html]` before the question "
                                    "text to keep the formatting")]


def test_files_stored_in_moodle_are_reported_as_missing():
    bank, issues = read('[html]<p><img src\\="@@PLUGINFILE@@/arch.png"></p>Which tier? {T}')
    assert bank is not None
    assert "@@PLUGINFILE@@" in warnings(issues)[0][1]


# --- malformed files --------------------------------------------------------------------------
def test_an_unclosed_brace_is_reported_on_its_line():
    assert errors("::Q:: Which tier\nruns inside? {\n=edge\n~catalogue\n\nNext {T}\n") == [
        (2, "the answer block opened with `{` is never closed: end it with `}` before the next "
            "blank line, which ends the question (write `\\{` for a literal brace)")]


def test_brace_problems_are_errors_on_their_lines():
    found = errors("A } stray {T}\n\nNested {=a\n{~b}\n\nTwo {=a ~b} blocks {T}\n")
    assert [line for line, _ in found] == [1, 4, 6]
    assert "`}` without an opening `{`" in found[0][1]
    assert "`{` inside an answer block" in found[1][1]
    assert "a second answer block" in found[2][1]


def test_a_block_of_one_word_is_a_short_answer_as_in_moodle_with_a_notice():
    bank, issues = read("Which?\n{cat}")
    assert bank.questions[0].type == "short"
    assert bank.questions[0].answers == (TextAnswer("cat"),)
    assert warnings(issues) == [(2, "'cat' has no `=` or `~` before it: read as an accepted "
                                    "answer, as Moodle reads it; write `=` before it to say so")]


def test_text_before_the_first_choice_is_a_wrong_answer_as_in_moodle_with_a_notice():
    bank, issues = read("Which? {\nfirst =a ~b}")
    assert bank.questions[0].choices == (Choice("first", False), Choice("a", True),
                                         Choice("b", False))
    assert warnings(issues) == [(2, "'first' has no `=` or `~` before it: read as a wrong "
                                    "answer, as Moodle reads it; write `~` before it to say so")]


def test_text_before_the_first_pair_is_an_error():
    found = errors("Which? {\nfirst =a -> b =c -> d}")
    assert found == [(2, "'first' is not an answer: start right answers with `=` and wrong ones "
                         "with `~`")]


def test_other_malformed_questions_are_errors():
    assert errors("{=a ~b}")[0][1].startswith("the question has no text")
    assert errors("Pick {=a ~}")[0][1].startswith("an answer has no text")
    assert errors("Pick {=only ~%0%}")[0][1].startswith("an answer has no text")


def test_every_problem_in_the_file_is_reported_at_once():
    bank, issues = read("Q1 {~a ~b}\n\nQ2 {=a\n\nQ3 {=a ~b}\n\nQ4 {#x}\n\nA description.\n")
    assert bank is None
    assert [(i.line, i.severity) for i in issues] == [
        (1, "error"), (3, "error"), (7, "error"), (9, "warning")]
    assert [i.question_id for i in issues] == [f"{BANK_ID}-1", f"{BANK_ID}-2", f"{BANK_ID}-4",
                                               None]
    assert all(i.path == "quiz.gift" for i in issues)


def test_bank_arguments_are_checked():
    bank, issues = read_gift("Pick {=a ~b}", "q.gift", "Bad_ID", area="sales", language="fr")
    assert bank is None
    assert [i.line for i in issues] == [1, 1, 1]
    assert "bank ID 'Bad_ID' is not valid" in issues[0].message
    assert "area 'sales' is unknown" in issues[1].message
    assert "language 'fr' is unknown" in issues[2].message


def test_bank_title_defaults_to_the_bank_id():
    bank, _ = read("Pick {=a ~b}")
    assert (bank.id, bank.title, bank.path, bank.area, bank.language) == (
        BANK_ID, BANK_ID, "quiz.gift", "product", "en")
    bank, _ = read("Pick {=a ~b}", title="DataHub", area="technical", language="zh_CN")
    assert (bank.title, bank.area, bank.language) == ("DataHub", "technical", "zh_CN")


# --- whole files ------------------------------------------------------------------------------
MOODLE_EXPORT = r"""
// question: 0  name: Switch category to $course$/top/Default for PS101/DataHub basics
$CATEGORY: $course$/top/Default for PS101/DataHub basics


// question: 2041  name: Edge tier
// [id:DH-EDGE-01]
// [tag:architecture]
// [tag:Edge Agents]
::Edge tier::[html]<p>Which DataHub tier runs <strong>inside</strong> the customer's network?</p>{
	=<p>The edge tier (agents)</p>#<p>Right\: agents sit next to the sources.</p>
	~<p>The catalogue tier</p>#<p>No, the catalogue runs in the cloud.</p>
	~<p>The control plane</p>#
	####<p>Agents connect outbound only.</p>
}

// question: 2042  name: Agents outbound
::Agents outbound::[html]<p>Agents need inbound ports.</p>{FALSE#<p>Outbound only.</p>#<p>Yes.</p>}

// question: 2043  name: Protocols
::Protocols::[html]<p>Which single sign-on protocols does DataHub support?</p>{
	~%50%<p>SAML 2.0</p>#
	~%50%<p>OpenID Connect</p>#
	~%-100%<p>Kerberos tickets sent by e-mail</p>#
}

// question: 0  name: Switch category to $course$/top/Default for PS101/Licensing
$CATEGORY: $course$/top/Default for PS101/Licensing


// question: 2050  name: Licence units
::Licence units::[html]<p>How many connectors does one licence unit cover?</p>{#
	=%100%5:0#
	=%50%5:1#<p>Close.</p>
}

// question: 2051  name: Licence metric
::Licence metric::[moodle]Name the licence metric (one word).{
	=%100%connector#
	=%50%connectors#Singular, please.
}

// question: 2052  name: Match components
::Match components::[html]<p>Match each component to its role.</p>{
	=<p>Edge agent</p> -> Collects data
	=<p>Catalogue</p> -> Describes datasets
	=<p>Control plane</p> -> Manages configuration
}

// question: 2053  name: Pitch
::Pitch::[html]<p>Explain DataHub's value in three sentences.</p>{}

// question: 2054  name: Pricing intro
::Pricing intro::[html]<p>The next questions are about pricing.</p>
"""


def line_of(start: str) -> int:
    """The line of the sample that starts with ``start``."""
    return next(number for number, line in enumerate(MOODLE_EXPORT.split("\n"), start=1)
                if line.startswith(start))


def test_a_moodle_export_reads_end_to_end():
    bank, issues = read(MOODLE_EXPORT, title="DataHub from Moodle")
    assert [(i.line, i.severity) for i in issues] == [(line_of("::Pricing intro"), "warning")]
    assert issues[0].message.startswith("description items are not questions: skipped")
    assert bank.title == "DataHub from Moodle"
    assert bank.tags == ("datahub-basics", "architecture", "edge-agents", "licensing")
    by_id = {q.id: q for q in bank.questions}
    assert [(q.id, q.type, q.line) for q in bank.questions] == [
        ("DH-EDGE-01", "single", line_of("::Edge tier")),
        (f"{BANK_ID}-agents-outbound", "truefalse", line_of("::Agents outbound")),
        (f"{BANK_ID}-protocols", "multiple", line_of("::Protocols")),
        (f"{BANK_ID}-licence-units", "numeric", line_of("::Licence units")),
        (f"{BANK_ID}-licence-metric", "short", line_of("::Licence metric")),
        (f"{BANK_ID}-match-components", "matching", line_of("::Match components")),
        (f"{BANK_ID}-pitch", "essay", line_of("::Pitch"))]
    edge = by_id["DH-EDGE-01"]
    assert edge.tags == ("datahub-basics", "architecture", "edge-agents")
    assert edge.stem == ("<p>Which DataHub tier runs <strong>inside</strong> the customer's "
                         "network?</p>")
    assert edge.choices == (
        Choice("The edge tier (agents)", True, None, "Right: agents sit next to the sources."),
        Choice("The catalogue tier", False, None, "No, the catalogue runs in the cloud."),
        Choice("The control plane", False))
    assert edge.explanation == "<p>Agents connect outbound only.</p>"
    assert by_id[f"{BANK_ID}-agents-outbound"].choices == (
        Choice("True", False, None, "Outbound only."), Choice("False", True, None, "Yes."))
    assert [c.weight for c in by_id[f"{BANK_ID}-protocols"].choices] == [None, None, None]
    units = by_id[f"{BANK_ID}-licence-units"]
    assert units.tags == ("licensing",)
    assert units.answers == (NumericAnswer(value=5.0),
                             NumericAnswer(value=5.0, tolerance=1.0, weight=50.0,
                                           feedback="Close."))
    metric = by_id[f"{BANK_ID}-licence-metric"]
    assert metric.stem == "Name the licence metric (one word)."
    assert metric.answers == (TextAnswer("connector"),
                              TextAnswer("connectors", weight=50.0, feedback="Singular, please."))
    assert by_id[f"{BANK_ID}-match-components"].pairs == (
        Pair("Edge agent", "Collects data"), Pair("Catalogue", "Describes datasets"),
        Pair("Control plane", "Manages configuration"))


def test_a_moodle_export_survives_a_round_trip_through_our_markdown_format():
    bank, _ = read(MOODLE_EXPORT)
    again, issues = parse_bank(export_bank(bank), "exported.md")
    assert [i for i in issues if i.severity == "error"] == []
    assert [q.content() for q in again.questions] == [q.content() for q in bank.questions]


def test_chinese_questions_read_end_to_end():
    bank, issues = read("$CATEGORY: $course$/top/产品知识/边缘层\n\n"
                        "::边缘层:: 哪一层运行在客户网络内？{\n"
                        "  =边缘层（代理）#正确：代理与数据源相邻。\n"
                        "  ~目录层\n  ~控制平面\n  ####代理只进行出站连接。\n}\n\n"
                        "::等保:: 中国的网络安全等级保护制度简称什么？{=等保2.0 =MLPS 2.0}\n\n"
                        "代理{~需要 =不需要}入站端口。\n", language="zh_CN")
    assert issues == []
    assert bank.tags == ("边缘层",)
    first, second, third = bank.questions
    assert (first.id, first.type, first.tags) == (f"{BANK_ID}-1", "single", ("边缘层",))
    assert first.stem == "哪一层运行在客户网络内？"
    assert first.choices[0] == Choice("边缘层（代理）", True, None, "正确：代理与数据源相邻。")
    assert first.explanation == "代理只进行出站连接。"
    assert second.answers == (TextAnswer("等保2.0"), TextAnswer("MLPS 2.0"))
    assert third.stem == "代理_____入站端口。"
    assert shown(third.stem) == "代理_____入站端口。"
