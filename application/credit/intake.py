"""Assess an application as it is submitted: intake checks, then score, limit, price.

The assessment is recorded under the user whose submission ran it (as the business
calendar is opened under the user whose command needed it). Everything is decided as
of the business date, never the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from application.app import LendingApplication
from application.calendar import business_date
from application.credit.records import ApplicantRecords
from application.phones import phone_digest
from application.scorecard import score
from domain.borrower import Borrower, BorrowerKind
from domain.credit import (
    Activity,
    Affordability,
    Check,
    CreditAssessment,
    CreditPolicy,
    Features,
    Limit,
    LoanHistory,
    Pricing,
    Score,
    limits,
)
from domain.credit import checks as check
from domain.credit.affordability import (
    allowance,
    largest_affordable,
    ratio,
    requested_installment,
)
from domain.credit.features import term_months
from domain.credit.pricing import price
from domain.loan import Loan, LoanRequest
from domain.loan.contract import contract


@dataclass(frozen=True)
class Facts:
    """What intake knows about one application on its business date."""

    borrower: Borrower
    application: LoanRequest
    on: date
    policy: CreditPolicy
    history: LoanHistory
    affordability: Affordability
    collateral_value: Decimal | None


def assess_application(
    app: LendingApplication,
    borrower: Borrower,
    loan: Loan,
    actor: str,
    collateral_value: Decimal | None = None,
) -> CreditAssessment:
    """The new loan's assessment, to be saved with it and with `borrower`, on which the
    application is recorded. A failed hard check ends it `rejected` before scoring; the
    caller rejects the loan."""
    records = app.applicant_records
    facts = gather(app, records, borrower, loan, collateral_value, business_date(app, actor))
    digest = phone_digest(app, borrower.profile.phone)
    activity = recent_activity(records, borrower, digest, facts.on, facts.policy)
    borrower.record_application(actor=actor, loan_id=loan.id, on=facts.on)
    assessment = CreditAssessment.start(
        actor=actor,
        loan_id=loan.id,
        borrower_id=borrower.id,
        on=facts.on,
        principal=facts.application.principal,
        phone=borrower.profile.phone,
        phone_digest=digest,
        policy=facts.policy,
        collateral_value=collateral_value,
    )
    for result in intake_checks(facts, activity):
        assessment.record_check(actor=actor, check=result)
    assessment.complete_checks(actor=actor)
    if assessment.checks_passed:
        scoring = scoring_of(app, facts)
        assessment.record_score(actor=actor, scoring=scoring)
        assessment.set_limit(actor=actor, limit=limit_of(facts, scoring.grade))
        assessment.set_price(actor=actor, pricing=pricing_of(facts, scoring.grade))
    assessment.decide(actor=actor)
    return assessment


def gather(
    app: LendingApplication,
    records: ApplicantRecords,
    borrower: Borrower,
    loan: Loan,
    collateral_value: Decimal | None,
    on: date,
) -> Facts:
    policy = app.policies.credit
    application = loan.application
    recorded = [applied.loan_id for applied in borrower.applications]
    earlier = {*recorded, *records.loan_ids(borrower.id)} - {loan.id}
    history = LoanHistory.of((app.load(Loan, i, "loan") for i in sorted(earlier)), on)
    affordability = Affordability(
        requested_installment=requested_installment(application, application.principal, on),
        existing_installments=history.monthly_obligations,
        monthly_income=borrower.profile.monthly_income,
        max_percent=policy.max_debt_to_income_percent,
    )
    return Facts(borrower, application, on, policy, history, affordability, collateral_value)


def recent_activity(
    records: ApplicantRecords, borrower: Borrower, digest: str, on: date, policy: CreditPolicy
) -> Activity:
    """`digest`: that of the borrower's phone (`application.phones.phone_digest`),
    which is how the read models know phones."""
    # Read the position first: the counts are at least as fresh as the position recorded.
    position = records.read_position()
    since = on - timedelta(days=policy.application_window_days - 1)
    # The borrower's own count is exact; this application is not recorded yet.
    own = borrower.applications_since(since) + 1
    return Activity(
        since=since,
        by_id_number=own,
        by_phone=own + records.others_applications_with_phone(digest, borrower.id, since),
        other_borrowers_with_phone=records.other_borrowers_with_phone(digest, borrower.id),
        read_position=position,
    )


def intake_checks(facts: Facts, activity: Activity) -> tuple[Check, ...]:
    borrower, product = facts.borrower, facts.application.product
    return (
        check.identity(borrower),
        check.age(borrower, facts.on, product.min_age, product.max_age),
        check.blacklist(borrower),
        check.written_off(facts.history.written_off),
        check.application_velocity(activity, facts.policy),
        check.shared_phone(activity, facts.policy),
        check.debt_to_income(facts.affordability),
        check.income_consistency(borrower, facts.application.principal, facts.policy),
    )


def scoring_of(app: LendingApplication, facts: Facts) -> Score:
    borrower, application = facts.borrower, facts.application
    income = borrower.profile.monthly_income
    born = borrower.birth_date
    features = Features(
        age=check.age_on(born, facts.on) if born else None,
        monthly_income=income,
        debt_to_income=facts.affordability.debt_to_income,
        loan_to_annual_income=ratio(application.principal, income * 12),
        term_months=term_months(application.term, application.frequency),
        borrower_kind=borrower.kind.value,
        prior_loans=facts.history.repaid,
        prior_max_dpd=facts.history.max_days_past_due,
    )
    scored = score(app, features.model_dump())
    return Score(
        features=features,
        model_version=scored.version,
        pd=scored.pd,
        score=scored.score,
        grade=scored.grade,
        reasons=scored.reasons,
    )


def limit_of(facts: Facts, grade: str) -> Limit:
    application, profile, policy = facts.application, facts.borrower.profile, facts.policy
    existing = facts.history.monthly_obligations
    room = allowance(profile.monthly_income, existing, policy.max_debt_to_income_percent)
    by_income = largest_affordable(
        lambda principal: requested_installment(application, principal, facts.on),
        room,
        application.term,
        application.frequency,
    )
    figures = [limits.income_figure(by_income, room, existing)]
    sales, margin = profile.annual_sales, profile.margin_percent
    if facts.borrower.kind is BorrowerKind.BUSINESS and sales and margin is not None:
        cycles = policy.turnover_cycles_per_year
        outstanding = facts.history.outstanding_principal
        figures.append(limits.turnover_figure(sales, margin, cycles, outstanding))
    if facts.collateral_value is not None:
        value, ltv = facts.collateral_value, policy.loan_to_value_percent
        figures.append(limits.collateral_figure(value, ltv))
    most = application.product.max_principal
    return limits.limit(tuple(figures), most, grade, policy.scale_for(grade))


def pricing_of(facts: Facts, grade: str) -> Pricing:
    application, product = facts.application, facts.application.product
    return price(
        facts.policy,
        grade,
        application.term,
        application.frequency,
        product.min_rate_percent,
        product.max_rate_percent,
        apr_at=lambda rate: apr_of(application, rate, facts.on),
    )


def apr_of(application: LoanRequest, rate: Decimal, start: date) -> Decimal:
    """The application's APR at `rate`: its contract paid out on `start`, with the
    product's charges."""
    return contract(application, application.principal, rate, application.term, start).apr
