"""Installs: exact versions from constraints.txt; PostgreSQL and Redis drivers are extras."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pins() -> dict[str, str]:
    """constraints.txt as {normalised name: version}; every line must be an exact pin."""
    found = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, separator, version = line.partition("==")
        assert separator and version.strip() == version and version, f"not an exact pin: {line}"
        found[canonicalize_name(name)] = version
    return found


def needed() -> set[str]:
    """Every distribution the project and all its extras need, walked through what is installed."""
    todo = [Requirement(r) for r in PROJECT["dependencies"]]
    todo += [Requirement(r) for reqs in PROJECT["optional-dependencies"].values() for r in reqs]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement = todo.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.distribution(requirement.name).requires or []
        except metadata.PackageNotFoundError:  # an extra not installed here: its name still counts
            continue
        for line in requires:
            child = Requirement(line)
            extras = requirement.extras or {""}
            if child.marker is None or any(child.marker.evaluate({"extra": e}) for e in extras):
                todo.append(child)
    return {name for name, _ in seen}


def test_constraints_pin_every_package_the_project_needs():
    missing = needed() - set(pins())
    assert not missing, f"not in constraints.txt (run `python3 dev.py lock`): {sorted(missing)}"


def test_installed_packages_are_the_pinned_versions():
    """dev.py installs with -c constraints.txt, so what is installed is what is pinned."""
    drifted = {}
    for name, version in pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # an extra this environment does not use
        if installed != version:
            drifted[name] = (installed, version)
    assert not drifted, f"installed != pinned (re-run dev.py or `python3 dev.py lock`): {drifted}"


def test_database_and_redis_drivers_are_extras_not_dependencies():
    hard = {canonicalize_name(Requirement(r).name) for r in PROJECT["dependencies"]}
    assert not hard & {"psycopg", "psycopg-binary", "redis"}
    extras = PROJECT["optional-dependencies"]
    assert {canonicalize_name(Requirement(r).name) for r in extras["postgres"]} == {"psycopg"}
    assert {canonicalize_name(Requirement(r).name) for r in extras["redis"]} == {"redis"}


WITHOUT_DRIVERS = textwrap.dedent("""
    import sys

    class NoDrivers:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"psycopg", "psycopg_binary", "psycopg2", "redis"}:
                raise ImportError(f"{name} is not installed (blocked by the test)")

    sys.meta_path.insert(0, NoDrivers())
    from flask_migrate import upgrade

    from app import create_app
    from config import TestingConfig

    config = TestingConfig({"TEST_DATABASE_URL": "sqlite:///" + sys.argv[1]})
    config.WTF_CSRF_ENABLED = False
    app = create_app(config)
    with app.app_context():
        upgrade()
    client = app.test_client()
    health = client.get("/healthz")
    refused = client.post("/login", data={"email": "x@example.com", "password": "wrong-guess"})
    print(health.status_code, refused.status_code)
""")


def test_the_embedded_default_runs_without_postgresql_or_redis_drivers(tmp_path):
    """SQLite and in-memory throttling need neither psycopg nor redis, even to sign in."""
    result = subprocess.run([sys.executable, "-c", WITHOUT_DRIVERS, str(tmp_path / "app.db")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200"]
