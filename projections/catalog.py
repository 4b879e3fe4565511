"""The read models the service keeps, made together with what they depend on.

The service makes one `ReadModelSet` from its settings (infrastructure/runtime.py) and
hands it to whatever needs the read models: the status, rebuild and lookup side builds
them on its pool, the follower on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventsourcing.postgres import PostgresDatastore

from domain.approval import ApprovalPolicy
from projections.approvals import ApprovalsView
from projections.audit_log import AuditLogView
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
from projections.staff import StaffView
from projections.webhooks import WebhooksView

RETIRED_BY_LOAN_BOOKS = ("installments", "arrears", "arrears_history", "portfolio")


@dataclass(frozen=True)
class ReadModelSet:
    """What the read models depend on, and the factory that makes them.

    `approval_policy`: the policy the service decides approvals by (the `approvals`
    read model asks it about routes stored before they recorded their overrides);
    `lookup_key` the key of the store's lookup digests."""

    approval_policy: ApprovalPolicy = field(default_factory=ApprovalPolicy)
    # The store's lookup key (the application's CLAIM_KEY): the borrowers' name search
    # holds digests under it.
    lookup_key: bytes = b""

    @staticmethod
    def kinds() -> tuple[type[ReadModel], ...]:
        """Every read model, in the order their tables are made: `loan_books` before
        `loans` and `risk_warnings`, whose views read its tables."""
        return (
            BorrowersView, ProductsView, LoanBooksView, LoansView, RepaymentsView,
            ApprovalsView, CollectionsView, CreditAssessmentsView, ScorecardsView,
            RiskWarningsView, StaffView, AuditLogView, JournalView, WebhooksView,
        )  # fmt: skip

    def build(self, datastore: PostgresDatastore) -> dict[str, ReadModel]:
        """One of each on `datastore`, by name, in the order of `kinds`."""
        given: dict[type[ReadModel], dict[str, Any]] = {
            ApprovalsView: {"policy": self.approval_policy},
            BorrowersView: {"lookup_key": self.lookup_key},
        }
        return {kind.name: kind(datastore, **given.get(kind, {})) for kind in self.kinds()}

    @staticmethod
    def named(name: str) -> str:
        """The read model `name` means: itself, or the one that took over the tables of
        a read model that is no more (a rebuild, a wait or a skip named after it)."""
        return LoanBooksView.name if name in RETIRED_BY_LOAN_BOOKS else name
