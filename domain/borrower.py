"""Borrowers: individuals and small businesses, with identity and financials."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from eventsourcing.domain import event
from pydantic import Field

from domain.erasure import Erasing, ErasureRequest
from domain.errors import InvalidTransition, InvalidValue
from domain.identity import birth_date_of, normalize_credit_code, normalize_resident_id
from domain.model import Aggregate, AggregateSnapshot, Immutable, SnapshotState, added_later
from domain.money import checked_amount

MONEY_FIELDS = ("monthly_income", "assets", "liabilities", "annual_sales")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
REQUIRED_TEXT = ("name", "phone", "region")


class BorrowerKind(StrEnum):
    INDIVIDUAL = "individual"
    BUSINESS = "business"


class Profile(Immutable):
    """What a loan officer may change after registration: contact and financials."""

    name: str
    phone: str
    address: str
    region: str
    monthly_income: Decimal
    assets: Decimal | None = None
    liabilities: Decimal | None = None
    annual_sales: Decimal | None = None
    margin_percent: Decimal | None = None
    # Where email notices go (profiles from before it: none, so SMS only), and whether
    # the borrower declined marketing (never the notices the law requires).
    email: str | None = added_later()
    marketing_opt_out: bool | None = added_later()

    def checked(self) -> Profile:
        for name in REQUIRED_TEXT:
            if not str(getattr(self, name)).strip():
                raise InvalidValue(name, "must not be empty")
        amounts = {
            name: checked_amount(getattr(self, name), name)
            for name in MONEY_FIELDS
            if getattr(self, name) is not None
        }
        if self.email is not None and not EMAIL.fullmatch(self.email):
            raise InvalidValue("email", "must be an email address")
        if self.margin_percent is not None and not 0 <= self.margin_percent <= 100:
            raise InvalidValue("margin_percent", "must be between 0 and 100")
        return self.model_copy(update=amounts)


def normalize_id_number(kind: BorrowerKind, id_number: str) -> str:
    if kind is BorrowerKind.INDIVIDUAL:
        return normalize_resident_id(id_number)
    return normalize_credit_code(id_number)


class Blacklisting(Immutable):
    """Why and since when (business date) the lender will not lend to the borrower."""

    reason: str
    since: date
    by: str


class AppliedFor(Immutable):
    """A loan the borrower applied for, on a business date."""

    loan_id: UUID
    on: date


class BorrowerState(SnapshotState):
    kind: BorrowerKind
    id_number: str
    birth_date: date | None
    officer: str
    profile: Profile
    blacklisting: Blacklisting | None = None
    applications: tuple[AppliedFor, ...] = ()
    office: UUID | None = None
    erasure_request: ErasureRequest | None = None
    erased_on: date | None = None
    credentials: int = 1


class Borrower(Erasing, Aggregate):
    if TYPE_CHECKING:  # assigned by events; annotations here would become __init__ fields
        kind: BorrowerKind
        id_number: str
        birth_date: date | None
        officer: str
        profile: Profile
        blacklisting: Blacklisting | None
        applications: tuple[AppliedFor, ...]
        office: UUID | None  # None: registered before offices were recorded
        # Goes up each time the borrower's sessions are ended (by staff, or a phone
        # change): a session started before holds no more (as StaffUser.credentials).
        credentials: int

    class Snapshot(AggregateSnapshot):
        state: BorrowerState

    class Registered(Aggregate.Created):
        kind: BorrowerKind
        id_number: str
        birth_date: date | None
        officer: str
        profile: Profile
        # The keyed digest of the phone, for the read models' lookups (the application
        # computes it; the read models hold no key). None in events recorded before.
        phone_digest: str | None = None
        # The office the borrower belongs to: the registering user's, or one head-office
        # staff gave. None in events recorded before offices were.
        office: UUID | None = added_later()

        def apply(self, aggregate: Any) -> None:
            aggregate.kind = self.kind
            aggregate.id_number = self.id_number
            aggregate.birth_date = self.birth_date
            aggregate.officer = self.officer
            aggregate.profile = self.profile
            aggregate.blacklisting = None
            aggregate.applications = ()
            aggregate.office = self.office
            aggregate.erasure_request = None
            aggregate.erased_on = None
            aggregate.credentials = 1

    @classmethod
    def register(
        cls,
        *,
        actor: str,
        kind: BorrowerKind,
        id_number: str,
        profile: Profile,
        birth_date: date | None = None,
        borrower_id: UUID | None = None,
        phone_digest: str | None = None,
        office: UUID | None = None,
    ) -> Borrower:
        number = normalize_id_number(kind, id_number)
        if kind is BorrowerKind.INDIVIDUAL:
            embedded = birth_date_of(number)
            if birth_date is not None and birth_date != embedded:
                raise InvalidValue("birth_date", "differs from the date in the resident id")
            birth_date = embedded
        return cls._create(
            cls.Registered,
            id=borrower_id,
            actor=actor,
            kind=kind,
            id_number=number,
            birth_date=birth_date,
            officer=actor,
            profile=profile.checked(),
            phone_digest=phone_digest,
            office=office,
        )

    def update(
        self, *, actor: str, changes: dict[str, Any], phone_digest: str | None = None
    ) -> None:
        """`phone_digest`: that of the phone after the update (see Registered)."""
        if self.is_erased:
            raise InvalidTransition("update the borrower", "it is erased")
        unknown = sorted(set(changes) - set(Profile.model_fields))
        if unknown:
            raise InvalidValue(unknown[0], "cannot be changed")
        for name in (*REQUIRED_TEXT, "address", "monthly_income"):
            if name in changes and changes[name] is None:
                raise InvalidValue(name, "must not be null")
        updated = self.profile.model_copy(update=changes).checked()
        changed = sorted(k for k in changes if getattr(updated, k) != getattr(self.profile, k))
        if changed:
            # The old phone's holder may be logged in as the borrower: its sessions end.
            ends_sessions = True if "phone" in changed else None
            self._updated(
                actor=actor, profile=updated, changed=changed, phone_digest=phone_digest,
                ends_sessions=ends_sessions,
            )  # fmt: skip

    @event("Updated")
    def _updated(
        self,
        actor: str,
        profile: Profile,
        changed: list[str],
        # Of the profile's phone, as on Registered; an update stored before it has none.
        phone_digest: Annotated[str | None, Field(default=None)],
        # True when the update ends the borrower's sessions (a phone change); None
        # otherwise, and in updates stored before sessions did.
        ends_sessions: Annotated[bool | None, added_later()],
    ) -> None:
        self.profile = profile
        if ends_sessions:
            self.credentials = self.session_credentials + 1

    @property
    def session_credentials(self) -> int:
        """What a session of the borrower started now holds with: it ends when they
        change (see `credentials`), and when the borrower is erased."""
        return int(getattr(self, "credentials", 1))

    def revoke_sessions(self, *, actor: str, reason: str) -> None:
        """End every session of the borrower from the next request on (the event's time)."""
        if self.is_erased:
            raise InvalidTransition("end the borrower's sessions", "it is erased")
        self._sessions_revoked(actor=actor, reason=_checked_reason(reason))

    @event("SessionsRevoked")
    def _sessions_revoked(self, actor: str, reason: str) -> None:
        self.credentials = self.session_credentials + 1

    def blacklist(self, *, actor: str, reason: str, on: date) -> None:
        """Refuse the borrower credit from business date `on`; intake rejects them."""
        if self.blacklisting is not None:
            raise InvalidTransition("blacklist", "the borrower is already blacklisted")
        self._blacklisted(actor=actor, value_date=on, reason=_checked_reason(reason))

    @event("Blacklisted")
    def _blacklisted(self, actor: str, value_date: date, reason: str) -> None:
        self.blacklisting = Blacklisting(reason=reason, since=value_date, by=actor)

    def lift_blacklist(self, *, actor: str, reason: str, on: date) -> None:
        if self.blacklisting is None:
            raise InvalidTransition("lift the blacklist", "the borrower is not blacklisted")
        self._blacklist_lifted(actor=actor, value_date=on, reason=_checked_reason(reason))

    @event("BlacklistLifted")
    def _blacklist_lifted(self, actor: str, value_date: date, reason: str) -> None:
        self.blacklisting = None

    def transfer(self, *, actor: str, office: UUID) -> None:
        """The borrower now belongs to `office` (the application checks it is one)."""
        if office == self.office:
            raise InvalidTransition("transfer the borrower", "it already belongs to that office")
        self._transferred(actor=actor, office=office, previous=self.office)

    @event("Transferred")
    def _transferred(self, actor: str, office: UUID, previous: UUID | None) -> None:
        self.office = office

    def record_application(self, *, actor: str, loan_id: UUID, on: date) -> None:
        """Keep the borrower's applications with the borrower, so intake counts them
        exactly: two applications racing each other conflict here, and one retries."""
        if self.is_erased:
            raise InvalidTransition("apply for a loan", "the borrower is erased")
        self._application_recorded(actor=actor, loan_id=loan_id, value_date=on)

    @event("ApplicationRecorded")
    def _application_recorded(self, actor: str, loan_id: UUID, value_date: date) -> None:
        self.applications = (*self.applications, AppliedFor(loan_id=loan_id, on=value_date))

    def applications_since(self, since: date) -> int:
        return sum(1 for applied in self.applications if applied.on >= since)


def _checked_reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidValue("reason", "must not be empty")
    return reason.strip()
