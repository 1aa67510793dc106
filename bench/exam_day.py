"""Benchmark: exam day — N examinees sign in, start at once, answer 50 questions, submit.

    .venv/bin/python bench/exam_day.py [--examinees 1000] [--questions 50] [--compress F]
                                       [--database sqlite|postgres] [--workers 2]

The app runs under gunicorn (sync workers, ``-w 2`` on the 2-core machine) exactly as in
production (APP_ENV=production, default scrypt password hashes); sign-in throttling is
switched off with RATELIMIT_ENABLED=0 because every examinee comes from 127.0.0.1. The
load comes from a separate process using only the standard library.

Phases, in this order:

1. sign-in: GET /login, POST /login, GET the exam's start page (its CSRF token), as fast
   as the server allows with ``--signin-concurrency`` examinees at a time (scrypt is slow
   by design, so its figures are reported on their own);
2. start burst: all N ``POST /exams/<id>/start`` released at the same instant; each
   examinee then follows the redirect to the attempt page (data-seq-base, data-csrf);
3. answering: every examinee saves one answer per question (JSON POST, X-CSRFToken,
   seq = seq_base + k) after a random think time, exponential with mean 10 s / compress;
4. saturation: saves with no think time from ``--concurrency`` clients for
   ``--saturation-seconds``, then GET /healthz the same way (the trivial endpoint: the
   save figure is read as a ratio of it). It runs before the submits because saves need
   open attempts; the answers it saves are the final ones for the questions it touches,
   so the lost-answer check covers saves made at saturation too;
5. submit: every examinee submits, the submits spread over ``--submit-seconds``.

Afterwards the database is read directly: every acknowledged save (HTTP 200) must be
stored, i.e. for each attempt and question the stored seq and response are those of the
last acknowledged save (pages send display positions; the server stores original indices,
so the sent response is mapped with the item's option order before comparing). Grading
throughput is measured in-process: app.exams.grading.grade over the stored responses and
question contents of the submitted attempts (the submits' timings are in the table too).

Client design: asyncio with raw streams, one coroutine per examinee. gunicorn's sync
workers answer one request per connection (they always close it), so keep-alive is not
available and every request opens a connection, as a browser behind no proxy would; one
coroutine per examinee costs no thread and lets 1,000 start requests be in flight at the
same moment, which a 100-200 thread pool could not do.

Targets (issue: exam day): zero errors; zero lost answers; save p99 < 250 ms at the
default load; saves/s at saturation >= 30 % of /healthz requests/s; 1,000 starts released
in the same second all served without error within 3 s; grading >= 20,000 answers/s.
Prints the figures; asserts nothing.
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
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "exam-day-password-1"  # noqa: S105 - benchmark accounts in a throwaway database
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "bench_exam_day"
MEAN_THINK_S = 10.0
ANSWERING_TARGET_S = 60.0

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


def build_data(app, examinees: int, questions: int) -> tuple[int, list[str]]:
    """Migrate, import the bank, create the exam and the examinees; returns (exam id, emails)."""
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
            opens_at=now - timedelta_minutes(5),
            closes_at=now + timedelta_minutes(120),
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


def gunicorn_cpu(master: int) -> float:
    """CPU seconds of gunicorn's master and current workers."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    return proc_cpu(master) + sum(proc_cpu(int(pid)) for pid in children)


def postgres_cpu() -> float:
    """CPU seconds of the PostgreSQL server processes (all of them, read from /proc)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += proc_cpu(int(entry.name))
            except OSError:
                continue
    return total


# --- the load driver (separate process, standard library only) ------------------------------

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEQ_BASE = re.compile(r'data-seq-base="(\d+)"')
DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')
QUESTION = re.compile(r'data-question="(\d+)" data-type="(\w+)"')
ATTEMPT_PATH = re.compile(r"/exams/attempts/(\d+)")


class Examinee:
    __slots__ = ("attempt", "cookies", "csrf", "email", "k", "questions", "rng", "seq_base")

    def __init__(self, email: str, seed: int):
        self.email, self.rng = email, random.Random(seed)  # noqa: S311 - simulated people
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.attempt = 0
        self.seq_base = 0
        self.k = 0  # saves sent so far: seq = seq_base + k, always increasing
        self.questions: list[tuple[int, str]] = []

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
            "db": postgres_cpu() if self.p["database"] == "postgres" else 0.0,
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
                token = CSRF_INPUT.search(page.decode("utf-8", "replace")) if not error else None
                if token is None:
                    if not error:
                        self.fail("GET start page", "no csrf_token")
                    return
                person.csrf = token.group(1)

        await asyncio.gather(*(one(person) for person in people))

    # 2. start burst ------------------------------------------------------------------------
    async def start_burst(self, people: list[Examinee]) -> None:
        loop = asyncio.get_running_loop()
        release = loop.time() + 0.5
        exam = self.p["exam_id"]
        released_at = time.perf_counter() + (release - loop.time())

        async def one(person: Examinee) -> None:
            await asyncio.sleep(release - loop.time())
            form = urlencode({"csrf_token": person.csrf}).encode()
            status, head, _, error = await self.http(
                "POST start",
                "POST",
                f"/exams/{exam}/start",
                examinee=person,
                body=form,
                content_type="application/x-www-form-urlencoded",
                expect=302,
            )
            if error:
                return
            match = ATTEMPT_PATH.search(head.get("location", [""])[0])
            if match is None:
                self.fail("POST start", "refused")
                return
            status, _, page, error = await self.http(
                "GET attempt page", "GET", match.group(0), examinee=person
            )
            if error:
                return
            text = page.decode("utf-8", "replace")
            seq, csrf = SEQ_BASE.search(text), DATA_CSRF.search(text)
            questions = [(int(n), kind) for n, kind in QUESTION.findall(text)]
            if seq is None or csrf is None or not questions:
                self.fail("GET attempt page", "not an attempt page")
                return
            person.attempt, person.seq_base = int(match.group(1)), int(seq.group(1))
            person.csrf, person.questions = csrf.group(1), questions

        await asyncio.gather(*(one(person) for person in people))
        self.info["released_at"] = released_at

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

    # 5. submit -----------------------------------------------------------------------------
    async def submit(self, people: list[Examinee]) -> None:
        spread = self.p["submit_seconds"]

        async def one(person: Examinee) -> None:
            await asyncio.sleep(person.rng.uniform(0, spread))
            form = urlencode({"csrf_token": person.csrf}).encode()
            _, head, _, error = await self.http(
                "POST submit",
                "POST",
                f"/exams/attempts/{person.attempt}/submit",
                examinee=person,
                body=form,
                content_type="application/x-www-form-urlencoded",
                expect=302,
            )
            if not error and "/result" not in head.get("location", [""])[0]:
                self.fail("POST submit", "not sent to the result page")

        await asyncio.gather(*(one(person) for person in people))

    async def run(self) -> None:
        people = [Examinee(email, self.p["seed"] + i) for i, email in enumerate(self.p["emails"])]
        await self.phase("sign-in", self.sign_in(people))
        people = [p for p in people if p.csrf]
        await self.phase("start burst", self.start_burst(people))
        people = [p for p in people if p.attempt]
        self.info["examinees_started"] = len(people)
        await self.phase("answering", self.answering(people))
        await self.phase("saturation: save", self.saturate(people, "save"))
        await self.phase("saturation: /healthz", self.saturate(people, "healthz"))
        await self.phase("submit", self.submit(people))
        self.info["attempts"] = [p.attempt for p in people]


def drive(params: dict, conn) -> None:
    """Entry point of the load process: run every phase, send the raw figures back."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 4 * len(params["emails"]) + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    driver = Driver(params)
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
    "POST save (saturation)",
    "GET /healthz (saturation)",
    "POST submit",
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


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(
    args, setup_s: float, result: dict, stored: dict, grading: dict, log_text: str, examinees: int
) -> None:
    records, phases, info = result["records"], result["phases"], result["info"]
    stats = endpoint_stats(records)
    print()
    print(
        f"{'endpoint':<28}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'req/s':>9}"
    )
    for name in ORDER:
        if name in stats:
            s = stats[name]
            print(
                f"{name:<28}{s['count']:>8,}{s['errors']:>8,}{s['p50']:>9.0f}{s['p95']:>9.0f}"
                f"{s['p99']:>9.0f}{s['max']:>9.0f}{s['rate']:>9.1f}"
            )
    print(
        "(latency = connect + request + whole reply, client side; req/s = successful "
        "replies / the endpoint's span)"
    )

    print()
    cores = os.cpu_count() or 1
    db_col = args.database == "postgres"
    print(
        f"{'phase':<22}{'wall s':>8}{'gunicorn CPU':>14}{'client CPU':>12}"
        + (f"{'postgres CPU':>14}" if db_col else "")
    )
    for ph in phases:
        wall = ph["end"] - ph["start"]
        share = {key: ph[key] / wall / cores for key in ("server", "client", "db")}
        line = (
            f"{ph['name']:<22}{wall:>8.1f}{ph['server']:>8.1f} s {share['server']:>3.0%}"
            f"{ph['client']:>7.1f} s {share['client']:>3.0%}"
        )
        if db_col:
            line += f"{ph['db']:>8.1f} s {share['db']:>3.0%}"
        print(line)
    print(f"(CPU % = share of the machine's {cores} cores over the phase)")

    errors = Counter(err for *_, err in records if err)
    total_errors = sum(errors.values())
    if errors:
        print("\nerrors: " + "; ".join(f"{why} ×{n}" for why, n in errors.most_common(6)))
    problems = [
        line
        for line in log_text.splitlines()
        if "Traceback" in line or "[ERROR]" in line or "WORKER TIMEOUT" in line
    ]
    print(
        f"gunicorn log: {len(problems)} error/traceback lines"
        + (": " + " | ".join(problems[:3]) if problems else "")
    )

    by_name = {ph["name"]: ph for ph in phases}
    starts = [r for r in records if r[0] == "POST start"]
    released = info.get("released_at", 0.0)
    sign = by_name["sign-in"]
    signin_rate = stats.get("POST /login", {}).get("count", 0) / (sign["end"] - sign["start"])
    answering = by_name["answering"]
    print()
    print(f"setup (migrate, bank, exam, {examinees:,} users): {setup_s:.1f} s")
    print(
        f"sign-in: {examinees:,} examinees in {sign['end'] - sign['start']:.1f} s "
        f"({signin_rate:.1f} sign-ins/s, {args.signin_concurrency} at a time); sign-in + start "
        f"burst took {by_name['start burst']['end'] - sign['start']:.1f} s"
    )
    if starts:
        sends = [r[2] for r in starts]
        last_start = max(r[3] for r in starts) - released
        pages = [r for r in records if r[0] == "GET attempt page"]
        last_page = max(r[3] for r in pages) - released if pages else float("nan")
        print(
            f"start burst: {len(starts):,} starts sent within {max(sends) - min(sends):.2f} s "
            f"of the release; last start served after {last_start:.2f} s, last attempt page "
            f"after {last_page:.2f} s"
        )
    else:
        last_start = float("inf")
    saves = stats.get("POST save (answering)", {})
    think = MEAN_THINK_S / args.compress
    print(
        f"answering: compress ×{args.compress:g} (mean think {think:.2f} s), "
        f"{saves.get('count', 0):,} saves in {answering['end'] - answering['start']:.1f} s = "
        f"{saves.get('count', 0) / (answering['end'] - answering['start']):.0f} saves/s served; "
        f"the think times alone would offer {examinees / think:.0f}/s "
        f"(uncompressed exam day: {examinees / MEAN_THINK_S:.0f}/s)"
    )
    sat_save = stats.get("POST save (saturation)", {}).get("rate", 0.0)
    sat_health = stats.get("GET /healthz (saturation)", {}).get("rate", float("nan"))
    ratio = sat_save / sat_health if sat_health else float("nan")
    print(
        f"saturation ({args.concurrency} clients, {args.saturation_seconds:g} s each): "
        f"{sat_save:.0f} saves/s vs {sat_health:.0f} /healthz requests/s = {ratio:.0%}"
    )
    print(
        f"lost answers: {stored['acknowledged']:,} acknowledged saves, {stored['checked']:,} "
        f"(attempt, question) pairs checked, {stored['lost']} lost, {stored['newer']} stored "
        f"newer than the last acknowledgement; attempt states {stored['states']}"
    )
    for example in stored["examples"]:
        print(f"  lost: {example}")
    print(
        f"grading (in-process, app.exams.grading.grade over the stored responses and "
        f"contents, median of 3): {grading['answers']:,} answers of {grading['attempts']:,} "
        f"attempts in {grading['grade_s'] * 1000:.0f} ms = {grading['per_s']:,.0f} answers/s "
        f"(loading them took {grading['load_s'] * 1000:.0f} ms)"
    )
    submit = stats.get("POST submit")
    if submit:
        print(
            f"submit endpoint (grades one attempt and commits): p50 {submit['p50']:.0f} ms, "
            f"p99 {submit['p99']:.0f} ms"
        )

    save_p99 = saves.get("p99", float("inf"))
    start_errors = sum(1 for r in starts if r[4])
    print()
    print("targets:")
    print(
        f"  errors        {total_errors:>8,} of {len(records):,} requests   (target 0)"
        f"            {verdict(total_errors == 0)}"
    )
    print(
        f"  lost answers  {stored['lost']:>8,}                       (target 0)"
        f"            {verdict(stored['lost'] == 0 and stored['acknowledged'] > 0)}"
    )
    print(
        f"  save p99      {save_p99:>8.0f} ms                    (target < 250 ms)"
        f"     {verdict(save_p99 < 250)}"
    )
    print(
        f"  saturation    {ratio:>8.0%} of /healthz             (target >= 30 %)"
        f"     {verdict(ratio >= 0.30)}"
    )
    print(
        f"  start burst   {last_start:>8.2f} s, {start_errors} errors, "
        f"{len(starts):,} starts (target all, < 3 s)  "
        f"{verdict(last_start < 3.0 and start_errors == 0 and len(starts) == examinees)}"
    )
    print(
        f"  grading       {grading['per_s']:>8,.0f} answers/s          (target >= 20,000/s)"
        f"  {verdict(grading['per_s'] >= 20_000)}"
    )


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examinees", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument(
        "--compress",
        type=float,
        default=None,
        help="think-time compression (default: questions × 10 s / 60 s, so "
        "the answering phase takes about a minute)",
    )
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; above 1, gthread workers (default: sync)")
    parser.add_argument("--signin-concurrency", type=int, default=8)
    parser.add_argument(
        "--concurrency", type=int, default=100, help="clients in the saturation phases"
    )
    parser.add_argument("--saturation-seconds", type=float, default=10.0)
    parser.add_argument("--submit-seconds", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="per request, seconds")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    if args.compress is None:
        args.compress = args.questions * MEAN_THINK_S / ANSWERING_TARGET_S
    print(
        f"exam day: {args.examinees:,} examinees, {args.questions} questions, "
        f"{args.database}, gunicorn -w {args.workers} "
        f"({f'gthread, {args.threads} threads' if args.threads > 1 else 'sync'}), "
        f"compress ×{args.compress:g}, "
        f"{os.cpu_count()} cores, app {app_version()}"
    )

    secret = secrets.token_hex(32)
    with tempfile.TemporaryDirectory(prefix="exam_day_") as folder:
        url = database_url(args.database, folder)
        if args.database == "postgres":
            pg_admin(
                [
                    f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)",
                    f"CREATE DATABASE {PG_DATABASE}",
                ]
            )
        try:
            start = time.perf_counter()
            app = production_app(url, secret)
            exam_id, emails = build_data(app, args.examinees, args.questions)
            setup_s = time.perf_counter() - start

            log_path = Path(folder) / "gunicorn.log"
            port = free_port()
            proc, log = start_gunicorn(args.workers, port, url, secret, log_path,
                                       args.threads)
            try:
                params = {
                    "port": port,
                    "exam_id": exam_id,
                    "emails": emails,
                    "compress": args.compress,
                    "concurrency": args.concurrency,
                    "saturation_seconds": args.saturation_seconds,
                    "submit_seconds": args.submit_seconds,
                    "timeout": args.timeout,
                    "signin_concurrency": args.signin_concurrency,
                    "seed": args.seed,
                    "gunicorn_pid": proc.pid,
                    "database": args.database,
                }
                context = multiprocessing.get_context("spawn")
                receive, send = context.Pipe(duplex=False)
                driver = context.Process(target=drive, args=(params, send), name="exam-day-load")
                driver.start()
                send.close()
                try:
                    result = receive.recv()
                except EOFError:
                    driver.join()
                    raise RuntimeError(
                        f"the load process failed (exit code {driver.exitcode})"
                    ) from None
                driver.join()
            finally:
                stop_gunicorn(proc, log)
            log_text = log_path.read_text(errors="replace")

            stored = check_stored(app, result["acks"], result["info"]["attempts"])
            grading = grading_throughput(app, exam_id)
            with app.app_context():
                from app.extensions import db

                db.engine.dispose()
            report(args, setup_s, result, stored, grading, log_text, args.examinees)
        finally:
            if args.database == "postgres":
                pg_admin([f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"])


if __name__ == "__main__":
    main()
