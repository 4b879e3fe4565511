"""What one demo load shares: the application, the last position, reference numbers."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar
from uuid import UUID

from eventsourcing.application import project_aggregate

from application.app import LendingApplication, Written
from domain.loan import Loan

T = TypeVar("T")

# The demo's business date: no value date in the demo is later.
TODAY = date(2026, 11, 20)
FIRST_DISBURSEMENT = date(2025, 1, 2)
LAST_DISBURSEMENT = date(2026, 10, 31)


@dataclass
class Session:
    app: LendingApplication
    seed: int
    position: int = 0
    # The office of each demo user, by username (empty: every record the head office's).
    offices: dict[str, UUID] = field(default_factory=dict)
    _serial: int = field(default=0, repr=False)
    _loans: dict[UUID, Loan] = field(default_factory=dict, repr=False)

    def wrote(self, written: Written) -> Written:
        self.position = max(self.position, written.position)
        return written

    def reference(self, prefix: str) -> str:
        """A channel reference unique to this load (the seed keeps loads apart)."""
        self._serial += 1
        return f"{prefix}-{self.seed}-{self._serial:07d}"

    def loan(self, loan_id: UUID) -> Loan:
        """The loan as recorded: read once, then brought up to date with its new events
        (what the repository does from a snapshot, without replaying the whole history)."""
        known = self._loans.get(loan_id)
        if known is None:
            loan = self.app.load(Loan, loan_id, "loan")
        else:
            news = self.app.repository.event_store.get(loan_id, gt=known.version)
            loan = project_aggregate(known, news) or known
        self._loans[loan_id] = loan
        return loan

    def forget(self, loan_id: UUID) -> None:
        self._loans.pop(loan_id, None)


class Deck(Generic[T]):
    """Draws every card once per shuffled pass, so even a small demo shows every case."""

    def __init__(self, rng: random.Random, cards: Sequence[T]) -> None:
        self._rng = rng
        self._cards = list(cards)
        self._pile: list[T] = []

    def draw(self) -> T:
        if not self._pile:
            self._pile = list(self._cards)
            self._rng.shuffle(self._pile)
        return self._pile.pop()


def between(rng: random.Random, first: date, last: date) -> date:
    """A day from `first` to `last` (just `first` when the window is empty)."""
    return first.fromordinal(first.toordinal() + rng.randint(0, max(0, (last - first).days)))
