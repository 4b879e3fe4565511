"""The all-in annual rate of a loan: the internal rate of return of the borrower's cash.

The cash flows are what the borrower really receives on the disbursement date, against
every scheduled payment of principal, interest and fees on its due date. Two figures:

- `apr`: the periodic IRR x periods per year, the simple annualisation Chinese lenders
  quote (PBOC Announcement No. 3 of 2021 allows it when labelled simple). A fee-free
  12% annuity shows exactly 12.00.
- `effective_annual_rate`: (1 + periodic IRR) ^ periods per year - 1.

When every payment falls a whole number of periods after the disbursement, on the
dates `due_dates` gives for the frequency, the periodic IRR is solved on period counts.
Otherwise (an odd first period, dates moved by hand) it is solved on actual days over a
365-day year (XIRR) and turned into a periodic rate: (1 + annual) ^ (1 / periods) - 1.

Both are solved in `Decimal` by Newton's method on the discount factor, bracketed by
bisection, to far inside 0.01 percentage points (from a first guess that spreads the
cost of credit over the mean term), and quoted as percentages with 2 decimals, half up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from domain.schedule.dates import on_due_dates
from domain.schedule.terms import PERIODS_PER_YEAR, Frequency, ScheduleError

ONE = Decimal(1)
HUNDRED = Decimal(100)
QUOTED = Decimal("0.01")
TOLERANCE = Decimal("1E-14")  # on the discount factor: ~1e-11 percentage points a year
MAX_STEPS = 200
# Digits carried: 360 payments of Horner lose far fewer than the 14 the tolerance needs.
PRECISION = 28
DAYS_A_YEAR = Decimal(365)
START = Decimal("0.99")  # the discount factor Newton starts from, failing a better guess


@dataclass(frozen=True, slots=True)
class AnnualRates:
    """Percentages with 2 decimals: 12.00 means 12% a year."""

    apr: Decimal
    effective_annual_rate: Decimal


def annual_rates(
    received: Decimal,
    start: date,
    payments: Sequence[tuple[date, Decimal]],
    frequency: Frequency,
) -> AnnualRates:
    """The APR and effective annual rate of receiving `received` on `start` and paying
    each (due date, amount) of `payments`."""
    if received <= 0:
        raise ScheduleError("received", "the borrower must receive a positive amount")
    if not payments or any(amount < 0 for _, amount in payments):
        raise ScheduleError("payments", "must be at least one, none negative")
    if sum((amount for _, amount in payments), Decimal(0)) <= 0:
        raise ScheduleError("payments", "must repay something")
    periods = PERIODS_PER_YEAR[frequency]
    with localcontext() as context:
        context.prec = PRECISION
        if on_due_dates(start, frequency, (day for day, _ in payments)):
            periodic = _periodic_irr([-received, *(amount for _, amount in payments)])
        else:
            annual = _xirr(received, start, payments)
            periodic = _root(ONE + annual, periods) - ONE
        apr = periodic * periods
        effective = (ONE + periodic) ** periods - ONE
        return AnnualRates(_percent(apr), _percent(effective))


def _percent(rate: Decimal) -> Decimal:
    return (rate * HUNDRED).quantize(QUOTED, rounding=ROUND_HALF_UP)


def _periodic_irr(flows: Sequence[Decimal]) -> Decimal:
    """r with Σ flows[i] / (1 + r)^i = 0, flows[0] the (negative) amount received."""

    # In x = 1 / (1 + r) the value is a polynomial; Horner gives it and its slope at once.
    def value_and_slope(x: Decimal) -> tuple[Decimal, Decimal]:
        value, slope = Decimal(0), Decimal(0)
        for flow in reversed(flows):
            slope = slope * x + value
            value = value * x + flow
        return value, slope

    return ONE / _solve(value_and_slope, _first_guess(flows)) - ONE


def _first_guess(flows: Sequence[Decimal]) -> Decimal:
    """A discount factor near the root, from the rate that spreads the cost of credit
    evenly over the payments' mean term (2C / (P(n + 1)), exact for a flat loan's
    average balance): Newton then needs a few steps fewer than from a fixed start."""
    received, payments = -flows[0], len(flows) - 1
    cost = sum(flows[1:], Decimal(0)) - received
    rate = 2 * cost / (received * (payments + 1))
    return ONE / (ONE + rate) if rate > -ONE / 2 else START


def _xirr(received: Decimal, start: date, payments: Sequence[tuple[date, Decimal]]) -> Decimal:
    """The annual rate a with Σ amount / (1 + a)^(days / 365) = received."""
    years = [Decimal((day - start).days) / DAYS_A_YEAR for day, _ in payments]
    amounts = [amount for _, amount in payments]

    def value_and_slope(x: Decimal) -> tuple[Decimal, Decimal]:
        # x = 1 / (1 + a); each payment is worth amount · x^t.
        value, slope = -received, Decimal(0)
        for t, amount in zip(years, amounts, strict=True):
            worth = amount * x**t
            value += worth
            slope += worth * t / x
        return value, slope

    return ONE / _solve(value_and_slope) - ONE


Valuation = Callable[[Decimal], tuple[Decimal, Decimal]]


def _solve(value_and_slope: Valuation, x: Decimal | None = None) -> Decimal:
    """The discount factor x > 0 at which the value is 0.

    The value rises with x (later payments are worth more as x grows), so a root is
    bracketed between a tiny x (a rate near infinity) and a large one (a rate near
    -100%); Newton's steps that leave the bracket are replaced by bisection.
    """
    low, high = Decimal("1E-9"), Decimal(1000)
    x = START if x is None or not low < x < high else x
    for _ in range(MAX_STEPS):
        value, slope = value_and_slope(x)
        if value == 0:
            return x
        if value > 0:
            high = x
        else:
            low = x
        step = value / slope if slope else Decimal(0)
        guess = x - step
        if not low < guess < high or slope == 0:
            guess = (low + high) / 2
        if abs(guess - x) < TOLERANCE:
            return guess
        x = guess
    raise ScheduleError("payments", "no rate of return found for these cash flows")


def _root(value: Decimal, n: int) -> Decimal:
    """The positive n-th root of `value`."""
    return value ** (ONE / Decimal(n))
