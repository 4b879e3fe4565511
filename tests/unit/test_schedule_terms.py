"""Terms that cannot make a schedule are refused with the offending field named."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.schedule import (
    Frequency,
    InterestCalculation,
    Method,
    Rounding,
    ScheduleError,
    ScheduleTerms,
    generate_schedule,
)

GOOD = ScheduleTerms(
    principal=Decimal("10000.00"),
    annual_rate_percent=Decimal("12"),
    term=12,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=date(2024, 1, 15),
)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"term": 0}, "term"),
        ({"term": -3}, "term"),
        ({"grace_periods": 12}, "grace_periods"),
        ({"grace_periods": -1}, "grace_periods"),
        ({"principal": Decimal("-1.00")}, "principal"),
        ({"principal": Decimal("0")}, "principal"),
        ({"principal": Decimal("100.005")}, "principal"),
        ({"principal": Decimal("NaN")}, "principal"),
        ({"principal": 100.5}, "principal"),  # floats never get in
        ({"principal": Decimal("1E16")}, "principal"),
        ({"annual_rate_percent": Decimal("-0.5")}, "annual_rate_percent"),
        ({"annual_rate_percent": Decimal("Infinity")}, "annual_rate_percent"),
        ({"annual_rate_percent": Decimal("10001")}, "annual_rate_percent"),
        ({"installment_multiple": Decimal("0")}, "installment_multiple"),
        ({"installment_multiple": Decimal("-1")}, "installment_multiple"),
        ({"installment_multiple": Decimal("0.001")}, "installment_multiple"),
        ({"minor_unit": -1}, "minor_unit"),
        ({"interest_only_every": 0}, "interest_only_every"),
        ({"first_due_date": date(2024, 1, 15)}, "first_due_date"),
        ({"first_due_date": date(2024, 1, 1)}, "first_due_date"),
        ({"frequency": "daily"}, "frequency"),
        ({"method": "balloon"}, "method"),
        ({"day_count": "actual/actual"}, "day_count"),
        ({"rounding": "ceiling"}, "rounding"),
        ({"term": True}, "term"),
    ],
)
def test_invalid_terms_name_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ScheduleError) as error:
        replace(GOOD, **change)
    assert error.value.field == field
    assert error.value.message
    assert isinstance(error.value, ValueError)


def test_yen_principal_must_be_whole_yen() -> None:
    with pytest.raises(ScheduleError) as error:
        replace(GOOD, principal=Decimal("1000.50"), minor_unit=0)
    assert error.value.field == "principal"


def test_trailing_zeros_beyond_the_minor_unit_are_accepted() -> None:
    terms = replace(GOOD, principal=Decimal("10000.000"))
    assert generate_schedule(terms).total_principal == Decimal("10000.00")
    assert str(generate_schedule(terms).installments[0].principal) == "788.49"


def test_rest_strings_become_enumeration_members() -> None:
    terms = replace(GOOD, frequency="quarterly", method="flat", rounding="down")  # type: ignore[arg-type]
    assert terms.frequency is Frequency.QUARTERLY
    assert terms.method is Method.FLAT
    assert terms.rounding is Rounding.DOWN


def test_terms_are_immutable() -> None:
    with pytest.raises(AttributeError):
        GOOD.term = 24  # type: ignore[misc]


@pytest.mark.parametrize(
    ("method", "calculation"),
    [
        (Method.EQUAL_PRINCIPAL, InterestCalculation.PER_PERIOD),
        (Method.INTEREST_ONLY, InterestCalculation.PER_PERIOD),
        (Method.BULLET, InterestCalculation.DAILY),
        (Method.FLAT, InterestCalculation.DAILY),
    ],
)
def test_a_multiple_without_a_level_installment_is_refused(
    method: Method, calculation: InterestCalculation
) -> None:
    with pytest.raises(ScheduleError) as error:
        replace(
            GOOD,
            method=method,
            interest_calculation=calculation,
            installment_multiple=Decimal("1"),
        )
    assert error.value.field == "installment_multiple"


@pytest.mark.parametrize("method", [Method.EQUAL_INSTALLMENTS, Method.FLAT])
def test_a_multiple_on_a_level_installment_is_accepted(method: Method) -> None:
    terms = replace(GOOD, method=method, installment_multiple=Decimal("1"))
    assert generate_schedule(terms).installments[0].total % 1 == 0
