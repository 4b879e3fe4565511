"""REST commands on loans: the lifecycle from application to disbursement."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends

from application import loans, reach
from domain.approval import ApprovalRole, Signer
from domain.loan import Disbursement
from domain.schedule import Frequency, Method
from infrastructure.tokens import Role, User
from interfaces.rest.auth import own_borrower_only, require
from interfaces.rest.common import (
    Accepted,
    App,
    BusinessDate,
    Code,
    Command,
    ExpectedVersion,
    Money,
    Note,
    OptionalReason,
    Percent,
    Reason,
    Term,
    Text,
)

router = APIRouter(prefix="/loans", tags=["loans"])

Officer = Annotated[User, Depends(require(Role.LOAN_OFFICER))]
OfficerOrBorrower = Annotated[User, Depends(require(Role.LOAN_OFFICER, Role.BORROWER))]
Approver = Annotated[User, Depends(require(Role.APPROVER))]
# Approve and reject sign the pending approval level; the case checks the level's role.
Reviewer = Annotated[User, Depends(require(Role.REVIEWER, Role.APPROVER))]


class ApplyBody(Command):
    borrower_id: UUID
    product_code: Code
    principal: Money
    term: Term
    frequency: Frequency
    method: Method
    purpose: Text
    annual_rate_percent: Percent | None = None
    # The value of collateral offered: the assessment lends up to its loan-to-value.
    collateral_value: Money | None = None


class ApproveBody(Command):
    """The caller's step at the pending level; the figures only at the final level."""

    principal: Money | None = None
    annual_rate_percent: Percent | None = None
    term: Term | None = None
    note: Note = ""
    # Required when the final approval goes against the assessment (grade, flags, limit).
    override_reason: Note = ""


class ReasonBody(Command):
    reason: Reason


class WithdrawBody(Command):
    reason: OptionalReason = ""


class SignBody(Command):
    signed_on: BusinessDate
    # The contract document's language: Chinese, or English (GET .../contract.pdf).
    language: Literal["zh", "en"] = "zh"


class DisburseBody(Command):
    value_date: BusinessDate
    account: Text
    channel: Text
    reference: Text


@router.post("", status_code=201)
def apply(body: ApplyBody, app: App, user: OfficerOrBorrower) -> Accepted:
    own_borrower_only(user, body.borrower_id)
    reach.named_borrower_in_reach(app, body.borrower_id, user.office)
    command = loans.SubmitApplication(actor=user.sub, office=user.office, **body.model_dump())
    return Accepted.of(loans.submit_application(app, command))


def signer(user: User) -> Signer:
    roles = [ApprovalRole(r.value) for r in (Role.REVIEWER, Role.APPROVER) if r in user.roles]
    return Signer.of(user.sub, *roles)


@router.post("/{loan_id}/approve")
def approve(
    loan_id: UUID, body: ApproveBody, app: App, user: Reviewer, version: ExpectedVersion
) -> Accepted:
    """Sign the pending level: a review by a reviewer, the final approval by an approver."""
    command = loans.Approve(signer(user), loan_id, **body.model_dump(), expected_version=version)
    return Accepted.of(loans.approve(app, command))


@router.post("/{loan_id}/reject")
def reject(
    loan_id: UUID, body: ReasonBody, app: App, user: Reviewer, version: ExpectedVersion
) -> Accepted:
    """Decline at the pending level, whichever it is; the loan is rejected."""
    command = loans.Reject(signer(user), loan_id, body.reason, version)
    return Accepted.of(loans.reject(app, command))


@router.post("/{loan_id}/withdraw")
def withdraw(
    loan_id: UUID, body: WithdrawBody, app: App, user: OfficerOrBorrower, version: ExpectedVersion
) -> Accepted:
    own_borrower_only(user, loans.borrower_of(app, loan_id))
    command = loans.Withdraw(user.sub, loan_id, body.reason, version)
    return Accepted.of(loans.withdraw(app, command))


@router.post("/{loan_id}/sign")
def sign(
    loan_id: UUID, body: SignBody, app: App, user: OfficerOrBorrower, version: ExpectedVersion
) -> Accepted:
    own_borrower_only(user, loans.borrower_of(app, loan_id))
    command = loans.Sign(user.sub, loan_id, body.signed_on, version, body.language)
    return Accepted.of(loans.sign(app, command))


@router.post("/{loan_id}/disburse")
def disburse(
    loan_id: UUID, body: DisburseBody, app: App, user: Officer, version: ExpectedVersion
) -> Accepted:
    disbursement = Disbursement(**body.model_dump())
    command = loans.Disburse(user.sub, loan_id, disbursement, version)
    return Accepted.of(loans.disburse(app, command))


class WriteOffBody(Command):
    value_date: BusinessDate
    reason: Reason


class RescheduleBody(Command):
    from_date: BusinessDate
    reason: Reason
    new_term: Term | None = None
    new_rate_percent: Percent | None = None


@router.post("/{loan_id}/write-off")
def write_off(
    loan_id: UUID, body: WriteOffBody, app: App, user: Approver, version: ExpectedVersion
) -> Accepted:
    command = loans.WriteOff(user.sub, loan_id, body.value_date, body.reason, version)
    return Accepted.of(loans.write_off(app, command))


@router.post("/{loan_id}/reschedule")
def reschedule(
    loan_id: UUID, body: RescheduleBody, app: App, user: Approver, version: ExpectedVersion
) -> Accepted:
    command = loans.Reschedule(user.sub, loan_id, **body.model_dump(), expected_version=version)
    return Accepted.of(loans.reschedule(app, command))
