"""Exams: drawing questions from banks, taking attempts and grading them."""
