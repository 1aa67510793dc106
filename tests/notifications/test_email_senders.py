"""Several senders at once deliver each message exactly once: threads on a SQLite file and
on PostgreSQL, and separate ``flask notifications send`` processes on the suite's database.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.notifications import kinds, services
from app.notifications.models import Delivery, OutboxMessage
from app.notifications.sender import send_due
from tests.notifications.smtp_server import SmtpServer

KIND = "test.senders"
MESSAGES = 30
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.delay = 0.01
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp):
    kinds.register(kinds.Kind(key=KIND, audience="learner", label=lambda: "Test",
                              text=lambda n: f"Notice {n.params['i']}",
                              link=lambda n, reader: None, email=Delivery.IMMEDIATE))
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_SECURITY="none",
                      MAIL_USERNAME="", MAIL_FROM="academy@example.com", MAIL_TIMEOUT=10)
    yield app
    kinds.KINDS.pop(KIND, None)


def queue_messages(app, make_user) -> list[int]:
    people = [make_user() for _ in range(3)]
    with app.app_context():
        users = [db.session.get(User, p.id) for p in people]
        for i in range(MESSAGES):
            services.notify([users[i % 3]], KIND, users[i % 3], params={"i": i})
        db.session.commit()
        ids = list(db.session.execute(sa.select(OutboxMessage.id)).scalars())
    assert len(ids) == MESSAGES
    return ids


def delivered(smtp) -> Counter:
    """How many times each outbox row arrived (its id is in the Message-ID)."""
    return Counter(int(re.search(r"\.outbox-(\d+)@", m["Message-ID"]).group(1))
                   for m in smtp.messages)


def states(app) -> Counter:
    with app.app_context():
        return Counter(db.session.execute(sa.select(OutboxMessage.state)).scalars())


def two_senders_in_threads(app, smtp, ids, senders: int = 2) -> list[int]:
    barrier = threading.Barrier(senders)
    sent: list[int] = []
    errors: list[BaseException] = []

    def sender():
        try:
            with app.app_context():
                barrier.wait()
                sent.append(send_due(app, MESSAGES).sent)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert delivered(smtp) == Counter({i: 1 for i in ids})  # every one, and once
    assert sum(sent) == MESSAGES
    assert states(app) == Counter({"sent": MESSAGES})
    return sent


def test_senders_at_once_deliver_each_message_once(mail_app, smtp, make_user):
    """Three senders in threads share the outbox: on the suite's database (a SQLite file,
    two connections and more; PostgreSQL in CI's second run), each message goes once."""
    with mail_app.app_context():
        assert db.engine.url.database not in (None, "", ":memory:")  # a real shared database
    two_senders_in_threads(mail_app, smtp, queue_messages(mail_app, make_user), senders=3)


def sender_process(smtp, database_url: str, *args: str) -> subprocess.Popen:
    """``flask notifications send ARGS`` in a process of its own, on this test's database.

    The test kind lives in this process only: the child registers a stand-in under the same
    key before the app starts (its text is never compared here).
    """
    env = {**os.environ, "APP_ENV": "testing", "TEST_DATABASE_URL": database_url,
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_SECURITY": "none",
           "MAIL_USERNAME": "", "MAIL_FROM": "academy@example.com"}
    script = ("import sys; from app.notifications import kinds; "
              "from app.notifications.models import Delivery; "
              f"kinds.register(kinds.Kind(key={KIND!r}, audience='learner', "
              "label=lambda: 'Test', text=lambda n: 'Notice', link=lambda n, r: None, "
              "email=Delivery.IMMEDIATE)); "
              "from flask.cli import main; "
              f"sys.argv = ['flask', '--app', 'wsgi', 'notifications', 'send', *{list(args)!r}]; "
              "main()")
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_sender_processes_at_once_deliver_each_message_once(mail_app, smtp, make_user,
                                                            migrated_database):
    """Two ``flask notifications send`` processes, as cron on two hosts would run them."""
    ids = queue_messages(mail_app, make_user)
    procs = [sender_process(smtp, migrated_database, "--limit", "100") for _ in range(2)]
    outputs = [p.communicate(timeout=180)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert delivered(smtp) == Counter({i: 1 for i in ids})
    assert states(mail_app) == Counter({"sent": MESSAGES})
    total = sum(int(re.search(r"sent (\d+),", out).group(1)) for out in outputs)
    assert total == MESSAGES, outputs


def test_the_loop_keeps_sending_and_stops_cleanly_on_sigterm(mail_app, smtp, make_user,
                                                             migrated_database):
    import signal
    import time

    service = sender_process(smtp, migrated_database, "--loop", "--interval", "0.2")
    try:
        queue_messages(mail_app, make_user)  # queued while the service waits
        deadline = time.monotonic() + 120
        while len(smtp.messages) < MESSAGES and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(smtp.messages) == MESSAGES
    finally:
        service.send_signal(signal.SIGTERM)
        output = service.communicate(timeout=60)[0]
    assert service.returncode == 0, output
    assert output.rstrip().endswith("stopped"), output
    assert states(mail_app) == Counter({"sent": MESSAGES})
