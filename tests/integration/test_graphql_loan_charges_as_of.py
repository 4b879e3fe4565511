"""GraphQL `loan(id, asOf) { charges }`: each charge as it stood at that moment, as
replaying the loan's events to then gives, not as the read model holds it now.

MICRO-12 (tests/integration/test_graphql_loan_charges.py) charges 1.5% at payout, 20.00
a month and a 50.00 field visit. The loan is paid out on 31 January 2026; on 10 March
the officer adds the visit to installment 1, the borrower pays 25.00 and a checker
waives 30.00 of fee on installment 1.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import reduce
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.loan_queries import charged_lines
from domain.loan.charge_shares import charge_shares
from tests.integration.test_graphql_loan_charges import CHECKER, api
from tests.support.api import AUDITOR, OFFICER, graphql, runtime_of
from tests.support.catalog import applied_loan, cob, ok, paid_out, pay

__all__ = ["api"]  # the module's service, as the charges' own tests set it up
CHARGES = """charges { code name kind installment dueDate amount charged paid waived outstanding }
    waivers { id component amount forgiven installment valueDate reason actor }"""
AS_OF = f"query($id: ID!, $at: DateTime) {{ loan(id: $id, asOf: $at) {{ version {CHARGES} }} }}"
NOW = f"query($id: ID!) {{ loan(id: $id) {{ version {CHARGES} }} }}"


def as_of(api: TestClient, loan_id: str, at: datetime) -> dict[str, Any]:
    body = graphql(api, AS_OF, AUDITOR, {"id": loan_id, "at": at.isoformat()})
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["loan"]
    return found


def charges_as_of(api: TestClient, loan_id: str, at: datetime) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = as_of(api, loan_id, at)["charges"]
    return found


def replayed_charges(api: TestClient, loan_id: str, version: int) -> list[dict[str, Any]]:
    """The charges the loan's events up to `version` give, replayed one by one."""
    events = runtime_of(api).app.events_of(UUID(loan_id))[:version]
    loan = reduce(lambda aggregate, event: event.mutate(aggregate), events, None)
    return [
        {
            "code": s.code, "name": s.name, "kind": s.kind, "installment": s.installment,
            "dueDate": s.due_date.isoformat(), "amount": str(s.amount),
            "charged": str(s.charged), "paid": str(s.paid), "waived": str(s.waived),
            "outstanding": str(s.outstanding),
        }
        for s in charge_shares(loan, charged_lines(events))
    ]  # fmt: skip


def test_a_loan_as_of_a_moment_shows_its_charges_as_they_stood_then(api: TestClient) -> None:
    applied = applied_loan(api)
    loan_id = applied["id"]
    paid_out(api, applied, "2026-01-31")
    cob(api, "2026-03-10")
    path = f"/loans/{loan_id}"
    visit = {"code": "visit", "installment": 1, "reason": "visited the shop"}
    ok(api.post(f"{path}/charges", json=visit, headers=OFFICER))
    pay(api, loan_id, "25.00", "2026-03-10", "as-of-1")
    waiver = {"component": "fee", "amount": "30.00", "installment": 1, "reason": "nobody in"}
    written = ok(api.post(f"{path}/waive", json=waiver, headers=CHECKER))
    events = runtime_of(api).app.events_of(UUID(loan_id))
    moments = {type(e).__qualname__: (e.timestamp, e.originator_version) for e in events}

    def first_installment(kind: str) -> list[tuple[str, str, str, str, str]]:
        at, version = moments[kind]
        shown = charges_as_of(api, loan_id, at)
        # Each moment shows what replaying the events to it gives.
        assert shown == replayed_charges(api, loan_id, version)
        return [
            (c["code"], c["charged"], c["paid"], c["waived"], c["outstanding"])
            for c in shown
            if c["installment"] == 1
        ]

    # Paid out: the first month's fee is owed, nothing else is on installment 1.
    assert first_installment("Loan.Disbursed") == [("MGMT", "20.00", "0.00", "0.00", "20.00")]
    # The visit added: owed beside the monthly fee.
    assert first_installment("Loan.ChargeAdded") == [
        ("MGMT", "20.00", "0.00", "0.00", "20.00"),
        ("VISIT", "50.00", "0.00", "0.00", "50.00"),
    ]
    # The payment, then the waiver: what each left of the installment's charges.
    paid = first_installment("Loan.RepaymentAllocated")
    assert [c[0] for c in paid] == ["MGMT", "VISIT"]
    assert all(c[3] == "0.00" for c in paid)
    waived = first_installment("Loan.Waived")
    assert sum(Decimal(c[3]) for c in waived) == Decimal("30.00")
    assert [c[2] for c in waived] == [c[2] for c in paid]  # a waiver pays nothing
    # As of now the loan's events and the `loan_books` read model agree.
    now = graphql(api, NOW, AUDITOR, {"id": loan_id}, written["position"])["data"]["loan"]
    latest = max(e.timestamp for e in events)
    assert charges_as_of(api, loan_id, latest) == now["charges"]
    # Waivers too: none before the waiver; as of it (and now), what it forgave.
    assert as_of(api, loan_id, moments["Loan.RepaymentAllocated"][0])["waivers"] == []
    [forgiven] = as_of(api, loan_id, moments["Loan.Waived"][0])["waivers"]
    assert (forgiven["forgiven"], forgiven["actor"]) == ("30.00", "approver.sun")
    assert as_of(api, loan_id, latest)["waivers"] == now["waivers"]
