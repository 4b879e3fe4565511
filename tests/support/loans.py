"""The pasts a Loan story starts from, as the events the aggregate recorded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import uuid4

from domain.loan import Application, Loan
from domain.product import ProductTerms
from domain.schedule import Frequency, Method
from tests.support.story import history

D = Decimal


def micro_terms() -> ProductTerms:
    """A micro product: 1,000-50,000 yuan over 3-12 months at 6-18.5%."""
    return ProductTerms(
        name="Micro", currency="CNY", min_principal=D(1000), max_principal=D(50000),
        min_term=3, max_term=12, frequencies=(Frequency.MONTHLY,),
        methods=(Method.EQUAL_INSTALLMENTS,), min_rate_percent=D(6),
        max_rate_percent=D("18.5"), penalty_rate_percent=D("0.05"),
    ).checked()  # fmt: skip


def submitted() -> list[Any]:
    """12,000 yuan over 12 months at 12%, applied for on the micro product."""
    application = Application(
        borrower_id=uuid4(), borrower_kind="individual", region="Hubei", officer="officer.zhang",
        product_id=uuid4(), product_code="MICRO-12", minor_unit=2, product=micro_terms(),
        principal=D("12000.00"), term=12, frequency="monthly", method="equal_installments",
        annual_rate_percent=D(12), purpose="tea seedlings",
    )  # fmt: skip
    return history(Loan.submit(actor="officer.zhang", application=application))
