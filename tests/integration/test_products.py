"""Loan products end to end: the store, REST, GraphQL and the `products` read model."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.products import DefineProduct, define_product, find_product
from domain.errors import DuplicateProductCode, InvalidValue, NotFound
from domain.schedule import Frequency, Method
from infrastructure.runtime import Runtime
from infrastructure.tokens import Role
from tests.support.api import ANALYST, OFFICER, bearer, graphql
from tests.support.catalog import ADMIN, micro_12, product_terms
from tests.support.database import select_dicts

PRODUCTS = """{ products { id code name currency minorUnit minPrincipal maxPrincipal
    minTerm maxTerm frequencies methods minRatePercent maxRatePercent penaltyRatePercent
    lateFee graceDays rounding installmentMultiple dayCount interestCalculation
    allocationOrder version } }"""
PRODUCT = "query($code: String!) { product(code: $code) { code currency minPrincipal } }"


def as_command(body: dict[str, Any]) -> DefineProduct:
    return DefineProduct("admin.wu", body["code"], product_terms(body))


def define(api: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/products", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_code_finds_its_one_product_in_any_case(runtime: Runtime) -> None:
    written = define_product(runtime.app, as_command(micro_12()))
    product = find_product(runtime.app, "micro-12")
    assert product.id == written.id
    assert [e.actor for e in runtime.app.events_of(written.id)] == ["admin.wu"]
    runtime.app.take_snapshot(written.id)
    assert vars(find_product(runtime.app, "MICRO-12")) == vars(product)
    with pytest.raises(NotFound):
        find_product(runtime.app, "NANO 3")
    with pytest.raises(DuplicateProductCode) as refused:
        define_product(runtime.app, as_command(micro_12(code="micro-12", name="Copy")))
    assert refused.value.existing_product_id == written.id


def test_a_stored_product_refuses_applications_outside_its_limits(runtime: Runtime) -> None:
    define_product(runtime.app, as_command(micro_12()))
    product = find_product(runtime.app, "MICRO-12")
    good = {
        "principal": Decimal("20000"), "term": 6, "frequency": Frequency.MONTHLY,
        "method": Method.EQUAL_PRINCIPAL, "annual_rate_percent": Decimal("12"),
    }  # fmt: skip
    product.check_application(**good)
    refusals = {
        "principal": Decimal("500"), "term": 36, "frequency": Frequency.WEEKLY,
        "method": Method.BULLET, "annual_rate_percent": Decimal("36"),
    }  # fmt: skip
    for field, value in refusals.items():
        with pytest.raises(InvalidValue) as refused:
            product.check_application(**{**good, field: value})
        assert refused.value.field == field
        assert "MICRO-12" in refused.value.reason


def rows(db_url: str) -> list[dict[str, Any]]:
    return select_dicts(db_url, "SELECT * FROM products ORDER BY position")


def test_the_read_model_equals_a_rebuild(runtime: Runtime, db_url: str) -> None:
    runtime.projections.start()
    define_product(runtime.app, as_command(micro_12()))
    yen = micro_12(code="YEN-6", currency="JPY", min_principal="100000", max_principal="900000")
    last = define_product(runtime.app, as_command(yen | {"installment_multiple": "1000"}))
    runtime.projections.wait(last.position)
    incremental = rows(db_url)
    assert [(r["code"], r["currency"]) for r in incremental] == [
        ("MICRO-12", "CNY"),
        ("YEN-6", "JPY"),
    ]
    assert runtime.projections.rebuild("products") == last.position
    assert rows(db_url) == incremental


def test_defining_answers_201_and_graphql_reads_it_back(api: TestClient) -> None:
    written = define(api, micro_12())
    assert (set(written), written["version"]) == ({"id", "version", "position"}, 1)
    body = graphql(
        api, PRODUCTS, bearer("borrower", Role.BORROWER), min_position=written["position"]
    )
    assert body["data"]["products"] == [
        {
            "id": written["id"], "code": "MICRO-12", "name": "Micro business loan",
            "currency": "CNY", "minorUnit": 2, "minPrincipal": "1000.00",
            "maxPrincipal": "50000.00", "minTerm": 3, "maxTerm": 12,
            "frequencies": ["MONTHLY", "QUARTERLY"],
            "methods": ["EQUAL_INSTALLMENTS", "EQUAL_PRINCIPAL"],
            "minRatePercent": "6", "maxRatePercent": "18.5", "penaltyRatePercent": "0.05",
            "lateFee": "50.00", "graceDays": 0, "rounding": "HALF_EVEN",
            "installmentMultiple": None, "dayCount": "THIRTY_360",
            "interestCalculation": "PER_PERIOD",
            "allocationOrder": ["PENALTY", "FEE", "INTEREST", "PRINCIPAL"], "version": 1,
        }
    ]  # fmt: skip
    one = graphql(api, PRODUCT, ANALYST, {"code": "micro-12"})["data"]["product"]
    assert one == {"code": "MICRO-12", "currency": "CNY", "minPrincipal": "1000.00"}
    assert graphql(api, PRODUCT, ANALYST, {"code": "NANO-3"})["data"]["product"] is None


def test_settings_other_than_the_defaults_are_kept(api: TestClient) -> None:
    body = micro_12(
        day_count="actual/365", interest_calculation="daily", rounding="half_up",
        grace_days=3, installment_multiple="1",
        allocation_order=["interest", "principal", "penalty", "fee"],
    )  # fmt: skip
    written = define(api, body)
    query = """{ products {
        dayCount interestCalculation rounding graceDays installmentMultiple allocationOrder } }"""
    found = graphql(api, query, ANALYST, min_position=written["position"])["data"]["products"]
    assert found == [
        {
            "dayCount": "ACTUAL_365", "interestCalculation": "DAILY", "rounding": "HALF_UP",
            "graceDays": 3, "installmentMultiple": "1.00",
            "allocationOrder": ["INTEREST", "PRINCIPAL", "PENALTY", "FEE"],
        }
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (micro_12(code="MICRO 12"), "code"),
        (micro_12(currency="XYZ"), "currency"),
        (micro_12(min_principal="60000"), "min_principal"),
        (micro_12(late_fee="0.005"), "late_fee"),
        (micro_12(currency="JPY", late_fee="0.50"), "late_fee"),
        (micro_12(min_term=0), "min_term"),
        (micro_12(frequencies=["daily"]), "frequencies.0"),
        (micro_12(min_rate_percent="19"), "min_rate_percent"),
        (micro_12(max_rate_percent="1000.5"), "max_rate_percent"),
        (micro_12(penalty_rate_percent="0.00001"), "penalty_rate_percent"),
        (micro_12(grace_days=-1), "grace_days"),
        (micro_12(installment_multiple="0"), "installment_multiple"),
        (micro_12(rounding="up"), "rounding"),
        (micro_12(odd_period_interest="prorated"), "odd_period_interest"),
        (micro_12(penalty_rate_basis="monthly"), "penalty_rate_basis"),
        (micro_12(methods=["equal_principal"], installment_multiple="1"), "installment_multiple"),
        (micro_12(allocation_order=["fee", "interest", "principal"]), "allocation_order"),
        (micro_12(colour="green"), "colour"),
        ({k: v for k, v in micro_12().items() if k != "name"}, "name"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    api: TestClient, body: dict[str, Any], field: str
) -> None:
    response = api.post("/products", json=body, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]


def test_a_duplicate_code_is_409_naming_the_existing_product(api: TestClient) -> None:
    first = define(api, micro_12())
    again = api.post("/products", json=micro_12(code="micro-12"), headers=ADMIN)
    assert again.status_code == 409
    assert again.json()["existing_product_id"] == first["id"]
    assert first["id"] in again.json()["detail"]


def test_only_an_admin_defines_products(api: TestClient) -> None:
    assert api.post("/products", json=micro_12()).status_code == 401
    assert api.post("/products", json=micro_12(), headers=OFFICER).status_code == 403
    assert api.post("/graphql", json={"query": PRODUCTS}).status_code == 401


def test_odd_period_and_penalty_basis_default_and_are_kept(api: TestClient) -> None:
    app = api.app.state.runtime.app  # type: ignore[attr-defined]
    define(api, micro_12())
    plain = find_product(app, "MICRO-12").terms
    assert (plain.odd_period_interest, plain.penalty_rate_basis) == ("by_days", "annual")
    body = micro_12(code="DAILY-12", odd_period_interest="whole_period", penalty_rate_basis="daily")
    define(api, body)
    chosen = find_product(app, "DAILY-12").terms
    assert (chosen.odd_period_interest, chosen.penalty_rate_basis) == ("whole_period", "daily")
