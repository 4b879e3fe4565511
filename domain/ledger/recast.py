"""Recasting the unpaid rest of a schedule after a principal prepayment.

The recast is `generate_schedule` on the contract's terms with the principal still owed,
started at the current installment's period start. Its first installment's interest is
then cut to the days left after the prepayment's value date, since interest up to that
date has just been paid on the old balance. Due dates stay those of the contract.
`recharge` then works the percentage fees out again on the rows the recast made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.charges import Charge as ProductCharge
from domain.charges import percent_fees
from domain.ledger.book import Spec
from domain.ledger.model import Prepayment
from domain.ledger.rows import INTEREST, PRINCIPAL, Row
from domain.schedule import (
    Installment,
    Method,
    Rounder,
    Schedule,
    ScheduleTerms,
    accrual_days,
    continuing_anchor,
    due_dates,
    generate_schedule,
)

# Methods whose installments each repay principal, one installment per period.
AMORTIZING = frozenset({Method.EQUAL_INSTALLMENTS, Method.EQUAL_PRINCIPAL, Method.FLAT})


def recast(
    terms: ScheduleTerms,
    dates: Sequence[date],
    index: int,
    on: date,
    owed_before: Decimal,
    owed_after: Decimal,
    mode: Prepayment,
) -> list[Spec]:
    """The replacement rows from `dates[index]` on, for `owed_after` principal.

    `dates` are the current installments' due dates; `owed_before` is the principal owed
    before the prepayment (it fixes the installment that reduce_term keeps).
    """
    done, start, period_ends = _periods_left(terms, dates, index)
    # Amounts use generate_schedule's dates, the installments keep the schedule's.
    anchor = continuing_anchor(start, terms.frequency, period_ends)

    def build(principal: Decimal, term: int) -> Schedule:
        grace = min(max(terms.grace_periods - done, 0), term - 1)
        changed = replace(
            terms,
            principal=principal,
            term=term,
            start_date=start,
            first_due_date=anchor,
            grace_periods=grace,
        )
        return generate_schedule(changed)

    term = len(period_ends)
    if mode == Prepayment.REDUCE_TERM and terms.method in AMORTIZING:
        term = _shortest_term(build, owed_before, owed_after, term)
    rows = build(owed_after, term).installments
    kept = dates[index : index + len(rows)]
    specs = [(due, row.principal, row.interest) for due, row in zip(kept, rows, strict=True)]
    first_due, principal, interest = specs[0]
    span = accrual_days(start, first_due, terms.day_count)
    left = accrual_days(on, first_due, terms.day_count)
    if span > 0 and 0 <= left < span:
        money = Rounder.of(terms.minor_unit, terms.rounding)
        specs[0] = (first_due, principal, money(interest * left / span))
    return specs


def recharge(
    rows: Sequence[Row], owed: Decimal, charges: Sequence[ProductCharge], money: Rounder
) -> None:
    """Work the percentage fees among `charges` out again on the `rows` a recast made
    (`owed`: the principal owed before the first), as the schedule was charged: on what
    each still owes of principal and interest (the first carries what was paid on the
    installments it replaced) and the principal owed before it. Fixed fees stay."""
    balance = owed
    for row in rows:
        principal, interest = row.owed(PRINCIPAL), row.owed(INTEREST)
        balance -= principal
        item = Installment(
            row.number, row.due_date, principal, interest, money.zero(),
            principal + interest, balance,
        )  # fmt: skip
        share = percent_fees(charges, item, money)
        row.scheduled_fee += share - row.percent_fee
        row.percent_fee = share


def _periods_left(
    terms: ScheduleTerms, dates: Sequence[date], index: int
) -> tuple[int, date, list[date]]:
    """(periods already behind, start of the current installment, period ends still ahead).

    Amortizing installments are one period each, so the schedule's own dates say it all;
    interest-only and bullet installments span several contract periods.
    """
    if terms.method in AMORTIZING:
        start = dates[index - 1] if index else terms.start_date
        return index, start, list(dates[index:])
    periods = due_dates(terms.start_date, terms.frequency, terms.term, terms.first_due_date)
    done = min(index * terms.interest_only_every, terms.term)
    if terms.method == Method.BULLET:
        done = 0  # one installment: the recast always starts at the start
    start = periods[done - 1] if done else terms.start_date
    return done, start, periods[done:]


def _shortest_term(
    build: Callable[[Decimal, int], Schedule], before: Decimal, after: Decimal, remaining: int
) -> int:
    """The fewest periods whose regular installment is no larger than the current one."""
    reference = _regular_installment(build(before, remaining))
    low, high = 1, remaining
    while low < high:
        middle = (low + high) // 2
        if _regular_installment(build(after, middle)) <= reference:
            high = middle
        else:
            low = middle + 1
    return low


def _regular_installment(schedule: Schedule) -> Decimal:
    """The first installment that repays principal (the level one for an annuity)."""
    for item in schedule.installments:
        if item.principal > 0:
            return item.total
    return schedule.installments[-1].total
