"""Reminders across a due date, against a real SMS gateway (HTTP on loopback) and a
real SMTP server: which SMS and emails go out, the paid installment's T+1 notice
suppressed, and nothing sent in quiet hours. The sender's clock is injected."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from application.offices import OpenOffice, head_office, open_office
from application.repayments import ReceiveRepayment, receive_repayment
from application.risk import raise_warnings
from application.staff.users import CreateUser, create_user
from domain.borrower import Profile
from domain.notifications import Channel
from domain.office import HEAD_OFFICE_ID
from domain.risk import Finding, Severity, WarningRule
from domain.staff import Role
from infrastructure.notice_channels import SmsGateway, SmtpMailer
from infrastructure.notifier import NoticeSender, Notifier
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from projections.notifications import every
from tests.support.books import close_through, define, open_loan
from tests.support.database import select
from tests.support.notice_servers import Gateway, Mailbox, sms_gateway, smtp_server
from tests.support.settings import opened_on

OPENED = date(2026, 1, 15)  # paid out; the first installment falls due on 15 February
DUE = date(2026, 2, 15)
BEIJING = ZoneInfo("Asia/Shanghai")
LI, WANG = "+8613800138001", "+8613900139002"  # as the borrowers' profiles hold them


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return opened_on(db_url, tmp_path, OPENED)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    with sms_gateway() as found:
        yield found


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as found:
        yield found


class Clock:
    """The sender's time, set by the test (Beijing time, UTC+8)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)

    def at(self, day: date, hour: int, minute: int = 0) -> None:
        local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)
        self.now = local.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now


def borrower(name: str, phone: str, email: str) -> Profile:
    return Profile(name=name, phone=phone, address="Wuhan", region="Hubei",
                   monthly_income=Decimal(30000), email=email)  # fmt: skip


def sent(gateway: Gateway, mailbox: Mailbox) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(phone, template) of each SMS and (address, subject) of each email, as received."""
    sms = [(m["phone"], m["template_id"]) for m in gateway.received]
    mail = [(m["To"], m["Subject"]) for m in mailbox.received]
    return sms, mail


def test_a_due_date_with_one_borrower_paying_on_it(
    runtime: Runtime, gateway: Gateway, mailbox: Mailbox, db_url: str
) -> None:
    runtime.projections.start()
    define(runtime)
    li = open_loan(runtime, OPENED, profile=borrower("李娜", "13800138001", "li@example.com"))
    wang = open_loan(runtime, OPENED, profile=borrower("王伟", "13900139002", "wang@example.com"))
    clock = Clock()
    channels = {
        Channel.SMS: SmsGateway(
            gateway.url, gateway.key, {"due": "SMS_100", "overdue_1": "SMS_101"}
        ),
        Channel.EMAIL: SmtpMailer(mailbox.host, mailbox.port, "notices@lender.example"),
    }
    notifier = Notifier(runtime.app, runtime.feed_tracking)
    sender = NoticeSender(
        runtime.app, runtime.feed_tracking, channels, "Asia/Shanghai", None, clock
    )

    def decide_and_send(day: date, hour: int) -> None:
        runtime.projections.wait(runtime.projections.head())
        notifier.catch_up()
        clock.at(day, hour)
        sender.send_due()

    decide_and_send(OPENED, 10)  # the disbursements: an email each
    sms, mail = sent(gateway, mailbox)  # sent a few at a time: in any order within a round
    assert (sms, sorted(mail)) == (
        [],
        [("li@example.com", "放款通知"), ("wang@example.com", "放款通知")],
    )

    close_through(runtime, date(2026, 2, 12))  # T-3
    decide_and_send(date(2026, 2, 12), 22)  # quiet hours: the SMS wait for the morning
    assert sent(gateway, mailbox)[0] == []
    waiting = select(
        db_url, "SELECT stage, status, reason FROM notifications WHERE channel = 'sms'"
    )
    assert waiting == [("before_due", "queued", "quiet hours")] * 2
    decide_and_send(date(2026, 2, 13), 7)  # still quiet
    assert sent(gateway, mailbox)[0] == []
    decide_and_send(date(2026, 2, 13), 8)
    assert sorted(sent(gateway, mailbox)[0]) == [(LI, "before_due"), (WANG, "before_due")]

    close_through(runtime, DUE)
    decide_and_send(DUE, 9)
    owed = select(db_url, f"SELECT total FROM installments WHERE loan_id = '{li}' AND number = 1")
    receive_repayment(runtime.app, ReceiveRepayment("collector", li, owed[0][0], DUE, "bank", "P1"))
    decide_and_send(DUE, 12)  # the payment's SMS
    close_through(runtime, date(2026, 2, 16))  # T+1
    decide_and_send(date(2026, 2, 16), 9)

    sms, mail = sent(gateway, mailbox)
    # Each step's messages in the order decided (the loans' order within a day is the
    # read model's): the reminders, the due date's, the payment's, then T+1's for Wang only.
    assert sorted(sms[:2]) == [(LI, "before_due"), (WANG, "before_due")]
    assert sorted(sms[2:4]) == [(LI, "SMS_100"), (WANG, "SMS_100")]
    assert sms[4:] == [(LI, "payment_received"), (WANG, "SMS_101")]
    assert len(sent(gateway, mailbox)[1]) == 2
    assert set(gateway.keys) == {"Bearer gateway-key"}
    assert "王伟您好" in gateway.received[-1]["text"]
    notices = {(n["loan_id"], n["stage"]): n for n in every(runtime.projections.datastore)}
    suppressed = notices[(li, "overdue_1")]
    assert (suppressed["status"], suppressed["reason"]) == ("suppressed", "installment paid")
    assert notices[(wang, "overdue_1")]["status"] == "sent"
    for notice in notices.values():  # nothing plaintext kept, and no SMS in quiet hours
        assert notice["recipient"] not in (LI, WANG, "li@example.com", "wang@example.com")
        if notice["channel"] == "sms" and notice["sent_at"]:
            assert 8 <= (notice["sent_at"].astimezone(UTC).hour + 8) % 24 < 21
    assert notices[(li, "due")]["recipient"] == "138****8001"
    assert notices[(li, "disbursed")]["recipient"] == "l***@example.com"
    assert isinstance(li, UUID)


def test_a_high_risk_warning_emails_the_risk_officers_of_the_loans_office(
    runtime: Runtime, mailbox: Mailbox
) -> None:
    app = runtime.app
    runtime.projections.start()
    head_office(app)
    branch = open_office(app, OpenOffice("admin.wu", "Branch A", HEAD_OFFICE_ID)).id
    elsewhere = open_office(app, OpenOffice("admin.wu", "Branch B", HEAD_OFFICE_ID)).id
    for name, office, role in [("risk.he", branch, Role.RISK_OFFICER),
                               ("officer.a", branch, Role.LOAN_OFFICER),
                               ("risk.b", elsewhere, Role.RISK_OFFICER)]:  # fmt: skip
        create_user(app, CreateUser("admin.wu", name, name, office, [role], "pw-long-enough-1"))
    define(runtime)
    loan = open_loan(runtime, OPENED, office=branch)
    findings = [
        Finding(WarningRule.DPD_THRESHOLD, str(loan), Decimal(30), severity, "late", loan)
        for severity in (Severity.HIGH, Severity.LOW)
    ]
    raise_warnings(app, "risk", OPENED, findings[:1])
    raise_warnings(app, "risk", OPENED, [replace(findings[1], threshold=Decimal(1))])
    runtime.projections.wait(runtime.projections.head())
    Notifier(app, runtime.feed_tracking).catch_up()
    channels = {Channel.EMAIL: SmtpMailer(mailbox.host, mailbox.port, "notices@lender.example")}
    clock = Clock()
    sender = NoticeSender(app, runtime.feed_tracking, channels, "Asia/Shanghai",
                          "lender.example", clock)  # fmt: skip
    sender.send_due()
    assert [(m["To"], m["Subject"]) for m in mailbox.received] == [
        ("risk.he@lender.example", "风险预警")
    ]
    # The borrower has no email on file: their disbursement notice failed, saying why.
    notices = {n["stage"]: n for n in every(runtime.projections.datastore)}
    assert (notices["disbursed"]["status"], notices["disbursed"]["reason"]) == (
        "failed", "no email address on file"
    )  # fmt: skip
    assert notices["risk_warning"]["recipient"] == "r***@lender.example"


def test_a_send_the_gateway_fails_is_tried_again_later_until_it_goes_or_gives_up(
    runtime: Runtime, gateway: Gateway, db_url: str
) -> None:
    """A provider's outage delays a reminder, never loses it: queued again 1, 5 and 30
    minutes, 2 and 6 hours after each failure, and failed for good at the sixth."""
    runtime.projections.start()
    define(runtime)
    for name, phone in [("李娜", "13800138001"), ("王伟", "13900139002")]:
        open_loan(runtime, OPENED, profile=borrower(name, phone, f"{phone}@example.com"))
    clock = Clock()
    sms = {Channel.SMS: SmsGateway(gateway.url, gateway.key, {})}
    notifier = Notifier(runtime.app, runtime.feed_tracking)
    sender = NoticeSender(runtime.app, runtime.feed_tracking, sms, "Asia/Shanghai", None, clock)

    def stage_on(day: date, stage: str) -> list[tuple[str, int, str | None, datetime | None]]:
        """Close the day, decide its notices, and read what became of `stage`'s."""
        close_through(runtime, day)
        runtime.projections.wait(runtime.projections.head())
        notifier.catch_up()
        clock.at(day, 9)
        return notices(stage)

    def notices(stage: str) -> list[tuple[str, int, str | None, datetime | None]]:
        query = ("SELECT status, failures, reason, send_after FROM notifications"
                 f" WHERE stage = '{stage}' AND channel = 'sms'")  # fmt: skip
        return select(db_url, query)

    def tries(waits: list[int], stage: str) -> None:
        """One try now and one after each wait, the gateway down for all; before each
        wait is up, nothing is tried."""
        for failures, wait in enumerate(waits, start=1):
            assert sender.send_due() == 2
            tried = clock.now
            assert notices(stage) == [("queued", failures, DOWN, tried + minutes(wait))] * 2
            clock.now = tried + minutes(wait) - timedelta(seconds=1)
            assert sender.send_due() == 0
            clock.now = tried + minutes(wait)

    assert len(stage_on(date(2026, 2, 12), "before_due")) == 2  # T-3
    gateway.down = True
    tries([1, 5], "before_due")
    gateway.down = False  # back for the third try: both go
    assert sender.send_due() == 2
    assert sorted(m["phone"] for m in gateway.received) == [LI, WANG]
    assert [row[:2] for row in notices("before_due")] == [("sent", 2)] * 2

    assert len(stage_on(DUE, "due")) == 2  # down for good: six tries, then failed
    gateway.down = True
    tries([1, 5, 30, 120, 360], "due")
    assert sender.send_due() == 2
    assert notices("due") == [("failed", 6, f"{DOWN} (6 tries)", None)] * 2
    assert sender.send_due() == 0  # failed is final
    assert len(gateway.received) == 2


DOWN = "sms not sent: HTTPStatusError"


def minutes(count: int) -> timedelta:
    return timedelta(minutes=count)
