"""Who looks after a loan, and which office a borrower belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.app import LendingApplication, Written, check_version
from application.loans import act_on_loan
from application.offices import existing_office
from domain.borrower import Borrower
from domain.errors import InvalidValue, NotFound
from domain.staff import Role, StaffUser


@dataclass(frozen=True)
class AssignOfficer:
    actor: str
    loan_id: UUID
    officer: UUID  # a staff user with the loan_officer role
    expected_version: int | None = None


def assign_officer(app: LendingApplication, command: AssignOfficer) -> Written:
    try:
        officer = app.load(StaffUser, command.officer, "user")
    except NotFound:
        raise InvalidValue("officer", "no staff user has this id") from None
    if not officer.active or Role.LOAN_OFFICER not in officer.roles:
        raise InvalidValue("officer", "must be an active user with the loan_officer role")
    return act_on_loan(
        app,
        command.loan_id,
        command.expected_version,
        lambda loan: loan.assign(actor=command.actor, officer=str(officer.id)),
    )


@dataclass(frozen=True)
class TransferBorrower:
    actor: str
    borrower_id: UUID
    office: UUID
    expected_version: int | None = None


def transfer_borrower(app: LendingApplication, command: TransferBorrower) -> Written:
    existing_office(app, command.office, "office", command.actor)

    def attempt() -> Written:
        borrower = app.load(Borrower, command.borrower_id, "borrower")
        check_version(borrower, command.expected_version)
        borrower.transfer(actor=command.actor, office=command.office)
        return app.save_all(borrower)

    return app.retrying(attempt)
