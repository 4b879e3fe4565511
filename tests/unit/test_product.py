"""Loan product rules: a product breaking one is refused with the field named."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.errors import InvalidValue
from domain.ledger import Component
from domain.product import LoanProduct, ProductTerms
from domain.schedule import DayCount, Frequency, InterestCalculation, Method, Rounding


def micro_terms(**overrides: Any) -> ProductTerms:
    """A small-business micro loan: 1,000 to 50,000 yuan over 3 to 12 months."""
    fields: dict[str, Any] = {
        "name": "Micro business loan",
        "currency": "CNY",
        "min_principal": Decimal("1000"),
        "max_principal": Decimal("50000"),
        "min_term": 3,
        "max_term": 12,
        "frequencies": (Frequency.MONTHLY, Frequency.QUARTERLY),
        "methods": (Method.EQUAL_INSTALLMENTS, Method.EQUAL_PRINCIPAL),
        "min_rate_percent": Decimal("6"),
        "max_rate_percent": Decimal("18.5"),
        "penalty_rate_percent": Decimal("0.05"),
    }
    return ProductTerms(**{**fields, **overrides})


def micro_12(**overrides: Any) -> LoanProduct:
    return LoanProduct.define(actor="admin.wu", code="micro-12", terms=micro_terms(**overrides))


def test_a_defined_product_records_the_defaults_and_the_minor_unit() -> None:
    product = micro_12()
    assert product.code == "MICRO-12"
    assert product.minor_unit == 2
    terms = product.terms
    assert str(terms.min_principal) == "1000.00"
    assert str(terms.late_fee) == "0.00"
    assert terms.grace_days == 0
    assert terms.rounding is Rounding.HALF_EVEN
    assert terms.day_count is DayCount.THIRTY_360
    assert terms.interest_calculation is InterestCalculation.PER_PERIOD
    assert terms.installment_multiple is None
    assert terms.allocation_order == (
        Component.PENALTY, Component.FEE, Component.INTEREST, Component.PRINCIPAL,
    )  # fmt: skip
    (event,) = product.collect_events()
    assert event.actor == "admin.wu"


def test_yen_amounts_have_no_decimals() -> None:
    product = micro_12(currency="jpy", max_principal=Decimal("5000000"))
    assert (product.terms.currency, product.minor_unit) == ("JPY", 0)
    assert str(product.terms.max_principal) == "5000000"
    with pytest.raises(InvalidValue) as refused:
        micro_12(currency="JPY", late_fee=Decimal("0.50"))
    assert refused.value.field == "late_fee"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "  "}, "name"),
        ({"currency": "XXX"}, "currency"),
        ({"currency": "yuan"}, "currency"),
        ({"min_principal": Decimal("60000")}, "min_principal"),
        ({"min_principal": Decimal("-1")}, "min_principal"),
        ({"max_principal": Decimal("0")}, "max_principal"),
        ({"max_principal": Decimal("1000.001")}, "max_principal"),
        ({"min_term": 0}, "min_term"),
        ({"min_term": 13}, "min_term"),
        ({"max_term": 0}, "max_term"),
        ({"frequencies": ()}, "frequencies"),
        ({"frequencies": (Frequency.MONTHLY, Frequency.MONTHLY)}, "frequencies"),
        ({"methods": ()}, "methods"),
        ({"min_rate_percent": Decimal("20")}, "min_rate_percent"),
        ({"max_rate_percent": Decimal("1000.01")}, "max_rate_percent"),
        ({"penalty_rate_percent": Decimal("-0.1")}, "penalty_rate_percent"),
        ({"penalty_rate_percent": Decimal("0.00001")}, "penalty_rate_percent"),
        ({"late_fee": Decimal("-5")}, "late_fee"),
        ({"late_fee": Decimal("5.005")}, "late_fee"),
        ({"grace_days": -1}, "grace_days"),
        # Past what the read models' integer columns and date arithmetic hold.
        ({"grace_days": 10**12}, "grace_days"),
        ({"grace_days": 367}, "grace_days"),
        ({"max_term": 1201}, "max_term"),
        ({"min_term": 10**12, "max_term": 10**12}, "min_term"),
        ({"installment_multiple": Decimal("0")}, "installment_multiple"),
        # No offered method has a level installment for the multiple to round.
        (
            {"methods": (Method.EQUAL_PRINCIPAL, Method.BULLET), "installment_multiple": 1},
            "installment_multiple",
        ),
        (
            {
                "methods": (Method.FLAT,),
                "interest_calculation": InterestCalculation.DAILY,
                "installment_multiple": Decimal("1"),
            },
            "installment_multiple",
        ),
        ({"allocation_order": (Component.FEE, Component.INTEREST)}, "allocation_order"),
        (
            {"allocation_order": (Component.FEE,) * 2 + (Component.INTEREST, Component.PENALTY)},
            "allocation_order",
        ),
    ],
)
def test_a_product_breaking_a_rule_is_refused_naming_the_field(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        micro_12(**change)
    assert refused.value.field == field


@pytest.mark.parametrize("code", ["", "  ", "MICRO 12", "ÄPFEL", "X" * 33])
def test_a_code_must_be_short_letters_digits_and_dashes(code: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        LoanProduct.define(actor="admin.wu", code=code, terms=micro_terms())
    assert refused.value.field == "code"


def apply(product: LoanProduct, **changes: Any) -> None:
    application: dict[str, Any] = {
        "principal": Decimal("20000"),
        "term": 6,
        "frequency": Frequency.MONTHLY,
        "method": Method.EQUAL_INSTALLMENTS,
        "annual_rate_percent": Decimal("12"),
    }
    product.check_application(**{**application, **changes})


def test_an_application_within_the_limits_passes() -> None:
    product = micro_12()
    apply(product)
    apply(product, principal=Decimal("1000"), term=12, annual_rate_percent=Decimal("18.5"))
    apply(product, frequency="quarterly", method="equal_principal")


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            {"principal": Decimal("999.99")},
            "principal",
            "must be at least 1000.00 (product MICRO-12 minimum)",
        ),
        (
            {"principal": Decimal("50000.01")},
            "principal",
            "must be at most 50000.00 (product MICRO-12 maximum)",
        ),
        ({"principal": Decimal("20000.001")}, "principal", "must have at most 2 decimal places"),
        ({"term": 2}, "term", "must be at least 3 (product MICRO-12 minimum)"),
        ({"term": 24}, "term", "must be at most 12 (product MICRO-12 maximum)"),
        (
            {"frequency": Frequency.WEEKLY},
            "frequency",
            "must be one of monthly, quarterly (product MICRO-12)",
        ),
        (
            {"method": Method.BULLET},
            "method",
            "must be one of equal_installments, equal_principal (product MICRO-12)",
        ),
        (
            {"annual_rate_percent": Decimal("5.99")},
            "annual_rate_percent",
            "must be at least 6 (product MICRO-12 minimum)",
        ),
        (
            {"annual_rate_percent": Decimal("24")},
            "annual_rate_percent",
            "must be at most 18.5 (product MICRO-12 maximum)",
        ),
    ],
)
def test_an_application_outside_the_limits_is_refused_naming_the_limit(
    change: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        apply(micro_12(), **change)
    assert (refused.value.field, refused.value.reason) == (field, reason)
