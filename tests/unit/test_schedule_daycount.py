"""Day counts: 30/360 US worked by hand, actual days counted one by one."""

from datetime import date, timedelta

import pytest

from domain.schedule import DayCount, accrual_days, thirty_360_days, year_days


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2024, 1, 15), date(2024, 2, 15), 30),
        (date(2023, 1, 31), date(2023, 2, 28), 28),  # D1 31 -> 30; 28 - 30 + 30
        (date(2023, 2, 28), date(2023, 3, 31), 30),  # last of February counts as the 30th
        (date(2024, 2, 29), date(2024, 3, 31), 30),
        (date(2024, 2, 28), date(2024, 3, 28), 30),  # 28 February 2024 is not month end
        (date(2023, 2, 28), date(2024, 2, 29), 360),  # both month-end Februaries
        (date(2024, 1, 30), date(2024, 3, 31), 60),  # D2 31 -> 30 because D1 is 30
        (date(2024, 1, 29), date(2024, 3, 31), 62),  # D2 stays 31 because D1 is 29
        (date(2024, 3, 31), date(2024, 4, 30), 30),
        (date(2024, 1, 1), date(2025, 1, 1), 360),
    ],
)
def test_thirty_360_us_day_difference(start: date, end: date, days: int) -> None:
    assert thirty_360_days(start, end) == days
    assert accrual_days(start, end, DayCount.THIRTY_360) == days


@pytest.mark.parametrize("day_count", [DayCount.ACTUAL_365, DayCount.ACTUAL_360])
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2024, 1, 1), date(2025, 1, 1)),
        (date(2023, 1, 1), date(2024, 1, 1)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2023, 12, 20), date(2024, 3, 5)),
    ],
)
def test_actual_day_counts_count_calendar_days(start: date, end: date, day_count: DayCount) -> None:
    counted, day = 0, start
    while day < end:
        day += timedelta(days=1)
        counted += 1
    assert accrual_days(start, end, day_count) == counted


def test_leap_year_has_366_actual_days() -> None:
    assert accrual_days(date(2024, 1, 1), date(2025, 1, 1), DayCount.ACTUAL_365) == 366


@pytest.mark.parametrize(
    ("day_count", "days"),
    [(DayCount.THIRTY_360, 360), (DayCount.ACTUAL_365, 365), (DayCount.ACTUAL_360, 360)],
)
def test_year_days(day_count: DayCount, days: int) -> None:
    assert year_days(day_count) == days
