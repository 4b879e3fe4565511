"""Sending a queued notice: whether it still may go out, and what goes out.

`deliver` decides, when a queued notice would go out, whether it still may (paid by
then: suppressed; an SMS in quiet hours: queued to 08:00; a marketing notice to a
borrower who opted out: suppressed), renders it with the recipient's details read from
the Borrower aggregate (application/contacts.py), and hands it to its channel. What it
answers names the recipient only masked, so nothing plaintext reaches the read model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from application.app import LendingApplication
from application.contacts import Contact, contacts
from application.notice_templates import find_template, render, uses
from application.notices import Policies
from domain.loan import Loan
from domain.masking import mask_phone
from domain.notifications import QUIET, Channel, Stage, earliest_send, retry_after, suppression


@dataclass(frozen=True)
class Queued:
    """A queued notice as the sender reads it, with the facts of when it would go out."""

    id: int
    loan_id: UUID | None
    borrower_id: UUID | None
    stage: Stage
    channel: Channel
    template: str
    product_code: str | None
    paid: bool
    amount_due: Decimal | None
    due_date: date | None
    staff_id: str | None = None


@dataclass(frozen=True)
class Message:
    """What a channel sends: `to` in plaintext only here, on its way out."""

    channel: Channel
    to: str
    template: str
    subject: str
    body: str
    variables: dict[str, str] = field(default_factory=dict)


class Sender(Protocol):
    def send(self, message: Message) -> None:
        """Send it, or raise."""


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | failed | suppressed | queued
    reason: str | None = None
    recipient: str | None = None  # masked
    send_after: datetime | None = None  # lender-local; queued to then
    # The channel failed it (not the notice itself): worth trying again later.
    transient: bool = False


def deliver(
    app: LendingApplication,
    notice: Queued,
    local_now: datetime,
    channels: dict[Channel, Sender],
    policies: Policies,
    staff_email: Callable[[str], str | None],
    known: Mapping[UUID, Contact | None] | None = None,
) -> Outcome:
    """Send `notice` now (`local_now`: lender time) if it still may go out (`known`: the
    contacts of a page's borrowers, read together; any other is read here)."""
    policy = policies.of(notice.product_code)
    rule = policy.rule(notice.stage)
    marketing = rule.marketing if rule is not None else False
    to_staff = notice.staff_id is not None
    borrower = None if to_staff else notice.borrower_id
    if borrower is None:
        contact = None
    elif known is not None and borrower in known:
        contact = known[borrower]
    else:
        contact = contacts(app, [borrower])[0]
    opted_out = bool(contact and contact.marketing_opt_out)
    why = suppression(notice.paid, notice.stage, opted_out, marketing)
    if why is not None:
        return Outcome("suppressed", why)
    wait_until = earliest_send(notice.channel, local_now)
    if wait_until > local_now:
        return Outcome("queued", QUIET, send_after=wait_until)
    if notice.channel == Channel.IN_APP:
        return Outcome("sent", None, "in-app")  # the borrower's channel reads it
    if to_staff:
        address, name = staff_email(notice.staff_id or ""), notice.staff_id or ""
    elif contact is None:
        return Outcome("failed", "borrower unknown or erased")
    else:
        address = contact.phone if notice.channel == Channel.SMS else contact.email
        name = contact.name
    if not address:
        return Outcome("failed", f"no {notice.channel.value} address on file")
    template = find_template(policy, notice.template, policy.language)
    if template is None:
        return Outcome("failed", f"no template {notice.template}")
    variables = {
        "name": name,
        "amount_due": _money(notice.amount_due),
        "due_date": notice.due_date.isoformat() if notice.due_date else "",
        # A payoff quote loads the loan: only for the templates that quote it.
        "payoff": _payoff(app, notice.loan_id, local_now.date())
        if "payoff" in uses(template)
        else "",
        "account": str(notice.loan_id)[-4:] if notice.loan_id else "",
    }
    text = render(template, variables, email=notice.channel == Channel.EMAIL)
    message = Message(notice.channel, address, notice.template, text.subject, text.body, variables)
    masked = masked_address(address)
    try:
        channels[notice.channel].send(message)
    except Exception as failure:  # the gateway or the mail server: the reason, no body
        why = f"{notice.channel.value} not sent: {type(failure).__name__}"
        return Outcome("failed", why, masked, transient=True)
    return Outcome("sent", None, masked)


def after_failures(outcome: Outcome, failures: int, local_now: datetime) -> Outcome:
    """What a failed send becomes, the notice having failed `failures` times with this
    one: queued to try again later while the channel's failures may pass, failed for
    good once they have not (and at once when the notice itself cannot go out)."""
    if outcome.status != "failed" or not outcome.transient:
        return outcome
    wait = retry_after(failures)
    if wait is None:
        return replace(outcome, reason=f"{outcome.reason} ({failures} tries)")
    return replace(outcome, status="queued", send_after=local_now + wait)


def masked_address(address: str) -> str:
    """A phone as 138****5678, an email as l***@example.com."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(address)


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else format(amount, "f")


def _payoff(app: LendingApplication, loan_id: UUID | None, on: date) -> str:
    if loan_id is None:
        return ""
    try:
        return format(app.load(Loan, loan_id, "loan").payoff_amount(on), "f")
    except Exception:  # not disbursed, or closed: no payoff to quote
        return ""
