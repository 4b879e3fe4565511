"""A daily-interest annuity is level: the payment is solved under the days charged."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.schedule import (
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    Rounding,
    Schedule,
    ScheduleTerms,
    accrual_days,
    generate_schedule,
    year_days,
)

MORTGAGE = ScheduleTerms(
    principal=Decimal("1000000.00"),
    annual_rate_percent=Decimal("6"),
    term=360,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=date(2024, 1, 15),
    day_count=DayCount.ACTUAL_360,
    interest_calculation=InterestCalculation.DAILY,
)


def growth(terms: ScheduleTerms, schedule: Schedule) -> Fraction:
    """How much a unit too little paid each period grows to by the end, exactly."""
    rates, previous = [], terms.start_date
    for item in schedule.installments:
        days = accrual_days(previous, item.due_date, terms.day_count)
        rates.append(Fraction(terms.annual_rate_percent) * days / 100 / year_days(terms.day_count))
        previous = item.due_date
    total, factor = Fraction(0), Fraction(1)
    for rate in reversed(rates[terms.grace_periods :]):
        total += factor
        factor *= 1 + rate
    return total


def level_and_last(schedule: Schedule) -> tuple[Decimal, Decimal]:
    totals = {item.total for item in schedule.installments[:-1]}
    assert len(totals) <= 1, "every installment but the last is the same"
    last = schedule.installments[-1].total
    return (totals.pop() if totals else last), last


def test_a_thirty_year_actual_360_annuity_stays_level_to_the_end() -> None:
    # With the nominal 6%/12 payment of 5,995.51, actual/360 days charge more than the
    # payment assumes and the last installment was 63,261.72.
    level, last = level_and_last(generate_schedule(MORTGAGE))
    # 1,000,000 / sum of the discount factors of each month's actual days at 6%/360
    # = 6,051.5638 (worked with fractions), so 6,051.56 a month
    assert level == Decimal("6051.56")
    assert abs(Fraction(last - level)) < Fraction(1, 100) * growth(
        MORTGAGE, generate_schedule(MORTGAGE)
    )


def test_a_high_rate_daily_annuity_repays_principal_every_period() -> None:
    terms = replace(
        MORTGAGE, principal=Decimal("100000.00"), annual_rate_percent=Decimal("36"), term=120
    )
    schedule = generate_schedule(terms)
    # The nominal payment left three installments repaying no principal and a last of 48,787.79.
    assert all(item.principal > 0 for item in schedule.installments)
    level, last = level_and_last(schedule)
    assert abs(last - level) < 5


def test_a_whole_yuan_daily_annuity_rounds_the_solved_payment() -> None:
    terms = replace(MORTGAGE, term=120, installment_multiple=Decimal("1"))
    schedule = generate_schedule(terms)
    level, last = level_and_last(schedule)
    assert level % 1 == 0
    assert abs(last - level) <= growth(terms, schedule)  # one yuan a period, compounded


@st.composite
def daily_annuities(draw: st.DrawFn) -> ScheduleTerms:
    minor_unit = draw(st.sampled_from([2, 0]))
    term = draw(st.integers(2, 120))
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)))
    return ScheduleTerms(
        principal=Decimal(draw(st.integers(10**4, 10**10))).scaleb(-minor_unit),
        annual_rate_percent=Decimal(draw(st.integers(1, 360_000))).scaleb(-4),
        term=term,
        frequency=draw(st.sampled_from(Frequency)),
        method=Method.EQUAL_INSTALLMENTS,
        start_date=start,
        grace_periods=draw(st.integers(0, term // 4)),
        day_count=draw(st.sampled_from(DayCount)),
        interest_calculation=InterestCalculation.DAILY,
        rounding=draw(st.sampled_from(Rounding)),
        installment_multiple=draw(st.sampled_from([None, Decimal("1"), Decimal("10")])),
        minor_unit=minor_unit,
    )


@settings(max_examples=150, deadline=None)
@given(daily_annuities())
def test_only_rounding_reaches_the_last_installment(terms: ScheduleTerms) -> None:
    """The last installment differs from the level one by no more than what rounding the
    level payment (to the unit or the multiple) and each period's interest can grow to:
    one rounding step a period, compounded over the rest of the term."""
    schedule = generate_schedule(terms)
    unit = Fraction(1, 10**terms.minor_unit)
    step = Fraction(terms.installment_multiple or 0) + unit
    items = schedule.installments[terms.grace_periods :]
    if any(item.balance_after == 0 for item in items[:-1]):
        return  # the level payment rounded up to the multiple settles the loan early
    if items[0].principal == 0:
        return  # a multiple above twice the payment rounds it to nothing (interest only)
    level = items[0].total
    assert all(item.total == level for item in items[:-1])
    if any(Fraction(item.principal) <= step < item.interest for item in items[:-1]):
        # Some period's interest came within a step of the payment: where no level payment
        # amortises exactly, it is the least covering every period's interest, and the
        # last installment comes out smaller instead (never larger than the bound).
        bound = step * growth(terms, schedule)
        assert items[-1].total <= level or Fraction(items[-1].total - level) <= bound
        return
    assert abs(Fraction(items[-1].total - level)) <= step * growth(terms, schedule)
