"""Bearer-token authentication and role checks for REST routes.

`AuthenticateFirst` checks the token of every request before FastAPI reads its body, so
an anonymous caller learns nothing from validation: malformed JSON and invalid fields
answer 401 like everything else. Only OPEN_PATHS skip it (the docs, and the
commands that take credentials instead of a token: logging in, refreshing a session, a
borrower's code and its login), payment platforms' callbacks, which are signed instead,
and /graphql, which checks the token itself (GraphiQL, a GET asking for HTML, is open).
The user it finds is kept on `request.state.user`, where the route's role check and the
problem handlers read it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Receive, Scope, Send

from infrastructure.tokens import Role, User
from interfaces.auth import Authenticator, is_another_borrower, missing_role
from interfaces.rest.problems import problem

CREDENTIAL_PATHS = frozenset(
    {"/auth/login", "/auth/refresh", "/auth/borrower/code", "/auth/borrower/login"}
)
OPEN_PATHS = frozenset(
    {"/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", *CREDENTIAL_PATHS}
)
SELF_AUTHENTICATING = "/graphql"
# Payment platforms' callbacks carry the platform's signature instead (rest/payments.py).
SIGNED_PREFIX = "/payments/callback/"

# Documents the bearer scheme in OpenAPI; the token itself was checked by AuthenticateFirst.
_bearer = HTTPBearer(auto_error=False)


def _is_open(path: str) -> bool:
    return (
        path in OPEN_PATHS
        or path == SELF_AUTHENTICATING
        or path.startswith(("/graphql/", SIGNED_PREFIX))
    )


class AuthenticateFirst:
    """ASGI middleware: no request reaches a route (or has its body read) without a
    valid bearer token, except the open paths."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _is_open(scope["path"]):
            request = Request(scope)
            try:
                authenticator: Authenticator = request.app.state.authenticator
                header = request.headers.get("authorization")
                request.state.user = await authenticator.authenticate_async(header)
            except HTTPException as refused:
                detail = str(refused.detail)
                answer = problem(refused.status_code, detail, detail)
                answer.headers.update(refused.headers or {})
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    user: User | None = getattr(request.state, "user", None)
    if user is None:  # a route served without AuthenticateFirst
        header = f"{credentials.scheme} {credentials.credentials}" if credentials else None
        authenticator: Authenticator = request.app.state.authenticator
        user = request.state.user = authenticator.authenticate(header)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require(*roles: Role) -> Callable[[User], User]:
    def check(user: CurrentUser) -> User:
        refused = missing_role(user, roles)
        if refused is not None:
            raise HTTPException(403, refused)
        return user

    return check


def own_borrower_only(user: User, borrower_id: UUID) -> None:
    """A borrower acts only on itself; staff roles act on anyone."""
    if is_another_borrower(user, str(borrower_id)):
        raise HTTPException(403, "a borrower may act only on its own record")
