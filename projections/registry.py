"""Every read model the service keeps, by name."""

from __future__ import annotations

from projections.approvals import ApprovalsView
from projections.base import ReadModel
from projections.borrowers import BorrowersView
from projections.collections import CollectionsView
from projections.credit_assessments import CreditAssessmentsView
from projections.journal import JournalView
from projections.loan_books import LoanBooksView
from projections.loans import LoansView
from projections.products import ProductsView
from projections.repayments import RepaymentsView
from projections.risk_warnings import RiskWarningsView
from projections.scorecards import ScorecardsView

READ_MODELS: dict[str, type[ReadModel]] = {
    view.name: view
    for view in (
        BorrowersView,
        ProductsView,
        LoansView,
        LoanBooksView,
        RepaymentsView,
        ApprovalsView,
        CollectionsView,
        CreditAssessmentsView,
        ScorecardsView,
        RiskWarningsView,
        JournalView,
    )
}

# Read models that are no more, by the read model that took over their tables (as views):
# a rebuild, a wait or a skip named after one of them means that one.
SUCCESSORS: dict[str, str] = {
    "installments": LoanBooksView.name,
    "arrears": LoanBooksView.name,
    "arrears_history": LoanBooksView.name,
    "portfolio": LoanBooksView.name,
}


def read_model_named(name: str) -> str:
    """The read model `name` means: itself, or its successor."""
    return SUCCESSORS.get(name, name)
