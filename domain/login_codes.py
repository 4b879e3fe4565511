"""One-time codes a borrower logs in with: sent by SMS to the borrower's phone.

The rule (CodePolicy): a code is `digits` digits (6), holds for `valid_minutes` (5)
from its issue, at most `per_hour` codes (5) are issued to one phone in any hour, and
`max_attempts` wrong codes (5) void the code: the borrower asks for another. Issuing a
code voids the one before; a code logs in once.

There is one `LoginCodes` aggregate per phone asked about, whether or not a borrower
has it, so an unknown phone is limited and refused exactly as a known one is: no
answer tells which phones are customers'. Its id is derived from the phone with the
store's key (the application does it), and its events hold neither the phone nor the
code: only the code's keyed digest (HMAC, with a salt of its own), the borrower's id
when the phone is a borrower's, the client address and the times.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import event
from pydantic import Field

from domain.errors import DomainError, InvalidValue
from domain.model import Aggregate, Immutable
from domain.staff import ANONYMOUS

HOUR = timedelta(hours=1)


class CodePolicy(Immutable):
    digits: int = Field(default=6, ge=4, le=10)
    valid_minutes: int = Field(default=5, ge=1, le=60)
    per_hour: int = Field(default=5, ge=1, le=100)
    max_attempts: int = Field(default=5, ge=1, le=100)

    @property
    def valid_for(self) -> timedelta:
        return timedelta(minutes=self.valid_minutes)

    def code_of(self, number: int) -> str:
        """The code a number drawn below `10 ** digits` stands for, zeros kept."""
        return f"{number % 10**self.digits:0{self.digits}d}"

    def checked_code(self, code: str, field: str = "code") -> str:
        text = code.strip()
        if len(text) != self.digits or not text.isascii() or not text.isdigit():
            raise InvalidValue(field, f"must be {self.digits} digits")
        return text


class TooManyCodes(DomainError):
    """The phone had `per_hour` codes within the last hour: the next may be had at `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many codes for this phone: ask again after {until.isoformat()}")
        self.until = until


class LoginCodes(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        issued: tuple[datetime, ...]  # the issue times of the last hour's codes
        salt: str | None
        digest: str | None  # the live code's; None: no code may log in
        expires_at: datetime | None
        attempts: int
        borrower_id: UUID | None

    class Opened(Aggregate.Created):
        def apply(self, aggregate: Any) -> None:
            aggregate.issued = ()
            aggregate.salt = None
            aggregate.digest = None
            aggregate.expires_at = None
            aggregate.attempts = 0
            aggregate.borrower_id = None

    @classmethod
    def open(cls, codes_id: UUID) -> LoginCodes:
        return cls._create(cls.Opened, id=codes_id, actor=ANONYMOUS)

    def next_issue_at(self, now: datetime, policy: CodePolicy) -> datetime | None:
        """When the next code may be issued, if not at `now` (None: it may)."""
        recent = sorted(at for at in self.issued if at > now - HOUR)
        if len(recent) < policy.per_hour:
            return None
        return recent[len(recent) - policy.per_hour] + HOUR

    def issue(
        self,
        *,
        at: datetime,
        salt: str,
        digest: str,
        borrower_id: UUID | None,
        client: str,
        policy: CodePolicy,
    ) -> None:
        """A new code (its digest under `salt`); TooManyCodes past the hourly limit."""
        until = self.next_issue_at(at, policy)
        if until is not None:
            raise TooManyCodes(until)
        self._issued(
            actor=ANONYMOUS, at=at, salt=salt, digest=digest, borrower_id=borrower_id,
            client=client, expires_at=at + policy.valid_for, since=at - HOUR,
        )  # fmt: skip

    @event("CodeIssued")
    def _issued(
        self,
        actor: str,
        at: datetime,
        salt: str,
        digest: str,
        borrower_id: UUID | None,
        client: str,
        expires_at: datetime,
        since: datetime,
    ) -> None:
        """`since`: issues before it no longer count (the hour, as the domain saw it)."""
        self.issued = (*(i for i in self.issued if i > since), at)
        self.salt, self.digest, self.expires_at = salt, digest, expires_at
        self.attempts = 0
        self.borrower_id = borrower_id

    def live(self, now: datetime) -> bool:
        """Whether a code may log in at `now`."""
        return self.digest is not None and self.expires_at is not None and now < self.expires_at

    def redeem(self, *, at: datetime, digest: str, client: str, policy: CodePolicy) -> UUID | None:
        """The borrower a code logs in, or None: no live code, a wrong one (counted; the
        `max_attempts`th voids the code), or the right code for a phone no borrower has."""
        if not self.live(at) or self.digest is None:
            return None
        if not hmac.compare_digest(digest, self.digest):
            voided = self.attempts + 1 >= policy.max_attempts
            self._failed(actor=ANONYMOUS, at=at, client=client, voided=voided)
            return None
        borrower_id = self.borrower_id
        self._used(actor=str(borrower_id) if borrower_id else ANONYMOUS, at=at, client=client)
        return borrower_id

    @event("CodeFailed")
    def _failed(self, actor: str, at: datetime, client: str, voided: bool) -> None:
        self.attempts += 1
        if voided:
            self.digest = None

    @event("CodeUsed")
    def _used(self, actor: str, at: datetime, client: str) -> None:
        self.digest = None
