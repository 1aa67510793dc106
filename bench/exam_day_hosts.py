"""Benchmark: exam day on two app hosts behind nginx, one of them killed midway.

    .venv/bin/python bench/exam_day_hosts.py [--examinees 200] [--questions 20]
                                             [--workers 2] [--kill-at 0.5] [--hang 0]

A companion to bench/exam_day.py, whose data set, gunicorn start-up, load driver and
lost-answer check (check_stored, beside one here that tells lost from wrong) it imports.
On one machine it starts PostgreSQL data (its own database, bench_exam_day_hosts, on
127.0.0.1:5432), two gunicorn instances on their own ports, each
with deploy/gunicorn.conf.py and TRUSTED_PROXY_HOPS=1 as on an app host, and nginx in
front of them, rendered from deploy/nginx/ (the shipped upstream block and proxy snippet,
plain HTTP on a free port, its own prefix, pid and logs: deploy/local_nginx.py).

1. Cross-host proof, on the hosts directly: one learner signs in through host A, starts the
   exam through host B with the CSRF token A's page gave, saves through B, then through A;
   signs out through B, after which the same session cookie is refused by A.
2. Exam day through nginx: sign-in, the start burst, answering (one save per question
   after an exponential think time), submit. Midway through the answering phase
   (``--kill-at``, a share of its expected length) host A's master and workers get SIGKILL
   (with ``--hang S``, SIGSTOP for S seconds first: what nginx sent A meanwhile is then in
   progress when it dies, so the 502 and retry path is taken every time).
   A save that gets no reply or a 5xx is sent again with the same sequence number after 5,
   10, 20... seconds, as the attempt page does; a retry that gets 409 means the first try
   was stored before the host died (the page then drops the answer: it is saved).
3. The database is read directly: for each (attempt, question) the stored save must be the
   last confirmed one (200, or 409 on a retry). Lost: missing or older; wrong: the same
   sequence number with another answer.

Prints a table of figures and PASS/MISS lines; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import resource
import secrets
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import exam_day as day  # noqa: E402 - after the path set-up

from deploy.local_nginx import LocalNginx, loopback_config  # noqa: E402

PG_DATABASE = "bench_exam_day_hosts"  # never "test" (the suite's) nor exam_day.py's
RETRY_TRIES = 6


def retry_delay(failures: int) -> float:
    """The attempt page's wait after the n-th server error in a row: 5, 10, 20, 40, 60 s."""
    return min(60.0, 5.0 * 2 ** (failures - 1))


def retryable(status: int, error: str) -> bool:
    """What the page retries: no reply at all, or a server error (nginx's 502 included)."""
    return bool(error) and (status == 0 or status >= 500)


def gunicorn_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    return [master, *map(int, children)]


def accepts(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def signal_pids(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


class HostsDriver(day.Driver):
    """exam_day's driver through nginx, with the page's retries and a killer."""

    def __init__(self, params: dict):
        super().__init__(params)
        self.landed: list[tuple[int, int, int, str]] = []  # 409 on a retry: stored earlier
        self.outcomes: list[tuple[int, str]] = []  # (tries, saved | landed | failed)

    def snapshot(self) -> dict:
        return {"t": time.perf_counter()}  # no CPU table: host A's processes die midway

    async def save(self, name: str, person, position: int, kind: str) -> None:
        person.k += 1
        seq = person.seq_base + person.k
        response = person.response(kind)
        body = json.dumps({"position": position, "seq": seq, "response": response}).encode()
        sent = (person.attempt, position, seq, json.dumps(response))
        for tries in range(1, RETRY_TRIES + 1):
            status, _, payload, error = await self.http(
                name if tries == 1 else "POST save (retry)", "POST",
                f"/exams/attempts/{person.attempt}/answers", examinee=person, body=body,
                content_type="application/json",
                headers={"X-CSRFToken": person.csrf, "Accept": "application/json"})
            if not error:
                reply = _json(payload)
                if reply.get("saved") is True and reply.get("seq") == seq:
                    self.acks.append(sent)
                    self.outcomes.append((tries, "saved"))
                else:
                    self.fail(name, "save not confirmed")
                    self.outcomes.append((tries, "failed"))
                return
            if status == 409 and tries > 1:
                self.landed.append(sent)
                self.outcomes.append((tries, "landed"))
                return
            if not retryable(status, error) or tries == RETRY_TRIES:
                self.outcomes.append((tries, "failed"))
                return
            await asyncio.sleep(retry_delay(tries))

    async def kill_later(self) -> None:
        """SIGKILL host A's master and workers; with --hang, SIGSTOP them that long first
        (a host that stops answering, then dies: what it holds then is in progress)."""
        await asyncio.sleep(self.p["kill_after"])
        pids = gunicorn_pids(self.p["host_a_pid"])
        if self.p["hang"] > 0:
            signal_pids(pids, signal.SIGSTOP)
            await asyncio.sleep(self.p["hang"])
        self.info["killed_at"] = time.perf_counter()
        self.info["killed_at_epoch"] = time.time()
        signal_pids(pids, signal.SIGKILL)
        self.info["killed_pids"] = pids
        while accepts(self.p["port_a"]):  # gone once its listening socket is closed
            await asyncio.sleep(0.002)
        self.info["dead_at_epoch"] = time.time()

    async def answering(self, people) -> None:
        killer = asyncio.create_task(self.kill_later())
        await super().answering(people)
        self.info["answering_ended_before_kill"] = not killer.done()
        await killer

    async def run(self) -> None:
        self.info["proof"] = await cross_host_proof(self.p)
        people = [day.Examinee(email, self.p["seed"] + i)
                  for i, email in enumerate(self.p["emails"])]
        await self.phase("sign-in", self.sign_in(people))
        people = [p for p in people if p.csrf]
        await self.phase("start burst", self.start_burst(people))
        people = [p for p in people if p.attempt]
        self.info["examinees_started"] = len(people)
        await self.phase("answering", self.answering(people))
        await self.phase("submit", self.submit(people))
        self.info["attempts"] = [p.attempt for p in people]


def _json(payload: bytes) -> dict:
    try:
        reply = json.loads(payload)
    except ValueError:
        return {}
    return reply if isinstance(reply, dict) else {}


async def cross_host_proof(params: dict) -> dict:
    """Sign in on A, start and save on B, save on A, sign out on B, refused on A."""
    on_a = day.Driver({**params, "port": params["port_a"]})
    on_b = day.Driver({**params, "port": params["port_b"]})
    person = day.Examinee(params["proof_email"], params["seed"] - 1)
    steps: dict[str, bool] = {}
    await on_a.sign_in([person])
    steps["signed in through A"] = bool(person.csrf)
    await on_b.start_burst([person])
    steps["started through B with A's CSRF token"] = bool(person.attempt)
    if not person.attempt:
        return {"steps": steps, "acks": [], "attempt": 0}
    for host, (position, kind) in zip((on_b, on_a), person.questions[:2], strict=False):
        await host.save("proof save", person, position, kind)
    steps["saved through B, then through A"] = len(on_b.acks) + len(on_a.acks) == 2
    signed_in_cookies = dict(person.cookies)
    _, head, _, error = await on_b.http(
        "POST /logout", "POST", "/logout", examinee=person, expect=302,
        body=urlencode({"csrf_token": person.csrf}).encode(),
        content_type="application/x-www-form-urlencoded")
    person.cookies = signed_in_cookies  # the copied cookie, as a thief would keep it
    _, head, _, error = await on_a.http("GET start page", "GET", f"/exams/{params['exam_id']}/",
                                        examinee=person, expect=302)
    steps["signed out through B: A refuses the same cookie"] = (
        not error and "/login" in head.get("location", [""])[0])
    return {"steps": steps, "acks": on_b.acks + on_a.acks, "attempt": person.attempt}


def drive(params: dict, conn) -> None:
    """Entry point of the load process (as exam_day.drive, with HostsDriver)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 4 * len(params["emails"]) + 256))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    driver = HostsDriver(params)
    asyncio.run(driver.run())
    conn.send({"records": driver.records, "acks": driver.acks, "landed": driver.landed,
               "outcomes": driver.outcomes, "phases": driver.phases, "info": driver.info})
    conn.close()


# --- after the run ----------------------------------------------------------------------


def stored_saves(app, attempts: list[int]) -> dict:
    """(attempt, position) -> (seq, response, option order, kind), read from the database."""
    import sqlalchemy as sa

    from app.banks.models import QuestionVersion
    from app.exams.models import AttemptItem
    from app.extensions import db

    stored = {}
    with app.app_context():
        for chunk in range(0, len(attempts), 500):
            rows = db.session.execute(
                sa.select(AttemptItem.attempt_id, AttemptItem.position, AttemptItem.seq,
                          AttemptItem.response, AttemptItem.option_order,
                          QuestionVersion.content["type"].as_string())
                .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
                .where(AttemptItem.attempt_id.in_(attempts[chunk:chunk + 500])))
            for attempt, position, seq, response, order, kind in rows:
                stored[(attempt, position)] = (seq, response, order, kind)
        db.session.remove()
    return stored


def lost_and_wrong(app, confirmed: list[tuple[int, int, int, str]], attempts: list[int]) -> dict:
    """Hold the last confirmed save of each question against the stored one."""
    from app.exams.option_order import to_original

    last: dict[tuple[int, int], tuple[int, str]] = {}
    for attempt, position, seq, response in confirmed:
        if (attempt, position) not in last or seq > last[(attempt, position)][0]:
            last[(attempt, position)] = (seq, response)
    stored = stored_saves(app, attempts)
    counts = Counter()
    for key, (seq, response) in last.items():
        have = stored.get(key)
        if have is None or have[0] < seq:
            counts["lost"] += 1
        elif have[0] > seq:
            counts["newer"] += 1  # a later save, never confirmed, that landed
        elif have[1] != to_original(have[3], json.loads(response), have[2]):
            counts["wrong"] += 1
    return {"checked": len(last), **{k: counts[k] for k in ("lost", "wrong", "newer")}}


def host_split(rows: list[dict], port_a: int, port_b: int, kill: tuple[float, float]) -> dict:
    """From nginx's log: which host answered the requests sent before and after the kill,
    which were in progress on A when it died, and what nginx passed on to the other host.
    ``kill``: when the SIGKILL was sent and when A's socket was gone (epoch seconds)."""
    names = {f"127.0.0.1:{port_a}": "A", f"127.0.0.1:{port_b}": "B"}
    killed, dead = kill[0], kill[1] + 0.002  # nginx logs times to the millisecond
    split = Counter()
    for row in rows:
        began = row["at"] - row["seconds"]  # nginx logs when the reply ends
        host = names.get(row["upstreams"][-1], "none")
        if began < dead and row["at"] >= killed and names.get(row["upstreams"][0]) == "A":
            split[f"in progress on A at the kill: {row['method']} {row['status']}"] += 1
        else:
            split[f"{'before' if began < killed else 'after'} the kill, answered by {host}"] += 1
        if len(row["upstreams"]) > 1:
            split[f"passed on by nginx: {row['method']}"] += 1
    return dict(sorted(split.items()))


# --- report -----------------------------------------------------------------------------


def print_table(stats: dict) -> None:
    names = [*day.ORDER[:6], "POST save (retry)", "POST submit"]
    print(f"\n{'endpoint':<24}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name in names:
        if name in stats:
            s = stats[name]
            print(f"{name:<24}{s['count']:>7,}{s['errors']:>8,}{s['p50']:>9.0f}"
                  f"{s['p99']:>9.0f}{s['max']:>9.0f}")


def report(args, result: dict, checked: dict, proof_check: dict, split: dict,
           setup_s: float) -> None:
    records, info, outcomes = result["records"], result["info"], result["outcomes"]
    stats = day.endpoint_stats(records)
    print_table(stats)
    errors = Counter(err for *_, err in records if err)
    retries = sum(1 for r in records if r[0] == "POST save (retry)")
    final = Counter(outcome for _, outcome in outcomes)
    retried = sum(1 for tries, _ in outcomes if tries > 1)
    answering = next(p for p in result["phases"] if p["name"] == "answering")
    killed = info.get("killed_at")
    kill_s = killed - answering["start"] if killed else float("nan")
    saves = stats.get("POST save (answering)", {})
    print(f"\nsetup {setup_s:.1f} s; answering {answering['end'] - answering['start']:.1f} s; "
          f"host A (pids {info.get('killed_pids')}) killed {kill_s:.1f} s into it")
    print("errors (first tries and retries): "
          + ("; ".join(f"{why} ×{n}" for why, n in errors.most_common(6)) or "none"))
    print("nginx's log: " + "; ".join(f"{k} {v:,}" for k, v in split.items()))
    print(f"proof on the hosts directly: {proof_check['steps']}")
    figures = [
        ("requests through nginx", f"{len(records):,}"),
        ("errors (a reply other than the expected)", f"{sum(errors.values()):,}"),
        ("saves retried / retries sent", f"{retried:,} / {retries:,}"),
        ("saves confirmed after a retry (200 / 409 landed)",
         f"{sum(1 for t, o in outcomes if t > 1 and o == 'saved')} / {final['landed']}"),
        ("saves never confirmed", f"{final['failed']:,}"),
        ("(attempt, question) pairs checked", f"{checked['checked']:,}"),
        ("lost / wrong / stored newer", f"{checked['lost']} / {checked['wrong']} / "
                                        f"{checked['newer']}"),
        ("lost or wrong by exam_day.check_stored", f"{checked['one_host_check']}"),
        ("save p50 / p99 (first try)", f"{saves.get('p50', float('nan')):.0f} / "
                                       f"{saves.get('p99', float('nan')):.0f} ms"),
    ]
    print()
    for label, value in figures:
        print(f"  {label:<48}{value:>22}")
    verdicts(args, info, final, checked, proof_check, split)


def verdicts(args, info: dict, final: Counter, checked: dict, proof: dict,
             split: dict) -> None:
    started = info.get("examinees_started", 0)
    lines = [
        ("every examinee started", started == args.examinees),
        ("host A killed midway through answering",
         bool(info.get("killed_at")) and not info.get("answering_ended_before_kill")),
        ("nginx sent every request after the kill to B",
         split.get("after the kill, answered by A", 0) == 0
         and split.get("after the kill, answered by B", 0) > 0),
        ("every save confirmed in the end (retries included)", final["failed"] == 0),
        ("0 lost acknowledged saves", checked["lost"] == 0 and checked["checked"] > 0
         and checked["one_host_check"] == 0),
        ("0 wrong acknowledged saves", checked["wrong"] == 0),
        ("cross-host: session, CSRF and sign-out seen by both hosts",
         all(proof["steps"].values()) and proof["lost"] == 0 and proof["wrong"] == 0),
    ]
    print()
    for label, ok in lines:
        print(f"  {label:<60}{day.verdict(ok)}")


# --- main -------------------------------------------------------------------------------


def start_hosts(args, url: str, secret: str, folder: Path):
    """Two gunicorn instances with the shipped config, as app hosts run it."""
    os.environ["TRUSTED_PROXY_HOPS"] = "1"
    os.environ["GUNICORN_CMD_ARGS"] = f"-c {ROOT / 'deploy' / 'gunicorn.conf.py'}"
    hosts = []
    try:
        for name in ("a", "b"):
            port = day.free_port()
            proc, log = day.start_gunicorn(args.workers, port, url, secret,
                                           folder / f"gunicorn-{name}.log")
            hosts.append((port, proc, log))
    except BaseException:
        for _, proc, log in hosts:
            day.stop_gunicorn(proc, log)
        raise
    return hosts


def run_load(params: dict) -> dict:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    driver = context.Process(target=drive, args=(params, send), name="exam-day-hosts-load")
    driver.start()
    send.close()
    try:
        result = receive.recv()
    except EOFError:
        driver.join()
        raise RuntimeError(f"the load process failed (exit code {driver.exitcode})") from None
    driver.join()
    return result


def serve_and_drive(args, url: str, secret: str, folder: Path, exam_id: int,
                    emails: list[str]) -> tuple[dict, dict]:
    (port_a, proc_a, log_a), (port_b, proc_b, log_b) = start_hosts(args, url, secret, folder)
    nginx_port = day.free_port()
    nginx = LocalNginx(folder / "nginx", loopback_config(folder / "nginx", nginx_port,
                                                         [port_a, port_b]), [nginx_port])
    try:
        nginx.start()
        mean_think = day.MEAN_THINK_S / args.compress
        result = run_load({
            "port": nginx_port, "port_a": port_a, "port_b": port_b, "exam_id": exam_id,
            "emails": emails[:-1], "proof_email": emails[-1], "compress": args.compress,
            "timeout": args.timeout, "signin_concurrency": args.signin_concurrency,
            "submit_seconds": args.submit_seconds, "seed": args.seed,
            "kill_after": args.kill_at * args.questions * mean_think,
            "host_a_pid": proc_a.pid, "hang": args.hang,
            "database": "postgres", "gunicorn_pid": proc_b.pid,
        })
    finally:
        nginx.stop()
        day.stop_gunicorn(proc_a, log_a)
        day.stop_gunicorn(proc_b, log_b)
    info = result["info"]
    kill = (info.get("killed_at_epoch", float("inf")), info.get("dead_at_epoch", float("inf")))
    return result, host_split(nginx.access_log(), port_a, port_b, kill)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examinees", type=int, default=200)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--compress", type=float, default=None,
                        help="think-time compression (default: questions × 10 s / 60 s)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per host")
    parser.add_argument("--kill-at", type=float, default=0.5,
                        help="when host A dies, as a share of the answering phase")
    parser.add_argument("--hang", type=float, default=0.0,
                        help="seconds host A stops answering (SIGSTOP) before the SIGKILL")
    parser.add_argument("--signin-concurrency", type=int, default=8)
    parser.add_argument("--submit-seconds", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=120.0, help="per request, seconds")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    if args.compress is None:
        args.compress = args.questions * day.MEAN_THINK_S / day.ANSWERING_TARGET_S
    print(f"exam day on two hosts behind nginx: {args.examinees:,} examinees, "
          f"{args.questions} questions, PostgreSQL, 2 × gunicorn -w {args.workers}, "
          f"compress ×{args.compress:g}, host A killed at {args.kill_at:.0%} of answering"
          f"{f' after hanging {args.hang:g} s' if args.hang else ''}, "
          f"{os.cpu_count()} cores, app {day.app_version()}")
    url = f"{day.PG_SERVER}/{PG_DATABASE}"
    day.pg_admin([f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)",
                  f"CREATE DATABASE {PG_DATABASE}"])
    secret = secrets.token_hex(32)
    try:
        with tempfile.TemporaryDirectory(prefix="exam_day_hosts_") as folder:
            start = time.perf_counter()
            app = day.production_app(url, secret)
            exam_id, emails = day.build_data(app, args.examinees + 1, args.questions)
            setup_s = time.perf_counter() - start
            result, split = serve_and_drive(args, url, secret, Path(folder), exam_id, emails)
            info = result["info"]
            confirmed = result["acks"] + result["landed"]
            checked = lost_and_wrong(app, confirmed, info["attempts"])
            checked["one_host_check"] = day.check_stored(app, confirmed, info["attempts"])["lost"]
            proof = info["proof"]
            proof_check = {**proof, **lost_and_wrong(app, proof["acks"], [proof["attempt"]])}
            with app.app_context():
                from app.extensions import db

                db.engine.dispose()
            report(args, result, checked, proof_check, split, setup_s)
    finally:
        day.pg_admin([f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"])


if __name__ == "__main__":
    main()
