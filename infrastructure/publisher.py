"""The business event publisher: the event store is the outbox, NATS JetStream the broker.

It follows the store as the read models do, from its own tracking position
(projections/feed_tracking.py), woken by the store's NOTIFY. Each stored event that is a
business event (application/feed.py) goes out as a CloudEvents 1.0 JSON message
(structured mode) on `<prefix>.<type>`, e.g. `lending.loan.disbursed`, in a stream that
holds `<prefix>.>`. Messages are published one at a time, in store order, each waiting
for the broker's ack, and the tracking position moves only once a page's messages are
all acked: a crash publishes the unacked tail again. The message id is the store
position, sent as `Nats-Msg-Id` too, so JetStream drops a repeat within its duplicate
window and a consumer dedupes on `id` beyond it. Delivery is at least once, in order per
loan (and in store order overall).

The broker, or the database, down: the publisher logs it, waits (exponential backoff with
jitter, up to RETRY_MAX seconds) and starts again from its tracking position. Commands
never wait for it: it is a process of its own.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import nats
import orjson
import psycopg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from psycopg.sql import SQL, Identifier

from application.app import LendingApplication
from application.feed import BusinessEvent, business_event, may_be_business
from projections.feed_tracking import PUBLISHER, FeedTracking

log = logging.getLogger(__name__)
PAGE = 100
TYPE_PREFIX = "com.lending."
RETRY_MIN, RETRY_MAX = 0.1, 5.0
# Seconds JetStream remembers a message id to drop a repeat of it.
DUPLICATE_WINDOW = 120.0


@dataclass(frozen=True)
class FeedOptions:
    nats_url: str = "nats://127.0.0.1:4222"
    stream: str = "LENDING"
    subject_prefix: str = "lending"
    source: str = "urn:lending-core"
    ack_timeout: float = 5.0
    page: int = PAGE


@dataclass(frozen=True)
class Message:
    id: str
    subject: str
    body: bytes


def cloud_event(position: int, found: BusinessEvent, source: str) -> dict[str, Any]:
    """The CloudEvents 1.0 structured form of `found`, stored at `position`."""
    return {
        "specversion": "1.0",
        "id": str(position),
        "source": source,
        "type": TYPE_PREFIX + found.type,
        "subject": found.subject,
        "time": found.time.isoformat(),
        "datacontenttype": "application/json",
        "data": found.data,
    }


def candidates_after(app: LendingApplication, position: int, limit: int) -> list[tuple[Any, int]]:
    """Up to `limit` stored events after `position`, each with its position; those whose
    topic is no business event's are left undecoded (None), which is most of the cost."""
    found = app.recorder.select_notifications(start=position, limit=limit, inclusive_of_start=False)
    decode = app.mapper.to_domain_event
    return [(decode(n) if may_be_business(n.topic) else None, n.id) for n in found]


def message(position: int, event: Any, options: FeedOptions) -> Message | None:
    found = business_event(event)
    if found is None:
        return None
    body = orjson.dumps(cloud_event(position, found, options.source))
    return Message(str(position), f"{options.subject_prefix}.{found.type}", body)


async def store_notices(
    app: LendingApplication, database_url: str, notice: Callable[[], None]
) -> None:
    """Call `notice` once LISTENing, and at each NOTIFY of the store (new events)."""
    channel = app.recorder.channel_name  # type: ignore[attr-defined]
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        await conn.execute(SQL("LISTEN {}").format(Identifier(channel)))
        notice()  # anything recorded before the LISTEN
        async for _ in conn.notifies():
            notice()


async def _quiet(error: Exception) -> None:
    """The client's own error report: run() logs the failure once, without a trace."""
    log.debug("nats: %s", error)


async def ensure_stream(stream: JetStreamContext, options: FeedOptions) -> None:
    """The stream, made if missing: a consumer may make it first, with the same form."""
    try:
        await stream.stream_info(options.stream)
    except NotFoundError:
        await stream.add_stream(
            name=options.stream,
            subjects=[f"{options.subject_prefix}.>"],
            duplicate_window=DUPLICATE_WINDOW,
        )


class Backoff:
    """Exponential, with full jitter: a fleet of publishers does not retry in step."""

    def __init__(self, first: float = RETRY_MIN, most: float = RETRY_MAX) -> None:
        self.first, self.most, self.attempt = first, most, 0

    def next(self) -> float:
        ceiling = min(self.most, self.first * 2**self.attempt)
        self.attempt += 1
        return random.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.attempt = 0


class Publisher:
    """`run()` until `stop()`; `published` counts messages acked, `error` says why it is
    retrying (None while it publishes)."""

    def __init__(
        self, app: LendingApplication, tracking: FeedTracking, database_url: str,
        options: FeedOptions,
    ) -> None:  # fmt: skip
        self.app = app
        self.tracking = tracking
        self.database_url = database_url
        self.options = options
        self.published = 0
        self.error: str | None = None
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    async def run(self) -> None:
        backoff = Backoff()
        while not self._stop.is_set():
            try:
                await self._connected(backoff)
            except Exception as error:  # the broker or the database: retry, then catch up
                self.error = f"{type(error).__name__}: {error}"
                log.warning("publisher retrying: %s", self.error)
                await self._pause(backoff.next())

    async def _connected(self, backoff: Backoff) -> None:
        # One attempt per call (the client would retry a refused connect for ever);
        # run() retries with its own backoff, which a stop interrupts.
        connection = await nats.connect(
            self.options.nats_url, allow_reconnect=False, connect_timeout=2,
            max_reconnect_attempts=1, reconnect_time_wait=0, error_cb=_quiet,
        )  # fmt: skip
        listening = asyncio.create_task(store_notices(self.app, self.database_url, self._wake.set))
        try:
            stream = connection.jetstream(timeout=self.options.ack_timeout)
            await ensure_stream(stream, self.options)
            backoff.reset()
            self.error = None
            await self._follow(stream)
        finally:
            listening.cancel()
            await connection.close()

    async def _follow(self, stream: JetStreamContext) -> None:
        position = await asyncio.to_thread(self.tracking.position, PUBLISHER)
        while not self._stop.is_set():
            self._wake.clear()  # before reading: an event recorded meanwhile wakes us again
            page = await asyncio.to_thread(candidates_after, self.app, position, self.options.page)
            if not page:
                await self._woken()
                continue
            acked = position
            for event, at in page:
                if self._stop.is_set():
                    break  # stopping: the page's tail goes out after a restart
                found = None if event is None else message(at, event, self.options)
                if found is not None:
                    await self.send(stream, found)
                    self.published += 1
                acked = at
            if acked > position:
                await asyncio.to_thread(self.tracking.advance, acked, PUBLISHER)
                position = acked

    async def send(self, stream: JetStreamContext, found: Message) -> None:
        await stream.publish(
            found.subject,
            found.body,
            timeout=self.options.ack_timeout,
            stream=self.options.stream,
            headers={"Nats-Msg-Id": found.id, "Content-Type": "application/cloudevents+json"},
        )

    async def _woken(self) -> None:
        # A NOTIFY wakes it at once; a lost LISTEN costs at most a second.
        with suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), 1.0)

    async def _pause(self, seconds: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
