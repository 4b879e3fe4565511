"""A staff user's session: from a login to its logout, expiry or revocation.

A session is one family of refresh tokens. Each refresh spends the token it was
given and issues the next; a spent token presented again means someone else holds a
copy, so the whole family is revoked. Tokens are held only as digests (the
application makes them), never as the tokens themselves.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import event

from domain.errors import InvalidTransition
from domain.model import Aggregate


class Verdict(StrEnum):
    """What a refresh token presented to a session is."""

    CURRENT = "current"  # the session's latest: it may be exchanged for the next
    SPENT = "spent"  # exchanged already: presented again, it revokes the session
    EXPIRED = "expired"
    ENDED = "ended"  # the session was logged out or revoked
    UNKNOWN = "unknown"  # never this session's


class StaffSession(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        user_id: UUID
        credentials: int
        refresh_digest: str
        spent: tuple[str, ...]
        expires_at: datetime
        ended: str | None

    class LoggedIn(Aggregate.Created):
        user_id: UUID
        credentials: int
        refresh_digest: str
        at: datetime
        client: str
        expires_at: datetime

        def apply(self, aggregate: Any) -> None:
            aggregate.user_id = self.user_id
            aggregate.credentials = self.credentials
            aggregate.refresh_digest = self.refresh_digest
            aggregate.spent = ()
            aggregate.expires_at = self.expires_at
            aggregate.ended = None

    @classmethod
    def log_in(
        cls,
        *,
        session_id: UUID,
        user_id: UUID,
        credentials: int,
        refresh_digest: str,
        at: datetime,
        client: str,
        expires_at: datetime,
    ) -> StaffSession:
        """`credentials`: the user's at login; a password reset ends the session."""
        return cls._create(
            cls.LoggedIn,
            id=session_id,
            actor=str(user_id),
            user_id=user_id,
            credentials=credentials,
            refresh_digest=refresh_digest,
            at=at,
            client=client,
            expires_at=expires_at,
        )

    def live(self, credentials: int) -> bool:
        """Whether access tokens of this session hold, for a user with these credentials
        (an access token lasts minutes: its own expiry, not the session's, bounds it)."""
        return self.ended is None and credentials == self.credentials

    def judge(self, digest: str, now: datetime) -> Verdict:
        if self.ended is not None:
            return Verdict.ENDED
        if digest == self.refresh_digest:
            return Verdict.CURRENT if now < self.expires_at else Verdict.EXPIRED
        return Verdict.SPENT if digest in self.spent else Verdict.UNKNOWN

    def rotate(
        self, *, digest: str, next_digest: str, at: datetime, client: str, expires_at: datetime
    ) -> None:
        """Spend the current refresh token for the next one."""
        verdict = self.judge(digest, at)
        if verdict is not Verdict.CURRENT:
            raise InvalidTransition("refresh the session", f"the refresh token is {verdict}")
        self._refreshed(
            actor=str(self.user_id),
            refresh_digest=next_digest,
            at=at,
            client=client,
            expires_at=expires_at,
        )

    @event("Refreshed")
    def _refreshed(
        self, actor: str, refresh_digest: str, at: datetime, client: str, expires_at: datetime
    ) -> None:
        self.spent = (*self.spent, self.refresh_digest)
        self.refresh_digest = refresh_digest
        self.expires_at = expires_at

    def log_out(self, *, at: datetime) -> None:
        if self.ended is None:
            self._logged_out(actor=str(self.user_id), at=at)

    @event("LoggedOut")
    def _logged_out(self, actor: str, at: datetime) -> None:
        self.ended = "logged out"

    def revoke(self, *, actor: str, at: datetime, reason: str, client: str = "") -> None:
        """End the session and every token of its family (a spent token came back, the
        user was deactivated or their password reset)."""
        if self.ended is None:
            self._revoked(actor=actor, at=at, reason=reason, client=client)

    @event("Revoked")
    def _revoked(self, actor: str, at: datetime, reason: str, client: str) -> None:
        self.ended = f"revoked: {reason}"
