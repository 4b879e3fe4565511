"""The business event publisher: events per second catching up on a store, against the
same payloads published straight to JetStream in the same run, and the latency from a
command's commit to the broker (p99 target: under 200 ms)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime

import nats
import orjson
import pytest

from application.demo import load_demo
from infrastructure.publisher import FeedOptions, Message, message
from infrastructure.runtime import Runtime
from tests.benchmarks.baseline import InsertRate, ms, percentile
from tests.support.books import define, open_loan
from tests.support.broker import PublisherThread, read_stream

LATENCY_LOANS = 60
LATENCY_TARGET = 0.200


def feed_of(nats_url: str) -> FeedOptions:
    name = uuid.uuid4().hex[:10]
    return FeedOptions(nats_url=nats_url, stream=f"B{name}", subject_prefix=f"b{name}")


def business_messages(runtime: Runtime, options: FeedOptions) -> list[Message]:
    found = [message(at, event, options) for page in runtime.projections.pages()
             for event, at in page]  # fmt: skip
    return [m for m in found if m is not None]


def raw_publish_rate(options: FeedOptions, messages: list[Message]) -> float:
    """The same messages published straight to JetStream, one at a time, each acked."""

    async def publish() -> float:
        connection = await nats.connect(options.nats_url)
        js = connection.jetstream()
        await js.add_stream(name=options.stream, subjects=[f"{options.subject_prefix}.>"])
        began = time.perf_counter()
        for found in messages:
            subject = options.subject_prefix + found.subject[found.subject.index(".") :]
            await js.publish(subject, found.body, headers={"Nats-Msg-Id": found.id})
        elapsed = time.perf_counter() - began
        await connection.close()
        return len(messages) / elapsed

    return asyncio.run(publish())


class Arrivals:
    """Each message's arrival at a plain subscriber, against the event's recorded time."""

    def __init__(self, options: FeedOptions) -> None:
        self.options = options
        self.latencies: list[float] = []
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._run(),))
        self.stopping: asyncio.Event | None = None

    async def _run(self) -> None:
        self.stopping = asyncio.Event()
        connection = await nats.connect(self.options.nats_url)

        async def arrived(msg: nats.aio.msg.Msg) -> None:
            recorded = datetime.fromisoformat(orjson.loads(msg.data)["time"])
            self.latencies.append(time.time() - recorded.timestamp())

        await connection.subscribe(f"{self.options.subject_prefix}.>", cb=arrived)
        await connection.flush()
        self.ready.set()
        await self.stopping.wait()
        await connection.drain()

    def __enter__(self) -> Arrivals:
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        assert self.stopping is not None
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(10)


@pytest.mark.timeout(900)
def test_feed_rate(
    runtime: Runtime,
    nats_url: str,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    load_demo(runtime.app, borrowers=200)
    head = runtime.projections.head()
    options = feed_of(nats_url)
    wanted = business_messages(runtime, options)
    print(f"\nfeed: {head} events, {len(wanted)} business events")

    began = time.perf_counter()
    with PublisherThread(runtime, options):
        seen = read_stream(options, len(wanted), timeout=60)
        elapsed = time.perf_counter() - began
    assert len(seen) == len(wanted)
    rate = len(wanted) / elapsed
    raw = raw_publish_rate(feed_of(nats_url), wanted)
    baseline = insert_baseline(1, 3.0)
    report(
        "publisher_catch_up",
        f"{rate:.0f} business events/s ({head / elapsed:.0f} store events/s, "
        f"{len(wanted)} messages in {elapsed:.2f} s)",
        f"raw JetStream publish {raw:.0f} msgs/s; {baseline.per_second()}",
        rate / raw,
    )

    define(runtime, "FEED")
    live = feed_of(nats_url)
    with Arrivals(live) as arrivals, PublisherThread(runtime, live):
        read_stream(live, 0)  # the stream exists before the first command
        for _ in range(LATENCY_LOANS):
            open_loan(runtime, runtime.app.opening_date or datetime.now().date(), code="FEED")
        expected = len(business_messages(runtime, live)) - len(wanted)
        read_stream(live, len(wanted) + expected, timeout=60)
    p50, p99 = percentile(arrivals.latencies, 0.5), percentile(arrivals.latencies, 0.99)
    report(
        "commit_to_broker",
        f"p99 {ms(p99)}, p50 {ms(p50)} ({len(arrivals.latencies)} messages)",
        baseline.per_insert(),
        p99 / baseline.round_trip,
        target="p99 < 200 ms",
        met=p99 < LATENCY_TARGET,
    )
    assert p99 < LATENCY_TARGET
