"""Money invariants that hold for any valid terms."""

import math
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.schedule import (
    PERIODS_PER_YEAR,
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    OddPeriodInterest,
    Rounding,
    ScheduleTerms,
    generate_schedule,
    has_level_installment,
)

MULTIPLES = [None, Decimal("1"), Decimal("10"), Decimal("100"), Decimal("0.50"), Decimal("0.01")]


@st.composite
def schedule_terms(draw: st.DrawFn, methods: list[Method] | None = None) -> ScheduleTerms:
    minor_unit = draw(st.sampled_from([2, 2, 0, 3]))
    units = draw(st.integers(min_value=1, max_value=10**9))
    term = draw(st.one_of(st.integers(1, 60), st.sampled_from([120, 360])))
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)))
    first_due_date = draw(
        st.none() | st.integers(1, 70).map(lambda days: start + timedelta(days=days))
    )
    method = draw(st.sampled_from(methods or list(Method)))
    calculation = draw(st.sampled_from(InterestCalculation))
    multiple = draw(st.sampled_from(MULTIPLES))
    if not has_level_installment(method, calculation):
        multiple = None  # refused: only a level installment is rounded to a multiple
    if multiple is not None and multiple != multiple.to_integral_value() and minor_unit == 0:
        multiple = Decimal("1")
    return ScheduleTerms(
        principal=Decimal(units).scaleb(-minor_unit),
        annual_rate_percent=Decimal(draw(st.integers(0, 480_000))).scaleb(-4),
        term=term,
        frequency=draw(st.sampled_from(Frequency)),
        method=method,
        start_date=start,
        first_due_date=first_due_date,
        grace_periods=draw(st.integers(0, term - 1)),
        day_count=draw(st.sampled_from(DayCount)),
        interest_calculation=calculation,
        rounding=draw(st.sampled_from(Rounding)),
        installment_multiple=multiple,
        minor_unit=minor_unit,
        interest_only_every=draw(st.integers(1, 4)),
        odd_period_interest=draw(st.sampled_from(OddPeriodInterest)),
    )


@settings(max_examples=300, deadline=None)
@given(schedule_terms())
def test_money_invariants(terms: ScheduleTerms) -> None:
    schedule = generate_schedule(terms)
    items = schedule.installments
    exponent = -terms.minor_unit

    assert schedule.total_principal == terms.principal
    assert items[-1].balance_after == 0
    assert [item.number for item in items] == list(range(1, len(items) + 1))
    balance = terms.principal
    previous_date = terms.start_date
    for item in items:
        amounts = (item.principal, item.interest, item.fee, item.total, item.balance_after)
        assert all(amount >= 0 for amount in amounts)
        assert all(amount.as_tuple().exponent == exponent for amount in amounts)
        assert item.total == item.principal + item.interest + item.fee
        assert item.balance_after == balance - item.principal
        assert item.balance_after <= balance
        assert item.due_date > previous_date
        balance, previous_date = item.balance_after, item.due_date
    assert schedule.total_payable == schedule.total_principal + schedule.total_interest


@settings(max_examples=200, deadline=None)
@given(schedule_terms())
def test_installment_count_follows_the_method(terms: ScheduleTerms) -> None:
    count = len(generate_schedule(terms).installments)
    if terms.method == Method.BULLET:
        assert count == 1
    elif terms.method == Method.INTEREST_ONLY:
        assert count == math.ceil(terms.term / terms.interest_only_every)
    else:
        assert count == terms.term


def exact_round(value: Fraction, terms: ScheduleTerms) -> Decimal:
    """Round an exact fraction to the minor unit using integers only."""
    scaled = value * 10**terms.minor_unit
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    twice, denominator = 2 * rest, scaled.denominator
    if terms.rounding == Rounding.DOWN or twice < denominator:
        rounded = whole
    elif twice > denominator or terms.rounding == Rounding.HALF_UP or whole % 2:
        rounded = whole + 1
    else:
        rounded = whole
    return Decimal(rounded).scaleb(-terms.minor_unit)


@settings(max_examples=200, deadline=None)
@given(schedule_terms(methods=[Method.EQUAL_INSTALLMENTS, Method.EQUAL_PRINCIPAL]))
def test_interest_is_the_rounded_exact_accrual_on_the_balance(terms: ScheduleTerms) -> None:
    # An odd first period charged by its days is worked by hand in test_schedule_odd_period.
    terms = replace(terms, odd_period_interest=OddPeriodInterest.WHOLE_PERIOD)
    rate = Fraction(terms.annual_rate_percent) / 100
    balance, previous = terms.principal, terms.start_date
    for item in generate_schedule(terms).installments:
        if terms.interest_calculation == InterestCalculation.PER_PERIOD:
            accrual = Fraction(balance) * rate / PERIODS_PER_YEAR[terms.frequency]
        elif terms.day_count == DayCount.THIRTY_360:
            continue  # worked by hand in test_schedule_daycount
        else:
            year = 365 if terms.day_count == DayCount.ACTUAL_365 else 360
            accrual = Fraction(balance) * rate * (item.due_date - previous).days / year
        assert item.interest == exact_round(accrual, terms)
        balance, previous = item.balance_after, item.due_date


@settings(max_examples=100, deadline=None)
@given(schedule_terms(methods=[Method.FLAT]))
def test_flat_total_interest_is_simple_interest_on_the_original_principal(
    terms: ScheduleTerms,
) -> None:
    # Quoted on the term under per-period interest; daily interest counts each period's days.
    terms = replace(terms, interest_calculation=InterestCalculation.PER_PERIOD)
    simple = (
        Fraction(terms.principal)
        * Fraction(terms.annual_rate_percent)
        / 100
        * terms.term
        / PERIODS_PER_YEAR[terms.frequency]
    )
    assert generate_schedule(terms).total_interest == exact_round(simple, terms)
