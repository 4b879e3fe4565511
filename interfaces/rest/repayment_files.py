"""`POST /repayments/batch`: a bank's or platform's file of repayments, up to 10,000 rows.

The answer is 200 with one result a row, in order: received, already received (a row of
a file sent again) or refused with the field and the reason; the good rows land whatever
the others do. Only the batch itself (not a list, too many rows) is refused with 422.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from application.repayment_files import (
    MAX_ROWS,
    ImportRepayments,
    RepaymentRow,
    RowStatus,
    import_repayments,
)
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.rest.common import App, Command, OptionalText

router = APIRouter(prefix="/repayments", tags=["repayments"])
Importer = Annotated[User, Depends(require(Role.LOAN_OFFICER, Role.COLLECTOR))]
# Bigger than a command's body: 10,000 rows of about 150 bytes each.
BATCH_PATH = "/repayments/batch"


class RowBody(BaseModel):
    """A row as the file has it: every column text, a malformed one refusing the row
    (a control character anywhere, or a column past 200 characters, the batch)."""

    loan_id: OptionalText
    amount: OptionalText
    value_date: OptionalText
    channel: OptionalText
    external_reference: OptionalText
    payer: OptionalText = ""


class BatchBody(Command):
    rows: list[RowBody] = Field(min_length=1, max_length=MAX_ROWS)


class RowAnswer(BaseModel):
    line: int  # 1 for the first row
    external_reference: str
    status: RowStatus
    repayment_id: UUID | None
    position: int
    field: str | None
    reason: str | None


class BatchAnswer(BaseModel):
    received: int
    already_received: int
    refused: int
    position: int  # the last store position written (0: nothing new)
    rows: list[RowAnswer]


@router.post("/batch")
def receive_batch(body: BatchBody, app: App, user: Importer) -> BatchAnswer:
    rows = [RepaymentRow(n, **row.model_dump()) for n, row in enumerate(body.rows, start=1)]
    results = import_repayments(app, ImportRepayments(user.sub, rows, user.office))
    answers = [RowAnswer(**vars(result)) for result in results]
    count = {status: sum(a.status is status for a in answers) for status in RowStatus}
    return BatchAnswer(
        received=count[RowStatus.RECEIVED],
        already_received=count[RowStatus.ALREADY_RECEIVED],
        refused=count[RowStatus.REFUSED],
        position=max((a.position for a in answers), default=0),
        rows=answers,
    )
