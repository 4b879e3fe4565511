"""Read model `products`: one row per loan product, as defined.

Columns analysts can rely on:
  id, code (upper-case, unique), name, currency (ISO 4217), minor_unit (decimal
  places of the currency), min_principal, max_principal (amounts at the minor
  unit), min_term, max_term (installment periods), frequencies (text[] of weekly|
  fortnightly|monthly|quarterly), methods (text[] of equal_installments|
  equal_principal|interest_only|bullet|flat), min_rate_percent, max_rate_percent,
  penalty_rate_percent (annual percent), late_fee, grace_days, rounding
  (half_even|half_up|down), installment_multiple (null when installments are not
  rounded to a multiple), day_count (30/360|actual/365|actual/360),
  interest_calculation (per_period|daily), allocation_order (text[], a
  permutation of penalty, fee, interest, principal), min_age and max_age (the
  borrower's age bounds, whole years), defined_by (acting user),
  version (of the product aggregate), defined_at, position (event store position
  of the definition).
Amounts and rates are unconstrained numeric, so each keeps its recorded scale
(JPY amounts have no decimals, CNY amounts two).
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from domain.product import DEFAULT_MAX_AGE, DEFAULT_MIN_AGE, LoanProduct
from projections.base import ReadModel
from projections.reads import Row, by_key, fetch_all

SCALAR_COLUMNS = (
    "name", "currency", "min_principal", "max_principal", "min_term", "max_term",
    "min_rate_percent", "max_rate_percent", "penalty_rate_percent", "late_fee",
    "grace_days", "installment_multiple", "min_age", "max_age",
)  # fmt: skip
ENUM_COLUMNS = ("rounding", "day_count", "interest_calculation")
LIST_COLUMNS = ("frequencies", "methods", "allocation_order")
COLUMNS = (
    "id", "code", "minor_unit", *SCALAR_COLUMNS, *ENUM_COLUMNS, *LIST_COLUMNS,
    "defined_by", "version", "defined_at", "position",
)  # fmt: skip


class ProductsView(ReadModel):
    name = "products"
    tables = ("products",)
    schema = (
        """CREATE TABLE IF NOT EXISTS products (
            id uuid PRIMARY KEY,
            code text NOT NULL UNIQUE,
            minor_unit integer NOT NULL,
            name text NOT NULL,
            currency char(3) NOT NULL,
            min_principal numeric NOT NULL,
            max_principal numeric NOT NULL,
            min_term integer NOT NULL,
            max_term integer NOT NULL,
            min_rate_percent numeric NOT NULL,
            max_rate_percent numeric NOT NULL,
            penalty_rate_percent numeric NOT NULL,
            late_fee numeric NOT NULL,
            grace_days integer NOT NULL,
            installment_multiple numeric,
            min_age integer NOT NULL,
            max_age integer NOT NULL,
            rounding text NOT NULL,
            day_count text NOT NULL,
            interest_calculation text NOT NULL,
            frequencies text[] NOT NULL,
            methods text[] NOT NULL,
            allocation_order text[] NOT NULL,
            defined_by text NOT NULL,
            version integer NOT NULL,
            defined_at timestamptz NOT NULL,
            position bigint NOT NULL UNIQUE
        )""",
        # Stores made before the age bounds: the defaults, as those products load with.
        f"ALTER TABLE products ADD COLUMN IF NOT EXISTS min_age integer NOT NULL "
        f"DEFAULT {DEFAULT_MIN_AGE}",
        f"ALTER TABLE products ADD COLUMN IF NOT EXISTS max_age integer NOT NULL "
        f"DEFAULT {DEFAULT_MAX_AGE}",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Events of other aggregates do not change this read model."""

    @handle.register
    def _(self, event: LoanProduct.Defined, cursor: Cursor[DictRow], position: int) -> None:
        terms = event.terms
        values = (
            event.originator_id, event.code, event.minor_unit,
            *(getattr(terms, c) for c in SCALAR_COLUMNS),
            *(getattr(terms, c).value for c in ENUM_COLUMNS),
            *([v.value for v in getattr(terms, c)] for c in LIST_COLUMNS),
            event.actor, event.originator_version, event.timestamp, position,
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO products ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            values,
        )


# Queries, for the GraphQL layer.


async def all_products(pool: AsyncConnectionPool) -> list[Row]:
    """Every product, by code."""
    return await fetch_all(pool, "SELECT * FROM products ORDER BY code")


async def product_of_code(pool: AsyncConnectionPool, code: str) -> Row | None:
    """The product of a (normalised) code, if there is one."""
    rows = await fetch_all(pool, "SELECT * FROM products WHERE code = %s ORDER BY code", [code])
    return rows[0] if rows else None


async def products_of_codes(pool: AsyncConnectionPool, codes: list[str]) -> list[Row | None]:
    """The product of each code in turn (None where there is none)."""
    rows = await fetch_all(pool, "SELECT * FROM products WHERE code = ANY(%s)", [codes])
    return by_key(rows, "code", codes)
