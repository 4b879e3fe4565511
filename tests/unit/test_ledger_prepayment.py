"""Prepayments: principal reduction and the recast, checked against closed-form annuities.

The textbook loan: 10000.00 at 12% a year (1% a month), 12 monthly annuity installments
from 15 January 2024; level payment 888.49. After four on-time payments (15 February to
15 May) 6798.42 is owed over the last eight installments.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from itertools import pairwise

from domain.ledger import Allocation, Component, Payment, Prepayment, allocate
from domain.schedule import (
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    ScheduleTerms,
    generate_schedule,
)

INTEREST, PRINCIPAL = Component.INTEREST, Component.PRINCIPAL
CENT = Decimal("0.01")
RATE = Decimal("0.01")

TEXTBOOK = ScheduleTerms(
    principal=Decimal("10000.00"),
    annual_rate_percent=Decimal("12"),
    term=12,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=date(2024, 1, 15),
)
SCHEDULE = generate_schedule(TEXTBOOK)
THREE_ON_TIME = [
    Payment(f"on-time-{m}", Decimal("888.49"), date(2024, m, 15), m) for m in (2, 3, 4)
]
MAY_15 = date(2024, 5, 15)


def annuity(principal: Decimal, periods: int) -> Decimal:
    """P r / (1 - (1 + r)^-n) at 1% a month, to the cent."""
    with localcontext() as context:
        context.prec = 34
        level = principal * RATE / (1 - (1 + RATE) ** -periods)
    return level.quantize(CENT, rounding=ROUND_HALF_EVEN)


def periods_to_repay(principal: Decimal, level: Decimal) -> int:
    """The fewest n with P r / (1 - (1 + r)^-n) <= L: ceil(-ln(1 - P r / L) / ln(1 + r))."""
    with localcontext() as context:
        context.prec = 34
        return math.ceil(-(1 - principal * RATE / level).ln() / (1 + RATE).ln())


def prepay(amount: str, on: date, mode: Prepayment) -> Payment:
    return Payment("prepayment", Decimal(amount), on, 99, mode)


def test_reduce_installment_keeps_the_term_and_lowers_the_installment() -> None:
    # 888.49 pays installment 4; 1798.42 more leaves 6798.42 - 1798.42 = 5000.00 owed.
    payment = prepay("2686.91", MAY_15, Prepayment.REDUCE_INSTALLMENT)
    state = allocate(TEXTBOOK, SCHEDULE, [*THREE_ON_TIME, payment])
    result = state.result("prepayment")
    assert result.allocations == (
        Allocation(4, INTEREST, Decimal("76.11")),
        Allocation(4, PRINCIPAL, Decimal("812.38")),
        Allocation(5, PRINCIPAL, Decimal("1798.42")),
    )
    assert result.credit == 0
    level = annuity(Decimal("5000.00"), 8)
    assert level == Decimal("653.45")
    assert result.schedule_after == state.schedule
    rows = state.schedule.installments
    assert len(rows) == 12
    assert rows[-1].due_date == date(2025, 1, 15)
    assert [item.outstanding.total for item in state.installments[4:11]] == [level] * 7
    assert [row.total for row in rows[5:11]] == [level] * 6
    assert rows[4].interest == Decimal("50.00")  # 5000.00 x 1%: the prepayment fell on a due date
    assert state.outstanding.principal == Decimal("5000.00")
    assert state.principal_repaid == Decimal("5000.00")


def test_reduce_term_keeps_the_installment_and_shortens_the_term() -> None:
    payment = prepay("2686.91", MAY_15, Prepayment.REDUCE_TERM)
    state = allocate(TEXTBOOK, SCHEDULE, [*THREE_ON_TIME, payment])
    periods = periods_to_repay(Decimal("5000.00"), Decimal("888.49"))
    assert periods == 6
    assert annuity(Decimal("5000.00"), periods - 1) > Decimal(
        "888.49"
    )  # 1030.20: one fewer is too many
    level = annuity(Decimal("5000.00"), periods)
    assert level == Decimal("862.74")
    rows = state.schedule.installments
    assert len(rows) == 4 + periods
    assert rows[-1].due_date == date(2024, 11, 15)
    assert [item.outstanding.total for item in state.installments[4:9]] == [level] * 5
    assert sum(item.outstanding.principal for item in state.installments) == Decimal("5000.00")
    assert state.result("prepayment").schedule_after == state.schedule


def test_a_prepayment_mid_period_first_pays_the_interest_accrued_to_its_value_date() -> None:
    may_30 = date(2024, 5, 30)
    payments = [*THREE_ON_TIME, Payment("on-time-5", Decimal("888.49"), MAY_15, 5)]
    state = allocate(
        TEXTBOOK, SCHEDULE, [*payments, prepay("2000.00", may_30, Prepayment.REDUCE_INSTALLMENT)]
    )
    # Installment 5's interest is 6798.42 x 1% = 67.98; 15 of its 30 days (30/360) have run.
    accrued = Decimal("33.99")
    principal = Decimal("2000.00") - accrued  # 1966.01
    assert state.result("prepayment").allocations == (
        Allocation(5, INTEREST, accrued),
        Allocation(5, PRINCIPAL, principal),
    )
    owed = Decimal("6798.42") - principal  # 4832.41
    level = annuity(owed, 8)
    assert level == Decimal("631.55")
    # The recast's first interest, 4832.41 x 1% = 48.32, is cut to the 15 days left: 24.16.
    fifth, sixth = state.installments[4], state.installments[5]
    assert fifth.due.interest == accrued + Decimal("24.16")
    assert fifth.outstanding.interest == Decimal("24.16")
    assert fifth.outstanding.principal == level - Decimal("48.32")
    assert sixth.outstanding.total == level
    assert state.outstanding.principal == owed


def test_a_daily_interest_prepayment_owes_interest_only_for_the_days_left() -> None:
    terms = replace(
        TEXTBOOK, interest_calculation=InterestCalculation.DAILY, day_count=DayCount.ACTUAL_365
    )
    schedule = generate_schedule(terms)
    on_time = [
        Payment(f"on-time-{i.number}", i.total, i.due_date, i.number)
        for i in schedule.installments[:4]
    ]
    owed_before = schedule.installments[3].balance_after
    state = allocate(
        terms,
        schedule,
        [*on_time, prepay("3000.00", date(2024, 5, 25), Prepayment.REDUCE_INSTALLMENT)],
    )
    # Installment 5 charges 31 days (15 May to 15 June) at 12% / 365 on the balance;
    # 10 of them have run on 25 May.
    period_interest = (owed_before * Decimal("0.12") * 31 / 365).quantize(CENT)
    assert schedule.installments[4].interest == period_interest
    accrued = (period_interest * 10 / 31).quantize(CENT)
    allocations = state.result("prepayment").allocations
    assert allocations[0] == Allocation(5, INTEREST, accrued)
    owed = owed_before - (Decimal("3000.00") - accrued)
    assert state.outstanding.principal == owed
    # the recast's first period interest (31 days) is cut to the 21 days left
    full = (owed * Decimal("0.12") * 31 / 365).quantize(CENT)
    assert state.installments[4].outstanding.interest == (full * 21 / 31).quantize(CENT)


def test_reduce_term_on_an_interest_only_loan_keeps_the_maturity() -> None:
    terms = replace(TEXTBOOK, method=Method.INTEREST_ONLY)
    schedule = generate_schedule(terms)
    interest = [Payment(f"i{m}", Decimal("100.00"), date(2024, m, 15), m) for m in (2, 3)]
    state = allocate(
        terms, schedule, [*interest, prepay("4100.00", date(2024, 4, 15), Prepayment.REDUCE_TERM)]
    )
    # 100.00 interest of April, then 4000.00 off the principal: 60.00 a month from then on.
    rows = state.schedule.installments
    assert len(rows) == 12
    assert rows[-1].principal == Decimal("6000.00")
    assert [row.interest for row in rows[4:]] == [Decimal("60.00")] * 8
    assert state.outstanding.principal == Decimal("6000.00")


def test_a_prepayment_covering_everything_closes_the_loan() -> None:
    payment = prepay("8000.00", MAY_15, Prepayment.REDUCE_TERM)
    state = allocate(TEXTBOOK, SCHEDULE, [*THREE_ON_TIME, payment])
    # 888.49 for installment 4, then 6798.42 principal (no interest has accrued on 15 May)
    result = state.result("prepayment")
    assert result.allocations[-1] == Allocation(5, PRINCIPAL, Decimal("6798.42"))
    assert result.credit == Decimal("313.09")  # 8000.00 - 888.49 - 6798.42
    assert state.is_fully_repaid
    assert len(state.schedule.installments) == 5
    assert state.schedule.installments[-1].interest == 0


def test_a_recast_of_quarterly_interest_only_keeps_its_quarters() -> None:
    terms = replace(
        TEXTBOOK, principal=Decimal("12000.00"), method=Method.INTEREST_ONLY, interest_only_every=3
    )
    schedule = generate_schedule(terms)  # 360.00 interest each quarter, principal at the end
    first_quarter = Payment("q1", Decimal("360.00"), date(2024, 4, 15), 1)
    payment = prepay("6060.00", MAY_15, Prepayment.REDUCE_INSTALLMENT)
    state = allocate(terms, schedule, [first_quarter, payment])
    # one month of the second quarter has run: 12000.00 x 1% = 120.00, then 5940.00 principal
    assert state.result("prepayment").allocations == (
        Allocation(2, INTEREST, Decimal("120.00")),
        Allocation(2, PRINCIPAL, Decimal("5940.00")),
    )
    rows = state.schedule.installments
    assert [row.due_date for row in rows] == [row.due_date for row in schedule.installments]
    # 6060.00 x 3% = 181.80 a quarter; the second quarter owes two months of it: 121.20
    assert [row.interest for row in rows] == [
        Decimal("360.00"),
        Decimal("241.20"),  # 120.00 + 121.20
        Decimal("181.80"),
        Decimal("181.80"),
    ]
    assert rows[-1].principal == Decimal("6060.00")


def test_a_recast_of_a_month_end_loan_keeps_its_month_end_dates() -> None:
    terms = replace(
        TEXTBOOK,
        start_date=date(2024, 1, 31),
        interest_calculation=InterestCalculation.DAILY,
        day_count=DayCount.ACTUAL_365,
    )
    schedule = generate_schedule(terms)  # 29 Feb, 31 Mar, 30 Apr, 31 May, ...
    on_time = [
        Payment(f"on-time-{i.number}", i.total, i.due_date, i.number)
        for i in schedule.installments[:2]
    ]
    payment = prepay("3000.00", date(2024, 4, 10), Prepayment.REDUCE_INSTALLMENT)
    state = allocate(terms, schedule, [*on_time, payment])
    assert state.result("prepayment").schedule_after is not None
    dates = [row.due_date for row in state.schedule.installments]
    assert dates == [row.due_date for row in schedule.installments]
    assert dates[3:5] == [date(2024, 5, 31), date(2024, 6, 30)]
    # and the recast's daily interest is counted on those dates (31 days to 31 May, ...)
    rows = state.schedule.installments
    for previous, row in pairwise(rows[2:]):
        days = (row.due_date - previous.due_date).days
        assert row.interest == (previous.balance_after * Decimal("0.12") * days / 365).quantize(
            CENT
        )
