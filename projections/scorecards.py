"""Read model `scorecards`: one row per published scorecard model version.

Columns analysts can rely on:
  version (1 is the shipped expert model), kind (expert|logistic_woe), active (true
  for the one version that scores new applications), features (text[], the input
  columns in model order), target (the outcome column a trained model learnt; null
  for the expert model), auc, gini, ks (on the held-out rows; null for the expert
  model), train_rows, test_rows, description, published_by (acting user),
  created_at (when published), activated_at (when it last became active; null if
  never), position (event store position of the publication).
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from domain.scorecard import Scorecards
from projections.base import ReadModel
from projections.reads import Row, fetch_all

COLUMNS = (
    "version", "kind", "active", "features", "target", "auc", "gini", "ks", "train_rows",
    "test_rows", "description", "published_by", "created_at", "position",
)  # fmt: skip


class ScorecardsView(ReadModel):
    name = "scorecards"
    tables = ("scorecards",)
    schema = (
        """CREATE TABLE IF NOT EXISTS scorecards (
            version integer PRIMARY KEY,
            kind text NOT NULL,
            active boolean NOT NULL,
            features text[] NOT NULL,
            target text,
            auc numeric,
            gini numeric,
            ks numeric,
            train_rows integer,
            test_rows integer,
            description text NOT NULL,
            published_by text NOT NULL,
            created_at timestamptz NOT NULL,
            activated_at timestamptz,
            position bigint NOT NULL UNIQUE
        )""",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Events of other aggregates do not change this read model."""

    @handle.register
    def _(self, event: Scorecards.ModelPublished, cursor: Cursor[DictRow], position: int) -> None:
        model = event.model
        metrics = model.metrics
        measured = (
            (metrics.auc, metrics.gini, metrics.ks, metrics.train_rows, metrics.test_rows)
            if metrics
            else (None,) * 5
        )
        values = (
            event.version, model.kind.value, False, list(model.feature_names), model.target,
            *measured, model.description, event.actor, event.timestamp, position,
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO scorecards ({', '.join(COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            values,
        )

    @handle.register
    def _(self, event: Scorecards.ModelActivated, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            "UPDATE scorecards SET active = (version = %(version)s), "
            "activated_at = CASE WHEN version = %(version)s THEN %(at)s ELSE activated_at END",
            {"version": event.version, "at": event.timestamp},
        )


async def scorecard_versions(pool: AsyncConnectionPool) -> list[Row]:
    """Every published model version, newest first."""
    return await fetch_all(pool, "SELECT * FROM scorecards ORDER BY version DESC")
