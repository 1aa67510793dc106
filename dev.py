#!/usr/bin/env python3
"""The two commands a newcomer needs, with nothing but Python 3.11+ installed.

    python3 dev.py serve   set up (venv, packages, translations, database,
                           sample content, demo accounts) and serve the app on
                           http://127.0.0.1:5000
    python3 dev.py test    set up for tests and run the whole suite (lint and types first);
                           extra arguments go to pytest

Also: ``python3 dev.py setup`` (serve's set-up without serving),
``python3 dev.py translations`` (re-extract and update the message catalogues) and
``python3 dev.py lock`` (re-resolve the newest allowed versions into constraints.txt).
Packages are installed at the exact versions in constraints.txt; DEV_EXTRAS=postgres,redis
adds those extras (CI does). Every step is idempotent: running it twice changes nothing
and loses nothing.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
TRANSLATIONS = ROOT / "app" / "translations"
CONSTRAINTS = ROOT / "constraints.txt"
LOCK_HEADER = """\
# Exact versions of every package the project installs, with all its extras (transitively).
# dev.py and CI install with `pip install -c constraints.txt`; pyproject.toml keeps the ranges.
# Upgrade: `python3 dev.py lock`, then run `python3 dev.py test` and commit both.
"""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def pip_install(python: Path, *args: str) -> None:
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args)


def check_python() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may run on any python3
        sys.exit("Python 3.11 or newer is needed (this is {}.{}).".format(*sys.version_info[:2]))


def ensure_venv(extras: str = "") -> None:
    """Create .venv and install the project at the locked versions; skipped when nothing changed.

    DEV_EXTRAS (e.g. ``postgres,redis``) adds extras to whatever the command needs.
    """
    check_python()
    if not PYTHON.exists():
        say("Creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = [extras, *os.environ.get("DEV_EXTRAS", "").split(",")]
    extras = ",".join(sorted({name.strip() for name in wanted if name.strip()}))
    spec = f".[{extras}]" if extras else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + CONSTRAINTS.read_bytes()
                            + spec.encode()).hexdigest()
    stamp = VENV / f".installed-{extras.replace(',', '+') or 'app'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"Installing packages ({spec}, versions from constraints.txt)")
    pip_install(PYTHON, "--upgrade", "pip")
    pip_install(PYTHON, "-c", str(CONSTRAINTS), "-e", spec)
    stamp.write_text(digest)


def lock() -> None:
    """Write constraints.txt afresh: the newest versions pyproject.toml allows, every extra."""
    check_python()
    import tomllib  # 3.11+: imported after the version check

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras = ",".join(sorted(pyproject["project"].get("optional-dependencies", {})))
    with tempfile.TemporaryDirectory(prefix="presales-lock-") as folder:
        say("Resolving in a fresh virtual environment, without constraints")
        venv.EnvBuilder(with_pip=True).create(folder)
        python = Path(folder) / BIN.name / PYTHON.name
        pip_install(python, "--upgrade", "pip")
        pip_install(python, "-e", f".[{extras}]")
        frozen = subprocess.run([str(python), "-m", "pip", "freeze", "--exclude-editable"],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout
    name = pyproject["project"]["name"].lower()
    pins = [line for line in frozen.splitlines() if "==" in line and not line.startswith("#")
            and not line.lower().replace("_", "-").startswith(f"{name}==")]
    CONSTRAINTS.write_text(LOCK_HEADER + "\n".join(pins) + "\n")
    say(f"Wrote {len(pins)} pins to constraints.txt; run `python3 dev.py test`, then commit it")


def compile_translations() -> None:
    say("Compiling translations")
    run(PYTHON, "-m", "babel.messages.frontend", "compile", "--statistics",
        "-d", TRANSLATIONS, "-D", "messages")


def flask(*args: str) -> None:
    run(PYTHON, "-m", "flask", "--app", "wsgi", *args)


def setup() -> None:
    ensure_venv()
    compile_translations()
    say("Creating or upgrading the database")
    flask("db", "upgrade")
    say("Loading sample content and demo accounts")
    flask("demo", "load")


def serve() -> None:
    setup()
    say("Serving on http://127.0.0.1:5000 (Ctrl+C stops)")
    flask("run", "--host", "127.0.0.1", "--port", "5000")


def test(pytest_args: list[str]) -> None:
    ensure_venv("test")
    compile_translations()
    say("Lint (ruff)")
    run(PYTHON, "-m", "ruff", "check", ".")
    say("Types (mypy on app/)")
    run(PYTHON, "-m", "mypy")
    say("Tests (pytest)")
    run(PYTHON, "-m", "pytest", *pytest_args)


def translations() -> None:
    ensure_venv()
    pot = TRANSLATIONS / "messages.pot"
    run(PYTHON, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
        "-k", "_l", "-k", "lazy_gettext", "--no-location", "--sort-output",
        "-o", pot, ".")
    run(PYTHON, "-m", "babel.messages.frontend", "update", "-i", pot, "-d", TRANSLATIONS,
        "--no-fuzzy-matching", "--ignore-obsolete")


COMMANDS = {"serve": serve, "setup": setup, "translations": translations, "lock": lock}


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in {*COMMANDS, "test"}:
        sys.exit(__doc__)
    if argv[0] == "test":
        test(argv[1:])
    else:
        COMMANDS[argv[0]]()


if __name__ == "__main__":
    main(sys.argv[1:])
