"""The approval use cases against a real store: applications older than approval levels."""

from __future__ import annotations

from uuid import UUID

import pytest

from application.approvals import Approve, approve, pending
from application.borrowers import RegisterBorrower, register_borrower
from application.loans import SubmitApplication, submit_application
from application.products import DefineProduct, define_product
from domain.approval import ApprovalCase, ApprovalRole, Signer, approval_case_id
from domain.borrower import BorrowerKind, Profile
from domain.errors import Refused
from domain.loan import Loan, LoanStatus
from domain.product import ProductTerms
from domain.schedule import Frequency, Method
from infrastructure.runtime import Runtime
from tests.support.people import money, resident_id
from tests.support.signing import SUN

OLD_HAND = "officer.old"


def submitted_before_approval_levels(runtime: Runtime) -> UUID:
    """A loan recorded as the service recorded them before approval cases existed."""
    app = runtime.app
    terms = ProductTerms(
        name="Micro", currency="CNY", min_principal=money("1000"), max_principal=money("50000"),
        min_term=3, max_term=12, frequencies=(Frequency.MONTHLY,),
        methods=(Method.EQUAL_INSTALLMENTS,), min_rate_percent=money("6"),
        max_rate_percent=money("18"), penalty_rate_percent=money("0.05"),
    )  # fmt: skip
    define_product(app, DefineProduct("admin.wu", "MICRO-12", terms))
    profile = Profile(
        name="Wang Fang", phone="13800138000", address="12 Tea Garden Road", region="Hubei",
        monthly_income=money("8500.00"),
    )  # fmt: skip
    number = resident_id("42010619850312004")
    command = RegisterBorrower(OLD_HAND, BorrowerKind.INDIVIDUAL, number, profile)
    borrower = register_borrower(app, command).id
    today = submit_application(
        app,
        SubmitApplication(
            actor=OLD_HAND, borrower_id=borrower, product_code="MICRO-12",
            principal=money("30000.00"), term=12, frequency=Frequency.MONTHLY,
            method=Method.EQUAL_INSTALLMENTS, purpose="tea seedlings",
        ),
    )  # fmt: skip
    # The same application, saved alone: no approval case, as before this feature.
    application = app.load(Loan, today.id, "loan").application
    older = Loan.submit(actor=OLD_HAND, application=application)
    app.save_all(older)
    return older.id


def test_an_older_application_gets_one_approver_and_keeps_maker_checker(
    runtime: Runtime,
) -> None:
    app = runtime.app
    loan_id = submitted_before_approval_levels(runtime)
    assert not app.exists(approval_case_id(loan_id))
    waiting = pending(app, loan_id)
    assert waiting is not None
    assert (waiting.level, waiting.role, waiting.final) == (1, ApprovalRole.APPROVER, True)

    maker = Signer.of(OLD_HAND, ApprovalRole.APPROVER)
    with pytest.raises(Refused, match="submitted this application"):
        approve(app, Approve(maker, loan_id))
    approve(app, Approve(SUN, loan_id, note="approved under the old single sign-off"))

    case = app.load(ApprovalCase, approval_case_id(loan_id), "approval")
    assert (case.submitter, case.reason) == (OLD_HAND, "submitted before approval levels")
    assert [(s.actor, s.role) for s in case.steps] == [("approver.sun", ApprovalRole.APPROVER)]
    assert app.load(Loan, loan_id, "loan").status is LoanStatus.APPROVED
