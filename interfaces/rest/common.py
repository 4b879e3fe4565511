"""Shapes and headers shared by every command route."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Header, Request
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from application.app import LendingApplication, Written
from application.group_commit import RepaymentWriter
from domain.errors import InvalidValue
from domain.product import MAX_GRACE_DAYS, OLDEST_AGE
from domain.schedule import MAX_TERM
from interfaces.text import CONTROL_CHARACTERS, CONTROL_CHARACTERS_BUT_LINES

# Text fields refuse control characters (Unicode Cc: U+0000-U+001F, U+007F-U+009F): no
# read model can hold a NUL, and none of the others belongs in a name, phone or reference.
# Notes and reasons are multi-line by nature and keep tab and line feed. Lone surrogates
# never get this far: pydantic refuses them as invalid strings.
_ONE_LINE = CONTROL_CHARACTERS
_LINES = CONTROL_CHARACTERS_BUT_LINES


def _text(min_length: int, max_length: int, refused: str, reason: str) -> tuple[Any, ...]:
    """The bounds and the check, and the pattern it amounts to for the OpenAPI document."""
    found = re.compile(f"[{refused}]").search

    def check(value: str) -> str:
        if found(value):
            raise PydanticCustomError("control_character", reason)
        return value

    schema = {"pattern": f"^[^{refused}]*$"}
    bounds = Field(min_length=min_length, max_length=max_length, json_schema_extra=schema)
    return bounds, AfterValidator(check)


def _one_line(min_length: int, max_length: int) -> tuple[Any, ...]:
    return _text(min_length, max_length, _ONE_LINE, "must not contain control characters")


def _lines(min_length: int, max_length: int) -> tuple[Any, ...]:
    reason = "must not contain control characters other than tab and line feed"
    return _text(min_length, max_length, _LINES, reason)


# The length limits of every text field (characters):
NAME_LENGTH = 200  # names, phones, regions, addresses, references, channels, accounts, payers
REASON_LENGTH = 1000  # why: rejection, withdrawal, blacklisting, reversal, write-off, reschedule
NOTE_LENGTH = 2000  # notes and outcomes, as the domain bounds them (approval, collections, risk)

Text = Annotated[str, *_one_line(1, NAME_LENGTH)]
# A password or a token as typed or handed out: longer than a name may be, never logged.
Secret = Annotated[str, *_one_line(1, 256)]
OptionalText = Annotated[str, *_one_line(0, NAME_LENGTH)]
Url = Annotated[str, *_one_line(1, 2000)]  # as long as browsers take them
Code = Annotated[str, *_one_line(1, 32)]
Email = Annotated[str, *_one_line(3, 254)]  # RFC 5321's longest path
Reason = Annotated[str, *_lines(1, REASON_LENGTH)]
OptionalReason = Annotated[str, *_lines(0, REASON_LENGTH)]
Note = Annotated[str, *_lines(0, NOTE_LENGTH)]
RequiredNote = Annotated[str, *_lines(1, NOTE_LENGTH)]

# Money travels as a plain decimal string ("1000.00"): an exponent ("1e3") or a JSON
# number (10.5, a binary float on the way in) is refused, not reinterpreted.
_PLAIN_DECIMAL = r"^-?[0-9]{1,20}(\.[0-9]{1,20})?$"
_plain_decimal = re.compile(_PLAIN_DECIMAL).fullmatch


def _decimal_string(value: object) -> object:
    if isinstance(value, Decimal):  # built in Python, not read from JSON
        return value
    if not isinstance(value, str) or not _plain_decimal(value):
        raise PydanticCustomError(
            "decimal_string", 'must be a decimal string such as "1000.00", without an exponent'
        )
    return value


_MONEY_SCHEMA = {"type": "string", "format": "decimal", "pattern": _PLAIN_DECIMAL, "maxLength": 41}
Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=18, decimal_places=2),
    BeforeValidator(_decimal_string),
    WithJsonSchema(_MONEY_SCHEMA),
]
Percent = Annotated[Decimal, Field(ge=0, le=1000, max_digits=9, decimal_places=4)]
# Whole numbers within what the domain allows and the read models' integer columns hold.
Term = Annotated[int, Field(ge=1, le=MAX_TERM)]
GraceDays = Annotated[int, Field(ge=0, le=MAX_GRACE_DAYS)]
Age = Annotated[int, Field(ge=0, le=OLDEST_AGE)]
Periods = Annotated[int, Field(ge=0, le=MAX_TERM)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]

# Dates a lender's business can fall on: a year 1000 or 9999 is a typing mistake, and
# schedules running on from it would leave the calendar.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)
BusinessDate = Annotated[
    date,
    Field(
        ge=EARLIEST_DATE,
        le=LATEST_DATE,
        # Not in JSON Schema's core (formatMinimum is ajv's keyword): for readers.
        json_schema_extra={
            "formatMinimum": EARLIEST_DATE.isoformat(),
            "formatMaximum": LATEST_DATE.isoformat(),
        },
    ),
]


class Command(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error, not a no-op."""

    model_config = ConfigDict(extra="forbid")


class Accepted(BaseModel):
    id: UUID
    version: int
    position: int

    @classmethod
    def of(cls, written: Written) -> Accepted:
        return cls(id=written.id, version=written.version, position=written.position)


_VERSION = re.compile(r"[0-9]{1,9}")


def expected_version(if_match: Annotated[str | None, Header()] = None) -> int | None:
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not _VERSION.fullmatch(value):
        raise InvalidValue("If-Match", "must be the aggregate version, a whole number")
    return int(value)


def application(request: Request) -> LendingApplication:
    app: LendingApplication = request.app.state.runtime.app
    return app


def repayment_writer(request: Request) -> RepaymentWriter:
    writer: RepaymentWriter = request.app.state.repayments
    return writer


App = Annotated[LendingApplication, Depends(application)]
Repayments = Annotated[RepaymentWriter, Depends(repayment_writer)]
ExpectedVersion = Annotated[int | None, Depends(expected_version)]
