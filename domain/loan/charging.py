"""Money a loan's officers add or take off after disbursement: charges, waivers, refunds.

- A charge of kind `specified_due_date` (a collection visit, say) is added by an
  officer to one installment, from the product's definition as recorded at submission;
  its amount defaults to the definition's, worked out on that installment as scheduled.
  It is due from the business date it is added on (the ledger's rule for every charge),
  booked on that installment.
- A waiver forgives fee, penalty or interest that is due and unpaid on the business
  date: on one installment, or oldest installment first. It is a checker's decision:
  the loan's own officer may not grant it. It never forgives more than is outstanding.
- A refund pays credit back to the borrower, at most the credit balance.

Each is a ledger input numbered from the loan's one sequence, as payments are, so a
backdated payment or a reversal refolds them with everything else: a waiver then forgives
what is still outstanding at its value date (less, if the payment paid it), and a change
that would leave a refund larger than the credit it was paid from is refused (Conflict).

The events are declared here and bound to `Loan` by eventsourcing, which subclasses
them on the aggregate: their topics are `domain.loan.aggregate:Loan.<name>`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.charges import ChargeKind
from domain.errors import Conflict, InvalidValue, Refused
from domain.ledger import WAIVABLE, Charge, Component, Waiver
from domain.loan.accounting import LedgerChange
from domain.loan.delinquency import Timing
from domain.loan.inputs import RefundRecord
from domain.loan.record import LoanRecord
from domain.loan.records import checked_reason
from domain.loan.status import require
from domain.model import Aggregate
from domain.money import checked_amount
from domain.schedule import Rounder


class Charging(LoanRecord):
    class ChargeAdded(Aggregate.Event):
        """Charge `code` of the product added to installment `charge.installment`."""

        value_date: date
        code: str
        name: str
        reason: str
        sequence: int
        charge: Charge  # as the ledger takes it: a fee, due from value_date
        change: LedgerChange
        timing: Timing | None = None

        def apply(self, aggregate: Any) -> None:
            loan: LoanRecord = aggregate
            loan.added_charges[self.charge.id] = self.charge
            loan.next_sequence = self.sequence + 1
            loan._record(self.change, self.timing)

    class Waived(Aggregate.Event):
        """Up to `waiver.amount` of `waiver.component` forgiven; `change.waivers` says
        what the ledger forgave where."""

        value_date: date
        reason: str
        waiver: Waiver  # as the ledger takes it
        change: LedgerChange
        timing: Timing | None = None

        def apply(self, aggregate: Any) -> None:
            loan: LoanRecord = aggregate
            loan.waivers[self.waiver.id] = self.waiver
            loan.next_sequence = self.waiver.sequence + 1
            loan._record(self.change, self.timing)

    class CreditRefunded(Aggregate.Event):
        """`refund.amount` of the credit balance paid back to the borrower."""

        value_date: date
        refund: RefundRecord
        change: LedgerChange
        timing: Timing | None = None

        def apply(self, aggregate: Any) -> None:
            loan: LoanRecord = aggregate
            loan.refunds[self.refund.id] = self.refund
            loan.next_sequence = self.refund.sequence + 1
            loan._record(self.change, self.timing)

    def add_charge(
        self,
        *,
        actor: str,
        code: str,
        installment: int,
        reason: str,
        today: date,
        amount: Decimal | None = None,
    ) -> None:
        """Add the product's `specified_due_date` charge `code` to `installment`, on
        business date `today`; `amount` (default: the definition's) at the minor unit."""
        require("charge", self.status)
        reason = checked_reason(reason)
        product = self.application.product
        wanted = code.strip().upper()
        definition = next((c for c in product.charges if c.code == wanted), None)
        if definition is None:
            raise InvalidValue(
                "code", f"product {self.application.product_code} has no charge {wanted}"
            )
        if definition.kind is not ChargeKind.SPECIFIED_DUE_DATE:
            raise InvalidValue(
                "code",
                f"charge {wanted} is of kind {definition.kind.value}, not specified_due_date",
            )
        item = self._scheduled_installment(installment)
        places = self.application.minor_unit
        if amount is None:
            fee = definition.on_installment(item, Rounder.of(places, product.rounding))
        else:
            fee = checked_amount(amount, "amount", places)
        if fee == 0:
            raise InvalidValue("amount", "must be positive")
        sequence = self.next_sequence
        charge = Charge(installment, Component.FEE, fee, today, f"charge:{sequence}")
        inputs = self._inputs(charges=[*self.added_charges.values(), charge])
        after, change = self._recompute(today, inputs=inputs)
        self.trigger_event(
            self.ChargeAdded,
            actor=actor,
            value_date=today,
            code=definition.code,
            name=definition.name,
            reason=reason,
            sequence=sequence,
            charge=charge,
            change=change,
            timing=self._timing(today, after.installments),
        )

    def waive(
        self,
        *,
        actor: str,
        component: str,
        amount: Decimal,
        reason: str,
        today: date,
        installment: int | None = None,
    ) -> None:
        """Forgive `amount` of `component` due and unpaid on business date `today` (on
        `installment`, or oldest first); never by the loan's own officer."""
        require("waive", self.status)
        if actor == self.application.officer:
            raise Refused(
                f"{actor} is the loan's officer: a waiver needs someone else (maker-checker)"
            )
        reason = checked_reason(reason)
        try:
            waived = Component(component)
        except ValueError:
            waived = Component.PRINCIPAL  # refused just below, as principal is
        if waived not in WAIVABLE:
            raise InvalidValue("component", "must be fee, penalty or interest")
        exact = self._positive(amount)
        if installment is not None:
            self._scheduled_installment(installment)
        sequence = self.next_sequence
        waiver = Waiver(f"waiver:{sequence}", waived, exact, today, sequence, installment)
        inputs = self._inputs(waivers=[*self.waivers.values(), waiver])
        after, change = self._recompute(today, inputs=inputs)
        (result,) = [r for r in after.waivers if r.waiver_id == waiver.id]
        if result.waived < exact:
            where = "" if installment is None else f" on installment {installment}"
            raise InvalidValue(
                "amount",
                f"must be at most {result.waived}, the {waived.value} due and unpaid{where}",
            )
        self.trigger_event(
            self.Waived,
            actor=actor,
            value_date=today,
            reason=reason,
            waiver=waiver,
            change=change,
            timing=self._timing(today, after.installments),
        )
        self._settle(actor, today, today)

    def refund_credit(
        self, *, actor: str, amount: Decimal, channel: str, reference: str, today: date
    ) -> None:
        """Pay `amount` of the credit balance back on business date `today`."""
        require("refund", self.status)
        exact = self._positive(amount)
        channel, reference = channel.strip().lower(), reference.strip()
        for field, value in (("channel", channel), ("reference", reference)):
            if not value:
                raise InvalidValue(field, "must not be empty")
        repeated = self.refund_by(channel, reference)
        if repeated is not None:
            raise Conflict(
                f"reference {reference} on {channel} is refund {repeated.id} of {repeated.amount}"
            )
        assert self.balances is not None
        credit = self.balances.credit
        if exact > credit:
            raise InvalidValue("amount", f"must be at most the credit balance {credit}")
        sequence = self.next_sequence
        refund = RefundRecord(
            id=f"refund:{sequence}",
            amount=exact,
            value_date=today,
            sequence=sequence,
            channel=channel,
            reference=reference,
        )
        inputs = self._inputs(refunds=[*self.refunds.values(), refund])
        after, change = self._recompute(today, inputs=inputs)
        self.trigger_event(
            self.CreditRefunded,
            actor=actor,
            value_date=today,
            refund=refund,
            change=change,
            timing=self._timing(today, after.installments),
        )

    def refund_by(self, channel: str, reference: str) -> RefundRecord | None:
        """The refund recorded under this channel and reference, if any."""
        key = (channel.strip().lower(), reference.strip())
        return next((r for r in self.refunds.values() if (r.channel, r.reference) == key), None)

    def _scheduled_installment(self, number: int) -> Any:
        """Installment `number` of the schedule as it stands."""
        assert self.schedule is not None
        items = self.schedule.installments
        if isinstance(number, bool) or not 1 <= number <= len(items):
            raise InvalidValue(
                "installment", f"must be an installment number from 1 to {len(items)}"
            )
        return items[number - 1]

    def _positive(self, amount: Decimal) -> Decimal:
        exact = checked_amount(amount, "amount", self.application.minor_unit)
        if exact == 0:
            raise InvalidValue("amount", "must be positive")
        return exact
