"""The production path over HTTP: the first admin from the CLI, staff who log in with
passwords, a loan from application to approval, and the audit trail that names each
step's actor; then the officer leaves, and their token is refused."""

from __future__ import annotations

from typing import Any

import httpx

from infrastructure.settings import Settings
from tests.support.catalog import micro_12
from tests.support.people import wang_fang
from tests.support.processes import lending_env, run, running_server
from tests.support.staff import HEAD_OFFICE, bearer_of, create_user, log_in, open_office

BORROWER = "query($id: ID!) { borrower(id: $id) { id } loans { nodes { id } } }"
ROOT_PASSWORD = "root-chooses-this-1"
# One approval level, the approver's: no grade approves this loan automatically.
ONE_LEVEL = '{"automatic_grades": []}'
TRAIL = """query($id: ID, $actor: String) {
  auditTrail(entityId: $id, actor: $actor) { nodes { actor office entityType eventType } }
}"""


def graphql(http: httpx.Client, query: str, headers: dict[str, str], position: int,
            **variables: Any) -> dict[str, Any]:  # fmt: skip
    answer = http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers=headers | {"X-Min-Position": str(position)},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert "errors" not in body, body
    return body["data"]


def ok(answer: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_admin_officer_and_approver_take_a_loan_to_approval_on_the_record(
    settings: Settings,
) -> None:
    created = run("users", "create-admin", "--username", "root", "--password-stdin",
                  env=lending_env(settings), stdin=f"{ROOT_PASSWORD}\n")  # fmt: skip
    assert created.returncode == 0, created.stderr
    with (
        running_server(settings, LENDING_APPROVAL=ONE_LEVEL) as base,
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        admin = bearer_of(log_in(http, "root", ROOT_PASSWORD))
        branch_a = open_office(http, admin, "Branch A")
        officer_id = create_user(http, admin, "officer.zhang", branch_a, "loan_officer")
        approver_id = create_user(http, admin, "approver.sun", HEAD_OFFICE, "approver")
        ok(http.post("/products", json=micro_12(), headers=admin), 201)

        officer = bearer_of(log_in(http, "officer.zhang"))
        approver = bearer_of(log_in(http, "approver.sun"))
        borrower = ok(http.post("/borrowers", json=wang_fang(), headers=officer), 201)
        application = {
            "borrower_id": borrower["id"], "product_code": "MICRO-12", "principal": "12000.00",
            "term": 12, "frequency": "monthly", "method": "equal_installments",
            "purpose": "buy tea seedlings", "annual_rate_percent": "12",
        }  # fmt: skip
        loan = ok(http.post("/loans", json=application, headers=officer), 201)
        approved = ok(http.post(f"/loans/{loan['id']}/approve", json={}, headers=approver))

        # An officer of branch B neither sees the borrower nor acts on the loan.
        branch_b = open_office(http, admin, "Branch B")
        create_user(http, admin, "officer.li", branch_b, "loan_officer")
        other = bearer_of(log_in(http, "officer.li"))
        seen = graphql(http, BORROWER, other, approved["position"], id=borrower["id"])
        assert seen == {"borrower": None, "loans": {"nodes": []}}
        signed = http.post(f"/loans/{loan['id']}/sign", json={"signed_on": "2026-01-31"},
                           headers=other)  # fmt: skip
        assert signed.status_code == 404, signed.text
        mine = graphql(http, BORROWER, officer, approved["position"], id=borrower["id"])
        assert mine["borrower"] == {"id": borrower["id"]}

        auditor_id = create_user(http, admin, "auditor.chen", HEAD_OFFICE, "auditor")
        auditor = bearer_of(log_in(http, "auditor.chen"))
        steps = graphql(http, TRAIL, auditor, approved["position"], id=loan["id"])
        acts = [(s["eventType"], s["actor"]) for s in steps["auditTrail"]["nodes"]]
        assert acts[0] == ("LoanApplicationSubmitted", officer_id)
        assert ("LoanApproved", approver_id) in acts
        assert steps["auditTrail"]["nodes"][0]["office"] == branch_a
        registered = graphql(http, TRAIL, auditor, approved["position"], id=borrower["id"])
        first = registered["auditTrail"]["nodes"][0]
        assert (first["eventType"], first["actor"], first["office"]) == (
            "BorrowerRegistered", officer_id, branch_a,
        )  # fmt: skip
        acted = graphql(http, TRAIL, auditor, approved["position"], actor=officer_id)
        kinds = [(n["eventType"], n["office"]) for n in acted["auditTrail"]["nodes"]]
        assert kinds[0] == ("StaffSessionLoggedIn", branch_a)
        users = graphql(http, "{ users { id username } }", auditor, approved["position"])
        assert {"id": auditor_id, "username": "auditor.chen"} in users["users"]

        left = ok(http.post(f"/users/{officer_id}/deactivate", json={"reason": "left"},
                            headers=admin))  # fmt: skip
        assert left["version"] == 2
        refused = http.post("/borrowers", json=wang_fang(), headers=officer)
        assert refused.status_code == 401, refused.text
        query = http.post("/graphql", json={"query": "{ businessDate }"}, headers=officer)
        assert query.status_code == 401
