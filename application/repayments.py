"""Repayments: receive (idempotent on channel and reference) and reverse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from application.app import LendingApplication, Written
from application.calendar import business_date
from domain.errors import Conflict, InvalidValue, NotFound
from domain.ledger import Prepayment
from domain.loan import Loan
from domain.money import checked_amount
from domain.repayment import Receipt, Repayment

CLAIM_KIND = "repayment"


@dataclass(frozen=True)
class ReceiveRepayment:
    actor: str
    loan_id: UUID
    amount: Decimal
    value_date: date
    channel: str
    external_reference: str
    payer: str = ""
    prepayment: Prepayment | None = None

    def receipt(self) -> Receipt:
        return Receipt(
            loan_id=self.loan_id,
            amount=self.amount,
            value_date=self.value_date,
            channel=self.channel.strip().lower(),
            external_reference=self.external_reference.strip(),
            payer=self.payer,
            prepayment=self.prepayment,
        )


def repayment_id(app: LendingApplication, channel: str, external_reference: str) -> UUID:
    """The same payment notified twice has the same id, so it is recorded once."""
    return app.claim_id(CLAIM_KIND, f"{channel.strip().lower()}:{external_reference.strip()}")


def receive_repayment(app: LendingApplication, command: ReceiveRepayment) -> Written:
    receipt = command.receipt()
    today = business_date(app, command.actor)
    if receipt.value_date > today:
        raise InvalidValue("value_date", f"must not be after the business date {today}")
    payment_id = repayment_id(app, receipt.channel, receipt.external_reference)

    def attempt() -> Written:
        if app.exists(payment_id):
            return _already_received(app, payment_id, receipt)
        try:
            loan = app.load(Loan, command.loan_id, "loan")
        except NotFound:
            raise InvalidValue("loan_id", "no loan has this id") from None
        if str(payment_id) in loan.payments:
            # A concurrent notification of this payment was recorded since `exists`.
            return _already_received(app, payment_id, receipt)
        return app.save_all(record_repayment(loan, command, payment_id, today), loan)

    return app.retrying(attempt)


def record_repayment(
    loan: Loan, command: ReceiveRepayment, payment_id: UUID, today: date
) -> Repayment:
    """The payment recorded on `loan` as repayment `payment_id`: its allocation, and any
    cure of arrears it brings. The new Repayment is saved with the loan."""
    receipt = command.receipt()
    # The money is counted in the loan's currency, to its minor unit.
    amount = checked_amount(receipt.amount, "amount", loan.application.minor_unit)
    exact = receipt.model_copy(update={"amount": amount})
    repayment = Repayment.receive(actor=command.actor, repayment_id=payment_id, receipt=exact)
    loan.receive_payment(
        actor=command.actor,
        repayment_id=payment_id,
        amount=amount,
        value_date=receipt.value_date,
        today=today,
        prepayment=receipt.prepayment,
    )
    # A payment that cures arrears records the cure with it.
    loan.review_delinquency(actor=command.actor, on=today)
    return repayment


def _already_received(app: LendingApplication, payment_id: UUID, receipt: Receipt) -> Written:
    existing = app.load(Repayment, payment_id, "repayment")
    if existing.receipt.model_dump(exclude={"payer"}) != receipt.model_dump(exclude={"payer"}):
        raise Conflict(
            f"reference {receipt.external_reference} on {receipt.channel} is repayment "
            f"{payment_id}, recorded with different details"
        )
    # Nothing new is written; any read model that has the original is good enough.
    return Written(existing.id, existing.version, 0)


@dataclass(frozen=True)
class ReverseRepayment:
    actor: str
    repayment_id: UUID
    reason: str


def reverse_repayment(app: LendingApplication, command: ReverseRepayment) -> Written:
    actor, payment_id, reason = command.actor, command.repayment_id, command.reason
    today = business_date(app, actor)

    def attempt() -> Written:
        repayment = app.load(Repayment, payment_id, "repayment")
        repayment.reverse(actor=actor, reason=reason)
        loan = app.load(Loan, repayment.receipt.loan_id, "loan")
        loan.reverse_payment(actor=actor, repayment_id=payment_id, reason=reason, today=today)
        loan.review_delinquency(actor=actor, on=today)
        return app.save_all(repayment, loan)

    return app.retrying(attempt)
