"""A loan from application to full repayment over real HTTP, every figure via GraphQL."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import httpx

from infrastructure.settings import Settings
from tests.support.api import AUDITOR, OFFICER
from tests.support.catalog import ADMIN, APPROVER, micro_12
from tests.support.people import wang_fang
from tests.support.processes import running_server

CENT = Decimal("0.01")
LOAN = """query($id: ID!) { loan(id: $id) {
    status outstandingPrincipal outstandingInterest outstandingFees outstandingPenalty
    creditBalance principalRepaid interestRepaid nextDueDate
    schedule { installments { number dueDate principal interest total balanceAfter
                              paidPrincipal paidInterest status } totalInterest totalPayable }
    repayments { amount valueDate principal interest credit status } } }"""
HISTORY = "query($id: ID!) { loanHistory(id: $id) { type actor valueDate } }"


def expected_annuity(
    principal: Decimal, monthly_rate: Decimal, n: int
) -> list[tuple[Decimal, ...]]:
    """(principal, interest, total) per month, worked out here with the closed form."""
    level = (principal * monthly_rate / (1 - (1 + monthly_rate) ** -n)).quantize(
        CENT, ROUND_HALF_EVEN
    )
    rows, balance = [], principal
    for month in range(1, n + 1):
        interest = (balance * monthly_rate).quantize(CENT, ROUND_HALF_EVEN)
        paid = balance if month == n else level - interest
        rows.append((paid, interest, paid + interest))
        balance -= paid
    return rows


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def test_application_to_full_repayment(settings: Settings) -> None:
    rows = expected_annuity(Decimal("12000.00"), Decimal("0.01"), 12)
    month_ends = [
        date(2026, m, 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31) for m in range(2, 13)
    ]
    due_dates = [*month_ends, date(2027, 1, 31)]
    with running_server(settings) as base, httpx.Client(base_url=base, timeout=20) as http:
        created(http.post("/products", json=micro_12(), headers=ADMIN))
        borrower = created(http.post("/borrowers", json=wang_fang(), headers=OFFICER))
        application = {
            "borrower_id": borrower["id"], "product_code": "MICRO-12", "principal": "12000.00",
            "term": 12, "frequency": "monthly", "method": "equal_installments",
            "purpose": "tea seedlings", "annual_rate_percent": "12",
        }  # fmt: skip
        loan_id = created(http.post("/loans", json=application, headers=OFFICER))["id"]
        created(
            http.post(f"/loans/{loan_id}/approve", json={"note": "good history"}, headers=APPROVER)
        )
        created(
            http.post(f"/loans/{loan_id}/sign", json={"signed_on": "2026-01-30"}, headers=OFFICER)
        )
        disbursement = {
            "value_date": "2026-01-31",
            "account": "6222021234567890123",
            "channel": "bank",
            "reference": "D-1",
        }
        position = created(
            http.post(f"/loans/{loan_id}/disburse", json=disbursement, headers=OFFICER)
        )["position"]

        def read(at: int) -> dict[str, Any]:
            answer = http.post("/graphql", json={"query": LOAN, "variables": {"id": loan_id}},
                               headers=AUDITOR | {"X-Min-Position": str(at)})  # fmt: skip
            assert answer.status_code == 200
            body = answer.json()
            assert "errors" not in body, body
            loan: dict[str, Any] = body["data"]["loan"]
            return loan

        loan = read(position)
        assert loan["status"] == "ACTIVE"
        schedule = loan["schedule"]
        assert [
            (i["dueDate"], i["principal"], i["interest"], i["total"])
            for i in schedule["installments"]
        ] == [
            (str(due), str(p), str(i), str(t))
            for due, (p, i, t) in zip(due_dates, rows, strict=True)
        ]
        total_interest = sum(i for _, i, _ in rows)
        assert schedule["totalInterest"] == str(total_interest)
        assert loan["outstandingInterest"] == str(total_interest)

        principal_left, interest_paid = Decimal("12000.00"), Decimal(0)
        for n, ((p, i, t), due) in enumerate(zip(rows, due_dates, strict=True), start=1):
            extra = Decimal("3.00") if n == 12 else Decimal(0)  # the last payment overpays
            body = {"loan_id": loan_id, "amount": str(t + extra), "value_date": str(due),
                    "channel": "bank", "external_reference": f"WF-{n:02d}"}  # fmt: skip
            position = created(http.post("/repayments", json=body, headers=OFFICER))["position"]
            principal_left -= p
            interest_paid += i
            if n in (1, 6, 12):
                loan = read(position)
                assert loan["outstandingPrincipal"] == str(principal_left)
                assert loan["principalRepaid"] == str(Decimal("12000.00") - principal_left)
                assert loan["interestRepaid"] == str(interest_paid)
                assert loan["outstandingInterest"] == str(total_interest - interest_paid)
                paid = [x for x in loan["schedule"]["installments"] if x["status"] == "PAID"]
                assert len(paid) == n

        assert loan["status"] == "CLOSED"
        assert (loan["outstandingPrincipal"], loan["outstandingInterest"]) == ("0.00", "0.00")
        assert (loan["outstandingFees"], loan["outstandingPenalty"]) == ("0.00", "0.00")
        assert loan["creditBalance"] == "3.00"
        assert loan["nextDueDate"] is None
        repayments = loan["repayments"]
        assert [(r["principal"], r["interest"]) for r in repayments] == [
            (str(p), str(i)) for p, i, _ in rows
        ]
        assert repayments[-1]["credit"] == "3.00"
        for r in repayments:
            assert Decimal(r["principal"]) + Decimal(r["interest"]) + Decimal(
                r["credit"]
            ) == Decimal(r["amount"])

        history = http.post(
            "/graphql", json={"query": HISTORY, "variables": {"id": loan_id}}, headers=AUDITOR
        )
        events = history.json()["data"]["loanHistory"]
        types = [e["type"] for e in events]
        assert types[:5] == [
            "LoanApplicationSubmitted",
            "LoanApproved",
            "LoanContractSigned",
            "LoanDisbursed",
            "RepaymentReceived",
        ]
        assert types.count("LoanRepaymentAllocated") == 12
        assert types.count("RepaymentReceived") == 12
        # The business date is past maturity, so after the first payment the loan is in
        # arrears on that date; the last payment closes it and records the cure.
        assert types.count("LoanDelinquencyChanged") == 2
        assert types[-2:] == ["LoanClosed", "LoanDelinquencyChanged"]
        assert {e["actor"] for e in events} == {"officer.zhang", "approver.sun"}
        assert events[3]["valueDate"] == "2026-01-31"
