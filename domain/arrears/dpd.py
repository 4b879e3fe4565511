"""Days past due, and the history of bucket changes.

Contract: `installments` are the ledger's `InstallmentState`s as of `on`, i.e. computed
with only the payments and charges whose value date is on or before `on` (e.g.
`allocate(..., payments=[p for p in payments if p.value_date <= on], ...)`). DPD as of an
earlier date needs the state as of that date: a later state would show installments that
were paid after `on` as paid. A snapshot holding an installment paid off after `on` is
refused with `InvalidValue`.

What counts: an installment is unpaid while any of its principal or interest is
outstanding (`PAST_DUE_COMPONENTS`). Fees and penalties are left out by default: they
hang on an installment but are due from their own value date, and unpaid penalty interest
alone must not keep a cured loan ageing into loss. Pass `components` to count them.

An installment is past due from the day after its due date: due 2026-03-31 → 0 DPD on
2026-03-31, 1 DPD on 2026-04-01. DPD counts calendar days from the oldest unpaid one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from domain.arrears.classification import BUCKET_FLOORS, Bucket, bucket_of
from domain.errors import InvalidValue
from domain.ledger.model import Component, InstallmentState

PAST_DUE_COMPONENTS = frozenset({Component.PRINCIPAL, Component.INTEREST})


def unpaid_due_dates(
    installments: Iterable[InstallmentState],
    components: frozenset[Component] = PAST_DUE_COMPONENTS,
) -> list[date]:
    """The due dates of the installments with `components` outstanding, due or not."""
    return [
        item.due_date
        for item in installments
        if sum((item.outstanding.get(c) for c in components), Decimal(0)) > 0
    ]


def oldest_unpaid_due_date(
    installments: Iterable[InstallmentState],
    components: frozenset[Component] = PAST_DUE_COMPONENTS,
) -> date | None:
    """The earliest due date of an installment with `components` outstanding, due or not."""
    return min(unpaid_due_dates(installments, components), default=None)


def dpd_since(oldest_unpaid: date | None, on: date) -> int:
    """DPD on `on` when `oldest_unpaid` is the due date of the oldest unpaid installment."""
    if oldest_unpaid is None:
        return 0
    return max(0, (on - oldest_unpaid).days)


def days_past_due(
    installments: Iterable[InstallmentState],
    on: date,
    components: frozenset[Component] = PAST_DUE_COMPONENTS,
) -> int:
    """Days from the due date of the oldest unpaid installment due before `on` (0 if none).

    `installments` must be the state as of `on` (see the module docstring).
    """
    items = list(installments)
    for item in items:
        if item.paid_off_on is not None and item.paid_off_on > on:
            raise InvalidValue("installments", f"installment {item.number} was paid off after {on}")
    return dpd_since(oldest_unpaid_due_date(items, components), on)


def next_bucket_change(oldest_unpaid: date | None, on: date) -> date | None:
    """The first day after `on` whose bucket differs from `on`'s if nothing is paid."""
    if oldest_unpaid is None:
        return None
    dpd = dpd_since(oldest_unpaid, on)
    later = [floor for floor, _ in BUCKET_FLOORS if floor > dpd]
    return oldest_unpaid + timedelta(days=min(later)) if later else None


def bucket_changes(dpd_by_day: Iterable[tuple[date, int]]) -> list[tuple[date, Bucket]]:
    """(date, bucket) for the first day and for every day whose bucket differs from the
    day before. Dates must be strictly increasing."""
    changes: list[tuple[date, Bucket]] = []
    previous: date | None = None
    for day, dpd in dpd_by_day:
        if previous is not None and day <= previous:
            raise InvalidValue("dpd_by_day", f"dates must increase: {day} after {previous}")
        previous = day
        bucket = bucket_of(dpd)
        if not changes or changes[-1][1] != bucket:
            changes.append((day, bucket))
    return changes


def bucket_history(
    oldest_unpaid: Iterable[tuple[date, date | None]], until: date
) -> list[tuple[date, Bucket]]:
    """`bucket_changes` up to `until` without a daily series.

    Each item is (from, due): from that day on, the oldest unpaid installment is due on
    `due` (None: nothing unpaid), as the ledger state after that day's payments and
    charges says. The first item starts the history. Work grows with the items and bucket
    changes, not with the days.
    """
    segments = list(oldest_unpaid)
    for (before, _), (after, _) in pairwise(segments):
        if after <= before:
            raise InvalidValue("oldest_unpaid", f"dates must increase: {after} after {before}")
    changes: list[tuple[date, Bucket]] = []
    for index, (start, due) in enumerate(segments):
        end = until
        if index + 1 < len(segments):
            end = min(end, segments[index + 1][0] - timedelta(days=1))
        day: date | None = start
        while day is not None and day <= end:
            bucket = bucket_of(dpd_since(due, day))
            if not changes or changes[-1][1] != bucket:
                changes.append((day, bucket))
            day = next_bucket_change(due, day)
    return changes
