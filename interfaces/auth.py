"""Who is calling: the bearer token that REST and GraphQL both check, the same way."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.security.utils import get_authorization_scheme_param

from infrastructure.tokens import InvalidToken, User, decode

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
