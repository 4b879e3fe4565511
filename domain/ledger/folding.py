"""The fold kept between changes: a payment later than everything taken goes on from it.

Most payments are the loan's newest: value-dated on or after every payment, waiver and
refund already taken. Taking such a payment last is exactly what the full fold would do,
so a `Fold` (the run stopped after its last entry, before the days after it are
charged) can take it without taking the earlier entries again. Anything else (a
backdated payment, a reversal, a new charge or waiver, a write-off) folds everything
again with `fold`; the property tests prove both give the same books.

A `Fold` never changes: `then` and `state` work on copies of its run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import localcontext

from domain.charges import Charge as ProductCharge
from domain.ledger.checks import sorted_entries, sorted_payments
from domain.ledger.engine import CONTEXT
from domain.ledger.model import (
    DEFAULT_ORDER,
    AdvancePayment,
    Charge,
    Component,
    Entry,
    LedgerState,
    Payment,
    Refund,
    Traversal,
    Waiver,
)
from domain.ledger.penalties import PenaltyTerms
from domain.ledger.run import Run
from domain.schedule import Schedule, ScheduleTerms

SortKey = tuple[date, int, str]


class Fold:
    """A run after its entries, with what a later payment must not repeat or precede."""

    def __init__(self, run: Run, places: int, ids: frozenset[str], last: SortKey | None) -> None:
        self._run = run
        self._places = places
        self._ids = ids  # the payments' ids: a payment's id is its idempotency key
        self._last = last  # the last entry's place in the order

    def then(self, payment: Payment) -> Fold | None:
        """This fold with `payment` taken last, or None when the full fold would not take
        it last (dated or numbered before an entry already taken) or it repeats an id."""
        key = (payment.value_date, payment.sequence, payment.id)
        if payment.id in self._ids or (self._last is not None and key <= self._last):
            return None
        (checked,) = sorted_payments([payment], self._places)
        with localcontext(CONTEXT):
            run = self._run.fork()
            run.take(checked)
        return Fold(run, self._places, self._ids | {payment.id}, key)

    def state(self, until: date | None = None) -> LedgerState:
        """The books, with late fees and penalty charged up to `until` (as `allocate`)."""
        with localcontext(CONTEXT):
            run = self._run.fork()
            if until is not None:
                run.advance(until)
            run.activate_charges(None)
            return run.state()


def fold(
    terms: ScheduleTerms,
    schedule: Schedule,
    payments: Sequence[Payment],
    charges: Sequence[Charge] = (),
    order: Sequence[Component] = DEFAULT_ORDER,
    traversal: Traversal = Traversal.HORIZONTAL,
    penalties: PenaltyTerms | None = None,
    advance_payment: AdvancePayment = AdvancePayment.NEXT_INSTALLMENTS,
    *,
    waivers: Sequence[Waiver] = (),
    refunds: Sequence[Refund] = (),
    recast_charges: Sequence[ProductCharge] = (),
) -> Fold:
    """Every entry taken, as `allocate` takes them, for a loan not written off."""
    with localcontext(CONTEXT):
        run = Run(
            terms, schedule, charges, order, traversal, penalties, advance_payment, recast_charges
        )
        entries = sorted_entries(payments, waivers, refunds, terms.minor_unit)
        for entry in entries:
            run.take(entry)
    ids = frozenset(payment.id for payment in payments)
    return Fold(run, terms.minor_unit, ids, _key(entries[-1]) if entries else None)


def _key(entry: Entry) -> SortKey:
    return (entry.value_date, entry.sequence, entry.id)
