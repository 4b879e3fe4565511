"""Group commit: the repayments waiting together are saved in one transaction.

Every save takes the events table's lock and commits on its own. Under load, most of a
save's time is spent waiting for the interpreter while holding that lock, so writers
queue behind it one by one. Here a process's repayment commands queue instead, and
whoever holds the writer's turn takes every command waiting at that moment: each is
decided in arrival order against the loans as cached (`repayment_batch`: a loan taking
two payments takes them in order), and all their events are saved in ONE save, one lock
and one commit, with notification ids in order and without gaps as any save's.

Each caller is answered as `receive_repayment` would answer it alone: its own
repayment, its own position (its repayment's event, the last it recorded, so
`X-Min-Position` reads what it wrote), or its own error. What the group cannot plainly
take is received one at a time after the group's save, in arrival order, by
`receive_repayment` itself, which says why or that it was received before: a reference
stored or repeated in the group, a loan that is not found or refuses a payment (and its
later payments in the group), a value date after the business date, and every command of
a group whose save met another writer (commands are idempotent on channel and
reference, and nothing of a failed save was written).

There is no timer: a command that finds the writer free is written at once, on its own,
by `receive_repayment`, so a quiet store answers as fast as without grouping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from eventsourcing.persistence import OperationalError

from application.app import LendingApplication, Written
from application.calendar import business_date
from application.repayment_batch import receive_together
from application.repayments import ReceiveRepayment, receive_repayment

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Waiting:
    """A command waiting for its answer, or to be woken to take the writer's turn."""

    command: ReceiveRepayment
    woken: threading.Event = field(default_factory=threading.Event)
    written: Written | None = None
    error: BaseException | None = None

    @property
    def answered(self) -> bool:
        return self.written is not None or self.error is not None

    def answer(self, written: Written | None = None, error: BaseException | None = None) -> None:
        self.written, self.error = written, error
        self.woken.set()

    def result(self) -> Written:
        if self.error is not None:
            raise self.error
        assert self.written is not None
        return self.written


class RepaymentWriter:
    """A process's repayments, received a group to a save (`grouping` off: one by one,
    each by `receive_repayment`, as without a writer)."""

    def __init__(
        self,
        app: LendingApplication,
        *,
        grouping: bool = True,
        queued: Callable[[int], None] | None = None,
    ) -> None:
        """`queued(n)` is told the queue's length each time a command joins it (under
        the writer's lock: it must return at once)."""
        self.app = app
        self.grouping = grouping
        self.queued = queued
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._writing = False  # whether a caller has the writer's turn

    def receive(self, command: ReceiveRepayment) -> Written:
        if not self.grouping:
            return receive_repayment(self.app, command)
        waiting = _Waiting(command)
        with self._lock:
            self._queue.append(waiting)
            if self.queued is not None:
                self.queued(len(self._queue))
            turn = not self._writing
            self._writing = True
        if not turn:
            waiting.woken.wait()  # answered, or handed the turn with its command unwritten
        if not waiting.answered:
            self._take_turn()
        return waiting.result()

    def _take_turn(self) -> None:
        """Write every command queued, this caller's among them; then hand the turn to
        the first command queued meanwhile, if any."""
        with self._lock:
            group, self._queue = self._queue, []
        try:
            self._write(group)
        except BaseException as error:  # answered to each caller; never left waiting
            for waiting in group:
                if not waiting.answered:
                    waiting.answer(error=error)
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].woken.set()
                else:
                    self._writing = False

    def _write(self, group: list[_Waiting]) -> None:
        if len(group) > 1:
            self._write_together(group)
        for waiting in group:  # in arrival order: what the group left, one at a time
            if not waiting.answered:
                try:
                    waiting.answer(receive_repayment(self.app, waiting.command))
                except Exception as error:  # the caller's own error, raised in its thread
                    waiting.answer(error=error)

    def _write_together(self, group: list[_Waiting]) -> None:
        app = self.app
        # Reach and borrowers were checked before the commands were queued.
        commands = list(enumerate(waiting.command for waiting in group))
        try:
            today = business_date(app, group[0].command.actor)
            for outcome in receive_together(app, commands, today, reach=None, cached=True):
                for index, written in outcome.received.items():
                    group[index].answer(written)
        except OperationalError as error:  # nothing unanswered was saved: one at a time
            log.warning("a group of repayments was not saved together: %s", error)
