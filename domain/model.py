"""Base classes for aggregates whose events are frozen pydantic models.

Every event names the acting user (`actor`), so an auditor can always say who did
what. Decorated event methods re-run on replay, so they only assign state; the
public command methods check invariants first and then trigger the event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self
from uuid import UUID, uuid4

from eventsourcing.domain import (
    BaseAggregate,
    CanInitAggregate,
    CanMutateAggregate,
    CanSnapshotAggregate,
)
from eventsourcing.utils import get_topic
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

_DATETIME = TypeAdapter(datetime)
_BOOKKEEPING = ("_id", "_version", "_pending_events")


class Immutable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def added_later() -> Any:
    """A field added to an event that is already stored: None until set, and left out
    of the stored form while None, so events of before store exactly as they were."""
    return Field(default=None, exclude_if=_is_none)


def _is_none(value: Any) -> bool:
    return value is None


class DomainEvent(Immutable):
    originator_id: UUID
    originator_version: int
    timestamp: datetime
    actor: str


class Aggregate(BaseAggregate[UUID]):
    # What a command worked out and a later one may use again (a loan's last ledger
    # fold): memory of what the state gives, kept beside the state, so it is neither
    # in vars() nor in a snapshot.
    __slots__ = ("_memory",)

    def remembered(self, key: str) -> Any:
        return getattr(self, "_memory", {}).get(key)

    def remember(self, key: str, value: Any) -> None:
        if not hasattr(self, "_memory"):
            self._memory: dict[str, Any] = {}
        self._memory[key] = value

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return uuid4()

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """Copy the containers, share the values (and what is remembered).

        Events only ever put immutable values (frozen models, dates, Decimals) into
        an aggregate, so a copy for a command needs fresh containers, not fresh
        values. This keeps a load from the aggregate cache cheap.
        """
        clone = object.__new__(type(self))
        clone.__dict__.update({k: _fresh(v) for k, v in self.__dict__.items()})
        if hasattr(self, "_memory"):
            clone._memory = dict(self._memory)
        return clone

    class Event(DomainEvent, CanMutateAggregate[UUID]):
        pass

    class Created(Event, CanInitAggregate[UUID]):
        originator_topic: str


def _fresh(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    if isinstance(value, set):
        return set(value)
    return value


class SnapshotState(Immutable):
    """An aggregate's attributes, typed so that Decimal and date survive JSON."""

    model_config = ConfigDict(extra="allow", frozen=True)

    def __init__(self, **kwargs: Any) -> None:
        for key in ("_created_on", "_modified_on"):
            kwargs[key] = _DATETIME.validate_python(kwargs[key])
        super().__init__(**kwargs)


class AggregateSnapshot(Immutable, CanSnapshotAggregate[UUID]):
    """Subclasses annotate `state` with their own SnapshotState model."""

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    topic: str
    state: Any

    @classmethod
    def take(cls, aggregate: Any) -> Self:
        state = {k: v for k, v in vars(aggregate).items() if k not in _BOOKKEEPING}
        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=cls.create_timestamp(),
            topic=get_topic(type(aggregate)),
            state=cls.slimmed(state),
        )

    @classmethod
    def slimmed(cls, state: dict[str, Any]) -> dict[str, Any]:
        """The attributes the snapshot stores: all of them, unless a subclass leaves out
        what `restored` works out again from the rest."""
        return state

    @classmethod
    def restored(cls, state: dict[str, Any]) -> None:
        """Put back (in place) what `slimmed` left out."""

    def mutate(self, _: None) -> Any:
        aggregate = super().mutate(_)
        self.restored(vars(aggregate))
        return aggregate
