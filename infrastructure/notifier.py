"""The notifier: follows the store for the events that call for a notice, and sends the
queued notices when they may go out.

`Notifier.catch_up` reads the store from its own tracking row (`feed_tracking`,
`notifier`), decodes only the events that may call for a notice (a disbursement, a
payment received, a broken promise, a risk warning), and records the notices decided
with its position in one transaction (projections/notifications.py `queue_tracked`): a
crash decides them again and the dedupe keys keep one of each.

`NoticeSender.send_due` sends the queued notices that may go out at its clock's time
(the clock is injected: tests pass a fixed time, never sleep). `run` does both until
stopped, woken by the store's NOTIFY and at least every `every` seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import UTC, datetime
from queue import Empty, Queue
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.postgres import PostgresDatastore

from application.app import LendingApplication
from application.calendar import business_date
from application.contacts import Contact, contacts
from application.notice_delivery import Queued, Sender, after_failures, deliver
from application.notices import Decided, Policies, notices_for_event
from domain.notifications import Channel, Stage
from projections import notifications as table
from projections.feed_tracking import FeedTracking

log = logging.getLogger(__name__)
NOTIFIER = "notifier"
TOPICS = ("Loan.Disbursed", "Repayment.Received", "CollectionCase.PromiseBroken",
          "RiskWarning.Raised")  # fmt: skip
Clock = Callable[[], datetime]


def new_notices(decided: list[Decided]) -> list[table.NewNotice]:
    return [
        table.NewNotice(
            dedupe_key=d.notice.dedupe_key, loan_id=d.notice.loan_id, borrower_id=d.borrower_id,
            installment=d.notice.installment, stage=d.notice.stage.value,
            channel=d.notice.channel.value, template=d.notice.template,
            status="suppressed" if d.notice.suppressed else "queued", reason=d.notice.suppressed,
            business_date=d.business_date, position=d.position,
            recipient_kind="staff" if d.staff_id else "borrower", staff_id=d.staff_id,
            amount=d.amount, due_date=d.due_date,
        )
        for d in decided
    ]  # fmt: skip


class Notifier:
    def __init__(self, app: LendingApplication, tracking: FeedTracking, page: int = 500):
        self.app, self.tracking, self.page = app, tracking, page

    def catch_up(self) -> int:
        """Decide the notices of every event recorded so far; the position reached."""
        position = self.tracking.position(NOTIFIER)
        policies = Policies(self.app)
        today = business_date(self.app)
        datastore = self.tracking.datastore

        def officers(loan_id: object) -> list[str]:
            return table.risk_officers(datastore, loan_id)  # type: ignore[arg-type]

        while True:
            found = self.app.recorder.select_notifications(
                start=position, limit=self.page, inclusive_of_start=False
            )
            if not found:
                return position
            decided: list[Decided] = []
            for stored in found:
                if stored.topic.rpartition(":")[2] in TOPICS:
                    event = self.app.mapper.to_domain_event(stored)
                    decided += notices_for_event(
                        self.app, event, stored.id, policies, officers, today
                    )
            position = found[-1].id
            table.queue_tracked(self.tracking, new_notices(decided), NOTIFIER, position)


class NoticeSender:
    def __init__(
        self, app: LendingApplication, tracking: FeedTracking, channels: dict[Channel, Sender],
        timezone: str, staff_domain: str | None, clock: Clock = lambda: datetime.now(UTC),
        workers: int = 16,
    ) -> None:  # fmt: skip
        self.workers = workers
        self.app, self.datastore, self.channels = app, tracking.datastore, channels
        self.zone, self.staff_domain, self.clock = ZoneInfo(timezone), staff_domain, clock

    def staff_email(self, username: str) -> str | None:
        return f"{username}@{self.staff_domain}" if self.staff_domain else None

    def send_due(self, limit: int = 500) -> int:
        """Send (or suppress, or hold to the morning) what may go out now; how many."""
        now = self.clock()
        local = now.astimezone(self.zone)
        policies = Policies(self.app)
        rows = table.queued(self.datastore, now, limit)

        done: Queue[table.Settled | None] = Queue()

        def send(row: dict[str, Any]) -> None:
            try:
                done.put(self._sent(row, now, local, policies, known))
            except BaseException:
                done.put(None)  # settled as nothing; the error is raised below
                raise

        # The page's borrowers read together, not one each as its notice goes (notices to
        # staff need no borrower's contact).
        borrowers = list({r["borrower_id"]: None for r in rows
                          if r["borrower_id"] and not r["staff_id"]})  # fmt: skip
        known = dict(zip(borrowers, contacts(self.app, borrowers), strict=True))
        # Several at a time: a gateway's answer takes far longer than deciding. What each
        # became is recorded as soon as this thread takes it, with whatever else is done
        # by then (one transaction), so a crash sends again at most those in flight.
        with ThreadPoolExecutor(self.workers) as pool:
            sending = [pool.submit(send, row) for row in rows]
            _settle_as_done(self.datastore, done, len(rows))
            for future in sending:
                future.result()
        return len(rows)

    def _sent(
        self, row: dict[str, Any], now: datetime, local: datetime, policies: Policies,
        known: dict[UUID, Contact | None],
    ) -> table.Settled:  # fmt: skip
        notice = Queued(
            row["id"], row["loan_id"], row["borrower_id"], Stage(row["stage"]),
            Channel(row["channel"]), row["template"], row["product_code"], row["paid"],
            row["amount_due"], row["due_date"], row["staff_id"],
        )  # fmt: skip
        outcome = deliver(self.app, notice, local, self.channels, policies, self.staff_email, known)
        failures = row["failures"] + (1 if outcome.transient else 0)
        outcome = after_failures(outcome, failures, local)
        after = outcome.send_after.astimezone(UTC) if outcome.send_after else None
        sent_at = now if outcome.status == "sent" else None
        return table.Settled(row["id"], outcome.status, outcome.reason, outcome.recipient,
                             sent_at, after, failures)  # fmt: skip


def _settle_as_done(
    datastore: PostgresDatastore, done: Queue[table.Settled | None], count: int
) -> None:
    """Record `count` outcomes as they come: all those waiting, in one transaction."""
    while count:
        batch = [done.get()]
        with suppress(Empty):
            while len(batch) < count:
                batch.append(done.get_nowait())
        count -= len(batch)
        table.settle(datastore, [settled for settled in batch if settled is not None])


async def run(notifier: Notifier, sender: NoticeSender, stop: asyncio.Event,
              wake: asyncio.Event, every: float = 30.0) -> None:  # fmt: skip
    """Decide and send until `stop`; `wake` (the store's NOTIFY) makes it look at once."""
    while not stop.is_set():
        wake.clear()
        try:
            await asyncio.to_thread(notifier.catch_up)
            await asyncio.to_thread(sender.send_due)
        except Exception:  # the database or a channel: try again at the next wake-up
            log.exception("notifier: stopped a round; trying again")
        with suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), every)
