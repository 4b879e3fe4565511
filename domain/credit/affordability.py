"""What a loan costs the borrower each month, and the most the income can carry.

A loan's monthly installment is the heaviest installment of its schedule (the last
aside: it only absorbs rounding), scaled from its frequency to a month (a weekly 300
is 1,300 a month). Loans that repay the
principal at maturity (interest-only, bullet) spread the whole amount payable evenly
over the term's periods instead: the borrower must set the balloon aside as the term
runs.

Debt-to-income compares the requested loan's monthly installment plus those of the
borrower's active loans with the declared monthly income.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from domain.loan import LoanRequest
from domain.loan.records import contract_terms
from domain.money import quantize
from domain.schedule import PERIODS_PER_YEAR, Frequency, Method, Schedule, generate_schedule
from domain.schedule.terms import MAX_PRINCIPAL

PRINCIPAL_AT_MATURITY = (Method.INTEREST_ONLY, Method.BULLET)
RATIO_PLACES = 4


def monthly_installment(
    schedule: Schedule, term: int, frequency: str, method: str, places: int
) -> Decimal:
    """`term` counts periods: a bullet loan over 12 months has one installment, 12 periods."""
    items = schedule.installments
    if Method(method) in PRINCIPAL_AT_MATURITY:
        per_period = schedule.total_payable / term
    else:
        # The last installment only absorbs rounding, a few cents either way.
        per_period = max(item.total for item in items[:-1] or items)
    per_month = per_period * PERIODS_PER_YEAR[Frequency(frequency)] / 12
    return quantize(per_month, places, "half_up")


def requested_installment(application: LoanRequest, principal: Decimal, start: date) -> Decimal:
    """The monthly installment of the application's terms for `principal`, from `start`."""
    terms = contract_terms(
        application, principal, application.annual_rate_percent, application.term, start
    )
    return monthly_installment(
        generate_schedule(terms),
        terms.term,
        application.frequency,
        application.method,
        application.minor_unit,
    )


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part / whole` to 4 places; None when `whole` is zero (nothing to compare with)."""
    if whole <= 0:
        return None
    return (part / whole).quantize(Decimal(1).scaleb(-RATIO_PLACES))


def allowance(monthly_income: Decimal, existing: Decimal, max_percent: Decimal) -> Decimal:
    """What the income leaves for a new installment under the debt-to-income cap."""
    return monthly_income * max_percent / 100 - existing


def largest_affordable(
    installment_of: Callable[[Decimal], Decimal], room: Decimal, term: int, frequency: str
) -> Decimal:
    """The largest whole-unit principal whose monthly installment fits in `room`.

    An exact search: installments never fall as the principal rises, so bisecting
    over whole currency units finds the boundary in about log2(ceiling) schedules.
    Every method repays at least principal / term each period, so no principal above
    room x 12 x term / periods-per-year can fit: that bounds the search.
    """
    if room <= 0:
        return Decimal(0)
    ceiling = room * 12 * term / PERIODS_PER_YEAR[Frequency(frequency)]
    low, high = 0, int(min(ceiling, MAX_PRINCIPAL))
    while low < high:
        middle = (low + high + 1) // 2
        if installment_of(Decimal(middle)) <= room:
            low = middle
        else:
            high = middle - 1
    return Decimal(low)
