"""The demo's loan products, and how borrowers tend to use each of them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from application.app import LendingApplication
from application.products import DefineProduct, define_product, find_product
from domain.charges import Charge, ChargeBasis, ChargeKind, Collection
from domain.errors import NotFound
from domain.ledger import Component
from domain.product import ProductTerms
from domain.schedule import DayCount, Frequency, InterestCalculation, Method, Rounding

ADMIN = "admin.wu"
D = Decimal


@dataclass(frozen=True)
class Offer:
    """A product as the demo lends it: its terms plus what loans of it usually look like."""

    code: str
    terms: ProductTerms
    typical_principal: tuple[int, int, int]  # least, most, step (yuan)
    terms_by_frequency: dict[Frequency, tuple[int, int]]
    purposes: tuple[str, ...]


# 服务费: taken from the amount paid out, so the borrower receives 98.5% of the principal.
SERVICE_FEE = Charge(
    code="SERVICE", name="服务费 Service fee", kind=ChargeKind.DISBURSEMENT,
    percent=D("1.5"), basis=ChargeBasis.PRINCIPAL, collection=Collection.DEDUCT,
)  # fmt: skip
# 管理费: 0.1% of the balance owed on every installment, at least 50 yuan.
MANAGEMENT_FEE = Charge(
    code="MANAGEMENT", name="管理费 Management fee", kind=ChargeKind.INSTALLMENT,
    percent=D("0.1"), basis=ChargeBasis.OUTSTANDING, min=D(50),
)  # fmt: skip

MICRO = Offer(
    code="MICRO-BIZ",
    terms=ProductTerms(
        name="小微经营贷 Micro-business loan", currency="CNY",
        min_principal=D(5_000), max_principal=D(200_000), min_term=3, max_term=24,
        frequencies=(Frequency.MONTHLY,),
        methods=(Method.EQUAL_INSTALLMENTS, Method.EQUAL_PRINCIPAL),
        min_rate_percent=D("8.5"), max_rate_percent=D(18), penalty_rate_percent=D(24),
        late_fee=D(50), grace_days=3,
        charges=(SERVICE_FEE,),
    ),
    typical_principal=(5_000, 120_000, 1_000),
    terms_by_frequency={Frequency.MONTHLY: (3, 24)},
    purposes=("restock inventory", "shop renovation", "delivery tricycle", "cold-storage unit"),
)  # fmt: skip

WEEKLY = Offer(
    code="GROUP-WEEKLY",
    terms=ProductTerms(
        name="周还款小额信贷 Weekly group and individual microloan", currency="CNY",
        min_principal=D(2_000), max_principal=D(30_000), min_term=12, max_term=52,
        frequencies=(Frequency.WEEKLY, Frequency.FORTNIGHTLY),
        methods=(Method.FLAT, Method.EQUAL_INSTALLMENTS),
        # Flat rates: interest on the whole principal costs nearly twice as much a year,
        # and 12% flat (about 23% APR) is the most the 24% legal ceiling allows.
        min_rate_percent=D(7), max_rate_percent=D(12), penalty_rate_percent=D(24),
        late_fee=D(20), grace_days=1, rounding=Rounding.HALF_UP, installment_multiple=D(1),
    ),
    typical_principal=(2_000, 20_000, 500),
    terms_by_frequency={Frequency.WEEKLY: (12, 52), Frequency.FORTNIGHTLY: (12, 26)},
    purposes=("market stall stock", "sewing machine", "piglets", "mobile snack cart"),
)  # fmt: skip

SEASONAL = Offer(
    code="AGRI-SEASON",
    terms=ProductTerms(
        name="农户季节性贷款 Seasonal agricultural loan", currency="CNY",
        min_principal=D(10_000), max_principal=D(300_000), min_term=2, max_term=4,
        frequencies=(Frequency.QUARTERLY,), methods=(Method.INTEREST_ONLY, Method.BULLET),
        min_rate_percent=D(6), max_rate_percent=D(12), penalty_rate_percent=D(18),
        late_fee=D(100), grace_days=7, day_count=DayCount.ACTUAL_365,
        interest_calculation=InterestCalculation.DAILY,
        # Policy lending: the debt itself is settled before any penalty.
        allocation_order=(Component.INTEREST, Component.PRINCIPAL, Component.PENALTY,
                          Component.FEE),
    ),
    typical_principal=(10_000, 150_000, 5_000),
    terms_by_frequency={Frequency.QUARTERLY: (2, 4)},
    purposes=("spring planting: seed and fertiliser", "tea harvest labour",
              "orchard irrigation", "feed for the autumn herd"),
)  # fmt: skip

SME = Offer(
    code="SME-TERM",
    terms=ProductTerms(
        name="小企业流动资金贷 SME term loan", currency="CNY",
        min_principal=D(100_000), max_principal=D(3_000_000), min_term=4, max_term=36,
        frequencies=(Frequency.MONTHLY, Frequency.QUARTERLY),
        methods=(Method.EQUAL_INSTALLMENTS, Method.EQUAL_PRINCIPAL, Method.INTEREST_ONLY),
        min_rate_percent=D(6), max_rate_percent=D(12), penalty_rate_percent=D(15),
        late_fee=D(500), grace_days=5, day_count=DayCount.ACTUAL_365,
        interest_calculation=InterestCalculation.DAILY,
        charges=(MANAGEMENT_FEE,),
    ),
    typical_principal=(100_000, 1_500_000, 10_000),
    terms_by_frequency={Frequency.MONTHLY: (12, 36), Frequency.QUARTERLY: (4, 12)},
    purposes=("working capital", "production equipment", "warehouse lease", "delivery van"),
)  # fmt: skip

OFFERS = (MICRO, WEEKLY, SEASONAL, SME)
# Relative popularity of each product with individuals and with businesses.
INDIVIDUAL_MIX = ((MICRO, 40), (WEEKLY, 40), (SEASONAL, 20))
BUSINESS_MIX = ((MICRO, 45), (SME, 40), (SEASONAL, 15))


def define_products(app: LendingApplication) -> int:
    """Define every demo product not defined yet; returns the last position written."""
    position = 0
    for offer in OFFERS:
        try:
            find_product(app, offer.code)
        except NotFound:
            written = define_product(app, DefineProduct(ADMIN, offer.code, offer.terms))
            position = written.position
    return position
