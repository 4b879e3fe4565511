"""The scorecard's inputs for one application, and what the scorecard answered."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from domain.model import Immutable
from domain.schedule import PERIODS_PER_YEAR, Frequency


class Features(Immutable):
    """The expert model's features; None is a missing value the model has a bin for."""

    age: int | None
    monthly_income: Decimal
    debt_to_income: Decimal | None
    loan_to_annual_income: Decimal | None
    term_months: int
    borrower_kind: str
    prior_loans: int  # loans repaid
    prior_max_dpd: int


class Score(Immutable):
    """What the scorecard answered for `features`, under model `model_version`."""

    features: Features
    model_version: int
    pd: Decimal
    score: int
    grade: str
    reasons: tuple[str, ...]


def term_months(term: int, frequency: str) -> int:
    """The term in whole months (26 fortnights is 12), at least one."""
    months = Decimal(term * 12) / PERIODS_PER_YEAR[Frequency(frequency)]
    return max(1, int(months.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
