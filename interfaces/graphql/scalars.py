"""Small conversions shared by the GraphQL types, and the Date and DateTime scalars."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import dateutil.parser
from strawberry.types.scalar import ScalarDefinition

from domain.errors import InvalidValue

T = TypeVar("T")

# Any date an argument gives, alone or in a DateTime: the books' arithmetic (a day after
# maturity, a year of interest) stays far inside what `date` can hold.
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def in_range(day: date, kind: str) -> None:
    if not EARLIEST <= day <= LATEST:
        raise InvalidValue(kind, f"must be between {EARLIEST} and {LATEST}, not {day}")


def parse_date(value: object) -> date:
    if not isinstance(value, str):
        raise InvalidValue("Date", "must be a string YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidValue("Date", "must be an ISO date YYYY-MM-DD") from None
    in_range(day, "Date")
    return day


def parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise InvalidValue("DateTime", "must be an ISO 8601 string")
    try:
        moment: datetime = dateutil.parser.isoparse(value)
    except (ValueError, OverflowError):
        raise InvalidValue("DateTime", "must be an ISO 8601 date and time") from None
    in_range(moment.date(), "DateTime")
    return moment


def _isoformat(value: date) -> str:
    return value.isoformat()


# Strawberry's own Date and DateTime (same names, descriptions and output), refusing
# input outside EARLIEST..LATEST as bad user input.
DATE = ScalarDefinition(
    name="Date",
    description="Date (isoformat)",
    specified_by_url=None,
    serialize=_isoformat,
    parse_value=parse_date,
    parse_literal=None,
    origin=date,
)
DATE_TIME = ScalarDefinition(
    name="DateTime",
    description="Date with time (isoformat)",
    specified_by_url=None,
    serialize=_isoformat,
    parse_value=parse_datetime,
    parse_literal=None,
    origin=datetime,
)
SCALARS: dict[object, ScalarDefinition] = {date: DATE, datetime: DATE_TIME}


def parse_id(value: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidValue("id", "is not a valid id") from None


def build_from_row(cls: type[T], row: Mapping[str, Any], **converted: Any) -> T:
    """A GraphQL type from a read model's row: the columns it declares (itself or the
    interfaces it implements), as stored, except those given in `converted`."""
    declared = {name for klass in cls.__mro__ for name in vars(klass).get("__annotations__", {})}
    fields = {k: v for k, v in row.items() if k in declared}
    return cls(**(fields | converted))
