"""`lending notifier`: reminders and notices, a process of its own."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer

from infrastructure.notice_channels import channels
from infrastructure.notifier import NoticeSender, Notifier, run
from infrastructure.publisher import store_notices
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings


def notifier_command(
    every: Annotated[float, typer.Option(help="Seconds between rounds at most.")] = 30.0,
) -> None:
    """Decide the notices the store's events call for and send the queued ones (SMS
    held in quiet hours to 08:00 lender time), until stopped."""
    logging.basicConfig(level=logging.INFO)
    settings = Settings()
    runtime = Runtime.open(settings)
    notifier = Notifier(runtime.app, runtime.feed_tracking)
    sender = NoticeSender(runtime.app, runtime.feed_tracking, channels(settings),
                          settings.notify_timezone, settings.staff_email_domain,
                          workers=settings.notifier_workers)  # fmt: skip

    async def main() -> None:
        stop, wake = asyncio.Event(), asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, lambda: (stop.set(), wake.set()))
        listening = asyncio.create_task(store_notices(runtime.app, runtime.url, wake.set))
        try:
            await run(notifier, sender, stop, wake, every)
        finally:
            listening.cancel()

    try:
        asyncio.run(main())
    finally:
        runtime.close()
