"""Password hashes: argon2id at OWASP's recommended cost, never a hash of our own.

OWASP's Password Storage Cheat Sheet asks for argon2id with at least 19 MiB of memory,
two passes and one lane. argon2-cffi's default (RFC 9106's low-memory profile: 64 MiB,
three passes, four lanes) took 310 ms a login on a busy two-core server, a third of a
second for every staff member at every sign-in and a cost an attacker does not share.
A hash made at the old cost still verifies: the hash carries its own parameters.

A login for a username no user has is checked against a dummy hash of the same cost,
so it takes as long as a wrong password does and the answer's timing tells nothing.
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)  # argon2id


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one hashed; None (no such user) checks a dummy hash
    of the same cost and is never a match."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(24))


def warm_up() -> None:
    """Make the dummy hash now, so the first unknown username costs no more than the rest."""
    _dummy_hash()


def new_password() -> str:
    """A password for someone to change: 20 URL-safe characters (120 bits)."""
    return secrets.token_urlsafe(15)
