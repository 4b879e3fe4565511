"""Memorable test borrowers with valid identity numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.identity import credit_code_check_character, resident_id_check_character


def resident_id(body17: str) -> str:
    return body17 + resident_id_check_character(body17)


def credit_code(body17: str) -> str:
    return body17 + credit_code_check_character(body17)


WANG_FANG_ID = resident_id("42010619850312004")
LI_MING_ID = resident_id("51010419900101123")
TEA_SHOP_CODE = credit_code("92420106MA4K3L5Q8")


def wang_fang(**overrides: Any) -> dict[str, Any]:
    """A tea farmer in Hubei: the registration body for POST /borrowers."""
    body = {
        "kind": "individual",
        "name": "Wang Fang",
        "id_number": WANG_FANG_ID,
        "phone": "13800138000",
        "address": "12 Tea Garden Road, Wuhan",
        "region": "Hubei",
        "monthly_income": "8500.00",
        "assets": "120000.00",
    }
    return {**body, **overrides}


def tea_shop(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "business",
        "name": "Wuhan Spring Tea Shop",
        "id_number": TEA_SHOP_CODE,
        "phone": "+86 139 1234 5678",
        "address": "3 Market Street, Wuhan",
        "region": "Hubei",
        "monthly_income": "30000.00",
        "annual_sales": "900000.00",
        "margin_percent": "22.5",
    }
    return {**body, **overrides}


def money(value: str) -> Decimal:
    return Decimal(value)
