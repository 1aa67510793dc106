"""Reviewer evaluations against rubrics (issue 6): demonstrations, interviews, project reviews."""
