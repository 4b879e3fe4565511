"""Risk-based pricing: base rate + grade spread + term premium, clamped.

  rate = base_rate + spread(grade) + term_premium x (years of term - 1, at least 0)

The years of term are exact (18 months is 1.5 years, so 0.5 years of premium). The
sum is clamped to the product's rate range, then to the legal ceiling: the law wins
over a product whose minimum is above it. Every component is kept for the record.

The ceiling caps the all-in rate too. Given the loan's APR at a rate (`apr_at`: the
product's fees included), the price records it (`apr_percent`), and where it is above
the ceiling the rate is lowered, by bisection on steps of RATE_UNIT, to the highest
whose APR is within it (`clamped_by` "legal_ceiling_apr"). Fees that alone break the
ceiling leave the rate at 0 and the APR above it, on the record for the decision.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from domain.credit.policy import CreditPolicy
from domain.model import Immutable
from domain.schedule import PERIODS_PER_YEAR, Frequency

RATE_UNIT = Decimal("0.0001")  # products accept rates with at most 4 decimal places


class Pricing(Immutable):
    base_rate_percent: Decimal
    grade: str
    grade_spread_percent: Decimal
    term_years: Decimal
    term_premium_per_year_percent: Decimal
    term_premium_percent: Decimal
    unclamped_percent: Decimal
    product_min_percent: Decimal
    product_max_percent: Decimal
    legal_ceiling_percent: Decimal
    rate_percent: Decimal
    clamped_by: str | None  # product_min | product_max | legal_ceiling | legal_ceiling_apr
    # The APR at rate_percent, fees included; None in assessments priced before it was.
    apr_percent: Decimal | None = None


def price(
    policy: CreditPolicy,
    grade: str,
    term: int,
    frequency: str,
    product_min: Decimal,
    product_max: Decimal,
    apr_at: Callable[[Decimal], Decimal] | None = None,
) -> Pricing:
    years = (Decimal(term) / PERIODS_PER_YEAR[Frequency(frequency)]).quantize(RATE_UNIT)
    premium = (policy.term_premium_percent * max(Decimal(0), years - 1)).quantize(RATE_UNIT)
    spread = policy.spread_for(grade)
    unclamped = policy.base_rate_percent + spread + premium
    rate, clamped_by = unclamped, None
    if rate < product_min:
        rate, clamped_by = product_min, "product_min"
    elif rate > product_max:
        rate, clamped_by = product_max, "product_max"
    if rate > policy.legal_ceiling_percent:
        rate, clamped_by = policy.legal_ceiling_percent, "legal_ceiling"
    apr = None
    if apr_at is not None:
        apr = apr_at(rate)
        if apr > policy.legal_ceiling_percent:
            rate = highest_rate_within(apr_at, rate, policy.legal_ceiling_percent)
            apr, clamped_by = apr_at(rate), "legal_ceiling_apr"
    return Pricing(
        base_rate_percent=policy.base_rate_percent,
        grade=grade,
        grade_spread_percent=spread,
        term_years=years,
        term_premium_per_year_percent=policy.term_premium_percent,
        term_premium_percent=premium,
        unclamped_percent=unclamped,
        product_min_percent=product_min,
        product_max_percent=product_max,
        legal_ceiling_percent=policy.legal_ceiling_percent,
        rate_percent=rate,
        clamped_by=clamped_by,
        apr_percent=apr,
    )


def highest_rate_within(
    apr_at: Callable[[Decimal], Decimal], above: Decimal, ceiling: Decimal
) -> Decimal:
    """The highest rate, in steps of RATE_UNIT below `above` (whose APR is over
    `ceiling`), whose APR is within `ceiling`; 0 if none is. The APR rises with the rate."""
    low, high = 0, int(above / RATE_UNIT)
    if apr_at(Decimal(0)) > ceiling:
        return Decimal(0)
    while high - low > 1:
        middle = (low + high) // 2
        if apr_at(middle * RATE_UNIT) <= ceiling:
            low = middle
        else:
            high = middle
    return low * RATE_UNIT
