"""Where each follower of the store that sends events out has got to.

The business event publisher (`lending publisher`) and each webhook subscriber follow
the event store as the read models do, each with its own tracking row in
`feed_tracking`: (`application_name`, `notification_id`), where `application_name` is
`publisher` or `webhook:<id>`, and `notification_id` is the last store position the
broker (or the endpoint) has acknowledged. It only moves forward, and only after the
acknowledgement, so a crash sends an event again rather than losing it.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL, Identifier

PUBLISHER = "publisher"
TABLE = "feed_tracking"


class FeedTracking(PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        kwargs.setdefault("tracking_table_name", TABLE)
        super().__init__(datastore, **kwargs)

    def position(self, follower: str = PUBLISHER) -> int:
        """The last position `follower` has had acknowledged (0: none yet)."""
        return self.max_tracking_id(follower) or 0

    def positions(self, prefix: str) -> dict[str, int]:
        """Every follower whose name starts with `prefix`, and its position."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                SQL("SELECT application_name, notification_id FROM {} "
                    "WHERE starts_with(application_name, %s)").format(Identifier(TABLE)),
                (prefix,),
            )  # fmt: skip
            return {row["application_name"]: row["notification_id"] for row in cursor.fetchall()}

    def advance(self, position: int, follower: str = PUBLISHER) -> None:
        """Record that everything up to `position` was acknowledged (never moves back)."""
        with self.datastore.transaction(commit=True) as cursor:
            self._insert_tracking(cursor, Tracking(follower, position))

    def reset(self, position: int, follower: str) -> None:
        """Move `follower` to `position`, back or forth: a replay from an earlier position."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                SQL("DELETE FROM {} WHERE application_name = %s").format(Identifier(TABLE)),
                (follower,),
            )
            self._insert_tracking(cursor, Tracking(follower, position))
