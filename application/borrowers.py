"""Borrower use cases: register (with a unique id number), update, blacklist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.app import LendingApplication, Written, check_version
from application.calendar import business_date
from application.phones import normalize_phone, phone_digest
from domain.borrower import Borrower, BorrowerKind, Profile, normalize_id_number
from domain.claims import Claim
from domain.errors import Conflict, DuplicateIdNumber


@dataclass(frozen=True)
class RegisterBorrower:
    actor: str
    kind: BorrowerKind
    id_number: str
    profile: Profile
    birth_date: date | None = None
    borrower_id: UUID | None = None
    office: UUID | None = None  # the registering user's


def register_borrower(app: LendingApplication, command: RegisterBorrower) -> Written:
    number = normalize_id_number(command.kind, command.id_number)
    claim_id = app.claim_id("id_number", number)
    _refuse_claimed(app, claim_id)
    profile = command.profile.model_copy(update={"phone": normalize_phone(command.profile.phone)})
    borrower = Borrower.register(
        actor=command.actor,
        kind=command.kind,
        id_number=number,
        profile=profile,
        birth_date=command.birth_date,
        borrower_id=command.borrower_id,
        phone_digest=phone_digest(app, profile.phone),
        office=command.office,
    )
    claim = _claim(app, claim_id, borrower.id, command.actor)
    try:
        return app.save_all(borrower, claim)
    except IntegrityError:
        # Either a concurrent registration took the id number first, or this
        # borrower id is already registered.
        _refuse_claimed(app, claim_id)
        raise Conflict(f"borrower {borrower.id} is already registered") from None


def _refuse_claimed(app: LendingApplication, claim_id: UUID) -> None:
    if app.exists(claim_id):
        claim = app.load(Claim, claim_id, "claim")
        if not claim.is_released:
            raise DuplicateIdNumber(claim.owner_id)


def _claim(app: LendingApplication, claim_id: UUID, owner_id: UUID, actor: str) -> Claim:
    """The id number's claim for `owner_id`: a new one, or one an erasure released."""
    if not app.exists(claim_id):
        return Claim.make(claim_id=claim_id, owner_id=owner_id, actor=actor)
    claim = app.load(Claim, claim_id, "claim")
    claim.reclaim(owner_id=owner_id, actor=actor)
    return claim


@dataclass(frozen=True)
class UpdateBorrower:
    actor: str
    borrower_id: UUID
    changes: dict[str, Any]
    expected_version: int | None = None


def update_borrower(app: LendingApplication, command: UpdateBorrower) -> Written:
    changes = dict(command.changes)
    if "phone" in changes:
        changes["phone"] = normalize_phone(changes["phone"])

    def attempt() -> Written:
        borrower = app.load(Borrower, command.borrower_id, "borrower")
        check_version(borrower, command.expected_version)
        digest = phone_digest(app, changes.get("phone") or borrower.profile.phone)
        borrower.update(actor=command.actor, changes=changes, phone_digest=digest)
        return app.save_all(borrower)

    return app.retrying(attempt)


@dataclass(frozen=True)
class Blacklisting:
    actor: str
    borrower_id: UUID
    reason: str
    expected_version: int | None = None


def blacklist_borrower(app: LendingApplication, command: Blacklisting) -> Written:
    """Refuse the borrower credit from the business date: intake rejects their applications."""
    return _listing(app, command, lift=False)


def lift_blacklist(app: LendingApplication, command: Blacklisting) -> Written:
    return _listing(app, command, lift=True)


def _listing(app: LendingApplication, command: Blacklisting, lift: bool) -> Written:
    on = business_date(app, command.actor)

    def attempt() -> Written:
        borrower = app.load(Borrower, command.borrower_id, "borrower")
        check_version(borrower, command.expected_version)
        change = borrower.lift_blacklist if lift else borrower.blacklist
        change(actor=command.actor, reason=command.reason, on=on)
        return app.save_all(borrower)

    return app.retrying(attempt)
