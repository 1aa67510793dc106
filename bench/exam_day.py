"""Benchmark: exam day — N examinees sign in, start, answer, submit at the deadline.

    .venv/bin/python bench/exam_day.py [--examinees 3000] [--questions 50] [--compress 1]
                                       [--database sqlite|postgres] [--workers 2]
                                       [--start-spread S] [--open-after S]
                                       [--json PATH] [--compare SQLITE.json]

The app runs under gunicorn (sync workers, ``-w 2`` on the 2-core machine) exactly as in
production (APP_ENV=production, default scrypt password hashes); sign-in throttling is
switched off with RATELIMIT_ENABLED=0 because every examinee comes from 127.0.0.1. The
load comes from a separate process using only the standard library.

The defaults are a real exam day (issue 18): 3,000 examinees, 50 questions, one save per
examinee every 10 s (``--compress 1``, about 300 saves/s). A compressed run (``--compress
F`` above 1) is a saturation probe only: its save latency has no target.

The exam opens ``--open-after`` seconds after it is built (default: examinees / 15 + 30 s,
time enough to sign in at scrypt's rate), with ``start_spread_seconds = --start-spread``.
Phases, in this order:

1. sign-in: GET /login, POST /login, GET the exam's start page (its CSRF token and, while
   the person's start has not opened, ``data-opens-in``: seconds until it does), with
   ``--signin-concurrency`` examinees at a time (scrypt is slow by design);
2. start burst: each examinee presses Start (``POST /exams/<id>/start``) at the moment
   its own start opens (the opening plus its share of the spread; with no spread everyone
   in the same instant) and follows the redirect to the attempt page;
3. answering: every examinee saves one answer per question (JSON POST, X-CSRFToken,
   seq = seq_base + k) after a random think time, exponential with mean 10 s / compress;
4. fsync probe: ``--probe-saves`` saves one after another from a few examinees, with
   strace counting fsync/fdatasync in the gunicorn workers (and, on PostgreSQL, in the
   bench database's backends and the WAL writer, beside pg_stat_wal's wal_sync);
5. saturation: saves with no think time from ``--concurrency`` clients for
   ``--saturation-seconds``, then GET /healthz the same way (the save figure is read as a
   ratio of it). It runs before the submits because saves need open attempts;
6. submit burst at the deadline: every attempt's deadline is moved to the burst's moment,
   then every examinee sends what the page sends when its countdown runs out (POST
   /exams/attempts/<id>/submit with ``ended=deadline``) within ``--submit-seconds`` and
   loads the result page it is sent to.

Afterwards the database is read directly: every acknowledged save (HTTP 200) must be
stored, i.e. for each attempt and question the stored seq and response are those of the
last acknowledged save (pages send display positions; the server stores original indices,
so the sent response is mapped with the item's option order before comparing), and every
attempt must be finished and graded (state graded, score and finished_at set). Grading
throughput is measured in-process too (app.exams.grading.grade over the stored answers).

Client design: asyncio with raw streams, one coroutine per examinee. gunicorn's sync
workers answer one request per connection (they always close it), so keep-alive is not
available and every request opens a connection, as a browser behind no proxy would; one
coroutine per examinee costs no thread and lets 3,000 start requests be in flight at the
same moment, which a thread pool could not do.

Targets (issue 18), each printed PASS or MISS with the measured figure: save p99 <= 100 ms
at the real rate with 0 errors and 0 lost; every attempt page within 10 s of the person's
own opening; every submit answered and graded within 10 s of the burst; saves/s at
saturation >= 50 % of /healthz requests/s; one fsync (or more) per save; every sign-in done
before the opening. ``--json`` writes every figure; ``--compare`` (on PostgreSQL) holds
each against a SQLite run's: at least 80 % of it. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import random
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "exam-day-password-1"  # noqa: S105 - benchmark accounts in a throwaway database
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "bench_exam_day"
MEAN_THINK_S = 10.0
ANSWERING_TARGET_S = 60.0  # the compressed default of the companion scripts

# Targets (issue 18: a real exam day).
SAVE_P99_TARGET_MS = 100.0
BURST_TARGET_S = 10.0
SATURATION_TARGET = 0.50
COMPARE_SHARE = 0.80  # PostgreSQL: at least 80 % of the SQLite figure
OTHERS_LIMIT = 0.10  # other processes' share of the machine above which a run was shared
STRACE = Path("/usr/bin/strace")

# Question types of the generated bank (no essays: everything grades automatically) and the
# number of choices / pairs / items each one has, which the simulated examinees answer from.
KINDS = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering")
SIZES = {"single": 4, "multiple": 4, "truefalse": 2, "matching": 3, "ordering": 4}
SHORT_ANSWERS = ("edge tier", "edge", "core", "the edge tier", "cloud")


# --- data set (in-process, before gunicorn starts) ------------------------------------------


def bank_text(count: int) -> str:
    def question(n: int) -> str:
        kind = KINDS[(n - 1) % len(KINDS)]
        body = {
            "single": "- [ ] Option A\n- [x] Option B\n- [ ] Option C\n- [ ] Option D\n",
            "multiple": "- [x] Option A\n- [x] Option B\n- [ ] Option C\n- [ ] Option D\n",
            "truefalse": "- [x] True\n- [ ] False\n",
            "short": "- edge tier\n- edge\n- /edge( tier)?/\n",
            "numeric": f"- {n % 50} ± 0.5\n- {n % 40} .. {n % 40 + 10}\n",
            "matching": "- PIPL -> Personal information\n- MLPS -> Classified protection\n"
            "- DSL -> Data security\n",
            "ordering": "1. Qualify\n2. Discover\n3. Design\n4. Prove\n",
        }[kind]
        return (
            f"## ED-{n:03d}\ntype: {kind}\npoints: {1 + n % 3}\n\n"
            f"Exam-day question {n}: which statement about `component-{n}` is right?\n\n"
            f"{body}\n> Explanation for question {n}.\n"
        )

    front = "---\nid: exam-day-bank\ntitle: Exam-day bank\narea: product\nlanguage: en\n---\n\n"
    return front + "\n".join(question(n) for n in range(1, count + 1))


def database_url(kind: str, folder: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder}/exam_day.db"
    return f"{PG_SERVER}/{PG_DATABASE}"


def pg_admin(statements: list[str]) -> None:
    assert PG_DATABASE != "test"  # noqa: S101 - never the test suite's database
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def production_app(url: str, secret: str):
    from app import create_app
    from config import ProductionConfig

    return create_app(ProductionConfig({"SECRET_KEY": secret, "DATABASE_URL": url}))


def build_data(app, examinees: int, questions: int, *, opens_at=None,
               start_spread: int = 0) -> tuple[int, list[str]]:
    """Migrate, import the bank, create the exam and the examinees; returns (exam id, emails).

    The exam opened five minutes ago unless ``opens_at`` (an aware UTC datetime) says when;
    ``start_spread`` sets its start_spread_seconds (a column since migration 0020)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from app.auth.models import Role, User, UserRole
    from app.banks.markdown_format import parse_bank
    from app.banks.services import import_banks
    from app.database import utcnow
    from app.exams.models import Exam, ExamRule
    from app.extensions import db

    with app.app_context():
        upgrade()
        bank, issues = parse_bank(bank_text(questions), "exam-day.md")
        assert bank is not None, issues  # noqa: S101 - generated data must parse
        import_banks([bank], actor_label="bench")
        now = utcnow()
        exam = Exam(
            title="Exam-day benchmark",
            opens_at=opens_at or now - timedelta_minutes(5),
            closes_at=(opens_at or now) + timedelta_minutes(120),
            time_limit_minutes=60,
            published_at=now - timedelta_minutes(60),
        )
        exam.rules = [
            ExamRule(
                position=1,
                kind="fixed",
                question_ids=[f"ED-{n:03d}" for n in range(1, questions + 1)],
            )
        ]
        db.session.add(exam)
        db.session.flush()
        if start_spread:
            set_start_spread(exam.id, start_spread)
        # One scrypt hash (the production default method) shared by everyone: hashing
        # 1,000 passwords one by one would take over a minute and measure nothing.
        password_hash = generate_password_hash(PASSWORD)
        emails = [f"examinee{i:05d}@bench.example" for i in range(examinees)]
        db.session.execute(
            sa.insert(User.__table__),
            [
                {
                    "email": email,
                    "display_name": f"Examinee {i}",
                    "password_hash": password_hash,
                    "locale": "en",
                    "active": True,
                    "created_at": now,
                }
                for i, email in enumerate(emails)
            ],
        )
        ids = db.session.execute(sa.select(User.id).where(User.email.in_(emails))).scalars()
        db.session.execute(
            sa.insert(UserRole.__table__),
            [{"user_id": uid, "role": Role.LEARNER.value} for uid in ids],
        )
        db.session.commit()
        exam_id = exam.id
        db.session.remove()
        db.engine.dispose()
    return exam_id, emails


def set_start_spread(exam_id: int, seconds: int) -> None:
    """Write the exam's start spread (by SQL: the bench also runs against older apps)."""
    import sqlalchemy as sa

    from app.extensions import db

    columns = {c["name"] for c in sa.inspect(db.session.connection()).get_columns("exams")}
    if "start_spread_seconds" not in columns:
        raise SystemExit("--start-spread needs the exams.start_spread_seconds column "
                         "(migration 0020), which this app does not have")
    db.session.execute(sa.text("UPDATE exams SET start_spread_seconds = :s WHERE id = :id"),
                       {"s": seconds, "id": exam_id})


def timedelta_minutes(minutes: int):
    from datetime import timedelta

    return timedelta(minutes=minutes)


# --- gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(workers: int, port: int, url: str, secret: str, log_path: Path,
                   threads: int = 1):
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": secret,
        "DATABASE_URL": url,
        "RATELIMIT_ENABLED": "0",
    }
    log = log_path.open("wb")
    proc = subprocess.Popen(  # noqa: S603 - fixed argument list
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-w",
            str(workers),
            *(["-k", "gthread", "--threads", str(threads)] if threads > 1 else []),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited ({proc.returncode}): "
                + log_path.read_text(errors="replace")[-2000:]
            )
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return proc, log
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    stop_gunicorn(proc, log)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop_gunicorn(proc, log) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log.close()


# --- CPU accounting (Linux /proc; figures are omitted where it is unavailable) --------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (every process, steal included)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    # user nice system idle iowait irq softirq steal: busy = all but idle and iowait
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICK


def gunicorn_workers(master: int) -> list[int]:
    try:
        return [int(pid) for pid in
                Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def gunicorn_cpu(master: int) -> float:
    """CPU seconds of gunicorn's master and current workers."""
    return proc_cpu(master) + sum(proc_cpu(pid) for pid in gunicorn_workers(master))


def postgres_cpu(database: str | None = None) -> float:
    """CPU seconds of the PostgreSQL server processes, read from /proc: all of them, or the
    background processes and the backends connected to ``database`` (not other tests')."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() != "postgres":
                    continue
                title = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            client = "(" in title  # a client backend's title ends with host(port) state
            if database is None or not client or f" {database} " in title:
                total += proc_cpu(int(entry.name))
    return total


# --- the load driver (separate process, standard library only) ------------------------------

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEQ_BASE = re.compile(r'data-seq-base="(\d+)"')
DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')
QUESTION = re.compile(r'data-question="(\d+)" data-type="(\w+)"')
ATTEMPT_PATH = re.compile(r"/exams/attempts/(\d+)")
OPENS_IN = re.compile(r'data-opens-in="([0-9.]+)"')
# With no data-opens-in to go by, a start released at the opening read from the clock waits
# this much longer: a start pressed a moment early is refused.
CLOCK_MARGIN_S = 0.05


def epoch_to_perf(epoch: float) -> float:
    return time.perf_counter() + (epoch - time.time())


def perf_to_epoch(moment: float) -> float:
    return time.time() + (moment - time.perf_counter())


async def sleep_until(moment: float) -> None:
    """Sleep until a time.perf_counter() moment."""
    await asyncio.sleep(max(0.0, moment - time.perf_counter()))


class Examinee:
    __slots__ = ("attempt", "cookies", "csrf", "email", "k", "opens_at", "questions", "rng",
                 "seq_base")

    def __init__(self, email: str, seed: int):
        self.email, self.rng = email, random.Random(seed)  # noqa: S311 - simulated people
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.attempt = 0
        self.seq_base = 0
        self.k = 0  # saves sent so far: seq = seq_base + k, always increasing
        self.questions: list[tuple[int, str]] = []
        # When this person's start opens (time.perf_counter()), read from the start page's
        # data-opens-in; None when the page did not say (already open, or an older app).
        self.opens_at: float | None = None

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def take_cookies(self, set_cookies: list[str]) -> None:
        # Production cookies are Secure: a cookie jar would not send them back over http,
        # so the session cookie is carried by hand.
        for line in set_cookies:
            name, _, value = line.split(";", 1)[0].partition("=")
            if value and "max-age=0" not in line.lower():
                self.cookies[name.strip()] = value.strip()
            else:
                self.cookies.pop(name.strip(), None)

    def response(self, kind: str):
        rng = self.rng
        if kind in ("single", "truefalse"):
            return rng.randrange(SIZES[kind])
        if kind == "multiple":
            return sorted(rng.sample(range(SIZES[kind]), rng.randint(1, 3)))
        if kind == "matching":
            order = rng.sample(range(SIZES[kind]), SIZES[kind])
            return {str(i): v for i, v in enumerate(order)}
        if kind == "ordering":
            return rng.sample(range(SIZES[kind]), SIZES[kind])
        if kind == "numeric":
            return f"{rng.uniform(0, 60):.1f}"
        return rng.choice(SHORT_ANSWERS)


class Driver:
    def __init__(self, params: dict):
        self.p = params
        self.host, self.port = "127.0.0.1", params["port"]
        self.records: list[tuple[str, float, float, float, str]] = []  # name, t0, sent, t1, err
        self.acks: list[tuple[int, int, int, str]] = []  # attempt, position, seq, response json
        self.phases: list[dict] = []
        self.info: dict = {}
        self.timeout = params["timeout"]
        self.conn = None  # drive() sets it: the pipe to the main process, for ask()

    def ask(self, what: str, **values) -> dict | None:
        """Ask the main process for something mid-run (the fsync probe's tracers, moving
        the deadlines); None when no main process answers (a companion script's driver)."""
        if self.conn is None or not self.p.get("hooks"):
            return None
        self.conn.send({"ask": what, **values})
        return self.conn.recv()

    # One request on its own connection (gunicorn's sync workers close it after answering).
    async def http(
        self,
        name: str,
        method: str,
        path: str,
        *,
        examinee: Examinee | None = None,
        body: bytes = b"",
        content_type: str = "",
        headers: dict | None = None,
        expect: int = 200,
    ):
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "User-Agent: exam-day-bench",
            "Connection: close",
            f"Content-Length: {len(body)}",
        ]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        if examinee is not None and examinee.cookies:
            lines.append(f"Cookie: {examinee.cookie_header()}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        t0 = time.perf_counter()
        sent, error, status, head, payload = t0, "", 0, {}, b""
        writer = None
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await asyncio.open_connection(self.host, self.port)
                writer.write(raw)
                await writer.drain()
                sent = time.perf_counter()
                data = await reader.read()
            header_bytes, _, payload = data.partition(b"\r\n\r\n")
            header_lines = header_bytes.decode("latin-1").split("\r\n")
            status = int(header_lines[0].split()[1])
            for line in header_lines[1:]:
                key, _, value = line.partition(":")
                head.setdefault(key.strip().lower(), []).append(value.strip())
            if status != expect:
                error = f"HTTP {status}"
        except TimeoutError:
            error = "timeout"
        except (OSError, ValueError, IndexError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:80]
        finally:
            if writer is not None:
                writer.close()
        t1 = time.perf_counter()
        if examinee is not None and "set-cookie" in head:
            examinee.take_cookies(head["set-cookie"])
        self.records.append((name, t0, sent, t1, error))
        return status, head, payload, error

    def fail(self, name: str, why: str) -> None:
        """A reply that had the expected status but not the expected content."""
        name_, t0, sent, t1, _ = self.records[-1]
        self.records[-1] = (name_, t0, sent, t1, why)

    def snapshot(self) -> dict:
        cpu = os.times()
        return {
            "t": time.perf_counter(),
            "client": cpu.user + cpu.system,
            "server": gunicorn_cpu(self.p["gunicorn_pid"]),
            "db": postgres_cpu(self.p.get("pg_database")) if self.p["database"] == "postgres"
            else 0.0,
            "machine": machine_cpu(),
        }

    async def phase(self, name: str, coroutine):
        before = self.snapshot()
        result = await coroutine
        after = self.snapshot()
        self.phases.append(
            {
                "name": name,
                **{k: after[k] - before[k] for k in before},
                "start": before["t"],
                "end": after["t"],
            }
        )
        return result

    # 1. sign-in ----------------------------------------------------------------------------
    async def sign_in(self, people: list[Examinee]) -> None:
        gate = asyncio.Semaphore(self.p["signin_concurrency"])
        exam = self.p["exam_id"]

        async def one(person: Examinee) -> None:
            async with gate:
                status, _, page, error = await self.http(
                    "GET /login", "GET", "/login", examinee=person
                )
                token = CSRF_INPUT.search(page.decode("utf-8", "replace")) if not error else None
                if token is None:
                    if not error:
                        self.fail("GET /login", "no csrf_token")
                    return
                form = urlencode(
                    {
                        "csrf_token": token.group(1),
                        "email": person.email,
                        "password": PASSWORD,
                        "next": f"/exams/{exam}/",
                    }
                ).encode()
                status, head, _, error = await self.http(
                    "POST /login",
                    "POST",
                    "/login",
                    examinee=person,
                    body=form,
                    content_type="application/x-www-form-urlencoded",
                    expect=302,
                )
                if error:
                    return
                if "/login" in head.get("location", [""])[0]:
                    self.fail("POST /login", "refused")
                    return
                status, _, page, error = await self.http(
                    "GET start page", "GET", f"/exams/{exam}/", examinee=person
                )
                served = self.records[-1][3]
                text = page.decode("utf-8", "replace")
                token = CSRF_INPUT.search(text) if not error else None
                if token is None:
                    if not error:
                        self.fail("GET start page", "no csrf_token")
                    return
                person.csrf = token.group(1)
                opens_in = OPENS_IN.search(text)
                if opens_in is not None:  # as the page does: the server's wait, our clock
                    person.opens_at = served + float(opens_in.group(1))

        await asyncio.gather(*(one(person) for person in people))

    # 2. start burst ------------------------------------------------------------------------
    def start_moments(self, people: list[Examinee]) -> dict[int, tuple[float, float]]:
        """id(person) -> (own opening, release): each presses Start when its own start opens
        (the exam's opening read from the clock when the page did not say), the late and
        those with no opening at all half a second from now, together."""
        soonest = time.perf_counter() + 0.5
        epoch = self.p.get("opens_at_epoch")
        window = epoch_to_perf(epoch) + CLOCK_MARGIN_S if epoch is not None else None
        moments = {}
        for person in people:
            opening = person.opens_at if person.opens_at is not None else window
            release = soonest if opening is None else max(opening, soonest)
            moments[id(person)] = (opening if opening is not None else release, release)
        return moments

    async def wait_for_opening(self, people: list[Examinee]) -> None:
        """Signed-in start pages wait (sending nothing) until the first start opens."""
        moments = self.start_moments(people)
        if moments:
            await sleep_until(min(release for _, release in moments.values()) - 0.5)

    async def start_burst(self, people: list[Examinee]) -> None:
        moments = self.start_moments(people)
        epoch = self.p.get("opens_at_epoch")
        releases = [release for _, release in moments.values()]
        self.info["released_at"] = min(releases, default=time.perf_counter())
        self.info["window_at"] = (epoch_to_perf(epoch) if epoch is not None
                                  else self.info["released_at"])
        self.info["starts"] = starts = []  # (own opening, release, attempt page served or None)

        async def one(person: Examinee) -> None:
            opening, release = moments[id(person)]
            await sleep_until(release)
            served = await self.start_one(person)
            starts.append((opening, release, served))

        await asyncio.gather(*(one(person) for person in people))

    async def start_one(self, person: Examinee) -> float | None:
        """Press Start, load the attempt page; when that page was served, or None."""
        exam = self.p["exam_id"]
        form = urlencode({"csrf_token": person.csrf}).encode()
        status, head, _, error = await self.http(
            "POST start", "POST", f"/exams/{exam}/start", examinee=person, body=form,
            content_type="application/x-www-form-urlencoded", expect=302)
        if error:
            return None
        match = ATTEMPT_PATH.search(head.get("location", [""])[0])
        if match is None:
            self.fail("POST start", "refused")
            return None
        status, _, page, error = await self.http(
            "GET attempt page", "GET", match.group(0), examinee=person)
        if error:
            return None
        served = self.records[-1][3]
        text = page.decode("utf-8", "replace")
        seq, csrf = SEQ_BASE.search(text), DATA_CSRF.search(text)
        questions = [(int(n), kind) for n, kind in QUESTION.findall(text)]
        if seq is None or csrf is None or not questions:
            self.fail("GET attempt page", "not an attempt page")
            return None
        person.attempt, person.seq_base = int(match.group(1)), int(seq.group(1))
        person.csrf, person.questions = csrf.group(1), questions
        return served

    # 3. answering and 4. saturation --------------------------------------------------------
    async def save(self, name: str, person: Examinee, position: int, kind: str) -> None:
        person.k += 1
        seq = person.seq_base + person.k
        response = person.response(kind)
        body = json.dumps({"position": position, "seq": seq, "response": response}).encode()
        status, _, payload, error = await self.http(
            name,
            "POST",
            f"/exams/attempts/{person.attempt}/answers",
            examinee=person,
            body=body,
            content_type="application/json",
            headers={"X-CSRFToken": person.csrf, "Accept": "application/json"},
        )
        if not error:
            try:
                reply = json.loads(payload)
            except ValueError:
                reply = {}
            if reply.get("saved") is True and reply.get("seq") == seq:
                self.acks.append((person.attempt, position, seq, json.dumps(response)))
            else:
                self.fail(name, "save not confirmed")

    async def answering(self, people: list[Examinee]) -> None:
        mean = MEAN_THINK_S / self.p["compress"]

        async def one(person: Examinee) -> None:
            for position, kind in person.questions:
                await asyncio.sleep(person.rng.expovariate(1 / mean))
                await self.save("POST save (answering)", person, position, kind)

        await asyncio.gather(*(one(person) for person in people))

    async def saturate(self, people: list[Examinee], what: str) -> None:
        clients, seconds = self.p["concurrency"], self.p["saturation_seconds"]
        stop = time.perf_counter() + seconds

        async def client(index: int) -> None:
            mine = people[index::clients]  # disjoint: an attempt never has two saves in flight
            turn = 0
            while time.perf_counter() < stop:
                if what == "save":
                    person = mine[turn % len(mine)]
                    position, kind = person.questions[person.rng.randrange(len(person.questions))]
                    await self.save("POST save (saturation)", person, position, kind)
                else:
                    await self.http("GET /healthz (saturation)", "GET", "/healthz")
                turn += 1

        await asyncio.gather(*(client(i) for i in range(min(clients, len(people)))))

    # fsync probe ---------------------------------------------------------------------------
    async def fsync_probe(self, people: list[Examinee]) -> None:
        """Saves one after another, nothing else running, while the main process counts
        fsync calls: the durability figure (fsyncs per acknowledged save)."""
        probe = self.ask("probe start")
        if probe is None or "skip" in probe:
            self.info["fsync"] = probe or {"skip": "not asked"}
            return
        few = people[: self.p.get("probe_examinees", 4)]
        if not few:
            self.info["fsync"] = self.ask("probe stop", saves=0)
            return
        before = len(self.acks)
        for n in range(self.p.get("probe_saves", 200)):
            person = few[n % len(few)]
            position, kind = person.questions[(n // len(few)) % len(person.questions)]
            await self.save("POST save (fsync probe)", person, position, kind)
        self.info["fsync"] = self.ask("probe stop", saves=len(self.acks) - before)

    # 6. submit burst at the deadline -------------------------------------------------------
    async def submit(self, people: list[Examinee]) -> None:
        """Everyone's page submits itself as its countdown runs out (``ended=deadline``),
        within ``submit_seconds``, then loads the result page it is sent to."""
        spread = self.p["submit_seconds"]
        release = time.perf_counter() + 1.0
        moved = self.ask("move deadlines", at=perf_to_epoch(release))
        self.info["deadlines_moved"] = (moved or {}).get("moved", 0)
        self.info["submit_released_at"] = release

        async def one(person: Examinee) -> None:
            await sleep_until(release + person.rng.uniform(0, spread))
            form = urlencode({"csrf_token": person.csrf, "ended": "deadline"}).encode()
            _, head, _, error = await self.http(
                "POST submit", "POST", f"/exams/attempts/{person.attempt}/submit",
                examinee=person, body=form, content_type="application/x-www-form-urlencoded",
                expect=302)
            location = urlsplit(head.get("location", [""])[0]).path
            if error:
                return
            if not location.endswith("/result"):
                self.fail("POST submit", "not sent to the result page")
                return
            await self.http("GET result page", "GET", location, examinee=person)

        await asyncio.gather(*(one(person) for person in people))

    async def run(self) -> None:
        people = [Examinee(email, self.p["seed"] + i) for i, email in enumerate(self.p["emails"])]
        await self.phase("sign-in", self.sign_in(people))
        people = [p for p in people if p.csrf]
        await self.phase("waiting for the opening", self.wait_for_opening(people))
        await self.phase("start burst", self.start_burst(people))
        people = [p for p in people if p.attempt]
        self.info["examinees_started"] = len(people)
        await self.phase("answering", self.answering(people))
        await self.phase("fsync probe", self.fsync_probe(people))
        await self.phase("saturation: save", self.saturate(people, "save"))
        await self.phase("saturation: /healthz", self.saturate(people, "healthz"))
        await self.phase("submit burst", self.submit(people))
        self.info["attempts"] = [p.attempt for p in people]


def drive(params: dict, conn) -> None:
    """Entry point of the load process: run every phase, send the raw figures back."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 4 * len(params["emails"]) + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    driver = Driver(params)
    driver.conn = conn
    asyncio.run(driver.run())
    conn.send(
        {
            "records": driver.records,
            "acks": driver.acks,
            "phases": driver.phases,
            "info": driver.info,
        }
    )
    conn.close()


# --- mid-run, in the main process: the fsync probe's tracers and the deadlines ------------


class SyscallCount:
    """``strace -f -c`` counting fsync and fdatasync in running processes, attached by pid."""

    CALLS = ("fsync", "fdatasync")

    def __init__(self, label: str, pids: list[int], log_path: Path):
        self.label, self.pids, self.log_path = label, pids, log_path
        self.proc = self.log = None

    def start(self) -> None:
        argv = [str(STRACE), "-f", "-c", "-e", "trace=" + ",".join(self.CALLS)]
        for pid in self.pids:
            argv += ["-p", str(pid)]
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.log)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.proc.poll() is None:
            if self.log_path.read_text(errors="replace").count("attached") >= len(self.pids):
                return
            time.sleep(0.05)

    def stop(self) -> dict:
        self.proc.send_signal(signal.SIGINT)  # strace detaches and prints its summary
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        counts = dict.fromkeys(self.CALLS, 0)
        for line in self.log_path.read_text(errors="replace").splitlines():
            fields = line.split()  # % time, seconds, usecs/call, calls, [errors,] syscall
            if len(fields) >= 5 and fields[-1] in counts and fields[3].isdigit():
                counts[fields[-1]] = int(fields[3])
        return {"label": self.label, "processes": len(self.pids),
                "calls": sum(counts.values()), **counts}


def pg_query(sql: str, values: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        return conn.execute(sql, values).fetchall()


def pg_wal_syncs() -> int | None:
    """pg_stat_wal's wal_sync (PostgreSQL 14+): WAL fsyncs of the whole server."""
    try:
        return int(pg_query("SELECT wal_sync FROM pg_stat_wal")[0][0])
    except Exception:  # noqa: BLE001 - an older server: the figure is left out
        return None


class RunHooks:
    """What the load process asks the main process mid-run (Driver.ask): start and stop the
    fsync probe's tracers, move every attempt's deadline to the submit burst."""

    def __init__(self, app, database: str, exam_id: int, gunicorn_pid: int, folder: Path):
        self.app, self.database, self.exam_id = app, database, exam_id
        self.gunicorn_pid, self.folder = gunicorn_pid, folder
        self.counters: list[SyscallCount] = []
        self.wal_before: int | None = None

    def answer(self, message: dict) -> dict:
        handlers = {"probe start": self.probe_start, "probe stop": self.probe_stop,
                    "move deadlines": self.move_deadlines}
        what = message.pop("ask")
        try:
            return handlers[what](**message)
        except Exception as exc:  # noqa: BLE001 - reported; the load process must go on
            return {"skip": f"{what}: {type(exc).__name__}: {exc}"[:200]}

    def probe_start(self) -> dict:
        if not STRACE.exists():
            return {"skip": "strace not installed"}
        groups = [("gunicorn workers", gunicorn_workers(self.gunicorn_pid))]
        if self.database == "postgres":
            rows = pg_query("SELECT pid, backend_type FROM pg_stat_activity "
                            "WHERE datname = %s OR backend_type = 'walwriter'", (PG_DATABASE,))
            groups += [(f"postgres backends ({PG_DATABASE})",
                        [pid for pid, kind in rows if kind != "walwriter"]),
                       ("postgres WAL writer (whole server)",
                        [pid for pid, kind in rows if kind == "walwriter"])]
            time.sleep(2)  # backends report their WAL statistics about once a second
            self.wal_before = pg_wal_syncs()
        self.counters = [SyscallCount(label, pids, self.folder / f"strace-{n}.txt")
                         for n, (label, pids) in enumerate(groups) if pids]
        for counter in self.counters:
            counter.start()
        return {"tracing": [(c.label, c.pids) for c in self.counters]}

    def probe_stop(self, saves: int) -> dict:
        counts = [counter.stop() for counter in self.counters]
        result: dict = {"saves": saves, "counts": counts}
        if self.database == "postgres" and self.wal_before is not None:
            time.sleep(2)
            after = pg_wal_syncs()
            result["wal_sync"] = None if after is None else after - self.wal_before
        return result

    def move_deadlines(self, at: float) -> dict:
        """The submit burst comes at the deadline: every open attempt's deadline is then."""
        from datetime import UTC, datetime

        import sqlalchemy as sa

        from app.exams.models import Attempt, AttemptState
        from app.extensions import db

        with self.app.app_context():
            moved = db.session.execute(
                sa.update(Attempt)
                .where(Attempt.exam_id == self.exam_id,
                       Attempt.state == AttemptState.IN_PROGRESS)
                .values(deadline_at=datetime.fromtimestamp(at, UTC))
                .execution_options(synchronize_session=False)).rowcount
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        return {"moved": moved}


def serve_load(receive, hooks: RunHooks) -> dict:
    """Answer the load process's questions until it sends its result."""
    while True:
        message = receive.recv()
        if isinstance(message, dict) and "ask" in message:
            receive.send(hooks.answer(message))
        else:
            return message


# --- after the run: lost answers and grading ------------------------------------------------


def check_stored(app, acks: list[tuple[int, int, int, str]], attempts: list[int]) -> dict:
    """Every acknowledged save must be in the database: the last acknowledged one per question."""
    import sqlalchemy as sa

    from app.banks.models import QuestionVersion
    from app.exams.models import Attempt, AttemptItem
    from app.extensions import db

    try:
        from app.exams.option_order import to_original
    except ImportError:
        try:  # an app from before option_order.py
            from app.exams.attempts import to_original
        except ImportError:  # an app whose pages send original indices

            def to_original(kind, response, order):
                return response

    last: dict[tuple[int, int], tuple[int, str]] = {}
    for attempt, position, seq, response in acks:
        key = (attempt, position)
        if key not in last or seq > last[key][0]:
            last[key] = (seq, response)
    stored = {}
    with app.app_context():
        for chunk in range(0, len(attempts), 500):
            ids = attempts[chunk : chunk + 500]
            for attempt, position, seq, response, order, kind in db.session.execute(
                sa.select(
                    AttemptItem.attempt_id,
                    AttemptItem.position,
                    AttemptItem.seq,
                    AttemptItem.response,
                    AttemptItem.option_order,
                    QuestionVersion.content["type"].as_string(),
                )
                .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
                .where(AttemptItem.attempt_id.in_(ids))
            ):
                stored[(attempt, position)] = (seq, response, order, kind)
        states = Counter(db.session.execute(sa.select(Attempt.state)).scalars())
        db.session.remove()
    lost = newer = 0
    examples = []
    for key, (seq, response) in last.items():
        have = stored.get(key)
        if have is not None and have[0] > seq:
            newer += 1  # a save that timed out on the client but landed: nothing lost
            continue
        # Pages send display positions; the server stores original indices.
        expected = to_original(have[3], json.loads(response), have[2]) if have else None
        if have is None or have[0] != seq or have[1] != expected:
            lost += 1
            if len(examples) < 5:
                examples.append((key, seq, response, have))
    return {
        "acknowledged": len(acks),
        "checked": len(last),
        "lost": lost,
        "newer": newer,
        "examples": examples,
        "states": dict(states),
    }


def check_finished(app, attempts: list[int]) -> dict:
    """After the submit burst: every attempt finished and graded (state, score, finished_at)."""
    import sqlalchemy as sa

    from app.exams.models import Attempt, AttemptState
    from app.extensions import db

    rows = []
    with app.app_context():
        for chunk in range(0, len(attempts), 500):
            rows += db.session.execute(
                sa.select(Attempt.state, Attempt.score, Attempt.finished_at, Attempt.expired)
                .where(Attempt.id.in_(attempts[chunk : chunk + 500]))).all()
        db.session.remove()
    graded = sum(1 for state, score, finished, _ in rows
                 if state == AttemptState.GRADED and score is not None and finished is not None)
    return {"attempts": len(attempts), "found": len(rows), "graded": graded,
            "expired": sum(1 for *_, expired in rows if expired)}


def grading_throughput(app, exam_id: int) -> dict:
    """app.exams.grading.grade over the stored responses and contents, as grade_attempt calls it."""
    import sqlalchemy as sa

    from app.banks.models import QuestionVersion
    from app.exams.grading import grade
    from app.exams.models import Attempt, AttemptItem, Exam
    from app.extensions import db

    with app.app_context():
        start = time.perf_counter()
        scoring = db.session.get(Exam, exam_id).scoring
        rows = db.session.execute(
            sa.select(QuestionVersion.content, AttemptItem.points, AttemptItem.response)
            .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(Attempt.exam_id == exam_id, Attempt.finished_at.is_not(None))
        ).all()
        attempts = db.session.execute(
            sa.select(sa.func.count())
            .select_from(Attempt)
            .where(Attempt.exam_id == exam_id, Attempt.finished_at.is_not(None))
        ).scalar()
        load_s = time.perf_counter() - start
        db.session.remove()
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for content, points, response in rows:
            grade({**content, "points": points}, response, scoring=scoring)
        runs.append(time.perf_counter() - start)
    runs.sort()
    return {
        "answers": len(rows),
        "attempts": attempts,
        "load_s": load_s,
        "grade_s": runs[1],
        "per_s": len(rows) / runs[1] if runs[1] else float("inf"),
    }


# --- report ---------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))]


ORDER = (
    "GET /login",
    "POST /login",
    "GET start page",
    "POST start",
    "GET attempt page",
    "POST save (answering)",
    "POST save (fsync probe)",
    "POST save (saturation)",
    "GET /healthz (saturation)",
    "POST submit",
    "GET result page",
)


def endpoint_stats(records) -> dict[str, dict]:
    by_name: dict[str, list] = defaultdict(list)
    for record in records:
        by_name[record[0]].append(record)
    stats = {}
    for name, rows in by_name.items():
        latencies = sorted((t1 - t0) * 1000 for _, t0, _, t1, _ in rows)
        span = max(t1 for *_, t1, _ in rows) - min(t0 for _, t0, *_ in rows)
        ok = sum(1 for *_, err in rows if not err)
        stats[name] = {
            "count": len(rows),
            "errors": len(rows) - ok,
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
            "max": latencies[-1],
            "rate": ok / span if span > 0 else float("nan"),
        }
    return stats


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "MISS"


def print_endpoints(stats: dict) -> None:
    print(f"\n{'endpoint':<28}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}{'req/s':>9}")
    for name in ORDER:
        if name in stats:
            s = stats[name]
            print(f"{name:<28}{s['count']:>8,}{s['errors']:>8,}{s['p50']:>9.0f}{s['p95']:>9.0f}"
                  f"{s['p99']:>9.0f}{s['max']:>9.0f}{s['rate']:>9.1f}")
    print("(latency = connect + request + whole reply, client side; req/s = successful "
          "replies / the endpoint's span)")


def print_cpu(args, phases: list[dict]) -> None:
    cores = os.cpu_count() or 1
    db_col = args.database == "postgres"
    print(f"\n{'phase':<24}{'wall s':>8}{'gunicorn CPU':>14}{'client CPU':>12}"
          + (f"{'postgres CPU':>14}" if db_col else "") + f"{'others CPU':>12}")
    for ph in phases:
        wall = max(ph["end"] - ph["start"], 1e-9)
        others = max(0.0, ph.get("machine", 0.0) - ph["server"] - ph["client"] - ph["db"])
        share = {key: ph[key] / wall / cores for key in ("server", "client", "db")}
        line = (f"{ph['name']:<24}{wall:>8.1f}{ph['server']:>8.1f} s {share['server']:>3.0%}"
                f"{ph['client']:>7.1f} s {share['client']:>3.0%}")
        if db_col:
            line += f"{ph['db']:>8.1f} s {share['db']:>3.0%}"
        print(line + f"{others:>7.1f} s {others / wall / cores:>3.0%}")
    print(f"(CPU % = share of the machine's {cores} cores over the phase"
          + ("; postgres = the server's background processes and this database's backends"
             if db_col else "")
          + "; others = every other process on the machine, the main process included)")


def print_problems(records, log_text: str) -> None:
    errors = Counter(err for *_, err in records if err)
    if errors:
        print("\nerrors: " + "; ".join(f"{why} ×{n}" for why, n in errors.most_common(6)))
    problems = [line for line in log_text.splitlines()
                if "Traceback" in line or "[ERROR]" in line or "WORKER TIMEOUT" in line]
    print(f"gunicorn log: {len(problems)} error/traceback lines"
          + (": " + " | ".join(problems[:3]) if problems else ""))


def errors_of(records, *names: str) -> int:
    return sum(1 for r in records if r[0] in names and r[4])


def span_s(phases: dict, name: str) -> float:
    phase = phases.get(name)
    return phase["end"] - phase["start"] if phase else float("nan")


def signin_figures(args, records, stats, phases, info) -> dict:
    signin_s = span_s(phases, "sign-in")
    signin_end = phases["sign-in"]["end"]
    late = [signin_end - opening for opening, _, _ in info.get("starts", [])
            if opening < signin_end]
    return {
        "signin_s": signin_s,
        "signin_rate": stats.get("POST /login", {}).get("count", 0) / signin_s,
        "signed_in": len(info.get("starts", [])),
        "signin_errors": errors_of(records, "GET /login", "POST /login", "GET start page"),
        "late": len(late),
        "late_by_s": max(late, default=0.0),
        "opening_after_signin_s": info.get("window_at", signin_end) - signin_end,
    }


def start_figures(records, info) -> dict:
    starts = info.get("starts", [])
    waits = sorted(served - release for _, release, served in starts if served is not None)
    pages = [served for *_, served in starts if served is not None]
    sends = [r[2] for r in records if r[0] == "POST start"]
    return {
        "started": len(waits),
        "start_errors": errors_of(records, "POST start", "GET attempt page"),
        "start_max_s": waits[-1] if waits else float("nan"),
        "start_p99_s": percentile(waits, 99),
        "start_last_overall_s": max(pages) - info["window_at"] if pages else float("nan"),
        "start_sends_within_s": max(sends) - min(sends) if sends else float("nan"),
    }


def answering_figures(args, records, stats, phases, examinees: int) -> dict:
    saves = stats.get("POST save (answering)", {})
    wall = span_s(phases, "answering")
    return {
        "save_p99_ms": saves.get("p99", float("nan")),
        "save_p50_ms": saves.get("p50", float("nan")),
        "saves": saves.get("count", 0),
        "save_errors": errors_of(records, "POST save (answering)"),
        "saves_per_s": saves.get("count", 0) / wall if wall else float("nan"),
        "saves_offered_per_s": examinees * args.compress / MEAN_THINK_S,
        "answering_s": wall,
    }


def fsync_figures(info) -> dict:
    probe = info.get("fsync") or {"skip": "not run"}
    if "skip" in probe:
        return {"fsync_skip": probe["skip"]}
    saves = probe["saves"] or float("nan")
    figures = {"fsync_saves": probe["saves"], "fsync_counts": probe["counts"]}
    for count in probe["counts"]:
        key = ("fsync_per_save" if count["label"].startswith("gunicorn")
               else "fsync_pg_backends_per_save" if "backends" in count["label"]
               else "fsync_walwriter_per_save")
        figures[key] = count["calls"] / saves
    if probe.get("wal_sync") is not None:
        figures["wal_sync_per_save"] = probe["wal_sync"] / saves
    return figures


def tail_figures(records, stats, info, finished: dict) -> dict:
    sat_save = stats.get("POST save (saturation)", {}).get("rate", 0.0)
    sat_health = stats.get("GET /healthz (saturation)", {}).get("rate", float("nan"))
    results = [r[3] for r in records if r[0] == "GET result page" and not r[4]]
    released = info.get("submit_released_at", float("nan"))
    return {
        "sat_save_rate": sat_save,
        "sat_health_rate": sat_health,
        "sat_ratio": sat_save / sat_health if sat_health else float("nan"),
        "submits": stats.get("POST submit", {}).get("count", 0),
        "submit_errors": errors_of(records, "POST submit", "GET result page"),
        "result_pages": len(results),
        "submit_last_s": max(results) - released if results else float("nan"),
        "submit_p99_ms": stats.get("POST submit", {}).get("p99", float("nan")),
        "deadlines_moved": info.get("deadlines_moved", 0),
        **{f"finished_{k}": v for k, v in finished.items()},
    }


def measure(args, result: dict, stored: dict, finished: dict, grading: dict) -> dict:
    """Every figure of the run, flat (what --json writes and --compare reads)."""
    records, info = result["records"], result["info"]
    stats = endpoint_stats(records)
    phases = {ph["name"]: ph for ph in result["phases"]}
    return {
        **signin_figures(args, records, stats, phases, info),
        **start_figures(records, info),
        **answering_figures(args, records, stats, phases, args.examinees),
        **fsync_figures(info),
        **tail_figures(records, stats, info, finished),
        "lost": stored["lost"], "acknowledged": stored["acknowledged"],
        "checked": stored["checked"], "newer": stored["newer"],
        "grading_per_s": grading["per_s"],
        "errors": sum(1 for r in records if r[4]), "requests": len(records),
        "others_share": others_share(result["phases"]),
    }


def others_share(phases: list[dict]) -> float:
    """The largest share of the machine other processes used in any phase: a run above
    about 10 % shared the machine, and its figures are not comparable."""
    cores = os.cpu_count() or 1
    shares = [max(0.0, ph.get("machine", 0.0) - ph["server"] - ph["client"] - ph["db"])
              / max(ph["end"] - ph["start"], 1e-9) / cores
              for ph in phases if ph["end"] - ph["start"] >= 1.0]
    return max(shares, default=0.0)


def print_details(args, f: dict, stored: dict, grading: dict, setup_s: float) -> None:
    print(f"\nsetup (migrate, bank, exam, {args.examinees:,} users): {setup_s:.1f} s")
    print(f"sign-in: {f['signed_in']:,} of {args.examinees:,} in {f['signin_s']:.1f} s = "
          f"{f['signin_rate']:.1f} sign-ins/s ({args.signin_concurrency} at a time); the exam "
          f"opened {abs(f['opening_after_signin_s']):.1f} s "
          f"{'after' if f['opening_after_signin_s'] >= 0 else 'before'} the last sign-in")
    if f["late"]:
        print(f"WARNING: {f['late']:,} examinees signed in after their start had opened (up to "
              f"{f['late_by_s']:.1f} s late): they press Start when signed in, and their "
              f"figure counts from then. Give --open-after more time.")
    print(f"start burst (spread {args.start_spread} s): {f['started']:,} attempt pages; per "
          f"person, page served − own opening: max {f['start_max_s']:.2f} s, p99 "
          f"{f['start_p99_s']:.2f} s; last page {f['start_last_overall_s']:.2f} s after the "
          f"exam opened; starts sent within {f['start_sends_within_s']:.2f} s")
    print(f"answering: compress ×{args.compress:g}, {f['saves']:,} saves in "
          f"{f['answering_s']:.1f} s = {f['saves_per_s']:.0f} saves/s served, "
          f"{f['saves_offered_per_s']:.0f}/s offered by the think times; p50 "
          f"{f['save_p50_ms']:.0f} ms, p99 {f['save_p99_ms']:.0f} ms")
    print_fsync(f)
    print(f"saturation ({args.concurrency} clients, {args.saturation_seconds:g} s each): "
          f"{f['sat_save_rate']:.0f} saves/s vs {f['sat_health_rate']:.0f} /healthz "
          f"requests/s = {f['sat_ratio']:.0%}")
    print(f"submit burst at the deadline ({f['deadlines_moved']:,} deadlines moved to it, "
          f"{args.submit_seconds:g} s): {f['submits']:,} submits, {f['result_pages']:,} result "
          f"pages, last {f['submit_last_s']:.2f} s after the burst began; submit p99 "
          f"{f['submit_p99_ms']:.0f} ms; in the database {f['finished_graded']:,} of "
          f"{f['finished_attempts']:,} attempts graded ({f['finished_expired']:,} ended by "
          f"the deadline)")
    print(f"lost answers: {stored['acknowledged']:,} acknowledged saves, {stored['checked']:,} "
          f"(attempt, question) pairs checked, {stored['lost']} lost, {stored['newer']} stored "
          f"newer than the last acknowledgement; attempt states {stored['states']}")
    for example in stored["examples"]:
        print(f"  lost: {example}")
    print(f"grading (in-process, app.exams.grading.grade, median of 3): "
          f"{grading['answers']:,} answers in {grading['grade_s'] * 1000:.0f} ms = "
          f"{grading['per_s']:,.0f} answers/s")


def print_fsync(f: dict) -> None:
    if "fsync_skip" in f:
        print(f"fsync probe: {f['fsync_skip']}")
        return
    for count in f["fsync_counts"]:
        print(f"fsync probe: {f['fsync_saves']} saves one after another; {count['label']} "
              f"({count['processes']} processes): {count['fsync']} fsync + "
              f"{count['fdatasync']} fdatasync = {count['calls'] / (f['fsync_saves'] or 1):.2f} "
              f"per save")
    if "wal_sync_per_save" in f:
        print(f"fsync probe: pg_stat_wal wal_sync {f['wal_sync_per_save']:.2f} per save "
              f"(the whole server: other databases' commits count too)")
    if "fsync_pg_backends_per_save" in f:
        print("  (on PostgreSQL the server fsyncs its WAL, not gunicorn: the committing "
              "backend or the WAL writer)")


def durable_figure(f: dict, database: str) -> float:
    if database == "sqlite":
        return f.get("fsync_per_save", float("nan"))
    return f.get("fsync_pg_backends_per_save", 0.0) + f.get("fsync_walwriter_per_save", 0.0)


def targets(args, f: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, wanted, ok): ok None when the run cannot say (no target)."""
    real_rate = args.compress == 1
    per_save = durable_figure(f, args.database)
    started_all = f["started"] == args.examinees
    return [
        ("save p99, real rate", f"{f['save_p99_ms']:.0f} ms, {f['save_errors']} errors, "
         f"{f['lost']} lost" + ("" if real_rate else f" (×{args.compress:g}: probe only)"),
         f"<= {SAVE_P99_TARGET_MS:.0f} ms, 0, 0",
         (f["save_p99_ms"] <= SAVE_P99_TARGET_MS and f["save_errors"] == 0 and f["lost"] == 0
          and f["acknowledged"] > 0) if real_rate else None),
        ("start burst: attempt pages", f"{f['started']:,}/{args.examinees:,}, max "
         f"{f['start_max_s']:.2f} s, p99 {f['start_p99_s']:.2f} s, {f['start_errors']} errors",
         f"all within {BURST_TARGET_S:.0f} s of own opening",
         started_all and f["start_errors"] == 0 and f["start_max_s"] <= BURST_TARGET_S),
        ("submit burst at the deadline", f"{f['result_pages']:,}/{f['started']:,} results, "
         f"last {f['submit_last_s']:.2f} s, {f['submit_errors']} errors, "
         f"{f['finished_graded']:,} graded",
         f"all within {BURST_TARGET_S:.0f} s, all graded",
         f["started"] > 0 and f["result_pages"] == f["started"] == f["finished_graded"]
         and f["submit_errors"] == 0 and f["submit_last_s"] <= BURST_TARGET_S),
        ("saturation: saves/s ÷ /healthz/s", f"{f['sat_ratio']:.0%} ({f['sat_save_rate']:.0f}"
         f" ÷ {f['sat_health_rate']:.0f})", f">= {SATURATION_TARGET:.0%}",
         f["sat_ratio"] >= SATURATION_TARGET),
        ("durable saves: fsyncs per save", f.get("fsync_skip") or f"{per_save:.2f}",
         ">= 1 (each acknowledged save on disk)",
         None if "fsync_skip" in f else per_save >= 0.95),
        ("sign-in before the opening", f"{f['signed_in']:,}/{args.examinees:,} in "
         f"{f['signin_s']:.0f} s ({f['signin_rate']:.1f}/s), {f['late']} late, "
         f"{f['signin_errors']} errors", "all, before their start opens",
         f["signed_in"] == args.examinees and f["late"] == 0 and f["signin_errors"] == 0),
        ("errors, all requests", f"{f['errors']:,} of {f['requests']:,}", "0", f["errors"] == 0),
    ]


def print_targets(rows) -> None:
    print("\ntargets (issue 18: a real exam day):")
    for label, measured, wanted, ok in rows:
        print(f"  {verdict(ok):<5} {label:<34} {measured:<58} target {wanted}")


# (figure, label, which way is better) held against the SQLite run by --compare.
COMPARED = (
    ("save_p99_ms", "save p99 (answering)", "lower"),
    ("start_max_s", "start: slowest attempt page", "lower"),
    ("start_p99_s", "start: p99 attempt page", "lower"),
    ("submit_last_s", "submit burst: last result page", "lower"),
    ("submit_p99_ms", "submit p99", "lower"),
    ("saves_per_s", "saves/s served (answering)", "higher"),
    ("sat_save_rate", "saves/s at saturation", "higher"),
    ("sat_health_rate", "/healthz requests/s at saturation", "higher"),
    ("signin_rate", "sign-ins/s", "higher"),
)


def share(part: float, whole: float) -> float:
    try:
        return part / whole
    except (ZeroDivisionError, TypeError):
        return math.nan


SAME_CONDITIONS = ("examinees", "questions", "compress", "workers", "threads", "start_spread",
                   "concurrency", "saturation_seconds", "submit_seconds", "signin_concurrency")


def print_comparison(args, figures: dict, path: str) -> None:
    base = json.loads(Path(path).read_text())
    if base["run"].get("database") != "sqlite":
        print(f"\n--compare: {path} is not a SQLite run")
    differ = [f"{key} {base['run'].get(key)} vs {getattr(args, key)}"
              for key in SAME_CONDITIONS if base["run"].get(key) != getattr(args, key)]
    if differ:
        print("\nWARNING: not the same conditions (SQLite vs this run): " + ", ".join(differ))
    print(f"\ncompared with {path} (PostgreSQL at least {COMPARE_SHARE:.0%} of SQLite; "
          f"latency: SQLite ÷ PostgreSQL, throughput: PostgreSQL ÷ SQLite):")
    busy = {"SQLite": base["figures"].get("others_share", 0.0),
            "PostgreSQL": figures.get("others_share", 0.0)}
    for run, share_ in busy.items():
        if share_ > OTHERS_LIMIT:
            print(f"  WARNING: other processes used up to {share_:.0%} of the machine in a "
                  f"phase of the {run} run: the comparison is not fair")
    for key, label, better in COMPARED:
        mine, theirs = figures.get(key, math.nan), base["figures"].get(key, math.nan)
        ratio = share(theirs, mine) if better == "lower" else share(mine, theirs)
        ok = None if math.isnan(ratio) else ratio >= COMPARE_SHARE
        print(f"  {verdict(ok):<5} {label:<36} SQLite {theirs:>9.2f}  PostgreSQL {mine:>9.2f}"
              f"  ratio {ratio:>5.2f}")


def write_json(path: str, args, figures: dict, rows) -> None:
    run = {k: v for k, v in vars(args).items() if k not in ("json", "compare")}
    Path(path).write_text(json.dumps({
        "run": {**run, "app": app_version(), "cores": os.cpu_count()},
        "figures": figures,
        "targets": [{"target": label, "measured": measured, "wanted": wanted,
                     "verdict": verdict(ok)} for label, measured, wanted, ok in rows],
    }, indent=1, default=str))
    print(f"\nfigures written to {path}")


def report(args, setup_s: float, result: dict, stored: dict, finished: dict, grading: dict,
           log_text: str) -> None:
    print_endpoints(endpoint_stats(result["records"]))
    print_cpu(args, result["phases"])
    print_problems(result["records"], log_text)
    figures = measure(args, result, stored, finished, grading)
    print_details(args, figures, stored, grading, setup_s)
    rows = targets(args, figures)
    print_targets(rows)
    if figures["others_share"] > OTHERS_LIMIT:
        print(f"WARNING: other processes used up to {figures['others_share']:.0%} of the "
              f"machine in a phase of this run (see the CPU table): its figures are low")
    if args.compare and args.database != "postgres":
        print("\n--compare holds a PostgreSQL run against a SQLite one: not on a SQLite run")
    elif args.compare:
        print_comparison(args, figures, args.compare)
    if args.json:
        write_json(args.json, args, figures, rows)


def app_version() -> str:
    """The commit the app code comes from (read-only git), marked when app files differ."""

    def git(*argv: str) -> str:
        try:
            return subprocess.run(
                ["git", "-C", str(ROOT), *argv],
                capture_output=True,  # noqa: S603, S607
                text=True,
                timeout=10,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--", "app", "config.py", "migrations", "wsgi.py")
    return commit + (" + uncommitted app changes" if changed else "")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examinees", type=int, default=3000)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--compress", type=float, default=1.0,
                        help="think-time compression: 1 = a real exam day (one save per "
                        "examinee every 10 s); above 1 a saturation probe, no latency target")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; above 1, gthread workers (default: sync)")
    parser.add_argument("--signin-concurrency", type=int, default=8)
    parser.add_argument("--start-spread", type=int, default=0,
                        help="the exam's start_spread_seconds: each person's start opens at "
                        "the opening + a delay in [0, S) s (0: everyone in the same second)")
    parser.add_argument("--open-after", type=float, default=None,
                        help="the exam opens this many seconds after it is built (default: "
                        "examinees / 15 + 30, time to sign in at scrypt's rate)")
    parser.add_argument("--concurrency", type=int, default=100,
                        help="clients in the saturation phases")
    parser.add_argument("--saturation-seconds", type=float, default=10.0)
    parser.add_argument("--probe-saves", type=int, default=200,
                        help="saves of the fsync probe, one after another")
    parser.add_argument("--submit-seconds", type=float, default=1.0,
                        help="the submit burst at the deadline is spread over this long")
    parser.add_argument("--timeout", type=float, default=120.0, help="per request, seconds")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--json", metavar="PATH", help="write every figure to PATH")
    parser.add_argument("--compare", metavar="SQLITE_JSON",
                        help="hold this run's figures against a SQLite run's --json")
    args = parser.parse_args()
    if args.open_after is None:
        args.open_after = args.examinees / 15 + 30
    return args


def run_load(params: dict, hooks: RunHooks) -> dict:
    """The load process, answered mid-run by ``hooks``; returns its raw figures."""
    context = multiprocessing.get_context("spawn")
    mine, theirs = context.Pipe()
    driver = context.Process(target=drive, args=(params, theirs), name="exam-day-load")
    driver.start()
    theirs.close()
    try:
        return serve_load(mine, hooks)
    except EOFError:
        raise RuntimeError(f"the load process failed (exit code {driver.exitcode})") from None
    finally:
        driver.join()


def serve_and_drive(args, app, url: str, secret: str, folder: Path, exam_id: int,
                    emails: list[str], opens_at) -> tuple[dict, str]:
    log_path = folder / "gunicorn.log"
    port = free_port()
    proc, log = start_gunicorn(args.workers, port, url, secret, log_path, args.threads)
    try:
        params = {
            "port": port, "exam_id": exam_id, "emails": emails, "compress": args.compress,
            "concurrency": args.concurrency, "saturation_seconds": args.saturation_seconds,
            "submit_seconds": args.submit_seconds, "timeout": args.timeout,
            "signin_concurrency": args.signin_concurrency, "seed": args.seed,
            "gunicorn_pid": proc.pid, "database": args.database, "pg_database": PG_DATABASE,
            "opens_at_epoch": opens_at.timestamp(), "probe_saves": args.probe_saves,
            "hooks": True,
        }
        result = run_load(params, RunHooks(app, args.database, exam_id, proc.pid, folder))
    finally:
        stop_gunicorn(proc, log)
    return result, log_path.read_text(errors="replace")


def main() -> None:
    args = parse_args()
    print(f"exam day: {args.examinees:,} examinees, {args.questions} questions, "
          f"{args.database}, gunicorn -w {args.workers} "
          f"({f'gthread, {args.threads} threads' if args.threads > 1 else 'sync'}), "
          f"compress ×{args.compress:g}, start spread {args.start_spread} s, opens "
          f"{args.open_after:.0f} s after setup, {os.cpu_count()} cores, app {app_version()}")
    secret = secrets.token_hex(32)
    with tempfile.TemporaryDirectory(prefix="exam_day_") as folder:
        url = database_url(args.database, folder)
        if args.database == "postgres":
            pg_admin([f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)",
                      f"CREATE DATABASE {PG_DATABASE}"])
        try:
            from datetime import UTC, datetime, timedelta

            start = time.perf_counter()
            app = production_app(url, secret)
            opens_at = datetime.now(UTC) + timedelta(seconds=args.open_after)
            exam_id, emails = build_data(app, args.examinees, args.questions,
                                         opens_at=opens_at, start_spread=args.start_spread)
            setup_s = time.perf_counter() - start
            result, log_text = serve_and_drive(args, app, url, secret, Path(folder), exam_id,
                                               emails, opens_at)
            attempts = result["info"]["attempts"]
            stored = check_stored(app, result["acks"], attempts)
            finished = check_finished(app, attempts)
            grading = grading_throughput(app, exam_id)
            with app.app_context():
                from app.extensions import db

                db.engine.dispose()
            report(args, setup_s, result, stored, finished, grading, log_text)
        finally:
            if args.database == "postgres":
                pg_admin([f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"])


if __name__ == "__main__":
    main()
