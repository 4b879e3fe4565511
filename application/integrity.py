"""What the store answers when an aggregate's recorded history fails its integrity check.

Each stored event carries a hash chaining it to the event before it (see
infrastructure/chain.py). An aggregate whose chain does not hold is never loaded,
never extended and never answered from a cache: a command or a query on it is refused
with HistoryBroken, naming the aggregate, the version and what is wrong.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from domain.errors import Conflict


class BreakKind(StrEnum):
    """What is wrong with an event, or with a run of them."""

    CHANGED = "changed"  # its bytes (or topic, or recorded time) are not what was chained
    MISSING = "missing"  # a version is gone: deleted from the middle, or the newest dropped
    DUPLICATED = "duplicated"  # it repeats another version of the same aggregate
    MOVED = "moved"  # it holds another aggregate's event
    UNCHAINED = "unchained"  # it was written without a chain hash (outside the service)
    CHECKPOINT = "checkpoint"  # the store's checkpoint over positions no longer matches


class HistoryBroken(Conflict):
    """An aggregate's stored history fails its hash chain: it is not loaded or extended."""

    def __init__(self, aggregate_id: UUID | str, version: int | None, kind: BreakKind) -> None:
        at = f" at version {version}" if version is not None else ""
        super().__init__(
            f"the stored history of {aggregate_id} fails its integrity check{at} ({kind}); "
            "it is refused until an operator restores it (see `lending audit verify`)"
        )
        self.aggregate_id = str(aggregate_id)
        self.version = version
        self.kind = kind
