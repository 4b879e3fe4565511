"""The guard on a username's logins: failed attempts, and the lockout they lead to.

There is one guard per username tried, whether or not a user has it, so an unknown
username fails, and locks, exactly as a known one does: the answers never tell which
usernames exist. The guard's id is derived from the username with the store's key
(the application does it), and its events hold no username: only the time, the client
address and, when the username is a user's, the user's id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import event
from pydantic import Field

from domain.model import Aggregate, Immutable

ANONYMOUS = "anonymous"  # who acts in a login attempt: no one known yet


class LoginPolicy(Immutable):
    """`max_failures` failed logins within `window_minutes` lock the username for
    `lockout_minutes`; a session's refresh token lasts `refresh_hours` from its issue."""

    max_failures: int = Field(default=5, ge=1, le=1000)
    window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    lockout_minutes: int = Field(default=15, ge=1, le=7 * 24 * 60)
    refresh_hours: int = Field(default=12, ge=1, le=24 * 90)

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.window_minutes)

    @property
    def lockout(self) -> timedelta:
        return timedelta(minutes=self.lockout_minutes)

    @property
    def refresh(self) -> timedelta:
        return timedelta(hours=self.refresh_hours)


class LoginGuard(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        failures: tuple[datetime, ...]
        locked_until: datetime | None

    class Opened(Aggregate.Created):
        def apply(self, aggregate: Any) -> None:
            aggregate.failures = ()
            aggregate.locked_until = None

    @classmethod
    def open(cls, guard_id: UUID) -> LoginGuard:
        return cls._create(cls.Opened, id=guard_id, actor=ANONYMOUS)

    def locked_at(self, now: datetime) -> datetime | None:
        """Until when the username is locked at `now` (None: it is not)."""
        if self.locked_until is not None and now < self.locked_until:
            return self.locked_until
        return None

    def fail(
        self,
        *,
        at: datetime,
        client: str,
        user_id: UUID | None,
        reason: str,
        policy: LoginPolicy,
    ) -> None:
        """A failed attempt; the one that makes `max_failures` within the window locks."""
        since = at - policy.window
        counting = [f for f in self.failures if f > since]
        self._failed(
            actor=ANONYMOUS, at=at, client=client, user_id=user_id, reason=reason, since=since
        )
        if len(counting) + 1 >= policy.max_failures:
            self._locked(actor=ANONYMOUS, at=at, until=at + policy.lockout, user_id=user_id)

    @event("LoginFailed")
    def _failed(
        self,
        actor: str,
        at: datetime,
        client: str,
        user_id: UUID | None,
        reason: str,
        since: datetime,
    ) -> None:
        """`since`: failures before it no longer count (the window, as the domain saw it)."""
        self.failures = (*(f for f in self.failures if f > since), at)

    @event("LockedOut")
    def _locked(self, actor: str, at: datetime, until: datetime, user_id: UUID | None) -> None:
        self.failures = ()
        self.locked_until = until

    def refuse_locked(self, *, at: datetime, client: str, user_id: UUID | None) -> None:
        """An attempt while locked: recorded, not judged, and the lock stays as it was."""
        until = self.locked_at(at)
        assert until is not None, "refuse_locked is for a locked username"
        self._refused(actor=ANONYMOUS, at=at, client=client, user_id=user_id, until=until)

    @event("LoginRefused")
    def _refused(
        self, actor: str, at: datetime, client: str, user_id: UUID | None, until: datetime
    ) -> None:
        pass

    @property
    def watching(self) -> bool:
        """Failures or a lock are recorded, which a successful login clears."""
        return bool(self.failures) or self.locked_until is not None

    def clear(self, *, actor: str, at: datetime) -> None:
        """A successful login: the failures before it count no more."""
        if self.watching:
            self._cleared(actor=actor, at=at)

    @event("Cleared")
    def _cleared(self, actor: str, at: datetime) -> None:
        self.failures = ()
        self.locked_until = None
