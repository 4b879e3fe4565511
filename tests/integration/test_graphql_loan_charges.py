"""GraphQL's loan charges, waivers, payout and APR, from the `loan_books` read model.

MICRO-12 here charges a 1.5% service fee deducted at payout (180.00 of 12,000), 20.00 a
month and a 50.00 field visit; the loan of 12,000 over 12 months at 12% is paid out on
31 January 2026, first due 28 February, and the business date is then 10 March.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import numpy_financial as npf
import pytest
from fastapi.testclient import TestClient

from infrastructure.tokens import Role
from tests.support.api import AUDITOR, OFFICER, bearer, client, graphql
from tests.support.catalog import ADMIN, applied_loan, cob, micro_12, ok, paid_out, pay
from tests.support.settings import opened_on

SERVICE = {"code": "SVC", "name": "Service fee", "kind": "disbursement", "percent": "1.5",
           "collection": "deduct"}  # fmt: skip
MONTHLY = {"code": "MGMT", "name": "Account fee", "kind": "installment", "amount": "20"}
VISIT = {"code": "VISIT", "name": "Field visit", "kind": "specified_due_date", "amount": "50"}
CHECKER = bearer("approver.sun", Role.APPROVER)
LOAN = """query($id: ID!) { loan(id: $id) {
    status paidOut feesDeducted apr effectiveAnnualRate payoffAmount
    outstandingPrincipal outstandingInterest outstandingFees outstandingPenalty
    schedule { installments { number total } }
    charges { code name kind installment dueDate amount charged paid waived outstanding }
    waivers { id component amount forgiven installment valueDate reason actor } } }"""
PORTFOLIO = "{ portfolio { loanCount collectedAmount feesCollected feesOutstanding } }"
ARREARS = "{ arrears(first: 100) { nodes { loanId overdueFees } } }"


@pytest.fixture(scope="module")
def api(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = opened_on(module_db_url, tmp_path_factory.mktemp("gqlcharges"), date(2026, 1, 1))
    with client(settings) as test_client:
        product = micro_12(charges=[SERVICE, MONTHLY, VISIT])
        ok(test_client.post("/products", json=product, headers=ADMIN), 201)
        cob(test_client, "2026-01-31")
        yield test_client


def read(api: TestClient, loan_id: str, position: int) -> dict[str, Any]:
    body = graphql(api, LOAN, AUDITOR, {"id": loan_id}, position)
    assert "errors" not in body, body
    loan: dict[str, Any] = body["data"]["loan"]
    return loan


def overdue_fees(api: TestClient, loan_id: str, position: int | None = None) -> Decimal:
    nodes = graphql(api, ARREARS, AUDITOR, None, position)["data"]["arrears"]["nodes"]
    return Decimal(next(n["overdueFees"] for n in nodes if n["loanId"] == loan_id))


def portfolio_fees(api: TestClient, position: int) -> tuple[str, str]:
    [row] = graphql(api, PORTFOLIO, AUDITOR, None, position)["data"]["portfolio"]
    return row["feesCollected"], row["feesOutstanding"]


def irr_percent(received: Decimal, payments: list[Decimal], periods: int = 12) -> Decimal:
    periodic = npf.irr([-float(received), *(float(p) for p in payments)])
    return Decimal(repr(periodic * periods * 100)).quantize(Decimal("0.01"))


def test_charges_a_waiver_and_a_payoff_as_graphql_shows_them(api: TestClient) -> None:
    applied = applied_loan(api)
    written = paid_out(api, applied, "2026-01-31")
    loan = read(api, applied["id"], written["position"])
    assert (loan["paidOut"], loan["feesDeducted"]) == ("11820.00", "180.00")
    totals = [Decimal(i["total"]) for i in loan["schedule"]["installments"]]
    assert Decimal(loan["apr"]) == irr_percent(Decimal(loan["paidOut"]), totals)
    assert loan["effectiveAnnualRate"] == "20.09"
    charges = loan["charges"]
    assert charges[0] == {
        "code": "SVC", "name": "Service fee", "kind": "disbursement", "installment": None,
        "dueDate": "2026-01-31", "amount": "180.00", "charged": "180.00", "paid": "180.00",
        "waived": "0.00", "outstanding": "0.00",
    }  # fmt: skip
    monthly = charges[1:]
    assert [(c["code"], c["installment"], c["amount"]) for c in monthly] == [
        ("MGMT", n, "20.00") for n in range(1, 13)
    ]
    assert all(c["outstanding"] == "20.00" and c["paid"] == "0.00" for c in monthly)
    # The deducted fee is collected at payout; the twelve monthly fees are owed.
    assert portfolio_fees(api, written["position"]) == ("180.00", "240.00")
    cob(api, "2026-03-10")
    before = overdue_fees(api, applied["id"])
    path = f"/loans/{applied['id']}"
    body = {"code": "visit", "installment": 1, "reason": "visited the shop"}
    ok(api.post(f"{path}/charges", json=body, headers=OFFICER))
    waiver = {"component": "fee", "amount": "30.00", "installment": 1, "reason": "nobody in"}
    waived = ok(api.post(f"{path}/waive", json=waiver, headers=CHECKER))
    loan = read(api, applied["id"], waived["position"])
    # The overdue visit charge is in the overdue fees, less what was waived.
    assert overdue_fees(api, applied["id"], waived["position"]) == before + 50 - 30
    first = [c for c in loan["charges"] if c["installment"] == 1]
    assert [(c["code"], c["name"], c["kind"], c["dueDate"]) for c in first] == [
        ("MGMT", "Account fee", "installment", "2026-02-28"),
        ("VISIT", "Field visit", "specified_due_date", "2026-02-28"),
    ]
    # Waived fee settles the installment's charges in the order charged.
    assert [(c["waived"], c["outstanding"]) for c in first] == [
        ("20.00", "0.00"), ("10.00", "40.00")
    ]  # fmt: skip
    [recorded] = loan["waivers"]
    assert recorded | {"id": ""} == {
        "id": "", "component": "fee", "amount": "30.00", "forgiven": "30.00", "installment": 1,
        "valueDate": "2026-03-10", "reason": "nobody in", "actor": "approver.sun",
    }  # fmt: skip
    repaid = pay(api, applied["id"], loan["payoffAmount"], "2026-03-10", "payoff-1")
    loan = read(api, applied["id"], repaid["position"])
    assert loan["status"] == "CLOSED"
    assert [loan[f"outstanding{c}"] for c in ("Principal", "Interest", "Fees", "Penalty")] == [
        "0.00"
    ] * 4
    assert {c["outstanding"] for c in loan["charges"]} == {"0.00"}
    collected, owed = portfolio_fees(api, repaid["position"])
    # Collected: the charges' paid shares, and the late fee on the first installment.
    assert owed == "0.00"
    assert Decimal(collected) >= sum(Decimal(c["paid"]) for c in loan["charges"])
    for charge in loan["charges"]:
        settled = Decimal(charge["paid"]) + Decimal(charge["waived"])
        assert settled == Decimal(charge["charged"]) <= Decimal(charge["amount"])
    # The installments the payoff came ahead of charge nothing any more.
    assert {c["charged"] for c in loan["charges"] if (c["installment"] or 0) > 2} == {"0.00"}
