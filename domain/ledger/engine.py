"""`allocate` and `payoff_amount`: one pure fold over payments in value-date order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    localcontext,
)

from domain.charges import Charge as ProductCharge
from domain.ledger.checks import sorted_entries
from domain.ledger.model import (
    DEFAULT_ORDER,
    AdvancePayment,
    Charge,
    Component,
    LedgerState,
    Payment,
    PaymentResult,
    Refund,
    Traversal,
    Waiver,
)
from domain.ledger.penalties import PenaltyTerms
from domain.ledger.run import Run
from domain.schedule import Schedule, ScheduleTerms

# Sums of amounts below 1E15 with at most 8 places stay exact in 34 digits.
CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero])


def allocate(
    terms: ScheduleTerms,
    schedule: Schedule,
    payments: Sequence[Payment],
    charges: Sequence[Charge] = (),
    order: Sequence[Component] = DEFAULT_ORDER,
    written_off_on: date | None = None,
    traversal: Traversal = Traversal.HORIZONTAL,
    penalties: PenaltyTerms | None = None,
    until: date | None = None,
    advance_payment: AdvancePayment = AdvancePayment.NEXT_INSTALLMENTS,
    *,
    waivers: Sequence[Waiver] = (),
    refunds: Sequence[Refund] = (),
    recast_charges: Sequence[ProductCharge] = (),
) -> LedgerState:
    """The loan's state after applying `payments` (and `waivers` and `refunds`) in
    (value_date, sequence) order.

    With `penalties`, late fees and penalty interest are charged as the days pass, up to
    `until` (the business date; no later than the last payment when None).
    `advance_payment` is what money paid ahead of due dates does (unless a payment's
    prepayment flag says otherwise).
    """
    with localcontext(CONTEXT):
        run = Run(
            terms, schedule, charges, order, traversal, penalties, advance_payment, recast_charges
        )
        for entry in sorted_entries(payments, waivers, refunds, terms.minor_unit):
            if written_off_on is not None and entry.value_date > written_off_on:
                run.write_off(written_off_on)
            run.take(entry)
        if written_off_on is not None:
            run.write_off(written_off_on)
        if until is not None:
            run.advance(until)
        run.activate_charges(None)
        return run.state()


def payoff_amount(
    terms: ScheduleTerms,
    schedule: Schedule,
    payments: Sequence[Payment],
    charges: Sequence[Charge] = (),
    order: Sequence[Component] = DEFAULT_ORDER,
    *,
    on: date,
    written_off_on: date | None = None,
    traversal: Traversal = Traversal.HORIZONTAL,
    penalties: PenaltyTerms | None = None,
    advance_payment: AdvancePayment = AdvancePayment.NEXT_INSTALLMENTS,
    waivers: Sequence[Waiver] = (),
    refunds: Sequence[Refund] = (),
    recast_charges: Sequence[ProductCharge] = (),
) -> Decimal:
    """What a payment dated `on` (after the payments, waivers and refunds dated up to
    `on`) must be to close the loan.

    Everything due by `on` (installments and charges) + all principal still owed + the
    interest of the current period accrued to `on`. Later periods' interest is not owed.
    With `penalties`, the late fees charged by `on` and the penalty interest accrued to it.
    """
    with localcontext(CONTEXT):
        run = Run(
            terms, schedule, charges, order, traversal, penalties, advance_payment, recast_charges
        )
        for entry in sorted_entries(payments, waivers, refunds, terms.minor_unit):
            if entry.value_date > on:
                break
            if written_off_on is not None and entry.value_date > written_off_on:
                run.write_off(written_off_on)
            run.take(entry)
        if written_off_on is not None and written_off_on <= on:
            run.write_off(written_off_on)
        run.activate_charges(on)
        return run.payoff(on)


def changed_results(
    before: Sequence[PaymentResult], after: Sequence[PaymentResult]
) -> tuple[PaymentResult, ...]:
    """The results in `after` that are new or differ from `before` (what to record again)."""
    previous = {result.payment_id: result for result in before}
    return tuple(result for result in after if previous.get(result.payment_id) != result)
