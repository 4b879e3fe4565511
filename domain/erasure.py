"""Erasing a borrower's personal data (crypto-shredding), asked by one admin, approved
by another.

The personal fields of a borrower's events (name, id number, phone, address, email,
birth date, the phone's lookup digest) and of its loans' disbursement accounts are
stored sealed with a data key of the borrower's own; erasure destroys that key, so the
events still load, every figure and trail stays, and the fields read as `ERASED`
(birth date and digests as None).

Erasure is refused while a loan of the borrower is not finished (submitted, approved,
signed or active) and, for `retention_years` after the last thing that happened to any
of its loans (closed, written off, rejected, withdrawn, or a refund after that), the
lender must keep the records. A borrower without loans may be erased at once. Every
date is a business date.

`Erasing` holds the commands and events; the events are declared here and bound to
`Borrower` by eventsourcing (their topics are `domain.borrower:Borrower.ErasureRequested`
and `domain.borrower:Borrower.Erased`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import Field

from domain.errors import InvalidTransition, InvalidValue, Refused
from domain.loan.status import LoanStatus
from domain.model import Aggregate, Immutable

ERASED = "[erased]"
UNFINISHED = (LoanStatus.SUBMITTED, LoanStatus.APPROVED, LoanStatus.SIGNED, LoanStatus.ACTIVE)


class ErasurePolicy(Immutable):
    """How long after a borrower's last loan ended its records must be kept."""

    retention_years: int = Field(default=5, ge=0, le=100)


class LoanEnd(Immutable):
    """What erasure asks of each of the borrower's loans: its status and the business
    date of the last thing that happened to it."""

    loan_id: UUID
    status: LoanStatus
    last_activity: date


class ErasureRequest(Immutable):
    reason: str
    requested_by: str
    on: date


def retained_until(loans: Iterable[LoanEnd], policy: ErasurePolicy) -> date | None:
    """The first business date the borrower may be erased on; None: at once."""
    ends = [loan.last_activity for loan in loans]
    if not ends:
        return None
    last = max(ends)
    return _years_after(last, policy.retention_years)


def check_erasable(loans: Iterable[LoanEnd], on: date, policy: ErasurePolicy) -> None:
    """InvalidTransition while a loan is unfinished or the records must be kept."""
    loans = list(loans)
    for loan in loans:
        if loan.status in UNFINISHED:
            raise InvalidTransition("erase the borrower", f"loan {loan.loan_id} is {loan.status}")
    until = retained_until(loans, policy)
    if until is not None and on < until:
        raise InvalidTransition(
            "erase the borrower", f"its records are retained until {until.isoformat()}"
        )


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without it
        return day.replace(year=day.year + years, day=28)


class Erasing:
    """The borrower's erasure commands and events (mixed into `Borrower`)."""

    if TYPE_CHECKING:  # assigned by events
        erasure_request: ErasureRequest | None
        erased_on: date | None

        def trigger_event(self, event_class: Any, **kwargs: Any) -> None: ...

    class ErasureRequested(Aggregate.Event):
        reason: str
        value_date: date

        def apply(self, aggregate: Any) -> None:
            aggregate.erasure_request = ErasureRequest(
                reason=self.reason, requested_by=self.actor, on=self.value_date
            )

    class Erased(Aggregate.Event):
        """The borrower's data key is destroyed: its personal fields read as ERASED."""

        reason: str
        value_date: date
        requested_by: str
        retained_until: date | None
        loan_ids: tuple[UUID, ...] = ()  # whose keys (disbursement accounts, payers) went too

        def apply(self, aggregate: Any) -> None:
            aggregate.erasure_request = None
            aggregate.erased_on = self.value_date
            erase_state(aggregate)

    @property
    def is_erased(self) -> bool:
        return getattr(self, "erased_on", None) is not None

    def erase(
        self, *, actor: str, reason: str, on: date, loans: Iterable[LoanEnd], policy: ErasurePolicy
    ) -> bool:
        """Ask for the erasure, or approve another admin's request: True once erased.
        Both check the loans and the retention period on the business date `on`."""
        if self.is_erased:
            raise InvalidTransition("erase the borrower", "it is erased already")
        if not reason.strip():
            raise InvalidValue("reason", "must not be empty")
        loans = list(loans)
        check_erasable(loans, on, policy)
        request = getattr(self, "erasure_request", None)
        if request is None:
            self.trigger_event(
                self.ErasureRequested, actor=actor, reason=reason.strip(), value_date=on
            )
            return False
        if request.requested_by == actor:
            raise Refused(f"{actor} asked for the erasure: another admin must approve it")
        self.trigger_event(
            self.Erased,
            actor=actor,
            reason=request.reason,
            value_date=on,
            requested_by=request.requested_by,
            retained_until=retained_until(loans, policy),
            loan_ids=tuple(loan.loan_id for loan in loans),
        )
        return True


def erase_state(borrower: Any) -> None:
    """The borrower's personal attributes, as they read once its key is destroyed."""
    borrower.id_number = ERASED
    borrower.birth_date = None
    profile = borrower.profile
    borrower.profile = profile.model_copy(
        update={
            "name": ERASED,
            "phone": ERASED,
            "address": ERASED,
            "email": None if profile.email is None else ERASED,
        }
    )
