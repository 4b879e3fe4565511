"""A loan's delinquency over a range of business dates, when nothing is paid meanwhile:
the stages a history segment is split into, and the buckets PAR counts.

Expected days are plain date arithmetic: DPD crosses a bucket or tier floor on the
oldest unpaid due date + 1, 31, 61, 91, 181 and 361 days.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.arrears import Bucket, Classification, bucket_of, buckets_past, classify, dpd_since
from domain.errors import InvalidValue
from domain.loan.delinquency import delinquency_over

B, C = Bucket, Classification
DUE = date(2026, 2, 28)


def after(days: int) -> date:
    return DUE + timedelta(days=days)


def test_an_unpaid_installment_moves_through_every_bucket_and_tier_on_its_own_days() -> None:
    found = delinquency_over(DUE, date(2026, 2, 1))
    assert [(d.since, d.days_past_due, d.bucket, d.classification) for d in found] == [
        (date(2026, 2, 1), 0, B.CURRENT, C.NORMAL),
        (after(1), 1, B.DPD_1_30, C.SPECIAL_MENTION),
        (after(31), 31, B.DPD_31_60, C.SPECIAL_MENTION),
        (after(61), 61, B.DPD_61_90, C.SPECIAL_MENTION),
        (after(91), 91, B.DPD_91_180, C.SUBSTANDARD),
        (after(181), 181, B.DPD_OVER_180, C.DOUBTFUL),
        (after(361), 361, B.DPD_OVER_180, C.LOSS),
    ]


def test_a_range_keeps_the_stages_that_begin_in_it_and_starts_with_the_one_it_opens_in() -> None:
    found = delinquency_over(DUE, after(45), after(91))
    assert [(d.since, d.days_past_due, d.bucket) for d in found] == [
        (after(45), 45, B.DPD_31_60),
        (after(61), 61, B.DPD_61_90),
    ]
    assert delinquency_over(DUE, after(45), after(46))[0].days_past_due == 45


def test_a_loan_with_nothing_unpaid_is_current_for_good() -> None:
    (found,) = delinquency_over(None, DUE)
    assert (found.since, found.days_past_due, found.bucket) == (DUE, 0, B.CURRENT)
    assert found.classification is C.NORMAL
    (lost,) = delinquency_over(DUE, after(400))
    assert (lost.days_past_due, lost.classification) == (400, C.LOSS)


starts = st.dates(date(2025, 1, 1), date(2027, 12, 31))


@given(st.one_of(st.none(), starts), starts, st.integers(1, 900), st.integers(0, 900))
def test_on_every_day_the_stage_holding_it_says_what_the_day_says(
    oldest: date | None, start: date, length: int, offset: int
) -> None:
    """Each day of the range lies in exactly one stage, whose bucket and tier are that
    day's, and DPD within it grows by a day a day when past due."""
    end = start + timedelta(days=length)
    found = delinquency_over(oldest, start, end)
    assert found[0].since == start
    assert all(a.since < b.since < end for a, b in pairwise(found))
    day = start + timedelta(days=offset % length)
    holding = [stage for stage in found if stage.since <= day][-1]
    dpd = dpd_since(oldest, day)
    assert (holding.bucket, holding.classification) == (bucket_of(dpd), classify(dpd))
    growth = (day - holding.since).days if holding.days_past_due else 0
    assert holding.days_past_due + growth == dpd


def test_par_counts_the_buckets_beyond_its_days() -> None:
    assert buckets_past(30) == (B.DPD_31_60, B.DPD_61_90, B.DPD_91_180, B.DPD_OVER_180)
    assert buckets_past(90) == (B.DPD_91_180, B.DPD_OVER_180)
    assert buckets_past(0) == tuple(Bucket)[1:]
    for days in (29, 31, 91, -1):
        with pytest.raises(InvalidValue):
            buckets_past(days)
