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

A phone several borrowers share gets its code too, recording all of them; the right
code then logs in only the one the caller identifies (the application finds which of
them the identification fits: the last 4 characters of the id number). Without one, or
with one that fits several, nothing is recorded and the caller is asked again; one that
fits none counts as a wrong code. Only a caller who proved the code learns any of that.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from eventsourcing.domain import event
from pydantic import Field

from domain.errors import DomainError, InvalidValue
from domain.model import Aggregate, Immutable, added_later
from domain.notifications import Template
from domain.staff import ANONYMOUS

HOUR = timedelta(hours=1)
# What a caller says of itself when its phone is several borrowers': the last 4
# characters of its id number (domain/identity.py).
IDENTIFICATION = "id_number_last4"
IDENTIFY = "is required: this phone is several borrowers', say which one you are"
FITS_NONE = "fits none of the borrowers with this phone"
FITS_SEVERAL = "fits several borrowers with this phone: ask the lender"


class CodePolicy(Immutable):
    digits: int = Field(default=6, ge=4, le=10)
    valid_minutes: int = Field(default=5, ge=1, le=60)
    per_hour: int = Field(default=5, ge=1, le=100)
    max_attempts: int = Field(default=5, ge=1, le=100)
    # The code's SMS: its wording's language, and templates overriding the built-in
    # `login_code` (application/notice_templates.py), as a product's notifications do.
    language: str = Field(default="zh", pattern="^(zh|en)$")
    templates: tuple[Template, ...] = ()

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


@dataclass(frozen=True)
class Redemption:
    """What a code presented did: log `borrower_id` in, or not; `refusal` says why the
    caller's identification was not enough (the code was right)."""

    borrower_id: UUID | None = None
    refusal: str | None = None


class LoginCodes(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        issued: tuple[datetime, ...]  # the issue times of the last hour's codes
        salt: str | None
        digest: str | None  # the live code's; None: no code may log in
        expires_at: datetime | None
        attempts: int
        borrower_id: UUID | None
        shared_by: tuple[UUID, ...]  # the borrowers of a shared phone; () otherwise

    class Opened(Aggregate.Created):
        def apply(self, aggregate: Any) -> None:
            aggregate.issued = ()
            aggregate.salt = None
            aggregate.digest = None
            aggregate.expires_at = None
            aggregate.attempts = 0
            aggregate.borrower_id = None
            aggregate.shared_by = ()

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
        shared_by: tuple[UUID, ...] = (),
    ) -> None:
        """A new code (its digest under `salt`); TooManyCodes past the hourly limit.
        `borrower_id`: the phone's one borrower; `shared_by`: its borrowers, if several."""
        until = self.next_issue_at(at, policy)
        if until is not None:
            raise TooManyCodes(until)
        self._issued(
            actor=ANONYMOUS, at=at, salt=salt, digest=digest, borrower_id=borrower_id,
            client=client, expires_at=at + policy.valid_for, since=at - HOUR,
            shared_by=tuple(shared_by) if len(shared_by) > 1 else None,
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
        # The borrowers of a shared phone; None for one borrower's or no one's, and in
        # events recorded before shared phones had codes.
        shared_by: Annotated[tuple[UUID, ...] | None, added_later()],
    ) -> None:
        """`since`: issues before it no longer count (the hour, as the domain saw it)."""
        self.issued = (*(i for i in self.issued if i > since), at)
        self.salt, self.digest, self.expires_at = salt, digest, expires_at
        self.attempts = 0
        self.borrower_id = borrower_id
        self.shared_by = tuple(shared_by or ())

    def live(self, now: datetime) -> bool:
        """Whether a code may log in at `now`."""
        return self.digest is not None and self.expires_at is not None and now < self.expires_at

    def proves(self, now: datetime, digest: str) -> bool:
        """Whether `digest` is the live code's."""
        return self.live(now) and hmac.compare_digest(digest, self.digest or "")

    def redeem(self, *, at: datetime, digest: str, client: str, policy: CodePolicy) -> UUID | None:
        """The borrower a code logs in, or None: no live code, a wrong one (counted; the
        `max_attempts`th voids the code), or the right code for a phone no borrower has
        (or several share: see `redeem_as`)."""
        return self.redeem_as(at=at, digest=digest, client=client, policy=policy).borrower_id

    def redeem_as(
        self,
        *,
        at: datetime,
        digest: str,
        client: str,
        policy: CodePolicy,
        fitting: tuple[UUID, ...] | None = None,
    ) -> Redemption:
        """As `redeem`; for a shared phone, `fitting` is those of `shared_by` the caller's
        identification fits (None: it gave none). The right code with none given, or one
        fitting several, records nothing; one fitting none counts as a wrong code."""
        if not self.live(at) or self.digest is None:
            return Redemption()
        if not self.proves(at, digest):
            self._fail(at=at, client=client, policy=policy)
            return Redemption()
        borrower_id = self.borrower_id
        if len(self.shared_by) > 1:
            if fitting is None:
                return Redemption(refusal=IDENTIFY)
            fits = [b for b in self.shared_by if b in fitting]
            if not fits:
                self._fail(at=at, client=client, policy=policy)
                return Redemption(refusal=FITS_NONE)
            if len(fits) > 1:
                return Redemption(refusal=FITS_SEVERAL)
            borrower_id = fits[0]
        self._used(actor=str(borrower_id) if borrower_id else ANONYMOUS, at=at, client=client)
        return Redemption(borrower_id)

    def _fail(self, *, at: datetime, client: str, policy: CodePolicy) -> None:
        voided = self.attempts + 1 >= policy.max_attempts
        self._failed(actor=ANONYMOUS, at=at, client=client, voided=voided)

    @event("CodeFailed")
    def _failed(self, actor: str, at: datetime, client: str, voided: bool) -> None:
        self.attempts += 1
        if voided:
            self.digest = None

    @event("CodeUsed")
    def _used(self, actor: str, at: datetime, client: str) -> None:
        self.digest = None
