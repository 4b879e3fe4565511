"""Payment platforms' callbacks: a borrower paid through the platform.

`POST /payments/callback/{channel}` takes no bearer token: the platform signs it
(infrastructure/payment_signatures.py), and the signature is checked on the raw body
before it is parsed. A bad or missing signature, a stale timestamp or a channel without
a secret is 401, and nothing is written. The platform's `transaction_id` is the
repayment's external reference on the channel, so the same callback sent again writes
nothing and answers exactly the same (the repayment's id derives from channel and
transaction id); sent again with other figures it is 409.
"""

from __future__ import annotations

import time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, ValidationError

from application import repayments
from application.group_commit import RepaymentWriter
from infrastructure.payment_signatures import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    BadSignature,
    verify,
)
from interfaces.rest.common import BusinessDate, Money, OptionalText, Text
from interfaces.text import CONTROL_CHARACTERS

router = APIRouter(prefix="/payments", tags=["payments"])
ONE_LINE = f"^[^{CONTROL_CHARACTERS}]*$"
# A channel is named as LENDING_PAYMENT_CHANNELS names it; one it does not name is 401.
ChannelName = Annotated[str, Path(min_length=1, max_length=64, pattern=ONE_LINE)]


class CallbackBody(BaseModel):
    """What the platform says was paid. Fields it adds beyond these are ignored."""

    model_config = ConfigDict(extra="ignore")

    transaction_id: Text
    loan_id: UUID
    amount: Money
    value_date: BusinessDate
    payer: OptionalText = ""


class Received(BaseModel):
    """The same for the first callback and for every replay of it."""

    repayment_id: UUID
    loan_id: UUID
    transaction_id: str
    status: str = "received"


def _actor(channel: str) -> str:
    return f"payment:{channel}"


def _receive(writer: RepaymentWriter, channel: str, body: CallbackBody) -> Received:
    command = repayments.ReceiveRepayment(
        actor=_actor(channel), loan_id=body.loan_id, amount=body.amount,
        value_date=body.value_date, channel=channel, external_reference=body.transaction_id,
        payer=body.payer,
    )  # fmt: skip
    written = writer.receive(command)
    return Received(
        repayment_id=written.id, loan_id=body.loan_id, transaction_id=body.transaction_id
    )


@router.post(
    "/callback/{channel}",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CallbackBody.model_json_schema()}},
        }
    },
    responses={401: {"description": "the signature does not verify; nothing is written"}},
)
async def callback(channel: ChannelName, request: Request) -> Received:
    """A payment the platform received for a loan, signed with the channel's secret."""
    raw = await request.body()
    settings = request.app.state.runtime.settings
    channel = channel.strip().lower()
    try:
        verify(
            settings.payment_channels.get(channel),
            request.headers.get(TIMESTAMP_HEADER),
            request.headers.get(SIGNATURE_HEADER),
            raw,
            time.time(),
            settings.payment_signature_tolerance,
        )
    except BadSignature as refused:
        raise HTTPException(401, str(refused)) from None
    try:
        body = CallbackBody.model_validate_json(raw)
    except ValidationError as invalid:
        raise RequestValidationError(invalid.errors()) from None
    writer: RepaymentWriter = request.app.state.repayments
    return await run_in_threadpool(_receive, writer, channel, body)
