"""Read model `webhooks`: one row per registered webhook, for the deliverer.

Columns: id, url, event_types (text[], business event types), sealed_secret (the
signing secret sealed under the `webhooks` data key; never the secret itself),
registered_by, registered_at, replay_from (the `from_position` of the latest replay
asked for; null if none), replay_position (store position of that request), position
(of the registration).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

from domain.webhook import Webhook
from projections.base import ReadModel


@dataclass(frozen=True)
class Subscriber:
    id: UUID
    url: str
    event_types: frozenset[str]
    sealed_secret: str
    replay_from: int | None
    replay_position: int | None


class WebhooksView(ReadModel):
    name = "webhooks"
    tables = ("webhooks",)
    schema = (
        """CREATE TABLE IF NOT EXISTS webhooks (
            id uuid PRIMARY KEY,
            url text NOT NULL,
            event_types text[] NOT NULL,
            sealed_secret text NOT NULL,
            registered_by text NOT NULL,
            registered_at timestamptz NOT NULL,
            replay_from bigint,
            replay_position bigint,
            position bigint NOT NULL
        )""",
    )

    @singledispatchmethod
    def handle(self, event: Any, cursor: Cursor[DictRow], position: int) -> None:
        """Events of other aggregates do not change this read model."""

    @handle.register
    def _(self, event: Webhook.Registered, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            "INSERT INTO webhooks (id, url, event_types, sealed_secret, registered_by, "
            "registered_at, position) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (event.originator_id, event.url, list(event.event_types), event.sealed_secret,
             event.actor, event.timestamp, position),
        )  # fmt: skip

    @handle.register
    def _(self, event: Webhook.ReplayRequested, cursor: Cursor[DictRow], position: int) -> None:
        cursor.execute(
            "UPDATE webhooks SET replay_from = %s, replay_position = %s WHERE id = %s",
            (event.from_position, position, event.originator_id),
        )

    def subscribers(self) -> list[Subscriber]:
        """Every webhook, oldest first."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute("SELECT * FROM webhooks ORDER BY position")
            return [
                Subscriber(row["id"], row["url"], frozenset(row["event_types"]),
                           row["sealed_secret"], row["replay_from"], row["replay_position"])
                for row in cursor.fetchall()
            ]  # fmt: skip
