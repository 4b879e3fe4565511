"""Memorable loan products and the steps that take a loan through its life."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from domain.product import ProductTerms
from infrastructure.tokens import Role
from tests.support.api import AUDITOR, OFFICER, bearer, graphql
from tests.support.people import wang_fang

ADMIN = bearer("admin.wu", Role.ADMIN)
APPROVER = bearer("approver.sun", Role.APPROVER)
REVIEWER = bearer("reviewer.qian", Role.REVIEWER)
SECOND_REVIEWER = bearer("reviewer.he", Role.REVIEWER)


def micro_12(**overrides: Any) -> dict[str, Any]:
    """A small-business micro loan: 1,000 to 50,000 yuan over 3 to 12 months."""
    body = {
        "code": "MICRO-12", "name": "Micro business loan", "currency": "CNY",
        "min_principal": "1000", "max_principal": "50000.00", "min_term": 3, "max_term": 12,
        "frequencies": ["monthly", "quarterly"],
        "methods": ["equal_installments", "equal_principal"],
        "min_rate_percent": "6", "max_rate_percent": "18.5", "penalty_rate_percent": "0.05",
        "late_fee": "50",
    }  # fmt: skip
    return {**body, **overrides}


def product_terms(body: dict[str, Any]) -> ProductTerms:
    """The domain's terms for a POST /products body: all of it but the code."""
    return ProductTerms.model_validate({k: v for k, v in body.items() if k != "code"})


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def applied_loan(
    api: TestClient, borrower_body: dict[str, Any] | None = None, **overrides: Any
) -> dict[str, Any]:
    """Submit an application for 12,000 over 12 months at 12% on MICRO-12 (defined if new).

    The borrower is Wang Fang unless another registration body is given.
    """
    product = api.post("/products", json=micro_12(), headers=ADMIN)
    assert product.status_code in (201, 409), product.text
    borrower = ok(api.post("/borrowers", json=borrower_body or wang_fang(), headers=OFFICER), 201)
    body = {
        "borrower_id": borrower["id"], "product_code": "MICRO-12", "principal": "12000.00",
        "term": 12, "frequency": "monthly", "method": "equal_installments",
        "purpose": "buy tea seedlings", "annual_rate_percent": "12",
    }  # fmt: skip
    return ok(api.post("/loans", json=body | overrides, headers=OFFICER), 201) | {
        "borrower_id": borrower["id"]
    }


PENDING = "query($id: ID!) { loan(id: $id) { approval { pending { role } overrides } } }"
OVERRIDE = "the site visit and the guarantor outweigh the model"


def approved(api: TestClient, loan: dict[str, Any], **figures: Any) -> dict[str, Any]:
    """Sign each pending level of the loan's approval, as the approval shows it: reviews by
    two different reviewers, the final approval (with `figures`) by the approver, who
    gives an override reason when approving goes against the assessment."""
    reviewers = iter((REVIEWER, SECOND_REVIEWER))
    written = loan
    while True:
        found = graphql(
            api, PENDING, AUDITOR, {"id": loan["id"]}, min_position=written["position"]
        )["data"]["loan"]["approval"]
        if found is None or found["pending"] is None:
            return written
        body, headers = {}, next(reviewers, REVIEWER)
        if found["pending"]["role"] == "APPROVER":
            body, headers = dict(figures), APPROVER
            if found["overrides"]:
                body.setdefault("override_reason", OVERRIDE)
        written = ok(api.post(f"/loans/{loan['id']}/approve", json=body, headers=headers))


def paid_out(
    api: TestClient, loan: dict[str, Any], on: str, reference: str = "D-1"
) -> dict[str, Any]:
    """Approve the loan through its levels, sign it and pay it out, all on `on`: the
    payout's answer."""
    path = f"/loans/{loan['id']}"
    approved(api, loan)
    ok(api.post(f"{path}/sign", json={"signed_on": on}, headers=OFFICER))
    body = {"value_date": on, "account": "6222021234567890123", "channel": "bank",
            "reference": reference}  # fmt: skip
    return ok(api.post(f"{path}/disburse", json=body, headers=OFFICER))


def disbursed_loan(
    api: TestClient, on: str = "2026-01-31", borrower_body: dict[str, Any] | None = None
) -> dict[str, Any]:
    loan = applied_loan(api, borrower_body)
    return loan | paid_out(api, loan, on)


def cob(api: TestClient, day: date | str, status: int = 200) -> dict[str, Any]:
    """Close the business day `day` and return the job's answer."""
    return ok(
        api.post("/close-of-business", json={"business_date": str(day)}, headers=ADMIN), status
    )


def repay(api: TestClient, loan_id: str, amount: str, on: str, ref: str, **extra: Any) -> Any:
    """POST a bank repayment of `amount` on the loan, valued `on`: the response, whatever
    it is (`extra` adds to or replaces fields of the body)."""
    body = {"loan_id": loan_id, "amount": amount, "value_date": on, "channel": "bank",
            "external_reference": ref}  # fmt: skip
    return api.post("/repayments", json=body | extra, headers=OFFICER)


def pay(api: TestClient, loan_id: str, amount: str, on: str, ref: str) -> dict[str, Any]:
    """A bank repayment of `amount` on the loan, valued `on`, that must be accepted."""
    return ok(repay(api, loan_id, amount, on, ref), 201)
