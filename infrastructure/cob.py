"""Close of business's steps that need the infrastructure: who holds a partition's lease,
the loans a lease covers, and the store's checkpoint at the end of a run."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from datetime import date
from uuid import UUID

from application.app import LendingApplication
from application.close_of_business import DayStep
from application.cob_partitions import LoansDue, Ranges
from infrastructure import audit
from projections.loan_books import LoanBooksView

log = logging.getLogger(__name__)


def loans_due(books: LoanBooksView) -> LoansDue:
    """The loans due for review on a day within id ranges, as the COB index (`loan_books`)
    stands: the coordinator waited for it before publishing the day."""

    def loans(day: date, ranges: Ranges) -> Iterator[UUID]:
        for low, high in ranges:
            yield from books.due_for_review(day, low, high)

    return loans


def holder(role: str) -> str:
    """Who holds a close of business lease: the role, host and process."""
    return f"{role} on {socket.gethostname()} pid {os.getpid()}"


def writing_checkpoint(until: date | None) -> DayStep:
    """The step that writes the checkpoint over the store's positions, its new events
    verified, on `until` (None: each day). It writes no event; a checkpoint that fails is
    logged and left to `lending audit checkpoint`: the books close all the same."""

    def step(app: LendingApplication, actor: str, day: date, after: int | None) -> int | None:
        if until is not None and day != until:
            return after
        try:
            written, found = audit.checkpoint(app, f"close of business {day} by {actor}")
        except Exception:
            log.exception("the close of business checkpoint for %s was not written", day)
            return after
        for each in found.breaks:
            log.error("the event chain is broken: %s", each.line())
        log.info("checkpoint at position %s for %s", written.position, day)
        return after

    return step
