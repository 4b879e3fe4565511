"""Signing records the contract document's digest; a signing stored before documents
existed loads and stores as it was."""

from __future__ import annotations

import hashlib

import pytest

from domain.errors import InvalidValue
from domain.loan import Loan, LoanStatus
from domain.loan.signing import SignedContract
from tests.support.loans import SIGNED_ON, approved
from tests.support.story import given

DIGEST = hashlib.sha256(b"the contract").hexdigest()


def signed_with(**changes: object) -> SignedContract:
    fields = {"sha256": DIGEST, "language": "zh", "lender": "Lending Core", "borrower_version": 2}
    return SignedContract.model_validate(fields | changes)


def test_signing_records_the_digest_of_the_contract_signed() -> None:
    contract = signed_with()
    signing = (
        given(*approved())
        .when(lambda loan: loan.sign(actor="officer.zhang", signed_on=SIGNED_ON, contract=contract))
        .then(Loan.ContractSigned)
    )
    event = signing.events[0]
    assert event.contract == contract
    assert event.model_dump(mode="json")["contract"]["sha256"] == DIGEST
    assert signing.aggregate.status is LoanStatus.SIGNED


@pytest.mark.parametrize(
    ("field", "value"), [("sha256", "ABC"), ("language", "fr"), ("lender", " ")]
)
def test_a_malformed_record_of_the_contract_is_refused(field: str, value: str) -> None:
    contract = signed_with(**{field: value})
    refused = (
        given(*approved())
        .when(lambda loan: loan.sign(actor="officer.zhang", signed_on=SIGNED_ON, contract=contract))
        .raises(InvalidValue)
    )
    assert (refused.error.field, refused.events) == (field, [])


def test_a_signing_stored_before_contract_documents_loads_and_stores_unchanged() -> None:
    signing = (
        given(*approved())
        .when(lambda loan: loan.sign(actor="officer.zhang", signed_on=SIGNED_ON))
        .then(Loan.ContractSigned)
        .events[0]
    )
    stored = signing.model_dump(mode="json")
    assert "contract" not in stored  # as the older code stored it
    loaded = type(signing).model_validate(stored)
    assert (loaded.contract, loaded.signed_on) == (None, SIGNED_ON)
