"""What a member of staff may reach: records of their office and of the offices below it.

Each check answers NotFound, as for an id no record has, when the record is out of the
caller's reach (`domain.office.within`): a branch learns nothing of another branch's
borrowers, not even that they exist. `reach` is the caller's office; None (and the head
office) reach everything. A loan belongs to the office recorded at its application, a
borrower to its office as last transferred; a repayment and a risk warning to their
loan's (a warning about a borrower alone, to the borrower's).
"""

from __future__ import annotations

from uuid import UUID

from application.app import LendingApplication
from domain.borrower import Borrower
from domain.errors import InvalidValue, NotFound
from domain.loan import Loan
from domain.office import HEAD_OFFICE_ID, Office, within
from domain.repayment import Repayment
from domain.risk import RiskWarning


def parent_office(app: LendingApplication, office_id: UUID) -> UUID | None:
    """The office above `office_id` (None for the head office and unknown offices)."""
    try:
        return app.load(Office, office_id, "office").parent_id
    except NotFound:
        return None


def reaches(app: LendingApplication, reach: UUID | None, office: UUID | None) -> bool:
    """Whether staff of office `reach` reach a record of `office`."""
    return within(office, reach, lambda child: parent_office(app, child))


def everywhere(reach: UUID | None) -> bool:
    """Whether `reach` reaches every record: nothing need be loaded to check one."""
    return reach is None or reach == HEAD_OFFICE_ID


def loan_in_reach(app: LendingApplication, loan_id: UUID, reach: UUID | None) -> None:
    """NotFound if the loan `loan_id` is out of reach (or, for a caller who does not
    reach every office, if there is none)."""
    if everywhere(reach):
        return
    loan = app.load(Loan, loan_id, "loan")
    if not reaches(app, reach, loan.application.office):
        raise NotFound("loan", loan_id)


def borrower_in_reach(app: LendingApplication, borrower_id: UUID, reach: UUID | None) -> None:
    """NotFound if the borrower is out of reach (see `loan_in_reach`)."""
    if everywhere(reach):
        return
    borrower = app.load(Borrower, borrower_id, "borrower")
    if not reaches(app, reach, borrower.office):
        raise NotFound("borrower", borrower_id)


def repayment_in_reach(app: LendingApplication, repayment_id: UUID, reach: UUID | None) -> None:
    """NotFound if the repayment's loan is out of reach (see `loan_in_reach`)."""
    if everywhere(reach):
        return
    repayment = app.load(Repayment, repayment_id, "repayment")
    try:
        loan_in_reach(app, repayment.receipt.loan_id, reach)
    except NotFound:
        raise NotFound("repayment", repayment_id) from None


def warning_in_reach(app: LendingApplication, warning_id: UUID, reach: UUID | None) -> None:
    """NotFound if no risk warning has `warning_id` or its loan (or borrower) is out of
    reach; a portfolio-wide warning, of neither, only the whole-book reach sees."""
    if everywhere(reach):
        return
    warning = app.load(RiskWarning, warning_id, "risk warning")
    try:
        if warning.loan_id is not None:
            loan_in_reach(app, warning.loan_id, reach)
        elif warning.borrower_id is not None:
            borrower_in_reach(app, warning.borrower_id, reach)
        else:
            raise NotFound("risk warning", warning_id)
    except NotFound:
        raise NotFound("risk warning", warning_id) from None


def named_loan_in_reach(app: LendingApplication, loan_id: UUID, reach: UUID | None) -> None:
    """For a command whose body names the loan: InvalidValue on `loan_id`, as for an id
    no loan has, when it is out of reach."""
    try:
        loan_in_reach(app, loan_id, reach)
    except NotFound:
        raise InvalidValue("loan_id", "no loan has this id") from None


def named_borrower_in_reach(app: LendingApplication, borrower_id: UUID, reach: UUID | None) -> None:
    """For a command whose body names the borrower: InvalidValue on `borrower_id`, as for
    an id no borrower has, when it is out of reach."""
    try:
        borrower_in_reach(app, borrower_id, reach)
    except NotFound:
        raise InvalidValue("borrower_id", "no borrower has this id") from None
