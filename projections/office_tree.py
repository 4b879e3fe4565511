"""The office tree as a serving process keeps it: what staff reach is asked on every
GraphQL request, and the tree is the same from one request to the next.

Offices are opened, never moved or closed, so a tree read a moment ago is today's tree
less the offices opened since. A reach taken from it never holds an office outside the
caller's subtree; it can only miss an office opened in the last `seconds`, which the
caller then sees that much later. A request that asks to read its own writes
(X-Min-Position) reads the tree again, and so does this process from when it opens an
office until the tree holds it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from domain.office import HEAD_OFFICE_ID
from projections.reads import Row
from projections.staff import offices, reached_in

KEPT_SECONDS = 2.0


class OfficeTree:
    def __init__(
        self, seconds: float = KEPT_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds, self.clock = seconds, clock
        self._rows: list[Row] | None = None
        self._read_at = 0.0
        self._reached: dict[UUID, frozenset[UUID]] = {}
        self._awaited: set[UUID] = set()

    async def reached(
        self, pool: AsyncConnectionPool, office: UUID | None, *, fresh: bool = False
    ) -> frozenset[UUID] | None:
        """As `projections.staff.offices_reached`, from the tree kept (`fresh`: read now)."""
        if office is None or office == HEAD_OFFICE_ID:
            return None
        now = self.clock()
        if fresh or self._rows is None or self._awaited or now - self._read_at >= self.seconds:
            rows = await offices(pool)
            self._rows, self._read_at, self._reached = rows, now, {}
            self._awaited -= {row["id"] for row in rows}
        found = self._reached.get(office)
        if found is None:
            found = self._reached[office] = reached_in(self._rows, office)
        return found

    def opened(self, office: UUID) -> None:
        """This process opened `office`: read the tree on each request until it holds it
        (the read model that keeps the offices has caught up)."""
        self._awaited.add(office)
