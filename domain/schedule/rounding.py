"""Rounding money to the currency's minor unit, and the level installment to a multiple."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)

from domain.schedule.terms import Rounding

# Rate arithmetic stays unrounded until an amount is quantized; 34 digits (IEEE decimal128)
# keeps a 360-period annuity factor exact to far below a cent. Built once: entering
# `localcontext` copies it, so callers' contexts are neither used nor changed.
CALCULATION_CONTEXT = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)

DECIMAL_ROUNDING = {
    Rounding.HALF_EVEN: ROUND_HALF_EVEN,
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.DOWN: ROUND_DOWN,
}

_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Rounder:
    """Quantizes amounts to `unit` (0.01 for two minor-unit places) with one rounding mode."""

    unit: Decimal
    mode: str

    @classmethod
    def of(cls, minor_unit: int, rounding: Rounding) -> Rounder:
        return cls(_ONE.scaleb(-minor_unit), DECIMAL_ROUNDING[rounding])

    def __call__(self, amount: Decimal) -> Decimal:
        return amount.quantize(self.unit, rounding=self.mode)

    def to_multiple(self, amount: Decimal, multiple: Decimal) -> Decimal:
        """`amount` rounded to a multiple of `multiple` (then to the minor unit)."""
        units = (amount / multiple).quantize(_ONE, rounding=self.mode)
        return self(units * multiple)

    def zero(self) -> Decimal:
        return self(Decimal(0))
