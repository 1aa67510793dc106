"""Moodle XML files read into the question-bank model (pure: no app, no database)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from app.banks.moodle_xml import read_moodle_xml
from app.banks.questions import ASSET_URL_PREFIX, Choice, NumericAnswer, Pair, TextAnswer

FIXTURES = Path(__file__).parents[1] / "fixtures" / "moodle" / "xml"
BANK_ID = "dh-moodle"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def read(data: bytes | str, **options):
    raw = data.encode() if isinstance(data, str) else data
    return read_moodle_xml(raw, "quiz.xml", BANK_ID, **options)


def fixture(name: str, **options):
    return read_moodle_xml((FIXTURES / name).read_bytes(), name, BANK_ID, **options)


def quiz(*questions: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "</quiz>\n"


def question(qtype: str, body: str, name: str = "Q", text: str = "Pick one.",
             fmt: str = "html", extra: str = "") -> str:
    return (f'<question type="{qtype}">\n<name><text>{name}</text></name>\n'
            f'<questiontext format="{fmt}"><text>{text}</text>{extra}</questiontext>\n'
            f"{body}\n</question>\n")


def answer(fraction: float, text: str, feedback: str = "", extra: str = "") -> str:
    return (f'<answer fraction="{fraction}"><text>{text}</text>'
            f"<feedback><text>{feedback}</text></feedback>{extra}</answer>\n")


def one(xml: str, **options):
    bank, issues = read(xml, **options)
    assert [i for i in issues if i.severity == "error"] == []
    assert bank is not None and len(bank.questions) == 1
    return bank.questions[0], [(i.line, i.message) for i in issues]


def errors(xml: str | bytes, **options) -> list[tuple[int, str]]:
    bank, issues = read(xml, **options)
    assert bank is None
    return [(i.line, i.message) for i in issues if i.severity == "error"]


# --- Moodle's own fixtures: the counts and types Moodle's tests expect --------------------------
def test_moodles_true_false_fixture_gives_two_true_false_questions_with_their_images():
    bank, issues = fixture("truefalse.xml")
    assert bank is not None
    assert [q.type for q in bank.questions] == ["truefalse", "truefalse"]
    first = bank.questions[0]
    assert first.choices[1] == Choice("False", True, None, first.choices[1].feedback)
    assert not first.choices[0].correct
    assert {a.name for a in bank.assets} == {"logo.jpg", "infos.jpg", "thumbdown.jpg",
                                            "thumbup.jpg"}
    logo = next(a for a in bank.assets if a.name == "logo.jpg")
    assert logo.media_type == "image/jpeg" and f'src="{logo.url}"' in first.stem
    assert "@@PLUGINFILE@@" not in first.stem + first.explanation + first.choices[0].feedback
    assert all(q.tags == ("truefalse",) for q in bank.questions)  # from its category
    assert all(i.severity == "warning" for i in issues)


def test_moodles_multichoice_fixture_gives_one_single_choice_and_drops_the_sound_file():
    bank, issues = fixture("multichoice.xml")
    assert bank is not None and [q.type for q in bank.questions] == ["single"]
    assert "What language is being spoken?" in bank.questions[0].stem
    assert any("'bonjour.mp3' is not an image" in i.message and i.line == 18 for i in issues)
    assert "@@PLUGINFILE@@" not in bank.questions[0].stem
    assert len(bank.assets) == 4  # the flags in the answers


def test_moodles_cloze_fixture_is_refused_naming_the_type_and_its_line():
    bank, issues = fixture("multianswer.xml")
    assert bank is None
    assert [(i.line, i.severity) for i in issues] == [(12, "error")]
    assert "question type 'cloze'" in issues[0].message
    assert "import the good questions only" in issues[0].message
    assert fixture("multianswer.xml", keep_good=True)[0] is None  # no good question left


def test_old_image_tag_fixture_keeps_the_multichoice_and_its_image_when_keeping_the_good():
    assert fixture("sample_questions_with_old_image_tag.xml")[0] is None  # it holds a Cloze
    bank, issues = fixture("sample_questions_with_old_image_tag.xml", keep_good=True)
    assert bank is not None and [q.type for q in bank.questions] == ["single"]
    assert [a.name for a in bank.assets] == ["moodle.png"]
    assert bank.assets[0].url in bank.questions[0].stem
    assert [c.correct for c in bank.questions[0].choices] == [False, False, True]
    assert any(i.severity == "error" and "cloze" in i.message for i in issues)


def test_nested_categories_fixture_tags_each_question_with_its_own_category():
    bank, _issues = fixture("nested_categories_with_questions.xml")
    assert bank is not None
    assert [(q.type, q.tags) for q in bank.questions] == [
        ("truefalse", ("iota",)), ("essay", ("kappa",)), ("truefalse", ("kappa",)),
        ("truefalse", ("lambda",)), ("truefalse", ("mu",))]
    assert bank.tags == ("iota", "kappa", "lambda", "mu")


def test_an_id_number_that_is_no_question_id_gives_an_id_made_of_the_name():
    bank, issues = fixture("html_chars_in_idnumbers.xml")
    assert bank is not None and [q.id for q in bank.questions] == ["dh-moodle-alpha-question"]
    assert any("ID number 'T & F' is not a valid question ID" in i.message for i in issues)


def test_moodles_invalid_grades_fixture_is_read_with_a_notice_on_the_total():
    """Moodle skips this question (33 is not one of its grade options); our model holds any
    weight, so we read it and say what the weights add up to (warn, don't refuse)."""
    bank, issues = read_moodle_xml((FIXTURES / "error_invalid_grades.xml").read_bytes(),
                                   "error_invalid_grades.xml", "dh-moodle")
    assert bank is not None and [q.type for q in bank.questions] == ["multiple"]
    total = [i for i in issues if "add up to 99.6667%" in i.message]
    assert len(total) == 1 and total[0].severity == "warning" and total[0].line == 4


def test_ordering_fixture_gives_the_items_in_their_right_order():
    bank, issues = fixture("qtype_ordering_testquestion.moodle.xml")
    assert bank is not None
    ordering = bank.questions[0]
    assert (ordering.id, ordering.type) == ("dd1", "ordering")
    assert ordering.sequence == ("Modular", "Object", "Oriented", "Dynamic", "Learning",
                                 "Environment")
    lost = [i.message for i in issues if i.message.startswith("not kept")]
    assert len(lost) == 1 and "the penalty" in lost[0]
    assert "feedback for right, partly right and wrong answers" in lost[0]


# --- question types -----------------------------------------------------------------------------
def test_one_answer_at_100_percent_is_single_choice_without_weights():
    q, _ = one(quiz(question("multichoice", "<single>true</single>" + answer(100, "Edge", "Yes")
                             + answer(0, "Catalogue"))))
    assert q.type == "single"
    assert q.choices == (Choice("Edge", True, None, "Yes"), Choice("Catalogue", False))


def test_partial_and_negative_fractions_of_a_single_choice_are_kept():
    q, _ = one(quiz(question("multichoice", answer(100, "a") + answer(50, "b") + answer(-25, "c"))))
    assert [(c.correct, c.weight) for c in q.choices] == [(True, None), (False, 50.0),
                                                          (False, -25.0)]


def test_single_false_is_multiple_choice_even_with_one_right_answer():
    q, _ = one(quiz(question("multichoice", "<single>false</single>" + answer(100, "a")
                             + answer(0, "b"))))
    assert q.type == "multiple" and [c.correct for c in q.choices] == [True, False]


def test_a_single_choice_without_a_full_marks_answer_is_refused_as_moodle_refuses_it():
    found = errors(quiz(question("multichoice", answer(50, "a") + answer(0, "b"))))
    assert found == [(3, found[0][1])] and "must have fraction=\"100\"" in found[0][1]


def test_true_false_reads_the_right_answer_and_the_feedback_of_each():
    q, _ = one(quiz(question("truefalse", answer(0, "true", "Doh!") + answer(100, "false",
                                                                           "Well done!"))))
    assert q.choices == (Choice("True", False, None, "Doh!"), Choice("False", True, None,
                                                                     "Well done!"))


def test_true_false_in_a_chinese_bank_has_chinese_labels():
    q, _ = one(quiz(question("truefalse", answer(100, "true") + answer(0, "false"))),
               language="zh_CN")
    assert [c.text for c in q.choices] == ["正确", "错误"]


def test_short_answer_keeps_several_answers_with_weights_and_the_wildcard():
    q, notices = one(quiz(question("shortanswer", "<usecase>1</usecase>" + answer(100, "frog")
                                   + answer(80, "toad") + answer(0, "*", "Bad") +
                                   answer(50, "MLPS*2.0"))))
    assert q.answers == (TextAnswer("frog"), TextAnswer("toad", False, 80.0),
                         TextAnswer(".*", True, 0.0, "Bad"), TextAnswer(r"MLPS.*2\.0", True, 50.0))
    assert any("case-sensitive matching" in message for _line, message in notices)


def test_numerical_answers_keep_tolerances_and_drop_units_and_the_star_with_a_notice():
    q, notices = one(quiz(question(
        "numerical", answer(100, "42", "Well done!", "<tolerance>0.001</tolerance>")
        + answer(0, "13", "", "<tolerance>1</tolerance>") + answer(0, "*", "Wrong")
        + "<units><unit><multiplier>1</multiplier><unit_name>m</unit_name></unit></units>")))
    assert q.type == "numeric"
    assert q.answers == (NumericAnswer(42.0, 0.001, feedback="Well done!"),
                         NumericAnswer(13.0, 1.0, weight=0.0))
    lost = [message for _line, message in notices if message.startswith("not kept")]
    assert len(lost) == 1 and "the units" in lost[0] and "`*` answer" in lost[0]


def test_matching_reads_pairs_and_an_empty_subquestion_as_a_distractor():
    sub = ('<subquestion format="html"><text>{}</text><answer><text>{}</text></answer>'
           "</subquestion>")
    q, _ = one(quiz(question("matching", sub.format("A", "a") + sub.format("B", "b")
                             + sub.format("", "d"))))
    assert q.pairs == (Pair("A", "a"), Pair("B", "b"), Pair(None, "d"))


def test_essay_grader_information_becomes_guidance_and_the_template_a_notice():
    q, notices = one(quiz(question("essay", "<maxwordlimit>300</maxwordlimit>"
                                   '<graderinfo format="html"><text><![CDATA[<ul><li>Names the '
                                   "problem</li><li>Quantifies <b>it</b></li></ul>]]></text>"
                                   '</graderinfo><responsetemplate format="html"><text>Dear'
                                   "</text></responsetemplate>")))
    assert q.type == "essay" and q.word_limit == 300
    assert q.guidance == ("Names the problem", "Quantifies <b>it</b>")
    assert any("the response template" in message for _line, message in notices)


def test_a_description_is_skipped_with_a_notice_naming_it():
    bank, issues = read(quiz(question("description", "", name="Intro"),
                             question("truefalse", answer(100, "true") + answer(0, "false"))))
    assert bank is not None and len(bank.questions) == 1
    assert any("description 'Intro' is not a question" in i.message for i in issues)


@pytest.mark.parametrize("qtype", ["calculated", "ddwtos", "gapselect", "randomsamatch", "xyz"])
def test_other_types_are_refused_naming_the_type_and_skipped_when_keeping_the_good(qtype):
    xml = quiz(question("truefalse", answer(100, "true") + answer(0, "false")),
               question(qtype, "", name="Odd"))
    found = errors(xml)
    assert len(found) == 1 and f"question type '{qtype}'" in found[0][1] and "'Odd'" in found[0][1]
    bank, _ = read(xml, keep_good=True)
    assert bank is not None and [q.type for q in bank.questions] == ["truefalse"]


# --- headers: IDs, tags, points, formats, what is not kept --------------------------------------
def test_id_number_is_the_question_id():
    tf = answer(100, "true") + answer(0, "false")
    q, _ = one(quiz(question("truefalse", "<idnumber>DH-001</idnumber>" + tf)))
    assert q.id == "DH-001"


def test_same_names_give_distinct_ids_the_same_on_every_read():
    tf = answer(100, "true") + answer(0, "false")
    xml = quiz(question("truefalse", tf, name="Same"), question("truefalse", tf, name="Same"))
    ids = [q.id for q in read(xml)[0].questions]
    assert ids == ["dh-moodle-same", "dh-moodle-same-2"] == [q.id for q in read(xml)[0].questions]


def test_tags_default_grade_difficulty_and_category_are_read():
    category = ('<question type="category"><category><text>$course$/top/Product/Edge Tier'
                "</text></category></question>")
    tags = ("<tags><tag><text>Edge agents</text></tag><tag><text>difficulty:hard</text></tag>"
            "</tags><defaultgrade>2.5000000</defaultgrade>")
    tf = answer(100, "true") + answer(0, "false")
    q, _ = one(quiz(category, question("truefalse", tags + tf)))
    assert (q.tags, q.difficulty, q.points) == (("edge-tier", "edge-agents"), "hard", 2.5)


def test_the_category_named_after_the_bank_itself_gives_no_tag():
    category = ('<question type="category"><category><text>$course$/top/DataHub</text>'
                f"</category><idnumber>{BANK_ID}</idnumber></question>")
    q, _ = one(quiz(category, question("truefalse", answer(100, "true") + answer(0, "false"))))
    assert q.tags == ()


def test_penalty_hints_and_combined_feedback_make_one_notice_per_question():
    body = ("<penalty>0.3333333</penalty><hint><text>Hint 1</text></hint><hint><text>Hint 2"
            "</text></hint><correctfeedback><text>Well done</text></correctfeedback>"
            + answer(100, "a") + answer(0, "b"))
    _q, notices = one(quiz(question("multichoice", body)))
    assert len(notices) == 1
    assert notices[0][0] == 3 and "penalty" in notices[0][1] and "2 hints" in notices[0][1]


@pytest.mark.parametrize(("fmt", "text", "stem"), [
    ("plain_text", "2 * 3 &lt;b&gt;", "2 \\* 3 &lt;b&gt;"),
    ("markdown", "Use **bold**", "Use **bold**"),
    ("moodle_auto_format", "Line one\nline two", "Line one  \nline two"),
    ("html", "<![CDATA[<h4>Head</h4><script>x()</script><p>Body</p>]]>",
     "<strong>Head</strong>\n<p>Body</p>"),
])
def test_each_text_format_becomes_our_markdown(fmt, text, stem):
    q, _ = one(quiz(question("truefalse", answer(100, "true") + answer(0, "false"), text=text,
                             fmt=fmt)))
    assert q.stem == stem


# --- embedded images ----------------------------------------------------------------------------
def _image(name: str, data: bytes = PNG) -> str:
    encoded = base64.b64encode(data).decode()
    return f'<file name="{name}" path="/" encoding="base64">{encoded}</file>'


def test_images_become_bank_assets_linked_by_their_url_each_kept_once():
    text = '<![CDATA[<p><img src="@@PLUGINFILE@@/a%20b.png" alt="Logo"></p>]]>'
    body = answer(100, "true") + answer(0, "false")
    bank, _ = read(quiz(question("truefalse", body, text=text, extra=_image("a b.png")),
                        question("truefalse", body, name="R", text=text, extra=_image("a b.png"))))
    assert bank is not None and len(bank.assets) == 1
    asset = bank.assets[0]
    assert (asset.name, asset.media_type, asset.data) == ("a b.png", "image/png", PNG)
    assert asset.url.startswith(ASSET_URL_PREFIX)
    assert all(f'<img src="{asset.url}" alt="Logo">' in q.stem for q in bank.questions)


def test_svg_images_and_missing_files_are_dropped_with_a_notice_keeping_the_alt_text():
    text = ('<![CDATA[<p><img src="@@PLUGINFILE@@/x.svg" alt="Chart"> '
            '<img src="@@PLUGINFILE@@/gone.png" alt="Gone"></p>]]>')
    svg = '<file name="x.svg" path="/" encoding="base64">PHN2Zy8+</file>'
    q, notices = one(quiz(question("truefalse", answer(100, "true") + answer(0, "false"),
                                   text=text, extra=svg)))
    assert q.stem == "<p>Chart Gone</p>"
    messages = " ".join(message for _line, message in notices)
    assert "SVG image, which is refused" in messages and "`@@PLUGINFILE@@/gone.png`" in messages


# --- hostile and broken files -------------------------------------------------------------------
def test_an_external_entity_is_refused_without_reading_the_file():
    xml = ('<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
           "<quiz><question type=\"truefalse\"><name><text>&x;</text></name></question></quiz>")
    found = errors(xml)
    assert found == [(2, found[0][1])] and "document type" in found[0][1]
    assert "root:" not in found[0][1]


def test_billion_laughs_is_refused_at_its_document_type():
    entities = "".join(f'<!ENTITY l{k} "{f"&l{k - 1};" * 10}">' for k in range(1, 10))
    xml = f'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY l0 "ha">{entities}]>\n<quiz>&l9;</quiz>'
    found = errors(xml)
    assert len(found) == 1 and found[0][0] == 2 and "expand without end" in found[0][1]


def test_a_document_type_alone_is_refused():
    assert "document type" in errors('<?xml version="1.0"?>\n<!DOCTYPE quiz>\n<quiz/>')[0][1]


def test_a_file_over_the_bound_is_refused_before_parsing():
    found = errors(b"<quiz>" + b" " * 2000 + b"</quiz>", max_bytes=1000)
    assert found == [(1, found[0][1])] and "more than the" in found[0][1]
    big = errors(b"<" * (16 * 2**20 + 1))
    assert "16 MB" in big[0][1]


def test_a_file_that_is_not_xml_says_so():
    found = errors("Who is buried in Grant's tomb? {~Grant =no one}")
    assert found == [(1, found[0][1])] and "not an XML file" in found[0][1]


def test_truncated_xml_names_its_last_line():
    found = errors(quiz(question("truefalse", answer(100, "true")))[:-30])
    assert len(found) == 1 and found[0][0] > 1 and "cut off" in found[0][1]


def test_malformed_xml_names_line_and_column():
    found = errors('<quiz>\n<question type="truefalse">\n<name><text>a & b</text></name>')
    assert found[0][0] == 3 and "line 3, column" in found[0][1]


def test_another_root_element_and_an_empty_quiz_are_refused():
    assert "not `<quiz>`" in errors("<html><body/></html>")[0][1]
    assert "no questions found" in errors("<quiz></quiz>")[0][1]


def test_every_issue_names_a_line_and_the_question():
    bank, issues = fixture("truefalse.xml")
    assert issues and all(i.line > 0 and i.question_id for i in issues)


def test_wrong_bank_arguments_refuse_even_when_keeping_the_good():
    xml = quiz(question("truefalse", answer(100, "true") + answer(0, "false")))
    bank, issues = read_moodle_xml(xml.encode(), "quiz.xml", "X", keep_good=True)
    assert bank is None and "bank ID 'X'" in issues[0].message


def test_an_id_number_used_in_two_categories_is_a_notice_and_the_second_id_comes_from_its_name():
    """Moodle keeps ID numbers unique within a category, so one export may hold the same
    ID number twice: Moodle imports both, and so do we."""
    question = ('<question type="truefalse"><name><text>{name}</text></name>'
                '<questiontext format="html"><text>{name}?</text></questiontext>'
                '<idnumber>DUP-1</idnumber>'
                '<answer fraction="100"><text>true</text></answer>'
                '<answer fraction="0"><text>false</text></answer></question>')
    data = ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
            '<question type="category"><category><text>$course$/top/A</text></category>'
            '</question>\n' + question.format(name="First") + "\n"
            '<question type="category"><category><text>$course$/top/B</text></category>'
            '</question>\n' + question.format(name="Second") + "\n</quiz>\n").encode()
    bank, issues = read_moodle_xml(data, "dup.xml", "dup-bank")
    assert bank is not None, issues
    assert [q.id for q in bank.questions] == ["DUP-1", "dup-bank-second"]
    notice = [i for i in issues if "also the ID number" in i.message]
    assert len(notice) == 1 and notice[0].severity == "warning" and notice[0].line == 6
