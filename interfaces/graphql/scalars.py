"""Small conversions shared by the GraphQL types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from domain.errors import InvalidValue

T = TypeVar("T")


def parse_id(value: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidValue("id", "is not a valid id") from None


def build_from_row(cls: type[T], row: Mapping[str, Any], **converted: Any) -> T:
    """A GraphQL type from a read model's row: the columns it declares, as stored,
    except those given in `converted`."""
    fields = {k: v for k, v in row.items() if k in cls.__annotations__}
    return cls(**(fields | converted))
