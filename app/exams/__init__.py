"""Exams: drawing questions from banks, taking attempts and grading them.

Three blueprints, each over its own services: ``learner_views`` (``exams``: my exams,
the attempt page, saves, results) shows what ``learner_pages`` builds and writes through
``attempts`` (starting; its parts: ``draws``, ``saves``, ``finishing``); ``builder_views``
with ``builder_forms`` (``exam_admin``) calls ``builder`` and ``builder_rules``;
``results_views`` (``exam_results``) calls ``marking``, ``regrade`` and ``exports``. Pure
cores: ``states``, ``grading`` with ``answer_text``, ``statistics``, ``option_order``.
"""
