"""The question content, typed. Pure: stdlib only.

``Question.content()`` (:mod:`app.banks.questions`) stores a question as plain JSON data,
which the import keeps per version and the exams grade and show. Its shape depends on the
question type: :data:`QuestionContent` is the union of one TypedDict per type, told apart
by ``type``, and :data:`CONTENT_BY_TYPE` finds the one for a type. :class:`AnswerFields`
is what a reader builds from a question's answer list: the keyword arguments of
:class:`~app.banks.questions.Question` that hold the answers.
"""

# No postponed annotations here: the TypedDicts must know their NotRequired keys at run time.
from typing import Literal, NotRequired, TypedDict

from .questions import Choice, NumericAnswer, Pair, TextAnswer


class ChoiceData(TypedDict):
    """An option of a single, multiple or true/false question."""

    text: str  # Markdown (inline)
    correct: bool
    weight: float | None  # percent, -100..100; None: the type's default rule
    feedback: str


class TextAnswerData(TypedDict):
    """An accepted short answer: literal text, or a regular expression."""

    kind: Literal["text"]
    text: str
    regex: bool
    weight: float | None
    feedback: str


class NumericAnswerData(TypedDict):
    """An accepted number: value ± tolerance, or the range low..high (inclusive)."""

    kind: Literal["numeric"]
    value: float | None
    tolerance: float
    low: float | None
    high: float | None
    weight: float | None
    feedback: str


class PairData(TypedDict):
    """A matching pair; ``left`` None makes ``right`` a distractor."""

    left: str | None
    right: str


class _Common(TypedDict):
    """What every question has, whatever its type."""

    id: str
    stem: str  # Markdown
    points: float
    difficulty: str  # one of DIFFICULTIES
    tags: list[str]
    explanation: str  # Markdown, may be empty


# A list that would be empty is left out of the content, hence NotRequired.
class ChoiceContent(_Common):
    type: Literal["single", "multiple", "truefalse"]
    choices: NotRequired[list[ChoiceData]]


class ShortAnswerContent(_Common):
    type: Literal["short"]
    answers: NotRequired[list[TextAnswerData]]


class NumericContent(_Common):
    type: Literal["numeric"]
    answers: NotRequired[list[NumericAnswerData]]


class MatchingContent(_Common):
    type: Literal["matching"]
    pairs: NotRequired[list[PairData]]


class OrderingContent(_Common):
    type: Literal["ordering"]
    sequence: NotRequired[list[str]]  # the items in the right order


class EssayContent(_Common):
    type: Literal["essay"]
    guidance: NotRequired[list[str]]  # marking points
    word_limit: NotRequired[int]


QuestionContent = (ChoiceContent | ShortAnswerContent | NumericContent | MatchingContent
                   | OrderingContent | EssayContent)

CONTENT_BY_TYPE: dict[str, type[QuestionContent]] = {
    "single": ChoiceContent, "multiple": ChoiceContent, "truefalse": ChoiceContent,
    "short": ShortAnswerContent, "numeric": NumericContent, "matching": MatchingContent,
    "ordering": OrderingContent, "essay": EssayContent,
}


class AnswerFields(TypedDict, total=False):
    """A question's answers as read from its answer list (each type fills one key)."""

    choices: tuple[Choice, ...]  # single, multiple, truefalse
    answers: tuple[TextAnswer | NumericAnswer, ...]  # short, numeric
    pairs: tuple[Pair, ...]  # matching
    sequence: tuple[str, ...]  # ordering
    guidance: tuple[str, ...]  # essay
