"""REST commands that place work: a loan's officer, a borrower's office."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends

from application.assignments import AssignOfficer, TransferBorrower
from application.assignments import assign_officer as assign
from application.assignments import transfer_borrower as transfer
from domain.staff import Role
from infrastructure.tokens import User
from interfaces.rest.auth import require
from interfaces.rest.common import Accepted, App, Command, ExpectedVersion

router = APIRouter(tags=["staff"])


class AssignBody(Command):
    officer: UUID  # the staff user's id


@router.post("/loans/{loan_id}/assign")
def assign_officer(
    loan_id: UUID,
    body: AssignBody,
    app: App,
    version: ExpectedVersion,
    user: Annotated[User, Depends(require(Role.ADMIN, Role.APPROVER))],
) -> Accepted:
    """Assign the loan to a loan officer (an active user with that role)."""
    command = AssignOfficer(user.sub, loan_id, body.officer, expected_version=version)
    return Accepted.of(assign(app, command))


class TransferBody(Command):
    office: UUID


@router.post("/borrowers/{borrower_id}/transfer")
def transfer_borrower(
    borrower_id: UUID,
    body: TransferBody,
    app: App,
    version: ExpectedVersion,
    user: Annotated[User, Depends(require(Role.ADMIN))],
) -> Accepted:
    """The borrower belongs to `office` from now on."""
    command = TransferBorrower(user.sub, borrower_id, body.office, expected_version=version)
    return Accepted.of(transfer(app, command))
