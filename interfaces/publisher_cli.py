"""`lending publisher`: the business event feed, a process of its own."""

from __future__ import annotations

import asyncio
import logging
import signal

from infrastructure.publisher import FeedOptions, Publisher
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings


def feed_options(settings: Settings) -> FeedOptions:
    return FeedOptions(
        nats_url=settings.nats_url,
        stream=settings.nats_stream,
        subject_prefix=settings.nats_subject_prefix,
        source=settings.event_source,
        ack_timeout=settings.nats_ack_timeout,
    )


def publisher_command() -> None:
    """Publish the business events (CloudEvents JSON) to NATS JetStream, from where it
    stopped, until stopped; a broker that is down is retried until it is back."""
    logging.basicConfig(level=logging.INFO)
    settings = Settings()
    runtime = Runtime.open(settings)
    publisher = Publisher(runtime.app, runtime.feed_tracking, runtime.url, feed_options(settings))

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, publisher.stop)
        await publisher.run()

    try:
        asyncio.run(run())
    finally:
        runtime.close()
