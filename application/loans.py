"""Loan lifecycle use cases: apply, approve, reject, withdraw, sign, disburse.

Approval and rejection go level by level through the approval case (approvals.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from application.app import LendingApplication, Written, check_version
from application.approvals import Approve as Approve  # the credit decision's steps
from application.approvals import Reject as Reject
from application.approvals import approve as approve
from application.approvals import open_approval
from application.approvals import reject as reject
from application.calendar import SYSTEM, business_date, not_after_business_date
from application.contracts import checked_language, signed_contract
from application.credit import assess_application
from application.products import find_product
from domain.borrower import Borrower
from domain.credit import Decision
from domain.errors import InvalidValue, NotFound
from domain.loan import Disbursement, Loan, LoanRequest
from domain.loan.status import require
from domain.product import LoanProduct
from domain.schedule import Frequency, Method


@dataclass(frozen=True)
class SubmitApplication:
    actor: str
    borrower_id: UUID
    product_code: str
    principal: Decimal
    term: int
    frequency: Frequency
    method: Method
    purpose: str
    annual_rate_percent: Decimal | None = None
    collateral_value: Decimal | None = None  # for the collateral-based limit
    office: UUID | None = None  # the applying user's


def submit_application(app: LendingApplication, command: SubmitApplication) -> Written:
    # Intake records the application on the borrower: if the borrower changed meanwhile
    # (another application, an update) the save is stale and the submission runs again.
    return app.retrying(lambda: _submit(app, command))


def _submit(app: LendingApplication, command: SubmitApplication) -> Written:
    try:
        borrower = app.load(Borrower, command.borrower_id, "borrower")
    except NotFound:
        raise InvalidValue("borrower_id", "no borrower has this id") from None
    try:
        product = find_product(app, command.product_code)
    except NotFound:
        raise InvalidValue("product_code", "no product has this code") from None
    # Without a requested rate the loan is priced at the product's lowest rate.
    rate = command.annual_rate_percent
    rate = product.terms.min_rate_percent if rate is None else rate
    principal = product.check_application(
        command.principal, command.term, command.frequency, command.method, rate
    )
    application = LoanRequest(
        borrower_id=borrower.id,
        borrower_kind=borrower.kind.value,
        region=borrower.profile.region,
        officer=borrower.officer,
        product_id=product.id,
        product_code=product.code,
        minor_unit=product.minor_unit,
        product=product.terms,
        principal=principal,
        term=command.term,
        frequency=command.frequency.value,
        method=command.method.value,
        annual_rate_percent=rate,
        purpose=command.purpose,
        terms_version=product.terms_version,
        office=command.office,
    )
    loan = Loan.submit(actor=command.actor, application=application)
    # Intake: a failed hard check rejects the application now, with the checks' reasons.
    assessment = assess_application(app, borrower, loan, command.actor, command.collateral_value)
    if assessment.decision is Decision.REJECTED:
        loan.reject(actor=SYSTEM, reason=assessment.rejection_reason)
    approval = open_approval(app, loan, command.actor, assessment)
    return app.save_all(loan, assessment, borrower, *([approval] if approval else []))


def act_on_loan(
    app: LendingApplication,
    loan_id: UUID,
    expected_version: int | None,
    action: Callable[[Loan], None],
) -> Written:
    """Load the loan, check the caller's version, decide, save; retry on a race."""

    def attempt() -> Written:
        loan = app.load(Loan, loan_id, "loan")
        check_version(loan, expected_version)
        action(loan)
        return app.save_all(loan)

    return app.retrying(attempt)


@dataclass(frozen=True)
class Withdraw:
    actor: str
    loan_id: UUID
    reason: str = ""
    expected_version: int | None = None


def withdraw(app: LendingApplication, command: Withdraw) -> Written:
    actor, reason = command.actor, command.reason
    return act_on_loan(
        app,
        command.loan_id,
        command.expected_version,
        lambda loan: loan.withdraw(actor=actor, reason=reason),
    )


@dataclass(frozen=True)
class Sign:
    actor: str
    loan_id: UUID
    signed_on: date
    expected_version: int | None = None
    language: str = "zh"  # of the contract document (application/contracts.py)


def sign(app: LendingApplication, command: Sign) -> Written:
    actor, signed_on = command.actor, command.signed_on
    not_after_business_date(app, actor, signed_on, "signed_on")
    language = checked_language(command.language, "language")

    def decide(loan: Loan) -> None:
        require("sign", loan.status)  # before rendering a contract it would refuse
        contract = signed_contract(app, loan, signed_on, language)
        loan.sign(actor=actor, signed_on=signed_on, contract=contract)

    return act_on_loan(app, command.loan_id, command.expected_version, decide)


@dataclass(frozen=True)
class Disburse:
    actor: str
    loan_id: UUID
    disbursement: Disbursement
    expected_version: int | None = None


def disburse(app: LendingApplication, command: Disburse) -> Written:
    actor, disbursement = command.actor, command.disbursement
    not_after_business_date(app, actor, disbursement.value_date, "value_date")
    today = business_date(app, actor)
    return act_on_loan(
        app,
        command.loan_id,
        command.expected_version,
        lambda loan: loan.disburse(
            actor=actor,
            disbursement=disbursement,
            today=today,
            ceiling_percent=app.policies.credit.legal_ceiling_percent,
        ),
    )


def borrower_of(app: LendingApplication, loan_id: UUID) -> UUID:
    return app.load(Loan, loan_id, "loan").application.borrower_id


@dataclass(frozen=True)
class WriteOff:
    actor: str
    loan_id: UUID
    value_date: date
    reason: str
    expected_version: int | None = None


def write_off(app: LendingApplication, command: WriteOff) -> Written:
    actor, value_date, reason = command.actor, command.value_date, command.reason
    not_after_business_date(app, actor, value_date, "value_date")
    today = business_date(app, actor)
    return act_on_loan(
        app,
        command.loan_id,
        command.expected_version,
        lambda loan: loan.write_off(actor=actor, value_date=value_date, reason=reason, today=today),
    )


@dataclass(frozen=True)
class Reschedule:
    actor: str
    loan_id: UUID
    from_date: date
    reason: str
    new_term: int | None = None
    new_rate_percent: Decimal | None = None
    expected_version: int | None = None


def reschedule(app: LendingApplication, command: Reschedule) -> Written:
    actor = command.actor
    not_after_business_date(app, actor, command.from_date, "from_date")
    today = business_date(app, actor)

    def decide(loan: Loan) -> None:
        if command.new_rate_percent is not None:
            product = app.load(LoanProduct, loan.application.product_id, "product")
            product.check_rate(command.new_rate_percent, "new_rate_percent")
        loan.reschedule(
            actor=actor,
            from_date=command.from_date,
            reason=command.reason,
            today=today,
            new_term=command.new_term,
            new_rate_percent=command.new_rate_percent,
        )
        loan.review_delinquency(actor=actor, on=today)

    return act_on_loan(app, command.loan_id, command.expected_version, decide)
