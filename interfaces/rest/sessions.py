"""Logging in, refreshing a session and logging out.

/auth/login and /auth/refresh take credentials instead of a bearer token (they are
open: see auth.py). Each answers a short-lived access token (a JWT naming the session)
and the session's next refresh token, which is shown this once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel

from application.staff.login import Login, Logout, Refresh, Session, login, logout, refresh
from infrastructure.tokens import issue
from interfaces.rest.auth import CurrentUser
from interfaces.rest.common import App, Command, Secret, Text

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginBody(Command):
    username: Text
    password: Secret


class RefreshBody(Command):
    refresh_token: Secret


class Tokens(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int  # seconds the access token holds


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _tokens(request: Request, session: Session) -> Tokens:
    minutes = request.app.state.runtime.settings.access_token_minutes
    access = issue(
        request.app.state.jwt_secret,
        str(session.user_id),
        sorted(session.roles),
        timedelta(minutes=minutes),
        session=session.session_id,
    )
    return Tokens(access_token=access, refresh_token=session.refresh_token, expires_in=minutes * 60)


@router.post("/login")
def log_in(body: LoginBody, request: Request, app: App) -> Tokens:
    """A session for a username and password. A wrong password, an unknown username and
    a deactivated user get the same 401; after too many failures the username is locked
    (403, with Retry-After), whether or not a user has it."""
    command = Login(body.username, body.password, _client(request), datetime.now(UTC))
    return _tokens(request, login(app, command))


@router.post("/refresh")
def refresh_session(body: RefreshBody, request: Request, app: App) -> Tokens:
    """The next tokens of a session, for its current refresh token; a refresh token used
    before revokes the session (401)."""
    command = Refresh(body.refresh_token, _client(request), datetime.now(UTC))
    return _tokens(request, refresh(app, command))


@router.post("/logout", status_code=204)
def log_out(user: CurrentUser, app: App) -> Response:
    """End the session of the bearer token: its access and refresh tokens hold no more."""
    if user.session is None:
        raise HTTPException(409, "this token belongs to no session")
    logout(app, Logout(user.sub, user.session, datetime.now(UTC)))
    return Response(status_code=204)
