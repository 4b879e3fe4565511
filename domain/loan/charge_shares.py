"""Each fee a loan was charged, with its share of what its installment's fee is paid,
waived and still owed, as the loan's events recorded them up to some moment.

The ledger keeps paid and waived fee per installment, not per charge, so a charge's
share comes from its installment's figures without a rule of its own: the installment's
fee (what it charges now), then its paid fee, then its paid and waived fee together
fill its charges in the order they were charged (the disbursement's lines, then each
added charge); `charged` is the first share, `paid` the second, `waived` the third less
the second, `outstanding` charged less paid and waived. A charge its installment no
longer charges (a payoff ahead of the due dates, or a recast that removed it) is
charged, paid and owed nothing, and is due on the day it was charged. A fee deducted
from the payout (installment None) is paid in full at payout. Fee an installment
charges beyond its charges (a late fee) comes after them.

`loan_books` (projections/loan_book_charges.py) shows the current charges by this rule;
`loan(id, asOf)` shows them as of a moment by this function, from the loan as its events
up to then make it and the lines those events charged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ChargeShare:
    code: str
    name: str | None
    kind: str  # disbursement, installment or specified_due_date
    installment: int | None  # None: deducted from the payout
    due_date: date
    amount: Decimal  # as charged
    charged: Decimal
    paid: Decimal
    waived: Decimal
    outstanding: Decimal


@dataclass(frozen=True)
class ChargeLine:
    """A fee as it was charged: by the disbursement (on `charged_on`), or added later."""

    code: str
    name: str | None
    kind: str
    installment: int | None
    charged_on: date
    amount: Decimal


@dataclass(frozen=True)
class _Fees:
    due_date: date
    fee: Decimal
    paid: Decimal
    settled: Decimal  # paid and waived


def charge_shares(loan: Any, lines: Sequence[ChargeLine]) -> tuple[ChargeShare, ...]:
    """The charges `lines` (in the order charged) of `loan`, installment by installment
    (deducted ones first), each with its share of its installment's fee figures as the
    loan records them."""
    fees = _installment_fees(loan)
    shares: list[tuple[int, int, ChargeShare]] = []
    before: dict[int, Decimal] = {}
    for order, line in enumerate(lines):
        zero = line.amount * 0
        if line.installment is None:
            share = _share(line, line.charged_on, line.amount, line.amount, line.amount)
            shares.append((0, order, share))
            continue
        number = line.installment
        figures = fees.get(number)
        ahead = before.get(number, zero)
        before[number] = ahead + line.amount
        if figures is None:
            shares.append((number, order, _share(line, line.charged_on, zero, zero, zero)))
            continue
        charged = min(line.amount, max(figures.fee - ahead, zero))
        paid = min(charged, max(figures.paid - ahead, zero))
        settled = min(charged, max(figures.settled - ahead, zero))
        shares.append((number, order, _share(line, figures.due_date, charged, paid, settled)))
    return tuple(share for _, _, share in sorted(shares, key=lambda s: (s[0], s[1])))


def _share(
    line: ChargeLine, due_date: date, charged: Decimal, paid: Decimal, settled: Decimal
) -> ChargeShare:
    return ChargeShare(
        code=line.code,
        name=line.name,
        kind=line.kind,
        installment=line.installment,
        due_date=due_date,
        amount=line.amount,
        charged=charged,
        paid=paid,
        waived=settled - paid,
        outstanding=charged - settled,
    )


def _installment_fees(loan: Any) -> dict[int, _Fees]:
    """Each installment of the schedule as it stands: its fee, paid fee and settled fee."""
    if loan.schedule is None:
        return {}
    figures = {}
    for item in loan.schedule.installments:
        state = loan.installments.get(item.number)
        if state is None:
            zero = item.fee * 0
            figures[item.number] = _Fees(item.due_date, item.fee, zero, zero)
            continue
        waived = state.waived.fee if state.waived else state.due.fee * 0
        fee, paid = state.due.fee, state.paid.fee
        figures[item.number] = _Fees(item.due_date, fee, paid, paid + waived)
    return figures
