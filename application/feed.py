"""The business event feed: which stored events other systems hear about, and as what.

`business_event` is a pure function of one stored domain event. It answers None for an
internal event (a review, an assignment, a reschedule) and otherwise the business event
to publish: its type (one of TYPES), its subject (the loan's id) and its data. The data
carries ids, amounts, dates and statuses only: no name, phone, id number, account, free
text (reasons, notes, a warning's detail) or payer, so a consumer never holds personal
data it did not ask the core for.

What each business event says is what the domain recorded, never worked out again here:
- `installment.overdue`: close of business charged a late fee on installments still
  unpaid after the product's grace days (`Loan.ChargesRecorded`, its new fee charges);
  the loan's first overdue day shows as `loan.delinquency_changed`.
- `loan.delinquency_changed`: close of business (or a payment) recorded a new DPD bucket
  or five-tier class (`Loan.DelinquencyChanged`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

TYPES = (
    "loan.submitted",
    "loan.approved",
    "loan.rejected",
    "loan.disbursed",
    "repayment.received",
    "repayment.reversed",
    "installment.overdue",
    "loan.delinquency_changed",
    "loan.closed",
    "loan.written_off",
    "risk_warning.raised",
)

Data = dict[str, Any]


@dataclass(frozen=True)
class BusinessEvent:
    """`type` is one of TYPES; `subject` the loan's id (a warning on no loan: its subject,
    such as a region); `time` when the event was recorded; `data` JSON-ready values."""

    type: str
    subject: str
    time: datetime
    data: Data


def business_event(event: Any) -> BusinessEvent | None:
    """The business event a stored domain event is, or None for an internal one."""
    mapped = _MAPPINGS.get(type(event).__qualname__)
    if mapped is None:
        return None
    kind, data_of = mapped
    data = data_of(event)
    if data is None:
        return None
    subject = data.pop("subject", None) or str(event.originator_id)
    return BusinessEvent(kind, subject, event.timestamp, _plain(data))


def may_be_business(topic: str) -> bool:
    """Whether a stored event of `topic` ("module:Class.Event") may be a business event:
    the others need not even be decoded."""
    return topic.rpartition(":")[2] in _MAPPINGS


def _submitted(event: Any) -> Data:
    request = event.application
    return {
        "loan_id": event.originator_id,
        "borrower_id": request.borrower_id,
        "product_code": request.product_code,
        "principal": request.principal,
        "annual_rate_percent": request.annual_rate_percent,
        "term": request.term,
        "frequency": request.frequency,
        "method": request.method,
        "status": "submitted",
    }


def _approved(event: Any) -> Data:
    return {
        "loan_id": event.originator_id,
        "principal": event.principal,
        "annual_rate_percent": event.annual_rate_percent,
        "term": event.term,
        "apr": event.apr,
        "status": "approved",
    }


def _status(status: str) -> Callable[[Any], Data]:
    def data(event: Any) -> Data:
        found: Data = {"loan_id": event.originator_id, "status": status}
        if hasattr(event, "value_date"):
            found["value_date"] = event.value_date
        return found

    return data


def _disbursed(event: Any) -> Data:
    installments = event.schedule.installments
    return {
        "loan_id": event.originator_id,
        "value_date": event.value_date,
        "principal": event.terms.principal,
        "paid_out": event.paid_out if event.paid_out is not None else event.terms.principal,
        "fees_deducted": event.fees_deducted,
        "apr": event.apr,
        "installments": len(installments),
        "first_due_date": installments[0].due_date if installments else None,
        "status": "active",
    }


def _received(event: Any) -> Data:
    receipt = event.receipt
    return {
        "subject": str(receipt.loan_id),
        "repayment_id": event.originator_id,
        "loan_id": receipt.loan_id,
        "amount": receipt.amount,
        "value_date": receipt.value_date,
        "channel": receipt.channel,
    }


def _reversed(event: Any) -> Data:
    return {
        "repayment_id": event.repayment_id,
        "loan_id": event.originator_id,
        "value_date": event.value_date,
        "outstanding_principal": event.change.balances.outstanding.principal,
    }


def _overdue(event: Any) -> Data | None:
    late = [c for c in event.change.charged if c.component == "fee"]
    if not late:
        return None  # penalty interest only: the installments were overdue already
    return {
        "loan_id": event.originator_id,
        "value_date": event.value_date,
        "installments": [
            {"number": c.installment, "late_fee": c.amount, "charged_on": c.value_date}
            for c in sorted(late, key=lambda c: c.installment)
        ],
    }


def _delinquency(event: Any) -> Data:
    found = event.delinquency
    return {
        "loan_id": event.originator_id,
        "value_date": event.value_date,
        "days_past_due": found.days_past_due,
        "bucket": found.bucket,
        "classification": found.classification,
    }


def _written_off(event: Any) -> Data:
    amounts = event.amounts
    return {
        "loan_id": event.originator_id,
        "value_date": event.value_date,
        "principal": amounts.principal,
        "interest": amounts.interest,
        "fee": amounts.fee,
        "penalty": amounts.penalty,
        "status": "written_off",
    }


def _warning(event: Any) -> Data:
    return {
        "subject": str(event.loan_id) if event.loan_id else event.subject,
        "warning_id": event.originator_id,
        "loan_id": event.loan_id,
        "borrower_id": event.borrower_id,
        "rule": event.rule,
        "severity": event.severity,
        "threshold": event.threshold,
        "raised_on": event.raised_on,
    }


_MAPPINGS: dict[str, tuple[str, Callable[[Any], Data | None]]] = {
    "Loan.ApplicationSubmitted": ("loan.submitted", _submitted),
    "Loan.Approved": ("loan.approved", _approved),
    "Loan.Rejected": ("loan.rejected", _status("rejected")),
    "Loan.Disbursed": ("loan.disbursed", _disbursed),
    "Repayment.Received": ("repayment.received", _received),
    "Loan.RepaymentReversed": ("repayment.reversed", _reversed),
    "Loan.ChargesRecorded": ("installment.overdue", _overdue),
    "Loan.DelinquencyChanged": ("loan.delinquency_changed", _delinquency),
    "Loan.Closed": ("loan.closed", _status("closed")),
    "Loan.WrittenOff": ("loan.written_off", _written_off),
    "RiskWarning.Raised": ("risk_warning.raised", _warning),
}


def _plain(value: Any) -> Any:
    """JSON-ready: Decimal as a plain decimal string, dates ISO, ids as strings."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, str):
        return str(value)  # a StrEnum as its value
    return value
