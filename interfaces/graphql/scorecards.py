"""GraphQL scorecard model versions, read from the `scorecards` table, newest first."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from application.scorecard import open_scorecards
from interfaces.graphql.context import STAFF, Context, wait_for_position
from interfaces.graphql.store import offload
from projections.scorecards import scorecard_versions


@strawberry.enum
class ScorecardKind(Enum):
    EXPERT = "expert"
    LOGISTIC_WOE = "logistic_woe"


@strawberry.type
class ScorecardMetrics:
    """Measured on the rows held out from fitting."""

    auc: Decimal
    gini: Decimal
    ks: Decimal
    train_rows: int
    test_rows: int


@strawberry.type
class Scorecard:
    version: int
    kind: ScorecardKind
    active: bool
    created_at: datetime
    activated_at: datetime | None
    published_by: str
    description: str
    target: str | None
    features: list[str]
    metrics: ScorecardMetrics | None  # null for the expert model, which was not trained

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Scorecard:
        metrics = None
        if row["auc"] is not None:
            names = ("auc", "gini", "ks", "train_rows", "test_rows")
            metrics = ScorecardMetrics(**{name: row[name] for name in names})
        return cls(
            version=row["version"],
            kind=ScorecardKind(row["kind"]),
            active=row["active"],
            created_at=row["created_at"],
            activated_at=row["activated_at"],
            published_by=row["published_by"],
            description=row["description"],
            target=row["target"],
            features=list(row["features"]),
            metrics=metrics,
        )


async def scorecards(info: Info[Context, None]) -> list[Scorecard]:
    """Every published model version, newest first."""
    context = info.context
    context.require(*STAFF)
    rows = await scorecard_versions(context.pool)
    if not rows:
        # Version 1 is published the first time anything needs the scorecards.
        head = await offload(open_scorecards, context.app)
        await wait_for_position(context, head)
        rows = await scorecard_versions(context.pool)
    return [Scorecard.from_row(row) for row in rows]
