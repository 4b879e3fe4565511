"""A schedule with the product's charges on it, and the all-in rate it comes to.

`charge_schedule` fills each installment's `fee` (and its `total`) from the charges:
every `installment` charge on every installment, and each `disbursement` charge
collected on the first installment there too. A `disbursement` charge collected by
deduction is on no installment: it lowers what the borrower receives. Charges of kind
`specified_due_date` wait for an officer to add them to an installment, so none is on
a schedule when it is made.

Each fee is also kept as a `FeeLine`: which charge, on which installment (none for a fee
deducted from the payout), how much.

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
class FeeLine:
    """One charge's fee: on `installment`, or deducted from the payout (installment None)."""

    code: str
    kind: ChargeKind
    installment: int | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ChargedSchedule:
    """`schedule` with its fees filled; `deducted` the fees taken from the payout; `lines`
    every fee by charge (those that come to nothing left out)."""

    schedule: Schedule
    deducted: Decimal
    lines: tuple[FeeLine, ...] = ()

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
    lines = [
        FeeLine(c.code, c.kind, None if c.deducted else 1, c.on(principal, money))
        for c in charges
        if c.kind is ChargeKind.DISBURSEMENT
    ]
    return _with_lines(schedule, charges, lines, money)


def recharge_schedule(
    schedule: Schedule, charges: Sequence[Charge], principal: Decimal, money: Rounder
) -> Schedule:
    """A reschedule's new installments (numbered on from those kept) with the installment
    charges on each, and the disbursement fees collected on the first installment (on
    the contract's `principal`) if installment 1 is among them."""
    lines = [
        FeeLine(c.code, c.kind, 1, c.on(principal, money))
        for c in charges
        if c.kind is ChargeKind.DISBURSEMENT and c.collection is Collection.FIRST_INSTALLMENT
    ]
    return _with_lines(schedule, charges, lines, money).schedule


def _with_lines(
    schedule: Schedule, charges: Sequence[Charge], lines: list[FeeLine], money: Rounder
) -> ChargedSchedule:
    """The schedule with the installment charges among `charges` on every installment,
    and the disbursement fee `lines` (on an installment, or deducted)."""
    recurring = [c for c in charges if c.kind is ChargeKind.INSTALLMENT]
    fees: dict[int | None, Decimal] = {}
    installments = []
    for line in lines:
        fees[line.installment] = fees.get(line.installment, Decimal(0)) + line.amount
    for installment in schedule.installments:
        for c in recurring:
            line = FeeLine(c.code, c.kind, installment.number, c.on_installment(installment, money))
            lines.append(line)
            fees[line.installment] = fees.get(line.installment, Decimal(0)) + line.amount
        fee = money(fees.get(installment.number, Decimal(0)))
        total = installment.principal + installment.interest + fee
        installments.append(replace(installment, fee=fee, total=total))
    deducted = money(fees.get(None, Decimal(0)))
    kept = tuple(line for line in lines if line.amount > 0)
    return ChargedSchedule(Schedule(tuple(installments)), deducted, kept)


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal(0))
