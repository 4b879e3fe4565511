"""A loan's statement of account, and a repayment's receipt, from what the loan recorded.

Every money event of a loan records the books it leaves (`Balances`: outstanding, paid,
charged and waived by component), as the `loan_books` read model copies them. A
statement line is one such event: what it moved (the outstanding balance after it less
the balance before it), what payments paid by component (a payment's allocation; a
backdated one's line also shows what it re-allocated), and the balance after it. Nothing
is worked out again: the figures are the recorded balances and their differences.

A line is posted on its value date, or, when recorded after a line of a later date (a
backdated payment, a reversal), on the latest date the statement had reached: so the
opening balance of a period, its lines and its closing balance always add up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.app import LendingApplication
from application.history import loan_events
from domain.borrower import Borrower
from domain.errors import InvalidValue
from domain.ledger import Component, ComponentAmounts
from domain.loan import Loan
from domain.loan.accounting import Balances
from domain.money import minor_unit
from domain.repayment import Repayment

# The @event decorator makes these classes, which type checkers cannot see.
KINDS: tuple[tuple[type[Any], str], ...] = (
    (Loan.Disbursed, "disbursement"),  # type: ignore[attr-defined]
    (Loan.RepaymentAllocated, "payment"),  # type: ignore[attr-defined]
    (Loan.RepaymentReversed, "reversal"),  # type: ignore[attr-defined]
    (Loan.ChargesRecorded, "penalty"),
    (Loan.ChargeAdded, "charge"),
    (Loan.Waived, "waiver"),
    (Loan.WrittenOff, "write_off"),
    (Loan.Rescheduled, "reschedule"),
    (Loan.CreditRefunded, "refund"),
)


@dataclass(frozen=True)
class StatementLine:
    posting_date: date
    value_date: date
    kind: str  # one of KINDS
    reference: str  # the payout's or refund's reference, a repayment id, a charge code
    amount: Decimal  # what the event was for: paid out, received, reversed, charged, waived
    change: ComponentAmounts  # of the outstanding balance
    paid: ComponentAmounts  # what payments paid (less what a reversal took back)
    balance: ComponentAmounts  # outstanding after the line
    credit: Decimal  # credit balance after the line


@dataclass(frozen=True)
class Statement:
    loan_id: UUID
    borrower_name: str
    currency: str
    principal: Decimal
    annual_rate_percent: Decimal
    start: date | None  # None: from the first line
    end: date | None  # None: to the last line
    opening: ComponentAmounts
    opening_credit: Decimal
    lines: tuple[StatementLine, ...]
    closing: ComponentAmounts
    closing_credit: Decimal


@dataclass(frozen=True)
class RepaymentReceipt:
    repayment_id: UUID
    loan_id: UUID
    borrower_id: UUID
    borrower_name: str
    currency: str
    amount: Decimal
    value_date: date
    channel: str
    external_reference: str
    payer: str
    status: str  # received or reversed
    allocated: ComponentAmounts | None  # as the loan now allocates it (None: reversed)
    credit: Decimal | None  # the part kept as credit


def check_period(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidValue("to", "must not be before from")


def statement(
    app: LendingApplication, loan_id: UUID, start: date | None = None, end: date | None = None
) -> Statement:
    """The loan's statement from `start` to `end` (both included). NotFound for no loan."""
    check_period(start, end)
    events = loan_events(app, loan_id)
    application = events[0].application
    zero = Decimal(0).quantize(minor_unit(application.minor_unit))
    nothing = ComponentAmounts(zero, zero, zero, zero)
    opening, opening_credit, lines = nothing, zero, []
    closing, closing_credit = nothing, zero
    for line in statement_lines(events, nothing):
        if end is not None and line.posting_date > end:
            break
        if start is not None and line.posting_date < start:
            opening, opening_credit = line.balance, line.credit
        else:
            lines.append(line)
        closing, closing_credit = line.balance, line.credit
    loan = app.load(Loan, loan_id, "loan")
    borrower = app.load(Borrower, application.borrower_id, "borrower")
    return Statement(
        loan_id=loan_id,
        borrower_name=borrower.profile.name,
        currency=application.product.currency,
        principal=loan.principal,
        annual_rate_percent=loan.annual_rate_percent,
        start=start,
        end=end,
        opening=opening,
        opening_credit=opening_credit,
        lines=tuple(lines),
        closing=closing,
        closing_credit=closing_credit,
    )


def statement_lines(events: Iterable[Any], nothing: ComponentAmounts) -> list[StatementLine]:
    """A line for each money event, in recorded order, with its posting date."""
    kinds = dict(KINDS)
    before: Balances | None = None
    amounts: dict[str, Decimal] = {}  # each payment's amount, for its reversal
    posted: date | None = None
    lines = []
    for event in events:
        kind = kinds.get(type(event))
        if kind is None:
            continue
        after: Balances = event.balances if kind == "disbursement" else event.change.balances
        posted = event.value_date if posted is None else max(posted, event.value_date)
        reference, amount = _what(event, kind, before, after, amounts)
        lines.append(
            StatementLine(
                posting_date=posted,
                value_date=event.value_date,
                kind=kind,
                reference=reference,
                amount=amount,
                change=after.outstanding - (before.outstanding if before else nothing),
                paid=after.paid - (before.paid if before else nothing),
                balance=after.outstanding,
                credit=after.credit,
            )
        )
        before = after
    return lines


def _what(
    event: Any, kind: str, before: Balances | None, after: Balances, amounts: dict[str, Decimal]
) -> tuple[str, Decimal]:
    """The line's reference and amount, as its event records them."""
    if kind == "disbursement":
        return event.disbursement.reference, event.terms.principal
    if kind == "payment":
        amounts[event.payment.id] = event.payment.amount
        return event.payment.id, event.payment.amount
    if kind == "reversal":
        return event.repayment_id, -amounts.get(event.repayment_id, Decimal(0))
    if kind == "charge":
        return event.code, event.charge.amount
    if kind == "waiver":
        return event.waiver.component.value, _moved(before, after, "waived")
    if kind == "write_off":
        return "", event.amounts.total
    if kind == "refund":
        return event.refund.reference, event.refund.amount
    return "", _moved(before, after, "charged")  # penalty, reschedule


def _moved(before: Balances | None, after: Balances, figure: str) -> Decimal:
    """How much more is charged (or waived) after than before; balances recorded before
    those figures existed show the change of the outstanding balance instead."""
    now, then = getattr(after, figure), getattr(before, figure) if before else None
    if now is not None and then is not None:
        return Decimal(now.total - then.total)
    return after.outstanding.total - (before.outstanding.total if before else Decimal(0))


def receipt(app: LendingApplication, repayment_id: UUID) -> RepaymentReceipt:
    """The repayment's receipt. NotFound for no repayment."""
    repayment = app.load(Repayment, repayment_id, "repayment")
    recorded = repayment.receipt
    loan = app.load(Loan, recorded.loan_id, "loan")
    application = loan.application
    borrower = app.load(Borrower, application.borrower_id, "borrower")
    result = loan.results.get(str(repayment_id))
    allocated = None
    zero = Decimal(0).quantize(minor_unit(application.minor_unit))
    if result is not None:
        by_component = dict.fromkeys(Component, zero)
        for item in result.allocations:
            by_component[item.component] += item.amount
        allocated = ComponentAmounts.of(by_component)
    return RepaymentReceipt(
        repayment_id=repayment_id,
        loan_id=loan.id,
        borrower_id=application.borrower_id,
        borrower_name=borrower.profile.name,
        currency=application.product.currency,
        amount=recorded.amount,
        value_date=recorded.value_date,
        channel=recorded.channel,
        external_reference=recorded.external_reference,
        payer=recorded.payer,
        status=repayment.status.value,
        allocated=allocated,
        credit=result.credit.quantize(zero) if result is not None else None,
    )
