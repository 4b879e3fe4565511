"""A real NATS JetStream server for the tests, a consumer of its stream, and the
publisher run in a thread of the test process."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, Self

import nats
import orjson

from infrastructure.publisher import FeedOptions, Publisher, ensure_stream
from infrastructure.runtime import Runtime

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


@contextmanager
def nats_server(port: int, timeout: float = 20.0) -> Iterator[str]:
    """`nats-server -js` on loopback `port`, its own store; its URL once it accepts."""
    with tempfile.TemporaryDirectory(prefix="nats-") as store:
        process = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", store],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _accepting(port, process, timeout)
            yield f"nats://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)


def _accepting(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"nats-server did not start on port {port}") from None


@dataclass(frozen=True)
class Received:
    """One message as a consumer of the stream saw it: the CloudEvent, decoded."""

    subject: str
    event: dict[str, Any]

    @property
    def position(self) -> int:
        return int(self.event["id"])


def read_stream(options: FeedOptions, count: int, timeout: float = 30.0) -> list[Received]:
    """The first `count` messages of the feed's stream, in stream order (fewer if none
    comes for `timeout` seconds). The stream is made if the publisher has not yet."""

    async def read() -> list[Received]:
        connection = await nats.connect(options.nats_url)
        try:
            js = connection.jetstream()
            await ensure_stream(js, options)
            subscription = await js.subscribe(
                f"{options.subject_prefix}.>", stream=options.stream, ordered_consumer=True
            )
            seen: list[Received] = []
            while len(seen) < count:
                try:
                    msg = await subscription.next_msg(timeout=timeout)
                except nats.errors.TimeoutError:
                    break
                seen.append(Received(msg.subject, orjson.loads(msg.data)))
            return seen
        finally:
            await connection.close()

    return asyncio.run(read())


class Runner(Protocol):
    async def run(self) -> None: ...

    def stop(self) -> None: ...


class LoopThread:
    """A runner (the publisher, the webhook deliverer) on its own event loop in a thread,
    as `lending publisher` runs them."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="runner", daemon=True)
        self.failure: BaseException | None = None

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self.runner.run())
        except BaseException as error:  # a test's injected crash ends the run here
            self.failure = error

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.runner.stop)
        self.thread.join(timeout=20)
        self.loop.close()


class PublisherThread(LoopThread):
    def __init__(
        self, runtime: Runtime, options: FeedOptions, publisher: type[Publisher] = Publisher
    ) -> None:
        self.publisher = publisher(runtime.app, runtime.feed_tracking, runtime.url, options)
        super().__init__(self.publisher)
