"""The demo's rates against the legal ceiling, and the product table it prints.

A product's charges raise what a loan really costs: a service fee deducted from a
three-month loan adds more to its APR than to a two-year one. Officers quote a rate the
law allows, fees included, so a demo loan's drawn rate comes down to the highest whose
APR stays a margin under the ceiling (the contract is dated by the disbursement, which
may move the APR by a few hundredths).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from application.app import LendingApplication
from application.demo.catalog import OFFERS, Offer
from application.schedules import PreviewSchedule, preview_schedule
from domain.schedule import Frequency, Method

MARGIN = Decimal("0.5")  # percentage points kept under the ceiling
QUARTER = Decimal("0.25")  # demo rates are quoted in quarter points


@dataclass(frozen=True)
class Quote:
    """A loan of a demo product, to be paid out on `start`, before its rate is set."""

    offer: Offer
    principal: Decimal
    term: int
    frequency: Frequency
    method: Method
    start: date

    def apr_at(self, app: LendingApplication, rate: Decimal) -> Decimal:
        """Its APR, the product's charges included, at `rate`."""
        terms = {
            "principal": self.principal,
            "term": self.term,
            "frequency": self.frequency,
            "method": self.method,
            "annual_rate_percent": rate,
            "start_date": self.start,
        }
        preview = preview_schedule(app, PreviewSchedule(terms, product_code=self.offer.code))
        return preview.rates.apr


def rate_within_ceiling(app: LendingApplication, quote: Quote, rate: Decimal) -> Decimal:
    """`rate`, or the highest quarter point at or above the product's minimum whose APR
    is within the ceiling less the margin (the minimum if none is)."""
    ceiling = app.policies.credit.legal_ceiling_percent - MARGIN
    lowest = quote.offer.terms.min_rate_percent
    if quote.apr_at(app, rate) <= ceiling:
        return rate
    if quote.apr_at(app, lowest) > ceiling:
        return lowest  # the approval will say why: the fees alone break the ceiling
    # The APR rises with the rate: bisect on quarter points above the minimum.
    low, high = 0, int((rate - lowest) / QUARTER)
    while high - low > 1:
        middle = (low + high) // 2
        if quote.apr_at(app, lowest + middle * QUARTER) <= ceiling:
            low = middle
        else:
            high = middle
    return lowest + low * QUARTER


@dataclass(frozen=True)
class ProductRates:
    """A demo product's nominal rate range beside the APR of a typical loan at each end."""

    code: str
    name: str
    charges: str
    nominal: tuple[Decimal, Decimal]
    apr: tuple[Decimal, Decimal]
    example: str


def product_rates(app: LendingApplication, start: date) -> list[ProductRates]:
    """For each demo product, its shortest typical loan of the median typical size, paid
    out on `start`: the APR at the product's lowest and highest rate."""
    rows = []
    for offer in OFFERS:
        frequency, (shortest, _) = next(iter(offer.terms_by_frequency.items()))
        least, most, step = offer.typical_principal
        principal = Decimal((least + most) // 2 // step * step)
        method = offer.terms.methods[0]
        quote = Quote(offer, principal, shortest, frequency, method, start)
        low, high = offer.terms.min_rate_percent, offer.terms.max_rate_percent
        charges = ", ".join(charge.name for charge in offer.terms.charges) or "none"
        rows.append(
            ProductRates(
                code=offer.code,
                name=offer.terms.name,
                charges=charges,
                nominal=(low, high),
                apr=(quote.apr_at(app, low), quote.apr_at(app, high)),
                example=f"{principal:,} in {shortest} {frequency.value} installments"
                f" ({method.value})",
            )
        )
    return rows
