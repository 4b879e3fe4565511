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
    on its due date, and `percent_fee` the part of it that is a percentage of the
    installment (a recast works it out again); `waived` what waivers forgave of each
    component.
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
    percent_fee: Decimal = Decimal(0)

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
        return accrued_interest(
            self.due[INTEREST], self.accrual_start, self.due_date, on, day_count, money,
            fixed=self.interest_fixed,
        )  # fmt: skip

    def accrued_unpaid(self, on: date, day_count: DayCount, money: Rounder) -> Decimal:
        return max(self.accrued_interest(on, day_count, money) - self.paid[INTEREST], money.zero())

    def copy(self) -> Row:
        """A row to change without changing this one (the amounts are shared: immutable)."""
        return Row(
            self.number, self.due_date, self.accrual_start, dict(self.due), dict(self.paid),
            self.interest_fixed, self.paid_off_on, self.scheduled_fee, dict(self.waived),
            self.percent_fee,
        )  # fmt: skip

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


def accrued_interest(
    interest: Decimal,
    start: date,
    due_date: date,
    on: date,
    day_count: DayCount,
    money: Rounder,
    *,
    fixed: Decimal | None = None,
) -> Decimal:
    """The part of a period's `interest` earned by `on`: a straight line at the day count
    from `start` to `due_date` (all of it from the due date on). `fixed` is earned from
    the start (interest a recast carried over)."""
    fixed = money.zero() if fixed is None else fixed
    if on >= due_date:
        return interest
    span = accrual_days(start, due_date, day_count)
    elapsed = accrual_days(start, on, day_count)
    if span <= 0 or elapsed <= 0:
        return fixed
    return fixed + money((interest - fixed) * min(elapsed, span) / span)


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
