"""Borrowers log in with a one-time code sent by SMS (application/borrower_login.py).

Both paths are open (they take a phone, not a token) and limited as every /auth/* path
is, per client and per phone. `POST /auth/borrower/code` answers 202 the same whether
or not the phone is a borrower's, and sends the SMS after the answer has gone, so its
timing tells nothing either; a send that fails is logged (without phone or code).
`POST /auth/borrower/logout` (with the borrower's token) ends the token's session.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, Response
from pydantic import BaseModel

from application.borrower_login import LogIn, RequestCode, log_in, request_code
from application.notice_delivery import Message, Sender
from application.staff.login import Logout, logout
from infrastructure.runtime import Runtime
from infrastructure.tokens import Role, User, issue
from interfaces.rest.auth import require
from interfaces.rest.common import App, Command, Secret, Text
from projections.borrowers import borrower_ids_with_phone

log = logging.getLogger(__name__)
router = APIRouter(prefix="/auth/borrower", tags=["auth"])
PATHS = frozenset({"/auth/borrower/code", "/auth/borrower/login"})


class CodeBody(Command):
    phone: Text


class BorrowerLoginBody(Command):
    phone: Text
    code: Secret
    # The last 4 characters of the id number: asked for only when several borrowers
    # share the phone (422 naming it, once the code is right); ignored otherwise.
    id_number_last4: Secret | None = None


class CodeRequested(BaseModel):
    detail: str = "if the phone is a borrower's, a code is on its way by SMS"
    expires_in: int  # seconds a code holds


class BorrowerToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int  # seconds the token holds
    borrower_id: UUID


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _send(sender: Sender, message: Message) -> None:
    try:
        sender.send(message)
    except Exception as failure:  # the gateway: the kind of failure, never the message
        log.warning("a login code SMS was not sent: %s", type(failure).__name__)


@router.post("/code", status_code=202, responses={429: {"description": "too many codes"}})
def send_code(
    body: CodeBody, request: Request, app: App, background: BackgroundTasks
) -> CodeRequested:
    """A one-time code by SMS to the phone, if a borrower has it. 422 for a phone that
    is not one; 429 (Retry-After) past the codes a phone may have in an hour."""
    runtime: Runtime = request.app.state.runtime
    datastore = runtime.projections.datastore

    def borrowers_with(digest: str) -> list[UUID]:
        return borrower_ids_with_phone(datastore, digest)

    command = RequestCode(body.phone, _client(request), datetime.now(UTC))
    message = request_code(app, command, borrowers_with)
    if message is not None:
        background.add_task(_send, request.app.state.sms, message)
    return CodeRequested(expires_in=app.policies.codes.valid_minutes * 60)


@router.post("/login")
def log_in_borrower(body: BorrowerLoginBody, request: Request, app: App) -> BorrowerToken:
    """A borrower token for the phone's live code, naming the session it starts. A wrong,
    expired or used code and an unknown phone get the same 401; wrong codes count, and
    enough void the code. For a phone several borrowers share, the right code needs
    `id_number_last4` fitting one of them (422 naming it otherwise)."""
    holds = timedelta(minutes=request.app.state.runtime.settings.borrower_token_minutes)
    command = LogIn(
        body.phone, body.code, _client(request), datetime.now(UTC), holds, body.id_number_last4
    )
    session = log_in(app, command)
    token = issue(
        request.app.state.jwt_secret, str(session.borrower_id), [Role.BORROWER], holds,
        session=session.session_id,
    )  # fmt: skip
    return BorrowerToken(
        access_token=token, expires_in=int(holds.total_seconds()), borrower_id=session.borrower_id
    )


@router.post("/logout", status_code=204)
def log_out_borrower(app: App, user: Annotated[User, Depends(require(Role.BORROWER))]) -> Response:
    """End the session of the borrower's token: the next request with it is 401."""
    if user.session is None:
        raise HTTPException(409, "this token belongs to no session")
    logout(app, Logout(user.sub, user.session, datetime.now(UTC)))
    return Response(status_code=204)
