"""Stores, loans and queries for the risk-warning tests.

Loans here are on PLAIN-12: MICRO-12 without late fee or penalty, so an installment
costs exactly what the schedule says whenever it is paid.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from domain.loan import Loan
from domain.risk import RiskPolicy
from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support import catalog
from tests.support.api import OFFICER, bearer, graphql, runtime_of
from tests.support.catalog import ADMIN, micro_12, ok
from tests.support.people import LI_MING_ID, wang_fang
from tests.support.settings import opened_on

RISK_OFFICER = bearer("risk.he", Role.RISK_OFFICER)
PLAIN = micro_12(code="PLAIN-12", name="Plain micro loan", penalty_rate_percent="0", late_fee="0")

WARNINGS = """query($status: WarningStatus, $severity: Severity, $first: Int, $after: String) {
  riskWarnings(status: $status, severity: $severity, first: $first, after: $after) {
    nodes { id rule severity status subject loanId borrowerId threshold raisedOn detail }
    pageInfo { hasNextPage endCursor } } }"""


def store(db_url: str, tmp_path: Path, opened: date, **policy: Any) -> Settings:
    """Settings for a store whose business date starts at `opened`, with risk `policy`."""
    return opened_on(db_url, tmp_path, opened).model_copy(update={"risk": RiskPolicy(**policy)})


def li_ming(**overrides: Any) -> dict[str, Any]:
    """A shopkeeper in Chengdu: a second borrower, in another region."""
    body = {"name": "Li Ming", "id_number": LI_MING_ID,
            "phone": "13900139000", "region": "Sichuan",
            "address": "8 Jinli Street, Chengdu"}  # fmt: skip
    return wang_fang(**body) | overrides


def borrower(api: TestClient, body: dict[str, Any] | None = None) -> str:
    registered = ok(api.post("/borrowers", json=body or wang_fang(), headers=OFFICER), 201)
    return str(registered["id"])


def lent(api: TestClient, borrower_id: str, on: date, principal: str = "12000.00") -> str:
    """A PLAIN-12 loan of `principal` over 12 months at 12%, disbursed on `on`; its id."""
    product = api.post("/products", json=PLAIN, headers=ADMIN)
    assert product.status_code in (201, 409), product.text
    body = {
        "borrower_id": borrower_id, "product_code": "PLAIN-12", "principal": principal,
        "term": 12, "frequency": "monthly", "method": "equal_installments",
        "purpose": "stock for the shop", "annual_rate_percent": "12",
    }  # fmt: skip
    loan = ok(api.post("/loans", json=body, headers=OFFICER), 201)
    catalog.paid_out(api, loan, str(on), reference=f"D-{loan['id']}")
    return str(loan["id"])


def installments(api: TestClient, loan_id: str) -> list[tuple[date, Decimal]]:
    """(due date, total) of each scheduled installment, in order."""
    app = runtime_of(api).app
    loan = app.load(Loan, UUID(loan_id), "loan")
    return [(i.due_date, i.total) for i in loan.schedule.installments]


def pay(api: TestClient, loan_id: str, amount: Decimal, on: date, reference: str) -> None:
    catalog.pay(api, loan_id, str(amount), str(on), reference)


def warnings(
    api: TestClient, position: int, rule: str | None = None, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every warning (of `rule`), newest first, once the read models reach `position`."""
    body = graphql(api, WARNINGS, headers or RISK_OFFICER, {"first": 500}, position)
    nodes: list[dict[str, Any]] = body["data"]["riskWarnings"]["nodes"]
    return [n for n in nodes if rule is None or n["rule"] == rule]
