"""Offices: the head office, its branches and their sub-branches.

A store has one head office, under a fixed id, opened the first time anything needs
it (two processes racing to open it write the same aggregate at version 1, and the
event store lets only one of them commit). Every other office has a parent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from domain.errors import InvalidValue
from domain.model import Aggregate

HEAD_OFFICE_ID = uuid5(UUID("3c9a7e1d-2b4f-4d6a-8e0c-5f1b2a3d4c6e"), "head-office")
HEAD_OFFICE_NAME = "Head office"
MAX_NAME_LENGTH = 200


class Office(Aggregate):
    if TYPE_CHECKING:  # assigned by events
        name: str
        parent_id: UUID | None

    class Opened(Aggregate.Created):
        name: str
        parent_id: UUID | None

        def apply(self, aggregate: Any) -> None:
            aggregate.name = self.name
            aggregate.parent_id = self.parent_id

    @classmethod
    def open_head(cls, *, actor: str) -> Office:
        return cls._create(
            cls.Opened, id=HEAD_OFFICE_ID, actor=actor, name=HEAD_OFFICE_NAME, parent_id=None
        )

    @classmethod
    def open(cls, *, actor: str, name: str, parent_id: UUID) -> Office:
        """A branch or sub-branch of the office `parent_id` (the application checks that
        it is one)."""
        if not name.strip():
            raise InvalidValue("name", "must not be empty")
        if len(name.strip()) > MAX_NAME_LENGTH:
            raise InvalidValue("name", f"must be at most {MAX_NAME_LENGTH} characters")
        return cls._create(cls.Opened, actor=actor, name=name.strip(), parent_id=parent_id)


def within(
    office: UUID | None, reach: UUID | None, parent_of: Callable[[UUID], UUID | None]
) -> bool:
    """Whether a record of `office` is within the reach of staff of office `reach`: that
    office or one below it. Staff of the head office, and callers whose office is not
    known (None: development tokens, an identity provider's without an office), reach
    everything; a record with no office (made before offices were) only they reach."""
    if reach is None or reach == HEAD_OFFICE_ID:
        return True
    seen: set[UUID] = set()
    while office is not None and office not in seen:
        if office == reach:
            return True
        seen.add(office)
        office = parent_of(office)
    return False
