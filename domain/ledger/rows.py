"""The working installment rows of one allocation run, and interest accrued within a row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.ledger.model import Allocation, Component, ComponentAmounts, InstallmentState
from domain.schedule import DayCount, Installment, Rounder, Schedule, accrual_days

PRINCIPAL, INTEREST = Component.PRINCIPAL, Component.INTEREST


@dataclass(slots=True)
class Row:
    """One installment while payments are applied.

    Interest accrues in a straight line (at the contract's day count) from `accrual_start`
    to `due_date`; `interest_fixed` is the part of the interest that counts as accrued from
    the start (interest carried over by a recast, or everything once the loan is closed).
    `scheduled_fee` is the schedule's fee of the installment, which joins `due` as a charge
    on its due date; `waived` what waivers forgave of each component.
    """

    number: int
    due_date: date
    accrual_start: date
    due: dict[Component, Decimal]
    paid: dict[Component, Decimal]
    interest_fixed: Decimal
    paid_off_on: date | None = None
    scheduled_fee: Decimal = Decimal(0)
    waived: dict[Component, Decimal] = field(default_factory=dict)

    def owed(self, component: Component) -> Decimal:
        return self.due[component] - self.paid[component] - self.waived[component]

    def scheduled_owed(self) -> Decimal:
        return self.owed(PRINCIPAL) + self.owed(INTEREST)

    def charges_owed(self) -> Decimal:
        return self.owed(Component.FEE) + self.owed(Component.PENALTY)

    def total_owed(self) -> Decimal:
        return self.scheduled_owed() + self.charges_owed()

    def accrued_interest(self, on: date, day_count: DayCount, money: Rounder) -> Decimal:
        """Interest of this row earned by `on` (all of it from the due date on)."""
        if on >= self.due_date:
            return self.due[INTEREST]
        span = accrual_days(self.accrual_start, self.due_date, day_count)
        elapsed = accrual_days(self.accrual_start, on, day_count)
        if span <= 0 or elapsed <= 0:
            return self.interest_fixed
        variable = self.due[INTEREST] - self.interest_fixed
        return self.interest_fixed + money(variable * min(elapsed, span) / span)

    def accrued_unpaid(self, on: date, day_count: DayCount, money: Rounder) -> Decimal:
        return max(self.accrued_interest(on, day_count, money) - self.paid[INTEREST], money.zero())

    def state(self) -> InstallmentState:
        waived = self.waived
        return InstallmentState(
            self.number,
            self.due_date,
            ComponentAmounts.of(self.due),
            ComponentAmounts.of(self.paid),
            self.paid_off_on,
            ComponentAmounts.of(waived) if any(waived.values()) else None,
        )


def new_row(
    number: int,
    due_date: date,
    accrual_start: date,
    principal: Decimal,
    interest: Decimal,
    zero: Decimal,
) -> Row:
    due = {Component.PENALTY: zero, Component.FEE: zero, INTEREST: interest, PRINCIPAL: principal}
    nothing = dict.fromkeys(Component, zero)
    return Row(number, due_date, accrual_start, due, nothing, zero, None, zero, dict(nothing))


def rows_of(schedule: Schedule, start: date, zero: Decimal) -> list[Row]:
    rows, previous = [], start
    for item in schedule.installments:
        row = new_row(item.number, item.due_date, previous, item.principal, item.interest, zero)
        row.scheduled_fee = item.fee
        rows.append(row)
        previous = item.due_date
    return rows


def schedule_of(rows: list[Row], disbursed: Decimal, zero: Decimal) -> Schedule:
    """The rows as a `Schedule`: principal, interest and the schedule's fees (charges
    are not part of it)."""
    installments, balance = [], disbursed
    for row in rows:
        principal, interest, fee = row.due[PRINCIPAL], row.due[INTEREST], row.scheduled_fee
        balance -= principal
        total = principal + interest + fee
        installments.append(
            Installment(row.number, row.due_date, principal, interest, fee, total, balance)
        )
    return Schedule(tuple(installments))


class Sink:
    """Collects one payment's allocations, merging repeats of an (installment, component)."""

    def __init__(self) -> None:
        self._amounts: dict[tuple[int, Component], Decimal] = {}

    def add(self, number: int, component: Component, amount: Decimal) -> None:
        key = (number, component)
        self._amounts[key] = self._amounts.get(key, amount * 0) + amount

    def allocations(self, last_number: int) -> tuple[Allocation, ...]:
        """Installments removed by a recast count as the last one (their charges moved there)."""
        merged: dict[tuple[int, Component], Decimal] = {}
        for (number, component), amount in self._amounts.items():
            key = (min(number, last_number), component)
            merged[key] = merged.get(key, amount * 0) + amount
        return tuple(
            Allocation(number, component, amount) for (number, component), amount in merged.items()
        )
