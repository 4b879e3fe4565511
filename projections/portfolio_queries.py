"""The portfolio as of a business date, with its ratios, for the GraphQL layer.

`as_of.portfolio_as_of` sums each group's outstanding principal, and the part of it more
than 30 and 90 days past due and non-performing; PAR30, PAR90 and the NPL ratio are
those parts' shares of the whole, by domain.arrears's rounding.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from domain.arrears import Classification, principal_share
from projections.as_of import CLASSIFICATION, portfolio_as_of
from projections.reads import Row

RATIOS = {"par30": "par30_principal", "par90": "par90_principal", "npl_ratio": "npl_principal"}


async def portfolio_on(
    pool: AsyncConnectionPool,
    on: date | None,
    dimensions: list[str],
    offices: Collection[UUID] | None = None,
) -> list[Row]:
    """The rows of `portfolio_as_of` (of the loans of `offices`; None: all), each with
    `par30`, `par90` and `npl_ratio` (and its classification as a `Classification`,
    when grouped by it)."""
    rows = await portfolio_as_of(pool, on, dimensions, offices)
    for row in rows:
        if CLASSIFICATION in row:
            row[CLASSIFICATION] = Classification(row[CLASSIFICATION])
    return [
        row
        | {
            ratio: principal_share(row[part], row["outstanding_principal"])
            for ratio, part in RATIOS.items()
        }
        for row in rows
    ]
