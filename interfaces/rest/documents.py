"""Documents to read, print and send on: the loan contract, the statement of account
and a repayment's receipt (GET; the files are rendered by infrastructure/documents).

Staff of any role may read them; a borrower only those of its own loans (403 for
another borrower's). An unknown loan or repayment is 404. The contract is rendered
again from what its signing recorded: `X-Contract-SHA256` is the digest the signing
recorded, and the body hashes to it when given in the language signed.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from application import contracts, loans, statements
from infrastructure.documents.statement import receipt_pdf, statement_csv, statement_pdf
from infrastructure.tokens import Role, User
from interfaces.rest.auth import own_borrower_only, require
from interfaces.rest.common import App, BusinessDate

router = APIRouter(tags=["documents"])

STAFF = tuple(r for r in Role if r is not Role.BORROWER)
Reader = Annotated[User, Depends(require(*STAFF, Role.BORROWER))]
From = Annotated[BusinessDate | None, Query(alias="from", description="first date, included")]
To = Annotated[BusinessDate | None, Query(alias="to", description="last date, included")]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the PDF"}
}
CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "the CSV"}
}


def _pdf(content: bytes, name: str, **headers: str) -> Response:
    disposition = {"Content-Disposition": f'inline; filename="{name}"'}
    return Response(content, media_type="application/pdf", headers=disposition | headers)


@router.get("/loans/{loan_id}/contract.pdf", response_class=Response, responses=PDF)
def contract_pdf(
    loan_id: UUID, app: App, user: Reader, lang: Literal["zh", "en"] | None = None
) -> Response:
    """The signed contract, in the language signed unless `lang` asks for the other."""
    own_borrower_only(user, loans.borrower_of(app, loan_id))
    copy = contracts.contract_copy(app, loan_id, lang)
    headers = {"Content-Language": copy.language}
    if copy.recorded_sha256:
        headers["X-Contract-SHA256"] = copy.recorded_sha256
    return _pdf(copy.pdf, f"contract-{loan_id}.pdf", **headers)


def _statement(
    app: App, user: User, loan_id: UUID, start: date | None, end: date | None
) -> statements.Statement:
    statements.check_period(start, end)
    own_borrower_only(user, loans.borrower_of(app, loan_id))
    return statements.statement(app, loan_id, start, end)


@router.get("/loans/{loan_id}/statement.pdf", response_class=Response, responses=PDF)
def statement_as_pdf(
    loan_id: UUID, app: App, user: Reader, start: From = None, end: To = None
) -> Response:
    """Opening balance, every money event of the period, closing balance by component."""
    found = _statement(app, user, loan_id, start, end)
    return _pdf(statement_pdf(found), f"statement-{loan_id}.pdf")


@router.get("/loans/{loan_id}/statement.csv", response_class=Response, responses=CSV)
def statement_as_csv(
    loan_id: UUID, app: App, user: Reader, start: From = None, end: To = None
) -> Response:
    """The statement as CSV: an opening row, one row per line, a closing row."""
    found = _statement(app, user, loan_id, start, end)
    disposition = {"Content-Disposition": f'attachment; filename="statement-{loan_id}.csv"'}
    return Response(statement_csv(found), media_type="text/csv", headers=disposition)


@router.get("/repayments/{repayment_id}/receipt.pdf", response_class=Response, responses=PDF)
def receipt(repayment_id: UUID, app: App, user: Reader) -> Response:
    """The repayment's receipt, with its allocation as the loan now records it."""
    found = statements.receipt(app, repayment_id)
    own_borrower_only(user, found.borrower_id)
    return _pdf(receipt_pdf(found), f"receipt-{repayment_id}.pdf")
