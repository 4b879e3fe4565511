"""What a loan feeds its ledger besides the schedule: live payments, the charges its
officers added, waivers and refunds, each numbered from the loan's one sequence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.ledger import Charge, Component, Payment, Prepayment, Refund, Waiver
from domain.model import Immutable


class PaymentRecord(Immutable):
    """A live payment as the loan knows it (reversed ones are removed)."""

    id: str
    amount: Decimal
    value_date: date
    sequence: int
    prepayment: Prepayment | None = None

    def as_payment(self) -> Payment:
        return Payment(self.id, self.amount, self.value_date, self.sequence, self.prepayment)


class WaiverRecord(Immutable):
    """Up to `amount` of `component` forgiven on `value_date`, on `installment` or
    oldest installment first (None)."""

    id: str
    component: Component
    amount: Decimal
    value_date: date
    sequence: int
    installment: int | None = None

    def as_waiver(self) -> Waiver:
        return Waiver(
            self.id, self.component, self.amount, self.value_date, self.sequence, self.installment
        )


class RefundRecord(Immutable):
    """Credit paid back to the borrower through `channel`, under the bank's `reference`."""

    id: str
    amount: Decimal
    value_date: date
    sequence: int
    channel: str
    reference: str

    def as_refund(self) -> Refund:
        return Refund(self.id, self.amount, self.value_date, self.sequence)


class Inputs(Immutable):
    """What the loan feeds its ledger besides its books."""

    payments: tuple[PaymentRecord, ...] = ()
    charges: tuple[Charge, ...] = ()  # added by its officers
    waivers: tuple[WaiverRecord, ...] = ()
    refunds: tuple[RefundRecord, ...] = ()


NO_INPUTS = Inputs()
