"""Erasing a borrower's personal data: one admin asks, another approves (domain/erasure.py).

On approval the `Erased` event is saved first, then the borrower's data key and its
loans' keys are destroyed. If the destruction fails after the save, the event says
they must go: the same command sent again destroys them and answers that the
borrower is erased already (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.app import LendingApplication, Written, check_version
from application.calendar import business_date
from domain.borrower import Borrower
from domain.claims import Claim
from domain.erasure import LoanEnd
from domain.errors import Conflict
from domain.loan import Loan


@dataclass(frozen=True)
class EraseBorrower:
    actor: str
    borrower_id: UUID
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ErasureResult:
    written: Written
    erased: bool  # False: the request is recorded, waiting for a second admin
    destroyed: tuple[str, ...] = ()  # the data keys destroyed


def erase_borrower(app: LendingApplication, command: EraseBorrower) -> ErasureResult:
    """Ask for the borrower's erasure, or approve another admin's request and erase.
    Refused (409) while a loan is unfinished, within the retention period, or for a
    borrower registered before per-borrower keys (its fields were never sealed)."""
    keys = app.personal_keys
    if keys is None:
        raise RuntimeError("erasure needs the personal data keys: the runtime passes them")
    on = business_date(app, command.actor)
    loan_ids: list[UUID] = []

    def attempt() -> tuple[Written, bool]:
        borrower = app.load(Borrower, command.borrower_id, "borrower")
        check_version(borrower, command.expected_version)
        loans = loan_ends(app, borrower)
        loan_ids[:] = [loan.loan_id for loan in loans]
        number = borrower.id_number  # before the erasure's event blanks it
        if borrower.is_erased:  # the keys may have outlived an earlier approval
            keys.destroy(borrower.id, loan_ids)
        elif not keys.holds(borrower.id):
            raise Conflict(
                f"borrower {borrower.id} was registered before personal data had keys of "
                "its own: its events hold the fields under the store's key, so they "
                "cannot be erased by destroying a key"
            )
        erased = borrower.erase(
            actor=command.actor,
            reason=command.reason,
            on=on,
            loans=loans,
            policy=app.policies.erasure,
        )
        if not erased:
            return app.save_all(borrower), erased
        # The id number is free again: the person may register anew.
        claim_id = id_number_claim_of(app, number)
        if not app.exists(claim_id):
            return app.save_all(borrower), erased
        claim = app.load(Claim, claim_id, "claim")
        if claim.owner_id == borrower.id:
            claim.release(actor=command.actor)
        return app.save_all(borrower, claim), erased

    written, erased = app.retrying(attempt)
    if not erased:
        return ErasureResult(written, False)
    destroyed = keys.destroy(command.borrower_id, loan_ids)
    app.forget_cached([command.borrower_id, *loan_ids, *_repayments(app, loan_ids)])
    return ErasureResult(written, True, tuple(destroyed))


def id_number_claim_of(app: LendingApplication, number: str) -> UUID:
    return app.claim_id("id_number", number)


def loan_ends(app: LendingApplication, borrower: Borrower) -> list[LoanEnd]:
    """Each of the borrower's loans: its status and the business date it last changed.
    The borrower keeps its applications; the `loans` read model also knows those applied
    for before it did."""
    recorded = [applied.loan_id for applied in borrower.applications]
    listed = app.applicant_records.loan_ids(borrower.id) if app.has_applicant_records else []
    ids = list(dict.fromkeys([*recorded, *listed]))
    ends = []
    for loan_id in ids:
        loan = app.load(Loan, loan_id, "loan")
        ends.append(LoanEnd(loan_id=loan_id, status=loan.status,
                            last_activity=_last_activity(app, loan_id)))  # fmt: skip
    return ends


def _last_activity(app: LendingApplication, loan_id: UUID) -> date:
    """The latest value date among the loan's events (a money event's), else the day its
    last event was recorded (a refusal or a withdrawal carries no value date)."""
    events = app.events_of(loan_id)
    dated: list[date] = [
        e.value_date for e in events if isinstance(getattr(e, "value_date", None), date)
    ]
    if dated:
        return max(dated)
    last: date = events[-1].timestamp.date()
    return last


def _repayments(app: LendingApplication, loan_ids: list[UUID]) -> list[UUID]:
    found: list[UUID] = []
    for loan_id in loan_ids:
        loan = app.load(Loan, loan_id, "loan")
        found.extend(UUID(str(repayment_id)) for repayment_id in loan.payments)
    return found
