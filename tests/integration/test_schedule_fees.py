"""POST /schedules/preview with charges: the fees on each installment and the APR.

The APR is checked against numpy-financial's IRR of the cash flows built here by hand:
what the borrower receives, then each installment's principal and interest plus the
fees the charges say.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy_financial as npf
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.api import ANALYST
from tests.support.catalog import ADMIN, micro_12, ok

D = Decimal
TEXTBOOK = {
    "principal": "10000.00", "annual_rate_percent": "12", "term": 12,
    "frequency": "monthly", "method": "equal_installments", "start_date": "2026-01-31",
}  # fmt: skip
SERVICE = {"code": "svc", "name": "Service fee", "kind": "disbursement", "percent": "1.5",
           "collection": "deduct"}  # fmt: skip
MONTHLY = {"code": "mgmt", "name": "Account fee", "kind": "installment", "amount": "10"}


def preview(api: TestClient, **changes: Any) -> dict[str, Any]:
    return ok(api.post("/schedules/preview", json=TEXTBOOK | changes, headers=ANALYST))


def irr_percent(received: Decimal, payments: list[Decimal], periods: int = 12) -> Decimal:
    periodic = npf.irr([-float(received), *(float(p) for p in payments)])
    return D(repr(periodic * periods * 100)).quantize(D("0.01"))


def test_a_fee_free_12_percent_annuity_shows_an_apr_of_12(api: TestClient) -> None:
    schedule = preview(api)
    assert (schedule["apr"], schedule["effective_annual_rate"]) == ("12.00", "12.68")
    assert (schedule["total_fees"], schedule["amount_received"]) == ("0.00", "10000.00")
    assert schedule["total_interest"] == "661.86"


def test_a_deducted_service_fee_and_a_monthly_fee(api: TestClient) -> None:
    schedule = preview(api, charges=[SERVICE, MONTHLY])
    installments = schedule["installments"]
    assert {i["fee"] for i in installments} == {"10.00"}
    assert all(
        D(i["total"]) == D(i["principal"]) + D(i["interest"]) + D(i["fee"]) for i in installments
    )
    # 1.5% of 10,000 kept back, 12 x 10 on the installments.
    assert (schedule["amount_received"], schedule["total_fees"]) == ("9850.00", "270.00")
    assert schedule["total_payable"] == "10781.86"  # 10,661.86 + 120
    payments = [D(i["principal"]) + D(i["interest"]) + 10 for i in installments]
    assert D(schedule["apr"]) == irr_percent(D(9850), payments)
    assert D(schedule["apr"]) > D("16")  # well above the nominal 12
    assert D(schedule["effective_annual_rate"]) > D(schedule["apr"])


def test_a_first_installment_fee_and_percentages_of_each_basis(api: TestClient) -> None:
    charges = [
        {"code": "setup", "name": "Set-up", "kind": "disbursement", "amount": "200",
         "collection": "first_installment"},
        {"code": "ins", "name": "Insurance", "kind": "installment", "percent": "0.1",
         "basis": "outstanding", "min": "5"},
    ]  # fmt: skip
    schedule = preview(api, charges=charges)
    fees = [D(i["fee"]) for i in schedule["installments"]]
    # 0.1% of what is owed before each installment (10,000.00 first), at least 5.00.
    owed = [D(i["balance_after"]) + D(i["principal"]) for i in schedule["installments"]]
    expected = [max(D("5.00"), (o * D("0.001")).quantize(D("0.01"))) for o in owed]
    expected[0] += 200
    assert fees == expected
    assert D(schedule["total_fees"]) == sum(fees)
    payments = [D(i["total"]) for i in schedule["installments"]]
    assert D(schedule["apr"]) == irr_percent(D(10000), payments)


def test_a_product_preview_takes_the_products_charges_and_limits(api: TestClient) -> None:
    ok(api.post("/products", json=micro_12(charges=[SERVICE, MONTHLY]), headers=ADMIN), 201)
    by_product = preview(api, product_code="micro-12")
    assert by_product == preview(api, charges=[SERVICE, MONTHLY])
    refusals = [
        ({"charges": [MONTHLY]}, "charges"),
        ({"rounding": "half_up"}, "rounding"),
        ({"principal": "500.00"}, "principal"),
        ({"term": 24}, "term"),
        ({"product_code": "NANO-3"}, "product_code"),
    ]
    for change, field in refusals:
        body = TEXTBOOK | {"product_code": "MICRO-12"} | change
        response = api.post("/schedules/preview", json=body, headers=ANALYST)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field


def test_a_yen_product_previews_in_whole_yen(api: TestClient) -> None:
    yen = micro_12(code="YEN-12", currency="JPY", min_principal="100000",
                   max_principal="5000000", late_fee="0",
                   charges=[SERVICE | {"percent": "1.55"}])  # fmt: skip
    ok(api.post("/products", json=yen, headers=ADMIN), 201)
    body = TEXTBOOK | {"principal": "1234567", "product_code": "yen-12"}
    schedule = ok(api.post("/schedules/preview", json=body, headers=ANALYST))
    # 1.55% of 1,234,567 is 19,135.7885: 19,136 yen.
    assert schedule["amount_received"] == "1215431"
    assert schedule["installments"][0]["interest"] == "12346"


@pytest.mark.parametrize(
    ("charges", "field"),
    [
        ([SERVICE | {"percent": "101"}], "charges.0.percent"),
        ([MONTHLY | {"amount": "-1"}], "charges.0.amount"),
        ([MONTHLY | {"amount": "1.001"}], "charges.0.amount"),
        ([MONTHLY | {"kind": "annual"}], "charges.0.kind"),
        ([MONTHLY, MONTHLY], "charges.1.code"),
        ([SERVICE | {"percent": "100"}], "charges"),  # the borrower would receive nothing
    ],
)
def test_bad_charges_are_422_naming_the_field(
    api: TestClient, charges: list[dict[str, Any]], field: str
) -> None:
    response = api.post("/schedules/preview", json=TEXTBOOK | {"charges": charges},
                        headers=ANALYST)  # fmt: skip
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


amounts = st.decimals(min_value=D("0.01"), max_value=D(300), places=2).map(str)
percents = st.decimals(min_value=D("0.01"), max_value=D(5), places=2).map(str)


@st.composite
def previews(draw: st.DrawFn) -> dict[str, Any]:
    charges = []
    if draw(st.booleans()):
        collection = draw(st.sampled_from(["deduct", "first_installment"]))
        charges.append(SERVICE | {"percent": draw(percents), "collection": collection})
    if draw(st.booleans()):
        basis = draw(st.sampled_from(["principal", "installment", "outstanding"]))
        fee = {"code": "pct", "name": "Percent", "kind": "installment", "basis": basis,
               "percent": draw(percents), "max": draw(amounts)}  # fmt: skip
        charges.append(fee)
    if draw(st.booleans()):
        charges.append(MONTHLY | {"amount": draw(amounts)})
    return TEXTBOOK | {
        "principal": str(draw(st.decimals(min_value=D(1000), max_value=D(500000), places=2))),
        "annual_rate_percent": str(draw(st.decimals(min_value=0, max_value=36, places=1))),
        "term": draw(st.integers(min_value=1, max_value=36)),
        "frequency": draw(st.sampled_from(["weekly", "monthly", "quarterly"])),
        "method": draw(st.sampled_from(["equal_installments", "equal_principal", "flat"])),
        "charges": charges,
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(previews())
def test_fees_are_never_negative_and_add_up_to_total_fees(
    module_api: TestClient, body: dict[str, Any]
) -> None:
    schedule = ok(module_api.post("/schedules/preview", json=body, headers=ANALYST))
    installments = schedule["installments"]
    fees = [D(i["fee"]) for i in installments]
    deducted = D(body["principal"]) - D(schedule["amount_received"])
    assert min(fees) >= 0
    assert deducted >= 0
    assert D(schedule["total_fees"]) == sum(fees) + deducted
    assert D(schedule["total_payable"]) == sum(D(i["total"]) for i in installments)
    # Fees only ever raise the all-in rate.
    fee_free = ok(module_api.post("/schedules/preview", json=body | {"charges": []},
                                  headers=ANALYST))  # fmt: skip
    assert D(schedule["apr"]) >= D(fee_free["apr"])
    assert D(schedule["effective_annual_rate"]) >= D(fee_free["effective_annual_rate"])
