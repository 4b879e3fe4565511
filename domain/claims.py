"""Claims make a value unique across aggregates.

A claim's id is derived from the value it guards, so two commands claiming the
same value write the same aggregate id at version 1, and the event store lets
only one of them commit. The value itself never appears in the claim.

A claim can be released (an erased borrower's id number) and then claimed again by a
new owner: that is a new version of the same claim, so two commands claiming it again
race on the version, and the event store lets only one of them commit.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.errors import InvalidTransition
from domain.model import Aggregate


class Claim(Aggregate):
    owner_id: UUID

    class Claimed(Aggregate.Created):
        owner_id: UUID

        def apply(self, aggregate: Any) -> None:
            aggregate.owner_id = self.owner_id
            aggregate.released = False

    class Released(Aggregate.Event):
        """The owner no longer holds the value (its owner was erased)."""

        def apply(self, aggregate: Any) -> None:
            aggregate.released = True

    class Reclaimed(Aggregate.Event):
        owner_id: UUID

        def apply(self, aggregate: Any) -> None:
            aggregate.owner_id = self.owner_id
            aggregate.released = False

    @classmethod
    def make(cls, *, claim_id: UUID, owner_id: UUID, actor: str) -> Claim:
        return cls._create(cls.Claimed, id=claim_id, owner_id=owner_id, actor=actor)

    @property
    def is_released(self) -> bool:
        return bool(getattr(self, "released", False))

    def release(self, *, actor: str) -> None:
        if not self.is_released:
            self.trigger_event(self.Released, actor=actor)

    def reclaim(self, *, owner_id: UUID, actor: str) -> None:
        if not self.is_released:
            raise InvalidTransition("claim the value", f"it belongs to {self.owner_id}")
        self.trigger_event(self.Reclaimed, owner_id=owner_id, actor=actor)
