"""Close of business: advance the business date a day at a time, reviewing arrears.

For each day, the loans whose bucket or classification may change that day (an
index the caller supplies from the `arrears` read model) are loaded and decide for
themselves; only then is the day closed. A run that stops part-way can be run again:
a loan that already recorded the day's change records nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.app import LendingApplication, Written
from application.calendar import load_calendar
from domain.errors import Conflict
from domain.loan import Loan

# (day, position): the loans due for review on `day`, once the index has processed
# `position` (None: the store's head). The index is a read model the caller owns.
LoansToReview = Callable[[date, int | None], Iterable[UUID]]


@dataclass(frozen=True)
class DaysClosed:
    written: Written
    days_closed: int


def close_of_business(
    app: LendingApplication, actor: str, target: date, loans_to_review: LoansToReview
) -> DaysClosed:
    """Run close of business for every day after the business date up to `target`."""
    calendar = load_calendar(app, actor)
    days = calendar.days_to(target)
    written = Written(calendar.id, calendar.version, 0)
    # The first day waits for everything recorded so far; later days only for the
    # loans the day before changed (a day closing moves no loan's next change).
    wait_for: int | None = None
    for day in days:
        wait_for = review_loans(app, actor, day, loans_to_review(day, wait_for))
        calendar.close_day(actor=actor, day=day)
        try:
            written = app.save_all(calendar)
        except IntegrityError:
            raise Conflict(f"another close of business closed {day} first") from None
    return DaysClosed(written, len(days))


def review_loans(app: LendingApplication, actor: str, day: date, loan_ids: Iterable[UUID]) -> int:
    """Let each loan record its delinquency on `day`; the last position written (0: none)."""
    last = 0
    for loan_id in loan_ids:

        def attempt(loan_id: UUID = loan_id) -> int:
            loan = app.load(Loan, loan_id, "loan")
            loan.review_delinquency(actor=actor, on=day)
            if not loan.pending_events:
                return 0
            return app.save_all(loan).position

        last = max(last, app.retrying(attempt))
    return last
