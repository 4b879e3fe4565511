"""One allocation run: the fold's state between payments, and the steps that change it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.charges import Charge as ProductCharge
from domain.charges import percent_fees
from domain.errors import Conflict
from domain.ledger.book import LedgerBook
from domain.ledger.checks import (
    check_schedule,
    checked_advance,
    checked_order,
    checked_traversal,
    sorted_charges,
)
from domain.ledger.model import (
    AdvancePayment,
    Charge,
    Component,
    ComponentAmounts,
    Entry,
    LedgerState,
    Payment,
    PaymentResult,
    Prepayment,
    Refund,
    Traversal,
    Waiver,
    WaiverResult,
)
from domain.ledger.penalties import PenaltyClock, PenaltyTerms
from domain.ledger.recast import recast, recharge
from domain.ledger.rows import INTEREST, PRINCIPAL, Sink, rows_of, schedule_of
from domain.schedule import Rounder, Schedule, ScheduleTerms


class Run:
    """Applies payments one at a time, in the order the caller sorted them."""

    def __init__(
        self,
        terms: ScheduleTerms,
        schedule: Schedule,
        charges: Sequence[Charge],
        order: Sequence[Component],
        traversal: Traversal,
        penalties: PenaltyTerms | None = None,
        advance: AdvancePayment = AdvancePayment.NEXT_INSTALLMENTS,
        recast_charges: Sequence[ProductCharge] = (),
    ) -> None:
        check_schedule(terms, schedule)
        self.terms = terms
        self.advance_payment = checked_advance(advance)
        self.money = Rounder.of(terms.minor_unit, terms.rounding)
        self.zero = self.money.zero()
        self.book = LedgerBook(
            rows_of(schedule, terms.start_date, self.zero),
            self.money,
            terms.day_count,
            checked_order(order),
            checked_traversal(traversal),
        )
        # The schedule's fees that are a percentage of their installment: a recast works
        # them out again on the installments it makes.
        self.recast_charges = tuple(recast_charges)
        if self.recast_charges:
            for row, item in zip(self.book.rows, schedule.installments, strict=True):
                share = percent_fees(self.recast_charges, item, self.money)
                row.percent_fee = min(share, row.scheduled_fee)
        fees = scheduled_fees(schedule)
        self.scheduled = {charge.id for charge in fees}
        self.charges = sorted_charges([*charges, *fees], terms.minor_unit)
        self.next_charge = 0
        self.results: list[PaymentResult] = []
        self.waivers: list[WaiverResult] = []
        self.refunded = self.zero
        self.written_off: ComponentAmounts | None = None
        self.written_off_on: date | None = None
        self.clock = (
            None
            if penalties is None
            else PenaltyClock(penalties, self.book, self.money, terms.start_date)
        )

    def fork(self) -> Run:
        """A run that goes on from where this one stands, leaving this one as it is."""
        fork = object.__new__(Run)
        fork.__dict__.update(vars(self))
        fork.book = self.book.fork()
        fork.results = list(self.results)
        fork.waivers = list(self.waivers)
        fork.clock = None if self.clock is None else self.clock.fork(fork.book)
        return fork

    def advance(self, to: date, crystallise: bool = False) -> None:
        """Charge the late fees and penalty interest the days up to `to` bring (if any
        penalty terms apply); `crystallise` also charges what has accrued by then."""
        if self.clock is not None:
            self.clock.advance(to)
            if crystallise:
                self.clock.crystallise(to)

    def activate_charges(self, until: date | None) -> None:
        """Add the charges whose value date is on or before `until` (None: all of them)."""
        while self.next_charge < len(self.charges):
            charge = self.charges[self.next_charge]
            if until is not None and charge.value_date > until:
                return
            if charge.id not in self.scheduled:
                self.book.activate(charge)
            elif self._still_scheduled(charge):
                # As the schedule now stands: a recast may have worked its fee out again.
                fee = self.book.rows[charge.installment - 1].scheduled_fee
                self.book.activate(replace(charge, amount=fee))
            self.next_charge += 1

    def _still_scheduled(self, fee: Charge) -> bool:
        """Whether a schedule's fee is still owed: a payoff, write-off or recast that
        removed its installment before its due date dropped it."""
        rows = self.book.rows
        return fee.installment <= len(rows) and rows[fee.installment - 1].scheduled_fee > 0

    def take(self, entry: Entry) -> None:
        if isinstance(entry, Payment):
            self.apply(entry)
        elif isinstance(entry, Waiver):
            self.waive(entry)
        else:
            self.refund(entry)

    def waive(self, waiver: Waiver) -> None:
        on, sink = waiver.value_date, Sink()
        self.advance(on, crystallise=True)
        self.activate_charges(on)
        self.book.waive(waiver.component, waiver.amount, on, waiver.installment, sink)
        self.waivers.append(WaiverResult(waiver.id, on, sink.allocations(len(self.book.rows))))

    def refund(self, refund: Refund) -> None:
        """Pay credit back; refused (Conflict) when the credit on its value date, as the
        fold now stands, is less than the refund."""
        credit = sum((result.credit for result in self.results), self.zero) - self.refunded
        if refund.amount > credit:
            raise Conflict(
                f"refund {refund.id} of {refund.amount} on {refund.value_date} would be more"
                f" than the credit balance then ({credit})"
            )
        self.refunded += refund.amount

    def apply(self, payment: Payment) -> None:
        on, book, sink = payment.value_date, self.book, Sink()
        self.advance(on, crystallise=True)
        self.activate_charges(on)
        budget = book.pay_due(on, payment.amount, sink)
        changed = False
        current = book.first_future(on)
        if budget > 0 or book.all_due_paid(on):
            budget, changed = self._pay_ahead(current, payment, budget, sink)
        rows = book.rows
        self.results.append(
            PaymentResult(
                payment.id,
                on,
                sink.allocations(len(rows)),
                budget,
                schedule_of(rows, self.terms.principal, self.zero) if changed else None,
            )
        )

    def _pay_ahead(
        self, current: int, payment: Payment, budget: Decimal, sink: Sink
    ) -> tuple[Decimal, bool]:
        """Spend what is left once everything due is paid: close the loan, or pay the
        interest accrued to the value date and then principal, ahead or by a recast.

        Returns the budget left over (credit) and whether the schedule changed.
        """
        on, book = payment.value_date, self.book
        if current >= len(book.rows) or not book.scheduled_owed_from(current):
            return budget, False
        accrued = book.rows[current].accrued_unpaid(on, book.day_count, self.money)
        if budget >= accrued + book.principal_unpaid:
            self._close(current, on)
            for component in book.order:
                budget = book.pay(current, component, budget, on, sink)
            return budget, True
        # Interest not yet earned is never collected: only what has accrued by `on`.
        budget = book.pay(current, INTEREST, budget, on, sink, cap=accrued)
        if budget == 0:
            return budget, False
        mode = self.advance_payment.recast(payment.prepayment)
        if mode is None:
            return book.pay_principal_ahead(on, budget, sink), False
        self._prepay(current, on, budget, mode, sink)
        return self.zero, True

    def write_off(self, on: date) -> None:
        """Close the schedule on `on` (as a payoff would) and keep what is owed as written off."""
        if self.written_off is not None:
            return
        self.advance(on, crystallise=True)
        if self.clock is not None:
            self.clock.stop()
        self.activate_charges(on)
        current = self.book.first_future(on)
        if current < len(self.book.rows) and self.book.scheduled_owed_from(current):
            self._close(current, on)
        self.book.drop_scheduled_fees(current)
        self.written_off = self._owed()
        self.written_off_on = on
        self.book.written_off = True

    def payoff(self, on: date) -> Decimal:
        self.advance(on, crystallise=True)
        book = self.book
        current = book.first_future(on)
        rows = book.rows
        owed = sum((row.total_owed() for row in rows[:current]), self.zero)
        owed += sum((row.charges_owed() for row in rows[current:]), self.zero)
        if current < len(rows):
            owed += rows[current].accrued_unpaid(on, book.day_count, self.money)
            owed += sum((row.owed(PRINCIPAL) for row in rows[current:]), self.zero)
        return owed

    def state(self) -> LedgerState:
        rows, zero = self.book.rows, self.zero
        paid = {c: sum((row.paid[c] for row in rows), zero) for c in Component}
        recovered = dict.fromkeys(Component, zero)
        for result in self.results:
            if self.written_off_on is not None and result.value_date > self.written_off_on:
                for allocation in result.allocations:
                    recovered[allocation.component] += allocation.amount
        waived = {c: sum((row.waived[c] for row in rows), zero) for c in Component}
        return LedgerState(
            disbursed=self.terms.principal,
            schedule=schedule_of(rows, self.terms.principal, zero),
            installments=tuple(row.state() for row in rows),
            results=tuple(self.results),
            credit=sum((result.credit for result in self.results), zero) - self.refunded,
            paid=ComponentAmounts.of(paid),
            outstanding=self._owed(),
            written_off=self.written_off,
            recovered=ComponentAmounts.of(recovered),
            charges=tuple(self.clock.charges) if self.clock else (),
            waivers=tuple(self.waivers),
            waived=ComponentAmounts.of(waived),
            refunded=self.refunded,
        )

    def _owed(self) -> ComponentAmounts:
        rows = self.book.rows
        return ComponentAmounts.of(
            {c: sum((r.owed(c) for r in rows), self.zero) for c in Component}
        )

    def _close(self, index: int, on: date) -> None:
        """Fold the rows from `index` into one, owing all principal and the interest to `on`."""
        book = self.book
        row = book.rows[index]
        accrued = row.accrued_unpaid(on, book.day_count, self.money)
        principal = sum((r.owed(PRINCIPAL) for r in book.rows[index:]), self.zero)
        book.replace_rows(index, on, [(row.due_date, principal, accrued)], self.zero, True)
        book.drop_scheduled_fees(index)  # fees, like interest, of periods not yet run

    def _prepay(
        self, index: int, on: date, principal: Decimal, mode: Prepayment, sink: Sink
    ) -> None:
        """Pay `principal` off early and recast the rest of the schedule."""
        book = self.book
        dates = [row.due_date for row in book.rows]
        before = book.principal_unpaid
        specs = recast(self.terms, dates, index, on, before, before - principal, mode)
        book.replace_rows(index, on, specs, principal, False)
        sink.add(book.rows[index].number, PRINCIPAL, principal)
        if self.recast_charges:
            recharge(book.rows[index:], book.principal_unpaid, self.recast_charges, self.money)


def scheduled_fees(schedule: Schedule) -> list[Charge]:
    """Each installment's fee as a charge due on its due date."""
    return [
        Charge(item.number, Component.FEE, item.fee, item.due_date, f"fee:{item.number}")
        for item in schedule.installments
        if item.fee != 0
    ]
