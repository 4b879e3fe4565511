"""A schedule with the product's charges on it, and the all-in rate it comes to.

`charge_schedule` fills each installment's `fee` (and its `total`) from the charges:
every `installment` charge on every installment, and each `disbursement` charge
collected on the first installment there too. A `disbursement` charge collected by
deduction is on no installment: it lowers what the borrower receives. Charges of kind
`specified_due_date` wait for an officer to add them to an installment, so none is on
a schedule when it is made.

The APR and effective annual rate follow from what the borrower really receives on the
start date against every scheduled payment of principal, interest and fees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from domain.charges import Charge, ChargeKind, Collection
from domain.schedule.apr import AnnualRates, annual_rates
from domain.schedule.calculator import generate_schedule
from domain.schedule.installments import Schedule
from domain.schedule.rounding import Rounder
from domain.schedule.terms import Frequency, ScheduleError, ScheduleTerms


@dataclass(frozen=True, slots=True)
class ChargedSchedule:
    """`schedule` with its fees filled; `deducted` the fees taken from the payout."""

    schedule: Schedule
    deducted: Decimal

    @property
    def principal(self) -> Decimal:
        return self.schedule.total_principal

    @property
    def received(self) -> Decimal:
        """What the borrower is paid out: the principal less the deducted fees."""
        return self.principal - self.deducted

    @property
    def total_fees(self) -> Decimal:
        """Every fee the loan costs: those on installments and those deducted."""
        return self.schedule.total_fees + self.deducted

    def annual_rates(self, start: date, frequency: Frequency) -> AnnualRates:
        """The APR and effective annual rate of the loan paid out on `start`."""
        if self.received <= 0:
            raise ScheduleError("charges", "the deducted fees leave the borrower nothing")
        payments = [(i.due_date, i.total) for i in self.schedule.installments]
        return annual_rates(self.received, start, payments, frequency)


def charged_schedule(terms: ScheduleTerms, charges: Sequence[Charge]) -> ChargedSchedule:
    """The schedule of `terms` with `charges` on it, rounded as `terms` round."""
    money = Rounder.of(terms.minor_unit, terms.rounding)
    return charge_schedule(generate_schedule(terms), charges, money)


def charge_schedule(
    schedule: Schedule, charges: Sequence[Charge], money: Rounder
) -> ChargedSchedule:
    """`schedule` with each installment's fee set to the charges on it."""
    principal = schedule.total_principal
    disbursement = [c for c in charges if c.kind is ChargeKind.DISBURSEMENT]
    deducted = _sum(c.on(principal, money) for c in disbursement if c.deducted)
    upfront = _sum(
        c.on(principal, money) for c in disbursement if c.collection is Collection.FIRST_INSTALLMENT
    )
    recurring = [c for c in charges if c.kind is ChargeKind.INSTALLMENT]
    installments = []
    for index, installment in enumerate(schedule.installments):
        fee = _sum(c.on_installment(installment, money) for c in recurring)
        if index == 0:
            fee += upfront
        fee = money(fee)
        total = installment.principal + installment.interest + fee
        installments.append(replace(installment, fee=fee, total=total))
    return ChargedSchedule(Schedule(tuple(installments)), money(deducted))


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal(0))
