"""A repayment received from a channel, told as stories: received once, reversed once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.errors import InvalidTransition, InvalidValue
from domain.repayment import Receipt, Repayment, RepaymentStatus
from tests.support.story import followed_by, given, history

LOAN = UUID("00000000-0000-4000-8000-00000000a001")
REPAYMENT = UUID("00000000-0000-4000-8000-0000000000f1")
ON = date(2026, 2, 15)
RECEIPT = Receipt(
    loan_id=LOAN,
    amount=Decimal("1066.19"),
    value_date=ON,
    channel="bank",
    external_reference="B-77",
)


def receive(receipt: Receipt = RECEIPT) -> Any:
    return lambda _: Repayment.receive(actor="teller.li", repayment_id=REPAYMENT, receipt=receipt)


def reverse(reason: str = "cheque bounced") -> Any:
    return lambda repayment: repayment.reverse(actor="teller.li", reason=reason)


def received() -> list[Any]:
    return history(receive()(None))


def test_a_repayment_is_received_under_its_id_valued_on_its_date() -> None:
    story = given().when(receive()).then(Repayment.Received)
    event = story.events[0]
    assert (event.originator_id, event.value_date) == (REPAYMENT, ON)
    assert (str(event.receipt.amount), event.receipt.external_reference) == ("1066.19", "B-77")
    assert story.aggregate.status is RepaymentStatus.RECEIVED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": Decimal("0.00")}, "amount"),
        ({"channel": " "}, "channel"),
        ({"external_reference": ""}, "external_reference"),
    ],
)
def test_a_receipt_of_nothing_or_from_nowhere_is_refused(
    changes: dict[str, Any], field: str
) -> None:
    refused = given().when(receive(RECEIPT.model_copy(update=changes))).raises(InvalidValue)
    assert (refused.error.field, refused.events) == (field, [])


def test_a_reversal_records_its_reason_on_the_receipts_value_date() -> None:
    story = given(*received()).when(reverse(" cheque bounced ")).then(Repayment.Reversed)
    assert (story.events[0].reason, story.events[0].value_date) == ("cheque bounced", ON)
    assert story.aggregate.status is RepaymentStatus.REVERSED


def test_a_reversal_needs_a_reason() -> None:
    refused = given(*received()).when(reverse("  ")).raises(InvalidValue)
    assert (refused.error.field, refused.events) == ("reason", [])


def test_a_reversed_repayment_is_not_reversed_again() -> None:
    refused = given(*followed_by(received(), reverse())).when(reverse()).raises(InvalidTransition)
    assert (refused.error.action, refused.events) == ("reverse", [])
