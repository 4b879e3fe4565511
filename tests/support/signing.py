"""Take an application through its approval levels, each signed by another person, and
a loan all the way to its payout."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.app import LendingApplication, Written
from application.approvals import Approve, approve, overrides_needed, pending
from application.borrowers import RegisterBorrower, register_borrower
from application.loans import Disburse, Sign, SubmitApplication, disburse, sign, submit_application
from domain.approval import ApprovalRole, Signer
from domain.borrower import BorrowerKind, Profile
from domain.loan import Disbursement
from domain.schedule import Frequency, Method

QIAN = Signer.of("reviewer.qian", ApprovalRole.REVIEWER)
HE = Signer.of("reviewer.he", ApprovalRole.REVIEWER)
SUN = Signer.of("approver.sun", ApprovalRole.APPROVER)
OVERRIDE = "the site visit and the guarantor outweigh the model"


def signed_through(app: LendingApplication, loan_id: UUID, **figures: Any) -> Written | None:
    """Approve at every pending level (the final one with `figures`, and a reason when it
    goes against the assessment); the last write, or None when nothing was pending
    (approved automatically at submission)."""
    reviewers = iter((QIAN, HE))
    written = None
    while (level := pending(app, loan_id)) is not None:
        if not level.final:
            written = approve(app, Approve(next(reviewers), loan_id))
            continue
        change = Approve(SUN, loan_id, **figures)
        if overrides_needed(app, loan_id, change.principal):
            change = replace(change, override_reason=OVERRIDE)
        written = approve(app, change)
    return written


def opened_loan(
    app: LendingApplication,
    product_code: str,
    principal: Decimal,
    term: int,
    method: Method,
    rate: Decimal,
    id_number: str,
    on: date,
) -> UUID:
    """A monthly loan of a new borrower (resident `id_number`) on `product_code`, approved
    through its levels, signed and paid out on `on`: its id."""
    profile = Profile(
        name="P", phone="13800138000", address="A", region="Hubei", monthly_income=Decimal(9000)
    )
    borrower = register_borrower(
        app, RegisterBorrower("officer", BorrowerKind.INDIVIDUAL, id_number, profile)
    )
    application = SubmitApplication(
        "officer", borrower.id, product_code, principal, term, Frequency.MONTHLY, method,
        "stock", rate,
    )  # fmt: skip
    loan = submit_application(app, application).id
    signed_through(app, loan)
    sign(app, Sign("officer", loan, on))
    paid_out = Disbursement(value_date=on, account="1", channel="bank", reference="d")
    disburse(app, Disburse("officer", loan, paid_out))
    return loan
