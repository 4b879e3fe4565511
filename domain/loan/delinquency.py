"""A loan's recorded delinquency: what close of business last found, and when.

DPD counts from the oldest installment with principal or interest unpaid (see
`domain.arrears.dpd`). Bucket and classification change only on the days DPD crosses
one of their floors, so the next day anything can change is known in advance: with
the days a late fee or a month-end penalty falls due (`PenaltyTerms.next_charge_day`)
that is the loan's `Timing`, the day close of business must next look at it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from domain.arrears import (
    DEFAULT_THRESHOLDS,
    Bucket,
    Classification,
    ClassificationThresholds,
    bucket_of,
    classify,
    dpd_since,
    oldest_unpaid_due_date,
    unpaid_due_dates,
)
from domain.arrears.classification import BUCKET_FLOORS
from domain.ledger import InstallmentState, PenaltyTerms
from domain.model import Immutable


class Delinquency(Immutable):
    """Recorded on `since` (a business date): DPD that day, its bucket and tier."""

    since: date
    days_past_due: int
    bucket: Bucket
    classification: Classification


CURRENT = (Bucket.CURRENT, Classification.NORMAL)


def assess(
    installments: Iterable[InstallmentState],
    on: date,
    thresholds: ClassificationThresholds = DEFAULT_THRESHOLDS,
) -> tuple[int, Bucket, Classification]:
    """DPD, bucket and tier on `on`; the installments hold no payment valued after `on`."""
    dpd = dpd_since(oldest_unpaid_due_date(installments), on)
    return dpd, bucket_of(dpd), classify(dpd, thresholds)


def changed(
    installments: Iterable[InstallmentState], recorded: Delinquency | None, on: date
) -> Delinquency | None:
    """The delinquency on `on` if its bucket or tier differs from the one recorded."""
    dpd, bucket, classification = assess(installments, on)
    was = CURRENT if recorded is None else (recorded.bucket, recorded.classification)
    if (bucket, classification) == was:
        return None
    return Delinquency(since=on, days_past_due=dpd, bucket=bucket, classification=classification)


def next_delinquency_change(
    oldest_unpaid: date | None,
    on: date,
    thresholds: ClassificationThresholds = DEFAULT_THRESHOLDS,
) -> date | None:
    """The first day after `on` whose bucket or tier differs from `on`'s if nothing is paid."""
    if oldest_unpaid is None:
        return None
    dpd = dpd_since(oldest_unpaid, on)
    floors = {floor for floor, _ in BUCKET_FLOORS} | {floor for floor, _ in thresholds.floors()}
    later = [floor for floor in floors if floor > dpd]
    return oldest_unpaid + timedelta(days=min(later)) if later else None


def delinquency_over(
    oldest_unpaid: date | None,
    start: date,
    end: date | None = None,
    thresholds: ClassificationThresholds = DEFAULT_THRESHOLDS,
) -> list[Delinquency]:
    """The delinquency on `start` and on each later day before `end` (exclusive; None:
    for good) on which its bucket or tier changes, if nothing is paid meanwhile: each
    holds from its `since` until the next one's."""
    found = []
    day: date | None = start
    while day is not None and (end is None or day < end):
        dpd = dpd_since(oldest_unpaid, day)
        found.append(
            Delinquency(
                since=day,
                days_past_due=dpd,
                bucket=bucket_of(dpd),
                classification=classify(dpd, thresholds),
            )
        )
        day = next_delinquency_change(oldest_unpaid, day, thresholds)
    return found


class Timing(Immutable):
    """When close of business must next look at a loan, as worked out on `on` (the later
    of an event's value date and the business date)."""

    on: date
    oldest_unpaid_due_date: date | None  # the DPD basis: principal or interest unpaid
    days_past_due: int  # on `on`
    next_review: date | None  # the first date close of business must load the loan


def timing(
    installments: Iterable[InstallmentState],
    penalties: PenaltyTerms | None,
    recorded: Delinquency | None,
    on: date,
    *,
    active: bool = True,
) -> Timing:
    """The loan's timing on `on`: under review at once if the recorded bucket or tier no
    longer fits, else on the first later day either changes or a charge falls due if
    nothing is paid. A loan that is not active is never reviewed."""
    states = list(installments)
    unpaid = unpaid_due_dates(states)
    oldest = min(unpaid, default=None)
    days: list[date | None] = [on]
    if changed(states, recorded, on) is None:
        days = [next_delinquency_change(oldest, on)]
        if penalties is not None:
            days.append(penalties.next_charge_day(unpaid, on))
    following = min((day for day in days if day is not None), default=None)
    return Timing(
        on=on,
        oldest_unpaid_due_date=oldest,
        days_past_due=dpd_since(oldest, on),
        next_review=following if active else None,
    )
