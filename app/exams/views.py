"""Learners' side of exams: my exams, the start page, the attempt page, saves, results."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("exams", __name__, url_prefix="/exams")
