"""The permissions module decides on enum members, never on spelled-out state values.

A rule written as ``review.state in ("pending", "draft")`` keeps compiling when a state
is renamed, and silently changes who may do what; ``ReviewState`` members cannot drift.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.auth import permissions

SOURCE = Path(permissions.__file__)


def _literal_strings(node: ast.expr) -> list[str]:
    """The string constants of ``node``, or of the tuple, list or set it spells out."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [s for element in node.elts for s in _literal_strings(element)]
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("frozenset", "set"):
        return [s for argument in node.args for s in _literal_strings(argument)]
    return []


def _is_state(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in ("state", "status")


def state_compared_with_strings(source: str) -> list[str]:
    """Each comparison of a ``.state`` (or ``.status``) attribute with a string literal."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if any(_is_state(side) for side in sides) and any(
                _literal_strings(side) for side in sides if not _is_state(side)):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_permissions_compare_states_as_enum_members():
    found = state_compared_with_strings(SOURCE.read_text(encoding="utf-8"))
    assert not found, "compare with the state enum's members:\n" + "\n".join(found)


@pytest.mark.parametrize("rule", [
    'review.state in ("pending", "draft")',
    'review.state not in ["submitted", "superseded"]',
    'evaluation.state == "open"',
    '"released" == evaluation.state',
    'record.state != "draft"',
    'record.state in frozenset({"draft"})',
])
def test_the_guard_finds_a_state_spelled_as_a_string(rule):
    assert state_compared_with_strings(rule)


@pytest.mark.parametrize("rule", [
    "review.state in OWED_REVIEW_STATES",
    "evaluation.state == EvaluationState.OPEN",
    'kind in ("demo", "interview")',
])
def test_the_guard_lets_enum_members_and_other_strings_pass(rule):
    assert not state_compared_with_strings(rule)


def test_permissions_import_only_the_pure_states_of_features():
    """Models and services of features import permissions; the reverse would be a circle."""
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    modules = {node.module for node in ast.walk(tree)
               if isinstance(node, ast.ImportFrom) and node.module}
    modules |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    features = {m for m in modules if m.startswith("app.") and not m.startswith("app.auth")}
    assert features and all(m.endswith(".states") for m in features), features
