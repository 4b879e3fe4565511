"""Reminders over the seeded store (tests/benchmarks/seed.py; 100,000 loans, 5% due each
day of 1 to 20 March): close of business for 2 March decides that day's notices (T-3
for 5 March, the due date, T+1 for 1 March: 15% of the loans), then the sender sends
every one as an SMS to a gateway on loopback (a process of its own, as a provider's
is), at 10:00 lender time.

Target (issue 17): a full COB day with its notices, under 60 s for 100,000 loans with
5,000 due. The baseline: the same number of single-row INSERTs as notices sent, the
least a store that records each notice must do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime

import psycopg
import pytest

from application.close_of_business import CloseOfBusiness, close_of_business
from domain.notifications import Channel
from infrastructure.notice_channels import SmsGateway, SmtpMailer
from infrastructure.notifier import NoticeSender, Notifier
from infrastructure.runtime import Runtime
from tests.benchmarks.baseline import InsertRate
from tests.benchmarks.seed import ADMIN, LOANS, settings_for
from tests.support.gateway_process import sms_gateway_process
from tests.support.notice_servers import smtp_server

DAY = date(2026, 3, 2)
TARGET = 60.0
TEN_IN_BEIJING = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def count(url: str, where: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM notifications WHERE {where}").fetchone()
    return int(row[0]) if row else 0


@pytest.mark.timeout(3600)
def test_a_cob_day_of_reminders(
    seeded: str,
    tmp_path_factory: pytest.TempPathFactory,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    runtime = Runtime.open(settings_for(seeded, tmp_path_factory.mktemp("data")))
    runtime.projections.start()
    runtime.projections.wait(runtime.projections.head(), timeout=600)
    # The seed's close of business decided notices no sender sent: not this day's work.
    with psycopg.connect(seeded, autocommit=True) as conn:
        conn.execute("DELETE FROM notifications")
    notifier = Notifier(runtime.app, runtime.feed_tracking)
    notifier.catch_up()  # the seed's own events (stale by now): before the clock starts
    try:
        with sms_gateway_process() as gateway, smtp_server() as mailbox:
            channels = {
                Channel.SMS: SmsGateway(gateway.url, gateway.key, {}),
                Channel.EMAIL: SmtpMailer(mailbox.host, mailbox.port, "bench@lender.example"),
            }
            sender = NoticeSender(runtime.app, runtime.feed_tracking, channels,
                                  "Asia/Shanghai", None, lambda: TEN_IN_BEIJING)  # fmt: skip
            before = gateway.received()
            began = time.perf_counter()
            steps = runtime.close_of_business_steps()
            close_of_business(runtime.app, CloseOfBusiness(ADMIN, DAY, steps))
            decided_at = time.perf_counter()
            runtime.projections.wait(runtime.projections.head(), timeout=600)
            notifier.catch_up()
            while sender.send_due(1000):
                pass
            elapsed = time.perf_counter() - began
            sent = gateway.received() - before
    finally:
        runtime.close()
    decided = count(seeded, f"business_date = '{DAY}'")
    assert sent == count(seeded, "status = 'sent'")
    assert sent >= LOANS * 15 // 100 * 9 // 10  # the seed's 15%, bar loans paid off
    cob = decided_at - began
    baseline = insert_baseline(1, 3.0)
    ratio = elapsed / (sent * baseline.round_trip)
    print(
        report(
            f"reminders, COB day over {LOANS} loans",
            f"{elapsed:.1f} s for {decided} notices decided, {sent} SMS sent "
            f"(COB {cob:.1f} s, sending {sent / (elapsed - cob):.0f}/s)",
            baseline.per_insert(),
            ratio,
            f"under {TARGET:.0f} s at 100,000 loans"
            + ("" if LOANS == 100_000 else f" (this run: {LOANS}, not judged)"),
            elapsed < TARGET or LOANS != 100_000,
        )
    )
    assert elapsed < TARGET * 10  # fails only when badly slow
