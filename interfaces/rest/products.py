"""REST commands on loan products."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import Field

from application.products import DefineProduct
from application.products import define_product as define
from domain.money import ZERO
from domain.product import (
    DEFAULT_MAX_AGE,
    DEFAULT_MIN_AGE,
    DEFAULT_ORDER,
    Component,
    PenaltyRateBasis,
    ProductTerms,
)
from domain.schedule import (
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    OddPeriodInterest,
    Rounding,
)
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.rest.common import (
    Accepted,
    Age,
    App,
    Code,
    Command,
    GraceDays,
    Money,
    Percent,
    Term,
    Text,
)

router = APIRouter(prefix="/products", tags=["products"])


class DefineBody(Command):
    code: Code
    name: Text
    currency: Annotated[Code, Field(min_length=3, max_length=3)]
    min_principal: Money
    max_principal: Money
    min_term: Term
    max_term: Term
    frequencies: Annotated[list[Frequency], Field(max_length=len(Frequency))]
    methods: Annotated[list[Method], Field(max_length=len(Method))]
    min_rate_percent: Percent
    max_rate_percent: Percent
    penalty_rate_percent: Percent
    late_fee: Money = ZERO
    grace_days: GraceDays = 0
    rounding: Rounding = Rounding.HALF_EVEN
    installment_multiple: Money | None = None
    day_count: DayCount = DayCount.THIRTY_360
    interest_calculation: InterestCalculation = InterestCalculation.PER_PERIOD
    allocation_order: Annotated[list[Component], Field(max_length=len(Component))] = Field(
        default_factory=lambda: list(DEFAULT_ORDER)
    )
    # The borrower's age bounds, in whole years on the business date of the application.
    min_age: Age = DEFAULT_MIN_AGE
    max_age: Age = DEFAULT_MAX_AGE
    # What per-period interest charges a first period that is not one ordinary period.
    odd_period_interest: OddPeriodInterest = OddPeriodInterest.BY_DAYS
    # penalty_rate_percent per year (on day_count) or per calendar day (罚息 0.05%/day).
    penalty_rate_basis: PenaltyRateBasis = PenaltyRateBasis.ANNUAL


@router.post("", status_code=201)
def define_product(
    body: DefineBody,
    app: App,
    user: Annotated[User, Depends(require(Role.ADMIN))],
) -> Accepted:
    # Unsent fields are left out so the domain's defaults are the ones that apply.
    fields = body.model_dump(exclude_unset=True, exclude={"code"})
    command = DefineProduct(actor=user.sub, code=body.code, terms=ProductTerms(**fields))
    return Accepted.of(define(app, command))
