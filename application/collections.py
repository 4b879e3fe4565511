"""Collections: record what collectors do, and let close of business judge promises to pay."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from application.app import LendingApplication, Written
from application.calendar import business_date
from application.close_of_business import DayStep, later
from domain.collections import ActionKind, CollectionCase, case_id, require_collectable
from domain.errors import NotFound, VersionMismatch
from domain.loan import Loan
from domain.money import checked_amount

CASE = "collection case"

# (day, position): the cases holding a promise whose day is over once the business date
# is `day`, once the index has processed `position` (None: the store's head).
PromisesDue = Callable[[date, int | None], Iterable[UUID]]


@dataclass(frozen=True)
class RecordAction:
    actor: str
    loan_id: UUID
    kind: ActionKind
    outcome: str
    note: str = ""
    promised_amount: Decimal | None = None
    promised_date: date | None = None
    # The case's version: the one the previous action answered with.
    expected_version: int | None = None


def record_action(app: LendingApplication, command: RecordAction) -> Written:
    """Record a collection action on the loan's case (opened by its first action)."""
    expected_version = command.expected_version
    today = business_date(app, command.actor)

    def attempt() -> Written:
        loan = app.load(Loan, command.loan_id, "loan")
        require_collectable(loan.status)
        amount = command.promised_amount
        if amount is not None:
            # A promise is counted in the loan's currency, to its minor unit.
            amount = checked_amount(amount, "promised_amount", loan.application.minor_unit)
        case = _case_of(app, loan, command.actor)
        # A case not yet stored is at version 0: its opening is still pending.
        stored = case.version - len(case.pending_events)
        if expected_version is not None and stored != expected_version:
            raise VersionMismatch(expected_version, stored)
        case.record_action(
            actor=command.actor,
            on=today,
            kind=command.kind,
            outcome=command.outcome,
            note=command.note,
            promised_amount=amount,
            promised_date=command.promised_date,
        )
        return app.save_all(case)

    return app.retrying(attempt)


def _case_of(app: LendingApplication, loan: Loan, actor: str) -> CollectionCase:
    try:
        return app.load(CollectionCase, case_id(loan.id), CASE)
    except NotFound:
        return CollectionCase.open(
            actor=actor, loan_id=loan.id, borrower_id=loan.application.borrower_id
        )


def settling_promises(promises_due: PromisesDue) -> DayStep:
    """The close-of-business step that records each promise whose day is over as kept or broken."""

    def step(app: LendingApplication, actor: str, day: date, after: int | None) -> int | None:
        return later(after, settle_promises(app, actor, day, promises_due(day, after)))

    return step


def settle_promises(
    app: LendingApplication, actor: str, day: date, case_ids: Iterable[UUID]
) -> int:
    """Judge the due promises of each case; the last position written (0: none).

    The case itself says which promises are still open, so a case listed by a lagging
    index, or judged by an earlier run, records nothing again.
    """
    last = 0
    for id_ in case_ids:

        def attempt(id_: UUID = id_) -> int:
            case = app.load(CollectionCase, id_, CASE)
            if not case.promises_due(day):
                return 0
            loan = app.load(Loan, case.loan_id, "loan")
            payments = [(p.value_date, p.amount) for p in loan.payments.values()]
            case.settle_promises(actor=actor, on=day, payments=payments)
            return app.save_all(case).position

        last = max(last, app.retrying(attempt))
    return last
