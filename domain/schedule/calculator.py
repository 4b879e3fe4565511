"""`generate_schedule`: terms in, installments out. Pure: no clock, no state, no floats."""

from __future__ import annotations

from decimal import localcontext

from domain.schedule.dates import due_dates
from domain.schedule.installments import Installment, Schedule
from domain.schedule.methods import BUILDERS, Plan
from domain.schedule.rounding import CALCULATION_CONTEXT, Rounder
from domain.schedule.terms import ScheduleTerms


def generate_schedule(terms: ScheduleTerms) -> Schedule:
    """The repayment schedule for `terms` (already validated when they were built).

    Depends on nothing but its argument, so a recast is the same call with the
    outstanding principal, the remaining term and the recast date as `start_date`.
    Pass the next original due date as `first_due_date` to keep a month-end anchor
    (a recast from 30 April would otherwise fall on the 30th), and renumber the
    installments if they should continue the old numbering.
    """
    with localcontext(CALCULATION_CONTEXT):
        money = Rounder.of(terms.minor_unit, terms.rounding)
        dates = due_dates(terms.start_date, terms.frequency, terms.term, terms.first_due_date)
        plan = Plan(terms, dates, money, money(terms.principal))
        rows = BUILDERS[terms.method](plan)
        fee = money.zero()  # fees are charged by later features, not by the schedule
        balance = plan.principal
        installments = []
        for number, (due, principal, interest) in enumerate(rows, start=1):
            balance -= principal
            installments.append(
                Installment(
                    number, due, principal, interest, fee, principal + interest + fee, balance
                )
            )
        return Schedule(tuple(installments))
