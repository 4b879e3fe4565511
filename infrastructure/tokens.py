"""JWT bearer tokens (HS256) carrying the user id and roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt

ALGORITHM = "HS256"


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
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub"]})
        roles = frozenset(Role(r) for r in claims.get("roles", []))
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidToken(str(error)) from None
    return User(sub=str(claims["sub"]), roles=roles)
