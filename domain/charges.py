"""Charges a product levies besides interest: what each is, and what it comes to.

A charge is one of three kinds:

- `disbursement`: once, when the loan is paid out, on the principal. Its `collection`
  says how: `deduct` takes it from the amount paid out (the borrower receives
  principal - fee), `first_installment` adds it to the first installment's fee.
- `installment`: on every installment of the schedule.
- `specified_due_date`: added later by an officer to one installment; the product
  holds its definition and default amount, a loan command applies it.

A charge is either a fixed `amount` or a `percent` of a `basis`:

- `principal`: the loan's principal for a disbursement charge (its only basis), the
  installment's principal otherwise;
- `installment`: the installment's principal plus interest;
- `outstanding`: the balance owed before the installment.

A percentage is rounded to the currency's minor unit by the product's rounding mode,
then held within the optional `min` and `max` (bounds of a percentage only: a fixed
amount is already exact). Fees are never negative.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

from domain.errors import InvalidValue
from domain.model import Immutable
from domain.money import checked_amount
from domain.schedule.installments import Installment
from domain.schedule.rounding import Rounder

HUNDRED = Decimal(100)
PERCENT_PLACES = 4
MAX_CHARGES = 20
CHARGE_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")


class ChargeKind(StrEnum):
    DISBURSEMENT = "disbursement"
    INSTALLMENT = "installment"
    SPECIFIED_DUE_DATE = "specified_due_date"


class ChargeBasis(StrEnum):
    PRINCIPAL = "principal"
    INSTALLMENT = "installment"
    OUTSTANDING = "outstanding"


class Collection(StrEnum):
    DEDUCT = "deduct"
    FIRST_INSTALLMENT = "first_installment"


class Charge(Immutable):
    """One charge as the product defines it; `checked()` refuses any rule it breaks."""

    code: str
    name: str
    kind: ChargeKind
    amount: Decimal | None = None
    percent: Decimal | None = None
    basis: ChargeBasis | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    collection: Collection | None = None

    @property
    def deducted(self) -> bool:
        """Taken from the amount paid out rather than charged on an installment."""
        return self.kind is ChargeKind.DISBURSEMENT and self.collection is Collection.DEDUCT

    def on(self, base: Decimal, money: Rounder) -> Decimal:
        """What the charge comes to on `base` (its basis' amount; a fixed amount ignores
        it), at the minor unit."""
        if self.amount is not None:
            return money(self.amount)
        assert self.percent is not None  # checked: exactly one of amount and percent
        fee = money(max(base, Decimal(0)) * self.percent / HUNDRED)
        if self.min is not None:
            fee = max(fee, money(self.min))
        if self.max is not None:
            fee = min(fee, money(self.max))
        return fee

    def on_installment(self, installment: Installment, money: Rounder) -> Decimal:
        """What an installment or specified-due-date charge comes to on `installment`."""
        return self.on(installment_base(installment, self.basis), money)

    def checked(self, field: str, places: int) -> Charge:
        """This charge with its code normalised and its amounts at `places` decimals;
        `field` (such as "charges.0") prefixes the name of any field it refuses."""
        code = self.code.strip().upper()
        if not CHARGE_CODE.fullmatch(code):
            raise InvalidValue(f"{field}.code", "must be 1 to 32 letters, digits, '-' or '_'")
        if not self.name.strip():
            raise InvalidValue(f"{field}.name", "must not be empty")
        if (self.amount is None) == (self.percent is None):
            raise InvalidValue(f"{field}.amount", "give exactly one of amount and percent")
        update: dict[str, object] = {"code": code, "name": self.name.strip()}
        if self.amount is not None:
            update["amount"] = _positive_amount(self.amount, f"{field}.amount", places)
            for name in ("basis", "min", "max"):
                if getattr(self, name) is not None:
                    raise InvalidValue(f"{field}.{name}", "applies to a percent only")
        else:
            assert self.percent is not None
            update["percent"] = _checked_percent(self.percent, f"{field}.percent")
            update["basis"] = self._checked_basis(field)
            update.update(self._checked_bounds(field, places))
        if self.kind is ChargeKind.DISBURSEMENT and self.collection is None:
            raise InvalidValue(f"{field}.collection", "must be deduct or first_installment")
        if self.kind is not ChargeKind.DISBURSEMENT and self.collection is not None:
            raise InvalidValue(f"{field}.collection", "applies to a disbursement charge only")
        return self.model_copy(update=update)

    def _checked_basis(self, field: str) -> ChargeBasis:
        if self.kind is ChargeKind.DISBURSEMENT:
            if self.basis not in (None, ChargeBasis.PRINCIPAL):
                raise InvalidValue(f"{field}.basis", "a disbursement charge is on the principal")
            return ChargeBasis.PRINCIPAL
        if self.basis is None:
            raise InvalidValue(
                f"{field}.basis", "a percent needs a basis: principal, installment or outstanding"
            )
        return self.basis

    def _checked_bounds(self, field: str, places: int) -> dict[str, Decimal]:
        bounds = {
            name: checked_amount(value, f"{field}.{name}", places)
            for name, value in (("min", self.min), ("max", self.max))
            if value is not None
        }
        if "max" in bounds and bounds["max"] == 0:
            raise InvalidValue(f"{field}.max", "must be positive")
        if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
            raise InvalidValue(f"{field}.min", "must not exceed max")
        return bounds


def checked_charges(charges: Sequence[Charge], places: int) -> tuple[Charge, ...]:
    """Every charge checked (fields named "charges.<index>.<field>"), codes unique."""
    if len(charges) > MAX_CHARGES:
        raise InvalidValue("charges", f"must be at most {MAX_CHARGES}")
    checked = tuple(charge.checked(f"charges.{i}", places) for i, charge in enumerate(charges))
    seen: set[str] = set()
    for i, charge in enumerate(checked):
        if charge.code in seen:
            raise InvalidValue(f"charges.{i}.code", f"repeats charge code {charge.code}")
        seen.add(charge.code)
    return checked


def percentage_fees(charges: Sequence[Charge]) -> tuple[Charge, ...]:
    """The `installment` charges among `charges` that are a percentage of a basis."""
    return tuple(c for c in charges if c.kind is ChargeKind.INSTALLMENT and c.percent is not None)


def percent_fees(charges: Sequence[Charge], installment: Installment, money: Rounder) -> Decimal:
    """What the percentage `installment` charges among `charges` come to on
    `installment`: the part of its fee a recast works out again."""
    return sum(
        (c.on_installment(installment, money) for c in percentage_fees(charges)), money.zero()
    )


def installment_base(installment: Installment, basis: ChargeBasis | None) -> Decimal:
    """The amount of `installment` a percentage of `basis` is taken of."""
    if basis is ChargeBasis.INSTALLMENT:
        return installment.principal + installment.interest
    if basis is ChargeBasis.OUTSTANDING:
        return installment.balance_after + installment.principal
    return installment.principal


def _positive_amount(amount: Decimal, field: str, places: int) -> Decimal:
    checked = checked_amount(amount, field, places)
    if checked == 0:
        raise InvalidValue(field, "must be positive")
    return checked


def _checked_percent(percent: Decimal, field: str) -> Decimal:
    if not percent.is_finite() or not 0 < percent <= HUNDRED:
        raise InvalidValue(field, "must be more than 0 and at most 100")
    exponent = percent.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -PERCENT_PLACES:
        raise InvalidValue(field, f"must have at most {PERCENT_PLACES} decimal places")
    return percent
