"""GraphQL credit assessment of an application, read from `credit_assessments`.

Staff only: the checks name fraud signals and thresholds a borrower must not see.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from interfaces.graphql.context import STAFF, Context
from projections.credit_assessments import assessments_of_loans

Row = dict[str, Any]
LOADER = "assessments_by_loan"


@strawberry.enum
class CheckResult(Enum):
    PASS = "pass"
    FAIL = "fail"
    FLAG = "flag"


@strawberry.enum
class AssessmentDecision(Enum):
    REJECTED = "rejected"
    REVIEW = "review"
    CLEAR = "clear"


@strawberry.type
class CreditCheck:
    name: str
    result: CheckResult
    hard: bool  # a failed hard check rejects; a soft one flags for review
    detail: str
    threshold: str
    inputs: JSON


@strawberry.type
class LimitMethod:
    method: str
    amount: Decimal
    basis: JSON


@strawberry.type
class LimitCalculation:
    methods: list[LimitMethod]
    product_max: Decimal
    before_scaling: Decimal
    binding: str
    grade: str
    scale: Decimal
    amount: Decimal

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LimitCalculation:
        return cls(
            methods=[
                LimitMethod(method=f["method"], amount=Decimal(f["amount"]), basis=f["basis"])
                for f in data["figures"]
            ],
            product_max=Decimal(data["product_max"]),
            before_scaling=Decimal(data["before_scaling"]),
            binding=data["binding"],
            grade=data["grade"],
            scale=Decimal(data["scale"]),
            amount=Decimal(data["amount"]),
        )


@strawberry.type
class Pricing:
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
    clamped_by: str | None
    # The APR at ratePercent, the product's fees included (null if priced before APRs).
    apr_percent: Decimal | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pricing:
        rates: dict[str, Any] = {
            k: None if v is None else Decimal(v)
            for k, v in data.items()
            if k not in ("grade", "clamped_by")
        }
        return cls(grade=data["grade"], clamped_by=data["clamped_by"], **rates)


@strawberry.type
class CreditAssessment:
    assessed_on: date
    decision: AssessmentDecision | None
    flags: list[str]
    decision_reasons: list[str]
    checks: list[CreditCheck]
    score: int | None
    grade: str | None
    pd: Decimal | None
    reasons: list[str]  # the scorecard's, worst first
    model_version: int | None
    features: JSON | None
    limit: Decimal | None
    limit_calculation: LimitCalculation | None
    rate: Decimal | None
    pricing: Pricing | None
    collateral_value: Decimal | None
    version: int

    @classmethod
    def from_row(cls, row: Row) -> CreditAssessment:
        return cls(
            assessed_on=row["assessed_on"],
            decision=AssessmentDecision(row["decision"]) if row["decision"] else None,
            flags=row["flags"],
            decision_reasons=row["reasons"],
            checks=[
                CreditCheck(**{**check, "result": CheckResult(check["result"])})
                for check in row["checks"]
            ],
            score=row["score"],
            grade=row["grade"],
            pd=row["pd"],
            reasons=row["score_reasons"] or [],
            model_version=row["model_version"],
            features=row["features"],
            limit=row["credit_limit"],
            limit_calculation=LimitCalculation.from_json(row["limits"]) if row["limits"] else None,
            rate=row["rate_percent"],
            pricing=Pricing.from_json(row["pricing"]) if row["pricing"] else None,
            collateral_value=row["collateral_value"],
            version=row["version"],
        )


async def assessment_of(context: Context, loan_id: UUID) -> CreditAssessment | None:
    """The loan's assessment (None for a loan submitted before intake assessed them)."""
    context.require(*STAFF)
    loader = context.loaders.get(LOADER)
    if loader is None:

        async def batch(keys: list[UUID]) -> list[Row | None]:
            return await assessments_of_loans(context.pool, keys)

        loader = context.loaders[LOADER] = DataLoader(load_fn=batch)
    row = await loader.load(loan_id)
    return CreditAssessment.from_row(row) if row else None
