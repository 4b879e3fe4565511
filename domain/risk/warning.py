"""A risk warning: raised once by a rule, then acknowledged and resolved by a risk officer.

Its id is derived from (rule, subject, threshold) (see `domain.risk.findings`), so a
second raise of the same warning writes the same aggregate at version 1 and the event
store refuses it: a warning can never be raised twice, even by two processes at once.

Status: OPEN -> ACKNOWLEDGED -> RESOLVED, or OPEN -> RESOLVED directly.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import event

from domain.errors import InvalidTransition, InvalidValue
from domain.model import Aggregate
from domain.risk.findings import Finding
from domain.risk.rules import Severity, WarningRule

MAX_NOTE = 2000


class WarningStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class RiskWarning(Aggregate):
    if TYPE_CHECKING:  # assigned by events; annotations here would become __init__ fields
        rule: WarningRule
        severity: Severity
        status: WarningStatus
        subject: str
        threshold: Decimal
        loan_id: UUID | None
        borrower_id: UUID | None
        raised_on: date
        detail: str

    class Raised(Aggregate.Created):
        rule: WarningRule
        severity: Severity
        subject: str
        threshold: Decimal
        loan_id: UUID | None
        borrower_id: UUID | None
        raised_on: date
        detail: str

        def apply(self, aggregate: Any) -> None:
            aggregate.rule = self.rule
            aggregate.severity = self.severity
            aggregate.status = WarningStatus.OPEN
            aggregate.subject = self.subject
            aggregate.threshold = self.threshold
            aggregate.loan_id = self.loan_id
            aggregate.borrower_id = self.borrower_id
            aggregate.raised_on = self.raised_on
            aggregate.detail = self.detail

    @classmethod
    def raise_for(cls, *, actor: str, finding: Finding, on: date) -> RiskWarning:
        """The warning for `finding`, raised on business date `on`."""
        return cls._create(
            cls.Raised,
            id=finding.id,
            actor=actor,
            rule=finding.rule,
            severity=finding.severity,
            subject=finding.subject,
            threshold=finding.threshold,
            loan_id=finding.loan_id,
            borrower_id=finding.borrower_id,
            raised_on=on,
            detail=finding.detail,
        )

    def acknowledge(self, *, actor: str, on: date, note: str = "") -> None:
        """Someone is looking into it (on business date `on`)."""
        note = _note(note)
        if self.status is not WarningStatus.OPEN:
            raise InvalidTransition("acknowledge", f"the warning is {self.status.value}")
        self._acknowledged(actor=actor, on=on, note=note)

    @event("Acknowledged")
    def _acknowledged(self, actor: str, on: date, note: str) -> None:
        self.status = WarningStatus.ACKNOWLEDGED

    def resolve(self, *, actor: str, on: date, note: str) -> None:
        """Close the warning, saying what was done about it."""
        note = _note(note)
        if not note:
            raise InvalidValue("note", "must say how the warning was resolved")
        if self.status is WarningStatus.RESOLVED:
            raise InvalidTransition("resolve", "the warning is already resolved")
        self._resolved(actor=actor, on=on, note=note)

    @event("Resolved")
    def _resolved(self, actor: str, on: date, note: str) -> None:
        self.status = WarningStatus.RESOLVED


def _note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidValue("note", f"must be at most {MAX_NOTE} characters")
    return note
