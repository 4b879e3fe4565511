"""POST /schedules/preview: a schedule from terms, computed without writing anything."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from domain.errors import InvalidValue
from domain.schedule import (
    DayCount,
    InterestCalculation,
    Method,
    OddPeriodInterest,
    Rounding,
    Schedule,
    ScheduleError,
    ScheduleTerms,
    generate_schedule,
)
from domain.schedule import Frequency as ScheduleFrequency
from infrastructure.tokens import User
from interfaces.rest.auth import current_user
from interfaces.rest.common import BusinessDate, Command, Money, Percent, Periods, Term

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
    total_payable: Decimal

    @classmethod
    def of(cls, schedule: Schedule) -> ScheduleOut:
        return cls(
            installments=[
                InstallmentOut.model_validate(i, from_attributes=True)
                for i in schedule.installments
            ],
            total_interest=schedule.total_interest,
            total_payable=schedule.total_payable,
        )


@router.post("/preview")
def preview(body: PreviewBody, _: Annotated[User, Depends(current_user)]) -> ScheduleOut:
    try:
        terms = ScheduleTerms(**body.model_dump())
    except ScheduleError as error:
        raise InvalidValue(error.field, error.message) from None
    return ScheduleOut.of(generate_schedule(terms))
