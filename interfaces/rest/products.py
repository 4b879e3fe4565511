"""REST commands on loan products."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import Field, field_validator

from application.products import DefineProduct, ReviseProduct
from application.products import define_product as define
from application.products import revise_product as revise
from domain.accounting import Basis
from domain.accounting import Role as PostingRole
from domain.accounting.rules import DEFAULT_ACCOUNTS
from domain.charges import MAX_CHARGES, Charge, ChargeBasis, ChargeKind, Collection
from domain.ledger import DEFAULT_ORDER, AdvancePayment, Component, PenaltyRateBasis
from domain.money import ZERO
from domain.product import DEFAULT_MAX_AGE, DEFAULT_MIN_AGE, ProductTerms
from domain.schedule import (
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    OddPeriodInterest,
    Rounding,
)
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.rest.common import (
    Accepted,
    Age,
    App,
    Code,
    Command,
    ExpectedVersion,
    GraceDays,
    Money,
    Percent,
    Term,
    Text,
)
from interfaces.rest.notification_bodies import NotificationsBody

router = APIRouter(prefix="/products", tags=["products"])


class ChargeBody(Command):
    """A charge: exactly one of `amount` and `percent` (of `basis`, within `min` and
    `max`); `collection` for a disbursement charge only."""

    code: Code
    name: Text
    kind: ChargeKind
    amount: Money | None = None
    percent: Percent | None = None
    basis: ChargeBasis | None = None
    min: Money | None = None
    max: Money | None = None
    collection: Collection | None = None


class AccountingBody(Command):
    """The product's accounting rule: its basis and each posting role's account code.
    Without it a product posts to the default chart on the accrual basis."""

    basis: Basis = Basis.ACCRUAL
    accounts: Annotated[dict[Code, Code], Field(max_length=len(PostingRole))] = Field(
        default_factory=lambda: {role.value: code for role, code in DEFAULT_ACCOUNTS.items()}
    )

    @field_validator("accounts")
    @classmethod
    def _roles(cls, accounts: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(accounts) - {role.value for role in PostingRole})
        if unknown:
            raise ValueError(f"not posting roles: {', '.join(unknown)}")
        return accounts


class TermsBody(Command):
    name: Text
    currency: Annotated[Code, Field(min_length=3, max_length=3)]
    min_principal: Money
    max_principal: Money
    min_term: Term
    max_term: Term
    frequencies: Annotated[list[Frequency], Field(max_length=len(Frequency))]
    methods: Annotated[list[Method], Field(max_length=len(Method))]
    min_rate_percent: Percent
    max_rate_percent: Percent
    penalty_rate_percent: Percent
    late_fee: Money = ZERO
    grace_days: GraceDays = 0
    rounding: Rounding = Rounding.HALF_EVEN
    installment_multiple: Money | None = None
    day_count: DayCount = DayCount.THIRTY_360
    interest_calculation: InterestCalculation = InterestCalculation.PER_PERIOD
    allocation_order: Annotated[list[Component], Field(max_length=len(Component))] = Field(
        default_factory=lambda: list(DEFAULT_ORDER)
    )
    # The borrower's age bounds, in whole years on the business date of the application.
    min_age: Age = DEFAULT_MIN_AGE
    max_age: Age = DEFAULT_MAX_AGE
    # What per-period interest charges a first period that is not one ordinary period.
    odd_period_interest: OddPeriodInterest = OddPeriodInterest.BY_DAYS
    # penalty_rate_percent per year (on day_count) or per calendar day (罚息 0.05%/day).
    penalty_rate_basis: PenaltyRateBasis = PenaltyRateBasis.ANNUAL
    charges: Annotated[list[ChargeBody], Field(max_length=MAX_CHARGES)] = Field(
        default_factory=list
    )
    # What money paid ahead of due dates does once the interest accrued to its value date
    # is paid: the next installments' principal, or a recast keeping the term or the
    # installment (a repayment's own `prepayment` flag comes first).
    advance_payment: AdvancePayment = AdvancePayment.NEXT_INSTALLMENTS
    accounting: AccountingBody = Field(default_factory=AccountingBody)
    # Each reminder stage's channel and template, and the product's own templates
    # (domain/notifications.py); without it, the default policy.
    notifications: NotificationsBody | None = None

    def terms(self) -> ProductTerms:
        # Unsent fields are left out so the domain's defaults are the ones that apply.
        fields = self.model_dump(exclude_unset=True, exclude={"code", "charges", "notifications"})
        charges = tuple(Charge(**charge.model_dump(exclude_unset=True)) for charge in self.charges)
        if self.notifications is not None:
            fields["notifications"] = self.notifications.policy()
        return ProductTerms(**fields, charges=charges)


class DefineBody(TermsBody):
    code: Code


Admin = Annotated[User, Depends(require(Role.ADMIN))]


@router.post("", status_code=201)
def define_product(body: DefineBody, app: App, user: Admin) -> Accepted:
    command = DefineProduct(actor=user.sub, code=body.code, terms=body.terms())
    return Accepted.of(define(app, command))


@router.post("/{code}/revise")
def revise_product(
    code: Code, body: TermsBody, app: App, version: ExpectedVersion, user: Admin
) -> Accepted:
    """Record the full new terms as the product's next version. Loans already made keep
    the version they were made under; the answer's `version` is the product's."""
    command = ReviseProduct(user.sub, code, body.terms(), expected_version=version)
    return Accepted.of(revise(app, command))
