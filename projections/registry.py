"""Every read model the service keeps, by name."""

from __future__ import annotations

from projections.approvals import ApprovalsView
from projections.arrears import ArrearsView
from projections.arrears_history import ArrearsHistoryView
from projections.base import ReadModel
from projections.borrowers import BorrowersView
from projections.collections import CollectionsView
from projections.credit_assessments import CreditAssessmentsView
from projections.installments import InstallmentsView
from projections.loans import LoansView
from projections.portfolio import PortfolioView
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
        InstallmentsView,
        RepaymentsView,
        PortfolioView,
        ArrearsView,
        ArrearsHistoryView,
        ApprovalsView,
        CollectionsView,
        CreditAssessmentsView,
        ScorecardsView,
        RiskWarningsView,
    )
}
