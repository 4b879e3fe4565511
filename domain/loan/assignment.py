"""The officer a loan is assigned to: the one who applied, until someone reassigns it.

The event is declared here and bound to `Loan` by eventsourcing (its topic is
`domain.loan.aggregate:Loan.OfficerAssigned`). It changes the application's officer,
which is what the read models and the portfolio's officer dimension follow.
"""

from __future__ import annotations

from typing import Any

from domain.errors import InvalidTransition, InvalidValue
from domain.loan.record import LoanRecord
from domain.loan.status import LoanStatus
from domain.model import Aggregate

# A loan no one works on any more keeps the officer it ended with.
FINISHED = (LoanStatus.REJECTED, LoanStatus.WITHDRAWN, LoanStatus.CLOSED)


class Assignment(LoanRecord):
    class OfficerAssigned(Aggregate.Event):
        officer: str
        previous: str

        def apply(self, aggregate: Any) -> None:
            loan: LoanRecord = aggregate
            loan.application = loan.application.model_copy(update={"officer": self.officer})

    def assign(self, *, actor: str, officer: str) -> None:
        """Assign the loan to `officer` (the application checks it is an active officer)."""
        if not officer.strip():
            raise InvalidValue("officer", "must not be empty")
        if self.status in FINISHED:
            raise InvalidTransition("assign an officer", f"the loan is {self.status.value}")
        if officer == self.application.officer:
            raise InvalidTransition("assign the officer", "the loan is assigned to them already")
        self.trigger_event(
            self.OfficerAssigned, actor=actor, officer=officer, previous=self.application.officer
        )
