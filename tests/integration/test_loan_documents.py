"""Contracts and receipts over REST, on the story in tests/support/documents.py: what
signing records, what a copy shows, and who may read which document."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from infrastructure.tokens import Role
from tests.support.api import AUDITOR, OFFICER, bearer, stored_loan
from tests.support.catalog import applied_loan, approved, ok, paid_out
from tests.support.documents import (
    MISSING,
    SCHEDULED_INTEREST,
    ZHANG_SAN,
    contract_signing,
    text_of,
)
from tests.support.people import resident_id, wang_fang


def test_signing_records_the_sha256_of_the_contract_served(documents_story: dict[str, Any]) -> None:
    api, loan = documents_story["api"], documents_story["loan"]
    response = api.get(f"/loans/{loan['id']}/contract.pdf", headers=OFFICER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    recorded = contract_signing(api, loan["id"]).contract
    assert recorded.sha256 == hashlib.sha256(response.content).hexdigest()
    assert response.headers["x-contract-sha256"] == recorded.sha256
    assert (recorded.language, recorded.lender) == ("zh", "Lending Core")
    # Rendered again from the record: the same bytes every time.
    again = api.get(f"/loans/{loan['id']}/contract.pdf?lang=zh", headers=AUDITOR)
    assert again.content == response.content


def test_the_contract_shows_the_terms_in_chinese(documents_story: dict[str, Any]) -> None:
    api, loan = documents_story["api"], documents_story["loan"]
    text = text_of(api.get(f"/loans/{loan['id']}/contract.pdf", headers=OFFICER).content)
    apr = stored_loan(api, loan["id"]).apr
    assert apr is not None
    # The identity number masked: its first 3 and last 4 characters.
    number = ZHANG_SAN["id_number"]
    assert f"{number[:3]}{'*' * 11}{number[-4:]}" in text
    assert number not in text
    for expected in ("借款合同", "张三", "Lending Core", "CNY 12,000.00", "12%", f"{apr}%",
                     "等额本金", "2026-01-31", "罚息", "50.00"):  # fmt: skip
        assert expected in text, expected
    # Equal principal: 1,000.00 a month and 1% of the balance: 120.00, 110.00, ..., 10.00.
    for k in range(12):
        interest = Decimal(12000 - 1000 * k) * Decimal("0.01")
        assert f"{Decimal(1000) + interest:,.2f}" in text
    assert f"{SCHEDULED_INTEREST:,.2f}" == "780.00"


def test_the_contract_in_english_is_a_translation_of_the_record(
    documents_story: dict[str, Any],
) -> None:
    api, loan = documents_story["api"], documents_story["loan"]
    response = api.get(f"/loans/{loan['id']}/contract.pdf?lang=en", headers=OFFICER)
    assert response.status_code == 200
    assert response.headers["content-language"] == "en"
    text = text_of(response.content)
    for expected in ("Loan Contract", "Principal", "张三", "CNY 12,000.00", "equal principal"):
        assert expected in text, expected
    # The record holds the digest of the copy signed, the Chinese one.
    recorded = contract_signing(api, loan["id"]).contract.sha256
    assert hashlib.sha256(response.content).hexdigest() != recorded
    bad = api.get(f"/loans/{loan['id']}/contract.pdf?lang=fr", headers=OFFICER)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "lang"


def test_a_receipt_shows_the_payment_and_its_allocation(documents_story: dict[str, Any]) -> None:
    api = documents_story["api"]
    response = api.get(f"/repayments/{documents_story['first']['id']}/receipt.pdf", headers=OFFICER)
    assert response.status_code == 200, response.text
    text = text_of(response.content)
    for expected in ("还款收据", "张三", "CNY 1,120.00", "R-1", "2026-02-28", "1,000.00",
                     "120.00", "received"):  # fmt: skip
        assert expected in text, expected
    reversed_ = text_of(
        api.get(
            f"/repayments/{documents_story['second']['id']}/receipt.pdf", headers=OFFICER
        ).content
    )
    assert "reversed" in reversed_
    assert "Allocation" not in reversed_


def test_unknown_loans_and_repayments_are_404(documents_story: dict[str, Any]) -> None:
    api = documents_story["api"]
    paths = (f"/loans/{MISSING}/contract.pdf", f"/loans/{MISSING}/statement.pdf",
             f"/loans/{MISSING}/statement.csv", f"/repayments/{MISSING}/receipt.pdf")  # fmt: skip
    for path in paths:
        assert api.get(path, headers=OFFICER).status_code == 404, path


def test_documents_are_the_borrowers_own(documents_story: dict[str, Any]) -> None:
    api, loan = documents_story["api"], documents_story["loan"]
    paths = (f"/loans/{loan['id']}/contract.pdf", f"/loans/{loan['id']}/statement.pdf",
             f"/loans/{loan['id']}/statement.csv",
             f"/repayments/{documents_story['first']['id']}/receipt.pdf")  # fmt: skip
    himself = bearer(loan["borrower_id"], Role.BORROWER)
    stranger = bearer("6f0f3a77-0000-4000-8000-000000000000", Role.BORROWER)
    for path in paths:
        assert api.get(path, headers=himself).status_code == 200, path
        assert api.get(path, headers=stranger).status_code == 403, path
        assert api.get(path).status_code == 401, path


def test_a_loan_not_signed_has_no_contract(documents_story: dict[str, Any]) -> None:
    api = documents_story["api"]
    pending = applied_loan(api)
    response = api.get(f"/loans/{pending['id']}/contract.pdf", headers=OFFICER)
    assert response.status_code == 409
    assert "not been signed" in response.json()["detail"]


def test_the_contract_copy_keeps_the_name_signed_under(documents_story: dict[str, Any]) -> None:
    """Renamed after signing, the borrower's contract still shows the name signed under
    and hashes to the record; the statement shows the name as it is now."""
    api = documents_story["api"]
    body = wang_fang(name="王五", id_number=resident_id("11010519920202005"), phone="13900139002")
    loan = applied_loan(api, body)
    paid_out(api, loan, "2026-03-31", reference="D-3")
    path = f"/borrowers/{loan['borrower_id']}/update"
    ok(api.post(path, json={"name": "王小五"}, headers=OFFICER))
    copy = api.get(f"/loans/{loan['id']}/contract.pdf", headers=OFFICER)
    assert hashlib.sha256(copy.content).hexdigest() == copy.headers["x-contract-sha256"]
    text = text_of(copy.content)
    assert "王五" in text
    assert "王小五" not in text
    statement = api.get(f"/loans/{loan['id']}/statement.pdf", headers=OFFICER)
    assert "王小五" in text_of(statement.content)


def test_a_contract_signed_in_english_is_served_in_english(documents_story: dict[str, Any]) -> None:
    api = documents_story["api"]
    body = wang_fang(name="赵六", id_number=resident_id("11010519930303006"), phone="13900139003")
    loan = approved(api, applied_loan(api, body))
    sign = f"/loans/{loan['id']}/sign"
    refused = api.post(sign, json={"signed_on": "2026-03-31", "language": "fr"}, headers=OFFICER)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "language"
    ok(api.post(sign, json={"signed_on": "2026-03-31", "language": "en"}, headers=OFFICER))
    copy = api.get(f"/loans/{loan['id']}/contract.pdf", headers=OFFICER)
    assert copy.headers["content-language"] == "en"
    assert hashlib.sha256(copy.content).hexdigest() == copy.headers["x-contract-sha256"]
    assert "Loan Contract" in text_of(copy.content)
