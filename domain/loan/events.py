"""The loan events read models of money follow: those carrying a `change: LedgerChange`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.loan.aggregate import Loan

if TYPE_CHECKING:  # the @event decorator makes these classes, which type checkers cannot see
    from domain.model import Aggregate

    BooksChanged = Aggregate.Event
else:
    BooksChanged = (
        Loan.RepaymentAllocated
        | Loan.RepaymentReversed
        | Loan.WrittenOff
        | Loan.Rescheduled
        | Loan.ChargesRecorded
        | Loan.ChargeAdded
        | Loan.Waived
        | Loan.CreditRefunded
    )
