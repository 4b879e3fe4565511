"""Bearer-token authentication and role checks for REST routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from infrastructure.tokens import InvalidToken, Role, User, decode

_bearer = HTTPBearer(auto_error=False)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def authenticate(secret: str, credentials: HTTPAuthorizationCredentials | None) -> User:
    if credentials is None:
        raise HTTPException(401, "a bearer token is required", headers=_CHALLENGE)
    try:
        return decode(secret, credentials.credentials)
    except InvalidToken:
        raise HTTPException(
            401, "the bearer token is invalid or expired", headers=_CHALLENGE
        ) from None


def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    return authenticate(request.app.state.jwt_secret, credentials)


CurrentUser = Annotated[User, Depends(current_user)]


def require(*roles: Role) -> Callable[[User], User]:
    def check(user: CurrentUser) -> User:
        if not user.has_any(*roles):
            names = ", ".join(r.value for r in roles)
            raise HTTPException(403, f"this needs one of the roles: {names}")
        return user

    return check


def own_borrower_only(user: User, borrower_id: UUID) -> None:
    """A borrower acts only on itself; staff roles act on anyone."""
    if user.is_borrower_only and user.sub != str(borrower_id):
        raise HTTPException(403, "a borrower may act only on its own record")
