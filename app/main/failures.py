"""What a failed request logs: one line each, and a traceback once per kind a minute.

A database outage makes every request fail the same way; logging a traceback for each
one buries the cause (a 10-second PostgreSQL outage once wrote about 20,000 lines). Each
failed request logs one line with its method, path, status and cause; the first failure
of a kind in a minute also logs the traceback, and the next line of that kind after the
minute says how many were not traced.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy.exc as sa_exc

TRACEBACK_INTERVAL_SECONDS = 60.0

# The database is unreachable, refuses writes (full disk, read-only) or stayed locked past
# the busy timeout: the request can be retried later, nothing about it was wrong.
_OUTAGE_ERRORS = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                  sa_exc.TimeoutError)

_MAX_KINDS = 1000
_NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class Failure:
    """A failed request's cause: its kind (what repeats), its text, and whether it is the
    database being unavailable rather than a defect."""

    kind: str
    cause: str
    database_unavailable: bool


def describe(exc: BaseException) -> Failure:
    """The kind and cause of an exception, as one line each."""
    original = getattr(exc, "orig", None) if isinstance(exc, sa_exc.DBAPIError) else None
    inner = original if original is not None else exc
    first_line = (str(inner).strip().splitlines() or [""])[0][:300]
    name = type(inner).__name__
    cause = f"{name}: {first_line}" if first_line else name
    if isinstance(exc, _OUTAGE_ERRORS):
        # Numbers (ports, pids, timings) vary between identical failures.
        return Failure(f"{name}: {_NUMBERS.sub('#', first_line)}", cause, True)
    return Failure(f"{type(exc).__name__} at {_origin(exc)}", cause, False)


def _origin(exc: BaseException) -> str:
    """Where the exception was raised: the innermost frame's file and line."""
    tb = exc.__traceback__
    if tb is None:
        return "?"
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"


class TracebackThrottle:
    """Decides, per kind of failure, whether this one gets its traceback logged."""

    def __init__(self, interval: float = TRACEBACK_INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._untraced: dict[str, int] = {}

    def admit(self, kind: str) -> tuple[bool, int]:
        """(trace this one?, how many of this kind went untraced since the last trace)."""
        now = self._clock()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self._interval:
                self._untraced[kind] = self._untraced.get(kind, 0) + 1
                return False, 0
            if len(self._last) >= _MAX_KINDS:  # bounded, whatever the messages say
                self._last.clear()
                self._untraced.clear()
            self._last[kind] = now
            return True, self._untraced.pop(kind, 0)
