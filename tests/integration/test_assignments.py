"""A loan is assigned to another officer, a borrower transferred to another office."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient

from domain.borrower import Borrower
from tests.support.api import OFFICER, graphql, head, runtime_of
from tests.support.catalog import applied_loan
from tests.support.database import select
from tests.support.staff import HEAD_OFFICE, admin_headers, create_user, first_admin, open_office

TRAIL = "query($id: ID) { auditTrail(entityId: $id) { nodes { eventType actor } } }"


def test_a_loan_is_assigned_to_an_active_loan_officer(api: TestClient, db_url: str) -> None:
    admin_id = first_admin(runtime_of(api).app)
    admin = admin_headers(api)
    officer = create_user(api, admin, "officer.li", HEAD_OFFICE, "loan_officer")
    approver = create_user(api, admin, "approver.sun", HEAD_OFFICE, "approver")
    loan = applied_loan(api)
    path = f"/loans/{loan['id']}/assign"
    assert api.post(path, json={"officer": officer}, headers=OFFICER).status_code == 403
    for wrong in (approver, "5b1f3c9e-0d4a-4b8e-9c7f-2a6d8e1b4c30"):
        refused = api.post(path, json={"officer": wrong}, headers=admin)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "officer"
    assigned = api.post(path, json={"officer": officer}, headers=admin)
    assert assigned.status_code == 200, assigned.text
    again = api.post(path, json={"officer": officer}, headers=admin)
    assert again.status_code == 409
    runtime_of(api).projections.wait(assigned.json()["position"])
    rows = select(db_url, f"SELECT officer FROM loans WHERE id = '{loan['id']}'")
    assert rows == [(officer,)]
    books = select(db_url, f"SELECT officer FROM loan_books WHERE loan_id = '{loan['id']}'")
    assert books == [(officer,)]
    steps = graphql(api, TRAIL, admin, {"id": loan["id"]})["data"]["auditTrail"]["nodes"]
    assert {"eventType": "LoanOfficerAssigned", "actor": str(admin_id)} in steps


def test_a_borrower_is_transferred_to_another_office(api: TestClient) -> None:
    first_admin(runtime_of(api).app)
    admin = admin_headers(api)
    branch = open_office(api, admin, "Hankou branch")
    loan = applied_loan(api)
    path = f"/borrowers/{loan['borrower_id']}/transfer"
    assert api.post(path, json={"office": branch}, headers=OFFICER).status_code == 403
    nowhere = api.post(path, json={"office": loan["id"]}, headers=admin)
    assert nowhere.status_code == 422
    assert nowhere.json()["errors"][0]["field"] == "office"
    moved = api.post(path, json={"office": branch}, headers=admin)
    assert moved.status_code == 200, moved.text
    assert api.post(path, json={"office": branch}, headers=admin).status_code == 409
    borrower = runtime_of(api).app.load(Borrower, UUID(loan["borrower_id"]), "borrower")
    assert borrower.office == UUID(branch)
    steps = graphql(api, TRAIL, admin, {"id": loan["borrower_id"]}, min_position=head(api))
    assert "BorrowerTransferred" in [s["eventType"] for s in steps["data"]["auditTrail"]["nodes"]]
