"""A demo loan from application to disbursement, through the same use cases as REST."""

from __future__ import annotations

import random
from uuid import UUID

from application.demo.plans import Plan
from application.demo.session import Session
from application.loans import (
    Approve,
    SubmitApplication,
    approve,
    disburse,
    reject,
    sign,
    submit_application,
    withdraw,
)
from domain.loan import Disbursement, LoanStatus

APPROVERS = ("approver.sun", "approver.zhou")
REVIEWERS = ("reviewer.qian", "approver.sun")
REJECTIONS = (
    "debt service above 50% of monthly income",
    "thin credit file and no guarantor",
    "site visit found the business closed",
    "collateral valuation below the requested amount",
    "existing arrears with another lender",
)
WITHDRAWALS = (
    "borrower found cheaper financing",
    "borrower no longer needs the money",
    "borrower declined the reduced amount",
)
S = LoanStatus


def originate(
    session: Session, rng: random.Random, officer: str, borrower_id: UUID, plan: Plan
) -> UUID | None:
    """Take the loan as far as its fate says; returns its id if it was disbursed."""
    app = session.app
    submitted = submit_application(
        app,
        SubmitApplication(
            actor=officer,
            borrower_id=borrower_id,
            product_code=plan.offer.code,
            principal=plan.principal,
            term=plan.term,
            frequency=plan.frequency,
            method=plan.method,
            purpose=plan.purpose,
            annual_rate_percent=plan.rate,
        ),
    )
    loan_id = session.wrote(submitted).id
    withdraw_after = rng.choice((S.SUBMITTED, S.APPROVED, S.SIGNED))
    if plan.fate is S.SUBMITTED:
        return None
    if plan.fate is S.REJECTED:
        session.wrote(reject(app, rng.choice(REVIEWERS), loan_id, rng.choice(REJECTIONS)))
        return None
    if plan.fate is S.WITHDRAWN and withdraw_after is S.SUBMITTED:
        session.wrote(withdraw(app, officer, loan_id, rng.choice(WITHDRAWALS)))
        return None
    note = "approved at a lower amount" if plan.approved_principal else "meets policy"
    change = Approve(principal=plan.approved_principal, note=note)
    session.wrote(approve(app, rng.choice(APPROVERS), loan_id, change))
    if plan.fate is S.APPROVED:
        return None
    if plan.fate is S.WITHDRAWN and withdraw_after is S.APPROVED:
        session.wrote(withdraw(app, officer, loan_id, rng.choice(WITHDRAWALS)))
        return None
    session.wrote(sign(app, officer, loan_id, plan.signed_on))
    if plan.fate is S.SIGNED:
        return None
    if plan.fate is S.WITHDRAWN:
        session.wrote(withdraw(app, officer, loan_id, rng.choice(WITHDRAWALS)))
        return None
    account = f"6222{rng.randint(0, 10**15 - 1):015d}"
    paid_out = Disbursement(
        value_date=plan.disbursed_on,
        account=account,
        channel="bank_transfer",
        reference=session.reference("DSB"),
    )
    session.wrote(disburse(app, officer, loan_id, paid_out))
    return loan_id
