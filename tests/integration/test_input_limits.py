"""The REST edge refuses what no read model can hold: control characters, unbounded text,
numbers past the columns and the calendar, and approvals the product does not allow."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.tokens import Role
from tests.support.api import OFFICER, bearer, head
from tests.support.catalog import ADMIN, APPROVER, applied_loan, micro_12, ok
from tests.support.people import wang_fang

EVERY_ROLE = bearer("edge.admin", *Role)
SOMEONE = str(uuid.UUID(int=7))


def refused(response: Any, field: str, reason: str = "") -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert field in [e["field"] for e in errors], errors
    assert reason in " ".join(e["reason"] for e in errors if e["field"] == field)


def repayment(**overrides: Any) -> dict[str, Any]:
    body = {"loan_id": SOMEONE, "amount": "100.00", "value_date": "2029-12-31",
            "channel": "bank", "external_reference": "R-1", "payer": "Wang Fang"}  # fmt: skip
    return body | overrides


def test_a_nul_in_a_borrowers_name_is_refused_and_nothing_is_written(api: TestClient) -> None:
    before = head(api)
    response = api.post("/borrowers", json=wang_fang(name="Wang\x00Fang"), headers=OFFICER)
    refused(response, "name", "control characters")
    assert head(api) == before
    self_registered = bearer(SOMEONE, Role.BORROWER)
    refused(api.post("/borrowers", json=wang_fang(name="\x00"), headers=self_registered), "name")
    assert head(api) == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/repayments", repayment(payer="Wang\x00Fang"), "payer"),
        ("/repayments", repayment(external_reference="R-1\n"), "external_reference"),
        ("/repayments", repayment(channel="bank\x1b[31m"), "channel"),
        ("/products", micro_12(name="Micro\x07loan"), "name"),
        ("/products", micro_12(code="MICRO\x00"), "code"),
        (f"/loans/{SOMEONE}/approve", {"note": "agreed\x00"}, "note"),
        (f"/loans/{SOMEONE}/approve", {"override_reason": "site visit\x85"}, "override_reason"),
        (f"/loans/{SOMEONE}/reject", {"reason": "\x7f"}, "reason"),
        (f"/borrowers/{SOMEONE}/update", {"address": "12 Tea Garden Road\r\nWuhan"}, "address"),
        (
            f"/loans/{SOMEONE}/disburse",
            {
                "value_date": "2029-12-31",
                "account": "6222\x00",
                "channel": "bank",
                "reference": "D",
            },
            "account",
        ),
        (
            "/scorecard/score",
            {"features": {"monthly_income\x00": 1}},
            "features.monthly_income\x00.[key]",
        ),
    ],
)
def test_control_characters_are_refused_naming_the_field(
    api: TestClient, path: str, body: dict[str, Any], field: str
) -> None:
    refused(api.post(path, json=body, headers=EVERY_ROLE), field, "control characters")


def test_notes_and_reasons_may_span_lines(api: TestClient) -> None:
    loan = applied_loan(api)
    note = "cash flow is sound.\n\tGuarantor: Li Ming"
    ok(api.post(f"/loans/{loan['id']}/approve", json={"note": note}, headers=APPROVER))
    refused(api.post(f"/loans/{SOMEONE}/approve", json={"note": "a\rb"}, headers=APPROVER), "note")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"grace_days": 10**12}, "grace_days"),
        ({"grace_days": 367}, "grace_days"),
        ({"max_term": 10**12}, "max_term"),
        ({"min_age": 2**31}, "min_age"),
        ({"frequencies": ["monthly"] * 5}, "frequencies"),
    ],
)
def test_product_numbers_past_the_columns_are_refused(
    api: TestClient, change: dict[str, Any], field: str
) -> None:
    before = head(api)
    refused(api.post("/products", json=micro_12(**change), headers=ADMIN), field)
    assert head(api) == before


def too_long(n: int) -> str:
    return "x" * (n + 1)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (f"/borrowers/{SOMEONE}/update", {"address": too_long(200)}, "address"),
        (f"/borrowers/{SOMEONE}/update", {"name": too_long(200)}, "name"),
        ("/borrowers", wang_fang(address=too_long(200)), "address"),
        (f"/borrowers/{SOMEONE}/blacklist", {"reason": too_long(1000)}, "reason"),
        ("/repayments", repayment(payer=too_long(200)), "payer"),
        ("/repayments", repayment(external_reference=too_long(200)), "external_reference"),
        (f"/repayments/{SOMEONE}/reverse", {"reason": too_long(1000)}, "reason"),
        (f"/loans/{SOMEONE}/approve", {"note": too_long(2000)}, "note"),
        (f"/loans/{SOMEONE}/approve", {"override_reason": too_long(2000)}, "override_reason"),
        (f"/loans/{SOMEONE}/reject", {"reason": too_long(1000)}, "reason"),
        (f"/loans/{SOMEONE}/withdraw", {"reason": too_long(1000)}, "reason"),
        (
            f"/loans/{SOMEONE}/write-off",
            {"value_date": "2029-12-31", "reason": too_long(1000)},
            "reason",
        ),
        (
            f"/loans/{SOMEONE}/reschedule",
            {"from_date": "2029-12-31", "reason": too_long(1000)},
            "reason",
        ),
        (
            f"/loans/{SOMEONE}/collection-actions",
            {"kind": "call", "outcome": too_long(2000)},
            "outcome",
        ),
        (f"/risk-warnings/{SOMEONE}/acknowledge", {"note": too_long(2000)}, "note"),
        ("/products", micro_12(name=too_long(200)), "name"),
        ("/scorecard/score", {"features": {too_long(200): 1}}, "features"),
    ],
)
def test_every_text_field_has_a_length_limit(
    api: TestClient, path: str, body: dict[str, Any], field: str
) -> None:
    response = api.post(path, json=body, headers=EVERY_ROLE)
    assert response.status_code == 422, response.text
    fields = [e["field"] for e in response.json()["errors"]]
    assert any(f == field or f.startswith(f"{field}.") for f in fields), fields


@pytest.mark.parametrize("term", [0, -1, 13, 10**12])
def test_an_approval_with_a_term_the_product_does_not_offer_is_refused(
    api: TestClient, term: int
) -> None:
    loan = applied_loan(api)
    before = head(api)
    response = api.post(f"/loans/{loan['id']}/approve", json={"term": term}, headers=APPROVER)
    refused(response, "term")
    assert head(api) == before


def test_an_approval_with_a_zero_principal_is_refused(api: TestClient) -> None:
    loan = applied_loan(api)
    response = api.post(f"/loans/{loan['id']}/approve", json={"principal": "0"}, headers=APPROVER)
    refused(response, "principal")


PREVIEW = {"principal": "12000", "annual_rate_percent": "12", "term": 12,
           "frequency": "monthly", "method": "equal_installments"}  # fmt: skip


@pytest.mark.parametrize("day", ["1000-01-01", "1899-12-31", "2201-01-01", "9999-12-01"])
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/schedules/preview", PREVIEW | {"start_date": "2030-01-01"}, "start_date"),
        ("/schedules/preview", PREVIEW | {"start_date": "2030-01-01"}, "first_due_date"),
        ("/close-of-business", {}, "business_date"),
        ("/borrowers", wang_fang(), "birth_date"),
        ("/repayments", repayment(), "value_date"),
        (f"/loans/{SOMEONE}/sign", {}, "signed_on"),
        (
            f"/loans/{SOMEONE}/collection-actions",
            {"kind": "call", "outcome": "promised"},
            "promised_date",
        ),
    ],
)
def test_dates_outside_1900_to_2200_are_refused_naming_the_field(
    api: TestClient, day: str, path: str, body: dict[str, Any], field: str
) -> None:
    refused(api.post(path, json=body | {field: day}, headers=EVERY_ROLE), field)


@pytest.mark.parametrize("version", ["²".encode("latin-1"), b"1" * 30, b"-1"])
def test_an_if_match_that_is_not_a_version_is_refused(api: TestClient, version: bytes) -> None:
    headers = {k.encode(): v.encode() for k, v in OFFICER.items()} | {b"If-Match": version}
    response = api.post(f"/loans/{SOMEONE}/withdraw", json={}, headers=headers)
    refused(response, "If-Match")
