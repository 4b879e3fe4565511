"""Input checks: bad input raises `InvalidValue` before any allocation is worked out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from domain.errors import InvalidValue
from domain.ledger.model import (
    CHARGE_COMPONENTS,
    WAIVABLE,
    AdvancePayment,
    Charge,
    Component,
    Entry,
    Payment,
    Refund,
    Traversal,
    Waiver,
)
from domain.money import checked_amount
from domain.schedule import Method, Schedule, ScheduleTerms


def checked_order(order: Sequence[Component]) -> tuple[Component, ...]:
    try:
        components = tuple(Component(str(item)) for item in order)
    except ValueError:
        raise InvalidValue("order", "must list penalty, fee, interest, principal") from None
    if sorted(components) != sorted(Component):
        raise InvalidValue("order", "must list each of penalty, fee, interest, principal once")
    return components


def checked_traversal(traversal: Traversal | str) -> Traversal:
    try:
        return Traversal(str(traversal))
    except ValueError:
        raise InvalidValue("traversal", "must be horizontal or vertical") from None


def checked_advance(advance: AdvancePayment | str) -> AdvancePayment:
    try:
        return AdvancePayment(str(advance))
    except ValueError:
        names = ", ".join(item.value for item in AdvancePayment)
        raise InvalidValue("advance_payment", f"must be one of {names}") from None


def sorted_payments(payments: Sequence[Payment], places: int) -> list[Payment]:
    """The payments in application order, each amount quantized to the minor unit."""
    _unique_ids([payment.id for payment in payments], "payments")
    checked = [
        Payment(
            payment.id,
            _positive(payment.amount, f"payments[{payment.id}].amount", places),
            payment.value_date,
            payment.sequence,
            payment.prepayment,
        )
        for payment in payments
    ]
    return sorted(checked, key=lambda payment: (payment.value_date, payment.sequence, payment.id))


def sorted_entries(
    payments: Sequence[Payment], waivers: Sequence[Waiver], refunds: Sequence[Refund], places: int
) -> list[Entry]:
    """Payments, waivers and refunds in the order the fold takes them: (value_date,
    sequence, id), each amount quantized to the minor unit."""
    entries: list[Entry] = list(sorted_payments(payments, places))
    _unique_ids([waiver.id for waiver in waivers], "waivers")
    for waiver in waivers:
        field = f"waivers[{waiver.id}]"
        if waiver.component not in WAIVABLE:
            raise InvalidValue(f"{field}.component", "must be fee, penalty or interest")
        number = waiver.installment
        if number is not None and (isinstance(number, bool) or number < 1):
            raise InvalidValue(f"{field}.installment", "must be an installment number")
        amount = _positive(waiver.amount, f"{field}.amount", places)
        entries.append(replace(waiver, amount=amount))
    _unique_ids([refund.id for refund in refunds], "refunds")
    for refund in refunds:
        amount = _positive(refund.amount, f"refunds[{refund.id}].amount", places)
        entries.append(replace(refund, amount=amount))
    return sorted(entries, key=lambda entry: (entry.value_date, entry.sequence, entry.id))


def sorted_charges(charges: Sequence[Charge], places: int) -> list[Charge]:
    _unique_ids([charge.id for charge in charges], "charges")
    checked = []
    for charge in charges:
        field = f"charges[{charge.id}]"
        if charge.component not in CHARGE_COMPONENTS:
            raise InvalidValue(f"{field}.component", "must be fee or penalty")
        if isinstance(charge.installment, bool) or charge.installment < 1:
            raise InvalidValue(f"{field}.installment", "must be an installment number")
        amount = _positive(charge.amount, f"{field}.amount", places)
        checked.append(
            Charge(charge.installment, charge.component, amount, charge.value_date, charge.id)
        )
    return sorted(checked, key=lambda charge: (charge.value_date, charge.id))


def check_schedule(terms: ScheduleTerms, schedule: Schedule) -> None:
    """The schedule recorded at disbursement must fit the contract it came from."""
    items = schedule.installments
    if len(items) != _installment_count(terms):
        raise InvalidValue("schedule", f"must have {_installment_count(terms)} installments")
    previous = terms.start_date
    for number, item in enumerate(items, start=1):
        if item.number != number or item.due_date <= previous:
            raise InvalidValue("schedule", "installments must be numbered and dated in order")
        checked_amount(item.principal, "schedule.principal", terms.minor_unit)
        checked_amount(item.interest, "schedule.interest", terms.minor_unit)
        checked_amount(item.fee, "schedule.fee", terms.minor_unit)
        previous = item.due_date
    if schedule.total_principal != terms.principal:
        raise InvalidValue("schedule", "principal must add up to the disbursed principal")


def _installment_count(terms: ScheduleTerms) -> int:
    if terms.method == Method.BULLET:
        return 1
    if terms.method == Method.INTEREST_ONLY:
        return math.ceil(terms.term / terms.interest_only_every)
    return terms.term


def _positive(amount: object, field: str, places: int) -> Decimal:
    if not isinstance(amount, Decimal):
        raise InvalidValue(field, "must be a Decimal")
    checked = checked_amount(amount, field, places)
    if checked == 0:
        raise InvalidValue(field, "must be positive")
    return checked


def _unique_ids(ids: list[str], field: str) -> None:
    if len(set(ids)) != len(ids):
        raise InvalidValue(field, "ids must be unique")
