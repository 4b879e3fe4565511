"""JWT bearer tokens (HS256) carrying the user id and roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt

ALGORITHM = "HS256"
# Every token must say who, with which roles, when it was issued and until when it holds.
REQUIRED_CLAIMS = ["sub", "roles", "iat", "exp"]
# How far apart the issuer's clock and ours may be (on `exp` and on an `iat` ahead of now).
LEEWAY = timedelta(seconds=30)


class Role(StrEnum):
    ADMIN = "admin"
    LOAN_OFFICER = "loan_officer"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    RISK_OFFICER = "risk_officer"
    COLLECTOR = "collector"
    AUDITOR = "auditor"
    ANALYST = "analyst"
    BORROWER = "borrower"


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class User:
    sub: str
    roles: frozenset[Role]

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_borrower_only(self) -> bool:
        """A borrower token reaches only its own borrower and loans."""
        return self.roles == {Role.BORROWER}


def issue(secret: str, sub: str, roles: list[Role], ttl: timedelta = timedelta(hours=12)) -> str:
    now = datetime.now(UTC)
    claims = {"sub": sub, "roles": [r.value for r in roles], "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode(secret: str, token: str) -> User:
    """The user a token names; InvalidToken unless it is signed with `secret`, carries
    every claim of REQUIRED_CLAIMS, has not expired, was not issued in the future and
    names at least one known role."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            leeway=LEEWAY,
            options={"require": REQUIRED_CLAIMS, "verify_exp": True, "verify_iat": True},
        )
        named = claims["roles"]
        if not isinstance(named, list) or not named:
            raise InvalidToken("the token names no roles")
        roles = frozenset(Role(r) for r in named)
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidToken(str(error)) from None
    return User(sub=str(claims["sub"]), roles=roles)
