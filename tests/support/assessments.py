"""A credit assessment's inputs (checks, score, limit and price for a 12,000 application),
and what intake recorded for a loan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from application.app import LendingApplication
from domain.credit import (
    CreditAssessment,
    CreditPolicy,
    Features,
    Limit,
    LimitFigure,
    Pricing,
    Score,
    assessment_id,
)
from domain.credit import checks as check
from domain.credit.pricing import price

D = Decimal
POLICY = CreditPolicy()
FEATURES = Features(
    age=44, monthly_income=D("8500.00"), debt_to_income=D("0.1254"),
    loan_to_annual_income=D("0.1176"), term_months=12, borrower_kind="individual",
    prior_loans=0, prior_max_dpd=0,
)  # fmt: skip
SCORE = Score(
    features=FEATURES, model_version=1, pd=D("0.022977"), score=595, grade="C",
    reasons=("prior_loans", "monthly_income"),
)  # fmt: skip


def started(principal: str = "12000.00") -> CreditAssessment:
    return CreditAssessment.start(
        actor="officer.zhang", loan_id=uuid4(), borrower_id=uuid4(), on=date(2030, 1, 1),
        principal=D(principal), phone="+8613800138000", policy=POLICY,
    )  # fmt: skip


def passing() -> list[Any]:
    return [check.written_off(()), check.shared_phone(activity(0), POLICY)]


def activity(others: int) -> check.Activity:
    return check.Activity(
        since=date(2029, 12, 3), by_id_number=1, by_phone=1,
        other_borrowers_with_phone=others, read_position=7,
    )  # fmt: skip


def limit_of(amount: int) -> Limit:
    figure = LimitFigure(method="income", amount=D(amount), basis={})
    return Limit(
        figures=(figure,), product_max=D(50000), before_scaling=D(amount), binding="income",
        grade="C", scale=D(1), amount=D(amount),
    )  # fmt: skip


def pricing() -> Pricing:
    return price(POLICY, "C", 12, "monthly", D(6), D("18.5"))


def assessment_of(app: LendingApplication, loan_id: UUID) -> CreditAssessment | None:
    """The loan's assessment; None for a loan submitted before intake assessed them."""
    found = assessment_id(loan_id)
    if not app.exists(found):
        return None
    return app.load(CreditAssessment, found, "credit assessment")
