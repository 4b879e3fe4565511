"""Risk-based pricing: base rate + grade spread + term premium, clamped.

  rate = base_rate + spread(grade) + term_premium x (years of term - 1, at least 0)

The years of term are exact (18 months is 1.5 years, so 0.5 years of premium). The
sum is clamped to the product's rate range, then to the legal ceiling: the law wins
over a product whose minimum is above it. Every component is kept for the record.
"""

from __future__ import annotations

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
    clamped_by: str | None  # product_min | product_max | legal_ceiling


def price(
    policy: CreditPolicy,
    grade: str,
    term: int,
    frequency: str,
    product_min: Decimal,
    product_max: Decimal,
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
    )
