"""Risk rules and findings: thresholds, severities and the words a warning carries."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from pydantic import ValidationError

from domain.risk import (
    DEFAULT_POLICY,
    DueInstallment,
    RiskPolicy,
    Severity,
    WarningRule,
    broken_promise,
    concentrated,
    dpd_reached,
    exposure_over_limit,
    first_payment_default,
    repeatedly_late,
    warning_id,
)
from domain.risk.rules import dpd_severity, is_late, last_due, thresholds_reached

LOAN = UUID("00000000-0000-4000-8000-00000000a001")
BORROWER = UUID("00000000-0000-4000-8000-00000000b001")
DUE = date(2026, 3, 31)


def on(days_after_due: int) -> date:
    return DUE + timedelta(days=days_after_due)


def test_the_documented_defaults() -> None:
    assert DEFAULT_POLICY.dpd_thresholds == (1, 30, 60, 90)
    assert DEFAULT_POLICY.first_payment_default_days == 30
    assert (DEFAULT_POLICY.late_window, DEFAULT_POLICY.late_count) == (6, 2)
    assert DEFAULT_POLICY.exposure_limit == Decimal(500000)
    assert DEFAULT_POLICY.region_share == Decimal("0.25")
    assert DEFAULT_POLICY.product_share == Decimal("0.5")


@pytest.mark.parametrize(
    "changes",
    [
        {"dpd_thresholds": ()},
        {"dpd_thresholds": (0, 30)},
        {"dpd_thresholds": (30, 30)},
        {"dpd_thresholds": (60, 30)},
        {"late_count": 7},
        {"region_share": Decimal("1.5")},
        {"exposure_limit": Decimal(0)},
    ],
)
def test_a_policy_that_makes_no_sense_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RiskPolicy.model_validate(changes)


def test_a_policy_reads_partial_json_over_the_defaults() -> None:
    policy = RiskPolicy.model_validate_json('{"exposure_limit": "800000"}')
    assert policy.exposure_limit == Decimal(800000)
    assert policy.dpd_thresholds == DEFAULT_POLICY.dpd_thresholds


@pytest.mark.parametrize(
    ("dpd", "reached"),
    [(0, ()), (1, (1,)), (29, (1,)), (30, (1, 30)), (59, (1, 30)), (90, (1, 30, 60, 90)),
     (400, (1, 30, 60, 90))],
)  # fmt: skip
def test_thresholds_reached_by_days_past_due(dpd: int, reached: tuple[int, ...]) -> None:
    assert thresholds_reached(dpd, (1, 30, 60, 90)) == reached


@pytest.mark.parametrize(
    ("threshold", "severity"),
    [(1, Severity.LOW), (15, Severity.LOW), (30, Severity.MEDIUM), (60, Severity.HIGH),
     (90, Severity.CRITICAL), (180, Severity.CRITICAL)],
)  # fmt: skip
def test_dpd_severity_grows_with_the_threshold(threshold: int, severity: Severity) -> None:
    assert dpd_severity(threshold) is severity


def test_dpd_findings_skip_thresholds_already_raised() -> None:
    found = dpd_reached(LOAN, BORROWER, DUE, on(61), (1, 30, 60, 90), raised=[1])
    assert [(f.threshold, f.severity) for f in found] == [
        (Decimal(30), Severity.MEDIUM),
        (Decimal(60), Severity.HIGH),
    ]
    assert found[1].detail == (
        "61 days past due on 2026-05-31: the oldest unpaid installment fell due on "
        "2026-03-31; threshold 60 days"
    )
    assert dpd_reached(LOAN, BORROWER, DUE, on(29), (30,)) == []


def test_first_payment_default_on_the_nth_day_and_not_before() -> None:
    owed = Decimal("1066.19")
    assert first_payment_default(LOAN, BORROWER, DUE, owed, on(29), 30) is None
    found = first_payment_default(LOAN, BORROWER, DUE, owed, on(30), 30)
    assert found is not None
    assert (found.rule, found.threshold, found.severity) == (
        WarningRule.FIRST_PAYMENT_DEFAULT,
        Decimal(30),
        Severity.HIGH,
    )
    assert "still owes 1066.19" in found.detail
    assert first_payment_default(LOAN, BORROWER, DUE, Decimal("0.00"), on(45), 30) is None


def monthly(*paid_days_late: int | None) -> list[DueInstallment]:
    """Installments due monthly from 2026-01-31; each paid that many days late (None: unpaid)."""
    dues = [date(2026, 1, 31), date(2026, 2, 28), DUE, date(2026, 4, 30), date(2026, 5, 31),
            date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31)]  # fmt: skip
    return [
        DueInstallment(n, due, None if late is None else due + timedelta(days=late))
        for n, (due, late) in enumerate(zip(dues, paid_days_late, strict=False), 1)
    ]


def test_late_means_cleared_after_the_due_date_or_not_cleared_once_it_passed() -> None:
    on_time, late, unpaid = monthly(0, 3, None)
    assert not is_late(on_time, date(2026, 6, 1))
    assert is_late(late, date(2026, 6, 1))
    assert not is_late(unpaid, DUE)  # due today: not late yet
    assert is_late(unpaid, on(1))


def test_the_window_holds_the_installments_due_before_the_day_latest_first() -> None:
    items = monthly(0, 0, 0, 0, 0, 0, 0, 0)
    window = last_due(items, date(2026, 8, 31), 6)
    assert [i.number for i in window] == [7, 6, 5, 4, 3, 2]


def test_repeated_late_needs_two_late_among_the_last_six() -> None:
    day = date(2026, 8, 1)  # installments 1-7 are due before it
    once = monthly(0, 0, 0, 5, 0, 0, 0)
    assert repeatedly_late(LOAN, BORROWER, once, day, 6, 2) is None
    twice = monthly(0, 0, 0, 5, 0, 0, None)
    found = repeatedly_late(LOAN, BORROWER, twice, day, 6, 2)
    assert found is not None
    assert (found.threshold, found.severity) == (Decimal(2), Severity.MEDIUM)
    assert "4 (due 2026-04-30), 7 (due 2026-07-31)" in found.detail


def test_repeated_late_forgets_lateness_older_than_the_window() -> None:
    items = monthly(9, 9, 0, 0, 0, 0, 0, 0)
    assert repeatedly_late(LOAN, BORROWER, items, date(2026, 7, 31), 6, 2) is not None
    assert repeatedly_late(LOAN, BORROWER, items, date(2026, 8, 1), 6, 2) is None


def test_broken_promises_grow_more_severe() -> None:
    first = broken_promise(LOAN, BORROWER, 1, DUE, Decimal("500.00"), Decimal("100.00"))
    second = broken_promise(LOAN, BORROWER, 2, DUE, Decimal("500.00"), Decimal("0.00"))
    assert (first.severity, second.severity) == (Severity.MEDIUM, Severity.HIGH)
    assert first.id != second.id
    assert first.detail == (
        "promised 500.00 by 2026-03-31, paid 100.00; broken promise number 1 on this loan"
    )


def test_exposure_above_the_limit_only() -> None:
    limit = Decimal(500000)
    assert exposure_over_limit(BORROWER, Decimal("500000.00"), limit) is None
    found = exposure_over_limit(BORROWER, Decimal("500000.01"), limit)
    assert found is not None
    assert (found.subject, found.loan_id, found.borrower_id) == (str(BORROWER), None, BORROWER)


def test_concentration_above_the_share_of_a_large_enough_portfolio() -> None:
    share, floor = Decimal("0.25"), Decimal(1000000)
    total = Decimal(2000000)
    assert concentrated("region", "Hubei", Decimal(500000), total, share, floor) is None
    found = concentrated("region", "Hubei", Decimal("500000.01"), total, share, floor)
    assert found is not None
    assert (found.subject, found.threshold) == ("region:Hubei", share)
    assert found.detail == (
        "region Hubei holds 25.00% of outstanding principal (500000.01 of 2000000), "
        "above the limit of 25%"
    )
    small = Decimal(900000)
    assert concentrated("region", "Hubei", small, small, share, floor) is None


def test_the_warning_id_depends_on_the_threshold_not_its_spelling() -> None:
    rule = WarningRule.DPD_THRESHOLD
    assert warning_id(rule, str(LOAN), Decimal(30)) == warning_id(rule, str(LOAN), Decimal("30.0"))
    assert warning_id(rule, str(LOAN), Decimal(30)) != warning_id(rule, str(LOAN), Decimal(60))
    other = WarningRule.FIRST_PAYMENT_DEFAULT
    assert warning_id(rule, str(LOAN), Decimal(30)) != warning_id(other, str(LOAN), Decimal(30))
