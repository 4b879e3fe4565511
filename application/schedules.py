"""Schedule previews: what a loan would repay, its fees and its all-in rate, unwritten.

A preview is asked for with its own charges and rounding, or with a product's code:
then the product's rules (charges, rounding, day count, interest calculation,
installment multiple, odd-period interest, currency) apply, and its limits refuse
figures it does not offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.app import LendingApplication
from application.products import find_product
from domain.charges import Charge, checked_charges
from domain.errors import InvalidValue, NotFound
from domain.schedule import ScheduleError, ScheduleTerms
from domain.schedule.apr import AnnualRates
from domain.schedule.fees import ChargedSchedule, charged_schedule

# The fields a product decides: a preview of the product may not set them.
PRODUCT_RULES = (
    "rounding", "day_count", "interest_calculation", "installment_multiple",
    "odd_period_interest",
)  # fmt: skip


@dataclass(frozen=True)
class PreviewSchedule:
    """`terms` holds the ScheduleTerms fields sent (those left out keep their defaults)."""

    terms: dict[str, Any]
    charges: tuple[Charge, ...] = ()
    product_code: str | None = None


@dataclass(frozen=True)
class Preview:
    charged: ChargedSchedule
    rates: AnnualRates


def preview_schedule(app: LendingApplication, request: PreviewSchedule) -> Preview:
    fields, charges = dict(request.terms), request.charges
    if request.product_code is None:
        charges = checked_charges(charges, fields.get("minor_unit", 2))
    else:
        fields, charges = _product_rules(app, request)
    try:
        terms = ScheduleTerms(**fields)
        charged = charged_schedule(terms, charges)
        return Preview(charged, charged.annual_rates(terms.start_date, terms.frequency))
    except ScheduleError as error:
        raise InvalidValue(error.field, error.message) from None


def _product_rules(
    app: LendingApplication, request: PreviewSchedule
) -> tuple[dict[str, Any], tuple[Charge, ...]]:
    if request.charges:
        raise InvalidValue("charges", "are the product's: leave them out with product_code")
    for name in PRODUCT_RULES:
        if name in request.terms:
            raise InvalidValue(name, "is the product's: leave it out with product_code")
    try:
        product = find_product(app, request.product_code or "")
    except NotFound:
        raise InvalidValue("product_code", "no product has this code") from None
    fields = request.terms
    principal = product.check_application(
        fields["principal"], fields["term"], fields["frequency"], fields["method"],
        fields["annual_rate_percent"],
    )  # fmt: skip
    rules = product.terms
    return fields | {
        "principal": principal,
        "rounding": rules.rounding,
        "day_count": rules.day_count,
        "interest_calculation": rules.interest_calculation,
        "installment_multiple": rules.installment_multiple,
        "odd_period_interest": rules.odd_period_interest,
        "minor_unit": product.minor_unit,
    }, rules.charges
