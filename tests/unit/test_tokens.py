"""Bearer tokens: what a token must carry before anything trusts it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from infrastructure.tokens import ALGORITHM, LEEWAY, InvalidToken, Role, decode, issue

SECRET = "unit-test-secret-that-is-long-enough-for-hs256"


def signed(**claims: Any) -> str:
    """A token with the usual claims and `claims`; a timedelta is that long from now, taken
    when the token is signed (a time fixed when tests are collected goes stale)."""
    now = datetime.now(UTC)
    body = {"sub": "alice", "roles": ["loan_officer"], "iat": now, "exp": now + timedelta(hours=1)}
    body.update({k: now + v if isinstance(v, timedelta) else v for k, v in claims.items()})
    return jwt.encode({k: v for k, v in body.items() if v is not None}, SECRET, ALGORITHM)


def test_an_issued_token_decodes_to_its_user() -> None:
    user = decode(SECRET, issue(SECRET, "alice", [Role.LOAN_OFFICER, Role.COLLECTOR]))
    assert user.sub == "alice"
    assert user.roles == {Role.LOAN_OFFICER, Role.COLLECTOR}


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"exp": None}, "no exp: it would never expire"),
        ({"iat": None}, "no iat"),
        ({"iat": LEEWAY + timedelta(minutes=5)}, "issued in the future"),
        ({"exp": -LEEWAY - timedelta(seconds=1)}, "expired"),
        ({"roles": None}, "no roles"),
        ({"roles": []}, "empty roles"),
        ({"roles": "admin"}, "roles not a list"),
        ({"roles": ["emperor"]}, "an unknown role"),
        ({"sub": None}, "no subject"),
    ],
)
def test_a_token_without_what_it_must_carry_is_invalid(claims: dict[str, Any], why: str) -> None:
    with pytest.raises(InvalidToken):
        decode(SECRET, signed(**claims))


def test_clocks_a_little_apart_are_tolerated() -> None:
    """A token minted by a server whose clock runs a few seconds ahead still works."""
    ahead = datetime.now(UTC) + LEEWAY / 2
    assert decode(SECRET, signed(iat=ahead)).sub == "alice"
