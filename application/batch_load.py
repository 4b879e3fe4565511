"""Aggregates loaded a batch at a time: close of business reviews thousands of loans a
day and the notice sender reads thousands of borrowers' contacts, and one aggregate's
load asks the store three times (its newest snapshot, the events after it, the key its
personal fields are sealed with). A batch asks each question once.

What comes back is what `LendingApplication.load` would give, loan by loan: the same
snapshot and events, the same hash-chain check, and a copy of what the repository
caches. The store need not offer batch reads (`select_events_of` on the recorder,
`select_newest_of` on the snapshots'); without them, and for a loan already cached (its
copy only needs what others recorded since), it is loaded on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from copy import deepcopy
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.domain import BaseAggregate
from eventsourcing.persistence import StoredEvent

from application.app import LendingApplication
from domain.loan import Loan

A = TypeVar("A", bound=BaseAggregate[UUID])
SelectMany = Callable[[Sequence[UUID], Mapping[UUID, int]], dict[UUID, list[StoredEvent]]]
NewestOf = Callable[[Sequence[UUID]], dict[UUID, StoredEvent]]


def loans_loaded(app: LendingApplication, loan_ids: Sequence[UUID]) -> Iterator[Loan]:
    """Each loan of `loan_ids` that exists, in order, as `app.load` gives it (a broken
    history raises as it does there)."""
    keys = app.personal_keys
    batch = preloaded(app, Loan, loan_ids, keys.prefetch_loans if keys else None)
    for loan_id in loan_ids:
        loan = batch.get(loan_id)
        yield loan if loan is not None else app.load(Loan, loan_id, "loan")


def preloaded(
    app: LendingApplication,
    aggregate_type: type[A],
    ids: Sequence[UUID],
    prefetch_keys: Callable[[list[UUID]], None] | None = None,
) -> dict[UUID, A]:
    """Those of `ids` read together (`prefetch_keys`: read the keys their personal fields
    are sealed with first). The others, an id already cached or unknown or whose history
    broke, or all of them where the store cannot read a batch, are for `app.load`."""
    wanted = [id_ for id_ in dict.fromkeys(ids) if not _cached(app, id_)]
    select_many: SelectMany | None = getattr(app.recorder, "select_events_of", None)
    snapshots = app.snapshots
    newest_of: NewestOf | None = getattr(snapshots and snapshots.recorder, "select_newest_of", None)
    if not wanted or select_many is None or (snapshots is not None and newest_of is None):
        return {}
    if prefetch_keys is not None:
        prefetch_keys(wanted)
    stored_snapshots = newest_of(wanted) if newest_of is not None else {}
    after = {id_: s.originator_version for id_, s in stored_snapshots.items()}
    found: dict[UUID, A] = {}
    for id_, stored in select_many(wanted, after).items():
        snapshot = stored_snapshots.get(id_)
        events = [app.mapper.to_domain_event(s) for s in ([snapshot] if snapshot else [])]
        events += [app.mapper.to_domain_event(s) for s in stored]
        aggregate: Any = project_aggregate(None, events)
        if isinstance(aggregate, aggregate_type):
            found[id_] = _kept(app, aggregate)
    return found


def _cached(app: LendingApplication, id_: UUID) -> bool:
    cache = app.repository.cache
    if cache is None:
        return False
    try:
        cache.get(id_)
    except KeyError:
        return False
    return True


def _kept(app: LendingApplication, aggregate: A) -> A:
    """As the repository does with what it reconstructs: the cache keeps it, the caller
    gets a copy."""
    cache = app.repository.cache
    if cache is None:
        return aggregate
    cache.put(aggregate.id, aggregate)
    return deepcopy(aggregate)
