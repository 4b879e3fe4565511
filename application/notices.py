"""Reminders and notices: close of business and the store's events decide them, the
sender sends them. The rules are the domain's (domain/notifications.py); this module
finds the facts they need and hands each notice to a channel.

- `reminding` is the close-of-business step: each day it asks the read models for the
  installments whose stage may fall on it and records the notices the product's policy
  calls for (a paid one suppressed with the reason). It writes no event.
- `notices_for_event` is what the notifier (infrastructure/notifier.py) decides for one
  stored event: a disbursement, a payment received, a broken promise to pay, and a high
  or critical risk warning, which emails the risk officers of the loan's office.
Sending them is application/notice_delivery.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.app import LendingApplication
from application.close_of_business import DayStep
from application.products import find_product
from domain.errors import NotFound
from domain.loan import Loan
from domain.notifications import (
    OFFSETS,
    Channel,
    DueInstallment,
    Notice,
    NotificationPolicy,
    Stage,
    event_notice,
    installment_notices,
    stale,
)

RISK_SEVERITIES = ("high", "critical")


@dataclass(frozen=True)
class Decided:
    """A notice decided, for whom and why: a borrower's, or a staff user's (`staff_id`)."""

    notice: Notice
    borrower_id: UUID | None
    business_date: date | None = None
    position: int | None = None
    staff_id: str | None = None
    amount: Decimal | None = None
    due_date: date | None = None


# (days, position) -> each installment due on one of `days` (once the read models have
# processed `position`), with its loan's product code and borrower.
InstallmentsDue = Callable[[list[date], int | None], Iterable[tuple[DueInstallment, str, UUID]]]
RecordNotices = Callable[[list[Decided]], None]
# A loan's id -> the ids of the risk officers of its office.
RiskOfficers = Callable[[UUID], list[str]]


class Policies:
    """Each product's notification policy, read once per code."""

    def __init__(self, app: LendingApplication) -> None:
        self.app, self._found = app, dict[str, NotificationPolicy]()

    def of(self, code: str | None) -> NotificationPolicy:
        if code is None:
            return NotificationPolicy()
        if code not in self._found:
            try:
                self._found[code] = find_product(self.app, code).terms.notifications
            except NotFound:
                self._found[code] = NotificationPolicy()
        return self._found[code]


def reminder_dates(day: date) -> list[date]:
    """The due dates whose installments have a stage on `day`."""
    return [day - timedelta(days=offset) for offset in OFFSETS.values()]


def reminding(due: InstallmentsDue, record: RecordNotices) -> DayStep:
    """The close-of-business step that decides the day's installment reminders."""

    def step(app: LendingApplication, actor: str, day: date, after: int | None) -> int | None:
        policies = Policies(app)
        decided: list[Decided] = []
        for item, code, borrower_id in due(reminder_dates(day), after):
            for notice in installment_notices(day, [item], policies.of(code)):
                decided.append(Decided(notice, borrower_id, day, due_date=item.due_date))
        record(decided)
        return after

    return step


def notices_for_event(
    app: LendingApplication,
    event: Any,
    position: int,
    policies: Policies,
    risk_officers: RiskOfficers,
    today: date,
) -> list[Decided]:
    """The notices one stored event calls for (most call for none); `today` is the
    business date, against which an old event's notice is stale."""
    kind = type(event).__qualname__
    key = str(position)
    if kind == "RiskWarning.Raised":
        if not event.loan_id or event.severity not in RISK_SEVERITIES:
            return []
        return [
            Decided(
                _warning_notice(event.loan_id, key, officer, event.raised_on, today),
                None,
                event.raised_on,
                position,
                officer,
            )
            for officer in risk_officers(event.loan_id)
        ]
    facts = _event_facts(kind, event)
    if facts is None:
        return []
    loan_id, stage, amount, due_date, happened_on = facts
    if stale(happened_on, today):
        return []  # old news: not even worth loading the loan to record it
    try:
        request = app.load(Loan, loan_id, "loan").application
    except NotFound:
        return []
    policy = policies.of(request.product_code)
    notice = event_notice(loan_id, stage, key, policy, happened_on, today)
    if notice is None:
        return []
    return [Decided(notice, request.borrower_id, None, position, amount=amount, due_date=due_date)]


Facts = tuple[UUID, Stage, Decimal | None, date | None, date]


def _event_facts(kind: str, event: Any) -> Facts | None:
    """(loan, stage, amount, due date, the day it happened) of an event stage's event."""
    if kind == "Loan.Disbursed":
        first = event.schedule.installments[0] if event.schedule.installments else None
        amount, due = (first.total, first.due_date) if first else (None, None)
        return event.originator_id, Stage.DISBURSED, amount, due, event.value_date
    if kind == "Repayment.Received":
        receipt = event.receipt
        return (receipt.loan_id, Stage.PAYMENT_RECEIVED, receipt.amount, receipt.value_date,
                receipt.value_date)  # fmt: skip
    if kind == "CollectionCase.PromiseBroken":
        owed = event.promised_amount - event.paid_amount
        return event.loan_id, Stage.PROMISE_BROKEN, owed, event.promised_date, event.value_date
    return None


def _warning_notice(loan_id: UUID, key: str, officer: str, raised: date, today: date) -> Notice:
    notice = Notice(loan_id, Stage.RISK_WARNING, Channel.EMAIL, "risk_warning", None,
                    f"{loan_id}:risk_warning:{key}:{officer}")  # fmt: skip
    return replace(notice, suppressed=stale(raised, today))
