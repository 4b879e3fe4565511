"""Close of business on a loan: it is looked at on the days something may happen to it.

Those days are the loan's own decision: every event after disbursement records its
`Timing`, whose `next_review` is the first business date close of business must load
the loan. A loan whose last event predates timing (an older store) is reviewed once,
at the next close of business, and records a `Reviewed` event carrying it.

The events are declared here and bound to `Loan` by eventsourcing, which subclasses
them on the aggregate: their topics are `domain.loan.aggregate:Loan.<name>`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.loan.accounting import LedgerChange
from domain.loan.delinquency import Delinquency, Timing, changed
from domain.loan.record import LoanRecord
from domain.loan.status import LoanStatus
from domain.model import Aggregate


class CloseOfBusiness(LoanRecord):
    class ChargesRecorded(Aggregate.Event):
        """Late fees and penalty interest that fell due on `value_date`."""

        value_date: date
        change: LedgerChange
        timing: Timing | None = None

        def apply(self, aggregate: Any) -> None:
            aggregate._record(self.change, self.timing)

    class DelinquencyChanged(Aggregate.Event):
        """DPD, bucket and tier on `value_date` (a business date), when they moved."""

        value_date: date
        delinquency: Delinquency
        timing: Timing | None = None

        def apply(self, aggregate: Any) -> None:
            aggregate.delinquency = self.delinquency
            aggregate.timing = self.timing

    class Reviewed(Aggregate.Event):
        """The timing of a loan whose record had none (its events predate timing)."""

        value_date: date
        timing: Timing

        def apply(self, aggregate: Any) -> None:
            aggregate.timing = self.timing

    def close_day(self, *, actor: str, on: date) -> None:
        """Record what business date `on` brings: late fees and penalty interest falling
        due, then any change of delinquency. Nothing is recorded for a quiet day, unless
        the record holds no timing yet."""
        if self.status is LoanStatus.ACTIVE:
            after, change = self._recompute(on)
            if not change.is_empty:
                timing = self._timing(on, after.installments)
                self.trigger_event(
                    self.ChargesRecorded, actor=actor, value_date=on, change=change, timing=timing
                )
        self.review_delinquency(actor=actor, on=on)
        if self.status is LoanStatus.ACTIVE and self.timing is None:
            self.trigger_event(self.Reviewed, actor=actor, value_date=on, timing=self._timing(on))

    def review_delinquency(self, *, actor: str, on: date) -> None:
        """Record DPD, bucket and tier on business date `on` if they differ from the record
        (after a payment, a reversal or a reschedule, and at close of business)."""
        if self.status not in (LoanStatus.ACTIVE, LoanStatus.CLOSED):
            return
        found = changed(self.installments.values(), self.delinquency, on)
        if found is not None:
            timing = self._timing(on, delinquency=found)
            self.trigger_event(
                self.DelinquencyChanged,
                actor=actor,
                value_date=on,
                delinquency=found,
                timing=timing,
            )
