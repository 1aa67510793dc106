"""A real SMTP server on 127.0.0.1 for the e-mail tests (aiosmtpd in a thread).

``SmtpServer`` keeps every message it accepted, parsed; ``refuse_with`` makes it answer
DATA with an error (e.g. ``451 4.3.0 try again later``) until set back to None; ``delay``
makes it slow (seconds before each answer to DATA).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller


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
    def __init__(self) -> None:
        self.port = free_port()
        self.lock = threading.Lock()
        self.attempts = 0  # DATA commands seen, accepted or refused
        self.refuse_with: str | None = None
        self.delay = 0.0  # seconds before answering DATA
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [m for _to, m in self.received]
