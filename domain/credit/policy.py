"""The credit policy: every threshold the intake checks, limits and pricing use.

The defaults live here; a deployment overrides any of them through settings
(`LENDING_CREDIT`, a JSON object of the fields to change), which reach the application
as one JSON document. The policy in force is recorded with each assessment, so a
replay never depends on today's settings.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from domain.model import Immutable

D = Decimal


class Grade(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


# The worst grade: what a grade the policy does not know is treated as.
LOWEST = Grade.E
LIMIT_SCALE = {Grade.A: D("1.0"), Grade.B: D("0.9"), Grade.C: D("0.75"), Grade.D: D("0.5"),
               Grade.E: D("0")}  # fmt: skip
SPREAD = {Grade.A: D("1.5"), Grade.B: D("3.0"), Grade.C: D("5.0"), Grade.D: D("8.0"),
          Grade.E: D("12.0")}  # fmt: skip


class CreditPolicy(Immutable):
    # Intake: fraud signals (each raises a flag for review, never a rejection).
    application_window_days: int = Field(default=30, ge=1, le=366)
    applications_flag_at: int = Field(default=3, ge=1)
    other_borrowers_per_phone_flag_at: int = Field(default=1, ge=1)
    max_debt_to_income_percent: Decimal = Field(default=D(50), ge=0, le=1000)
    # An individual borrows against personal income: more than this many years of it
    # is out of line with what the income can repay.
    max_principal_to_annual_income: Decimal = Field(default=D(2), gt=0)
    # Limits.
    loan_to_value_percent: Decimal = Field(default=D(70), ge=0, le=100)
    turnover_cycles_per_year: Decimal = Field(default=D(4), gt=0, le=365)
    grade_limit_scale: dict[Grade, Decimal] = Field(default_factory=lambda: dict(LIMIT_SCALE))
    # Pricing, in annual percent: base + grade spread + premium per year beyond the first.
    base_rate_percent: Decimal = Field(default=D("3.0"), ge=0, le=100)
    grade_spread_percent: dict[Grade, Decimal] = Field(default_factory=lambda: dict(SPREAD))
    term_premium_percent: Decimal = Field(default=D("0.5"), ge=0, le=100)
    legal_ceiling_percent: Decimal = Field(default=D(24), ge=0, le=1000)

    @model_validator(mode="after")
    def _every_grade(self) -> CreditPolicy:
        for name in ("grade_limit_scale", "grade_spread_percent"):
            missing = set(Grade) - set(getattr(self, name))
            if missing:
                raise ValueError(f"{name} needs a value for grade {sorted(missing)[0]}")
        if any(not 0 <= scale <= 1 for scale in self.grade_limit_scale.values()):
            raise ValueError("grade_limit_scale values must be between 0 and 1")
        if any(spread < 0 for spread in self.grade_spread_percent.values()):
            raise ValueError("grade_spread_percent values must not be negative")
        return self

    def scale_for(self, grade: str) -> Decimal:
        return self.grade_limit_scale[_known(grade)]

    def spread_for(self, grade: str) -> Decimal:
        return self.grade_spread_percent[_known(grade)]


def _known(grade: str) -> Grade:
    try:
        return Grade(grade)
    except ValueError:
        return LOWEST
