"""Small conversions shared by the GraphQL types."""

from __future__ import annotations

from uuid import UUID

from domain.errors import InvalidValue


def parse_id(value: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidValue("id", "is not a valid id") from None
