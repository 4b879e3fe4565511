"""Credit decisions by levels: route the application at submission, then sign it.

Each step saves the approval case together with the loan, so the final approval
(or a rejection at any level) and the loan's own `Approved` or `Rejected` event
commit in one transaction. The levels are the application's approval policy, from
settings (`LENDING_APPROVAL`, JSON); the defaults are in domain/approval/policy.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from application.app import LendingApplication, Written, check_version
from application.calendar import SYSTEM, business_date
from domain.approval import (
    ApprovalCase,
    ApprovalRole,
    Basis,
    Route,
    Signer,
    approval_case_id,
)
from domain.credit import CreditAssessment
from domain.errors import InvalidValue, NotFound
from domain.loan import Loan, LoanStatus
from domain.loan.status import require


@dataclass(frozen=True)
class Approve:
    """The signer's step at the pending level; the figures apply only at the final level."""

    signer: Signer
    loan_id: UUID
    principal: Decimal | None = None
    annual_rate_percent: Decimal | None = None
    term: int | None = None
    note: str = ""
    override_reason: str = ""
    expected_version: int | None = None

    @property
    def actor(self) -> str:
        return self.signer.name


@dataclass(frozen=True)
class Reject:
    """The signer declines at the pending level, whichever it is."""

    signer: Signer
    loan_id: UUID
    reason: str
    expected_version: int | None = None

    @property
    def actor(self) -> str:
        return self.signer.name


def routing_basis(loan: Loan, assessment: CreditAssessment | None = None) -> Basis:
    """What routing rests on: the amount applied for and the credit assessment's findings.

    Without an assessment there is no grade and no flag, so a small application
    goes to one approver rather than through automatically.
    """
    if assessment is None:
        return Basis(principal=loan.application.principal)
    decision = assessment.decision
    return Basis(
        principal=loan.application.principal,
        grade=assessment.grade,
        flags=assessment.flags,
        decision=None if decision is None else decision.value,
        limit=assessment.limit,
    )


def open_approval(
    app: LendingApplication,
    loan: Loan,
    submitter: str,
    assessment: CreditAssessment | None = None,
) -> ApprovalCase | None:
    """Route a new application; the caller saves the case with the loan.

    An automatic route approves the loan here, by `system`, so the submitting request
    ends with the loan approved. An application already decided at intake needs none.
    """
    if loan.status is not LoanStatus.SUBMITTED:
        return None
    basis = routing_basis(loan, assessment)
    # The figures applied for, paid out on the business date: above the legal ceiling,
    # the approval needs other figures, so it is not automatic.
    quoted = loan.quote(business_date(app, submitter))
    above = quoted.above_ceiling(app.policies.credit.legal_ceiling_percent)
    route = app.policies.approval.route(basis, () if above is None else (above,))
    case = ApprovalCase.open(
        actor=submitter, loan_id=loan.id, submitter=submitter, route=route, basis=basis
    )
    if route.automatic:
        case.approve_automatically(actor=SYSTEM)
        loan.approve(actor=SYSTEM, note=f"approved automatically: {route.reason}")
    return case


def approve(app: LendingApplication, command: Approve) -> Written:
    """Sign the pending level in favour; the final level approves the loan, unless the
    APR of its figures, paid out on the business date, is above the legal ceiling."""
    signer, change = command.signer, command

    def attempt() -> Written:
        loan = app.load(Loan, command.loan_id, "loan")
        check_version(loan, command.expected_version)
        require("approve", loan.status)
        case = approval_of(app, loan, signer.name)
        level = case.signable_level(signer, "approve")
        if level < len(case.levels):
            _no_figures_before_the_final_level(change)
            case.approve(
                signer=signer,
                policy=app.policies.approval,
                principal=loan.principal,
                note=change.note,
            )
            return app.save_all(loan, case)
        # The figures first: an approval the product does not allow needs no override.
        principal, _, _ = loan.application.approved_figures(
            change.principal, change.annual_rate_percent, change.term
        )
        case.approve(
            signer=signer,
            policy=app.policies.approval,
            principal=principal,
            note=change.note,
            override_reason=change.override_reason,
        )
        loan.approve(
            actor=signer.name,
            principal=change.principal,
            annual_rate_percent=change.annual_rate_percent,
            term=change.term,
            note=change.note,
            ceiling_percent=app.policies.credit.legal_ceiling_percent,
            today=business_date(app, signer.name),
        )
        return app.save_all(loan, case)

    return app.retrying(attempt)


def reject(app: LendingApplication, command: Reject) -> Written:
    """Sign the pending level against: the loan is rejected, whatever level it was."""
    signer, reason = command.signer, command.reason

    def attempt() -> Written:
        loan = app.load(Loan, command.loan_id, "loan")
        check_version(loan, command.expected_version)
        require("reject", loan.status)
        case = approval_of(app, loan, signer.name)
        case.reject(signer=signer, reason=reason)
        loan.reject(actor=signer.name, reason=reason)
        return app.save_all(loan, case)

    return app.retrying(attempt)


@dataclass(frozen=True)
class Pending:
    level: int
    role: ApprovalRole
    final: bool


def pending(app: LendingApplication, loan_id: UUID) -> Pending | None:
    """The level waiting for a signature; None once decided."""
    loan = app.load(Loan, loan_id, "loan")
    if loan.status is not LoanStatus.SUBMITTED:
        return None
    case = approval_of(app, loan, SYSTEM)
    level = case.pending_level
    if level is None:
        return None
    return Pending(level=level, role=case.levels[level - 1], final=level == len(case.levels))


def overrides_needed(
    app: LendingApplication, loan_id: UUID, principal: Decimal | None = None
) -> list[str]:
    """What approving `principal` (default: as applied for) would go against."""
    loan = app.load(Loan, loan_id, "loan")
    case = approval_of(app, loan, SYSTEM)
    return app.policies.approval.overrides(case.basis, principal or loan.principal)


def approval_of(app: LendingApplication, loan: Loan, actor: str) -> ApprovalCase:
    """The loan's case; an application submitted before approval levels gets one now,
    with the single approver it was submitted under."""
    try:
        return app.load(ApprovalCase, approval_case_id(loan.id), "approval")
    except NotFound:
        pass
    submitted = app.events_of(loan.id)[0]
    route = Route(levels=(ApprovalRole.APPROVER,), reason="submitted before approval levels")
    return ApprovalCase.open(
        actor=actor,
        loan_id=loan.id,
        submitter=submitted.actor,
        route=route,
        basis=routing_basis(loan),
    )


def _no_figures_before_the_final_level(change: Approve) -> None:
    for field in ("principal", "annual_rate_percent", "term"):
        if getattr(change, field) is not None:
            raise InvalidValue(
                field, "only the final approval sets the figures; recommend them in the note"
            )
    if change.override_reason:
        raise InvalidValue("override_reason", "only the final approval overrides the assessment")
