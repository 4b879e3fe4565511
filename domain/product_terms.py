"""A product's terms: the limits and money rules every loan of the product follows,
and how they are checked."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field

from domain.accounting.rules import AccountingRule
from domain.charges import Charge, checked_charges
from domain.errors import InvalidValue
from domain.ledger import DEFAULT_ORDER, AdvancePayment, Component, PenaltyRateBasis
from domain.model import Immutable
from domain.money import ZERO, checked_amount
from domain.notifications import NotificationPolicy
from domain.schedule import (
    DayCount,
    Frequency,
    InterestCalculation,
    Method,
    OddPeriodInterest,
    Rounding,
    has_level_installment,
)
from domain.schedule.terms import LEVEL_INSTALLMENT_ONLY, MAX_PRINCIPAL, MAX_TERM

# ISO 4217 minor units of the currencies we lend in. Recorded on the product when it is
# defined, so replaying it never depends on this table.
MINOR_UNITS = {
    "CNY": 2, "HKD": 2, "MOP": 2, "TWD": 2, "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2,
    "SGD": 2, "AUD": 2, "CAD": 2, "THB": 2, "MYR": 2, "PHP": 2, "INR": 2, "IDR": 2,
    "JPY": 0, "KRW": 0, "VND": 0,
}  # fmt: skip
MAX_RATE_PERCENT = Decimal(1000)
RATE_PLACES = 4
CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")
# Borrowers' age bounds (whole years on the business date of the application). Products
# defined before the bounds existed load with these defaults.
DEFAULT_MIN_AGE = 18
DEFAULT_MAX_AGE = 65
OLDEST_AGE = 120
# A late fee waits at most a year past due: a longer grace is no late fee at all, and the
# days must stay within date arithmetic and a 32-bit column.
MAX_GRACE_DAYS = 366


def normalize_code(code: str) -> str:
    """Codes compare case-insensitively: "micro-12" and "MICRO-12" are one product."""
    return code.strip().upper()


def checked_code(code: str) -> str:
    normalized = normalize_code(code)
    if not CODE.fullmatch(normalized):
        raise InvalidValue("code", "must be 1 to 32 letters, digits, '-' or '_'")
    return normalized


def checked_rate(rate: Decimal, field: str) -> Decimal:
    if not rate.is_finite() or not 0 <= rate <= MAX_RATE_PERCENT:
        raise InvalidValue(field, f"must be between 0 and {MAX_RATE_PERCENT}")
    exponent = rate.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -RATE_PLACES:
        raise InvalidValue(field, f"must have at most {RATE_PLACES} decimal places")
    return rate


def _checked_choices(values: tuple[Any, ...], field: str) -> None:
    if not values:
        raise InvalidValue(field, "must list at least one value")
    if len(set(values)) != len(values):
        raise InvalidValue(field, "must not repeat a value")


def _checked_count(value: int, field: str, least: int, most: int) -> None:
    # bool is an int subclass; True as a term is a caller bug, not one period.
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= most:
        raise InvalidValue(field, f"must be a whole number from {least} to {most}")


class ProductTerms(Immutable):
    """Everything a product decides; `checked()` refuses any rule it breaks.

    `odd_period_interest` is what per-period interest charges an odd first period. A
    product defined without it gets `by_days`; one stored before it existed loads as
    `whole_period`, what its loans were charged.
    `installment_multiple` rounds the level installment of the product's methods that
    have one (see `has_level_installment`); a product must offer at least one of them.
    `advance_payment` is what money paid ahead of due dates does once the interest
    accrued to its value date is paid (see `domain.ledger`, "Paying ahead").
    """

    name: str
    currency: str
    min_principal: Decimal
    max_principal: Decimal
    min_term: int
    max_term: int
    frequencies: tuple[Frequency, ...]
    methods: tuple[Method, ...]
    min_rate_percent: Decimal
    max_rate_percent: Decimal
    penalty_rate_percent: Decimal  # a year's rate, or a day's (penalty_rate_basis)
    late_fee: Decimal = ZERO
    grace_days: int = 0
    rounding: Rounding = Rounding.HALF_EVEN
    installment_multiple: Decimal | None = None
    day_count: DayCount = DayCount.THIRTY_360
    interest_calculation: InterestCalculation = InterestCalculation.PER_PERIOD
    allocation_order: tuple[Component, ...] = DEFAULT_ORDER
    min_age: int = DEFAULT_MIN_AGE
    max_age: int = DEFAULT_MAX_AGE
    # What products defined before the option meant; a product defined now without it
    # gets by_days (see `checked`).
    odd_period_interest: OddPeriodInterest = OddPeriodInterest.WHOLE_PERIOD
    penalty_rate_basis: PenaltyRateBasis = PenaltyRateBasis.ANNUAL
    # Products defined before charges existed load with none.
    charges: tuple[Charge, ...] = ()
    # Products defined before the option load with what their loans did: the schedule
    # stands and money paid ahead pays the next installments.
    advance_payment: AdvancePayment = AdvancePayment.NEXT_INSTALLMENTS
    # Products (and the loans submitted on them) from before accounting rules: the default.
    accounting: AccountingRule = Field(default_factory=AccountingRule)
    # Products from before reminders: the default policy (domain/notifications.py).
    notifications: NotificationPolicy = Field(default_factory=NotificationPolicy)

    def checked(self) -> ProductTerms:
        if not self.name.strip():
            raise InvalidValue("name", "must not be empty")
        currency = self.currency.strip().upper()
        if currency not in MINOR_UNITS:
            raise InvalidValue("currency", f"must be one of {', '.join(sorted(MINOR_UNITS))}")
        places = MINOR_UNITS[currency]
        amounts = {
            name: checked_amount(getattr(self, name), name, places)
            for name in ("min_principal", "max_principal", "late_fee", "installment_multiple")
            if getattr(self, name) is not None
        }
        if not 0 < amounts["max_principal"] <= MAX_PRINCIPAL:
            raise InvalidValue("max_principal", f"must be positive and at most {MAX_PRINCIPAL:f}")
        if amounts["min_principal"] > amounts["max_principal"]:
            raise InvalidValue("min_principal", "must not exceed max_principal")
        if amounts.get("installment_multiple") == 0:
            raise InvalidValue("installment_multiple", "must be positive")
        if self.installment_multiple is not None and not any(
            has_level_installment(method, self.interest_calculation) for method in self.methods
        ):
            raise InvalidValue("installment_multiple", LEVEL_INSTALLMENT_ONLY)
        _checked_count(self.min_term, "min_term", 1, MAX_TERM)
        _checked_count(self.max_term, "max_term", 1, MAX_TERM)
        if self.min_term > self.max_term:
            raise InvalidValue("min_term", "must not exceed max_term")
        _checked_choices(self.frequencies, "frequencies")
        _checked_choices(self.methods, "methods")
        for name in ("min_rate_percent", "max_rate_percent", "penalty_rate_percent"):
            checked_rate(getattr(self, name), name)
        if self.min_rate_percent > self.max_rate_percent:
            raise InvalidValue("min_rate_percent", "must not exceed max_rate_percent")
        _checked_count(self.grace_days, "grace_days", 0, MAX_GRACE_DAYS)
        _checked_count(self.min_age, "min_age", 0, OLDEST_AGE)
        _checked_count(self.max_age, "max_age", 0, OLDEST_AGE)
        if self.min_age > self.max_age:
            raise InvalidValue("min_age", "must not exceed max_age")
        if sorted(self.allocation_order) != sorted(Component):
            raise InvalidValue(
                "allocation_order", "must list penalty, fee, interest and principal once each"
            )
        odd = self.odd_period_interest
        if "odd_period_interest" not in self.model_fields_set:
            odd = OddPeriodInterest.BY_DAYS
        charges = checked_charges(self.charges, places)
        accounting = self.accounting.checked()
        return self.model_copy(
            update={
                "name": self.name.strip(),
                "currency": currency,
                "odd_period_interest": odd,
                **amounts,
                "charges": charges,
                "accounting": accounting,
                "notifications": self.notifications.checked(),
            }
        )

    def check_loan(
        self,
        code: str,
        minor_unit: int,
        principal: Decimal,
        term: int,
        frequency: Frequency,
        method: Method,
        annual_rate_percent: Decimal,
    ) -> Decimal:
        """Refuse figures product `code` does not offer, naming the limit they break; the
        principal at the minor unit. An application and an approval's changes pass this
        one rule."""
        amount = checked_amount(principal, "principal", minor_unit)
        _within(code, "principal", amount, self.min_principal, self.max_principal)
        _checked_count(term, "term", 1, MAX_TERM)
        _within(code, "term", term, self.min_term, self.max_term)
        _one_of(code, "frequency", frequency, self.frequencies)
        _one_of(code, "method", method, self.methods)
        self.check_rate(code, annual_rate_percent, "annual_rate_percent")
        return amount

    def check_rate(self, code: str, annual_rate_percent: Decimal, field: str) -> None:
        rate = checked_rate(annual_rate_percent, field)
        _within(code, field, rate, self.min_rate_percent, self.max_rate_percent)


def _within(code: str, field: str, value: Any, least: Any, most: Any) -> None:
    if value < least:
        raise InvalidValue(field, f"must be at least {least} (product {code} minimum)")
    if value > most:
        raise InvalidValue(field, f"must be at most {most} (product {code} maximum)")


def _one_of(code: str, field: str, value: str, allowed: tuple[StrEnum, ...]) -> None:
    if value not in allowed:
        names = ", ".join(a.value for a in allowed)
        raise InvalidValue(field, f"must be one of {names} (product {code})")
