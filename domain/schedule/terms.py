"""What a schedule is asked for: the enumerations and the validated `ScheduleTerms`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema


class Method(StrEnum):
    EQUAL_INSTALLMENTS = "equal_installments"
    EQUAL_PRINCIPAL = "equal_principal"
    INTEREST_ONLY = "interest_only"
    BULLET = "bullet"
    FLAT = "flat"


class Frequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class DayCount(StrEnum):
    THIRTY_360 = "30/360"
    ACTUAL_365 = "actual/365"
    ACTUAL_360 = "actual/360"


class InterestCalculation(StrEnum):
    PER_PERIOD = "per_period"
    DAILY = "daily"


class OddPeriodInterest(StrEnum):
    """What per-period interest charges a first period that is not one ordinary period
    (a `first_due_date` 5 or 43 days after the start): one whole period's interest, or
    the period's interest in proportion to its days (days / the ordinary period's days)."""

    WHOLE_PERIOD = "whole_period"
    BY_DAYS = "by_days"


class Rounding(StrEnum):
    HALF_EVEN = "half_even"
    HALF_UP = "half_up"
    DOWN = "down"


PERIODS_PER_YEAR: dict[Frequency, int] = {
    Frequency.WEEKLY: 52,
    Frequency.FORTNIGHTLY: 26,
    Frequency.MONTHLY: 12,
    Frequency.QUARTERLY: 4,
}

# Beyond this a currency has no minor unit in use; more places would only hide input mistakes.
MAX_MINOR_UNIT = 8
# Far above any real loan, and low enough that every amount keeps all its digits within the
# 34-digit calculation precision, so absurd input is refused instead of failing mid-way.
MAX_PRINCIPAL = Decimal("1E15")
MAX_ANNUAL_RATE_PERCENT = Decimal(10000)
# A hundred years of monthly installments: more periods than any loan has, few enough that
# every due date stays within the calendar and every count within a 32-bit column.
MAX_TERM = 1200


def has_level_installment(method: Method, interest_calculation: InterestCalculation) -> bool:
    """Whether the method repays in one level installment, the one `installment_multiple`
    rounds: the annuity, and flat under per-period interest (daily flat interest follows
    each period's days, so its installments differ)."""
    if method == Method.EQUAL_INSTALLMENTS:
        return True
    return method == Method.FLAT and interest_calculation == InterestCalculation.PER_PERIOD


LEVEL_INSTALLMENT_ONLY = (
    "applies only to a level installment: equal_installments, or flat with per_period interest"
)


class ScheduleError(ValueError):
    """Terms no schedule can be built from. `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    @property
    def reason(self) -> str:
        # Same shape as the domain's InvalidValue, so one error mapper can serve both.
        return self.message


@dataclass(frozen=True)
class ScheduleTerms:
    """Everything a schedule depends on. Invalid terms raise `ScheduleError` on construction.

    `grace_periods` has no effect on `interest_only` and `bullet`, whose principal is
    already deferred to maturity; `interest_only_every` only affects `interest_only`;
    `odd_period_interest` applies to per-period interest only (daily interest counts
    the days of every period anyway; flat interest is quoted on the term).
    `installment_multiple` rounds the level installment of `equal_installments` and of
    per-period `flat`, and is refused for any other method.
    Enumeration fields also accept their plain string values (as they arrive over REST).
    """

    principal: Decimal
    annual_rate_percent: Decimal
    term: int
    frequency: Frequency
    method: Method
    start_date: date
    first_due_date: date | None = None
    grace_periods: int = 0
    day_count: DayCount = DayCount.THIRTY_360
    interest_calculation: InterestCalculation = InterestCalculation.PER_PERIOD
    rounding: Rounding = Rounding.HALF_EVEN
    installment_multiple: Decimal | None = None
    minor_unit: int = 2
    interest_only_every: int = 1
    # Terms stored before the option existed load as whole_period (see below).
    odd_period_interest: OddPeriodInterest = OddPeriodInterest.BY_DAYS

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Terms recorded in events and snapshots load with the defaults they were
        recorded under: a first period then always cost one whole period."""
        return core_schema.no_info_before_validator_function(_stored_defaults, handler(source))

    def __post_init__(self) -> None:
        for name, kind in _ENUM_FIELDS:
            object.__setattr__(self, name, _member(kind, getattr(self, name), name))
        _check_counts(self)
        _check_decimal(self.principal, "principal", self.minor_unit)
        if not 0 < self.principal <= MAX_PRINCIPAL:
            raise ScheduleError("principal", f"must be positive and at most {MAX_PRINCIPAL:f}")
        _check_decimal(self.annual_rate_percent, "annual_rate_percent", None)
        if not 0 <= self.annual_rate_percent <= MAX_ANNUAL_RATE_PERCENT:
            raise ScheduleError(
                "annual_rate_percent", f"must be between 0 and {MAX_ANNUAL_RATE_PERCENT}"
            )
        if self.installment_multiple is not None:
            _check_decimal(self.installment_multiple, "installment_multiple", self.minor_unit)
            if self.installment_multiple <= 0:
                raise ScheduleError("installment_multiple", "must be positive")
            if not has_level_installment(self.method, self.interest_calculation):
                raise ScheduleError("installment_multiple", LEVEL_INSTALLMENT_ONLY)
        if self.first_due_date is not None and self.first_due_date <= self.start_date:
            raise ScheduleError("first_due_date", "must be after start_date")


_ENUM_FIELDS: tuple[tuple[str, type[StrEnum]], ...] = (
    ("frequency", Frequency),
    ("method", Method),
    ("day_count", DayCount),
    ("interest_calculation", InterestCalculation),
    ("rounding", Rounding),
    ("odd_period_interest", OddPeriodInterest),
)

# What a field stored before it existed meant: replay keeps the schedules it built.
STORED_DEFAULTS = {"odd_period_interest": OddPeriodInterest.WHOLE_PERIOD.value}


def _stored_defaults(value: Any) -> Any:
    if isinstance(value, dict):
        return STORED_DEFAULTS | value
    return value


_E = TypeVar("_E", bound=StrEnum)


def _member(kind: type[_E], value: object, field: str) -> _E:
    try:
        return kind(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ScheduleError(field, f"must be one of {allowed}") from None


def _check_counts(terms: ScheduleTerms) -> None:
    # bool is an int subclass; True as a term is a caller bug, not one period.
    for name in ("term", "grace_periods", "minor_unit", "interest_only_every"):
        value = getattr(terms, name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ScheduleError(name, "must be an integer")
    if not 1 <= terms.term <= MAX_TERM:
        raise ScheduleError("term", f"must be between 1 and {MAX_TERM}")
    if not 0 <= terms.grace_periods < terms.term:
        raise ScheduleError("grace_periods", "must be at least 0 and less than term")
    if not 0 <= terms.minor_unit <= MAX_MINOR_UNIT:
        raise ScheduleError("minor_unit", f"must be between 0 and {MAX_MINOR_UNIT}")
    if terms.interest_only_every < 1:
        raise ScheduleError("interest_only_every", "must be at least 1")


def _check_decimal(value: object, field: str, places: int | None) -> None:
    """A finite Decimal (floats are refused outright) with at most `places` decimals."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ScheduleError(field, "must be a finite Decimal")
    if places is None:
        return
    # Read the digits instead of quantizing: quantize depends on the caller's context.
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # unreachable for finite values; keeps the types honest
        raise ScheduleError(field, "must be a finite Decimal")
    extra = -exponent - places
    if extra > 0 and any(digits[-extra:]):
        raise ScheduleError(field, f"must have at most {places} decimal places")
