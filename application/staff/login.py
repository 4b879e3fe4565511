"""Logging in and out, refreshing a session, and checking one on every request.

Every attempt is recorded: a failure or a refusal on the username's guard (there is
one for usernames no user has, too), a success as the session it starts. The answer
to a failure is the same whatever failed (no such user, a wrong password, a
deactivated user) and takes the same time: argon2 runs for each.

A refresh token is `<session id>.<secret>`; the store keeps the secret's SHA-256 only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from application.app import LendingApplication
from application.staff.passwords import verify_password
from application.staff.users import user_named
from domain.errors import AccountLocked, NotFound, Unauthenticated
from domain.staff import LoginGuard, Role, StaffSession, StaffUser, Verdict, normalize_username

REFUSED = "the username or password is wrong"
EXPIRED = "the session has ended: log in again"


@dataclass(frozen=True)
class Session:
    """A session's holder and its new refresh token (shown once, to them only)."""

    user_id: UUID
    session_id: UUID
    roles: frozenset[Role]
    office_id: UUID
    refresh_token: str = field(repr=False)


@dataclass(frozen=True)
class Login:
    username: str
    password: str = field(repr=False)
    client: str  # the caller's address, as the HTTP service saw it
    at: datetime


def login(app: LendingApplication, command: Login) -> Session:
    """A new session; Unauthenticated on a failed attempt, AccountLocked while locked.

    Each record of the attempt is saved with retries, reloading the guard: attempts at
    one username at the same time all count."""
    guard_id = app.claim_id("login", normalize_username(command.username))
    user = user_named(app, command.username)
    user_id = user.id if user else None
    at, client, policy = command.at, command.client, app.policies.login

    def refuse_if_locked() -> datetime | None:
        guard = _guard(app, guard_id)
        until = guard.locked_at(at) if guard is not None else None
        if guard is not None and until is not None:
            guard.refuse_locked(at=at, client=client, user_id=user_id)
            app.save_all(guard)
        return until

    until = app.retrying(refuse_if_locked)
    if until is not None:
        raise AccountLocked(until)
    matched = verify_password(user.password_hash if user else None, command.password)
    if user is None or not matched or not user.active:
        reason = "no such user" if user is None else "inactive" if matched else "wrong password"

        def record_failure() -> None:
            guard = _guard(app, guard_id) or LoginGuard.open(guard_id)
            guard.fail(at=at, client=client, user_id=user_id, reason=reason, policy=policy)
            app.save_all(guard)

        app.retrying(record_failure)
        raise Unauthenticated(REFUSED)
    secret, session_id = secrets.token_urlsafe(32), uuid4()

    def start() -> None:
        session = StaffSession.log_in(
            session_id=session_id,
            user_id=user.id,
            credentials=user.credentials,
            refresh_digest=_digest(secret),
            at=at,
            client=client,
            expires_at=at + policy.refresh,
        )
        guard = _guard(app, guard_id)
        if guard is not None:
            guard.clear(actor=str(user.id), at=at)
        app.save_all(session, *([guard] if guard is not None else []))

    app.retrying(start)
    return _session(user, session_id, secret)


@dataclass(frozen=True)
class Refresh:
    refresh_token: str = field(repr=False)
    client: str
    at: datetime


def refresh(app: LendingApplication, command: Refresh) -> Session:
    """The session's next refresh token, for its current one. A spent one revokes the
    session (someone else has a copy); any other is Unauthenticated."""
    session_id, secret = _parts(command.refresh_token)
    session = _session_of(app, session_id)
    digest = _digest(secret)
    verdict = session.judge(digest, command.at)
    if verdict is Verdict.SPENT:
        session.revoke(
            actor=str(session.user_id), at=command.at, reason="refresh token reused",
            client=command.client,
        )  # fmt: skip
        app.save_all(session)
        raise Unauthenticated("the refresh token was used before: the session is revoked")
    if verdict is not Verdict.CURRENT:
        raise Unauthenticated(EXPIRED)
    user = app.load(StaffUser, session.user_id, "user")
    if not user.active or not session.live(user.credentials):
        raise Unauthenticated(EXPIRED)
    next_secret = secrets.token_urlsafe(32)
    session.rotate(
        digest=digest,
        next_digest=_digest(next_secret),
        at=command.at,
        client=command.client,
        expires_at=command.at + app.policies.login.refresh,
    )
    app.save_all(session)
    return _session(user, session.id, next_secret)


@dataclass(frozen=True)
class Logout:
    actor: str
    session_id: UUID
    at: datetime


def logout(app: LendingApplication, command: Logout) -> None:
    """End the session: its access and refresh tokens hold no more."""
    session = _session_of(app, command.session_id)
    if str(session.user_id) != command.actor:
        raise Unauthenticated(EXPIRED)
    session.log_out(at=command.at)
    app.save_all(session)


@dataclass(frozen=True)
class Access:
    """What a live session's holder may do now (their roles and office as they are)."""

    user_id: UUID
    roles: frozenset[Role]
    office_id: UUID


def access(app: LendingApplication, user_id: UUID, session_id: UUID) -> Access:
    """The holder of a session's access token, as they are now; Unauthenticated once the
    session has ended, or the user was deactivated or had their password reset. Two
    reads of cached aggregates, each brought up to date by one indexed query."""
    session = _session_of(app, session_id)
    try:
        user = app.load(StaffUser, user_id, "user")
    except NotFound:
        raise Unauthenticated(EXPIRED) from None
    if session.user_id != user.id or not user.active or not session.live(user.credentials):
        raise Unauthenticated(EXPIRED)
    return Access(user.id, frozenset(user.roles), user.office_id)


def _guard(app: LendingApplication, guard_id: UUID) -> LoginGuard | None:
    try:
        return app.load(LoginGuard, guard_id, "login guard")
    except NotFound:
        return None


def _session_of(app: LendingApplication, session_id: UUID) -> StaffSession:
    try:
        return app.load(StaffSession, session_id, "session")
    except NotFound:
        raise Unauthenticated(EXPIRED) from None


def _session(user: StaffUser, session_id: UUID, secret: str) -> Session:
    return Session(
        user_id=user.id,
        session_id=session_id,
        roles=frozenset(user.roles),
        office_id=user.office_id,
        refresh_token=f"{session_id}.{secret}",
    )


def _parts(token: str) -> tuple[UUID, str]:
    session, _, secret = token.partition(".")
    try:
        return UUID(session), secret
    except ValueError:
        raise Unauthenticated("the refresh token is not one of ours") from None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
