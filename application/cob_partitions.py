"""Close of business's loan review, split into partitions that any number of workers share.

A day's review is published as `count` partitions: ranges of the loan id space, so a
loan always falls in the same one whoever reviews it. A worker leases a partition (the
lease table, projections/cob_partitions.py, hands each to one holder at a time and
takes it back once its lease expires), reviews the loans of its range the COB index
says are due, renews the lease after every batch saved, and marks the partition done.
The day's review is over when every partition is done; only then does the coordinator
(whoever runs close of business) go on to the day's next steps and close the day.

A loan's review depends on the loan and the day alone, and records nothing a review of
that day recorded already, so one worker or many, or a partition taken over from a
worker that died part-way, write exactly the same events.

The coordinator (whoever runs close of business) publishes the day only when a worker
has shown itself within a lease; with none, it reviews the day alone in one pass, as a
single process always did. It also takes over what is left once no worker is seen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from application.app import LendingApplication
from application.close_of_business import DayStep, later, review_loans

log = logging.getLogger(__name__)
SPACE = 2**128  # loan ids are UUIDs


class LeaseLost(Exception):
    """The lease expired and another holder took the partition (or the day was published
    again): whatever this holder saved stands, and the new holder finishes the rest."""


@dataclass(frozen=True)
class Lease:
    """Partitions `parts` (of the day's `count`) of `day`'s review, held by `holder`
    under `token`, reviewing as `actor` (who runs that close of business)."""

    day: date
    actor: str
    count: int
    parts: tuple[int, ...]
    holder: str
    token: UUID

    def ranges(self) -> list[tuple[UUID | None, UUID | None]]:
        """The loan id ranges [low, high) its partitions cover, adjacent ones merged
        (None: from the start, or to the end, of the id space)."""
        found: list[tuple[int, int]] = []
        for part in sorted(self.parts):
            if found and found[-1][1] == part:
                found[-1] = (found[-1][0], part + 1)
            else:
                found.append((part, part + 1))
        return [(bound(low, self.count) if low else None,
                 bound(high, self.count) if high < self.count else None)
                for low, high in found]  # fmt: skip


def bound(part: int, count: int) -> UUID:
    """The lowest loan id of partition `part` of `count`."""
    return UUID(int=part * SPACE // count)


@dataclass(frozen=True)
class DayProgress:
    """How far `day`'s review has got: `done` once every partition is; `position`, the
    last position its reviews wrote (None when a partition changed hands, since a holder
    that died may have saved more than it reported); `workers` seen within a lease."""

    done: bool
    position: int | None
    workers: int


class Partitions(Protocol):
    """The lease table (projections/cob_partitions.py)."""

    def workers_seen(self) -> bool:
        """Whether any worker has shown itself within a lease."""
        ...

    def publish(self, day: date, actor: str, count: int) -> None:
        """Make `day`'s review `count` partitions to lease; a partition done by an earlier
        run is reviewed again (a re-run records nothing already recorded)."""
        ...

    def progress(self, day: date) -> DayProgress: ...

    def claim(self, holder: str, day: date | None = None, every: bool = False) -> Lease | None:
        """A lease on an open or expired partition (of `day`, else of any day), or on every
        such partition of the day with `every`; None if there is none."""
        ...

    def renew(self, lease: Lease, position: int) -> None:
        """Extend the lease, noting `position` as written; LeaseLost if it was lost."""
        ...

    def finish(self, lease: Lease, position: int) -> DayProgress:
        """Mark the lease's partitions done: how its day stands then. LeaseLost if the
        lease was lost."""
        ...

    def release(self, lease: Lease) -> None:
        """Give the lease's partitions back, open to the next claim (its work failed)."""
        ...

    def seen(self, holder: str) -> None:
        """Note that worker `holder` is alive and looking for partitions."""
        ...

    def wait(self) -> None:
        """Block until a partition is published or done, or a while (a fraction of a
        lease) has passed."""
        ...


# (day, ranges): the loans the COB index says are due for review on `day` whose ids are
# in one of the ranges [low, high) (None: no bound), in the index as it stands.
Ranges = Sequence[tuple[UUID | None, UUID | None]]
LoansDue = Callable[[date, Ranges], Iterable[UUID]]
EVERY_LOAN: Ranges = ((None, None),)


def work_lease(
    app: LendingApplication, partitions: Partitions, loans: LoansDue, lease: Lease
) -> DayProgress:
    """Review the lease's loans, renewing it after each batch, and mark it done: how its
    day stands then. LeaseLost if another holder took it meanwhile; if the work fails,
    the lease is given back."""

    def saved(position: int) -> None:
        partitions.renew(lease, position)

    try:
        last = review_loans(app, lease.actor, lease.day, loans(lease.day, lease.ranges()), saved)
    except LeaseLost:
        raise
    except BaseException:
        partitions.release(lease)  # no one need wait for the lease to expire
        raise
    return partitions.finish(lease, last)


def review_day(
    app: LendingApplication,
    partitions: Partitions,
    loans: LoansDue,
    holder: str,
    actor: str,
    day: date,
    count: int,
) -> int | None:
    """Publish `day`'s review as `count` partitions and return once every one is done: the
    last position written (None: wait for the store's head). With no worker seen, review
    the day alone in one pass, as a single process always has; once the workers are no
    longer seen, take what they left."""
    if not partitions.workers_seen():
        return review_loans(app, actor, day, loans(day, EVERY_LOAN))
    partitions.publish(day, actor, count)
    while True:
        progress = partitions.progress(day)
        if progress.done:
            return progress.position
        lease = None if progress.workers else partitions.claim(holder, day, every=True)
        if lease is None:
            partitions.wait()
            continue
        try:
            work_lease(app, partitions, loans, lease)
        except LeaseLost:
            log.warning("close of business: a worker took over %s of %s", lease.parts, day)


def reviewing_partitions(
    partitions: Partitions,
    caught_up: Callable[[int | None], None],
    loans: LoansDue,
    holder: str,
    count: int,
) -> DayStep:
    """The step that reviews the day's loans in `count` partitions, shared with any
    workers (`caught_up(after)`: wait until the COB index has what the run wrote)."""

    def step(app: LendingApplication, actor: str, day: date, after: int | None) -> int | None:
        caught_up(after)
        position = review_day(app, partitions, loans, holder, actor, day, count)
        return None if position is None else later(after, position)

    return step


def work_partitions(
    app: LendingApplication,
    partitions: Partitions,
    loans: LoansDue,
    holder: str,
    stopping: Callable[[], bool],
) -> int:
    """A COB worker: lease partitions of any day published and review them, until
    `stopping()`; how many leases it finished."""
    finished = 0
    while not stopping():
        partitions.seen(holder)
        lease = partitions.claim(holder)
        if lease is None:
            partitions.wait()
            continue
        try:
            work_lease(app, partitions, loans, lease)
            finished += 1
        except LeaseLost:
            log.warning("close of business: lost the lease on %s of %s", lease.parts, lease.day)
    return finished
