"""Read-your-writes: waiting until the read models, as the read pool's server sees
them, have processed an event store position.

The read pool is on the primary, or on a streaming replica (DATABASE_READ_URL). Either
way the wait reads the read models' own tracking rows through that pool. On a replica
those rows are its replayed copy of the primary's, and a read model's rows and its
tracking row commit in one transaction, which a hot standby makes visible at once: when
the replica's tracking row shows the position, the replica's read model holds what that
event wrote. Comparing WAL positions (the primary's `pg_current_wal_lsn()` against the
replica's `pg_last_wal_replay_lsn()`) would cost a round trip to the primary on every
read, and would still need the primary's follower to have applied the event first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from psycopg_pool import AsyncConnectionPool

from projections.failures import reached_on

FIRST_PAUSE = 0.005
LONGEST_PAUSE = 0.05


async def wait_until_reached(
    pool: AsyncConnectionPool, names: Sequence[str], position: int, patience: float
) -> int:
    """Wait until every read model in `names` that has not stopped has processed
    `position` on `pool`'s server, or `patience` seconds have passed. A stopped read
    model is not waited for (it is in /health): it will not get there until an operator
    deals with it.

    Returns the least position the read models had reached, a stopped one's included, so
    a caller that gave up waiting can tell the client how far behind its answer may be.
    """
    reached = 0
    pause = FIRST_PAUSE
    try:
        async with asyncio.timeout(patience):
            while True:
                states = await reached_on(pool, names)
                reached = min(state.position for state in states)
                if all(s.position >= position or s.stopped_at is not None for s in states):
                    return reached
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
    except TimeoutError:
        return reached
