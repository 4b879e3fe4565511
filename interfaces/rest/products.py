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
    ProductTerms,
)
from domain.schedule import DayCount, Frequency, InterestCalculation, Method, Rounding
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.rest.common import Accepted, App, Command, Money, Percent, Text

router = APIRouter(prefix="/products", tags=["products"])


class DefineBody(Command):
    code: Annotated[str, Field(min_length=1, max_length=32)]
    name: Text
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    min_principal: Money
    max_principal: Money
    min_term: int
    max_term: int
    frequencies: list[Frequency]
    methods: list[Method]
    min_rate_percent: Percent
    max_rate_percent: Percent
    penalty_rate_percent: Percent
    late_fee: Money = ZERO
    grace_days: int = 0
    rounding: Rounding = Rounding.HALF_EVEN
    installment_multiple: Money | None = None
    day_count: DayCount = DayCount.THIRTY_360
    interest_calculation: InterestCalculation = InterestCalculation.PER_PERIOD
    allocation_order: list[Component] = Field(default_factory=lambda: list(DEFAULT_ORDER))
    # The borrower's age bounds, in whole years on the business date of the application.
    min_age: int = DEFAULT_MIN_AGE
    max_age: int = DEFAULT_MAX_AGE


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
