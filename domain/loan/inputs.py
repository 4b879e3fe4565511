"""What a loan feeds its ledger besides the schedule: live payments, the charges its
officers added, waivers and refunds, each numbered from the loan's one sequence.
Charges and waivers are kept as the ledger takes them (`domain.ledger.Charge`, `Waiver`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.ledger import Charge, Payment, Prepayment, Refund, Waiver
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
    waivers: tuple[Waiver, ...] = ()
    refunds: tuple[RefundRecord, ...] = ()


NO_INPUTS = Inputs()
