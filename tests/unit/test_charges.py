"""Product charges: what each kind comes to on a schedule, and the rules a charge keeps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.charges import Charge, checked_charges
from domain.errors import InvalidValue
from domain.schedule import (
    Frequency,
    Method,
    Rounder,
    Rounding,
    Schedule,
    ScheduleTerms,
    generate_schedule,
)
from domain.schedule.fees import charge_schedule

D = Decimal
CNY = Rounder.of(2, Rounding.HALF_EVEN)
START = date(2026, 1, 31)


def charge(**fields: Any) -> Charge:
    """A charge as a product would hold it, checked at two decimal places."""
    return Charge(**{"code": "FEE", "name": "Fee", **fields}).checked("charges.0", 2)


def textbook(principal: str = "10000.00", method: Method = Method.EQUAL_INSTALLMENTS) -> Schedule:
    """10,000 at 12% over 12 months: installment 1 is 788.49 principal + 100.00 interest."""
    terms = ScheduleTerms(
        principal=D(principal), annual_rate_percent=D(12), term=12,
        frequency=Frequency.MONTHLY, method=method, start_date=START,
    )  # fmt: skip
    return generate_schedule(terms)


def fees(*charges: Charge) -> list[Decimal]:
    return [i.fee for i in charge_schedule(textbook(), charges, CNY).schedule.installments]


def test_a_fixed_installment_fee_is_on_every_installment_and_in_its_total() -> None:
    charged = charge_schedule(textbook(), [charge(kind="installment", amount=D(15))], CNY)
    assert all(i.fee == D("15.00") for i in charged.schedule.installments)
    first = charged.schedule.installments[0]
    assert first.total == D("788.49") + D("100.00") + D("15.00")
    assert charged.total_fees == D("180.00")
    assert charged.received == D("10000.00")


@pytest.mark.parametrize(
    ("basis", "first", "second"),
    [
        # 1% of 788.49 and of 796.37 (the second installment's principal)
        ("principal", "7.88", "7.96"),
        # 1% of 888.49, the level installment
        ("installment", "8.88", "8.88"),
        # 1% of the balance owed before: 10,000.00, then 9,211.51
        ("outstanding", "100.00", "92.12"),
    ],
)
def test_a_percentage_of_each_basis(basis: str, first: str, second: str) -> None:
    found = fees(charge(kind="installment", percent=D(1), basis=basis))
    assert found[:2] == [D(first), D(second)]


@pytest.mark.parametrize(
    ("rounding", "on_1001", "on_1003"),
    [
        (Rounding.HALF_EVEN, "5.00", "5.02"),
        (Rounding.HALF_UP, "5.01", "5.02"),
        (Rounding.DOWN, "5.00", "5.01"),
    ],
)
def test_a_percentage_is_rounded_by_the_product_rule(
    rounding: Rounding, on_1001: str, on_1003: str
) -> None:
    # 0.5% of 1,001.00 is 5.005 exactly, of 1,003.00 5.015.
    half = charge(kind="installment", percent=D("0.5"), basis="principal")
    money = Rounder.of(2, rounding)
    assert (half.on(D("1001.00"), money), half.on(D("1003.00"), money)) == (
        D(on_1001),
        D(on_1003),
    )


def test_yen_charges_have_no_decimals() -> None:
    yen = Charge(code="svc", name="Service", kind="disbursement", percent=D("1.5"),
                 collection="deduct").checked("charges.0", 0)  # fmt: skip
    # 1.5% of 12,345 is 185.175
    assert yen.on(D(12345), Rounder.of(0, Rounding.HALF_EVEN)) == D(185)


def test_min_and_max_hold_a_percentage_within_bounds() -> None:
    bounded = charge(kind="installment", percent=D(1), basis="principal", min=D(5), max=D(300))
    assert bounded.on(D(100), CNY) == D("5.00")
    assert bounded.on(D(100000), CNY) == D("300.00")
    assert bounded.on(D(20000), CNY) == D("200.00")
    # Even an installment without principal pays the minimum.
    assert bounded.on(D(0), CNY) == D("5.00")


def test_a_deducted_disbursement_fee_lowers_what_the_borrower_receives() -> None:
    service = charge(kind="disbursement", percent=D("1.5"), collection="deduct")
    charged = charge_schedule(textbook(), [service], CNY)
    assert charged.deducted == D("150.00")
    assert charged.received == D("9850.00")
    assert all(i.fee == 0 for i in charged.schedule.installments)
    assert charged.total_fees == D("150.00")


def test_a_disbursement_fee_on_the_first_installment_is_paid_there() -> None:
    service = charge(kind="disbursement", amount=D(200), collection="first_installment")
    monthly = charge(code="MGMT", kind="installment", amount=D(10))
    charged = charge_schedule(textbook(), [service, monthly], CNY)
    assert [i.fee for i in charged.schedule.installments[:3]] == [D("210.00"), D(10), D(10)]
    assert charged.received == D("10000.00")
    assert charged.total_fees == D("320.00")


def test_a_specified_due_date_charge_waits_for_an_officer() -> None:
    visit = charge(kind="specified_due_date", amount=D(80))
    assert fees(visit) == [D("0.00")] * 12


def test_a_fee_free_schedule_keeps_the_12_percent_apr() -> None:
    charged = charge_schedule(textbook(), [], CNY)
    rates = charged.annual_rates(START, Frequency.MONTHLY)
    assert (rates.apr, rates.effective_annual_rate) == (D("12.00"), D("12.68"))


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "installment", "percent": D(0), "basis": "principal"}, "charges.0.percent"),
        ({"kind": "installment", "percent": D("100.5"), "basis": "principal"},
         "charges.0.percent"),
        ({"kind": "installment", "percent": D("1.00001"), "basis": "principal"},
         "charges.0.percent"),
        ({"kind": "installment", "amount": D(0)}, "charges.0.amount"),
        ({"kind": "installment", "amount": D(-5)}, "charges.0.amount"),
        ({"kind": "installment", "amount": D("1.234")}, "charges.0.amount"),
        ({"kind": "installment"}, "charges.0.amount"),
        ({"kind": "installment", "amount": D(1), "percent": D(1)}, "charges.0.amount"),
        ({"kind": "installment", "amount": D(1), "basis": "principal"}, "charges.0.basis"),
        ({"kind": "installment", "amount": D(1), "max": D(5)}, "charges.0.max"),
        ({"kind": "installment", "percent": D(1)}, "charges.0.basis"),
        ({"kind": "installment", "percent": D(1), "basis": "principal", "min": D(9),
          "max": D(5)}, "charges.0.min"),
        ({"kind": "installment", "percent": D(1), "basis": "principal", "min": D(-1)},
         "charges.0.min"),
        ({"kind": "installment", "percent": D(1), "basis": "principal", "max": D(0)},
         "charges.0.max"),
        ({"kind": "installment", "amount": D(1), "collection": "deduct"}, "charges.0.collection"),
        ({"kind": "disbursement", "amount": D(1)}, "charges.0.collection"),
        ({"kind": "disbursement", "percent": D(1), "basis": "outstanding",
          "collection": "deduct"}, "charges.0.basis"),
        ({"kind": "installment", "amount": D(1), "code": "two words"}, "charges.0.code"),
        ({"kind": "installment", "amount": D(1), "name": "  "}, "charges.0.name"),
    ],
)  # fmt: skip
def test_a_charge_breaking_a_rule_is_refused_naming_the_field(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        charge(**fields)
    assert refused.value.field == field


def test_yen_amounts_refuse_decimals() -> None:
    with pytest.raises(InvalidValue) as refused:
        Charge(code="x", name="X", kind="installment", amount=D("1.5")).checked("charges.3", 0)
    assert refused.value.field == "charges.3.amount"


def test_charge_codes_are_unique_in_any_case() -> None:
    first = Charge(code="svc", name="Service", kind="installment", amount=D(1))
    again = Charge(code="SVC", name="Service again", kind="installment", amount=D(2))
    assert checked_charges([first], 2)[0].code == "SVC"
    with pytest.raises(InvalidValue) as refused:
        checked_charges([first, again], 2)
    assert refused.value.field == "charges.1.code"


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        Charge(code="x", name="X", kind="monthly", amount=D(1))


# Properties: whatever the schedule and charges, fees are never negative and add up.

amounts = st.decimals(min_value=D("0.01"), max_value=D(5000), places=2)
percents = st.decimals(min_value=D("0.0001"), max_value=D(100), places=4)
# Built once: a strategy made afresh in every example is validated afresh, at a cost.
bounds = st.none() | amounts
kinds = st.sampled_from(["disbursement", "installment", "specified_due_date"])
collections = st.sampled_from(["deduct", "first_installment"])
bases = st.sampled_from(["principal", "installment", "outstanding"])
roundings = st.sampled_from(list(Rounding))
frequencies = st.sampled_from(list(Frequency))
methods = st.sampled_from(list(Method))
principals = st.decimals(min_value=D(100), max_value=D(1000000), places=2)
rates = st.decimals(min_value=D(0), max_value=D(36), places=2)


@st.composite
def product_charge(draw: st.DrawFn, code: str) -> Charge:
    kind = draw(kinds)
    fields: dict[str, Any] = {"code": code, "name": code, "kind": kind}
    if kind == "disbursement":
        fields["collection"] = draw(collections)
    if draw(st.booleans()):
        fields["amount"] = draw(amounts)
    else:
        fields["percent"] = draw(percents)
        if kind != "disbursement":
            fields["basis"] = draw(bases)
        low = draw(bounds)
        high = draw(bounds)
        if low is not None and high is not None and low > high:
            low, high = high, low
        fields |= {"min": low, "max": high}
    return Charge(**fields).checked("charges.0", 2)


@st.composite
def charged_loans(draw: st.DrawFn) -> tuple[ScheduleTerms, list[Charge], Rounding]:
    rounding = draw(roundings)
    terms = ScheduleTerms(
        principal=draw(principals),
        annual_rate_percent=draw(rates),
        term=draw(st.integers(min_value=1, max_value=36)),
        frequency=draw(frequencies),
        method=draw(methods),
        start_date=START,
        rounding=rounding,
    )
    count = draw(st.integers(min_value=0, max_value=4))
    return terms, [draw(product_charge(f"C{n}")) for n in range(count)], rounding


@settings(max_examples=300, deadline=None)
@given(charged_loans())
def test_fees_are_never_negative_and_add_up(loan: tuple[ScheduleTerms, list[Charge], Rounding]):
    terms, charges, rounding = loan
    money = Rounder.of(2, rounding)
    schedule = generate_schedule(terms)
    charged = charge_schedule(schedule, charges, money)
    installments = charged.schedule.installments
    assert all(i.fee >= 0 and i.fee == money(i.fee) for i in installments)
    assert charged.deducted >= 0
    assert charged.total_fees == sum((i.fee for i in installments), D(0)) + charged.deducted
    for before, after in zip(schedule.installments, installments, strict=True):
        assert (after.principal, after.interest) == (before.principal, before.interest)
        assert after.total == after.principal + after.interest + after.fee
    for one in charges:
        alone = charge_schedule(schedule, [one], money)
        on_each = [i.fee for i in alone.schedule.installments]
        if one.kind == "specified_due_date":
            assert set(on_each) == {0}
            continue
        found = on_each if one.kind == "installment" else [alone.deducted + on_each[0]]
        for fee in found:
            assert one.amount is None or fee == one.amount
            assert one.min is None or fee >= one.min
            assert one.max is None or fee <= one.max
