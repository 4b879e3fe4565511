"""REST commands on an active loan's money: add a charge, waive, refund credit."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import Field

from application import charging
from domain.schedule import MAX_TERM
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.rest.common import (
    Accepted,
    App,
    Code,
    Command,
    ExpectedVersion,
    Money,
    Reason,
    Text,
)

router = APIRouter(prefix="/loans", tags=["loans"])

Officer = Annotated[User, Depends(require(Role.LOAN_OFFICER))]
Approver = Annotated[User, Depends(require(Role.APPROVER))]
Installment = Annotated[int, Field(ge=1, le=MAX_TERM)]


class ChargeBody(Command):
    code: Code
    installment: Installment
    reason: Reason
    amount: Money | None = None  # default: the product's definition of the charge


class WaiveBody(Command):
    component: Literal["fee", "penalty", "interest"]
    amount: Money
    reason: Reason
    installment: Installment | None = None  # default: oldest installment first


class RefundBody(Command):
    amount: Money
    channel: Text
    reference: Text


@router.post("/{loan_id}/charges")
def add_charge(
    loan_id: UUID, body: ChargeBody, app: App, user: Officer, version: ExpectedVersion
) -> Accepted:
    """Add the product's specified_due_date charge `code` to an installment."""
    command = charging.AddCharge(user.sub, loan_id, **body.model_dump(), expected_version=version)
    return Accepted.of(charging.add_charge(app, command))


@router.post("/{loan_id}/waive")
def waive(
    loan_id: UUID, body: WaiveBody, app: App, user: Approver, version: ExpectedVersion
) -> Accepted:
    """Forgive fee, penalty or interest due and unpaid; not by the loan's own officer."""
    command = charging.Waive(user.sub, loan_id, **body.model_dump(), expected_version=version)
    return Accepted.of(charging.waive(app, command))


@router.post("/{loan_id}/refund-credit")
def refund_credit(
    loan_id: UUID, body: RefundBody, app: App, user: Officer, version: ExpectedVersion
) -> Accepted:
    """Pay back credit balance; the same channel and reference again records nothing."""
    command = charging.RefundCredit(
        user.sub, loan_id, **body.model_dump(), expected_version=version
    )
    return Accepted.of(charging.refund_credit(app, command))
