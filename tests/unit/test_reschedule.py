"""A reschedule keeps the installments due by its date and spreads the rest again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.loan.accounting import LedgerBasis
from domain.loan.rescheduling import rescheduled
from domain.schedule import Frequency, Method, ScheduleTerms, generate_schedule

MONTH_END = ScheduleTerms(
    principal=Decimal("12000.00"),
    annual_rate_percent=Decimal("12"),
    term=12,
    frequency=Frequency.MONTHLY,
    method=Method.EQUAL_INSTALLMENTS,
    start_date=date(2025, 12, 31),
)


def books(terms: ScheduleTerms) -> LedgerBasis:
    return LedgerBasis(terms=terms, schedule=generate_schedule(terms), order=("penalty",))


def due_dates_after(terms: ScheduleTerms, from_date: date, new_term: int) -> list[date]:
    after = rescheduled(books(terms), terms.method, from_date, new_term, None)
    return [i.due_date for i in after.schedule.installments if i.due_date > from_date]


def test_a_month_end_schedule_stays_on_month_ends() -> None:
    # Disbursed 31 December: due 31 Jan, 28 Feb, ... 30 June; then 31 July, not 30 July.
    dates = due_dates_after(MONTH_END, date(2026, 6, 30), 8)
    assert dates[:4] == [
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
    ]
    assert dates[-1] == date(2027, 2, 28)


def test_a_reschedule_from_february_end_returns_to_the_31st() -> None:
    terms = replace(MONTH_END, start_date=date(2026, 1, 31))
    assert due_dates_after(terms, date(2026, 2, 28), 3) == [
        date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)
    ]  # fmt: skip


def test_a_quarterly_31st_schedule_keeps_its_day_through_two_short_months() -> None:
    # Anchored on 31 August: 30 Nov, 28 Feb, 31 May, 31 Aug, 30 Nov...
    terms = replace(MONTH_END, start_date=date(2025, 8, 31), frequency=Frequency.QUARTERLY, term=8)
    assert due_dates_after(terms, date(2025, 11, 30), 4) == [
        date(2026, 2, 28), date(2026, 5, 31), date(2026, 8, 31), date(2026, 11, 30)
    ]  # fmt: skip


def test_a_mid_month_schedule_keeps_its_day() -> None:
    terms = replace(MONTH_END, start_date=date(2026, 1, 15))
    assert due_dates_after(terms, date(2026, 3, 15), 2) == [date(2026, 4, 15), date(2026, 5, 15)]


def test_the_rescheduled_principal_is_spread_again() -> None:
    after = rescheduled(books(MONTH_END), "equal_installments", date(2026, 6, 30), 8, None)
    items = after.schedule.installments
    assert len(items) == 14
    assert sum(i.principal for i in items) == MONTH_END.principal
    assert items[-1].balance_after == 0
