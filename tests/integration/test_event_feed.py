"""The business event feed on a real NATS JetStream: every event at least once, in order
per loan, with no gaps, across a crash of the publisher and a broker that is down."""

from __future__ import annotations

import signal
import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from nats.js import JetStreamContext

from application.repayments import ReceiveRepayment, receive_repayment
from infrastructure.publisher import FeedOptions, Message, Publisher, message
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.api import client, runtime_of
from tests.support.books import close_through, define, open_loan
from tests.support.broker import PublisherThread, Received, nats_server, read_stream
from tests.support.processes import free_port, lending, lending_env
from tests.support.settings import opened_on

OPENED = date(2026, 1, 15)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return opened_on(db_url, tmp_path, OPENED)


@pytest.fixture
def feed(nats_url: str) -> FeedOptions:
    """A stream and subjects of this test's own on the session's broker."""
    name = uuid.uuid4().hex[:10]
    return FeedOptions(nats_url=nats_url, stream=f"T{name}", subject_prefix=f"t{name}")


class Crash(BaseException):
    """The publisher's process dying: nothing after it runs, not even the retry loop."""


def crashing_after(sends: int) -> type[Publisher]:
    class Crashing(Publisher):
        async def send(self, stream: JetStreamContext, found: Message) -> None:
            if self.published == sends:
                raise Crash
            await super().send(stream, found)

    return Crashing


def loans_with_history(runtime: Runtime, count: int) -> list[UUID]:
    """`count` loans paid out on the opening day; the first repaid in part."""
    loans = [open_loan(runtime, OPENED) for _ in range(count)]
    reference = f"P-{loans[0]}"
    command = ReceiveRepayment("collector", loans[0], Decimal("500.00"), OPENED, "bank", reference)
    receive_repayment(runtime.app, command)
    return loans


def expected(runtime: Runtime, options: FeedOptions) -> list[Message]:
    """What the store holds that is a business event, in store order."""
    found = [message(at, event, options) for page in runtime.projections.pages()
             for event, at in page]  # fmt: skip
    return [m for m in found if m is not None]


def assert_complete(seen: list[Received], wanted: list[Message]) -> None:
    """Every wanted event at least once, none other, and per loan in store order."""
    assert {r.event["id"] for r in seen} == {m.id for m in wanted}
    first: dict[str, list[int]] = defaultdict(list)
    for received in seen:
        positions = first[received.event["subject"]]
        if received.position not in positions:
            positions.append(received.position)
    for positions in first.values():
        assert positions == sorted(positions)


def test_a_crash_mid_page_loses_nothing_and_reorders_nothing(
    runtime: Runtime, feed: FeedOptions
) -> None:
    define(runtime)
    loans_with_history(runtime, 3)
    before = expected(runtime, feed)
    with PublisherThread(runtime, feed, crashing_after(4)) as crashed:
        crashed.thread.join(timeout=30)
    assert isinstance(crashed.failure, Crash)
    assert runtime.feed_tracking.position() == 0  # nothing acked as a page: all goes again
    assert len(read_stream(feed, 4, timeout=5)) == 4

    loans_with_history(runtime, 2)  # written while no publisher runs
    wanted = expected(runtime, feed)
    assert len(wanted) > len(before)
    with PublisherThread(runtime, feed):
        seen = read_stream(feed, len(wanted))
    assert_complete(seen, wanted)
    assert [r.position for r in seen] == [int(m.id) for m in wanted]  # the broker deduped
    assert runtime.feed_tracking.position() >= int(wanted[-1].id)


def test_the_messages_are_cloud_events_without_personal_data(
    runtime: Runtime, feed: FeedOptions
) -> None:
    define(runtime)
    loan = open_loan(runtime, OPENED)
    runtime.projections.start()  # close of business asks the read models
    close_through(runtime, date(2026, 3, 1))  # the February installment is late
    wanted = expected(runtime, feed)
    with PublisherThread(runtime, feed):
        seen = read_stream(feed, len(wanted))
    types = [r.event["type"] for r in seen]
    assert types[:3] == ["com.lending.loan.submitted", "com.lending.loan.approved",
                         "com.lending.loan.disbursed"]  # fmt: skip
    assert "com.lending.installment.overdue" in types
    assert "com.lending.loan.delinquency_changed" in types
    disbursed = seen[2]
    assert disbursed.subject == f"{feed.subject_prefix}.loan.disbursed"
    event: dict[str, Any] = disbursed.event
    assert event["specversion"] == "1.0"
    assert event["subject"] == str(loan)
    assert event["source"] == feed.source
    assert event["data"]["principal"] == "12000.00"
    body = str([r.event for r in seen])
    for personal in ("13800138000", "42010619850312", "stock"):  # phone, id number, purpose
        assert personal not in body


def test_lending_publisher_killed_and_restarted_delivers_every_event(
    runtime: Runtime, settings: Settings, feed: FeedOptions
) -> None:
    define(runtime)
    loans_with_history(runtime, 3)
    env = lending_env(settings, LENDING_NATS_URL=feed.nats_url, LENDING_NATS_STREAM=feed.stream,
                      LENDING_NATS_SUBJECT_PREFIX=feed.subject_prefix)  # fmt: skip
    first = lending("publisher", env=env)
    try:
        assert len(read_stream(feed, 3)) == 3
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    loans_with_history(runtime, 2)
    wanted = expected(runtime, feed)
    second = lending("publisher", env=env)
    try:
        seen = read_stream(feed, len(wanted))
    finally:
        second.terminate()
        assert second.wait(timeout=20) == 0
    assert_complete(seen, wanted)


def test_a_broker_that_is_down_stops_no_command_and_is_caught_up_with(
    settings: Settings, feed: FeedOptions
) -> None:
    port = free_port()  # nothing listens there yet
    down = FeedOptions(nats_url=f"nats://127.0.0.1:{port}", stream=feed.stream,
                       subject_prefix=feed.subject_prefix)  # fmt: skip
    api: TestClient
    with client(settings) as api:
        runtime = runtime_of(api)
        define(runtime)
        with PublisherThread(runtime, down):
            loans_with_history(runtime, 2)  # commands work while the broker is down
            health = api.get("/health").json()
            assert health["publisher"] == {"position": 0, "lag": runtime.projections.head()}
            with nats_server(port):  # the broker is back
                wanted = expected(runtime, down)
                seen = read_stream(down, len(wanted))
                assert_complete(seen, wanted)
        assert api.get("/health").json()["publisher"]["lag"] == 0
