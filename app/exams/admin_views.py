"""Trainers build exams: settings, composition rules, audience, accommodations, publishing."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("exam_admin", __name__, url_prefix="/exam-admin")
