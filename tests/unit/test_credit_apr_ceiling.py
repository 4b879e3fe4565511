"""The legal ceiling caps the all-in rate: the price is lowered until the APR is within it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.charges import Charge
from domain.credit import CreditPolicy
from domain.credit.pricing import RATE_UNIT, price
from domain.schedule import Frequency, Method, ScheduleTerms
from domain.schedule.fees import charged_schedule

D = Decimal
START = date(2026, 3, 1)
CEILING_24 = CreditPolicy(base_rate_percent=D(15), legal_ceiling_percent=D(24))


def service(percent: str) -> Charge:
    return Charge(code="svc", name="Service fee", kind="disbursement", percent=D(percent),
                  collection="deduct").checked("charges.0", 2)  # fmt: skip


def monthly(amount: str) -> Charge:
    return Charge(code="mgmt", name="Account fee", kind="installment",
                  amount=D(amount)).checked("charges.1", 2)  # fmt: skip


def apr_of(
    *charges: Charge, principal: str = "20000.00", term: int = 36
) -> Callable[[Decimal], Decimal]:
    def apr_at(rate: Decimal) -> Decimal:
        terms = ScheduleTerms(
            principal=D(principal), annual_rate_percent=rate, term=term,
            frequency=Frequency.MONTHLY, method=Method.EQUAL_INSTALLMENTS, start_date=START,
        )  # fmt: skip
        return charged_schedule(terms, charges).annual_rates(START, Frequency.MONTHLY).apr

    return apr_at


def test_without_fees_the_apr_is_the_rate() -> None:
    priced = price(CreditPolicy(), "C", 24, "monthly", D(6), D("18.5"), apr_of(term=24))
    assert (priced.rate_percent, priced.apr_percent, priced.clamped_by) == (
        D("8.5"), D("8.50"), None,
    )  # fmt: skip
    # At the ceiling itself a fee-free loan stays there.
    capped = price(CEILING_24, "E", 36, "monthly", D(6), D(36), apr_of())
    assert (capped.rate_percent, capped.apr_percent, capped.clamped_by) == (
        D(24), D("24.00"), "legal_ceiling",
    )  # fmt: skip


def test_fees_lower_the_rate_until_the_apr_is_within_the_ceiling() -> None:
    apr_at = apr_of(service("3"), monthly("20"))
    assert apr_at(D(24)) > 24
    priced = price(CEILING_24, "E", 36, "monthly", D(6), D(36), apr_at)
    assert priced.clamped_by == "legal_ceiling_apr"
    assert priced.unclamped_percent == D(28)
    assert D(19) < priced.rate_percent < D(21)  # 19.7933
    assert priced.apr_percent == apr_at(priced.rate_percent) <= 24
    # The highest such rate: one step more and the APR is over.
    assert apr_at(priced.rate_percent + RATE_UNIT) > 24


def test_a_price_within_the_ceiling_with_its_fees_is_left_alone() -> None:
    apr_at = apr_of(monthly("5"))
    priced = price(CreditPolicy(), "B", 36, "monthly", D(6), D(24), apr_at)
    assert (priced.rate_percent, priced.clamped_by) == (D("7.0"), None)
    assert D(7) < priced.apr_percent < D(24)


def test_fees_that_alone_break_the_ceiling_leave_the_rate_at_zero() -> None:
    apr_at = apr_of(service("30"), term=12)
    priced = price(CEILING_24, "A", 12, "monthly", D(0), D(36), apr_at)
    assert (priced.rate_percent, priced.clamped_by) == (D(0), "legal_ceiling_apr")
    assert priced.apr_percent > 24


@settings(max_examples=60, deadline=None)
@given(
    base=st.decimals(min_value=0, max_value=40, places=1),
    fee=st.decimals(min_value=D("0.1"), max_value=D(8), places=1),
    account=st.decimals(min_value=0, max_value=50, places=0),
    term=st.integers(min_value=3, max_value=36),
)
def test_the_priced_apr_is_never_over_the_ceiling_unless_the_rate_is_zero(
    base: Decimal, fee: Decimal, account: Decimal, term: int
) -> None:
    charges = [service(str(fee)), *([monthly(str(account))] if account else [])]
    apr_at = apr_of(*charges, principal="10000.00", term=term)
    policy = CreditPolicy(base_rate_percent=base, legal_ceiling_percent=D(24))
    priced = price(policy, "C", term, "monthly", D(0), D(100), apr_at)
    assert priced.apr_percent == apr_at(priced.rate_percent)
    if priced.clamped_by == "legal_ceiling_apr":
        assert priced.rate_percent == 0 or apr_at(priced.rate_percent + RATE_UNIT) > 24
        assert priced.rate_percent == 0 or priced.apr_percent <= 24
    else:
        assert priced.apr_percent <= 24
