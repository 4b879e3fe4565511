"""`lending publisher`: the business event feed, a process of its own."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer

from infrastructure.publisher import FeedOptions, Publisher
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from infrastructure.webhooks import Deliverer, DeliveryOptions
from projections.webhooks import WebhooksView


def feed_options(settings: Settings) -> FeedOptions:
    return FeedOptions(
        nats_url=settings.nats_url,
        stream=settings.nats_stream,
        subject_prefix=settings.nats_subject_prefix,
        source=settings.event_source,
        ack_timeout=settings.nats_ack_timeout,
    )


def delivery_options(settings: Settings) -> DeliveryOptions:
    return DeliveryOptions(
        source=settings.event_source,
        timeout=settings.webhook_timeout,
        retry_for=settings.webhook_retry_for,
        backoff_first=settings.webhook_backoff_first,
        backoff_most=settings.webhook_backoff_max,
        allow_private=settings.webhooks_may_be_private,
    )


def deliverer(runtime: Runtime) -> Deliverer:
    webhooks = runtime.projections.views[WebhooksView.name]
    assert isinstance(webhooks, WebhooksView)
    options = delivery_options(runtime.settings)
    return Deliverer(runtime.app, webhooks, runtime.feed_tracking, runtime.webhook_box,
                     runtime.url, options)  # fmt: skip


def publisher_command(
    broker: Annotated[bool, typer.Option(help="Publish to NATS JetStream.")] = True,
    webhooks: Annotated[bool, typer.Option(help="Deliver to the webhooks.")] = True,
) -> None:
    """Publish the business events (CloudEvents JSON) to NATS JetStream and deliver them
    to the webhooks, each from where it stopped, until stopped; a broker or an endpoint
    that is down is retried until it is back."""
    logging.basicConfig(level=logging.INFO)
    settings = Settings()
    runtime = Runtime.open(settings)
    runners: list[Publisher | Deliverer] = []
    if broker:
        options = feed_options(settings)
        runners.append(Publisher(runtime.app, runtime.feed_tracking, runtime.url, options))
    if webhooks:
        runners.append(deliverer(runtime))

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGINT):  # one handler per signal: all stop
            loop.add_signal_handler(number, lambda: [runner.stop() for runner in runners])
        await asyncio.gather(*(runner.run() for runner in runners))

    try:
        asyncio.run(run())
    finally:
        runtime.close()
