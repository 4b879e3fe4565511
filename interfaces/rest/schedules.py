"""POST /schedules/preview: a schedule from terms, computed without writing anything.

Its fees come from `charges` (shaped as a product's) or from the product `product_code`
names, whose rules then apply; `apr` and `effective_annual_rate` are the all-in rates of
what the borrower receives against every payment of the schedule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from application.schedules import Preview, PreviewSchedule, preview_schedule
from domain.charges import MAX_CHARGES, Charge
from domain.schedule import DayCount, InterestCalculation, Method, OddPeriodInterest, Rounding
from domain.schedule import Frequency as ScheduleFrequency
from infrastructure.tokens import User
from interfaces.rest.auth import current_user
from interfaces.rest.common import (
    App,
    BusinessDate,
    Code,
    Command,
    Money,
    Percent,
    Periods,
    Term,
)
from interfaces.rest.products import ChargeBody

router = APIRouter(prefix="/schedules", tags=["schedules"])


class PreviewBody(Command):
    principal: Money
    annual_rate_percent: Percent
    term: Term
    frequency: ScheduleFrequency
    method: Method
    start_date: BusinessDate
    first_due_date: BusinessDate | None = None
    grace_periods: Periods = 0
    day_count: DayCount = DayCount.THIRTY_360
    interest_calculation: InterestCalculation = InterestCalculation.PER_PERIOD
    rounding: Rounding = Rounding.HALF_EVEN
    installment_multiple: Money | None = None
    odd_period_interest: OddPeriodInterest = OddPeriodInterest.BY_DAYS
    charges: Annotated[list[ChargeBody], Field(max_length=MAX_CHARGES)] = Field(
        default_factory=list
    )
    # The product whose charges and rules apply (then leave out charges and the rules).
    product_code: Code | None = None

    def request(self) -> PreviewSchedule:
        terms = self.model_dump(exclude_unset=True, exclude={"charges", "product_code"})
        if self.product_code is None:
            terms.setdefault("odd_period_interest", self.odd_period_interest)
        charges = tuple(Charge(**c.model_dump(exclude_unset=True)) for c in self.charges)
        return PreviewSchedule(terms, charges, self.product_code)


class InstallmentOut(BaseModel):
    number: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    total: Decimal
    balance_after: Decimal


class ScheduleOut(BaseModel):
    installments: list[InstallmentOut]
    total_interest: Decimal
    # Every fee: those on the installments and those deducted from the amount paid out.
    total_fees: Decimal
    total_payable: Decimal
    # What the borrower is paid out: the principal less the deducted fees.
    amount_received: Decimal
    # Percent a year, 2 decimals: the periodic IRR x periods a year, and compounded.
    apr: Decimal
    effective_annual_rate: Decimal

    @classmethod
    def of(cls, preview: Preview) -> ScheduleOut:
        charged = preview.charged
        schedule = charged.schedule
        return cls(
            installments=[
                InstallmentOut.model_validate(i, from_attributes=True)
                for i in schedule.installments
            ],
            total_interest=schedule.total_interest,
            total_fees=charged.total_fees,
            total_payable=schedule.total_payable,
            amount_received=charged.received,
            apr=preview.rates.apr,
            effective_annual_rate=preview.rates.effective_annual_rate,
        )


@router.post("/preview")
def preview(body: PreviewBody, app: App, _: Annotated[User, Depends(current_user)]) -> ScheduleOut:
    return ScheduleOut.of(preview_schedule(app, body.request()))
