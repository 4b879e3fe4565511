"""The business date: opened lazily, read by commands, advanced by close of business.

The opening date comes from the infrastructure edge (`OPENING_DATE` in the
application's environment): the application never reads a clock.
"""

from __future__ import annotations

from datetime import date

from eventsourcing.persistence import IntegrityError

from application.app import LendingApplication
from domain.calendar import CALENDAR_ID, BusinessCalendar
from domain.errors import NotFound

SYSTEM = "system"


def opening_date(app: LendingApplication) -> date:
    if app.opening_date is None:
        raise RuntimeError("OPENING_DATE is not set: the runtime passes the store's opening date")
    return app.opening_date


def load_calendar(app: LendingApplication, actor: str = SYSTEM) -> BusinessCalendar:
    """The calendar, opened at the opening date the first time anything asks for it
    (recorded as opened by `actor`, whose command needed it)."""
    try:
        return app.load(BusinessCalendar, CALENDAR_ID, "business calendar")
    except NotFound:
        pass
    calendar = BusinessCalendar.open(actor=actor, on=opening_date(app))
    try:
        app.save_all(calendar)
    except IntegrityError:  # another process opened it first
        return app.load(BusinessCalendar, CALENDAR_ID, "business calendar")
    return calendar


def business_date(app: LendingApplication, actor: str = SYSTEM) -> date:
    return load_calendar(app, actor).business_date


def not_after_business_date(
    app: LendingApplication, actor: str, value_date: date, field: str
) -> None:
    """Refuse a value date the books have not reached yet (InvalidValue naming `field`)."""
    load_calendar(app, actor).check_not_after(value_date, field)
