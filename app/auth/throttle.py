"""Throttling failed sign-ins per account and per address.

Counters live in Flask-Limiter's storage (memory, or Redis when several
processes serve, set by RATELIMIT_STORAGE_URI). An attempt is counted *before*
the password is checked, so parallel guesses cannot slip past the limit; a
successful attempt is then forgiven, so only failures accumulate and an office
full of examinees behind one address can all sign in at once.

When the shared storage does not answer (Redis down), counting goes on in this process's
memory (the same limits, per worker) and the log says so once a minute: sign-ins keep
working and keep being throttled, instead of failing with a server error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from limits import parse
from limits.storage import MemoryStorage

from app.extensions import limiter
from app.main.failures import TracebackThrottle

_storage_warnings = TracebackThrottle()


def _limits(email: str, address: str):
    config = current_app.config
    return [
        (parse(config["LOGIN_LIMIT_PER_ACCOUNT"]), ("login-account", email)),
        (parse(config["LOGIN_LIMIT_PER_ADDRESS"]), ("login-address", address)),
    ]


def reserve_attempt(email: str, address: str) -> bool:
    """Count one attempt; False when the account or the address is over its limit."""
    if not limiter.enabled:
        return True
    def count(strategy) -> bool:
        allowed = True
        for item, identifiers in _limits(email, address):
            allowed = strategy.hit(item, *identifiers) and allowed
        return allowed

    return _with_storage(count)


def forgive_attempt(email: str, address: str) -> None:
    """The attempt succeeded: clear the account's failures and give the address its try back."""
    if not limiter.enabled:
        return
    (account_item, account_ids), (address_item, address_ids) = _limits(email, address)

    def forgive(strategy) -> None:
        strategy.clear(account_item, *account_ids)
        strategy.hit(address_item, *address_ids, cost=-1)

    _with_storage(forgive)


def _with_storage(call: Callable[[Any], Any]) -> Any:
    """Run ``call`` on the configured storage, or on this process's memory without it."""
    try:
        return call(limiter.limiter)
    except Exception as exc:  # noqa: BLE001 - each storage backend raises its own errors
        trace, untraced = _storage_warnings.admit("login-throttle-storage")
        if trace:
            current_app.logger.warning(
                "Sign-in throttle storage unavailable, counting in memory: %s: %s%s",
                type(exc).__name__, exc, f" ({untraced} more)" if untraced else "")
        return call(_memory_strategy())


def _memory_strategy():
    fallback = current_app.extensions.get("login_throttle_memory")
    if fallback is None:
        fallback = type(limiter.limiter)(MemoryStorage())
        current_app.extensions["login_throttle_memory"] = fallback
    return fallback
