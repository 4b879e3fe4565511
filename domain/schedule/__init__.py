"""Repayment schedules: pure calculation from `ScheduleTerms` to a `Schedule`."""

from domain.schedule.calculator import generate_schedule
from domain.schedule.dates import add_months, continuing_anchor, due_dates
from domain.schedule.daycount import accrual_days, penalty_days, thirty_360_days, year_days
from domain.schedule.installments import Installment, Schedule
from domain.schedule.interest import level_payment, periodic_rate
from domain.schedule.rounding import Rounder
from domain.schedule.terms import (
    MAX_TERM,
    PERIODS_PER_YEAR,
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    OddPeriodInterest,
    Rounding,
    ScheduleError,
    ScheduleTerms,
    has_level_installment,
)

__all__ = [
    "MAX_TERM",
    "PERIODS_PER_YEAR",
    "DayCount",
    "Frequency",
    "Installment",
    "InterestCalculation",
    "Method",
    "OddPeriodInterest",
    "Rounder",
    "Rounding",
    "Schedule",
    "ScheduleError",
    "ScheduleTerms",
    "accrual_days",
    "add_months",
    "continuing_anchor",
    "due_dates",
    "generate_schedule",
    "has_level_installment",
    "level_payment",
    "penalty_days",
    "periodic_rate",
    "thirty_360_days",
    "year_days",
]
