"""Close of business: advance the business date a day at a time, running each day's steps.

A day's steps run in order, then the day is closed. A step finds what it must do
through a read model the caller owns (e.g. the loans whose arrears may change
that day), so it first lets that read model catch up with what the run has
written so far. A run that stops part-way can be run again: every step records
nothing for work a previous attempt already recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import islice
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.app import LendingApplication, Written
from application.batch_load import loans_loaded
from application.calendar import load_calendar
from domain.errors import Conflict
from domain.loan import Loan

# One step of a business day: (app, actor, day, after) -> the last position written.
# `after` is the last position this run wrote before the step (None: wait for the
# store's head, 0: nothing to wait for); a step that writes nothing returns `after`.
DayStep = Callable[[LendingApplication, str, date, int | None], int | None]

# Loans saved per transaction by the review. Far larger batches of events can hang in
# psycopg's pipelined insert (see tests/benchmarks/seed.py).
REVIEW_BATCH = 25

# (day, position): the loans due for review on `day`, once the index has processed
# `position` (None: the store's head). The index is a read model the caller owns.
LoansToReview = Callable[[date, int | None], Iterable[UUID]]


@dataclass(frozen=True)
class CloseOfBusiness:
    """Close every day after the business date up to `target`, each day running `steps`
    in order (the caller's read models find what each step must do)."""

    actor: str
    target: date
    steps: tuple[DayStep, ...]


@dataclass(frozen=True)
class DaysClosed:
    written: Written
    days_closed: int


def close_of_business(app: LendingApplication, command: CloseOfBusiness) -> DaysClosed:
    """Run close of business for every day after the business date up to the target."""
    actor, steps = command.actor, command.steps
    calendar = load_calendar(app, actor)
    days = calendar.days_to(command.target)
    written = Written(calendar.id, calendar.version, 0)
    # The first day waits for everything recorded so far; later days only for what
    # the day before wrote (closing a day moves nothing a step looks for).
    after: int | None = None
    for day in days:
        day_after = after
        for step in steps:
            day_after = step(app, actor, day, day_after)
        calendar.close_day(actor=actor, day=day)
        try:
            written = app.save_all(calendar)
        except IntegrityError:
            raise Conflict(f"another close of business closed {day} first") from None
        after = day_after or 0
    return DaysClosed(written, len(days))


def later(after: int | None, position: int) -> int | None:
    """The position a step returns: `position` if it wrote anything, else `after`."""
    return max(after or 0, position) if position else after


def reviewing_loans(loans_to_review: LoansToReview) -> DayStep:
    """The step that lets each loan due for review record what the day brings: late
    fees, penalty interest and changes of delinquency."""

    def step(app: LendingApplication, actor: str, day: date, after: int | None) -> int | None:
        return later(after, review_loans(app, actor, day, loans_to_review(day, after)))

    return step


def review_loans(
    app: LendingApplication,
    actor: str,
    day: date,
    loan_ids: Iterable[UUID],
    saved: Callable[[int], None] | None = None,
) -> int:
    """Let each loan record what `day` brings it; the last position written (0: none).

    Loans are saved `REVIEW_BATCH` to a transaction: a day that turns thousands of
    loans overdue commits a few hundred times, not thousands. `saved(last)` is told
    after each batch (a partition's lease is renewed there).
    """
    last = 0
    ids = iter(loan_ids)
    while batch := list(islice(ids, REVIEW_BATCH)):
        last = max(last, _review_batch(app, actor, day, batch))
        if saved is not None:
            saved(last)
    return last


def _review_batch(app: LendingApplication, actor: str, day: date, loan_ids: list[UUID]) -> int:
    loans = loans_loaded(app, loan_ids)
    changed = [loan for loan in (_closed_day(loan, actor, day) for loan in loans) if loan]
    if not changed:
        return 0
    try:
        return app.save_all(*changed).position
    except IntegrityError:
        pass  # a command changed one of these loans meanwhile: each on its own, reloaded

    def attempt(loan_id: UUID) -> int:
        loan = _reviewed(app, loan_id, actor, day)
        return app.save_all(loan).position if loan else 0

    return max(app.retrying(partial(attempt, loan.id)) for loan in changed)


def _reviewed(app: LendingApplication, loan_id: UUID, actor: str, day: date) -> Loan | None:
    """The loan with what `day` brings it recorded, or None if it brings nothing."""
    return _closed_day(app.load(Loan, loan_id, "loan"), actor, day)


def _closed_day(loan: Loan, actor: str, day: date) -> Loan | None:
    loan.close_day(actor=actor, on=day)
    return loan if loan.pending_events else None
