"""Money officers add to or take off an active loan: charges, waivers, credit refunds.

Each takes effect on the business date. The rules are the loan's (domain/loan/charging.py):
who may waive, what may be charged, how much may be waived or refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from application.app import LendingApplication, Written, check_version
from application.calendar import business_date
from application.loans import act_on_loan
from domain.loan import Loan


@dataclass(frozen=True)
class AddCharge:
    actor: str
    loan_id: UUID
    code: str
    installment: int
    reason: str
    amount: Decimal | None = None  # None: the product's definition decides
    expected_version: int | None = None


def add_charge(app: LendingApplication, command: AddCharge) -> Written:
    today = business_date(app, command.actor)
    return act_on_loan(
        app,
        command.loan_id,
        command.expected_version,
        lambda loan: loan.add_charge(
            actor=command.actor,
            code=command.code,
            installment=command.installment,
            reason=command.reason,
            today=today,
            amount=command.amount,
        ),
    )


@dataclass(frozen=True)
class Waive:
    actor: str
    loan_id: UUID
    component: str  # fee | penalty | interest
    amount: Decimal
    reason: str
    installment: int | None = None  # None: oldest installment first
    expected_version: int | None = None


def waive(app: LendingApplication, command: Waive) -> Written:
    today = business_date(app, command.actor)

    def decide(loan: Loan) -> None:
        loan.waive(
            actor=command.actor,
            component=command.component,
            amount=command.amount,
            reason=command.reason,
            today=today,
            installment=command.installment,
        )
        loan.review_delinquency(actor=command.actor, on=today)

    return act_on_loan(app, command.loan_id, command.expected_version, decide)


@dataclass(frozen=True)
class RefundCredit:
    actor: str
    loan_id: UUID
    amount: Decimal
    channel: str
    reference: str
    expected_version: int | None = None


def refund_credit(app: LendingApplication, command: RefundCredit) -> Written:
    """Idempotent on (channel, reference): the same refund sent again is recorded once."""
    today = business_date(app, command.actor)

    def attempt() -> Written:
        loan = app.load(Loan, command.loan_id, "loan")
        repeated = loan.refund_by(command.channel, command.reference)
        if repeated is not None and repeated.amount == command.amount:
            return Written(loan.id, loan.version, 0)  # nothing new is written
        check_version(loan, command.expected_version)
        loan.refund_credit(
            actor=command.actor,
            amount=command.amount,
            channel=command.channel,
            reference=command.reference,
            today=today,
        )
        return app.save_all(loan)

    return app.retrying(attempt)
