"""Shapes and headers shared by every command route."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from application.app import LendingApplication, Written
from domain.errors import InvalidValue

Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=1000, max_digits=9, decimal_places=4)]
Text = Annotated[str, Field(min_length=1, max_length=200)]


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


def expected_version(if_match: Annotated[str | None, Header()] = None) -> int | None:
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidValue("If-Match", "must be the aggregate version, a whole number")
    return int(value)


def application(request: Request) -> LendingApplication:
    app: LendingApplication = request.app.state.runtime.app
    return app


App = Annotated[LendingApplication, Depends(application)]
ExpectedVersion = Annotated[int | None, Depends(expected_version)]
