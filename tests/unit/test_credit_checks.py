"""Intake checks: each one firing and not, with the inputs and threshold it records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.borrower import Borrower, BorrowerKind, Profile
from domain.credit import Activity, Affordability, CreditPolicy, Result
from domain.credit import checks as check
from tests.support.people import TEA_SHOP_CODE, resident_id

ON = date(2030, 1, 1)
POLICY = CreditPolicy()
D = Decimal


def person(born: str = "19850312", **profile: Any) -> Borrower:
    fields = {
        "name": "Wang Fang", "phone": "+8613800138000", "address": "12 Tea Garden Road",
        "region": "Hubei", "monthly_income": D("8500.00"),
    } | profile  # fmt: skip
    return Borrower.register(
        actor="officer.zhang",
        kind=BorrowerKind.INDIVIDUAL,
        id_number=resident_id(f"420106{born}004"),
        profile=Profile(**fields),
    )


def shop(**profile: Any) -> Borrower:
    fields = {
        "name": "Wuhan Spring Tea Shop", "phone": "+8613912345678", "address": "3 Market St",
        "region": "Hubei", "monthly_income": D("15000.00"), "annual_sales": D("900000.00"),
        "margin_percent": D("22.5"),
    } | profile  # fmt: skip
    return Borrower.register(
        actor="officer.zhang", kind=BorrowerKind.BUSINESS, id_number=TEA_SHOP_CODE,
        profile=Profile(**fields),
    )  # fmt: skip


def test_identity_needs_name_id_phone_address_and_a_business_its_sales() -> None:
    assert check.identity(person()).result is Result.PASS
    no_address = check.identity(person(address=""))
    assert (no_address.result, no_address.hard) == (Result.FAIL, True)
    assert no_address.inputs["missing"] == "address"
    assert no_address.detail == "missing address"
    assert check.identity(shop()).result is Result.PASS
    no_sales = check.identity(shop(annual_sales=None, address=" "))
    assert no_sales.result is Result.FAIL
    assert no_sales.inputs["missing"] == "address, annual_sales"
    assert "annual_sales" in no_sales.threshold


@pytest.mark.parametrize(
    ("born", "result", "years"),
    [
        ("20120102", Result.FAIL, 17),  # 18 tomorrow
        ("20120101", Result.PASS, 18),  # 18 today
        ("19640102", Result.PASS, 65),  # 66 tomorrow
        ("19640101", Result.FAIL, 66),  # 66 today
    ],
)
def test_age_is_counted_in_whole_years_on_the_business_date(
    born: str, result: Result, years: int
) -> None:
    found = check.age(person(born), ON, 18, 65)
    assert (found.result, found.inputs["age"], found.inputs["as_of"]) == (
        result,
        str(years),
        "2030-01-01",
    )
    assert found.threshold == "18 to 65 years"


def test_age_bounds_come_from_the_product_and_skip_a_business() -> None:
    assert check.age(person(), ON, 18, 40).detail == "aged 44, over the product's maximum 40"
    assert check.age(person(), ON, 45, 70).detail == "aged 44, under the product's minimum 45"
    assert check.age(shop(), ON, 18, 65).result is Result.PASS


def test_a_blacklisted_borrower_fails_until_the_blacklist_is_lifted() -> None:
    borrower = person()
    assert check.blacklist(borrower).result is Result.PASS
    borrower.blacklist(actor="risk.ma", reason="forged payslips", on=date(2029, 6, 1))
    found = check.blacklist(borrower)
    assert (found.result, found.detail) == (
        Result.FAIL,
        "blacklisted since 2029-06-01: forged payslips",
    )
    assert found.inputs == {
        "blacklisted": "true", "reason": "forged payslips", "since": "2029-06-01", "by": "risk.ma",
    }  # fmt: skip
    borrower.lift_blacklist(actor="risk.ma", reason="payslips verified", on=date(2029, 7, 1))
    assert check.blacklist(borrower).result is Result.PASS


def test_a_loan_written_off_fails_the_application() -> None:
    assert check.written_off(()).result is Result.PASS
    found = check.written_off(("loan-1",))
    assert (found.result, found.inputs["written_off_loans"]) == (Result.FAIL, "loan-1")


def activity(by_id: int = 1, by_phone: int = 1, others: int = 0) -> Activity:
    return Activity(
        since=date(2029, 12, 3),
        by_id_number=by_id,
        by_phone=by_phone,
        other_borrowers_with_phone=others,
        read_position=40,
    )


@pytest.mark.parametrize(
    ("by_id", "by_phone", "result"),
    [(2, 2, Result.PASS), (3, 3, Result.FLAG), (1, 3, Result.FLAG), (2, 1, Result.PASS)],
)
def test_three_applications_in_thirty_days_by_id_number_or_phone_flag(
    by_id: int, by_phone: int, result: Result
) -> None:
    found = check.application_velocity(activity(by_id, by_phone), POLICY)
    assert (found.result, found.hard) == (result, False)
    assert found.inputs["read_position"] == "40"


def test_the_velocity_threshold_is_configurable() -> None:
    strict = CreditPolicy(applications_flag_at=2)
    assert check.application_velocity(activity(2, 2), strict).result is Result.FLAG


def test_a_phone_shared_with_another_borrower_flags() -> None:
    assert check.shared_phone(activity(others=0), POLICY).result is Result.PASS
    shared = check.shared_phone(activity(others=2), POLICY)
    assert (shared.result, shared.detail) == (
        Result.FLAG,
        "the phone is shared with 2 other borrower(s)",
    )
    lenient = CreditPolicy(other_borrowers_per_phone_flag_at=3)
    assert check.shared_phone(activity(others=2), lenient).result is Result.PASS


@pytest.mark.parametrize(
    ("requested", "existing", "income", "result"),
    [
        ("3000.00", "1250.00", "8500.00", Result.PASS),  # exactly 50%
        ("3000.00", "1250.01", "8500.00", Result.FLAG),
        ("1066.19", "0.00", "0.00", Result.FLAG),  # no income to carry it
    ],
)
def test_debt_to_income_above_half_the_income_flags(
    requested: str, existing: str, income: str, result: Result
) -> None:
    found = check.debt_to_income(Affordability(
        requested_installment=D(requested), existing_installments=D(existing),
        monthly_income=D(income), max_percent=D(50),
    ))  # fmt: skip
    assert found.result is result
    assert found.threshold == "at most 50% of monthly income"


def test_debt_to_income_records_its_ratio() -> None:
    found = check.debt_to_income(Affordability(
        requested_installment=D("1066.19"), existing_installments=D("500.00"),
        monthly_income=D("8500.00"), max_percent=D(50),
    ))  # fmt: skip
    # (1066.19 + 500.00) / 8500.00 = 0.184257...
    assert found.inputs["debt_to_income"] == "0.1843"
    assert found.detail == "debt-to-income 18.43%"


def test_an_individual_borrowing_over_two_years_income_flags() -> None:
    # 8,500 a month is 102,000 a year: two years is 204,000.
    assert check.income_consistency(person(), D("204000.00"), POLICY).result is Result.PASS
    found = check.income_consistency(person(), D("204000.01"), POLICY)
    assert (found.result, found.inputs["annual_income"]) == (Result.FLAG, "102000.00")


def test_a_business_earning_more_than_its_sales_allow_flags() -> None:
    # 900,000 a year at a 22.5% margin yields 16,875.00 a month.
    assert check.income_consistency(shop(), D("30000"), POLICY).result is Result.PASS
    found = check.income_consistency(shop(monthly_income=D("16875.01")), D("30000"), POLICY)
    assert (found.result, found.inputs["ceiling"]) == (Result.FLAG, "16875.00")
    # Without a margin, the income may be at most the monthly sales: 75,000.00.
    no_margin = shop(monthly_income=D("75000.00"), margin_percent=None)
    assert check.income_consistency(no_margin, D("30000"), POLICY).result is Result.PASS
    over = shop(monthly_income=D("75000.01"), margin_percent=None)
    assert check.income_consistency(over, D("30000"), POLICY).result is Result.FLAG
