"""Collections: what collectors did about a loan, and whether the borrower kept a promise.

One case per loan, under an id derived from the loan's, so the first two actions on a
loan race for the same aggregate at version 1 and the event store lets only one commit.
The case keeps its own events: a loan's history grows with its money, not with calls.

A promise to pay is judged once its day is over: at the close of business that moves
the business date past the promised date. It is kept if the live payments valued from
the day it was made through the promised date add up to at least the promised amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.errors import InvalidTransition, InvalidValue
from domain.loan.status import LoanStatus
from domain.model import Aggregate, Immutable

CASE_NAMESPACE = UUID("3c8e5f0a-7d21-4b6e-a9f4-1e0d6c2b8a53")
MAX_TEXT = 2000


class ActionKind(StrEnum):
    SMS = "sms"
    CALL = "call"
    VISIT = "visit"
    LETTER = "letter"
    LEGAL = "legal"


class PromiseStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"


class Promise(Immutable):
    """A promise to pay `promised_amount` by `promised_date`, made on `made_on`."""

    action_number: int
    made_on: date
    promised_date: date
    promised_amount: Decimal


def case_id(loan_id: UUID) -> UUID:
    return uuid5(CASE_NAMESPACE, str(loan_id))


def require_collectable(status: LoanStatus) -> None:
    """Collectors work on loans that are being repaid, not on applications or closed books."""
    if status is not LoanStatus.ACTIVE:
        raise InvalidTransition("record a collection action", f"the loan is {status.value}")


class CollectionCase(Aggregate):
    if TYPE_CHECKING:  # assigned by events; annotations here would become __init__ fields
        loan_id: UUID
        borrower_id: UUID
        actions_recorded: int
        open_promises: dict[int, Promise]

    class Opened(Aggregate.Created):
        loan_id: UUID
        borrower_id: UUID

        def apply(self, aggregate: Any) -> None:
            aggregate.loan_id = self.loan_id
            aggregate.borrower_id = self.borrower_id
            aggregate.actions_recorded = 0
            aggregate.open_promises = {}

    @classmethod
    def open(cls, *, actor: str, loan_id: UUID, borrower_id: UUID) -> CollectionCase:
        return cls._create(
            cls.Opened, id=case_id(loan_id), actor=actor, loan_id=loan_id, borrower_id=borrower_id
        )

    def record_action(
        self,
        *,
        actor: str,
        on: date,
        kind: ActionKind,
        outcome: str,
        note: str = "",
        promised_amount: Decimal | None = None,
        promised_date: date | None = None,
    ) -> None:
        """Record an action taken on business date `on`, with any promise to pay it got."""
        outcome = _text(outcome, "outcome")
        if not outcome:
            raise InvalidValue("outcome", "must not be empty")
        note = _text(note, "note")
        if promised_amount is None and promised_date is not None:
            raise InvalidValue("promised_amount", "a promise to pay needs the amount promised")
        if promised_date is None and promised_amount is not None:
            raise InvalidValue("promised_date", "a promise to pay needs the date promised")
        if promised_amount is not None and promised_amount <= 0:
            raise InvalidValue("promised_amount", "must be more than zero")
        if promised_date is not None and promised_date < on:
            raise InvalidValue("promised_date", f"must not be before the business date {on}")
        self._action_recorded(
            actor=actor,
            value_date=on,
            loan_id=self.loan_id,
            borrower_id=self.borrower_id,
            number=self.actions_recorded + 1,
            kind=kind,
            outcome=outcome,
            note=note,
            promised_amount=promised_amount,
            promised_date=promised_date,
        )

    @event("ActionRecorded")
    def _action_recorded(
        self,
        actor: str,
        value_date: date,  # the business date the action was recorded on
        loan_id: UUID,
        borrower_id: UUID,
        number: int,
        kind: ActionKind,
        outcome: str,
        note: str,
        promised_amount: Decimal | None,
        promised_date: date | None,
    ) -> None:
        self.actions_recorded = number
        if promised_amount is not None and promised_date is not None:
            self.open_promises[number] = Promise(
                action_number=number,
                made_on=value_date,
                promised_date=promised_date,
                promised_amount=promised_amount,
            )

    def promises_due(self, on: date) -> list[Promise]:
        """Open promises whose promised date is over once the business date is `on`."""
        due = [p for p in self.open_promises.values() if p.promised_date < on]
        return sorted(due, key=lambda p: (p.promised_date, p.action_number))

    def settle_promises(
        self, *, actor: str, on: date, payments: Iterable[tuple[date, Decimal]]
    ) -> None:
        """Record each due promise as kept or broken.

        `payments` are the loan's live payments as (value date, amount); a reversed
        payment is not among them, so it never counts towards a promise.
        """
        paid_on = list(payments)
        for promise in self.promises_due(on):
            paid = sum(
                (
                    amount
                    for value_date, amount in paid_on
                    if promise.made_on <= value_date <= promise.promised_date
                ),
                promise.promised_amount * 0,  # zero at the amount's minor unit: "0.00"
            )
            settle = self._promise_kept if paid >= promise.promised_amount else self._promise_broken
            settle(
                actor=actor,
                value_date=promise.promised_date,
                loan_id=self.loan_id,
                borrower_id=self.borrower_id,
                action_number=promise.action_number,
                promised_date=promise.promised_date,
                promised_amount=promise.promised_amount,
                paid_amount=paid,
            )

    # Both outcomes of a promise record the same; `value_date` is the promised date.
    @event("PromiseKept")
    def _promise_kept(
        self,
        actor: str,
        value_date: date,
        loan_id: UUID,
        borrower_id: UUID,
        action_number: int,
        promised_date: date,
        promised_amount: Decimal,
        paid_amount: Decimal,
    ) -> None:
        self.open_promises.pop(action_number, None)

    @event("PromiseBroken")
    def _promise_broken(
        self,
        actor: str,
        value_date: date,
        loan_id: UUID,
        borrower_id: UUID,
        action_number: int,
        promised_date: date,
        promised_amount: Decimal,
        paid_amount: Decimal,
    ) -> None:
        self.open_promises.pop(action_number, None)


if TYPE_CHECKING:  # the @event decorator makes these classes, which type checkers cannot see
    PromiseSettled = Aggregate.Event
else:
    PromiseSettled = CollectionCase.PromiseKept | CollectionCase.PromiseBroken


def _text(value: str, field: str) -> str:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise InvalidValue(field, f"must be at most {MAX_TEXT} characters")
    return value
