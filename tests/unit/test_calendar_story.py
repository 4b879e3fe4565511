"""The business calendar, told as stories: opened on a date, then closed one day at a time."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.calendar import CALENDAR_ID, MAX_DAYS_PER_RUN, BusinessCalendar
from domain.errors import InvalidValue
from tests.support.story import given, history

OPENED_ON = date(2026, 3, 31)


def opened() -> list[Any]:
    return history(BusinessCalendar.open(actor="system", on=OPENED_ON))


def close(day: date) -> Any:
    return lambda calendar: calendar.close_day(actor="system", day=day)


def test_the_calendar_opens_under_the_one_fixed_id_on_its_first_business_date() -> None:
    opening = given().when(lambda _: BusinessCalendar.open(actor="system", on=OPENED_ON))
    event = opening.then(BusinessCalendar.Opened).events[0]
    assert (event.originator_id, event.business_date) == (CALENDAR_ID, OPENED_ON)


def test_closing_the_next_day_moves_the_business_date_across_the_month_end() -> None:
    story = given(*opened()).when(close(date(2026, 4, 1))).then(BusinessCalendar.DayClosed)
    assert story.events[0].day == date(2026, 4, 1)
    assert story.aggregate.business_date == date(2026, 4, 1)


@pytest.mark.parametrize("day", [OPENED_ON, date(2026, 3, 30), date(2026, 4, 2)])
def test_only_the_next_day_is_closed(day: date) -> None:
    refused = given(*opened()).when(close(day)).raises(InvalidValue)
    assert (refused.error.field, refused.events) == ("business_date", [])
    assert refused.aggregate.business_date == OPENED_ON


def test_the_days_to_a_target_are_each_day_after_the_business_date() -> None:
    calendar = given(*opened()).aggregate
    assert calendar.days_to(date(2026, 4, 2)) == [date(2026, 4, 1), date(2026, 4, 2)]
    assert calendar.days_to(OPENED_ON) == []
    with pytest.raises(InvalidValue):
        calendar.days_to(date(2026, 3, 30))
    with pytest.raises(InvalidValue, match=f"at most {MAX_DAYS_PER_RUN} days"):
        calendar.days_to(date(2027, 6, 1))


def test_a_value_date_after_the_business_date_is_refused() -> None:
    calendar = given(*opened()).aggregate
    calendar.check_not_after(OPENED_ON, "value_date")
    with pytest.raises(InvalidValue) as refused:
        calendar.check_not_after(date(2026, 4, 1), "value_date")
    assert refused.value.field == "value_date"
