"""Claims make a value unique across aggregates.

A claim's id is derived from the value it guards, so two commands claiming the
same value write the same aggregate id at version 1, and the event store lets
only one of them commit. The value itself never appears in the claim.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.model import Aggregate


class Claim(Aggregate):
    owner_id: UUID

    class Claimed(Aggregate.Created):
        owner_id: UUID

        def apply(self, aggregate: Any) -> None:
            aggregate.owner_id = self.owner_id

    @classmethod
    def make(cls, *, claim_id: UUID, owner_id: UUID, actor: str) -> Claim:
        return cls._create(cls.Claimed, id=claim_id, owner_id=owner_id, actor=actor)
