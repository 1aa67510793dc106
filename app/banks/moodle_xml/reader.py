"""The Moodle XML reader above one question type: the file, categories, IDs, tags, headers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.banks.gift.text import has_level2_heading
from app.banks.moodle import QUESTION_ID_RE, IssueLog, QuestionIds, tag_slug
from app.banks.moodle_xml.answers import PA, READERS, QuestionXml
from app.banks.moodle_xml.texts import AssetStore, TextReader
from app.banks.moodle_xml.tree import Node
from app.banks.questions import DIFFICULTIES, Question

DIFFICULTY_TAG = "difficulty:"  # the tag our writer keeps a question's difficulty in
_REFUSED_TYPES = {
    "cloze": "Cloze, embedded answers", "multianswer": "Cloze, embedded answers",
    "calculated": "calculated", "calculatedsimple": "simple calculated",
    "calculatedmulti": "calculated multichoice", "ddwtos": "drag and drop into text",
    "gapselect": "select missing words", "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers", "randomsamatch": "random short-answer matching",
    "random": "random",
}
_TYPES_HINT = ("this reader takes multichoice, truefalse, shortanswer, numerical, matching, "
               "essay, ordering and description questions: rebuild it as one of those in "
               "Moodle, leave it out of the export, or import the good questions only")


@dataclass
class XmlReader:
    """Reads the `<question>` elements of one `<quiz>` into questions, bank tags and assets."""

    log: IssueLog
    bank_id: str
    language: str
    questions: list[Question] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    store: AssetStore = field(default_factory=AssetStore)
    category: str | None = None

    def read(self, quiz: Node) -> None:
        elements = quiz.all("question")
        ids = self._ids(elements)
        for element in elements:
            qtype = element.attrs.get("type", "")
            if qtype == "category":
                self._set_category(element)
            elif qtype == "description":
                self.log.warning(element.line, f"description '{_name(element) or '(no name)'}' "
                                               "is not a question: skipped (put such text in a "
                                               "course lesson or in a question's stem)")
            elif qtype in READERS:
                self._question(element, qtype, ids[id(element)])
            else:
                label = _REFUSED_TYPES.get(qtype, "")
                self.log.error(element.line, f"question type '{qtype}'"
                                             f"{f' ({label})' if label else ''} of "
                                             f"'{_name(element)}' cannot be imported: "
                                             f"{_TYPES_HINT}")

    # --- IDs ------------------------------------------------------------------------------------
    def _ids(self, elements: list[Node]) -> dict[int, str]:
        """Every question's ID: its valid `<idnumber>`, else one made of its name."""
        ids = QuestionIds(self.log, self.bank_id, "give it an ID number in Moodle to choose one")
        made: dict[int, str] = {}
        questions = [e for e in elements if e.attrs.get("type", "") in READERS]
        for element in questions:
            number = element.value("idnumber")
            if not number:
                continue
            if not QUESTION_ID_RE.fullmatch(number):
                self.log.warning(element.line, f"ID number '{number}' is not a valid question "
                                               "ID (letters, digits, '-', '_' and '.', up to "
                                               "64, starting with a letter or digit): the ID "
                                               "is made of the name instead")
            elif (seen := ids.taken(number)) is not None:
                # Moodle keeps ID numbers unique per category only: two categories of one
                # export may share one. Not an ID, then, like a name.
                self.log.warning(element.line, f"ID number '{number}' is also the ID number "
                                               f"of the question at line {seen}: this "
                                               "question's ID is made of its name",
                                 number)
            else:
                ids.claim(number, element.line)
                made[id(element)] = number
        for element in questions:
            if id(element) not in made:
                made[id(element)] = ids.from_name(_name(element), element.line)
        return made

    # --- categories and tags --------------------------------------------------------------------
    def _set_category(self, element: Node) -> None:
        node = element.child("category")
        path = "" if node is None else (node.text_of() or node.text.strip())
        self.category = None
        if element.value("idnumber") == self.bank_id:
            return  # the category our writer names after the bank itself
        segments = [s.replace("//", "/").strip() for s in re.split(r"(?<!/)/(?!/)", path)]
        last = segments[-1] if segments else ""
        if not last or last.lower() == "top" or re.fullmatch(r"\$\w+\$", last):
            return
        self.category = tag_slug(last) or None
        if self.category is None:
            self.log.warning(element.line, f"category '{last}' has no letters or digits, so "
                                           "its questions get no category tag")
        else:
            self._bank_tag(self.category)

    def _bank_tag(self, tag: str) -> None:
        if tag not in self.tags:
            self.tags.append(tag)

    def _question_tags(self, q: QuestionXml) -> tuple[tuple[str, ...], str]:
        """The category tag, then the question's `<tags>`; and the difficulty tag's value."""
        tags = [self.category] if self.category else []
        difficulty = "medium"
        for group in ("tags", "coursetags"):
            holder = q.node.child(group)
            for element in holder.all("tag") if holder is not None else ():
                value = element.text_of() or element.text.strip()
                if value.lower().startswith(DIFFICULTY_TAG):
                    difficulty = self._difficulty(q, element, value, difficulty)
                elif not (slug := tag_slug(value)):
                    q.warning(element.line, f"tag '{value}' has no letters or digits: ignored")
                elif slug not in tags:
                    tags.append(slug)
        for tag in tags:
            self._bank_tag(tag)
        return tuple(tags), difficulty

    def _difficulty(self, q: QuestionXml, tag: Node, value: str, current: str) -> str:
        level = value[len(DIFFICULTY_TAG):].strip().lower()
        if level in DIFFICULTIES:
            return level
        q.warning(tag.line, f"tag '{value}' names no difficulty: write difficulty:easy, "
                            "difficulty:medium or difficulty:hard; ignored")
        return current

    # --- one question ---------------------------------------------------------------------------
    def _question(self, element: Node, qtype: str, qid: str) -> None:
        errors = self.log.error_count()
        texts = TextReader(self.store, lambda line, message: self.log.warning(line, message, qid))
        q = QuestionXml(element, qid, self.log, texts, self.language)
        stem_node = element.child("questiontext")
        if stem_node is not None:
            texts.question_format = texts.format_of(stem_node, "html")
        stem = self._stem(q, stem_node)
        tags, difficulty = self._question_tags(q)
        points = self._points(q)
        fields = READERS[qtype](q)
        explanation = texts.read(element.child("generalfeedback"))
        self._report_lost(q)
        if fields is None or points is None or self.log.error_count() > errors:
            return
        self.questions.append(Question(id=qid, stem=stem, points=points, difficulty=difficulty,
                                       tags=tags, explanation=explanation, line=element.line,
                                       **fields))

    def _stem(self, q: QuestionXml, node: Node | None) -> str:
        stem = q.texts.read(node)
        stem = _old_image(q, stem)
        if not stem:
            q.error(q.node.line, "the question has no text: write it in `<questiontext>`")
        elif has_level2_heading(stem):
            q.error(q.node.line, "a `## ` heading in the text would start a new question in "
                                 "our Markdown format: use `###` or a smaller heading")
        return stem

    def _points(self, q: QuestionXml) -> float | None:
        raw = q.node.value("defaultgrade", "1") or "1"
        try:
            points = float(raw)
        except ValueError:
            q.error(q.node.line, f"default mark '{raw}' is not a number: write, for example, "
                                 "`<defaultgrade>1</defaultgrade>`")
            return None
        if not points > 0:
            q.warning(q.node.line, f"the default mark is {raw}: our questions are worth more "
                                   "than 0 points, so this one is worth 1")
            return 1.0
        if round(points, 2) != points:
            q.warning(q.node.line, f"the default mark {raw} has more than two decimals: "
                                   f"rounded to {round(points, 2):g}")
        return round(points, 2)

    def _report_lost(self, q: QuestionXml) -> None:
        """One notice for everything the question has that our model does not keep."""
        node, lost = q.node, list(dict.fromkeys(q.lost))
        penalty = node.value("penalty", "0") or "0"
        if _number(penalty) not in (0.0, None):
            lost.insert(0, f"the penalty for each wrong try ({_number(penalty):g})")
        if hints := [h for h in node.all("hint") if h.text_of()]:
            lost.append(f"{len(hints)} hint{'s' if len(hints) > 1 else ''}")
        if any(node.child(tag) is not None and node.child(tag).text_of()  # type: ignore[union-attr]
               for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback")):
            lost.append("the feedback for right, partly right and wrong answers (per-answer "
                        "feedback and the general feedback are kept)")
        if lost:
            q.warning(node.line, "not kept: " + "; ".join(lost) + " (our exams grade one "
                                 "attempt and have no such settings)")


def _name(element: Node) -> str:
    node = element.child("name")
    return "" if node is None else node.text_of()


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _old_image(q: QuestionXml, stem: str) -> str:
    """Moodle 1.9's `<image>` and `<image_base64>`: an image after the question text."""
    name, data = q.node.value("image"), q.node.value("image_base64")
    if not (name and data):
        return stem
    name = name.replace("/", "_")
    holder = Node("questiontext", {"format": "html"}, q.node.line, [
        Node("text", {}, q.node.line, text=f'<img src="@@PLUGINFILE@@/{name}" alt="">'),
        Node("file", {"name": name, "path": "/", "encoding": "base64"}, q.node.line,
             text=data)])
    image = q.texts.read(holder)
    return f"{stem}\n\n{image}".strip() if image else stem


__all__ = ["PA", "XmlReader"]
