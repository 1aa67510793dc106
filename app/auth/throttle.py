"""Throttling failed sign-ins per account and per address.

Counters live in Flask-Limiter's storage (memory, or Redis when several
processes serve, set by RATELIMIT_STORAGE_URI). An attempt is counted *before*
the password is checked, so parallel guesses cannot slip past the limit; a
successful attempt is then forgiven, so only failures accumulate and an office
full of examinees behind one address can all sign in at once.
"""

from __future__ import annotations

from flask import current_app
from limits import parse

from app.extensions import limiter


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
    allowed = True
    for item, identifiers in _limits(email, address):
        allowed = limiter.limiter.hit(item, *identifiers) and allowed
    return allowed


def forgive_attempt(email: str, address: str) -> None:
    """The attempt succeeded: clear the account's failures and give the address its try back."""
    if not limiter.enabled:
        return
    (account_item, account_ids), (address_item, address_ids) = _limits(email, address)
    limiter.limiter.clear(account_item, *account_ids)
    limiter.limiter.hit(address_item, *address_ids, cost=-1)
