"""A reschedule's books: the installments kept, then a new schedule for the rest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.charges import Charge as ProductCharge
from domain.errors import InvalidTransition, InvalidValue
from domain.loan.accounting import LedgerBasis
from domain.schedule import (
    Rounder,
    Schedule,
    ScheduleError,
    ScheduleTerms,
    continuing_anchor,
    due_dates,
    generate_schedule,
)
from domain.schedule.fees import recharge_schedule


def rescheduled(
    books: LedgerBasis,
    method: str,
    from_date: date,
    new_term: int | None,
    new_rate_percent: Decimal | None,
    charges: Sequence[ProductCharge] = (),
) -> LedgerBasis:
    """The books after a reschedule: kept installments, then a new schedule.

    Installments due on or before `from_date` stay as they are, arrears included.
    The principal they did not schedule is spread again from the last of their due
    dates (or the disbursement), over `new_term` periods at `new_rate_percent`. The new
    installments carry the product's installment `charges` worked out on them (and the
    disbursement fees collected on the first installment, if it is among them).
    """
    if method in UNSCHEDULED_PRINCIPAL:
        raise InvalidTransition("reschedule", f"the loan repays principal at maturity ({method})")
    if new_term is None and new_rate_percent is None:
        raise InvalidValue("new_term", "give a new term, a new rate or both")
    try:
        terms, schedule = _rescheduled(books, from_date, new_term, new_rate_percent, charges)
    except ScheduleError as error:
        raise InvalidValue(RESCHEDULE_FIELDS.get(error.field, error.field), error.message) from None
    return books.model_copy(update={"terms": terms, "schedule": schedule})


# Their installment count follows the term, so a kept-plus-new schedule does not fit them.
UNSCHEDULED_PRINCIPAL = ("interest_only", "bullet")
RESCHEDULE_FIELDS = {"term": "new_term", "annual_rate_percent": "new_rate_percent"}


def _rescheduled(
    books: LedgerBasis,
    from_date: date,
    new_term: int | None,
    new_rate_percent: Decimal | None,
    charges: Sequence[ProductCharge],
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
    renumbered = Schedule(
        tuple(
            replace(
                item,
                number=len(kept) + n,
                due_date=item.due_date if ends is None else ends[n - 1],
            )
            for n, item in enumerate(tail.installments, 1)
        )
    )
    money = Rounder.of(terms.minor_unit, terms.rounding)
    charged = recharge_schedule(renumbered, charges, terms.principal, money)
    schedule = Schedule(tuple(kept) + charged.installments)
    # The ledger reads one set of terms: the new rate, the whole count, the same principal.
    whole = replace(
        terms, annual_rate_percent=rate, term=len(schedule.installments), grace_periods=0
    )
    return whole, schedule
