"""Due dates: month-end anchors do not drift, leap years, first due date, day steps."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.schedule import Frequency, ScheduleError, add_months, due_dates
from domain.schedule.dates import on_due_dates


def test_monthly_from_31_january_in_a_leap_year_returns_to_month_end() -> None:
    assert due_dates(date(2024, 1, 31), Frequency.MONTHLY, 5) == [
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
        date(2024, 6, 30),
    ]


def test_monthly_from_31_january_in_a_common_year_clamps_to_28_february() -> None:
    assert due_dates(date(2023, 1, 31), Frequency.MONTHLY, 4) == [
        date(2023, 2, 28),
        date(2023, 3, 31),
        date(2023, 4, 30),
        date(2023, 5, 31),
    ]


def test_monthly_crosses_the_year_end() -> None:
    assert due_dates(date(2023, 11, 15), Frequency.MONTHLY, 3) == [
        date(2023, 12, 15),
        date(2024, 1, 15),
        date(2024, 2, 15),
    ]


def test_a_29_february_start_keeps_the_29th() -> None:
    assert due_dates(date(2024, 2, 29), Frequency.MONTHLY, 3) == [
        date(2024, 3, 29),
        date(2024, 4, 29),
        date(2024, 5, 29),
    ]


def test_quarterly_from_30_november_passes_leap_day_and_returns_to_the_30th() -> None:
    assert due_dates(date(2023, 11, 30), Frequency.QUARTERLY, 4) == [
        date(2024, 2, 29),
        date(2024, 5, 30),
        date(2024, 8, 30),
        date(2024, 11, 30),
    ]


def test_quarterly_from_31_august_across_a_common_february() -> None:
    assert due_dates(date(2022, 8, 31), Frequency.QUARTERLY, 4) == [
        date(2022, 11, 30),
        date(2023, 2, 28),
        date(2023, 5, 31),
        date(2023, 8, 31),
    ]


def test_weekly_steps_seven_days_through_leap_day() -> None:
    assert due_dates(date(2024, 2, 22), Frequency.WEEKLY, 3) == [
        date(2024, 2, 29),
        date(2024, 3, 7),
        date(2024, 3, 14),
    ]


def test_fortnightly_steps_fourteen_days_across_the_year_end() -> None:
    assert due_dates(date(2023, 12, 20), Frequency.FORTNIGHTLY, 3) == [
        date(2024, 1, 3),
        date(2024, 1, 17),
        date(2024, 1, 31),
    ]


def test_first_due_date_sets_the_day_for_later_monthly_dates() -> None:
    dates = due_dates(date(2024, 1, 10), Frequency.MONTHLY, 4, first_due_date=date(2024, 2, 20))
    assert dates == [date(2024, 2, 20), date(2024, 3, 20), date(2024, 4, 20), date(2024, 5, 20)]


def test_first_due_date_at_month_end_keeps_month_end_without_drift() -> None:
    dates = due_dates(date(2023, 12, 5), Frequency.MONTHLY, 4, first_due_date=date(2024, 1, 31))
    assert dates == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]


def test_first_due_date_for_weekly_steps_from_that_date() -> None:
    dates = due_dates(date(2024, 3, 1), Frequency.WEEKLY, 3, first_due_date=date(2024, 3, 12))
    assert dates == [date(2024, 3, 12), date(2024, 3, 19), date(2024, 3, 26)]


def test_first_due_date_for_quarterly_steps_three_months_from_that_date() -> None:
    dates = due_dates(date(2024, 1, 1), Frequency.QUARTERLY, 3, first_due_date=date(2024, 3, 31))
    assert dates == [date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30)]


@pytest.mark.parametrize(
    ("anchor", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 1, 31), 13, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 12, 31), 2, date(2025, 2, 28)),
        (date(2024, 5, 15), 0, date(2024, 5, 15)),
    ],
)
def test_add_months_clamps_to_the_month_end(anchor: date, months: int, expected: date) -> None:
    assert add_months(anchor, months) == expected


def test_a_first_due_date_not_after_the_start_is_refused() -> None:
    with pytest.raises(ScheduleError) as error:
        due_dates(date(2024, 1, 10), Frequency.MONTHLY, 3, first_due_date=date(2024, 1, 10))
    assert error.value.field == "first_due_date"


def test_a_zero_term_is_refused() -> None:
    with pytest.raises(ScheduleError) as error:
        due_dates(date(2024, 1, 10), Frequency.MONTHLY, 0)
    assert error.value.field == "term"


def test_dates_beyond_the_calendar_are_refused_as_a_schedule_error() -> None:
    with pytest.raises(ScheduleError) as error:
        due_dates(date(9999, 6, 1), Frequency.MONTHLY, 12)
    assert error.value.field == "term"


@given(
    start=st.dates(date(2000, 1, 1), date(2090, 12, 31)),
    frequency=st.sampled_from(list(Frequency)),
    term=st.integers(1, 120),
    moved=st.integers(0, 119),
    shift=st.sampled_from((-1, 1)),
)
def test_on_due_dates_recognises_exactly_the_dates_due_dates_gives(
    start: date, frequency: Frequency, term: int, moved: int, shift: int
) -> None:
    dates = due_dates(start, frequency, term)
    assert on_due_dates(start, frequency, dates)
    dates[moved % term] += timedelta(days=shift)
    assert not on_due_dates(start, frequency, dates)
