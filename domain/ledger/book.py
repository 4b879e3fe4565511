"""The mutable book of one allocation run: rows, charges, and how money and waivers walk
through them."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from domain.ledger.model import CHARGE_COMPONENTS, Charge, Component, Traversal
from domain.ledger.rows import PRINCIPAL, Row, Sink, new_row
from domain.schedule import DayCount, Rounder

Spec = tuple[date, Decimal, Decimal]  # due date, principal, interest of a replacement row


class LedgerBook:
    def __init__(
        self,
        rows: list[Row],
        money: Rounder,
        day_count: DayCount,
        order: tuple[Component, ...],
        traversal: Traversal,
    ) -> None:
        self.rows = rows
        self.money, self.zero = money, money.zero()
        self.day_count = day_count
        self.order = order
        self.traversal = traversal
        self.written_off = False
        self.principal_unpaid = sum((row.due[PRINCIPAL] for row in rows), self.zero)
        self.dates = [row.due_date for row in rows]  # the rows' due dates, in order
        self.cursor = 0  # rows before it have no principal or interest owed
        self._open_charges: set[int] = set()  # rows with a charge that is due and unpaid

    def fork(self) -> LedgerBook:
        """A book that goes on from where this one stands, leaving this one as it is."""
        fork = object.__new__(LedgerBook)
        fork.__dict__.update(vars(self))
        fork.rows = [row.copy() for row in self.rows]
        fork.dates = list(self.dates)
        fork._open_charges = set(self._open_charges)
        return fork

    def first_future(self, on: date) -> int:
        """Index of the first row not yet due on `on`; after a write-off everything is due."""
        return len(self.rows) if self.written_off else bisect_right(self.dates, on)

    def activate(self, charge: Charge) -> None:
        index = min(charge.installment, len(self.rows)) - 1
        row = self.rows[index]
        row.due[charge.component] += charge.amount
        row.paid_off_on = None
        self._open_charges.add(index)

    def pay(
        self,
        index: int,
        component: Component,
        budget: Decimal,
        on: date,
        sink: Sink,
        cap: Decimal | None = None,
    ) -> Decimal:
        """Pay what `rows[index]` owes on `component` (at most `cap`); return the budget left."""
        row = self.rows[index]
        amount = min(row.owed(component), budget)
        if cap is not None:
            amount = min(amount, cap)
        if amount <= 0:
            return budget
        row.paid[component] += amount
        sink.add(row.number, component, amount)
        if component == PRINCIPAL:
            self.principal_unpaid -= amount
        if component in CHARGE_COMPONENTS and row.charges_owed() == 0:
            self._open_charges.discard(index)
        if row.paid_off_on is None and row.total_owed() == 0:
            row.paid_off_on = on
        return budget - amount

    def pay_due(self, on: date, budget: Decimal, sink: Sink) -> Decimal:
        """Pay everything due on `on`: rows due by then, and charges whose value date has come."""
        first_future = self.first_future(on)
        indexes = list(range(self.cursor, first_future))
        extra = [i for i in self._open_charges if not self.cursor <= i < first_future]
        if extra:
            indexes = sorted({*indexes, *extra})
        if self.traversal == Traversal.HORIZONTAL:
            items = [(i, c) for i in indexes for c in self.order]
        else:
            items = [(i, c) for c in self.order for i in indexes]
        for index, component in items:
            if budget == 0:
                break
            if index < first_future or component in CHARGE_COMPONENTS:
                budget = self.pay(index, component, budget, on, sink)
        self._advance_cursor()
        return budget

    def waive(
        self, component: Component, amount: Decimal, on: date, installment: int | None, sink: Sink
    ) -> None:
        """Forgive up to `amount` of `component` that is due on `on`: on the row of
        `installment` (the last row when a recast removed it), or row by row, oldest
        first. Interest is due with its installment; fees and penalties from their
        charge's value date, whichever row holds them."""
        first_future = self.first_future(on)
        if installment is None:
            indexes: Sequence[int] = range(len(self.rows))
        else:
            indexes = (min(installment, len(self.rows)) - 1,)
        for index in indexes:
            if amount == 0:
                break
            if index >= first_future and component not in CHARGE_COMPONENTS:
                break
            row = self.rows[index]
            waived = min(row.owed(component), amount)
            if waived <= 0:
                continue
            row.waived[component] += waived
            sink.add(row.number, component, waived)
            amount -= waived
            if component in CHARGE_COMPONENTS and row.charges_owed() == 0:
                self._open_charges.discard(index)
            if row.paid_off_on is None and row.total_owed() == 0:
                row.paid_off_on = on
        self._advance_cursor()

    def drop_scheduled_fees(self, index: int) -> None:
        """The rows from `index` on will owe no scheduled fee not yet due (a payoff or a
        write-off closed them)."""
        for row in self.rows[index:]:
            row.scheduled_fee = self.zero

    def all_due_paid(self, on: date) -> bool:
        return self.cursor >= self.first_future(on) and not self._open_charges

    def pay_principal_ahead(self, on: date, budget: Decimal, sink: Sink) -> Decimal:
        """Pay the principal of the installments not yet due, oldest first: their interest
        stays owing, to fall due with them (it has not been earned by `on`)."""
        for index in range(max(self.cursor, self.first_future(on)), len(self.rows)):
            if budget == 0:
                break
            budget = self.pay(index, PRINCIPAL, budget, on, sink)
        self._advance_cursor()
        return budget

    def scheduled_owed_from(self, index: int) -> bool:
        """Whether any row from `index` on still owes principal or interest."""
        if self.cursor >= index:
            return self.cursor < len(self.rows)
        return any(row.scheduled_owed() > 0 for row in self.rows[index:])

    def replace_rows(
        self,
        index: int,
        on: date,
        specs: Sequence[Spec],
        carried_principal: Decimal,
        fix_first_interest: bool,
    ) -> None:
        """Replace `rows[index:]` by `specs` (a recast or a closing).

        What was paid on the replaced rows stays paid: their principal and interest
        (plus `carried_principal`, paid just now) are carried onto the first new row as
        due and paid, and its new interest accrues from `on`. Charges (and what was paid
        and waived of them) keep their installment number, or move to the last row when
        their installment is gone. A new row keeps the scheduled fee of the installment of
        its number (and the part of it that is a percentage); the fees of installments
        gone are dropped.
        """
        old = self.rows[index:]
        scheduled_fees = {row.number: (row.scheduled_fee, row.percent_fee) for row in old}
        paid_principal = sum((row.paid[PRINCIPAL] for row in old), carried_principal)
        paid_interest = sum((row.paid[Component.INTEREST] for row in old), self.zero)
        new: list[Row] = []
        previous = on
        for offset, (due_date, principal, interest) in enumerate(specs):
            new.append(
                new_row(index + offset + 1, due_date, previous, principal, interest, self.zero)
            )
            previous = due_date
        first = new[0]
        first.due[PRINCIPAL] += paid_principal
        first.due[Component.INTEREST] += paid_interest
        first.paid[PRINCIPAL] = paid_principal
        first.paid[Component.INTEREST] = paid_interest
        first.interest_fixed = (
            first.due[Component.INTEREST] if fix_first_interest else paid_interest
        )
        for offset, row in enumerate(old):
            target = new[min(offset, len(new) - 1)]
            for component in CHARGE_COMPONENTS:
                target.due[component] += row.due[component]
                target.paid[component] += row.paid[component]
                target.waived[component] += row.waived[component]
        for row in new:
            row.scheduled_fee, row.percent_fee = scheduled_fees.get(
                row.number, (self.zero, self.zero)
            )
            if row.total_owed() == 0 and any(row.paid.values()):
                row.paid_off_on = on
        self.principal_unpaid -= carried_principal
        self.rows[index:] = new
        self.dates = [row.due_date for row in self.rows]
        self._open_charges = {i for i in self._open_charges if i < index}
        self._open_charges.update(
            index + offset for offset, row in enumerate(new) if row.charges_owed() > 0
        )
        self.cursor = min(self.cursor, index)
        self._advance_cursor()

    def _advance_cursor(self) -> None:
        rows, cursor = self.rows, self.cursor
        while cursor < len(rows) and rows[cursor].scheduled_owed() == 0:
            cursor += 1
        self.cursor = cursor
