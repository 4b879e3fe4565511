"""JWT bearer tokens (HS256) carrying the user id and roles.

A token from a login also names its session (`sid`): it holds only while the session
does, which the interfaces check on every request (application/staff/login.py). One
without (`lending token`, for development and tests) holds until it expires, and may
name an office (`office`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt

from domain.staff.roles import Role

ALGORITHM = "HS256"
# Every token must say who, with which roles, when it was issued and until when it holds.
REQUIRED_CLAIMS = ["sub", "roles", "iat", "exp"]
# How far apart the issuer's clock and ours may be (on `exp` and on an `iat` ahead of now).
LEEWAY = timedelta(seconds=30)


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class User:
    """Who calls: `sub` (a staff user's id, a borrower's id, or an external identity's
    subject), their roles, their office (None: not known) and their session (None: a
    token that names none)."""

    sub: str
    roles: frozenset[Role]
    office: UUID | None = None
    session: UUID | None = None

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_borrower_only(self) -> bool:
        """A borrower token reaches only its own borrower and loans."""
        return self.roles == {Role.BORROWER}


def issue(
    secret: str,
    sub: str,
    roles: list[Role],
    ttl: timedelta = timedelta(hours=12),
    *,
    session: UUID | None = None,
    office: UUID | None = None,
) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": sub, "roles": [r.value for r in roles], "iat": now, "exp": now + ttl,
    }  # fmt: skip
    if session is not None:
        claims["sid"] = str(session)
    if office is not None:
        claims["office"] = str(office)
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
        roles = roles_named(claims["roles"])
        session = UUID(claims["sid"]) if "sid" in claims else None
        office = UUID(claims["office"]) if "office" in claims and not session else None
    except (jwt.PyJWTError, ValueError, TypeError, AttributeError) as error:
        raise InvalidToken(str(error)) from None
    return User(sub=str(claims["sub"]), roles=roles, office=office, session=session)


def roles_named(named: object) -> frozenset[Role]:
    """The roles a `roles` claim lists; InvalidToken for none, or one we do not know."""
    if not isinstance(named, list) or not named:
        raise InvalidToken("the token names no roles")
    return frozenset(Role(r) for r in named)
