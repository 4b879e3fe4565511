"""Reminders and notices: which notice is due, when it may go out, and when it must not.

A product's `NotificationPolicy` names, for each stage, the channel and the template a
notice of that stage uses. The stages are those the lender must send (none is
marketing, so a borrower's marketing opt-out never silences them):
- the installment stages, counted in days from an installment's due date:
  `before_due` (T-3), `due` (T), `overdue_1` (T+1), `overdue_7` (T+7), `overdue_30` (T+30);
- the event stages: `disbursed`, `payment_received`, `promise_broken`.

Rules, all pure (the caller passes the day and the time):
- `installment_notices` decides, for a business day, each installment stage that falls
  on it; an installment already paid gets its notice suppressed (with the reason), so the
  read model shows that it was decided and not sent.
- One notice per (installment, stage): `dedupe_key` is the key the read model keeps unique.
- Quiet hours: no SMS from 21:00 to 08:00 lender time; `earliest_send` moves it to 08:00.
- `suppression` is asked again when a notice would go out: paid by then, it is not sent.
- A send the channel failed (the gateway down, the mail server refusing) is tried again
  after `retry_after`: 1, 5 and 30 minutes, then 2 and 6 hours; failing a sixth time,
  the notice is failed for good, and an operator sees why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from uuid import UUID

from domain.errors import InvalidValue
from domain.model import Immutable


class Stage(StrEnum):
    BEFORE_DUE = "before_due"
    DUE = "due"
    OVERDUE_1 = "overdue_1"
    OVERDUE_7 = "overdue_7"
    OVERDUE_30 = "overdue_30"
    DISBURSED = "disbursed"
    PAYMENT_RECEIVED = "payment_received"
    PROMISE_BROKEN = "promise_broken"
    RISK_WARNING = "risk_warning"  # to staff: the risk officers of the loan's office


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    IN_APP = "in_app"


# Days from the due date each installment stage falls on.
OFFSETS: dict[Stage, int] = {
    Stage.BEFORE_DUE: -3,
    Stage.DUE: 0,
    Stage.OVERDUE_1: 1,
    Stage.OVERDUE_7: 7,
    Stage.OVERDUE_30: 30,
}
QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)
PAID = "installment paid"
QUIET = "quiet hours"
STALE = "stale"
STALE_AFTER_DAYS = 3


class StageRule(Immutable):
    stage: Stage
    channel: Channel
    template: str  # a template id (application/notice_templates.py)
    marketing: bool = False  # a borrower may opt out of marketing, never of the rest


def _default_rules() -> tuple[StageRule, ...]:
    email = {Stage.OVERDUE_7, Stage.OVERDUE_30, Stage.DISBURSED}
    return tuple(
        StageRule(stage=s, channel=Channel.EMAIL if s in email else Channel.SMS, template=s.value)
        for s in Stage
        if s != Stage.RISK_WARNING
    )


class Template(Immutable):
    """A product's own wording for a template id in one language; `subject` is an
    email's. The text is Jinja2 (application/notice_templates.py checks its variables)."""

    id: str
    language: str
    body: str
    subject: str = ""


class NotificationPolicy(Immutable):
    """Each stage's channel and template (a stage left out sends nothing). Products
    stored before reminders existed load with the default: SMS for every stage but T+7,
    T+30 and the disbursement, which go by email."""

    stages: tuple[StageRule, ...] = _default_rules()
    language: str = "zh"  # of the templates: zh or en
    templates: tuple[Template, ...] = ()  # overriding the built-in ones of the same id

    def checked(self) -> NotificationPolicy:
        seen = [rule.stage for rule in self.stages]
        if len(set(seen)) != len(seen):
            raise InvalidValue("notifications.stages", "must not repeat a stage")
        if self.language not in ("zh", "en"):
            raise InvalidValue("notifications.language", "must be zh or en")
        for rule in self.stages:
            if not rule.template.strip():
                raise InvalidValue("notifications.stages", "each stage needs a template")
        for template in self.templates:
            if template.language not in ("zh", "en"):
                raise InvalidValue("notifications.templates", "language must be zh or en")
        return self

    def template(self, id_: str, language: str) -> Template | None:
        """The product's own template `id_` in `language`, if it has one."""
        return next((t for t in self.templates if t.id == id_ and t.language == language), None)

    def rule(self, stage: Stage) -> StageRule | None:
        return next((rule for rule in self.stages if rule.stage == stage), None)


@dataclass(frozen=True)
class DueInstallment:
    """An installment as the books show it on the day asked (`paid`: nothing left owing)."""

    loan_id: UUID
    number: int
    due_date: date
    paid: bool


@dataclass(frozen=True)
class Notice:
    """A notice decided: to send (`suppressed` None) or suppressed and why."""

    loan_id: UUID
    stage: Stage
    channel: Channel
    template: str
    installment: int | None
    dedupe_key: str
    suppressed: str | None = None


def dedupe_key(loan_id: UUID, stage: Stage, installment: int | None, event: str = "") -> str:
    """One notice per (installment, stage); an event stage's notice per event."""
    which = str(installment) if installment is not None else event
    return f"{loan_id}:{stage.value}:{which}"


def stage_on(day: date, due_date: date) -> Stage | None:
    """The installment stage that falls on `day` for an installment due on `due_date`."""
    offset = (day - due_date).days
    return next((stage for stage, days in OFFSETS.items() if days == offset), None)


def installment_notices(
    day: date, installments: Iterable[DueInstallment], policy: NotificationPolicy
) -> list[Notice]:
    """The installment notices close of business decides on `day`."""
    found: list[Notice] = []
    for item in installments:
        stage = stage_on(day, item.due_date)
        rule = None if stage is None else policy.rule(stage)
        if stage is None or rule is None:
            continue
        key = dedupe_key(item.loan_id, stage, item.number)
        reason = PAID if item.paid else None
        found.append(Notice(item.loan_id, stage, rule.channel, rule.template, item.number,
                            key, reason))  # fmt: skip
    return found


def stale(happened_on: date, today: date) -> str | None:
    """Why a notice of an event that happened on `happened_on` is not sent on `today`:
    news more than STALE_AFTER_DAYS old (a notifier started on a store with a history,
    or long stopped, must not send years of it)."""
    return STALE if (today - happened_on).days > STALE_AFTER_DAYS else None


def event_notice(
    loan_id: UUID, stage: Stage, event: str, policy: NotificationPolicy, happened_on: date,
    today: date,
) -> Notice | None:  # fmt: skip
    """The notice an event stage (disbursed, payment received, promise broken) calls for,
    suppressed if stale."""
    rule = policy.rule(stage)
    if rule is None:
        return None
    key = dedupe_key(loan_id, stage, None, event)
    return Notice(loan_id, stage, rule.channel, rule.template, None, key,
                  stale(happened_on, today))  # fmt: skip


def suppression(
    installment_paid: bool, stage: Stage, opted_out: bool, marketing: bool
) -> str | None:
    """Why a notice about to go out must not (None: send it)."""
    if marketing and opted_out:
        return "opted out of marketing"
    if installment_paid and stage in OFFSETS:
        return PAID
    return None


def earliest_send(channel: Channel, local: datetime) -> datetime:
    """The earliest lender-local time at or after `local` a notice on `channel` may go out:
    an SMS in quiet hours (21:00-08:00) waits until 08:00."""
    if channel != Channel.SMS:
        return local
    clock = local.time()
    if QUIET_UNTIL <= clock < QUIET_FROM:
        return local
    morning = local.replace(hour=8, minute=0, second=0, microsecond=0)
    return morning if clock < QUIET_UNTIL else morning + timedelta(days=1)


# How long after each failed send a notice waits before the next try.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
                timedelta(hours=2), timedelta(hours=6))  # fmt: skip


def retry_after(failures: int) -> timedelta | None:
    """The wait before trying a notice again after its `failures`-th failed send; None
    after one failure more than there are delays: it is failed for good."""
    if failures < 1:
        raise InvalidValue("failures", "must be at least 1")
    return RETRY_DELAYS[failures - 1] if failures <= len(RETRY_DELAYS) else None
