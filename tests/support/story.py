"""Given events, when a command, then events: an aggregate's rule told as a story.

    given(*submitted()).when(lambda loan: loan.approve(actor="approver.sun")).then(Loan.Approved)
    given(*submitted()).when(lambda loan: loan.approve(actor="a", term=0)).raises(InvalidValue)
    given().when(lambda _: Loan.submit(actor="a", application=it)).then(Loan.ApplicationSubmitted)
    given(*followed_by(submitted(), approve, sign)).when(pay_out).then(Loan.Disbursed)

`given` rebuilds the aggregate from its past events, exactly as a repository replays
them, so a story starts from what was recorded and not from an object a test poked.
The command runs only when the story asks `then` or `raises`, so a story left
unfinished fails loudly instead of passing without checking anything. A story with no
past tells a creation: its command returns the aggregate it made. `followed_by` makes a
longer past from a shorter one and the commands that follow it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from eventsourcing.domain import CanMutateAggregate

E = TypeVar("E", bound=BaseException)
Command = Callable[[Any], object]


def history(aggregate: Any) -> list[Any]:
    """The events an aggregate made and has not handed to a repository: its past."""
    events: list[Any] = aggregate.collect_events()
    return events


def followed_by(past: Sequence[Any], *commands: Command) -> list[Any]:
    """A longer past: `past`, then what these commands, in order, record on its aggregate."""
    aggregate = replayed(past)
    for command in commands:
        command(aggregate)
    return [*past, *history(aggregate)]


def replayed(events: Sequence[CanMutateAggregate[Any]]) -> Any:
    """The aggregate these events, in order, make."""
    if not events:
        raise ValueError("a story needs at least the event that created the aggregate")
    aggregate: Any = None
    for past in events:
        aggregate = past.mutate(aggregate)
    return aggregate


@dataclass(frozen=True)
class Outcome:
    """The aggregate after the command, and the events the command recorded."""

    aggregate: Any
    events: list[Any]


@dataclass(frozen=True)
class Refusal(Generic[E]):
    """The command's error, the aggregate after it, and what it recorded (nothing, if
    the aggregate keeps its invariants)."""

    error: E
    aggregate: Any
    events: list[Any]


@dataclass(frozen=True)
class When:
    past: tuple[CanMutateAggregate[Any], ...]
    command: Command

    def then(self, *expected: type) -> Outcome:
        """Run the command; it must record exactly events of these types, in order."""
        aggregate = self._run()
        recorded = history(aggregate)
        names = [type(event).__qualname__ for event in recorded]
        assert names == [kind.__qualname__ for kind in expected], names
        assert all(isinstance(e, kind) for e, kind in zip(recorded, expected, strict=True))
        return Outcome(aggregate, recorded)

    def raises(self, error: type[E]) -> Refusal[E]:
        """Run the command; it must raise `error` (or a subclass)."""
        aggregate = replayed(self.past) if self.past else None
        try:
            self.command(aggregate)
        except error as raised:
            return Refusal(raised, aggregate, history(aggregate) if aggregate else [])
        raise AssertionError(f"the command did not raise {error.__name__}")

    def _run(self) -> Any:
        """The aggregate the command acted on; with no past, the one the command made."""
        if not self.past:
            return self.command(None)
        aggregate = replayed(self.past)
        self.command(aggregate)
        return aggregate


@dataclass(frozen=True)
class Given:
    past: tuple[CanMutateAggregate[Any], ...]

    def when(self, command: Command) -> When:
        return When(self.past, command)

    @property
    def aggregate(self) -> Any:
        """The aggregate as the past left it (for a story that only looks)."""
        return replayed(self.past)


def given(*events: CanMutateAggregate[Any]) -> Given:
    """The past a story starts from; none for a story whose command creates the aggregate
    (the command then returns what it made)."""
    return Given(events)
