"""Risk rules as pure tests: which thresholds a loan or a portfolio has reached.

No clock and no I/O: every test is "as of" the business date the caller passes.

Severity by rule (what a risk officer looks at first):
  DPD_THRESHOLD          by the days reached: under 30 LOW, 30 MEDIUM, 60 HIGH, 90+ CRITICAL
  FIRST_PAYMENT_DEFAULT  HIGH: a loan never serviced points at fraud or failed underwriting
  REPEATED_LATE          MEDIUM: a habit of paying late, often before a real default
  BROKEN_PROMISE         MEDIUM for the loan's first broken promise, HIGH from the second
  EXPOSURE_LIMIT         HIGH: one borrower holds more than the lender means to lend anyone
  CONCENTRATION          MEDIUM: a portfolio-level imbalance, not a loan in trouble
  LEDGER_DIFFERENCE      CRITICAL: at a month end the journal and the loan books disagree
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

from pydantic import Field, model_validator

from domain.model import Immutable


class WarningRule(StrEnum):
    DPD_THRESHOLD = "dpd_threshold"
    FIRST_PAYMENT_DEFAULT = "first_payment_default"
    REPEATED_LATE = "repeated_late"
    BROKEN_PROMISE = "broken_promise"
    EXPOSURE_LIMIT = "exposure_limit"
    CONCENTRATION = "concentration"
    LEDGER_DIFFERENCE = "ledger_difference"


class Severity(StrEnum):
    """From least to most urgent (`list(Severity)` is that order)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class RiskPolicy(Immutable):
    """The thresholds every rule uses; the defaults are the documented policy.

    Concentration is judged only once the portfolio's outstanding principal reaches
    `concentration_floor`: in a young or tiny book every region is "concentrated".
    Products get a higher share than regions because a lender runs few products.
    """

    dpd_thresholds: tuple[int, ...] = (1, 30, 60, 90)
    first_payment_default_days: int = Field(default=30, ge=1)
    late_window: int = Field(default=6, ge=1)
    late_count: int = Field(default=2, ge=1)
    exposure_limit: Decimal = Field(default=Decimal(500000), gt=0)
    region_share: Decimal = Field(default=Decimal("0.25"), gt=0, le=1)
    product_share: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)
    concentration_floor: Decimal = Field(default=Decimal(1000000), ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> RiskPolicy:
        thresholds = self.dpd_thresholds
        if not thresholds or thresholds[0] < 1:
            raise ValueError("dpd_thresholds must start at 1 day or later")
        if any(later <= earlier for earlier, later in pairwise(thresholds)):
            raise ValueError("dpd_thresholds must increase")
        if self.late_count > self.late_window:
            raise ValueError("late_count must not exceed late_window")
        return self


DEFAULT_POLICY = RiskPolicy()


def dpd_severity(threshold: int) -> Severity:
    if threshold >= 90:
        return Severity.CRITICAL
    if threshold >= 60:
        return Severity.HIGH
    if threshold >= 30:
        return Severity.MEDIUM
    return Severity.LOW


def broken_promise_severity(number: int) -> Severity:
    """`number`: how many promises on the loan are broken, this one included."""
    return Severity.MEDIUM if number <= 1 else Severity.HIGH


def thresholds_reached(dpd: int, thresholds: Iterable[int]) -> tuple[int, ...]:
    """The DPD thresholds a loan `dpd` days past due has reached (crossed or stands on)."""
    return tuple(t for t in thresholds if dpd >= t)


def is_first_payment_default(due_date: date, unpaid: Decimal, on: date, days: int) -> bool:
    """The first installment, due `due_date`, still has principal or interest unpaid
    (`unpaid`) on `on`, at least `days` days after it fell due."""
    return unpaid > 0 and (on - due_date).days >= days


@dataclass(frozen=True, slots=True)
class DueInstallment:
    """An installment's due date and the value date of the payment that cleared it
    (None while anything on it is unpaid)."""

    number: int
    due_date: date
    paid_off_on: date | None


def is_late(item: DueInstallment, on: date) -> bool:
    """Late on `on`: its due date has passed and it was not cleared by that date."""
    if item.due_date >= on:
        return False
    return item.paid_off_on is None or item.paid_off_on > item.due_date


def last_due(items: Iterable[DueInstallment], on: date, window: int) -> list[DueInstallment]:
    """The `window` most recent installments whose due date is before `on`, latest first."""
    due = sorted((i for i in items if i.due_date < on), key=lambda i: i.due_date, reverse=True)
    return due[:window]


def late_among_last(items: Iterable[DueInstallment], on: date, window: int) -> list[DueInstallment]:
    return [item for item in last_due(items, on, window) if is_late(item, on)]


def is_over_limit(outstanding: Decimal, limit: Decimal) -> bool:
    return outstanding > limit


def is_concentrated(amount: Decimal, total: Decimal, share: Decimal, floor: Decimal) -> bool:
    """`amount` is more than `share` of a portfolio of `total`, once the portfolio is
    at least `floor`."""
    return total > 0 and total >= floor and amount > share * total
