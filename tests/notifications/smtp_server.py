"""A real SMTP server on 127.0.0.1 for the e-mail tests (aiosmtpd in a thread).

``SmtpServer`` keeps every message it accepted, parsed; ``refuse_with`` makes it answer
DATA with an error (e.g. ``451 4.3.0 try again later``) until set back to None; ``delay``
makes it slow (seconds before each answer to DATA).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import socket
import subprocess
import threading
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.server.delay:
            await asyncio.sleep(self.server.delay)  # a slow server: senders overlap
        with self.server.lock:
            self.server.attempts += 1
            if self.server.refuse_with:
                return self.server.refuse_with
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.server.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SmtpServer:
    """``**options`` go to aiosmtpd's Controller (``tls_context``, ``ssl_context``,
    ``authenticator``, ``auth_require_tls`` …)."""

    def __init__(self, **options) -> None:
        self.port = free_port()
        self.lock = threading.Lock()
        self.attempts = 0  # DATA commands seen, accepted or refused
        self.refuse_with: str | None = None
        self.delay = 0.0  # seconds before answering DATA
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                     **options)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [m for _to, m in self.received]


def self_signed_certificate(folder: Path) -> tuple[Path, Path] | None:
    """A certificate for 127.0.0.1 and its key (openssl), or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def accept_login(username: str, password: str):
    """An aiosmtpd authenticator that accepts one login and records who signed in."""
    signed_in: list[str] = []

    def authenticator(_server, _session, _envelope, _mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == username \
                and auth_data.password.decode() == password:
            signed_in.append(username)
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    authenticator.signed_in = signed_in  # type: ignore[attr-defined]
    return authenticator
