"""A loan's life over REST: each command only from the right state."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from domain.loan import LoanStatus
from infrastructure.tokens import Role
from tests.support.api import ANALYST, OFFICER, bearer, stored_loan
from tests.support.catalog import APPROVER, applied_loan, disbursed_loan, ok


def test_application_to_disbursement_records_terms_and_schedule(api: TestClient) -> None:
    loan = disbursed_loan(api)
    assert loan["version"] == 4
    recorded = stored_loan(api, loan["id"])
    assert recorded.status is LoanStatus.ACTIVE
    assert recorded.schedule is not None
    assert len(recorded.schedule.installments) == 12
    assert recorded.schedule.total_principal == Decimal("12000.00")
    # 12,000 at 1% a month over 12 months: 12000 * 0.01 / (1 - 1.01**-12) = 1066.1854...
    assert recorded.schedule.installments[0].total == Decimal("1066.19")
    assert str(recorded.schedule.installments[0].due_date) == "2026-02-28"
    assert str(recorded.schedule.installments[1].due_date) == "2026-03-31"


def test_approval_may_lower_principal_within_the_product(api: TestClient) -> None:
    loan = applied_loan(api)
    lower = ok(
        api.post(
            f"/loans/{loan['id']}/approve",
            json={"principal": "8000.00", "term": 6},
            headers=APPROVER,
        )
    )
    assert stored_loan(api, lower["id"]).principal == Decimal("8000.00")


def test_approval_outside_the_product_is_422_naming_the_limit(api: TestClient) -> None:
    loan = applied_loan(api)
    response = api.post(
        f"/loans/{loan['id']}/approve", json={"annual_rate_percent": "30"}, headers=APPROVER
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "annual_rate_percent"
    assert "18.5" in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("principal", "500.00"), ("term", 24), ("frequency", "weekly"), ("method", "bullet")],
)
def test_applications_outside_the_product_are_refused(
    api: TestClient, field: str, value: object
) -> None:
    response = api.post("/loans", json={}, headers=OFFICER)
    assert response.status_code == 422
    loan = applied_loan(api)
    again = api.post(
        "/loans",
        json={
            "borrower_id": loan["borrower_id"], "product_code": "MICRO-12", "principal": "5000.00",
            "term": 6, "frequency": "monthly", "method": "equal_installments", "purpose": "stock",
        } | {field: value},
        headers=OFFICER,
    )  # fmt: skip
    assert again.status_code == 422, again.text
    assert again.json()["errors"][0]["field"] == field


def test_commands_from_the_wrong_state_are_409_with_the_reason(api: TestClient) -> None:
    loan = applied_loan(api)
    path = f"/loans/{loan['id']}"
    early = api.post(
        f"{path}/disburse",
        json={"value_date": "2026-01-31", "account": "1", "channel": "bank", "reference": "x"},
        headers=OFFICER,
    )
    assert early.status_code == 409
    assert "submitted" in early.json()["detail"]
    ok(api.post(f"{path}/reject", json={"reason": "income too low"}, headers=APPROVER))
    again = api.post(f"{path}/approve", json={}, headers=APPROVER)
    assert again.status_code == 409
    assert "rejected" in again.json()["detail"]


def test_withdrawn_loans_cannot_be_signed(api: TestClient) -> None:
    loan = applied_loan(api)
    ok(api.post(f"/loans/{loan['id']}/withdraw", json={}, headers=OFFICER))
    response = api.post(
        f"/loans/{loan['id']}/sign", json={"signed_on": "2026-01-30"}, headers=OFFICER
    )
    assert response.status_code == 409


def test_roles_and_unknown_loans(api: TestClient) -> None:
    loan = applied_loan(api)
    assert api.post(f"/loans/{loan['id']}/approve", json={}, headers=ANALYST).status_code == 403
    assert api.post(f"/loans/{loan['id']}/approve", json={}, headers=OFFICER).status_code == 403
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.post(f"/loans/{missing}/approve", json={}, headers=APPROVER).status_code == 404
    stranger = bearer("6f0f3a77-0000-4000-8000-000000000000", Role.BORROWER)
    assert api.post(f"/loans/{loan['id']}/withdraw", json={}, headers=stranger).status_code == 403


def test_unknown_borrower_or_product_is_422(api: TestClient) -> None:
    loan = applied_loan(api)
    body = {
        "borrower_id": "00000000-0000-0000-0000-000000000000", "product_code": "MICRO-12",
        "principal": "5000.00", "term": 6, "frequency": "monthly",
        "method": "equal_installments", "purpose": "stock",
    }  # fmt: skip
    assert (
        api.post("/loans", json=body, headers=OFFICER).json()["errors"][0]["field"] == "borrower_id"
    )
    body |= {"borrower_id": loan["borrower_id"], "product_code": "NOPE"}
    assert (
        api.post("/loans", json=body, headers=OFFICER).json()["errors"][0]["field"]
        == "product_code"
    )
