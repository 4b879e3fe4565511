"""Borrowers: individuals and small businesses, with identity and financials."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import event

from domain.errors import InvalidValue
from domain.identity import birth_date_of, normalize_credit_code, normalize_resident_id
from domain.model import Aggregate, AggregateSnapshot, Immutable, SnapshotState
from domain.money import checked_amount

MONEY_FIELDS = ("monthly_income", "assets", "liabilities", "annual_sales")
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

    def checked(self) -> Profile:
        for name in REQUIRED_TEXT:
            if not str(getattr(self, name)).strip():
                raise InvalidValue(name, "must not be empty")
        amounts = {
            name: checked_amount(getattr(self, name), name)
            for name in MONEY_FIELDS
            if getattr(self, name) is not None
        }
        if self.margin_percent is not None and not 0 <= self.margin_percent <= 100:
            raise InvalidValue("margin_percent", "must be between 0 and 100")
        return self.model_copy(update=amounts)


def normalize_id_number(kind: BorrowerKind, id_number: str) -> str:
    if kind is BorrowerKind.INDIVIDUAL:
        return normalize_resident_id(id_number)
    return normalize_credit_code(id_number)


class BorrowerState(SnapshotState):
    kind: BorrowerKind
    id_number: str
    birth_date: date | None
    officer: str
    profile: Profile


class Borrower(Aggregate):
    if TYPE_CHECKING:  # assigned by events; annotations here would become __init__ fields
        kind: BorrowerKind
        id_number: str
        birth_date: date | None
        officer: str
        profile: Profile

    class Snapshot(AggregateSnapshot):
        state: BorrowerState

    class Registered(Aggregate.Created):
        kind: BorrowerKind
        id_number: str
        birth_date: date | None
        officer: str
        profile: Profile

        def apply(self, aggregate: Any) -> None:
            aggregate.kind = self.kind
            aggregate.id_number = self.id_number
            aggregate.birth_date = self.birth_date
            aggregate.officer = self.officer
            aggregate.profile = self.profile

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
        )

    def update(self, *, actor: str, changes: dict[str, Any]) -> None:
        unknown = sorted(set(changes) - set(Profile.model_fields))
        if unknown:
            raise InvalidValue(unknown[0], "cannot be changed")
        for name in (*REQUIRED_TEXT, "address", "monthly_income"):
            if name in changes and changes[name] is None:
                raise InvalidValue(name, "must not be null")
        updated = self.profile.model_copy(update=changes).checked()
        changed = sorted(k for k in changes if getattr(updated, k) != getattr(self.profile, k))
        if changed:
            self._updated(actor=actor, profile=updated, changed=changed)

    @event("Updated")
    def _updated(self, actor: str, profile: Profile, changed: list[str]) -> None:
        self.profile = profile
