"""The all-in annual rate, checked against numpy-financial and hand-built cash flows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.schedule import Frequency, Method, ScheduleTerms, generate_schedule
from domain.schedule.apr import AnnualRates, annual_rates
from domain.schedule.dates import due_dates
from domain.schedule.terms import ScheduleError

START = date(2026, 1, 31)


def schedule(principal: str, rate: str, term: int, method: Method = Method.EQUAL_INSTALLMENTS):
    terms = ScheduleTerms(
        principal=Decimal(principal), annual_rate_percent=Decimal(rate), term=term,
        frequency=Frequency.MONTHLY, method=method, start_date=START,
    )  # fmt: skip
    return generate_schedule(terms)


def flows(found, fee_each: Decimal = Decimal(0)) -> list[tuple[date, Decimal]]:
    return [(i.due_date, i.principal + i.interest + fee_each) for i in found.installments]


def by_numpy(received: Decimal, payments: list[tuple[date, Decimal]], periods: int = 12):
    """The periodic IRR from numpy-financial, as the two quoted figures."""
    periodic = npf.irr([-float(received), *(float(amount) for _, amount in payments)])
    apr = Decimal(repr(periodic * periods * 100)).quantize(Decimal("0.01"))
    effective = Decimal(repr(((1 + periodic) ** periods - 1) * 100)).quantize(Decimal("0.01"))
    return apr, effective


def test_a_fee_free_12_percent_annuity_shows_exactly_12() -> None:
    found = schedule("12000.00", "12", 12)
    assert annual_rates(Decimal("12000.00"), START, flows(found), Frequency.MONTHLY) == (
        AnnualRates(apr=Decimal("12.00"), effective_annual_rate=Decimal("12.68"))
    )


def test_a_service_fee_deducted_at_disbursement_raises_the_rate() -> None:
    # 1.5% of 10,000 kept back: the borrower receives 9,850 and repays the whole schedule.
    found = schedule("10000.00", "12", 12)
    received = Decimal("9850.00")
    rates = annual_rates(received, START, flows(found), Frequency.MONTHLY)
    assert (rates.apr, rates.effective_annual_rate) == by_numpy(received, flows(found))
    assert rates.apr == Decimal("14.88")


def test_a_monthly_management_fee_counts_like_interest() -> None:
    found = schedule("20000.00", "9", 24)
    payments = flows(found, fee_each=Decimal("60.00"))  # 0.3% of principal a month
    rates = annual_rates(Decimal("20000.00"), START, payments, Frequency.MONTHLY)
    assert (rates.apr, rates.effective_annual_rate) == by_numpy(Decimal("20000.00"), payments)
    assert Decimal("15") < rates.apr < Decimal("16")


def test_a_flat_rate_loan_costs_nearly_twice_its_nominal_rate() -> None:
    found = schedule("12000.00", "12", 12, Method.FLAT)
    rates = annual_rates(Decimal("12000.00"), START, flows(found), Frequency.MONTHLY)
    assert (rates.apr, rates.effective_annual_rate) == by_numpy(Decimal("12000.00"), flows(found))
    assert rates.apr == Decimal("21.46")  # npf.rate(12, -1120, 12000, 0) x 12


def test_a_zero_rate_loan_with_a_fee_is_not_free() -> None:
    found = schedule("6000.00", "0", 6)
    received = Decimal("5700.00")  # a 300 service fee deducted
    rates = annual_rates(received, START, flows(found), Frequency.MONTHLY)
    assert rates.apr == by_numpy(received, flows(found))[0]
    assert rates.apr == Decimal("17.83")
    assert annual_rates(Decimal("6000.00"), START, flows(found), Frequency.MONTHLY).apr == 0


def xirr_by_hand(received: float, payments: list[tuple[date, Decimal]]) -> float:
    """The annual rate at which the payments, discounted over actual days / 365, are
    worth what was received: plain bisection in floats."""
    low, high = -0.99, 10.0
    for _ in range(200):
        annual = (low + high) / 2
        worth = sum(float(a) / (1 + annual) ** ((d - START).days / 365) for d, a in payments)
        low, high = (annual, high) if worth > received else (low, annual)
    return (low + high) / 2


def test_irregular_dates_are_counted_in_days() -> None:
    """A first payment 45 days out is not one period: the rate is solved on days."""
    payments = [(START + timedelta(days=45), Decimal("5100.00")),
                (START + timedelta(days=76), Decimal("5050.00"))]  # fmt: skip
    rates = annual_rates(Decimal("10000.00"), START, payments, Frequency.MONTHLY)
    annual = xirr_by_hand(10000.0, payments)
    periodic = (1 + annual) ** (1 / 12) - 1
    assert float(rates.apr) == pytest.approx(periodic * 12 * 100, abs=0.006)
    assert float(rates.effective_annual_rate) == pytest.approx(annual * 100, abs=0.006)


@settings(max_examples=60, deadline=None)
@given(
    principal=st.integers(1_000, 1_000_000),
    rate=st.integers(0, 36),
    term=st.integers(1, 60),
    fee_per_mille=st.integers(0, 50),
)
def test_the_rate_agrees_with_numpy_financial(
    principal: int, rate: int, term: int, fee_per_mille: int
) -> None:
    found = schedule(f"{principal}.00", str(rate), term)
    received = Decimal(principal) * (1000 - fee_per_mille) / 1000
    rates = annual_rates(received, START, flows(found), Frequency.MONTHLY)
    apr, effective = by_numpy(received, flows(found))
    assert abs(rates.apr - apr) <= Decimal("0.01")
    assert abs(rates.effective_annual_rate - effective) <= Decimal("0.01")


def test_the_dates_of_a_regular_schedule_are_the_frequencys() -> None:
    found = schedule("1000.00", "12", 3)
    assert [i.due_date for i in found.installments] == due_dates(START, Frequency.MONTHLY, 3)


@pytest.mark.parametrize(
    ("received", "payments", "field"),
    [
        (Decimal(0), [(date(2026, 2, 28), Decimal(1))], "received"),
        (Decimal(100), [], "payments"),
        (Decimal(100), [(date(2026, 2, 28), Decimal(-1))], "payments"),
    ],
)
def test_cash_flows_without_a_rate_are_refused(received, payments, field) -> None:
    with pytest.raises(ScheduleError) as refused:
        annual_rates(received, START, payments, Frequency.MONTHLY)
    assert refused.value.field == field
