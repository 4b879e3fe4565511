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
  of the definition), charges (jsonb: a list of {code, name, kind, amount |
  percent, basis, min, max, collection}, amounts and percents as decimal strings,
  absent fields left out), terms_version (1 when defined, one more at each
  revision), revised_by and revised_at (the latest revision; null if none),
  advance_payment (next_installments|recast_installment|recast_term: what money
  paid ahead of due dates does), accounting (jsonb: the accounting rule, {basis:
  cash|accrual, accounts: {posting role: account code}}; null in rows written before
  the column, until `lending projections rebuild products`). The row holds the current
  terms.

Read model table `product_versions`: one row per version of a product's terms, the
same terms columns as `products` plus product_id, terms_version, recorded_by,
recorded_at and position (of the event that recorded the version).

Amounts and rates are unconstrained numeric, so each keeps its recorded scale
(JPY amounts have no decimals, CNY amounts two).
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from domain.product import DEFAULT_MAX_AGE, DEFAULT_MIN_AGE, LoanProduct, ProductTerms
from projections.base import ReadModel
from projections.reads import Row, by_key, fetch_all, grouped

SCALAR_COLUMNS = (
    "name", "currency", "min_principal", "max_principal", "min_term", "max_term",
    "min_rate_percent", "max_rate_percent", "penalty_rate_percent", "late_fee",
    "grace_days", "installment_multiple", "min_age", "max_age",
)  # fmt: skip
ENUM_COLUMNS = ("rounding", "day_count", "interest_calculation", "advance_payment")
LIST_COLUMNS = ("frequencies", "methods", "allocation_order")
TERMS_COLUMNS = (*SCALAR_COLUMNS, *ENUM_COLUMNS, *LIST_COLUMNS, "charges", "accounting")
COLUMNS = (
    "id", "code", "minor_unit", *TERMS_COLUMNS, "defined_by", "version", "defined_at",
    "position",
)  # fmt: skip
VERSION_COLUMNS = (
    "product_id", "terms_version", *TERMS_COLUMNS, "recorded_by", "recorded_at", "position",
)  # fmt: skip
# The terms columns of `products` and `product_versions` alike.
TERMS_SCHEMA = """
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
    charges jsonb NOT NULL DEFAULT '[]',
    advance_payment text NOT NULL DEFAULT 'next_installments',
    accounting jsonb"""


class ProductsView(ReadModel):
    name = "products"
    tables = ("products", "product_versions")
    schema = (
        f"""CREATE TABLE IF NOT EXISTS products (
            id uuid PRIMARY KEY,
            code text NOT NULL UNIQUE,
            minor_unit integer NOT NULL,
            {TERMS_SCHEMA},
            defined_by text NOT NULL,
            version integer NOT NULL,
            defined_at timestamptz NOT NULL,
            position bigint NOT NULL UNIQUE,
            terms_version integer NOT NULL DEFAULT 1,
            revised_by text,
            revised_at timestamptz
        )""",
        # Stores made before the age bounds: the defaults, as those products load with.
        f"ALTER TABLE products ADD COLUMN IF NOT EXISTS min_age integer NOT NULL "
        f"DEFAULT {DEFAULT_MIN_AGE}",
        f"ALTER TABLE products ADD COLUMN IF NOT EXISTS max_age integer NOT NULL "
        f"DEFAULT {DEFAULT_MAX_AGE}",
        # Stores made before charges and versions.
        "ALTER TABLE products ADD COLUMN IF NOT EXISTS charges jsonb NOT NULL DEFAULT '[]'",
        "ALTER TABLE products ADD COLUMN IF NOT EXISTS terms_version integer NOT NULL DEFAULT 1",
        "ALTER TABLE products ADD COLUMN IF NOT EXISTS revised_by text",
        "ALTER TABLE products ADD COLUMN IF NOT EXISTS revised_at timestamptz",
        f"""CREATE TABLE IF NOT EXISTS product_versions (
            product_id uuid NOT NULL,
            terms_version integer NOT NULL,
            {TERMS_SCHEMA},
            recorded_by text NOT NULL,
            recorded_at timestamptz NOT NULL,
            position bigint NOT NULL UNIQUE,
            PRIMARY KEY (product_id, terms_version)
        )""",
        # Stores made before advance_payment: what their products' loans did.
        *(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS advance_payment text NOT NULL "
            "DEFAULT 'next_installments'"
            for table in ("products", "product_versions")
        ),
        # Stores made before the accounting column: null until a rebuild fills it in.
        *(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS accounting jsonb"
            for table in ("products", "product_versions")
        ),
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Events of other aggregates do not change this read model."""

    @handle.register
    def _(self, event: LoanProduct.Defined, cursor: Cursor[DictRow], position: int) -> None:
        values = (
            event.originator_id, event.code, event.minor_unit, *_terms_values(event.terms),
            event.actor, event.originator_version, event.timestamp, position,
        )  # fmt: skip
        _insert(cursor, "products", COLUMNS, values)
        self._record_version(cursor, event, 1, event.terms, position)

    @handle.register
    def _(self, event: LoanProduct.Revised, cursor: Cursor[DictRow], position: int) -> None:
        changed = (*TERMS_COLUMNS, "terms_version", "revised_by", "revised_at", "version")
        values = (
            *_terms_values(event.terms), event.terms_version, event.actor, event.timestamp,
            event.originator_version, event.originator_id,
        )  # fmt: skip
        cursor.execute(
            f"UPDATE products SET {', '.join(f'{c} = %s' for c in changed)} WHERE id = %s",
            values,
        )
        self._record_version(cursor, event, event.terms_version, event.terms, position)

    @staticmethod
    def _record_version(
        cursor: Cursor[DictRow], event: Any, version: int, terms: ProductTerms, position: int
    ) -> None:
        values = (
            event.originator_id, version, *_terms_values(terms), event.actor, event.timestamp,
            position,
        )  # fmt: skip
        _insert(cursor, "product_versions", VERSION_COLUMNS, values)


def _terms_values(terms: ProductTerms) -> tuple[Any, ...]:
    charges = [c.model_dump(mode="json", exclude_none=True) for c in terms.charges]
    return (
        *(getattr(terms, c) for c in SCALAR_COLUMNS),
        *(getattr(terms, c).value for c in ENUM_COLUMNS),
        *([v.value for v in getattr(terms, c)] for c in LIST_COLUMNS),
        Jsonb(charges),
        Jsonb(terms.accounting.model_dump(mode="json")),
    )


def _insert(cursor: Cursor[DictRow], table: str, columns: tuple[str, ...], values: Any) -> None:
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
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


async def versions_of_products(pool: AsyncConnectionPool, ids: list[Any]) -> list[list[Row]]:
    """Every version of each product's terms in turn, oldest first."""
    rows = await fetch_all(
        pool,
        "SELECT * FROM product_versions WHERE product_id = ANY(%s) "
        "ORDER BY product_id, terms_version",
        [ids],
    )
    return grouped(rows, "product_id", ids)
