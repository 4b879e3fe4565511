"""A demo loan from application to disbursement, through the same use cases as REST."""

from __future__ import annotations

import random
from dataclasses import replace
from uuid import UUID

from application.approvals import Approve, Reject, approve, overrides_needed, pending, reject
from application.demo.plans import Plan
from application.demo.rates import Quote, rate_within_ceiling
from application.demo.session import Session
from application.loans import (
    Disburse,
    Sign,
    SubmitApplication,
    Withdraw,
    disburse,
    sign,
    submit_application,
    withdraw,
)
from domain.approval import ApprovalRole, Signer
from domain.loan import Disbursement, LoanStatus

# Two of each, so a route with two reviews finds two different people.
SIGNERS = {
    ApprovalRole.REVIEWER: (
        Signer.of("reviewer.qian", ApprovalRole.REVIEWER),
        Signer.of("reviewer.he", ApprovalRole.REVIEWER),
    ),
    ApprovalRole.APPROVER: (
        Signer.of("approver.sun", ApprovalRole.APPROVER),
        Signer.of("approver.zhou", ApprovalRole.APPROVER),
    ),
}
REJECTIONS = (
    "debt service above 50% of monthly income",
    "thin credit file and no guarantor",
    "site visit found the business closed",
    "collateral valuation below the requested amount",
    "existing arrears with another lender",
)
RECOMMENDATIONS = (
    "cash flow covers the installment twice over",
    "site visit confirmed the business",
    "references from the village committee are good",
)
OVERRIDES = (
    "long-standing customer with a clean record on two earlier loans",
    "guarantor with a salaried income signed the contract",
    "seasonal dip in income; harvest receipts cover the installments",
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
    quote = Quote(
        plan.offer, plan.principal, plan.term, plan.frequency, plan.method, plan.disbursed_on
    )
    rate = rate_within_ceiling(app, quote, plan.rate)
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
            annual_rate_percent=rate,
            office=session.offices.get(officer),
        ),
    )
    loan_id = session.wrote(submitted).id
    withdraw_after = rng.choice((S.SUBMITTED, S.APPROVED, S.SIGNED))
    if plan.fate is S.SUBMITTED:
        # Some wait for the approver, reviewed already; the rest wait for their first look.
        if rng.random() < 0.5:
            decide(session, rng, loan_id, plan, until_final=True)
        return None
    if plan.fate is S.REJECTED:
        decide(session, rng, loan_id, plan, reject_at=rng.randint(1, 3))
        return None
    if plan.fate is S.WITHDRAWN and withdraw_after is S.SUBMITTED:
        session.wrote(withdraw(app, Withdraw(officer, loan_id, rng.choice(WITHDRAWALS))))
        return None
    decide(session, rng, loan_id, plan)
    if plan.fate is S.APPROVED:
        return None
    if plan.fate is S.WITHDRAWN and withdraw_after is S.APPROVED:
        session.wrote(withdraw(app, Withdraw(officer, loan_id, rng.choice(WITHDRAWALS))))
        return None
    session.wrote(sign(app, Sign(officer, loan_id, plan.signed_on)))
    if plan.fate is S.SIGNED:
        return None
    if plan.fate is S.WITHDRAWN:
        session.wrote(withdraw(app, Withdraw(officer, loan_id, rng.choice(WITHDRAWALS))))
        return None
    account = f"6222{rng.randint(0, 10**15 - 1):015d}"
    paid_out = Disbursement(
        value_date=plan.disbursed_on,
        account=account,
        channel="bank_transfer",
        reference=session.reference("DSB"),
    )
    session.wrote(disburse(app, Disburse(officer, loan_id, paid_out)))
    return loan_id


def decide(
    session: Session,
    rng: random.Random,
    loan_id: UUID,
    plan: Plan,
    until_final: bool = False,
    reject_at: int | None = None,
) -> None:
    """Sign the loan's approval level by level, each by someone who signed none before.

    Rejects at level `reject_at` (or the final level, if the route is shorter); stops
    before the final level when `until_final`. An application approved automatically
    at submission has no level left to sign.
    """
    app, signed = session.app, set[str]()
    while (level := pending(app, loan_id)) is not None:
        if until_final and level.final:
            return
        signer = rng.choice([s for s in SIGNERS[level.role] if s.name not in signed])
        signed.add(signer.name)
        if reject_at is not None and (level.level >= reject_at or level.final):
            session.wrote(reject(app, Reject(signer, loan_id, rng.choice(REJECTIONS))))
            return
        if not level.final:
            change = Approve(signer, loan_id, note=rng.choice(RECOMMENDATIONS))
        elif plan.approved_principal:
            lower = plan.approved_principal
            change = Approve(signer, loan_id, principal=lower, note="approved at a lower amount")
        else:
            change = Approve(signer, loan_id, note="meets policy")
        if level.final and overrides_needed(app, loan_id, change.principal):
            change = replace(change, override_reason=rng.choice(OVERRIDES))
        session.wrote(approve(app, change))
