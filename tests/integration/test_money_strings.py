"""Money travels as a plain decimal string: exponents and JSON numbers are refused."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from interfaces.rest.app import create_app
from tests.support.api import ANALYST
from tests.support.catalog import ADMIN, micro_12

PREVIEW = {
    "principal": "10000.00", "annual_rate_percent": "12", "term": 12,
    "frequency": "monthly", "method": "equal_installments", "start_date": "2026-01-31",
}  # fmt: skip


@pytest.mark.parametrize("amount", ["1e3", "1E+1", "1.5e2", 10.5, 10000, "Infinity", "NaN", " 10"])
def test_an_amount_that_is_not_a_plain_decimal_string_is_422_naming_the_field(
    api: TestClient, amount: Any
) -> None:
    response = api.post("/schedules/preview", json=PREVIEW | {"principal": amount}, headers=ANALYST)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["principal"]


def test_a_product_amount_in_exponent_notation_is_refused(api: TestClient) -> None:
    response = api.post("/products", json=micro_12(late_fee="5E+1"), headers=ADMIN)
    assert response.status_code == 422, response.text
    assert "late_fee" in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("amount", ["10000", "10000.5", "10000.00", "0.50"])
def test_plain_decimal_strings_are_accepted(api: TestClient, amount: str) -> None:
    response = api.post("/schedules/preview", json=PREVIEW | {"principal": amount}, headers=ANALYST)
    assert response.status_code == 200, response.text


def test_the_contract_says_money_is_a_decimal_string() -> None:
    schemas = create_app().openapi()["components"]["schemas"]
    principal = schemas["PreviewBody"]["properties"]["principal"]
    assert principal["type"] == "string"
    assert principal["format"] == "decimal"
    assert "number" not in str(principal)
