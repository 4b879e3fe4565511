"""A product's `advance_payment` over REST and GraphQL, and what it does to a loan's money.

The loan: 12,000 at 12% a year over 12 months from 2026-01-31 on MICRO-12, 1,066.19 a
month; on the first due date, 2026-02-28, 11,053.81 of principal is left after it.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from domain.ledger import Component
from tests.support.api import ANALYST, graphql, stored_loan
from tests.support.catalog import ADMIN, applied_loan, micro_12, ok, paid_out, pay

PRODUCTS = "{ products { code advancePayment versions { termsVersion advancePayment } } }"


def test_the_setting_defaults_is_kept_and_read_back(api: TestClient) -> None:
    ok(api.post("/products", json=micro_12(), headers=ADMIN), 201)
    recast = micro_12(code="RECAST-12", advance_payment="recast_term")
    ok(api.post("/products", json=recast, headers=ADMIN), 201)
    revised = micro_12(advance_payment="recast_installment")
    del revised["code"]
    written = ok(api.post("/products/RECAST-12/revise", json=revised, headers=ADMIN))
    found = graphql(api, PRODUCTS, ANALYST, min_position=written["position"])["data"]
    assert found["products"] == [
        {
            "code": "MICRO-12",
            "advancePayment": "NEXT_INSTALLMENTS",
            "versions": [{"termsVersion": 1, "advancePayment": "NEXT_INSTALLMENTS"}],
        },
        {
            "code": "RECAST-12",
            "advancePayment": "RECAST_INSTALLMENT",
            "versions": [
                {"termsVersion": 1, "advancePayment": "RECAST_TERM"},
                {"termsVersion": 2, "advancePayment": "RECAST_INSTALLMENT"},
            ],
        },
    ]


def test_an_unknown_setting_is_422_naming_the_field(api: TestClient) -> None:
    response = api.post("/products", json=micro_12(advance_payment="skip"), headers=ADMIN)
    assert response.status_code == 422, response.text
    assert "advance_payment" in [error["field"] for error in response.json()["errors"]]


def test_money_paid_on_the_payout_day_collects_no_interest(api: TestClient) -> None:
    loan = applied_loan(api)
    paid_out(api, loan, "2026-01-31")
    pay(api, loan["id"], "1000.00", "2026-01-31", "SAME-DAY")
    recorded = stored_loan(api, loan["id"])
    (result,) = recorded.results.values()
    assert {a.component for a in result.allocations} == {Component.PRINCIPAL}
    assert recorded.payoff_amount(recorded.books.terms.start_date) == Decimal("11000.00")


def test_on_a_recast_term_product_money_paid_ahead_shortens_the_term(api: TestClient) -> None:
    ok(api.post("/products", json=micro_12(advance_payment="recast_term"), headers=ADMIN), 201)
    loan = applied_loan(api)
    paid_out(api, loan, "2026-01-31")
    pay(api, loan["id"], "6066.19", "2026-02-28", "AHEAD")  # no prepayment flag
    recorded = stored_loan(api, loan["id"])
    assert recorded.balances is not None
    assert recorded.balances.outstanding.principal == Decimal("6053.81")  # 11053.81 - 5000
    # The fewest months whose level payment of 6053.81 at 1% is at most 1066.19: 6.
    assert recorded.schedule is not None
    assert len(recorded.schedule.installments) == 1 + 6
