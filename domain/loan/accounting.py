"""What a change to a loan's payments does to its books, as data for one event.

The ledger is a pure fold over the loan's inputs (live payments, the charges its
officers added, waivers, refunds) in value-date order. A new, backdated or reversed
input recomputes it; the event then records only what changed: the payments and
waivers whose result is new or different, the installments whose amounts moved, the
schedule if a recast replaced it, and the resulting balances. Replay applies those
records and never recomputes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.charges import Charge as ProductCharge
from domain.errors import InvalidValue
from domain.ledger import (
    AdvancePayment,
    Charge,
    ComponentAmounts,
    Fold,
    InstallmentState,
    LedgerState,
    PaymentResult,
    PenaltyTerms,
    WaiverResult,
    allocate,
    changed_results,
    fold,
    payoff_amount,
)
from domain.loan.inputs import NO_INPUTS, Inputs, PaymentRecord
from domain.model import Immutable
from domain.product import ProductTerms
from domain.schedule import (
    Installment,
    Schedule,
    ScheduleTerms,
)

__all__ = ["PaymentRecord"]  # also importable from here, as it was before inputs.py


class Balances(Immutable):
    """The loan's books. After a write-off nothing is outstanding on them: what was
    owed moves to `written_off`, and later payments are `recovered` from it.

    `charged` is everything charged so far by component (the principal, the scheduled
    interest as it now stands, every fee and penalty, the fees deducted at disbursement);
    `paid` what payments paid, and the fees deducted at disbursement (paid as they were
    charged); `waived` what waivers forgave; `refunded` the credit paid back (`credit` is
    what is left). For every component charged = paid + waived + outstanding, and after
    a write-off charged = paid + waived + written_off - recovered. The three are None on
    balances recorded before charges and waivers existed.
    """

    outstanding: ComponentAmounts
    paid: ComponentAmounts
    credit: Decimal
    next_due_date: date | None
    fully_repaid: bool
    written_off: ComponentAmounts | None = None
    recovered: ComponentAmounts | None = None
    charged: ComponentAmounts | None = None
    waived: ComponentAmounts | None = None
    refunded: Decimal | None = None


class LedgerChange(Immutable):
    """What one change did to the books. `charged` are late fees and penalty charges
    new or different since the record; `uncharged` are recorded ones taken back (a
    backdated payment showed the installment was not late, or less late)."""

    results: list[PaymentResult]
    installments: list[InstallmentState]
    schedule: Schedule | None
    balances: Balances
    charged: list[Charge] = []
    uncharged: list[Charge] = []
    waivers: list[WaiverResult] = []  # waivers whose result is new or different

    @property
    def is_empty(self) -> bool:
        return not (self.results or self.installments or self.schedule or self.charged
                    or self.uncharged or self.waivers)  # fmt: skip


class LedgerBasis(Immutable):
    """Everything the loan needs to work out its ledger again (with its inputs):
    the schedule carries the product's fees; `fees_deducted` were taken from the payout."""

    terms: ScheduleTerms
    schedule: Schedule
    order: tuple[str, ...]
    written_off_on: date | None = None
    penalties: PenaltyTerms | None = None
    # Books opened before the option: money paid ahead pays the next installments.
    advance_payment: AdvancePayment = AdvancePayment.NEXT_INSTALLMENTS
    fees_deducted: Decimal = Decimal(0)
    # The product's installment charges that are a percentage of their installment: a
    # recast works them out again on the installments it makes. Books opened before
    # this have none, and a recast keeps their fees.
    recast_charges: tuple[ProductCharge, ...] = ()


def penalty_terms(product: ProductTerms) -> PenaltyTerms:
    return PenaltyTerms(
        annual_rate_percent=product.penalty_rate_percent,
        late_fee=product.late_fee,
        grace_days=product.grace_days,
        day_count=product.day_count,
        rate_basis=product.penalty_rate_basis,
    )


def ledger(
    books: LedgerBasis, payments: Iterable[PaymentRecord], until: date, inputs: Inputs = NO_INPUTS
) -> LedgerState:
    """The books with these payments (and the other inputs), late fees and penalty
    charged up to `until`."""
    return allocate(
        **_folded(books, payments, inputs), written_off_on=books.written_off_on, until=until
    )


def _folded(
    books: LedgerBasis, payments: Iterable[PaymentRecord], inputs: Inputs
) -> dict[str, Any]:
    """What every fold of the loan's ledger takes: its books and all its inputs."""
    return {
        "terms": books.terms,
        "schedule": books.schedule,
        "payments": [p.as_payment() for p in payments],
        "charges": inputs.charges,
        "order": books.order,
        "penalties": books.penalties,
        "advance_payment": books.advance_payment,
        "recast_charges": books.recast_charges,
        "waivers": inputs.waivers,
        "refunds": [r.as_refund() for r in inputs.refunds],
    }


@dataclass(frozen=True)
class KeptFold:
    """A loan's ledger fold, with the inputs it was folded from."""

    books: LedgerBasis
    payments: tuple[PaymentRecord, ...]
    inputs: Inputs
    fold: Fold


def ledger_from(
    kept: KeptFold | None,
    books: LedgerBasis,
    payments: Iterable[PaymentRecord],
    until: date,
    inputs: Inputs = NO_INPUTS,
) -> tuple[LedgerState, KeptFold | None]:
    """`ledger`, going on from `kept` when these inputs are its own with at most one
    payment more that its fold can take last; and the fold to keep (None once the loan
    is written off: then every change folds again)."""
    if books.written_off_on is not None:
        return ledger(books, payments, until, inputs), None
    live = tuple(payments)
    fold = _continued(kept, books, live, inputs) if kept is not None else None
    if fold is None:
        fold = _fold(books, live, inputs)
    return fold.state(until), KeptFold(books, live, inputs, fold)


def _continued(
    kept: KeptFold, books: LedgerBasis, live: tuple[PaymentRecord, ...], inputs: Inputs
) -> Fold | None:
    """`kept`'s fold with `live`'s new payment, if that is all that differs."""
    taken = len(kept.payments)
    same = (kept.books is books or kept.books == books) and kept.inputs == inputs
    if not same or live[:taken] != kept.payments or len(live) > taken + 1:
        return None
    return kept.fold if len(live) == taken else kept.fold.then(live[taken].as_payment())


def _fold(books: LedgerBasis, payments: Iterable[PaymentRecord], inputs: Inputs) -> Fold:
    return fold(**_folded(books, payments, inputs))


def payoff(
    books: LedgerBasis, payments: Iterable[PaymentRecord], on: date, inputs: Inputs = NO_INPUTS
) -> Decimal:
    return payoff_amount(
        **_folded(books, payments, inputs), on=on, written_off_on=books.written_off_on
    )


def change(
    results: Mapping[str, PaymentResult],
    installments: Mapping[int, InstallmentState],
    schedule: Schedule,
    charges: Mapping[str, Charge],
    after: LedgerState,
    waivers: Mapping[str, WaiverResult] | None = None,
    fees_deducted: Decimal = Decimal(0),
) -> LedgerChange:
    """What differs between the recorded books (with the recorded waiver results) and
    `after`."""
    recast = after.schedule != schedule
    moved = [item for item in after.installments if recast or installments.get(item.number) != item]
    now = {charge.id: charge for charge in after.charges}
    waived = waivers or {}
    return LedgerChange(
        results=list(changed_results(list(results.values()), after.results)),
        installments=moved,
        schedule=after.schedule if recast else None,
        balances=balances(after, fees_deducted),
        charged=[charge for charge in after.charges if charges.get(charge.id) != charge],
        uncharged=[charge for charge in charges.values() if now.get(charge.id) != charge],
        waivers=[r for r in after.waivers if waived.get(r.waiver_id) != r],
    )


def balances(state: LedgerState, fees_deducted: Decimal = Decimal(0)) -> Balances:
    """The loan's balances from its ledger, with the fees deducted at disbursement
    charged and paid."""
    zero = state.paid.penalty * 0
    deducted = ComponentAmounts(zero, fees_deducted, zero, zero)
    charged = _sum((i.due for i in state.installments), deducted)
    paid = state.paid + deducted if fees_deducted else state.paid
    recorded = {"charged": charged, "waived": state.waived, "refunded": state.refunded}
    if state.written_off is not None:
        return Balances(
            outstanding=state.outstanding - state.outstanding,
            paid=paid,
            credit=state.credit,
            next_due_date=None,
            fully_repaid=state.is_fully_repaid,
            written_off=state.written_off,
            recovered=state.recovered,
            **recorded,
        )
    owing = [i for i in state.installments if i.outstanding.total > 0]
    return Balances(
        outstanding=state.outstanding,
        paid=paid,
        credit=state.credit,
        next_due_date=owing[0].due_date if owing else None,
        fully_repaid=state.is_fully_repaid,
        **recorded,
    )


def _sum(amounts: Iterable[ComponentAmounts], start: ComponentAmounts) -> ComponentAmounts:
    total = start
    for item in amounts:
        total = total + item
    return total


ZERO_AMOUNTS = ComponentAmounts(Decimal(0), Decimal(0), Decimal(0), Decimal(0))


def unpaid(item: Installment) -> InstallmentState:
    """An installment as it stands before any payment."""
    due = ComponentAmounts(Decimal(0), item.fee, item.interest, item.principal)
    return InstallmentState(item.number, item.due_date, due, ZERO_AMOUNTS, None)


def written_off_on(books: LedgerBasis, on: date) -> LedgerBasis:
    if on < books.terms.start_date:
        raise InvalidValue("value_date", "must not be before the disbursement")
    return books.model_copy(update={"written_off_on": on})
