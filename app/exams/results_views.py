"""Trainers mark essays, regrade after a key correction, and read results and statistics."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("exam_results", __name__, url_prefix="/exam-results")
