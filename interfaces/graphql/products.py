"""GraphQL loan products, read from the `products` table.

The enums here show the domain's values under upper-case names (`30/360` is
`THIRTY_360`); other types that expose a frequency or method should reuse them,
since GraphQL allows one type per name.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from domain.accounting import DEFAULT_RULE, AccountingRule
from domain.accounting import Role as PostingRoles
from domain.product import normalize_code
from infrastructure.tokens import Role
from interfaces.graphql.context import STAFF, Context
from interfaces.graphql.loaders import product_versions
from interfaces.graphql.scalars import build_from_row
from projections.products import all_products, product_of_code


@strawberry.enum
class Frequency(Enum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


@strawberry.enum
class Method(Enum):
    EQUAL_INSTALLMENTS = "equal_installments"
    EQUAL_PRINCIPAL = "equal_principal"
    INTEREST_ONLY = "interest_only"
    BULLET = "bullet"
    FLAT = "flat"


@strawberry.enum
class DayCount(Enum):
    THIRTY_360 = "30/360"
    ACTUAL_365 = "actual/365"
    ACTUAL_360 = "actual/360"


@strawberry.enum
class InterestCalculation(Enum):
    PER_PERIOD = "per_period"
    DAILY = "daily"


@strawberry.enum
class Rounding(Enum):
    HALF_EVEN = "half_even"
    HALF_UP = "half_up"
    DOWN = "down"


@strawberry.enum
class AllocationComponent(Enum):
    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"
    PRINCIPAL = "principal"


@strawberry.enum
class ChargeKind(Enum):
    DISBURSEMENT = "disbursement"
    INSTALLMENT = "installment"
    SPECIFIED_DUE_DATE = "specified_due_date"


@strawberry.enum
class ChargeBasis(Enum):
    PRINCIPAL = "principal"
    INSTALLMENT = "installment"
    OUTSTANDING = "outstanding"


@strawberry.enum
class ChargeCollection(Enum):
    DEDUCT = "deduct"
    FIRST_INSTALLMENT = "first_installment"


@strawberry.enum(
    description="What money paid ahead of due dates does once the interest accrued to "
    "its value date is paid: pay the next installments' principal (the schedule stands), "
    "or recast the schedule keeping the term (RECAST_INSTALLMENT) or the installment "
    "(RECAST_TERM)."
)
class AdvancePayment(Enum):
    NEXT_INSTALLMENTS = "next_installments"
    RECAST_INSTALLMENT = "recast_installment"
    RECAST_TERM = "recast_term"


@strawberry.enum(
    description="When interest, fees and penalty are income: when paid (CASH) "
    "or when earned or charged, receivable until paid (ACCRUAL)."
)
class AccountingBasis(Enum):
    CASH = "cash"
    ACCRUAL = "accrual"


PostingRole = strawberry.enum(
    Enum("PostingRole", {role.name: role.value for role in PostingRoles}),  # type: ignore[misc]
    description="What a posting line is for; the product's accounting rule names its account.",
)


@strawberry.type
class AccountMapping:
    role: PostingRole  # type: ignore[valid-type]
    account: str = strawberry.field(description="The code of the account the role posts to.")


@strawberry.type(
    description="The product's accounting rule, recorded on each loan at "
    "submission: its basis and the account each posting role goes to."
)
class ProductAccounting:
    basis: AccountingBasis
    mappings: list[AccountMapping]

    @classmethod
    def from_json(cls, stored: dict[str, Any] | None) -> ProductAccounting:
        rule = AccountingRule.model_validate(stored) if stored else DEFAULT_RULE
        return cls(
            basis=AccountingBasis(rule.basis.value),
            mappings=[AccountMapping(role=PostingRole(role.value), account=code)
                      for role, code in rule.accounts.items()],
        )  # fmt: skip


@strawberry.type
class ProductCharge:
    """A charge the product levies: a fixed `amount` or a `percent` of `basis`, held
    within `min` and `max`; `collection` says how a disbursement charge is paid."""

    code: str
    name: str
    kind: ChargeKind
    amount: Decimal | None
    percent: Decimal | None
    basis: ChargeBasis | None
    min: Decimal | None
    max: Decimal | None
    collection: ChargeCollection | None

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> ProductCharge:
        def decimal(name: str) -> Decimal | None:
            return Decimal(stored[name]) if name in stored else None

        basis, collection = stored.get("basis"), stored.get("collection")
        return cls(
            code=stored["code"],
            name=stored["name"],
            kind=ChargeKind(stored["kind"]),
            amount=decimal("amount"),
            percent=decimal("percent"),
            basis=ChargeBasis(basis) if basis else None,
            min=decimal("min"),
            max=decimal("max"),
            collection=ChargeCollection(collection) if collection else None,
        )


@strawberry.interface
class ProductTerms:
    """The terms of one version of a product."""

    name: str
    currency: str
    min_principal: Decimal
    max_principal: Decimal
    min_term: int
    max_term: int
    frequencies: list[Frequency]
    methods: list[Method]
    min_rate_percent: Decimal
    max_rate_percent: Decimal
    penalty_rate_percent: Decimal
    late_fee: Decimal
    grace_days: int
    rounding: Rounding
    installment_multiple: Decimal | None
    day_count: DayCount
    interest_calculation: InterestCalculation
    allocation_order: list[AllocationComponent]
    min_age: int
    max_age: int
    charges: list[ProductCharge]
    terms_version: int
    advance_payment: AdvancePayment
    accounting: ProductAccounting


def _terms(row: dict[str, Any]) -> dict[str, Any]:
    """The converted terms columns of a `products` or `product_versions` row."""
    return {
        "frequencies": [Frequency(v) for v in row["frequencies"]],
        "methods": [Method(v) for v in row["methods"]],
        "rounding": Rounding(row["rounding"]),
        "day_count": DayCount(row["day_count"]),
        "interest_calculation": InterestCalculation(row["interest_calculation"]),
        "allocation_order": [AllocationComponent(v) for v in row["allocation_order"]],
        "charges": [ProductCharge.from_json(c) for c in row["charges"]],
        "advance_payment": AdvancePayment(row["advance_payment"]),
        "accounting": ProductAccounting.from_json(row.get("accounting")),
    }


@strawberry.type
class ProductVersion(ProductTerms):
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ProductVersion:
        return build_from_row(cls, row, **_terms(row))


@strawberry.type
class LoanProduct(ProductTerms):
    """A product with its current terms (those of `termsVersion`)."""

    id: strawberry.ID
    code: str
    minor_unit: int
    version: int

    @strawberry.field(description="Every version of the terms, oldest first.")
    async def versions(self, info: Info[Context, None]) -> list[ProductVersion]:
        rows = await product_versions(info.context).load(UUID(self.id))
        return [ProductVersion.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> LoanProduct:
        return build_from_row(cls, row, id=strawberry.ID(str(row["id"])), **_terms(row))


async def products(info: Info[Context, None]) -> list[LoanProduct]:
    info.context.require(*STAFF, Role.BORROWER)
    return [LoanProduct.from_row(row) for row in await all_products(info.context.pool)]


async def product(info: Info[Context, None], code: str) -> LoanProduct | None:
    info.context.require(*STAFF, Role.BORROWER)
    row = await product_of_code(info.context.pool, normalize_code(code))
    return LoanProduct.from_row(row) if row else None
