"""An odd first period under per-period interest: charged whole, or by its days."""

from dataclasses import asdict, replace
from datetime import date
from decimal import Decimal

import pytest

from domain.loan.accounting import LedgerBasis
from domain.product import ProductTerms
from domain.schedule import (
    DayCount,
    Frequency,
    Method,
    OddPeriodInterest,
    ScheduleError,
    ScheduleTerms,
    generate_schedule,
)
from tests.unit.test_product import micro_terms

SHORT = ScheduleTerms(
    principal=Decimal("10000.00"),
    annual_rate_percent=Decimal("12"),
    term=12,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_PRINCIPAL,
    start_date=date(2024, 1, 10),
    first_due_date=date(2024, 1, 15),  # 5 days after the start
)
LONG = replace(SHORT, first_due_date=date(2024, 2, 22), day_count=DayCount.ACTUAL_365)  # 43 days


def first_interest(terms: ScheduleTerms) -> Decimal:
    return generate_schedule(terms).installments[0].interest


def test_by_days_is_the_default() -> None:
    assert SHORT.odd_period_interest == OddPeriodInterest.BY_DAYS


def test_a_short_first_period_is_charged_its_days() -> None:
    assert first_interest(SHORT) == Decimal("16.67")  # 10000 x 1% x 5/30
    whole = replace(SHORT, odd_period_interest=OddPeriodInterest.WHOLE_PERIOD)
    assert first_interest(whole) == Decimal("100.00")


def test_a_long_first_period_is_charged_its_days() -> None:
    # 43 days over the 31 of the ordinary period 22 January to 22 February: 138.71
    assert first_interest(LONG) == Decimal("138.71")
    whole = replace(LONG, odd_period_interest=OddPeriodInterest.WHOLE_PERIOD)
    assert first_interest(whole) == Decimal("100.00")


def test_later_periods_are_ordinary_periods() -> None:
    second = generate_schedule(LONG).installments[1]
    assert second.interest == Decimal("91.67")  # 9166.67 x 1%


def test_one_ordinary_period_is_not_odd() -> None:
    month_end = replace(SHORT, start_date=date(2024, 1, 31), first_due_date=date(2024, 2, 29))
    assert first_interest(month_end) == Decimal("100.00")
    back_to_31st = replace(SHORT, start_date=date(2024, 2, 29), first_due_date=date(2024, 3, 31))
    assert first_interest(back_to_31st) == Decimal("100.00")


def test_an_annuity_with_an_odd_first_period_stays_level() -> None:
    terms = replace(LONG, method=Method.EQUAL_INSTALLMENTS)
    items = generate_schedule(terms).installments
    assert items[0].interest == Decimal("138.71")
    assert len({item.total for item in items[:-1]}) == 1
    assert abs(items[-1].total - items[0].total) <= Decimal("0.05")


def test_interest_only_quarters_count_two_periods_and_the_odd_days() -> None:
    terms = replace(LONG, method=Method.INTEREST_ONLY, interest_only_every=3)
    # (2 x 31 + 43) / 31 periods of 1% on 10000
    assert first_interest(terms) == Decimal("338.71")


def test_an_unknown_choice_names_the_field() -> None:
    with pytest.raises(ScheduleError) as error:
        replace(SHORT, odd_period_interest="prorated")  # type: ignore[arg-type]
    assert error.value.field == "odd_period_interest"


def test_stored_terms_without_the_option_load_as_whole_period() -> None:
    stored = LedgerBasis(terms=SHORT, schedule=generate_schedule(SHORT), order=("penalty",))
    data = stored.model_dump(mode="json")
    assert data["terms"]["odd_period_interest"] == "by_days"
    assert LedgerBasis.model_validate(data).terms == SHORT
    del data["terms"]["odd_period_interest"]
    old = LedgerBasis.model_validate(data).terms
    assert old.odd_period_interest == OddPeriodInterest.WHOLE_PERIOD
    assert first_interest(old) == Decimal("100.00")
    assert asdict(old) == asdict(SHORT) | {"odd_period_interest": "whole_period"}


def test_a_new_product_defaults_to_by_days_and_an_old_one_loads_as_whole_period() -> None:
    defined = micro_terms().checked()
    assert defined.odd_period_interest == OddPeriodInterest.BY_DAYS
    chosen = micro_terms(odd_period_interest=OddPeriodInterest.WHOLE_PERIOD).checked()
    assert chosen.odd_period_interest == OddPeriodInterest.WHOLE_PERIOD
    stored = defined.model_dump(mode="json")
    assert ProductTerms.model_validate(stored) == defined
    del stored["odd_period_interest"]
    assert ProductTerms.model_validate(stored).odd_period_interest == "whole_period"
