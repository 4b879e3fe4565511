"""Documents over REST: the contract signing records, statements and receipts.

One story, built once: 张三 borrows 12,000.00 over 12 months at 12% a year, equal
principal (1,000.00 of principal a month, 1% a month of interest on the balance), paid
out and signed on 2026-01-31. He pays the first installment (1,120.00) on its due date,
2026-02-28, and the second (1,110.00) on 2026-03-31, which bounces and is reversed.
李四 borrows the same and pays nothing: his books gain a late fee, penalty interest, an
added visit charge (MICRO-12 here defines one of 50.00) and a waiver.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from infrastructure.tokens import Role
from tests.support.api import AUDITOR, OFFICER, bearer, client, runtime_of, stored_loan
from tests.support.catalog import (
    ADMIN,
    APPROVER,
    applied_loan,
    approved,
    cob,
    micro_12,
    ok,
    paid_out,
    pay,
)
from tests.support.people import resident_id, wang_fang
from tests.support.settings import opened_on

VISIT = {"code": "VISIT", "name": "Field visit", "kind": "specified_due_date", "amount": "50"}
LI_SI = wang_fang(name="李四", id_number=resident_id("11010519900101004"), phone="13900139001")
ZHANG_SAN = wang_fang(name="张三", id_number=resident_id("11010519880606003"), phone="13900139000")
MISSING = "00000000-0000-0000-0000-000000000000"
SCHEDULED_INTEREST = sum(Decimal(12000 - 1000 * k) * Decimal("0.01") for k in range(12))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def story(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home = Path(tmp_path_factory.mktemp("documents"))
    with client(opened_on(module_db_url, home, date(2026, 1, 31))) as api:
        ok(api.post("/products", json=micro_12(charges=[VISIT]), headers=ADMIN), 201)
        loan = applied_loan(api, ZHANG_SAN, method="equal_principal")
        paid_out(api, loan, "2026-01-31")
        late = applied_loan(api, LI_SI, method="equal_principal")
        paid_out(api, late, "2026-01-31", reference="D-2")
        cob(api, "2026-02-28")
        first = pay(api, loan["id"], "1120.00", "2026-02-28", "R-1")
        cob(api, "2026-03-31")
        second = pay(api, loan["id"], "1110.00", "2026-03-31", "R-2")
        reason = {"reason": "the transfer bounced"}
        ok(api.post(f"/repayments/{second['id']}/reverse", json=reason, headers=OFFICER))
        visit = {"code": "VISIT", "installment": 2, "reason": "field visit"}
        ok(api.post(f"/loans/{late['id']}/charges", json=visit, headers=OFFICER))
        waiver = {"component": "fee", "amount": "30.00", "installment": 1, "reason": "hardship"}
        ok(api.post(f"/loans/{late['id']}/waive", json=waiver, headers=APPROVER))
        yield {"api": api, "loan": loan, "first": first, "second": second, "late": late}


def contract_signing(api: TestClient, loan_id: str) -> Any:
    loan = stored_loan(api, loan_id)
    events = runtime_of(api).app.events_of(loan.id)
    return next(e for e in events if type(e).__name__ == "ContractSigned")


def statement_rows(api: TestClient, loan_id: str, query: str = "") -> list[dict[str, str]]:
    response = api.get(f"/loans/{loan_id}/statement.csv{query}", headers=AUDITOR)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def balance(row: dict[str, str]) -> tuple[Decimal, ...]:
    return tuple(Decimal(row[f"balance_{c}"]) for c in ("principal", "interest", "fee", "penalty"))


def test_signing_records_the_sha256_of_the_contract_served(story: dict[str, Any]) -> None:
    api, loan = story["api"], story["loan"]
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


def test_the_contract_shows_the_terms_in_chinese(story: dict[str, Any]) -> None:
    api, loan = story["api"], story["loan"]
    text = text_of(api.get(f"/loans/{loan['id']}/contract.pdf", headers=OFFICER).content)
    apr = stored_loan(api, loan["id"]).apr
    assert apr is not None
    for expected in ("借款合同", "张三", "Lending Core", "CNY 12,000.00", "12%", f"{apr}%",
                     "等额本金", "2026-01-31", "罚息", "50.00"):  # fmt: skip
        assert expected in text, expected
    # Equal principal: 1,000.00 a month and 1% of the balance: 120.00, 110.00, ..., 10.00.
    for k in range(12):
        interest = Decimal(12000 - 1000 * k) * Decimal("0.01")
        assert f"{Decimal(1000) + interest:,.2f}" in text
    assert f"{SCHEDULED_INTEREST:,.2f}" == "780.00"


def test_the_contract_in_english_is_a_translation_of_the_record(story: dict[str, Any]) -> None:
    api, loan = story["api"], story["loan"]
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


def test_the_statement_csv_adds_up_to_the_books(story: dict[str, Any]) -> None:
    api, loan = story["api"], story["loan"]
    rows = statement_rows(api, loan["id"])
    assert [r["kind"] for r in rows] == [
        "opening", "disbursement", "payment", "payment", "reversal", "closing",
    ]  # fmt: skip
    opening, paid_out_row, first, second, reversal, closing = rows
    zero = Decimal("0.00")
    assert balance(opening) == (zero,) * 4
    assert balance(paid_out_row) == (Decimal("12000.00"), SCHEDULED_INTEREST, zero, zero)
    assert (first["reference"], first["amount"]) == (story["first"]["id"], "1120.00")
    assert (first["paid_principal"], first["paid_interest"]) == ("1000.00", "120.00")
    assert (second["paid_principal"], second["paid_interest"]) == ("1000.00", "110.00")
    assert (reversal["reference"], reversal["amount"]) == (story["second"]["id"], "-1110.00")
    assert (reversal["paid_principal"], reversal["paid_interest"]) == ("-1000.00", "-110.00")
    # What is owed at the end: the first installment paid, the second's payment reversed.
    assert balance(closing) == (Decimal("11000.00"), SCHEDULED_INTEREST - 120, zero, zero)
    assert closing["balance_total"] == str(Decimal("11000.00") + SCHEDULED_INTEREST - 120)
    for i, component in enumerate(("principal", "interest", "fee", "penalty")):
        moved = sum(Decimal(r[f"change_{component}"]) for r in rows[1:-1])
        assert balance(opening)[i] + moved == balance(closing)[i]


def test_a_statement_period_opens_with_the_balance_before_it(story: dict[str, Any]) -> None:
    api, loan = story["api"], story["loan"]
    march = statement_rows(api, loan["id"], "?from=2026-03-01&to=2026-03-31")
    assert [r["kind"] for r in march] == ["opening", "payment", "reversal", "closing"]
    after_first = (Decimal("11000.00"), SCHEDULED_INTEREST - 120, Decimal("0.00"), Decimal("0.00"))
    assert balance(march[0]) == after_first
    assert balance(march[-1]) == after_first
    assert (march[0]["posting_date"], march[-1]["posting_date"]) == ("2026-03-01", "2026-03-31")
    february = statement_rows(api, loan["id"], "?to=2026-02-28")
    assert [r["kind"] for r in february] == ["opening", "disbursement", "payment", "closing"]
    assert balance(february[-1]) == after_first


def test_the_statement_pdf_shows_the_lines(story: dict[str, Any]) -> None:
    api, loan = story["api"], story["loan"]
    response = api.get(f"/loans/{loan['id']}/statement.pdf?from=2026-01-01", headers=AUDITOR)
    assert response.status_code == 200, response.text
    text = text_of(response.content)
    for expected in ("对账单", "张三", "CNY 12,000.00", "1,120.00", "-1,110.00", "11,660.00",
                     "2026-01-01"):  # fmt: skip
        assert expected in text, expected


def test_a_receipt_shows_the_payment_and_its_allocation(story: dict[str, Any]) -> None:
    api = story["api"]
    response = api.get(f"/repayments/{story['first']['id']}/receipt.pdf", headers=OFFICER)
    assert response.status_code == 200, response.text
    text = text_of(response.content)
    for expected in ("还款收据", "张三", "CNY 1,120.00", "R-1", "2026-02-28", "1,000.00",
                     "120.00", "received"):  # fmt: skip
        assert expected in text, expected
    reversed_ = text_of(
        api.get(f"/repayments/{story['second']['id']}/receipt.pdf", headers=OFFICER).content
    )
    assert "reversed" in reversed_
    assert "Allocation" not in reversed_


def test_unknown_loans_and_repayments_are_404(story: dict[str, Any]) -> None:
    api = story["api"]
    paths = (f"/loans/{MISSING}/contract.pdf", f"/loans/{MISSING}/statement.pdf",
             f"/loans/{MISSING}/statement.csv", f"/repayments/{MISSING}/receipt.pdf")  # fmt: skip
    for path in paths:
        assert api.get(path, headers=OFFICER).status_code == 404, path


def test_documents_are_the_borrowers_own(story: dict[str, Any]) -> None:
    api, loan = story["api"], story["loan"]
    paths = (f"/loans/{loan['id']}/contract.pdf", f"/loans/{loan['id']}/statement.pdf",
             f"/loans/{loan['id']}/statement.csv",
             f"/repayments/{story['first']['id']}/receipt.pdf")  # fmt: skip
    himself = bearer(loan["borrower_id"], Role.BORROWER)
    stranger = bearer("6f0f3a77-0000-4000-8000-000000000000", Role.BORROWER)
    for path in paths:
        assert api.get(path, headers=himself).status_code == 200, path
        assert api.get(path, headers=stranger).status_code == 403, path
        assert api.get(path).status_code == 401, path


def test_a_period_ending_before_it_starts_is_422_naming_to(story: dict[str, Any]) -> None:
    api, loan = story["api"], story["loan"]
    for kind in ("pdf", "csv"):
        response = api.get(
            f"/loans/{loan['id']}/statement.{kind}?from=2026-03-01&to=2026-02-01", headers=OFFICER
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "to"
    typo = api.get(f"/loans/{loan['id']}/statement.csv?from=2026-13-01", headers=OFFICER)
    assert typo.status_code == 422
    assert typo.json()["errors"][0]["field"] == "from"


def test_a_loan_not_signed_has_no_contract(story: dict[str, Any]) -> None:
    api = story["api"]
    pending = applied_loan(api)
    response = api.get(f"/loans/{pending['id']}/contract.pdf", headers=OFFICER)
    assert response.status_code == 409
    assert "not been signed" in response.json()["detail"]


def test_the_statement_lists_penalties_charges_and_waivers(story: dict[str, Any]) -> None:
    """李四's first installment (due 28 February) is unpaid: close of business charges the
    late fee the day after, and penalty interest on its 1,000.00 of principal; an officer
    adds the 50.00 visit charge, and a checker waives 30.00 of fee."""
    rows = statement_rows(story["api"], story["late"]["id"])
    assert [r["kind"] for r in rows] == [
        "opening", "disbursement", "penalty", "penalty", "charge", "waiver", "closing",
    ]  # fmt: skip
    late_fee, penalty, visit, waiver = rows[2:6]
    assert (late_fee["posting_date"], late_fee["change_fee"]) == ("2026-03-01", "50.00")
    # 0.05% a year on 1,000.00 overdue, 30 days on 30/360.
    assert Decimal(penalty["change_penalty"]) == round(Decimal(1000) * Decimal("0.0005") / 12, 2)
    assert (visit["reference"], visit["amount"], visit["change_fee"]) == ("VISIT", "50.00", "50.00")
    assert (waiver["reference"], waiver["amount"], waiver["change_fee"]) == (
        "fee",
        "30.00",
        "-30.00",
    )
    closing = rows[-1]
    assert balance(closing) == (
        Decimal("12000.00"), SCHEDULED_INTEREST, Decimal("70.00"), Decimal("0.04"),
    )  # fmt: skip
    for i, component in enumerate(("principal", "interest", "fee", "penalty")):
        assert sum(Decimal(r[f"change_{component}"]) for r in rows[1:-1]) == balance(closing)[i]


def test_the_contract_copy_keeps_the_name_signed_under(story: dict[str, Any]) -> None:
    """Renamed after signing, the borrower's contract still shows the name signed under
    and hashes to the record; the statement shows the name as it is now."""
    api = story["api"]
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


def test_a_contract_signed_in_english_is_served_in_english(story: dict[str, Any]) -> None:
    api = story["api"]
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


COMPONENT_NAMES = ("principal", "interest", "fee", "penalty")
DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 5, 1))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=DAYS, end=DAYS)
def test_any_period_opens_and_closes_on_the_books_it_lists(
    story: dict[str, Any], start: date, end: date
) -> None:
    """For any period of either loan: opening + what each line moved = closing, and every
    line is posted within the period; a period ending before it starts is refused."""
    api = story["api"]
    for loan in (story["loan"], story["late"]):
        query = f"?from={start}&to={end}"
        if end < start:
            response = api.get(f"/loans/{loan['id']}/statement.csv{query}", headers=OFFICER)
            assert response.status_code == 422
            continue
        rows = statement_rows(api, loan["id"], query)
        opening, lines, closing = rows[0], rows[1:-1], rows[-1]
        for i, component in enumerate(COMPONENT_NAMES):
            moved = sum((Decimal(r[f"change_{component}"]) for r in lines), Decimal(0))
            assert balance(opening)[i] + moved == balance(closing)[i]
        assert all(str(start) <= r["posting_date"] <= str(end) for r in lines)
