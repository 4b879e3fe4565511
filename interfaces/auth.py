"""Who is calling and what they may reach: the bearer token and role checks that REST
and GraphQL both make, the same way; each raises its own kind of refusal."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.security.utils import get_authorization_scheme_param

from infrastructure.tokens import InvalidToken, Role, User, decode

CHALLENGE = {"WWW-Authenticate": "Bearer"}


def authenticate(secret: str, authorization: str | None) -> User:
    """The user of an `Authorization: Bearer <JWT>` header; 401 without one or with a
    token that is forged, expired or lacks a required claim."""
    scheme, token = get_authorization_scheme_param(authorization)
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "a bearer token is required", headers=CHALLENGE)
    try:
        return decode(secret, token)
    except InvalidToken:
        raise HTTPException(
            401, "the bearer token is invalid or expired", headers=CHALLENGE
        ) from None


def missing_role(user: User, roles: tuple[Role, ...]) -> str | None:
    """Why `user` may not do what needs one of `roles`; None when it may."""
    if user.has_any(*roles):
        return None
    return f"this needs one of the roles: {', '.join(r.value for r in roles)}"


def is_another_borrower(user: User, borrower_id: str) -> bool:
    """A borrower token reaching past its own borrower (staff roles reach anyone)."""
    return user.is_borrower_only and user.sub != borrower_id
