"""An assessment prices within the legal ceiling on the all-in rate, the product's fees
included, and shows the APR beside the rate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy_financial as npf

from domain.credit import CreditPolicy
from infrastructure.settings import Settings
from tests.support.api import ANALYST, client, graphql
from tests.support.catalog import ADMIN, applied_loan, micro_12, ok

D = Decimal
PRICING = """query($id: ID!) { loan(id: $id) { assessment { rate
    pricing { unclampedPercent legalCeilingPercent ratePercent aprPercent clampedBy } } } }"""
FEES = [
    {"code": "svc", "name": "Service fee", "kind": "disbursement", "percent": "3",
     "collection": "deduct"},
    {"code": "mgmt", "name": "Account fee", "kind": "installment", "amount": "20"},
]  # fmt: skip


def pricing(api: Any, written: dict[str, Any]) -> dict[str, Any]:
    body = graphql(api, PRICING, ANALYST, {"id": written["id"]}, written["position"])
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["loan"]["assessment"]["pricing"]
    return found


def test_fees_lower_the_price_until_the_apr_is_within_the_ceiling(settings: Settings) -> None:
    costly = settings.model_copy(update={"credit": CreditPolicy(base_rate_percent=D(30))})
    with client(costly) as api:
        product = micro_12(code="FEE-24", max_rate_percent="36", charges=FEES)
        ok(api.post("/products", json=product, headers=ADMIN), 201)
        priced = pricing(api, applied_loan(api, product_code="FEE-24"))
        assert priced["clampedBy"] == "legal_ceiling_apr"
        assert D(priced["unclampedPercent"]) > 24
        rate = D(priced["ratePercent"])
        assert rate < 24
        assert D(priced["aprPercent"]) <= 24
        # The APR from the schedule at that rate, by numpy-financial's IRR: 12,000 less 3%
        # received, then 12 annuity payments plus 20 each.
        monthly = float(rate) / 1200
        level = 12000 * monthly / (1 - (1 + monthly) ** -12)
        irr = npf.irr([-12000 * 0.97, *[level + 20] * 12]) * 12 * 100
        assert abs(D(priced["aprPercent"]) - D(repr(irr))) < D("0.02")
        assert 23.9 < irr < 24.01  # unrounded installments: within a hundredth


def test_a_fee_free_price_shows_its_apr(settings: Settings) -> None:
    with client(settings) as api:
        priced = pricing(api, applied_loan(api))
        assert priced["clampedBy"] in (None, "product_min")
        assert D(priced["aprPercent"]) == D(priced["ratePercent"]).quantize(D("0.01"))
