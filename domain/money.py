"""Money is Decimal, checked at the door and quantized by explicit rules."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from domain.errors import InvalidValue

ZERO = Decimal("0.00")
ROUNDING_MODES = {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP, "down": ROUND_DOWN}


def minor_unit(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def quantize(amount: Decimal, places: int = 2, rounding: str = "half_even") -> Decimal:
    return amount.quantize(minor_unit(places), rounding=ROUNDING_MODES[rounding])


def checked_amount(amount: Decimal, field: str, places: int = 2) -> Decimal:
    """A non-negative amount with no more decimals than the currency's minor unit."""
    if not amount.is_finite():
        raise InvalidValue(field, "must be a finite decimal")
    if amount < 0:
        raise InvalidValue(field, "must not be negative")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise InvalidValue(field, f"must have at most {places} decimal places")
    return amount.quantize(minor_unit(places))
