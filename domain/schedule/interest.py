"""Unrounded rate arithmetic: the per-period rate, the level payment, each period's rate.

Call these inside `localcontext(CALCULATION_CONTEXT)` so the 34-digit precision applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from domain.schedule.dates import due_dates, period_before
from domain.schedule.daycount import accrual_days, year_days
from domain.schedule.terms import (
    PERIODS_PER_YEAR,
    Frequency,
    InterestCalculation,
    OddPeriodInterest,
    ScheduleTerms,
)

_HUNDRED = Decimal(100)


def periodic_rate(annual_rate_percent: Decimal, frequency: Frequency) -> Decimal:
    """The rate of one period: annual / periods per year, as a fraction (12% monthly: 0.01)."""
    return annual_rate_percent / (_HUNDRED * PERIODS_PER_YEAR[frequency])


def level_payment(principal: Decimal, rate: Decimal, periods: int) -> Decimal:
    """The annuity payment P*r / (1 - (1+r)^-n), unrounded; P/n when the rate is zero."""
    if rate == 0:
        return principal / periods
    return principal * rate / (1 - (1 + rate) ** -periods)


class PeriodRates(NamedTuple):
    """Each installment's rate as `numerators[i] / denominator`.

    Interest is `balance * numerator / denominator` with a single division, so a product
    that lands exactly on half a minor unit stays exact and rounds by the chosen mode;
    a pre-divided rate such as 0.12/360 would already be rounded at the 34th digit.
    """

    numerators: list[Decimal]
    denominator: int


def period_rates(terms: ScheduleTerms, ends: Sequence[date], periods: Sequence[int]) -> PeriodRates:
    """The rate to apply to the balance for each installment.

    `ends` are the installments' due dates and `periods` how many schedule periods each
    one covers (more than one when interest is paid less often than the frequency).
    Per-period interest ignores dates but for an odd first period (a `first_due_date`
    that is not one period after the start): `whole_period` charges it one period,
    `by_days` its days over the days of the ordinary period ending on that date. Daily
    interest counts the days of each span from the previous due date (or the start).
    """
    annual = terms.annual_rate_percent
    if terms.interest_calculation == InterestCalculation.PER_PERIOD:
        return _per_period_rates(terms, periods)
    numerators = []
    previous = terms.start_date
    for end in ends:
        numerators.append(annual * accrual_days(previous, end, terms.day_count))
        previous = end
    return PeriodRates(numerators, 100 * year_days(terms.day_count))


def annuity_factors(rates: PeriodRates) -> tuple[Decimal, Decimal]:
    """The present value and the future value of paying 1 at the end of each period.

    With a different rate each period (daily interest) the level payment that repays
    `principal` exactly is `principal / present`; paying `d` too little each period
    leaves `d * future` unpaid at the end.
    """
    numerators, denominator = rates
    present, discount = Decimal(0), Decimal(1)
    for numerator in numerators:
        discount = discount * denominator / (denominator + numerator)
        present += discount
    future, factor = Decimal(0), Decimal(1)
    for numerator in reversed(numerators):
        future += factor
        factor = factor * (denominator + numerator) / denominator
    return present, future


def _per_period_rates(terms: ScheduleTerms, periods: Sequence[int]) -> PeriodRates:
    annual, denominator = terms.annual_rate_percent, 100 * PERIODS_PER_YEAR[terms.frequency]
    numerators = [annual * count for count in periods]
    first = terms.first_due_date
    if first is None or terms.odd_period_interest == OddPeriodInterest.WHOLE_PERIOD:
        return PeriodRates(numerators, denominator)
    before = period_before(first, terms.frequency)
    regular = due_dates(terms.start_date, terms.frequency, 1)[0]
    if terms.start_date == before or first == regular:
        return PeriodRates(numerators, denominator)  # one ordinary period after all
    ordinary = accrual_days(before, first, terms.day_count)
    odd = accrual_days(terms.start_date, first, terms.day_count)
    if ordinary <= 0 or odd == ordinary:
        return PeriodRates(numerators, denominator)
    # One denominator for every row keeps each interest a single exact division.
    numerators = [n * ordinary for n in numerators]
    numerators[0] = annual * ((periods[0] - 1) * ordinary + odd)
    return PeriodRates(numerators, denominator * ordinary)
