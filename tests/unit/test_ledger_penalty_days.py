"""30/360 penalty days do not depend on where month ends and payments split them.

12,000.00 repaid in one bullet due 1 April 2026, no interest; penalty 36% a year on
30/360, i.e. 12.00 a day on the whole principal.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ledger import Payment, PenaltyRateBasis, PenaltyTerms, allocate, payoff_amount
from domain.schedule import (
    DayCount,
    Frequency,
    Method,
    ScheduleTerms,
    accrual_days,
    generate_schedule,
    penalty_days,
)

BULLET = ScheduleTerms(
    principal=Decimal("12000.00"),
    annual_rate_percent=Decimal("0"),
    term=1,
    frequency=Frequency.MONTHLY,
    method=Method.BULLET,
    start_date=date(2026, 3, 1),
)
SCHEDULE = generate_schedule(BULLET)
PENALTY = PenaltyTerms(Decimal("36"), Decimal("0"), 0, DayCount.THIRTY_360)


def quote(on: date, *payments: Payment, terms: ScheduleTerms = BULLET) -> Decimal:
    schedule = generate_schedule(terms)
    return payoff_amount(terms, schedule, payments, on=on, penalties=PENALTY)


def test_a_quote_on_31_may_counts_60_days_across_the_april_month_end() -> None:
    # 1 April to 31 May is 60 days on 30/360; split at 30 April it was 29 + 30 = 59.
    assert SCHEDULE.installments[0].due_date == date(2026, 4, 1)
    assert quote(date(2026, 5, 31)) == Decimal("12720.00")


def test_after_a_partial_payment_the_days_to_the_quote_are_the_intervals_own() -> None:
    # Penalty to 25 October: 204 days, 2,448.00; paying it and 6,000.00 of principal
    # leaves 6,000.00, which earns 6.00 a day for the 8 days to 3 November (the split at
    # 31 October made it 6 + 3 = 9).
    paid = Payment("part", Decimal("8448.00"), date(2026, 10, 25), 1)
    state = allocate(BULLET, SCHEDULE, [paid], penalties=PENALTY, until=date(2026, 10, 25))
    assert state.outstanding.principal == Decimal("6000.00")
    assert quote(date(2026, 11, 3), paid) == Decimal("6048.00")


def test_days_counted_from_an_origin_add_up_over_any_split() -> None:
    origin = date(2026, 4, 1)
    assert penalty_days(origin, origin, date(2026, 5, 31), DayCount.THIRTY_360) == 60
    splits = [date(2026, 4, 30), date(2026, 5, 30)]
    ends = [origin, *splits, date(2026, 5, 31)]
    parts = [penalty_days(origin, a, b, DayCount.THIRTY_360) for a, b in pairwise(ends)]
    assert sum(parts) == 60


dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(DayCount),
    dates,
    st.lists(st.integers(0, 800), min_size=1, max_size=8),
)
def test_segment_days_sum_to_the_whole_intervals(
    day_count: DayCount, origin: date, offsets: list[int]
) -> None:
    points = sorted(origin + timedelta(days=offset) for offset in offsets)
    ends = [origin, *points]
    parts = [penalty_days(origin, a, b, day_count) for a, b in pairwise(ends)]
    assert sum(parts) == accrual_days(origin, points[-1], day_count)
    assert all(part >= 0 for part in parts)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(100, 10**9),
    st.integers(1, 500_000),
    dates,
    st.integers(1, 900),
)
def test_crystallised_penalty_is_the_whole_intervals_accrual(
    units: int, rate: int, start: date, late: int
) -> None:
    """Charged at every month end and at the quote, rounded each time with the remainder
    carried: the total is the exact accrual over the whole interval to within one minor
    unit per crystallisation."""
    terms = ScheduleTerms(
        principal=Decimal(units).scaleb(-2),
        annual_rate_percent=Decimal(0),
        term=1,
        frequency=Frequency.MONTHLY,
        method=Method.BULLET,
        start_date=start,
    )
    due = generate_schedule(terms).installments[0].due_date
    on = due + timedelta(days=late)
    penalty = PenaltyTerms(Decimal(rate).scaleb(-4), Decimal(0), 0, DayCount.THIRTY_360)
    schedule = generate_schedule(terms)
    total = payoff_amount(terms, schedule, [], on=on, penalties=penalty) - terms.principal
    days = accrual_days(due, on, DayCount.THIRTY_360)
    exact = Fraction(terms.principal) * Fraction(penalty.annual_rate_percent) / 100 * days / 360
    month_ends = (on.year - due.year) * 12 + on.month - due.month + 1
    assert abs(Fraction(total) - exact) <= Fraction(month_ends + 1, 100)


DAILY_RATE = PenaltyTerms(
    Decimal("0.05"), Decimal("0"), 0, DayCount.THIRTY_360, PenaltyRateBasis.DAILY
)


def test_a_daily_penalty_rate_earns_its_rate_each_calendar_day() -> None:
    # 罚息 0.05% a day: 6.00 a day on 12,000.00, for the 60 days 1 April to 31 May
    on = date(2026, 5, 31)
    assert payoff_amount(BULLET, SCHEDULE, [], on=on, penalties=DAILY_RATE) == Decimal("12360.00")


def test_a_daily_penalty_rate_counts_calendar_days_not_30_360_days() -> None:
    terms = replace(BULLET, start_date=date(2026, 1, 1))  # due 1 February
    schedule = generate_schedule(terms)
    on = date(2026, 3, 1)  # 28 calendar days; 30 on 30/360
    assert payoff_amount(terms, schedule, [], on=on, penalties=DAILY_RATE) == Decimal("12168.00")
    annual = payoff_amount(terms, schedule, [], on=on, penalties=PENALTY)
    assert annual == Decimal("12360.00")  # 36% / 360 x 30 days


def test_penalty_terms_stored_without_a_basis_are_annual() -> None:
    assert PENALTY.rate_basis == PenaltyRateBasis.ANNUAL
