"""Arrears: DPD, buckets, classification and the PAR and NPL shares (expectations by hand)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.arrears import (
    Bucket,
    Classification,
    ClassificationThresholds,
    bucket_of,
    classify,
    dpd_since,
    is_non_performing,
    oldest_unpaid_due_date,
    principal_share,
)
from domain.errors import InvalidValue
from domain.ledger import Component, ComponentAmounts, InstallmentState
from domain.loan.delinquency import assess

B, C = Bucket, Classification
D = Decimal


def days_past_due(
    installments: list[InstallmentState], on: date, components: frozenset[Component] | None = None
) -> int:
    """DPD on `on` as close of business assesses it; counting `components` instead of
    principal and interest when given."""
    if components is None:
        return assess(installments, on)[0]
    return dpd_since(oldest_unpaid_due_date(installments, components), on)


def amounts(principal: str = "0", interest: str = "0", fee: str = "0") -> ComponentAmounts:
    return ComponentAmounts(D(0), D(fee), D(interest), D(principal))


def installment(
    due_date: date,
    paid_principal: str = "0",
    paid_interest: str = "0",
    *,
    fee: str = "0",
    paid_fee: str = "0",
    paid_off_on: date | None = None,
    number: int = 1,
) -> InstallmentState:
    """An installment of 100.00 principal and 10.00 interest (plus `fee`)."""
    return InstallmentState(
        number,
        due_date,
        amounts("100.00", "10.00", fee),
        amounts(paid_principal, paid_interest, paid_fee),
        paid_off_on,
    )


@pytest.mark.parametrize(
    ("dpd", "bucket"),
    [
        (0, B.CURRENT),
        (1, B.DPD_1_30),
        (30, B.DPD_1_30),
        (31, B.DPD_31_60),
        (60, B.DPD_31_60),
        (61, B.DPD_61_90),
        (90, B.DPD_61_90),
        (91, B.DPD_91_180),
        (180, B.DPD_91_180),
        (181, B.DPD_OVER_180),
        (10_000, B.DPD_OVER_180),
    ],
)
def test_bucket_boundaries(dpd: int, bucket: Bucket) -> None:
    assert bucket_of(dpd) is bucket


@pytest.mark.parametrize(
    ("dpd", "tier"),
    [
        (0, C.NORMAL),
        (1, C.SPECIAL_MENTION),
        (90, C.SPECIAL_MENTION),
        (91, C.SUBSTANDARD),
        (180, C.SUBSTANDARD),
        (181, C.DOUBTFUL),
        (360, C.DOUBTFUL),
        (361, C.LOSS),
        (5_000, C.LOSS),
    ],
)
def test_default_classification_boundaries(dpd: int, tier: Classification) -> None:
    assert classify(dpd) is tier


CUSTOM = ClassificationThresholds(
    special_mention_from=31, substandard_from=61, doubtful_from=121, loss_from=181
)


@pytest.mark.parametrize(
    ("dpd", "tier"),
    [
        (0, C.NORMAL),
        (30, C.NORMAL),
        (31, C.SPECIAL_MENTION),
        (60, C.SPECIAL_MENTION),
        (61, C.SUBSTANDARD),
        (120, C.SUBSTANDARD),
        (121, C.DOUBTFUL),
        (180, C.DOUBTFUL),
        (181, C.LOSS),
    ],
)
def test_custom_classification_boundaries(dpd: int, tier: Classification) -> None:
    assert classify(dpd, CUSTOM) is tier


def test_non_performing_is_substandard_doubtful_and_loss() -> None:
    assert [c for c in Classification if is_non_performing(c)] == [
        C.SUBSTANDARD,
        C.DOUBTFUL,
        C.LOSS,
    ]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"special_mention_from": 0}, "special_mention_from"),
        ({"special_mention_from": -5}, "special_mention_from"),
        ({"substandard_from": 1}, "substandard_from"),
        ({"doubtful_from": 91}, "doubtful_from"),
        ({"doubtful_from": 50}, "doubtful_from"),
        ({"loss_from": 181}, "loss_from"),
        ({"loss_from": True}, "loss_from"),
    ],
)
def test_invalid_thresholds_are_refused(kwargs: dict[str, int], field: str) -> None:
    with pytest.raises(InvalidValue) as error:
        ClassificationThresholds(**kwargs)
    assert error.value.field == field


def test_negative_dpd_is_refused() -> None:
    with pytest.raises(InvalidValue):
        bucket_of(-1)
    with pytest.raises(InvalidValue):
        classify(-1)


@pytest.mark.parametrize(
    ("due", "on", "dpd"),
    [
        (date(2026, 3, 31), date(2026, 3, 31), 0),  # on the due date
        (date(2026, 3, 31), date(2026, 4, 1), 1),  # across a month end
        (date(2026, 3, 31), date(2026, 5, 1), 31),  # April has 30 days
        (date(2024, 2, 28), date(2024, 3, 1), 2),  # leap day in between
        (date(2023, 2, 28), date(2023, 3, 1), 1),
        (date(2023, 12, 31), date(2024, 12, 31), 366),  # a leap year
        (date(2026, 4, 15), date(2026, 4, 1), 0),  # not yet due
    ],
)
def test_dpd_counts_calendar_days_from_the_day_after_the_due_date(
    due: date, on: date, dpd: int
) -> None:
    assert days_past_due([installment(due)], on) == dpd


def test_dpd_counts_from_the_oldest_unpaid_installment() -> None:
    installments = [
        installment(date(2026, 1, 31), "100.00", "10.00", paid_off_on=date(2026, 1, 31)),
        installment(date(2026, 2, 28), "40.00", "10.00", number=2),  # partially paid
        installment(date(2026, 3, 31), number=3),
    ]
    assert days_past_due(installments, date(2026, 4, 10)) == 41  # 2026-02-28 + 41 days


def test_a_partially_paid_installment_still_counts() -> None:
    assert days_past_due([installment(date(2026, 3, 1), "99.99", "10.00")], date(2026, 3, 11)) == 10
    assert days_past_due([installment(date(2026, 3, 1), "100.00", "9.99")], date(2026, 3, 11)) == 10


def test_a_paid_off_installment_does_not_count() -> None:
    # Due 03-01, paid off late on 03-20: the state as of 03-19 is still unpaid.
    as_of_19 = [installment(date(2026, 3, 1), "50.00")]
    as_of_20 = [installment(date(2026, 3, 1), "100.00", "10.00", paid_off_on=date(2026, 3, 20))]
    assert days_past_due(as_of_19, date(2026, 3, 19)) == 18
    assert days_past_due(as_of_20, date(2026, 3, 20)) == 0
    assert days_past_due(as_of_20, date(2026, 6, 1)) == 0


def test_unpaid_fees_alone_do_not_age_a_loan_unless_asked() -> None:
    only_fee = [installment(date(2026, 3, 1), "100.00", "10.00", fee="5.00")]
    assert days_past_due(only_fee, date(2026, 3, 11)) == 0
    with_fees = frozenset({Component.PRINCIPAL, Component.INTEREST, Component.FEE})
    assert days_past_due(only_fee, date(2026, 3, 11), with_fees) == 10


def test_par_and_npl_shares_by_hand() -> None:
    # 1000.00 current, 2000.00 at 30 DPD, 3000.00 at 31 and 4000.00 at 95: PAR30, PAR90
    # and PAR0 (30 DPD is not over 30).
    assert principal_share(D("7000.00"), D("10000.00")) == D("0.7000")
    assert principal_share(D("4000.00"), D("10000.00")) == D("0.4000")
    assert principal_share(D("9000.00"), D("10000.00")) == D("0.9000")
    assert principal_share(D("1.00"), D("3.00")) == D("0.3333")
    assert principal_share(D("2.00"), D("3.00")) == D("0.6667")
    assert principal_share(D("0.00"), D("0.00")) == D("0.0000")
    # Substandard 3000.00, doubtful 500.00 and loss 250.00 of 6750.00: 0.55555...
    assert principal_share(D("3750.00"), D("6750.00")) == D("0.5556")
    with pytest.raises(InvalidValue):
        principal_share(D("-1.00"), D("2.00"))
    with pytest.raises(InvalidValue):
        principal_share(D("3.00"), D("2.00"))


unpaid = st.lists(
    st.builds(installment, st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.just("99.99")),
    min_size=1,
    max_size=6,
)
days = st.dates(date(2019, 1, 1), date(2032, 12, 31))


@given(unpaid, days, days)
def test_dpd_never_decreases_with_the_date(
    installments: list[InstallmentState], first: date, second: date
) -> None:
    early, late = sorted([first, second])
    assert days_past_due(installments, early) <= days_past_due(installments, late)
    step = days_past_due(installments, early + timedelta(days=1))
    assert step - days_past_due(installments, early) in (0, 1)


@st.composite
def thresholds(draw: st.DrawFn) -> ClassificationThresholds:
    floors = sorted(draw(st.sets(st.integers(1, 1000), min_size=4, max_size=4)))
    return ClassificationThresholds(*floors)


@given(st.integers(0, 2000), st.integers(0, 2000), thresholds())
def test_bucket_and_classification_never_improve_as_dpd_grows(
    a: int, b: int, limits: ClassificationThresholds
) -> None:
    low, high = sorted([a, b])
    buckets, tiers = list(Bucket), list(Classification)
    assert buckets.index(bucket_of(low)) <= buckets.index(bucket_of(high))
    assert tiers.index(classify(low, limits)) <= tiers.index(classify(high, limits))
