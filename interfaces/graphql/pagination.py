"""Cursor pagination over read-model rows ordered by a unique position column."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from domain.errors import InvalidValue

N = TypeVar("N")
DEFAULT_PAGE = 50
MAX_PAGE = 500


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"p:{position}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        return int(text.removeprefix("p:"))
    except (ValueError, UnicodeDecodeError):
        raise InvalidValue("after", "is not a cursor this API issued") from None


@dataclass(frozen=True)
class Page:
    after: int
    size: int

    @classmethod
    def of(cls, first: int | None, after: str | None) -> Page:
        size = DEFAULT_PAGE if first is None else first
        if not 0 < size <= MAX_PAGE:
            raise InvalidValue("first", f"must be between 1 and {MAX_PAGE}")
        return cls(decode_cursor(after), size)


def connection(rows: list[tuple[int, N]], page: Page) -> Connection[N]:
    """`rows` holds up to page.size + 1 (position, node) pairs."""
    shown = rows[: page.size]
    edges = [Edge(cursor=encode_cursor(p), node=n) for p, n in shown]
    end = edges[-1].cursor if edges else None
    return Connection(
        edges=edges, page_info=PageInfo(has_next_page=len(rows) > page.size, end_cursor=end)
    )
