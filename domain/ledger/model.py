"""What goes into the ledger (payments, charges, waivers, refunds) and what comes out
(allocations, state)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.schedule import Schedule


class Component(StrEnum):
    PENALTY = "penalty"
    FEE = "fee"
    INTEREST = "interest"
    PRINCIPAL = "principal"


DEFAULT_ORDER: tuple[Component, ...] = (
    Component.PENALTY,
    Component.FEE,
    Component.INTEREST,
    Component.PRINCIPAL,
)
CHARGE_COMPONENTS = frozenset({Component.FEE, Component.PENALTY})
WAIVABLE = frozenset({Component.FEE, Component.PENALTY, Component.INTEREST})


class Prepayment(StrEnum):
    REDUCE_TERM = "reduce_term"
    REDUCE_INSTALLMENT = "reduce_installment"


class AdvancePayment(StrEnum):
    """What a product does with money paid ahead of due dates, once the interest accrued
    to the payment's value date is paid: pay the next installments' principal (the
    schedule stands), or recast the schedule as the matching `Prepayment` does."""

    NEXT_INSTALLMENTS = "next_installments"
    RECAST_INSTALLMENT = "recast_installment"
    RECAST_TERM = "recast_term"

    def recast(self, flag: Prepayment | None) -> Prepayment | None:
        """The recast a payment ahead makes: its own flag's, else the product's (None:
        no recast)."""
        if flag is not None:
            return flag
        if self == AdvancePayment.RECAST_INSTALLMENT:
            return Prepayment.REDUCE_INSTALLMENT
        if self == AdvancePayment.RECAST_TERM:
            return Prepayment.REDUCE_TERM
        return None


class Traversal(StrEnum):
    """How a payment walks what is due: by installment first, or by component first."""

    HORIZONTAL = "horizontal"
    VERTICAL = "vertical"


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    amount: Decimal
    value_date: date
    sequence: int
    prepayment: Prepayment | None = None


@dataclass(frozen=True, slots=True)
class Charge:
    """A fee or penalty added to an installment; it is due from its value date."""

    installment: int
    component: Component
    amount: Decimal
    value_date: date
    id: str


@dataclass(frozen=True, slots=True)
class Waiver:
    """Up to `amount` of `component` (fee, penalty or interest) forgiven on `value_date`:
    on `installment`, or on each installment in turn, oldest first, when None."""

    id: str
    component: Component
    amount: Decimal
    value_date: date
    sequence: int
    installment: int | None = None


@dataclass(frozen=True, slots=True)
class Refund:
    """Credit balance paid back to the borrower on `value_date`."""

    id: str
    amount: Decimal
    value_date: date
    sequence: int


Entry = Payment | Waiver | Refund  # what the fold takes, in (value_date, sequence, id) order


@dataclass(frozen=True, slots=True)
class Allocation:
    installment: int
    component: Component
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ComponentAmounts:
    penalty: Decimal
    fee: Decimal
    interest: Decimal
    principal: Decimal

    @classmethod
    def of(cls, amounts: Mapping[Component, Decimal]) -> ComponentAmounts:
        return cls(
            amounts[Component.PENALTY],
            amounts[Component.FEE],
            amounts[Component.INTEREST],
            amounts[Component.PRINCIPAL],
        )

    def get(self, component: Component) -> Decimal:
        return {
            Component.PENALTY: self.penalty,
            Component.FEE: self.fee,
            Component.INTEREST: self.interest,
            Component.PRINCIPAL: self.principal,
        }[component]

    @property
    def total(self) -> Decimal:
        return self.penalty + self.fee + self.interest + self.principal

    def __add__(self, other: ComponentAmounts) -> ComponentAmounts:
        return ComponentAmounts(
            self.penalty + other.penalty,
            self.fee + other.fee,
            self.interest + other.interest,
            self.principal + other.principal,
        )

    def __sub__(self, other: ComponentAmounts) -> ComponentAmounts:
        return ComponentAmounts(
            self.penalty - other.penalty,
            self.fee - other.fee,
            self.interest - other.interest,
            self.principal - other.principal,
        )


@dataclass(frozen=True, slots=True)
class InstallmentState:
    """One installment: `due` includes its charges; `paid_off_on` is the value date of the
    payment or waiver that cleared it (None while anything is outstanding or nothing was
    ever due). `waived` is None when nothing of it was waived (and in states recorded
    before waivers existed)."""

    number: int
    due_date: date
    due: ComponentAmounts
    paid: ComponentAmounts
    paid_off_on: date | None
    waived: ComponentAmounts | None = None

    @property
    def outstanding(self) -> ComponentAmounts:
        left = self.due - self.paid
        return left if self.waived is None else left - self.waived

    @property
    def status(self) -> str:
        """pending, partially_paid or paid (overdue is decided by close of business)."""
        if self.due.total > 0 and self.outstanding.total == 0:
            return "paid"
        if self.paid.total > 0:
            return "partially_paid"
        return "pending"


@dataclass(frozen=True, slots=True)
class PaymentResult:
    """How one payment was split. `allocations` plus `credit` equal the payment's amount.

    `schedule_after` is the whole schedule after this payment when it changed it (a
    prepayment recast or a payoff that dropped future interest), else None.
    """

    payment_id: str
    value_date: date
    allocations: tuple[Allocation, ...]
    credit: Decimal
    schedule_after: Schedule | None = None

    @property
    def allocated(self) -> Decimal:
        return sum((item.amount for item in self.allocations), Decimal(0))


@dataclass(frozen=True, slots=True)
class WaiverResult:
    """What one waiver forgave, by installment and component: at most its amount, and
    less when, as the fold now stands, less was outstanding on its value date."""

    waiver_id: str
    value_date: date
    allocations: tuple[Allocation, ...]

    @property
    def waived(self) -> Decimal:
        return sum((item.amount for item in self.allocations), Decimal(0))


@dataclass(frozen=True, slots=True)
class LedgerState:
    """The loan's balances after every payment and charge, in value-date order.

    `charges` are the late fees and crystallised penalty interest the penalty terms
    charged, dated up to the `until` date given (or the last payment). `credit` is what
    payments left over less what was `refunded`; `waived` what waivers forgave.
    `written_off` holds what was outstanding at the write-off date; `recovered` what
    payments after that date paid. `outstanding` is always what is still owed, so
    `outstanding.principal == disbursed - paid.principal` holds with or without a write-off.
    """

    disbursed: Decimal
    schedule: Schedule
    installments: tuple[InstallmentState, ...]
    results: tuple[PaymentResult, ...]
    credit: Decimal
    paid: ComponentAmounts
    outstanding: ComponentAmounts
    written_off: ComponentAmounts | None
    recovered: ComponentAmounts
    charges: tuple[Charge, ...] = ()  # late fees and penalty charged by the penalty terms
    waivers: tuple[WaiverResult, ...] = ()
    waived: ComponentAmounts | None = None
    refunded: Decimal = Decimal(0)

    @property
    def principal_repaid(self) -> Decimal:
        return self.paid.principal

    @property
    def is_fully_repaid(self) -> bool:
        return self.outstanding.total == 0

    @property
    def is_written_off(self) -> bool:
        return self.written_off is not None

    def result(self, payment_id: str) -> PaymentResult:
        for result in self.results:
            if result.payment_id == payment_id:
                return result
        raise KeyError(payment_id)
