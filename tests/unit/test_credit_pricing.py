"""Risk-based pricing: base + grade spread + term premium, clamped by product and law."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.credit import CreditPolicy
from domain.credit.pricing import price

D = Decimal
POLICY = CreditPolicy(base_rate_percent=D("3.0"), term_premium_percent=D("0.5"))


def test_the_rate_adds_base_spread_and_premium_for_years_beyond_the_first() -> None:
    # 3.0 base + 5.0 for grade C + 0.5 for the second year.
    priced = price(POLICY, "C", 24, "monthly", D(6), D("18.5"))
    assert (priced.grade_spread_percent, priced.term_years) == (D("5.0"), D(2))
    assert (priced.term_premium_percent, priced.unclamped_percent) == (D("0.5"), D("8.5"))
    assert (priced.rate_percent, priced.clamped_by) == (D("8.5"), None)


def test_part_years_earn_part_of_the_premium_and_the_first_year_none() -> None:
    assert price(POLICY, "B", 18, "monthly", D(0), D(30)).term_premium_percent == D("0.25")
    assert price(POLICY, "B", 12, "monthly", D(0), D(30)).term_premium_percent == D(0)
    assert price(POLICY, "B", 26, "weekly", D(0), D(30)).term_premium_percent == D(0)
    # Eight quarters are two years.
    assert price(POLICY, "B", 8, "quarterly", D(0), D(30)).rate_percent == D("6.5")


def test_the_product_range_clamps_the_rate() -> None:
    low = price(POLICY, "A", 12, "monthly", D(6), D("18.5"))  # 3.0 + 1.5 = 4.5
    assert (low.unclamped_percent, low.rate_percent, low.clamped_by) == (
        D("4.5"), D(6), "product_min",
    )  # fmt: skip
    high = price(POLICY, "E", 12, "monthly", D(6), D(12))  # 3.0 + 12.0 = 15.0
    assert (high.rate_percent, high.clamped_by) == (D(12), "product_max")


def test_the_legal_ceiling_wins_over_the_product() -> None:
    policy = CreditPolicy(base_rate_percent=D(15), legal_ceiling_percent=D(24))
    capped = price(policy, "E", 36, "monthly", D(6), D(36))  # 15 + 12 + 1.0 = 28
    assert (capped.unclamped_percent, capped.rate_percent) == (D("28.0"), D(24))
    assert (capped.clamped_by, capped.legal_ceiling_percent) == ("legal_ceiling", D(24))
    # Even a product whose minimum is above the ceiling.
    above = price(policy, "A", 12, "monthly", D(30), D(36))
    assert (above.rate_percent, above.clamped_by) == (D(24), "legal_ceiling")


def test_a_policy_must_price_and_scale_every_grade() -> None:
    with pytest.raises(ValidationError):
        CreditPolicy(grade_spread_percent={"A": D(1)})
    with pytest.raises(ValidationError):
        CreditPolicy(grade_limit_scale={g: D("1.5") for g in "ABCDE"})
    custom = CreditPolicy.model_validate_json('{"grade_limit_scale": {"A": "1", "B": "1", '
                                              '"C": "0.5", "D": "0.25", "E": "0"}}')  # fmt: skip
    assert custom.scale_for("C") == D("0.5")
