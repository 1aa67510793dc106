"""Two real app servers behind real nginx, as deploy/ ships them, on the suite's database.

Each app server is gunicorn with deploy/gunicorn.conf.py and the production settings of an
app host (APP_ENV=production, one SECRET_KEY for both, TRUSTED_PROXY_HOPS=1); nginx runs
the shipped site rendered for loopback by deploy/local_nginx.py (its own prefix, pid and
logs). Locally, without /usr/sbin/nginx, these tests skip and say why; with CI=true they
fail instead.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app.auth import services
from app.banks.models import QuestionVersion
from app.exams.models import AttemptItem
from app.exams.option_order import to_original
from app.extensions import db
from deploy import local_nginx
from tests.exams.builders import make_exam
from tests.helpers import PASSWORD, make_app, skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
SITE_NAME = "academy.example.com"  # the shipped site's server_name
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppHost:
    """One gunicorn master and its worker: an app host on a loopback port."""

    def __init__(self, name: str, database_url: str, secret: str, folder: Path):
        self.name, self.port = name, free_port()
        self.log_path = folder / f"gunicorn-{name}.log"
        env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": secret,
               "DATABASE_URL": database_url, "TRUSTED_PROXY_HOPS": "1"}
        env.pop("GUNICORN_CMD_ARGS", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "-w", "1", "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=self.log_path.open("wb"), stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"host {self.name} did not start:\n{self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the master and its workers at once, as a host that dies does."""
        self.signal_all(signal.SIGKILL)
        self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.05)
        pytest.fail(f"host {self.name} still accepts connections after SIGKILL")

    def signal_all(self, signum: int) -> None:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        for pid in [self.proc.pid, *map(int, children.split())]:
            os.kill(pid, signum)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.signal_all(signal.SIGCONT)  # a frozen host could not stop
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class SiteConnection(http.client.HTTPSConnection):
    """TLS to 127.0.0.1 that names the site (SNI), as a browser opening the site does."""

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=SITE_NAME)


def request(port: int, method: str, path: str, *, body: bytes = b"", headers=None,
            tls: bool = False) -> tuple[int, http.client.HTTPMessage, bytes]:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # self-signed
        conn: http.client.HTTPConnection = SiteConnection(SITE_NAME, port, timeout=20,
                                                          context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, reply.headers, reply.read()
    finally:
        conn.close()


class Learner:
    """A browser's cookies, carried by hand: production cookies are Secure, and these
    requests go over plain HTTP to the hosts and to the loopback nginx."""

    def __init__(self, email: str):
        self.email, self.cookies = email, {}
        self.attempt, self.seq, self.csrf = 0, 0, ""
        self.questions: list[tuple[int, str]] = []

    def send(self, port: int, method: str, path: str, *, form=None, payload=None,
             headers=None, tls: bool = False):
        headers = dict(headers or {})
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if payload is not None:
            body = json.dumps(payload).encode()
            headers.update({"Content-Type": "application/json", "Accept": "application/json",
                            "X-CSRFToken": self.csrf})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, head, data = request(port, method, path, body=body, headers=headers, tls=tls)
        for line in head.get_all("Set-Cookie") or []:
            name, _, value = line.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return status, head, data.decode("utf-8", "replace")

    def sign_in(self, port: int) -> None:
        _, _, page = self.send(port, "GET", "/login")
        form = {"csrf_token": CSRF_INPUT.search(page).group(1), "email": self.email,
                "password": PASSWORD}
        status, head, _ = self.send(port, "POST", "/login", form=form)
        assert status == 302 and "/login" not in head["Location"], "sign-in refused"

    def start(self, page_port: int, start_port: int, exam_id: int) -> None:
        """The start page from one host, the start and the attempt page from another."""
        _, _, page = self.send(page_port, "GET", f"/exams/{exam_id}/")
        token = CSRF_INPUT.search(page).group(1)
        status, head, _ = self.send(start_port, "POST", f"/exams/{exam_id}/start",
                                    form={"csrf_token": token})
        assert status == 302, f"start refused ({status})"
        self.attempt = int(re.search(r"/exams/attempts/(\d+)", head["Location"]).group(1))
        status, _, page = self.send(start_port, "GET", f"/exams/attempts/{self.attempt}")
        assert status == 200
        self.seq = int(re.search(r'data-seq-base="(\d+)"', page).group(1))
        self.csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
        self.questions = [(int(n), kind) for n, kind in
                          re.findall(r'data-question="(\d+)" data-type="(\w+)"', page)]

    def save(self, port: int, position: int, response) -> tuple[int, dict, int]:
        """One autosave as the page sends it; returns (status, reply, seq sent)."""
        self.seq += 1
        status, _, body = self.send(port, "POST", f"/exams/attempts/{self.attempt}/answers",
                                    payload={"position": position, "seq": self.seq,
                                             "response": response})
        try:
            reply = json.loads(body)
        except ValueError:
            reply = {}
        return status, reply, self.seq


@pytest.fixture
def nginx_binary() -> Path:
    if not local_nginx.NGINX.exists():
        skip_or_fail(f"nginx not found at {local_nginx.NGINX}: install Debian's 'nginx' "
                     "package to run the two-host deployment tests")
    return local_nginx.NGINX


@pytest.fixture
def site(scratch_database_url):
    """A migrated scratch database with one learner and an open exam."""
    app = make_app(scratch_database_url)
    with app.app_context():
        upgrade()
        services.create_user("learner@example.com", "Learner", roles=("learner",),
                                    password=PASSWORD, actor_label="test")
        db.session.commit()
    exam_id = make_exam(app)
    with app.app_context():
        db.engine.dispose()
    yield {"app": app, "url": scratch_database_url, "exam_id": exam_id}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def hosts(site, tmp_path):
    """Two app hosts on the same database with the same SECRET_KEY."""
    secret = secrets.token_hex(32)
    started = [AppHost(name, site["url"], secret, tmp_path) for name in ("A", "B")]
    try:
        for host in started:
            host.wait_ready()
        yield started
    finally:
        for host in started:
            host.stop()


@pytest.fixture
def nginx(nginx_binary, hosts, tmp_path):
    port = free_port()
    prefix = tmp_path / "nginx"
    server = local_nginx.LocalNginx(
        prefix, local_nginx.loopback_config(prefix, port, [h.port for h in hosts]), [port])
    server.start()
    yield server
    server.stop()


def stored(app, attempt: int) -> dict[int, tuple]:
    """position -> (seq, response, option order, question type) as the database holds it."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(AttemptItem.position, AttemptItem.seq, AttemptItem.response,
                      AttemptItem.option_order, QuestionVersion.content["type"].as_string())
            .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
            .where(AttemptItem.attempt_id == attempt)).all()
        db.session.remove()
    return {position: rest for position, *rest in rows}


def assert_stored(app, learner: Learner, saves: dict[int, tuple[int, object]]) -> None:
    have = stored(app, learner.attempt)
    for position, (seq, response) in saves.items():
        stored_seq, stored_response, order, kind = have[position]
        assert stored_seq == seq
        assert stored_response == to_original(kind, response, order)


def test_a_learner_signed_in_on_one_host_starts_and_saves_through_the_other(site, hosts):
    host_a, host_b = hosts
    learner = Learner("learner@example.com")
    learner.sign_in(host_a.port)
    learner.start(host_a.port, host_b.port, site["exam_id"])  # A's CSRF token, on B

    (first, _), (second, _) = learner.questions[:2]
    saves = {}
    for host, position in ((host_b, first), (host_a, second)):
        status, reply, seq = learner.save(host.port, position, 1)
        assert (status, reply.get("saved"), reply.get("seq")) == (200, True, seq)
        saves[position] = (seq, 1)
    assert_stored(site["app"], learner, saves)

    signed_in = dict(learner.cookies)
    status, _, _ = learner.send(host_b.port, "POST", "/logout", form={"csrf_token": learner.csrf})
    assert status == 302
    learner.cookies = signed_in  # a copy of the cookie is refused on the other host
    status, head, _ = learner.send(host_a.port, "GET", f"/exams/{site['exam_id']}/")
    assert status == 302 and "/login" in head["Location"]


def _logged_since(nginx, since: float, expected: int) -> list[dict]:
    """The access log's rows since ``since``; nginx writes a row just after it answers, so
    the last one may come a moment after the client has its reply."""
    deadline = time.monotonic() + 5
    while True:
        rows = [row for row in nginx.access_log() if row["at"] >= since]
        if len(rows) >= expected or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_nginx_sends_saves_and_pages_to_the_live_host_when_one_is_killed(
        nginx_binary, site, hosts, nginx):
    host_a, host_b = hosts
    learner = Learner("learner@example.com")
    port = nginx.ports[0]
    learner.sign_in(port)
    learner.start(port, port, site["exam_id"])

    host_a.kill()
    killed_at = time.time()
    saves = {}
    for position, _kind in learner.questions[:3]:
        status, reply, seq = learner.save(port, position, 0)
        assert (status, reply.get("saved")) == (200, True)
        saves[position] = (seq, 0)
    status, _, page = learner.send(port, "GET", f"/exams/attempts/{learner.attempt}")
    assert status == 200 and "data-seq-base" in page
    assert_stored(site["app"], learner, saves)

    a, b = f"127.0.0.1:{host_a.port}", f"127.0.0.1:{host_b.port}"
    after = _logged_since(nginx, killed_at, 4)
    assert [row["upstreams"][-1] for row in after] == [b] * len(after) and len(after) == 4
    # At least one save was first offered to the dead host: its connection was refused, so
    # the POST had not been sent and nginx passed it on to B.
    assert any(row["method"] == "POST" and row["upstreams"] == [a, b] for row in after)


def test_a_request_in_progress_on_a_dying_host_a_get_is_passed_on_a_post_is_not(
        nginx_binary, site, hosts, nginx):
    """nginx's default, kept by the shipped proxy snippet: a POST already sent may have been
    processed, so it answers 502 and the page retries; a GET goes on to the other host."""
    host_a, host_b = hosts
    port = nginx.ports[0]
    learner = Learner("learner@example.com")
    learner.sign_in(port)
    learner.start(port, port, site["exam_id"])
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in learner.cookies.items()),
               "Content-Type": "application/json", "X-CSRFToken": learner.csrf}
    page = f"/exams/attempts/{learner.attempt}"
    sent = []
    for kind, (position, _) in zip("PGPPGG", learner.questions, strict=False):
        learner.seq += 1
        body = json.dumps({"position": position, "seq": learner.seq, "response": 0}).encode()
        sent.append(("POST", f"{page}/answers", body, position, learner.seq) if kind == "P"
                    else ("GET", page, b"", 0, 0))

    for host in hosts:  # both hosts hold what nginx sends them, unanswered
        host.signal_all(signal.SIGSTOP)
    frozen_at = time.time()
    with ThreadPoolExecutor(len(sent)) as pool:
        futures = []
        for method, path, body, *_ in sent:
            futures.append(pool.submit(request, port, method, path, body=body,
                                       headers=headers))
            time.sleep(0.05)  # nginx picks hosts in this order
        time.sleep(0.5)  # every request has reached its host's listening socket
        host_a.kill()
        host_b.signal_all(signal.SIGCONT)
        statuses = [future.result(timeout=20)[0] for future in futures]

    a, b = f"127.0.0.1:{host_a.port}", f"127.0.0.1:{host_b.port}"
    on_a = [row for row in nginx.access_log() if row["at"] >= frozen_at
            and row["upstreams"][0] == a]
    assert {row["method"] for row in on_a} == {"GET", "POST"}
    for row in on_a:
        expected = ([a], 502) if row["method"] == "POST" else ([a, b], 200)
        assert (row["upstreams"], row["status"]) == expected
    refused = [item for item, status in zip(sent, statuses, strict=True) if status == 502]
    assert len(refused) == sum(row["method"] == "POST" for row in on_a)
    assert all(status == 200 for item, status in zip(sent, statuses, strict=True)
               if item not in refused)

    # The page sends a refused save again with the same sequence number: now B stores it.
    for _method, path, body, _position, _seq in refused:
        assert request(port, "POST", path, body=body, headers=headers)[0] == 200
    assert_stored(site["app"], learner, {position: (seq, 0) for method, _, _, position, seq
                                         in sent if method == "POST"})


def test_the_shipped_site_redirects_to_https_and_tells_the_app_it_is_https(
        nginx_binary, site, tmp_path):
    if shutil.which("openssl") is None:
        skip_or_fail("openssl not found: install Debian's 'openssl' package (the test makes "
                     "a throwaway certificate)")
    secret = secrets.token_hex(32)
    host = AppHost("A", site["url"], secret, tmp_path)
    http_port, https_port = free_port(), free_port()
    prefix = tmp_path / "site"
    certificate, key = local_nginx.self_signed_certificate(tmp_path, SITE_NAME)
    server = local_nginx.LocalNginx(prefix, local_nginx.site_config(
        prefix, http_port, https_port, [host.port], certificate, key), [http_port, https_port])
    try:
        host.wait_ready()
        server.start()
        status, head, _ = request(http_port, "GET", "/exams/?x=1", headers={"Host": SITE_NAME})
        assert (status, head["Location"]) == (301, f"https://{SITE_NAME}/exams/?x=1")
        with pytest.raises(http.client.RemoteDisconnected):  # another name: no reply at all
            request(http_port, "GET", "/", headers={"Host": "elsewhere.example"})

        status, head, body = request(https_port, "GET", "/healthz", tls=True,
                                     headers={"Host": SITE_NAME})
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert head.get_all("Strict-Transport-Security") == [
            "max-age=31536000; includeSubDomains"]

        # X-Forwarded-Proto reached the app (through gunicorn's forwarded_allow_ips and
        # ProxyFix alike): over https, Flask-WTF's strict check wants a Referer from the
        # same origin, which it builds from the Host nginx forwards.
        learner = Learner("learner@example.com")
        _, _, page = learner.send(https_port, "GET", "/login", tls=True,
                                  headers={"Host": SITE_NAME})
        form = {"csrf_token": CSRF_INPUT.search(page).group(1), "email": learner.email,
                "password": PASSWORD}
        status, _, _ = learner.send(https_port, "POST", "/login", form=form, tls=True,
                                    headers={"Host": SITE_NAME})
        assert status == 400
        status, head, _ = learner.send(https_port, "POST", "/login", form=form, tls=True,
                                       headers={"Host": SITE_NAME,
                                                "Referer": f"https://{SITE_NAME}/login"})
        assert status == 302 and "/login" not in head["Location"]
    finally:
        server.stop()
        host.stop()
