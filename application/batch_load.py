"""Loans loaded a batch at a time: close of business reviews thousands of loans a day,
and one loan's load asks the store three times (its newest snapshot, the events after
it, the key its personal fields are sealed with). A batch asks each question once.

What comes back is what `LendingApplication.load` would give, loan by loan: the same
snapshot and events, the same hash-chain check, and a copy of what the repository
caches. The store need not offer batch reads (`select_events_of` on the recorder,
`select_newest_of` on the snapshots'); without them, and for a loan already cached (its
copy only needs what others recorded since), the loan is loaded on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from copy import deepcopy
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.persistence import StoredEvent

from application.app import LendingApplication
from domain.loan import Loan

SelectMany = Callable[[Sequence[UUID], Mapping[UUID, int]], dict[UUID, list[StoredEvent]]]
NewestOf = Callable[[Sequence[UUID]], dict[UUID, StoredEvent]]


def loans_loaded(app: LendingApplication, loan_ids: Sequence[UUID]) -> Iterator[Loan]:
    """Each loan of `loan_ids` that exists, in order, as `app.load` gives it (a broken
    history raises as it does there)."""
    batch = _read_together(app, [id_ for id_ in loan_ids if not _cached(app, id_)])
    for loan_id in loan_ids:
        loan = batch.get(loan_id)
        yield loan if loan is not None else app.load(Loan, loan_id, "loan")


def _cached(app: LendingApplication, loan_id: UUID) -> bool:
    cache = app.repository.cache
    if cache is None:
        return False
    try:
        cache.get(loan_id)
    except KeyError:
        return False
    return True


def _read_together(app: LendingApplication, loan_ids: list[UUID]) -> dict[UUID, Loan]:
    select_many: SelectMany | None = getattr(app.recorder, "select_events_of", None)
    snapshots = app.snapshots
    newest_of: NewestOf | None = getattr(snapshots and snapshots.recorder, "select_newest_of", None)
    if not loan_ids or select_many is None or (snapshots is not None and newest_of is None):
        return {}
    if app.personal_keys is not None:
        app.personal_keys.prefetch_loans(loan_ids)
    stored_snapshots = newest_of(loan_ids) if newest_of is not None else {}
    after = {id_: s.originator_version for id_, s in stored_snapshots.items()}
    loans: dict[UUID, Loan] = {}
    for loan_id, stored in select_many(loan_ids, after).items():
        snapshot = stored_snapshots.get(loan_id)
        events = [app.mapper.to_domain_event(s) for s in ([snapshot] if snapshot else [])]
        events += [app.mapper.to_domain_event(s) for s in stored]
        loan: Any = project_aggregate(None, events)
        if isinstance(loan, Loan):
            loans[loan_id] = _kept(app, loan)
    return loans


def _kept(app: LendingApplication, loan: Loan) -> Loan:
    """As the repository does with what it reconstructs: the cache keeps it, the caller
    gets a copy."""
    cache = app.repository.cache
    if cache is None:
        return loan
    cache.put(loan.id, loan)
    return deepcopy(loan)
