"""The webhook deliverer: each webhook follows the store on its own, and gets each
business event it asked for as a signed HTTP POST of the event's CloudEvent JSON.

One task per webhook, each with its own tracking row (`webhook:<id>`) and HTTP timeout,
so a slow or failing endpoint holds up only itself: never a command (this runs in the
publisher's process) and never another webhook. Per webhook, events go in store order,
one at a time: a failure (no answer, or not 2xx) is tried again after an exponential
backoff with jitter, for `retry_for` seconds (24 h) from the first attempt, then the
event is dead-lettered and the next one goes. Every attempt is a row of the
`webhook_deliveries` read model, written with the tracking row when the event is done.

A replay (`POST /webhooks/{id}/replay`) moves the webhook back to `from_position` and
delivers from there again; the webhook's tracking row `webhook-replay:<id>` remembers
the last replay done.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import orjson

from application.app import LendingApplication
from application.feed import business_event
from infrastructure.publisher import Backoff, candidates_after, cloud_event, store_notices
from infrastructure.webhook_security import SecretBox, check_destination, signature
from projections.feed_tracking import FeedTracking
from projections.webhook_deliveries import Attempt, follower_name, record
from projections.webhooks import Subscriber, WebhooksView

log = logging.getLogger(__name__)
PAGE = 100
Clock = Callable[[], float]


@dataclass(frozen=True)
class DeliveryOptions:
    source: str = "urn:lending-core"
    timeout: float = 10.0
    retry_for: float = 24 * 3600.0
    backoff_first: float = 5.0
    backoff_most: float = 3600.0
    allow_private: bool = False


def replay_name(webhook_id: object) -> str:
    return f"webhook-replay:{webhook_id}"


class Deliverer:
    """`run()` until `stop()`: a task per webhook the `webhooks` read model lists."""

    def __init__(
        self, app: LendingApplication, webhooks: WebhooksView, tracking: FeedTracking,
        box: SecretBox, database_url: str, options: DeliveryOptions, clock: Clock = time.time,
    ) -> None:  # fmt: skip
        self.app, self.webhooks, self.tracking, self.box = app, webhooks, tracking, box
        self.database_url, self.options, self.clock = database_url, options, clock
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._tasks: dict[object, tuple[Delivery, asyncio.Task[None]]] = {}

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for delivery, _ in self._tasks.values():
            delivery.stop()

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=self.options.timeout) as client:
            listening = asyncio.create_task(self._listen())
            try:
                while not self._stop.is_set():
                    self._wake.clear()
                    try:
                        await self._refresh(client)
                    except Exception:  # the database: try again at the next wake-up
                        log.exception("webhooks: the subscribers could not be read")
                    await _woken(self._wake, 1.0)
            finally:
                listening.cancel()
                for delivery, _ in self._tasks.values():
                    delivery.stop()
                # A delivery under way finishes (within its timeout) and records its answer.
                tasks = [task for _, task in self._tasks.values()]
                if tasks:
                    _, left = await asyncio.wait(tasks, timeout=self.options.timeout + 1)
                    for task in left:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)

    async def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                await store_notices(self.app, self.database_url, self._notice)
            except Exception:
                log.warning("webhooks: lost the store's notices; listening again")
                await _woken(self._stop, 1.0)

    def _notice(self) -> None:
        self._wake.set()
        for delivery, _ in self._tasks.values():
            delivery.wake.set()

    async def _refresh(self, client: httpx.AsyncClient) -> None:
        for subscriber in await asyncio.to_thread(self.webhooks.subscribers):
            running = self._tasks.get(subscriber.id)
            replay = subscriber.replay_position or 0
            if running is not None and replay <= running[0].replayed:
                continue
            if running is not None:
                running[0].stop()
                running[1].cancel()
                await asyncio.gather(running[1], return_exceptions=True)
            replayed = await asyncio.to_thread(self._replayed, subscriber)
            delivery = Delivery(self, subscriber, client, replayed)
            self._tasks[subscriber.id] = (delivery, asyncio.create_task(delivery.run()))

    def _replayed(self, subscriber: Subscriber) -> int:
        """Carry out a replay not yet done (move the webhook back); the last one done."""
        done = self.tracking.position(replay_name(subscriber.id))
        wanted = subscriber.replay_position or 0
        if wanted > done and subscriber.replay_from is not None:
            name = follower_name(subscriber.id)
            back = min(self.tracking.position(name), subscriber.replay_from - 1)
            self.tracking.reset(back, name)
            self.tracking.advance(wanted, replay_name(subscriber.id))
            log.info("webhook %s replays from position %s", subscriber.id, back + 1)
            return wanted
        return done


class Delivery:
    """One webhook's follower: its events in store order, each until done."""

    def __init__(
        self, deliverer: Deliverer, subscriber: Subscriber, client: httpx.AsyncClient,
        replayed: int,
    ) -> None:  # fmt: skip
        self.deliverer, self.subscriber, self.client = deliverer, subscriber, client
        self.replayed = replayed
        self.name = follower_name(subscriber.id)
        self.wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._secret = deliverer.box.open(subscriber.sealed_secret)

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()

    async def run(self) -> None:
        backoff = Backoff()
        while not self._stop.is_set():
            try:
                await self._follow()
            except Exception:  # the database: start again from the tracking row
                log.exception("webhook %s: delivery stopped; starting again", self.subscriber.id)
                await _woken(self._stop, backoff.next())

    async def _follow(self) -> None:
        tracking, app = self.deliverer.tracking, self.deliverer.app
        position = tracked = await asyncio.to_thread(tracking.position, self.name)
        while not self._stop.is_set():
            self.wake.clear()
            page = await asyncio.to_thread(candidates_after, app, position, PAGE)
            if not page:
                await _woken(self.wake, 1.0)
                continue
            for event, at in page:
                found = None if event is None else business_event(event)
                if found is not None and found.type in self.subscriber.event_types:
                    body = orjson.dumps(cloud_event(at, found, self.deliverer.options.source))
                    if not await self._deliver(at, found.type, body):
                        return  # stopped
                    tracked = at
                position = at
            if position > tracked:  # past events it does not want
                await asyncio.to_thread(tracking.advance, position, self.name)
                tracked = position

    async def _deliver(self, position: int, kind: str, body: bytes) -> bool:
        """Deliver until delivered or dead-lettered (True), or stopped (False)."""
        options, clock = self.deliverer.options, self.deliverer.clock
        backoff = Backoff(options.backoff_first, options.backoff_most)
        first = clock()
        attempt = 0
        while not self._stop.is_set():
            attempt += 1
            code, error, latency = await self._post(position, body)
            now = clock()
            delay = backoff.next()
            if code is not None and 200 <= code < 300:
                status, retry_at = "delivered", None
            elif now - first + delay > options.retry_for:
                status, retry_at = "dead_lettered", None
            else:
                status, retry_at = "failed", _at(now + delay)
            done = Attempt(self.subscriber.id, position, kind, attempt, status, code, latency,
                           error, _at(now), retry_at)  # fmt: skip
            await asyncio.to_thread(record, self.deliverer.tracking, done)
            if status != "failed":
                return True
            await _woken(self._stop, delay)
        return False

    async def _post(self, position: int, body: bytes) -> tuple[int | None, str | None, int]:
        """The answer's status code (None: none came), why it failed, and the latency (ms)."""
        url = self.subscriber.url
        began = time.perf_counter()
        try:
            if not self.deliverer.options.allow_private:
                await asyncio.to_thread(check_destination, url, False)
            stamp = int(self.deliverer.clock())
            headers = {
                "content-type": "application/json",
                "webhook-id": str(position),
                "webhook-timestamp": str(stamp),
                "webhook-signature": signature(self._secret, str(position), stamp, body),
            }
            # The answer's body is never read: an endpoint cannot make the deliverer wait
            # on, or hold, what it sends back.
            async with self.client.stream("POST", url, content=body, headers=headers) as answer:
                code = answer.status_code
                error = None if answer.is_success else "not a 2xx answer"
        except Exception as failure:  # no answer: timeout, refused, refused destination
            code, error = None, type(failure).__name__
        return code, error, round((time.perf_counter() - began) * 1000)


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


async def _woken(event: asyncio.Event, seconds: float) -> None:
    with suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
