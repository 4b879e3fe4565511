"""Every read model the service keeps, by name."""

from __future__ import annotations

from projections.arrears import ArrearsView
from projections.base import ReadModel
from projections.borrowers import BorrowersView
from projections.installments import InstallmentsView
from projections.loans import LoansView
from projections.portfolio import PortfolioView
from projections.products import ProductsView
from projections.repayments import RepaymentsView

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
    )
}
