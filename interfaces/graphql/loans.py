"""GraphQL loans: read from the `loans` table, or rebuilt from events as of a moment.

A borrower token reaches only its own loans; staff roles reach every loan.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from application.app import LendingApplication
from application.calendar import business_date
from application.loan_queries import RecordedLoan, loan_as_of, payoff_amount
from domain.loan import LoanStatus as RecordedStatus
from domain.loan.delinquency import Delinquency
from domain.product import normalize_code
from infrastructure.tokens import Role
from interfaces.graphql.approvals import Approval, approval_of
from interfaces.graphql.assessments import CreditAssessment, assessment_of
from interfaces.graphql.borrowers import Borrower
from interfaces.graphql.charges import LoanCharge, LoanWaiver, charges_of, loan_figure, waivers_of
from interfaces.graphql.context import STAFF, Context, Forbidden
from interfaces.graphql.delinquency import Classification
from interfaces.graphql.loaders import (
    arrears_by_loan,
    borrowers_by_id,
    installments_by_loan,
    loan_reached,
    loans_by_id,
    products_by_code,
    repayments_by_loan,
)
from interfaces.graphql.pagination import Connection, Page, connection
from interfaces.graphql.products import Frequency, LoanProduct, Method
from interfaces.graphql.repayments import Repayment
from interfaces.graphql.scalars import build_from_row, parse_id
from interfaces.graphql.schedules import Installment, InstallmentStatus, Schedule
from interfaces.graphql.store import store_loader
from projections.loans import loans_page

# GraphQL shows the domain's statuses by name: SUBMITTED ... WRITTEN_OFF.
LoanStatus = strawberry.enum(RecordedStatus, name="LoanStatus")


@strawberry.type
class Loan:
    id: strawberry.ID
    status: LoanStatus
    principal: Decimal
    annual_rate_percent: Decimal
    term: int
    frequency: Frequency
    method: Method
    purpose: str
    currency: str
    region: str
    officer: str
    disbursed_amount: Decimal
    disbursed_on: date | None
    outstanding_principal: Decimal
    outstanding_interest: Decimal
    outstanding_fees: Decimal
    outstanding_penalty: Decimal
    credit_balance: Decimal
    principal_repaid: Decimal
    interest_repaid: Decimal
    next_due_date: date | None
    maturity_date: date | None
    version: int
    borrower_id: strawberry.Private[UUID]
    product_code: strawberry.Private[str]
    # Set when rebuilt from events: the recorded schedule, instead of the installments table.
    recorded_installments: strawberry.Private[list[Installment] | None] = None
    recorded_delinquency: strawberry.Private[Delinquency | None] = None
    recorded_charges: strawberry.Private[list[LoanCharge] | None] = None
    recorded_waivers: strawberry.Private[list[LoanWaiver] | None] = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Loan:
        return build_from_row(
            cls,
            row,
            id=strawberry.ID(str(row["id"])),
            status=LoanStatus(row["status"]),
            frequency=Frequency(row["frequency"]),
            method=Method(row["method"]),
        )

    @classmethod
    def from_recorded(cls, loan: RecordedLoan) -> Loan:
        """The loan as its events recorded it, balances and installments included."""
        return build_from_row(
            cls,
            vars(loan),
            id=strawberry.ID(str(loan.id)),
            status=LoanStatus(loan.status.value),
            frequency=Frequency(loan.frequency),
            method=Method(loan.method),
            recorded_delinquency=loan.delinquency,
            recorded_installments=[Installment.from_recorded(i) for i in loan.installments],
            recorded_charges=[LoanCharge.from_recorded(c) for c in loan.charges],
            recorded_waivers=[LoanWaiver.from_recorded(w) for w in loan.waivers],
        )

    @strawberry.field
    async def borrower(self, info: Info[Context, None]) -> Borrower | None:
        row = await borrowers_by_id(info.context).load(self.borrower_id)
        return Borrower.from_row(row) if row else None

    @strawberry.field
    async def product(self, info: Info[Context, None]) -> LoanProduct | None:
        row = await products_by_code(info.context).load(self.product_code)
        return LoanProduct.from_row(row) if row else None

    @strawberry.field
    async def schedule(self, info: Info[Context, None]) -> Schedule | None:
        """Null until the loan is disbursed: the schedule is fixed at disbursement."""
        installments = await self._installments(info)
        return Schedule(installments=installments) if installments else None

    @strawberry.field
    async def next_due(self, info: Info[Context, None]) -> Installment | None:
        """The first installment not yet paid in full; null before disbursement or once
        every one is paid."""
        items = await self._installments(info)
        return next((i for i in items if i.status is not InstallmentStatus.PAID), None)

    @strawberry.field
    async def payoff_amount(self, info: Info[Context, None], as_of: date | None = None) -> Decimal:
        """What a payment on `as_of` must be to close the loan (the ledger's payoff rule).

        Everything due by then, all principal still owed and the current period's
        interest accrued to that day; later periods' interest is not owed. Without
        `as_of` it is the business date.
        """
        if self.status not in (LoanStatus.ACTIVE, LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF):
            return self.outstanding_principal
        # Loaders: one business date per request, each loan and day quoted once however
        # many fields ask for it, and a query's quotes in turn in one thread.
        context = info.context
        day = as_of or await store_loader(context, "business_date", _business_date).load(None)
        loader = store_loader(context, "payoff_amounts", _payoff_amount)
        found: Decimal = await loader.load((UUID(self.id), day))
        return found

    @strawberry.field
    async def days_past_due(self, info: Info[Context, None]) -> int:
        """Days past due on the business date (see the `arrears` read model); 0 undisbursed."""
        if self.recorded_delinquency is not None:
            return self.recorded_delinquency.days_past_due
        if self.recorded_installments is not None:
            return 0
        row = await arrears_by_loan(info.context).load(UUID(self.id))
        return row["days_past_due"] if row else 0

    @strawberry.field
    async def classification(self, info: Info[Context, None]) -> Classification:
        """As close of business (or a payment that cured arrears) last recorded it."""
        if self.recorded_delinquency is not None:
            return self.recorded_delinquency.classification
        if self.recorded_installments is not None:
            return Classification.NORMAL
        row = await arrears_by_loan(info.context).load(UUID(self.id))
        return Classification(row["classification"]) if row else Classification.NORMAL

    @strawberry.field
    async def approval(self, info: Info[Context, None]) -> Approval | None:
        """Who must sign the credit decision, who has, and where it waits (staff only)."""
        return await approval_of(info.context, UUID(self.id))

    @strawberry.field
    async def assessment(self, info: Info[Context, None]) -> CreditAssessment | None:
        """The credit assessment at application: checks, score, limit, price (staff only)."""
        return await assessment_of(info.context, UUID(self.id))

    @strawberry.field
    async def repayments(self, info: Info[Context, None]) -> list[Repayment]:
        """Every payment received for the loan, reversed ones included, by value date."""
        rows = await repayments_by_loan(info.context).load(UUID(self.id))
        return [Repayment.from_row(row) for row in rows]

    @strawberry.field(description="Percent, fees included, as recorded at disbursement.")
    async def apr(self, info: Info[Context, None]) -> Decimal | None:
        return await loan_figure(info.context, UUID(self.id), "apr")

    @strawberry.field(description="Percent, compounded, as recorded at disbursement.")
    async def effective_annual_rate(self, info: Info[Context, None]) -> Decimal | None:
        return await loan_figure(info.context, UUID(self.id), "effective_annual_rate")

    @strawberry.field(description="Fees deducted from the payout; null before disbursement.")
    async def fees_deducted(self, info: Info[Context, None]) -> Decimal | None:
        return await loan_figure(info.context, UUID(self.id), "fees_deducted")

    @strawberry.field(description="What the borrower was paid: principal less deducted fees.")
    async def paid_out(self, info: Info[Context, None]) -> Decimal | None:
        return await loan_figure(info.context, UUID(self.id), "paid_out")

    @strawberry.field
    async def charges(self, info: Info[Context, None]) -> list[LoanCharge]:
        """Every fee the loan was charged, with what of each is paid, waived and owed
        (as of the moment asked for, when the loan is read as of one)."""
        if self.recorded_charges is not None:
            return self.recorded_charges
        return await charges_of(info.context, UUID(self.id))

    @strawberry.field
    async def waivers(self, info: Info[Context, None]) -> list[LoanWaiver]:
        """Every waiver, with what the ledger forgave of it (as of the moment asked for,
        when the loan is read as of one)."""
        if self.recorded_waivers is not None:
            return self.recorded_waivers
        return await waivers_of(info.context, UUID(self.id))

    async def _installments(self, info: Info[Context, None]) -> list[Installment]:
        if self.recorded_installments is not None:
            return self.recorded_installments
        rows = await installments_by_loan(info.context).load(UUID(self.id))
        return [Installment.from_row(row) for row in rows]


def _business_date(app: LendingApplication, _: None) -> date:
    return business_date(app)


def _payoff_amount(app: LendingApplication, key: tuple[UUID, date]) -> Decimal:
    return payoff_amount(app, *key)


def _loan_as_of(app: LendingApplication, key: tuple[UUID, datetime]) -> RecordedLoan | None:
    return loan_as_of(app, *key)


@strawberry.input
class LoanFilter:
    status: LoanStatus | None = None
    borrower_id: strawberry.ID | None = None
    product_code: str | None = None
    officer: str | None = None
    region: str | None = None


async def loan(
    info: Info[Context, None], id: strawberry.ID, as_of: datetime | None = None
) -> Loan | None:
    context = info.context
    context.require(*STAFF, Role.BORROWER)
    loan_id = parse_id(id)
    if not await loan_reached(context, loan_id):
        return None  # out of the caller's office reach: as if there were none
    if as_of is not None:
        # The API speaks UTC; a time without a zone means UTC, not the server's zone.
        at = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
        found = await store_loader(context, "loans_as_of", _loan_as_of).load((loan_id, at))
        result = Loan.from_recorded(found) if found is not None else None
    else:
        # Batched: a page of arrears or warnings asks for its loans in one query.
        row = await loans_by_id(context).load(loan_id)
        result = Loan.from_row(row) if row else None
    if result is not None:
        context.staff_or_self(str(result.borrower_id))
    return result


async def loans(
    info: Info[Context, None],
    filter: LoanFilter | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Connection[Loan]:
    context = info.context
    user = context.require(*STAFF, Role.BORROWER)
    page = Page.of(first, after)
    wanted = filter or LoanFilter()
    borrower_id = wanted.borrower_id
    if user.is_borrower_only:
        if borrower_id is not None and str(borrower_id) != user.sub:
            raise Forbidden("a borrower may see only its own loans")
        borrower_id = strawberry.ID(user.sub)
    equal = {
        "status": wanted.status.value if wanted.status else None,
        "borrower_id": parse_id(borrower_id) if borrower_id is not None else None,
        "product_code": normalize_code(wanted.product_code) if wanted.product_code else None,
        "officer": wanted.officer,
        "region": wanted.region,
        "office": await context.reach(),
    }
    rows = await loans_page(context.pool, page.after, page.size + 1, equal)
    return connection([(row["position"], Loan.from_row(row)) for row in rows], page)
