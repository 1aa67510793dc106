"""The typed question content says what ``Question.content()`` really stores, for every
question type. Pure: no app, no database."""

from __future__ import annotations

import typing

import pytest

from app.banks.content_types import (
    CONTENT_BY_TYPE,
    ChoiceData,
    NumericAnswerData,
    PairData,
    TextAnswerData,
)
from app.banks.markdown_format import parse_bank
from app.banks.questions import QUESTION_TYPES
from tests.banks.test_markdown_format import EVERY_TYPE

ANSWER_DATA = {"text": TextAnswerData, "numeric": NumericAnswerData}


def _contents() -> list[dict]:
    bank, issues = parse_bank(EVERY_TYPE, "every.md")
    assert issues == [] and bank is not None
    return [question.content() for question in bank.questions]


def _fits(data: dict, shape: type) -> None:
    """The keys are the TypedDict's: every required one, and no other."""
    assert shape.__required_keys__ <= data.keys(), (shape.__name__, data)
    assert data.keys() <= shape.__required_keys__ | shape.__optional_keys__, (
        shape.__name__, data)


def test_every_question_type_has_its_content_type():
    assert set(CONTENT_BY_TYPE) == set(QUESTION_TYPES)


@pytest.mark.parametrize("content", _contents(), ids=lambda content: content["id"])
def test_the_content_of_each_type_fits_its_typed_dict(content):
    shape = CONTENT_BY_TYPE[content["type"]]
    _fits(content, shape)
    assert content["type"] in typing.get_args(typing.get_type_hints(shape)["type"])
    for choice in content.get("choices", ()):
        _fits(choice, ChoiceData)
    for answer in content.get("answers", ()):
        _fits(answer, ANSWER_DATA[answer["kind"]])
    for pair in content.get("pairs", ()):
        _fits(pair, PairData)


def test_lists_that_would_be_empty_are_the_optional_keys():
    bare = next(content for content in _contents() if content["id"] == "T-ESSAY-BARE")
    assert "guidance" not in bare and "word_limit" not in bare
    _fits(bare, CONTENT_BY_TYPE["essay"])
