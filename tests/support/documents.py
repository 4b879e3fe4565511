"""The story the document tests read, and how they read PDFs and statements.

张三 borrows 12,000.00 over 12 months at 12% a year, equal principal (1,000.00 of
principal a month, 1% a month of interest on the balance), paid out and signed on
2026-01-31. He pays the first installment (1,120.00) on its due date, 2026-02-28, and
the second (1,110.00) on 2026-03-31, which bounces and is reversed. 李四 borrows the same
and pays nothing: his books gain a late fee, penalty interest, an added visit charge
(MICRO-12 here defines one of 50.00) and a waiver. The business date ends at 2026-03-31.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.support.api import AUDITOR, OFFICER, client, runtime_of, stored_loan
from tests.support.catalog import ADMIN, APPROVER, applied_loan, cob, micro_12, ok, paid_out, pay
from tests.support.people import resident_id, wang_fang
from tests.support.settings import opened_on

VISIT = {"code": "VISIT", "name": "Field visit", "kind": "specified_due_date", "amount": "50"}
LI_SI = wang_fang(name="李四", id_number=resident_id("11010519900101004"), phone="13900139001")
ZHANG_SAN = wang_fang(name="张三", id_number=resident_id("11010519880606003"), phone="13900139000")
MISSING = "00000000-0000-0000-0000-000000000000"
SCHEDULED_INTEREST = sum(Decimal(12000 - 1000 * k) * Decimal("0.01") for k in range(12))
COMPONENT_NAMES = ("principal", "interest", "fee", "penalty")


def tell_documents_story(db_url: str, home: Path) -> Iterator[dict[str, Any]]:
    """The story the document tests read (see the module's docstring), on a service of
    its own whose books open on 2026-01-31."""
    with client(opened_on(db_url, home, date(2026, 1, 31))) as api:
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


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


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
    return tuple(Decimal(row[f"balance_{c}"]) for c in COMPONENT_NAMES)
