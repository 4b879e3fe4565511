"""A borrower's sessions: the staff's session machinery (domain/staff/session.py), held
by a borrower instead of a user.

A borrower's login (application/borrower_login.py) starts a session that its token
names (`sid`); every request with the token checks, as a staff token's does, that the
session holds: not logged out (application/staff/login.py `logout`, the same for both),
and the borrower neither erased nor with its sessions ended since (its `credentials`,
as a staff user's go up at a password reset). Staff end them all with
`revoke_sessions`; a phone change ends them too (domain/borrower.py). A borrower's
session has no refresh token: the borrower logs in again by code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from application.app import LendingApplication, Written, check_version
from domain.borrower import Borrower
from domain.errors import NotFound, Unauthenticated
from domain.staff import StaffSession

ENDED = "the session has ended: log in again"
NO_REFRESH = ""  # the digest no refresh token has: a borrower's session is not refreshed


def start_session(
    borrower: Borrower, *, at: datetime, client: str, holds: timedelta
) -> StaffSession:
    """A new session of the borrower (saved by the caller), lasting as its token does."""
    return StaffSession.log_in(
        session_id=uuid4(),
        user_id=borrower.id,
        credentials=borrower.session_credentials,
        refresh_digest=NO_REFRESH,
        at=at,
        client=client,
        expires_at=at + holds,
    )


def borrower_access(app: LendingApplication, borrower_id: UUID, session_id: UUID) -> None:
    """Unauthenticated once the borrower's session has ended (logged out, its sessions
    ended by staff or a phone change, or the borrower erased). Two reads of cached
    aggregates, each brought up to date by one indexed query, as for staff."""
    try:
        session = app.load(StaffSession, session_id, "session")
        borrower = app.load(Borrower, borrower_id, "borrower")
    except NotFound:
        raise Unauthenticated(ENDED) from None
    live = session.live(borrower.session_credentials) and not borrower.is_erased
    if session.user_id != borrower.id or not live:
        raise Unauthenticated(ENDED)


@dataclass(frozen=True)
class RevokeSessions:
    actor: str
    borrower_id: UUID
    reason: str
    expected_version: int | None = None


def revoke_sessions(app: LendingApplication, command: RevokeSessions) -> Written:
    """End every session of the borrower from the next request on: recorded on the
    borrower (`SessionsRevoked`, with the actor and the reason)."""

    def attempt() -> Written:
        borrower = app.load(Borrower, command.borrower_id, "borrower")
        check_version(borrower, command.expected_version)
        borrower.revoke_sessions(actor=command.actor, reason=command.reason)
        return app.save_all(borrower)

    return app.retrying(attempt)
