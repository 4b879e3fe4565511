"""REST commands on repayments: receive and reverse."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from application import loans, reach, repayments
from domain.ledger import Prepayment
from infrastructure.tokens import Role, User
from interfaces.rest.auth import own_borrower_only, require
from interfaces.rest.common import (
    Accepted,
    App,
    BusinessDate,
    Command,
    Money,
    OptionalText,
    Reason,
    Repayments,
    Text,
)

router = APIRouter(prefix="/repayments", tags=["repayments"])

Payer = Annotated[User, Depends(require(Role.LOAN_OFFICER, Role.COLLECTOR, Role.BORROWER))]
Officer = Annotated[User, Depends(require(Role.LOAN_OFFICER))]


class RepaymentBody(Command):
    loan_id: UUID
    amount: Money
    value_date: BusinessDate
    channel: Text
    external_reference: Text
    payer: OptionalText = ""
    prepayment: Prepayment | None = None


class ReverseBody(Command):
    reason: Reason


@router.post("", status_code=201, responses={200: {"description": "already received"}})
def receive(body: RepaymentBody, app: App, user: Payer, writer: Repayments) -> JSONResponse:
    if user.is_borrower_only:
        own_borrower_only(user, loans.borrower_of(app, body.loan_id))
    reach.named_loan_in_reach(app, body.loan_id, user.office)
    command = repayments.ReceiveRepayment(actor=user.sub, **body.model_dump())
    written = writer.receive(command)
    # A repeated notification returns the same repayment and writes nothing.
    status = 201 if written.position else 200
    return JSONResponse(Accepted.of(written).model_dump(mode="json"), status_code=status)


@router.post("/{repayment_id}/reverse")
def reverse(repayment_id: UUID, body: ReverseBody, app: App, user: Officer) -> Accepted:
    command = repayments.ReverseRepayment(user.sub, repayment_id, body.reason)
    return Accepted.of(repayments.reverse_repayment(app, command))
