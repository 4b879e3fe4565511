"""A loan product, told as a story: defined once with its code and currency's minor unit,
or refused, naming the rule it breaks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.errors import InvalidValue
from domain.product import LoanProduct, ProductTerms
from tests.support.loans import micro_terms
from tests.support.story import given


def define(code: str = " micro-12 ", terms: ProductTerms | None = None) -> Any:
    product = terms or micro_terms()
    return lambda _: LoanProduct.define(actor="admin.wu", code=code, terms=product)


def test_a_product_is_defined_under_its_normalized_code_with_exact_limits() -> None:
    event = given().when(define()).then(LoanProduct.Defined).events[0]
    assert (event.code, event.minor_unit, event.actor) == ("MICRO-12", 2, "admin.wu")
    assert (str(event.terms.min_principal), str(event.terms.max_principal)) == (
        "1000.00",
        "50000.00",
    )
    assert str(event.terms.late_fee) == "0.00"


def test_a_yen_product_records_no_minor_unit() -> None:
    yen = micro_terms().model_copy(update={"currency": "JPY", "max_principal": Decimal(5_000_000)})
    event = given().when(define(terms=yen)).then(LoanProduct.Defined).events[0]
    assert (event.minor_unit, str(event.terms.max_principal)) == (0, "5000000")


@pytest.mark.parametrize(
    ("code", "changes", "field"),
    [
        ("micro 12", {}, "code"),
        ("MICRO-12", {"currency": "XXX"}, "currency"),
        ("MICRO-12", {"min_term": 13}, "min_term"),
        ("MICRO-12", {"late_fee": Decimal("0.001")}, "late_fee"),
    ],
)
def test_a_product_breaking_a_rule_is_refused(
    code: str, changes: dict[str, Any], field: str
) -> None:
    terms = micro_terms().model_copy(update=changes)  # checked only when defined
    refused = given().when(define(code, terms)).raises(InvalidValue)
    assert (refused.error.field, refused.events) == (field, [])
