"""What a change to a loan's payments does to its books, as data for one event.

The ledger is a pure fold over the loan's live payments in value-date order. A
new, backdated or reversed payment recomputes it; the event then records only
what changed: the payments whose allocation is new or different, the
installments whose amounts moved, the schedule if a recast replaced it, and the
resulting balances. Replay applies those records and never recomputes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.errors import InvalidTransition, InvalidValue
from domain.ledger import (
    AdvancePayment,
    Charge,
    ComponentAmounts,
    InstallmentState,
    LedgerState,
    Payment,
    PaymentResult,
    PenaltyTerms,
    Prepayment,
    allocate,
    changed_results,
    payoff_amount,
)
from domain.model import Immutable
from domain.product import ProductTerms
from domain.schedule import (
    Installment,
    Schedule,
    ScheduleError,
    ScheduleTerms,
    continuing_anchor,
    due_dates,
    generate_schedule,
)


class PaymentRecord(Immutable):
    """A live payment as the loan knows it (reversed ones are removed)."""

    id: str
    amount: Decimal
    value_date: date
    sequence: int
    prepayment: Prepayment | None = None

    def as_payment(self) -> Payment:
        return Payment(self.id, self.amount, self.value_date, self.sequence, self.prepayment)


class Balances(Immutable):
    """The loan's books. After a write-off nothing is outstanding on them: what was
    owed moves to `written_off`, and later payments are `recovered` from it."""

    outstanding: ComponentAmounts
    paid: ComponentAmounts
    credit: Decimal
    next_due_date: date | None
    fully_repaid: bool
    written_off: ComponentAmounts | None = None
    recovered: ComponentAmounts | None = None


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

    @property
    def is_empty(self) -> bool:
        return not (self.results or self.installments or self.schedule or self.charged
                    or self.uncharged)  # fmt: skip


class LedgerBasis(Immutable):
    """Everything the loan needs to work out its ledger again."""

    terms: ScheduleTerms
    schedule: Schedule
    order: tuple[str, ...]
    written_off_on: date | None = None
    penalties: PenaltyTerms | None = None
    # Books opened before the option: money paid ahead pays the next installments.
    advance_payment: AdvancePayment = AdvancePayment.NEXT_INSTALLMENTS


def penalty_terms(product: ProductTerms) -> PenaltyTerms:
    return PenaltyTerms(
        annual_rate_percent=product.penalty_rate_percent,
        late_fee=product.late_fee,
        grace_days=product.grace_days,
        day_count=product.day_count,
        rate_basis=product.penalty_rate_basis,
    )


def ledger(books: LedgerBasis, payments: Iterable[PaymentRecord], until: date) -> LedgerState:
    """The books with these payments, late fees and penalty charged up to `until`."""
    return allocate(
        books.terms,
        books.schedule,
        [p.as_payment() for p in payments],
        order=books.order,  # type: ignore[arg-type]
        written_off_on=books.written_off_on,
        penalties=books.penalties,
        until=until,
        advance_payment=books.advance_payment,
    )


def payoff(books: LedgerBasis, payments: Iterable[PaymentRecord], on: date) -> Decimal:
    return payoff_amount(
        books.terms,
        books.schedule,
        [p.as_payment() for p in payments],
        order=books.order,  # type: ignore[arg-type]
        on=on,
        written_off_on=books.written_off_on,
        penalties=books.penalties,
        advance_payment=books.advance_payment,
    )


def change(
    results: Mapping[str, PaymentResult],
    installments: Mapping[int, InstallmentState],
    schedule: Schedule,
    charges: Mapping[str, Charge],
    after: LedgerState,
) -> LedgerChange:
    """What differs between the recorded books and `after`."""
    recast = after.schedule != schedule
    moved = [item for item in after.installments if recast or installments.get(item.number) != item]
    now = {charge.id: charge for charge in after.charges}
    return LedgerChange(
        results=list(changed_results(list(results.values()), after.results)),
        installments=moved,
        schedule=after.schedule if recast else None,
        balances=balances(after),
        charged=[charge for charge in after.charges if charges.get(charge.id) != charge],
        uncharged=[charge for charge in charges.values() if now.get(charge.id) != charge],
    )


def balances(state: LedgerState) -> Balances:
    if state.written_off is not None:
        zero = state.outstanding - state.outstanding
        return Balances(
            outstanding=zero,
            paid=state.paid,
            credit=state.credit,
            next_due_date=None,
            fully_repaid=state.is_fully_repaid,
            written_off=state.written_off,
            recovered=state.recovered,
        )
    owing = [i for i in state.installments if i.outstanding.total > 0]
    return Balances(
        outstanding=state.outstanding,
        paid=state.paid,
        credit=state.credit,
        next_due_date=owing[0].due_date if owing else None,
        fully_repaid=state.is_fully_repaid,
    )


ZERO_AMOUNTS = ComponentAmounts(Decimal(0), Decimal(0), Decimal(0), Decimal(0))


def unpaid(item: Installment) -> InstallmentState:
    """An installment as it stands before any payment."""
    due = ComponentAmounts(Decimal(0), item.fee, item.interest, item.principal)
    return InstallmentState(item.number, item.due_date, due, ZERO_AMOUNTS, None)


def written_off_on(books: LedgerBasis, on: date) -> LedgerBasis:
    if on < books.terms.start_date:
        raise InvalidValue("value_date", "must not be before the disbursement")
    return books.model_copy(update={"written_off_on": on})


def rescheduled(
    books: LedgerBasis,
    method: str,
    from_date: date,
    new_term: int | None,
    new_rate_percent: Decimal | None,
) -> LedgerBasis:
    """The books after a reschedule: kept installments, then a new schedule.

    Installments due on or before `from_date` stay as they are, arrears included.
    The principal they did not schedule is spread again from the last of their due
    dates (or the disbursement), over `new_term` periods at `new_rate_percent`.
    """
    if method in UNSCHEDULED_PRINCIPAL:
        raise InvalidTransition("reschedule", f"the loan repays principal at maturity ({method})")
    if new_term is None and new_rate_percent is None:
        raise InvalidValue("new_term", "give a new term, a new rate or both")
    try:
        terms, schedule = _rescheduled(books, from_date, new_term, new_rate_percent)
    except ScheduleError as error:
        raise InvalidValue(RESCHEDULE_FIELDS.get(error.field, error.field), error.message) from None
    return books.model_copy(update={"terms": terms, "schedule": schedule})


# Their installment count follows the term, so a kept-plus-new schedule does not fit them.
UNSCHEDULED_PRINCIPAL = ("interest_only", "bullet")
RESCHEDULE_FIELDS = {"term": "new_term", "annual_rate_percent": "new_rate_percent"}


def _rescheduled(
    books: LedgerBasis, from_date: date, new_term: int | None, new_rate_percent: Decimal | None
) -> tuple[ScheduleTerms, Schedule]:
    """The contract after a reschedule: kept installments, then a new schedule."""
    terms, original = books.terms, books.schedule.installments
    kept = [item for item in original if item.due_date <= from_date]
    if len(kept) == len(original):
        raise ScheduleError("from_date", "must be before the last installment's due date")
    start = kept[-1].due_date if kept else terms.start_date
    remaining = terms.principal - sum((item.principal for item in kept), Decimal(0))
    rate = terms.annual_rate_percent if new_rate_percent is None else new_rate_percent
    term = len(original) - len(kept) if new_term is None else new_term
    # The new installments continue the contract's own dates (a month-end loan stays on
    # month ends), unless earlier changes moved them off it.
    cadence = due_dates(terms.start_date, terms.frequency, len(kept) + term, terms.first_due_date)[
        len(kept) :
    ]
    ends = cadence if cadence and cadence[0] > start else None
    tail = generate_schedule(
        replace(
            terms,
            principal=remaining,
            annual_rate_percent=rate,
            term=term,
            start_date=start,
            first_due_date=None
            if ends is None
            else continuing_anchor(start, terms.frequency, ends),
            grace_periods=0,
        )
    )
    renumbered = [
        replace(item, number=len(kept) + n, due_date=item.due_date if ends is None else ends[n - 1])
        for n, item in enumerate(tail.installments, 1)
    ]
    schedule = Schedule(tuple(kept + renumbered))
    # The ledger reads one set of terms: the new rate, the whole count, the same principal.
    whole = replace(
        terms, annual_rate_percent=rate, term=len(schedule.installments), grace_periods=0
    )
    return whole, schedule
