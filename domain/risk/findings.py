"""Findings: what a rule found, ready to be raised as a warning, with its figures in words.

A finding names its rule, subject and threshold; those three make the warning's id
(`warning_id`), so the same finding raised twice is the same warning. Subjects: the
loan id for loan rules, the borrower id for exposure, `region:<name>` or
`product:<code>` for concentration.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid5

from domain.risk.rules import (
    DueInstallment,
    Severity,
    WarningRule,
    broken_promise_severity,
    dpd_severity,
    is_concentrated,
    is_first_payment_default,
    is_over_limit,
    late_among_last,
    thresholds_reached,
)

WARNING_NAMESPACE = UUID("8d5e2b71-3f4a-4c9e-b0d6-7a1c9e4f2b38")
PERCENT = Decimal("0.01")


def canonical(threshold: Decimal) -> str:
    """One spelling per number, so 30, 30.0 and 3E+1 make the same id."""
    return format(threshold.normalize(), "f")


def warning_id(rule: WarningRule, subject: str, threshold: Decimal) -> UUID:
    return uuid5(WARNING_NAMESPACE, f"{rule.value}:{subject}:{canonical(threshold)}")


@dataclass(frozen=True, slots=True)
class Finding:
    rule: WarningRule
    subject: str
    threshold: Decimal
    severity: Severity
    detail: str
    loan_id: UUID | None = None
    borrower_id: UUID | None = None

    @property
    def id(self) -> UUID:
        return warning_id(self.rule, self.subject, self.threshold)


def dpd_reached(
    loan_id: UUID,
    borrower_id: UUID,
    oldest_unpaid: date,
    on: date,
    thresholds: Iterable[int],
    raised: Collection[int] = (),
) -> list[Finding]:
    """A finding for each DPD threshold the loan has reached on `on` and not yet `raised`."""
    dpd = (on - oldest_unpaid).days
    return [
        Finding(
            rule=WarningRule.DPD_THRESHOLD,
            subject=str(loan_id),
            threshold=Decimal(threshold),
            severity=dpd_severity(threshold),
            detail=f"{dpd} days past due on {on}: the oldest unpaid installment fell due on "
            f"{oldest_unpaid}; threshold {threshold} days",
            loan_id=loan_id,
            borrower_id=borrower_id,
        )
        for threshold in thresholds_reached(dpd, thresholds)
        if threshold not in raised
    ]


def first_payment_default(
    loan_id: UUID, borrower_id: UUID, due_date: date, unpaid: Decimal, on: date, days: int
) -> Finding | None:
    if not is_first_payment_default(due_date, unpaid, on, days):
        return None
    return Finding(
        rule=WarningRule.FIRST_PAYMENT_DEFAULT,
        subject=str(loan_id),
        threshold=Decimal(days),
        severity=Severity.HIGH,
        detail=f"the first installment, due {due_date}, still owes {unpaid} of principal and "
        f"interest on {on}, {(on - due_date).days} days later; threshold {days} days",
        loan_id=loan_id,
        borrower_id=borrower_id,
    )


def repeatedly_late(
    loan_id: UUID,
    borrower_id: UUID,
    installments: Iterable[DueInstallment],
    on: date,
    window: int,
    count: int,
) -> Finding | None:
    late = late_among_last(installments, on, window)
    if len(late) < count:
        return None
    numbers = ", ".join(f"{i.number} (due {i.due_date})" for i in sorted(late, key=_number))
    return Finding(
        rule=WarningRule.REPEATED_LATE,
        subject=str(loan_id),
        threshold=Decimal(count),
        severity=Severity.MEDIUM,
        detail=f"{len(late)} of the last {window} installments due before {on} were paid "
        f"late or are unpaid: {numbers}; threshold {count}",
        loan_id=loan_id,
        borrower_id=borrower_id,
    )


def _number(item: DueInstallment) -> int:
    return item.number


def broken_promise(
    loan_id: UUID,
    borrower_id: UUID,
    number: int,
    promised_date: date,
    promised_amount: Decimal,
    paid_amount: Decimal,
) -> Finding:
    """`number`: how many promises on the loan are broken, this one included."""
    return Finding(
        rule=WarningRule.BROKEN_PROMISE,
        subject=str(loan_id),
        threshold=Decimal(number),
        severity=broken_promise_severity(number),
        detail=f"promised {promised_amount} by {promised_date}, paid {paid_amount}; "
        f"broken promise number {number} on this loan",
        loan_id=loan_id,
        borrower_id=borrower_id,
    )


def exposure_over_limit(borrower_id: UUID, outstanding: Decimal, limit: Decimal) -> Finding | None:
    if not is_over_limit(outstanding, limit):
        return None
    return Finding(
        rule=WarningRule.EXPOSURE_LIMIT,
        subject=str(borrower_id),
        threshold=limit,
        severity=Severity.HIGH,
        detail=f"outstanding principal across the borrower's active loans is {outstanding}, "
        f"above the limit of {limit}",
        borrower_id=borrower_id,
    )


def concentrated(
    dimension: str, value: str, amount: Decimal, total: Decimal, share: Decimal, floor: Decimal
) -> Finding | None:
    """`dimension` is `region` or `product`; `amount` is its outstanding principal of `total`."""
    if not is_concentrated(amount, total, share, floor):
        return None
    held = (amount * 100 / total).quantize(PERCENT)
    return Finding(
        rule=WarningRule.CONCENTRATION,
        subject=f"{dimension}:{value}",
        threshold=share,
        severity=Severity.MEDIUM,
        detail=f"{dimension} {value} holds {held}% of outstanding principal "
        f"({amount} of {total}), above the limit of {canonical(share * 100)}%",
    )


def ledger_differences(on: date, differences: list[str]) -> Finding | None:
    """The journal disagrees with the loan books at the month end `on` (what differs)."""
    if not differences:
        return None
    shown = "; ".join(differences[:20])
    more = f"; and {len(differences) - 20} more" if len(differences) > 20 else ""
    return Finding(
        rule=WarningRule.LEDGER_DIFFERENCE,
        subject=f"ledger:{on}",
        threshold=Decimal(len(differences)),
        severity=Severity.CRITICAL,
        detail=f"the reconciliation of {on} found {len(differences)} differences: {shown}{more}",
    )
