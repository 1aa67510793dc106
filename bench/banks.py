"""Benchmark: lint, first import and unchanged re-import of a 5,000-question bank (SQLite).

    .venv/bin/python bench/banks.py [--questions 5000]

Targets (issue 4, one core of the 2-core machine): lint >= 5,000 questions/s;
first import < 10 s; unchanged re-import < 2 s. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.banks.markdown_format import lint_texts  # noqa: E402
from app.banks.services import import_banks  # noqa: E402
from app.extensions import db  # noqa: E402
from config import TestingConfig  # noqa: E402

TAGS = ["architecture", "agents", "licensing", "deployment", "security", "sizing"]


def question(n: int, rng: random.Random) -> str:
    kind = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering",
            "essay")[n % 8]
    head = (f"## BQ-{n:05d}\ntype: {kind}\npoints: {1 + n % 3}\n"
            f"difficulty: {('easy', 'medium', 'hard')[n % 3]}\ntags: {rng.choice(TAGS)}\n\n"
            f"Question {n}: which statement about `component-{n}` is right? "
            f"Consider **throughput** of {rng.randint(1, 900)} rows per second.\n\n")
    body = {
        "single": "- [ ] Option A\n- [x] Option B\n- [ ] Option C\n- [ ] Option D\n",
        "multiple": "- [x] Option A\n- [x] Option B\n- [ ] Option C\n- [ ] Option D\n",
        "truefalse": "- [x] True\n- [ ] False\n",
        "short": "- edge tier\n- edge\n- /edge( tier)?/\n",
        "numeric": f"- {n % 97} ± 0.5\n- {n % 50} .. {n % 50 + 10}\n",
        "matching": "- PIPL -> Personal information\n- MLPS -> Classified protection\n"
                    "- DSL -> Data security\n",
        "ordering": "1. Qualify\n2. Discover\n3. Design\n4. Prove\n",
        "essay": "- Names the business problem\n- Quantifies the benefit\n",
    }[kind]
    return head + body + f"\n> Explanation for question {n}.\n"


def generate(count: int) -> str:
    rng = random.Random(42)  # noqa: S311 - benchmark data, not security
    front = ("---\nid: bench-bank\ntitle: Benchmark bank\narea: product\nlanguage: en\n"
             f"tags: {', '.join(TAGS)}\n---\n\n")
    return front + "\n".join(question(n, rng) for n in range(1, count + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=5000)
    args = parser.parse_args()
    data = generate(args.questions).encode("utf-8")
    print(f"bank: {args.questions} questions, {len(data) / 1024:.0f} KB")

    start = time.perf_counter()
    banks, issues = lint_texts([("bench.md", data)])
    lint_s = time.perf_counter() - start
    assert not [i for i in issues if i.severity == "error"], issues[:5]
    print(f"lint:            {lint_s:6.2f} s  {args.questions / lint_s:9,.0f} questions/s"
          "   (target >= 5,000/s)")

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(TestingConfig({"TEST_DATABASE_URL": f"sqlite:///{folder}/bench.db"}))
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            for label, target in (("first import", 10.0), ("unchanged re-import", 2.0)):
                start = time.perf_counter()
                banks, _ = lint_texts([("bench.md", data)])
                changes = import_banks(banks, actor_label="bench")
                db.session.commit()
                took = time.perf_counter() - start
                print(f"{label + ':':<17}{took:6.2f} s  {args.questions / took:9,.0f} "
                      f"questions/s   (target < {target:g} s)   {changes[0]}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
