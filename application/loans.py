"""Loan lifecycle use cases: apply, approve, reject, withdraw, sign, disburse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from application.app import LendingApplication, Written, check_version
from application.calendar import business_date, not_after_business_date
from application.products import find_product
from domain.borrower import Borrower
from domain.errors import InvalidValue, NotFound
from domain.loan import Application, Disbursement, Loan
from domain.money import checked_amount
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


def submit_application(app: LendingApplication, command: SubmitApplication) -> Written:
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
    product.check_application(
        command.principal, command.term, command.frequency, command.method, rate
    )
    application = Application(
        borrower_id=borrower.id,
        borrower_kind=borrower.kind.value,
        region=borrower.profile.region,
        officer=borrower.officer,
        product_id=product.id,
        product_code=product.code,
        minor_unit=product.minor_unit,
        product=product.terms,
        principal=checked_amount(command.principal, "principal", product.minor_unit),
        term=command.term,
        frequency=command.frequency.value,
        method=command.method.value,
        annual_rate_percent=rate,
        purpose=command.purpose,
    )
    return app.save_all(Loan.submit(actor=command.actor, application=application))


@dataclass(frozen=True)
class Approve:
    principal: Decimal | None = None
    annual_rate_percent: Decimal | None = None
    term: int | None = None
    note: str = ""


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


def approve(
    app: LendingApplication, actor: str, loan_id: UUID, change: Approve, version: int | None = None
) -> Written:
    def decide(loan: Loan) -> None:
        product = app.load(LoanProduct, loan.application.product_id, "product")
        product.check_application(
            change.principal or loan.principal,
            change.term or loan.term,
            Frequency(loan.application.frequency),
            Method(loan.application.method),
            loan.annual_rate_percent
            if change.annual_rate_percent is None
            else change.annual_rate_percent,
        )
        loan.approve(
            actor=actor,
            principal=(
                None
                if change.principal is None
                else checked_amount(change.principal, "principal", loan.application.minor_unit)
            ),
            annual_rate_percent=change.annual_rate_percent,
            term=change.term,
            note=change.note,
        )

    return act_on_loan(app, loan_id, version, decide)


def reject(
    app: LendingApplication, actor: str, loan_id: UUID, reason: str, version: int | None = None
) -> Written:
    return act_on_loan(app, loan_id, version, lambda loan: loan.reject(actor=actor, reason=reason))


def withdraw(
    app: LendingApplication, actor: str, loan_id: UUID, reason: str, version: int | None = None
) -> Written:
    return act_on_loan(
        app, loan_id, version, lambda loan: loan.withdraw(actor=actor, reason=reason)
    )


def sign(
    app: LendingApplication, actor: str, loan_id: UUID, signed_on: date, version: int | None = None
) -> Written:
    not_after_business_date(app, actor, signed_on, "signed_on")
    return act_on_loan(
        app, loan_id, version, lambda loan: loan.sign(actor=actor, signed_on=signed_on)
    )


def disburse(
    app: LendingApplication,
    actor: str,
    loan_id: UUID,
    disbursement: Disbursement,
    version: int | None = None,
) -> Written:
    not_after_business_date(app, actor, disbursement.value_date, "value_date")
    return act_on_loan(
        app, loan_id, version, lambda loan: loan.disburse(actor=actor, disbursement=disbursement)
    )


def borrower_of(app: LendingApplication, loan_id: UUID) -> UUID:
    return app.load(Loan, loan_id, "loan").application.borrower_id


def write_off(
    app: LendingApplication,
    actor: str,
    loan_id: UUID,
    value_date: date,
    reason: str,
    version: int | None = None,
) -> Written:
    not_after_business_date(app, actor, value_date, "value_date")
    return act_on_loan(
        app,
        loan_id,
        version,
        lambda loan: loan.write_off(actor=actor, value_date=value_date, reason=reason),
    )


@dataclass(frozen=True)
class Reschedule:
    from_date: date
    reason: str
    new_term: int | None = None
    new_rate_percent: Decimal | None = None


def reschedule(
    app: LendingApplication,
    actor: str,
    loan_id: UUID,
    change: Reschedule,
    version: int | None = None,
) -> Written:
    not_after_business_date(app, actor, change.from_date, "from_date")
    today = business_date(app, actor)

    def decide(loan: Loan) -> None:
        if change.new_rate_percent is not None:
            product = app.load(LoanProduct, loan.application.product_id, "product")
            product.check_rate(change.new_rate_percent, "new_rate_percent")
        loan.reschedule(
            actor=actor,
            from_date=change.from_date,
            reason=change.reason,
            new_term=change.new_term,
            new_rate_percent=change.new_rate_percent,
        )
        loan.review_delinquency(actor=actor, on=today, after_books_change=True)

    return act_on_loan(app, loan_id, version, decide)
