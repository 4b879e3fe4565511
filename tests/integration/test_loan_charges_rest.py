"""Charges, waivers and credit refunds on a loan over REST, and the APR ceiling on
approvals and disbursements: what is accepted, what is refused (with nothing written),
and what the loan's history then shows.

MICRO-12 here charges a 1.5% service fee deducted at payout (180.00 of 12,000), 20.00 a
month, and a 50.00 collection visit; the books open on 1 January 2026 and the loan of
12,000 over 12 months at 12% is paid out on 31 January, first due 28 February.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.credit import CreditPolicy
from infrastructure.tokens import Role
from tests.support.api import (
    AUDITOR,
    OFFICER,
    bearer,
    client,
    graphql,
    head,
    runtime_of,
    stored_loan,
)
from tests.support.catalog import (
    ADMIN,
    APPROVER,
    OVERRIDE,
    PENDING,
    applied_loan,
    approved,
    cob,
    micro_12,
    ok,
    paid_out,
    pay,
)
from tests.support.people import resident_id, wang_fang
from tests.support.settings import opened_on

SERVICE = {"code": "SVC", "name": "Service fee", "kind": "disbursement", "percent": "1.5",
           "collection": "deduct"}  # fmt: skip
MONTHLY = {"code": "MGMT", "name": "Account fee", "kind": "installment", "amount": "20"}
VISIT = {"code": "VISIT", "name": "Field visit", "kind": "specified_due_date", "amount": "50"}
HISTORY = "query($id: ID!) { loanHistory(id: $id) { type actor valueDate data } }"
PAID_OUT = "2026-01-31"
CHECKER = bearer("approver.sun", Role.APPROVER)
people = itertools.count(1)


def borrower() -> dict[str, Any]:
    """Another borrower each time (the same one may not register twice)."""
    n = next(people)
    return wang_fang(id_number=resident_id(f"4201061985031{n:04d}"), phone=f"1390013{n:04d}")


@pytest.fixture(scope="module")
def api(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = opened_on(module_db_url, tmp_path_factory.mktemp("charges"), date(2026, 1, 1))
    with client(settings) as test_client:
        product = micro_12(charges=[SERVICE, MONTHLY, VISIT])
        ok(test_client.post("/products", json=product, headers=ADMIN), 201)
        cob(test_client, PAID_OUT)
        yield test_client


def paid_out_loan(api: TestClient) -> dict[str, Any]:
    """A loan paid out on 31 January; the business date is 10 March (the first
    installment, 1,086.19 with its fee, is past due and unpaid)."""
    applied = applied_loan(api, borrower())
    written = paid_out(api, applied, PAID_OUT, reference=f"D-{applied['id']}")
    cob(api, "2026-03-10")
    return applied | written


@pytest.fixture(scope="module")
def loan(api: TestClient) -> dict[str, Any]:
    """A loan the bad commands leave as it is."""
    return paid_out_loan(api)


def post(api: TestClient, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return api.post(path, json=body, headers=headers)


def refused(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    if field is not None:
        assert [e["field"] for e in body["errors"]] == [field]
    return body


def test_the_payout_is_net_of_the_service_fee_and_records_the_apr(
    api: TestClient, loan: dict[str, Any]
) -> None:
    stored = stored_loan(api, loan["id"])
    assert stored.application.terms_version == 1
    disbursed = next(e for e in runtime_events(api, loan["id"]) if type(e).__name__ == "Disbursed")
    assert (str(disbursed.fees_deducted), str(disbursed.paid_out)) == ("180.00", "11820.00")
    assert (str(disbursed.apr), str(disbursed.effective_annual_rate)) == ("18.45", "20.09")


def runtime_events(api: TestClient, loan_id: str) -> list[Any]:
    return runtime_of(api).app.events_of(UUID(loan_id))


def test_a_charge_a_waiver_and_a_refund_are_recorded_and_in_the_loans_history(
    api: TestClient,
) -> None:
    loan = paid_out_loan(api)
    path = f"/loans/{loan['id']}"
    body = {"code": "visit", "installment": 2, "reason": "visited the shop"}
    ok(post(api, f"{path}/charges", body, OFFICER))
    ok(post(api, f"{path}/waive", {"component": "fee", "amount": "50.00", "installment": 2,
                                   "reason": "the visit found nobody in"}, CHECKER))  # fmt: skip
    payoff = stored_loan(api, loan["id"]).payoff_amount(date(2026, 3, 10))
    pay(api, loan["id"], str(payoff + Decimal("100.00")), "2026-03-10", "over-1")
    stored = stored_loan(api, loan["id"])
    assert stored.balances is not None
    credit = stored.balances.credit
    assert str(credit) == "100.00"
    refund = {"amount": str(credit), "channel": "bank", "reference": "RF-1"}
    written = ok(post(api, f"{path}/refund-credit", refund, OFFICER))
    assert stored_loan(api, loan["id"]).balances.credit == 0
    # The same refund sent again is recorded once; another amount under it is refused.
    assert ok(post(api, f"{path}/refund-credit", refund, OFFICER))["position"] == 0
    refused(post(api, f"{path}/refund-credit", refund | {"amount": "1.00"}, OFFICER), 409)
    events = graphql(api, HISTORY, AUDITOR, {"id": loan["id"]}, written["position"])
    recorded = {e["type"]: e for e in events["data"]["loanHistory"]}
    added, waived, refunded = (
        recorded["LoanChargeAdded"], recorded["LoanWaived"], recorded["LoanCreditRefunded"]
    )  # fmt: skip
    assert (added["actor"], added["valueDate"], added["data"]["code"]) == (
        "officer.zhang", "2026-03-10", "VISIT"
    )  # fmt: skip
    assert added["data"]["charge"]["amount"] == "50.00"
    assert (waived["actor"], waived["data"]["waiver"]["component"]) == ("approver.sun", "fee")
    assert waived["data"]["change"]["waivers"][0]["allocations"] == [
        {"installment": 2, "component": "fee", "amount": "50.00"}
    ]
    assert refunded["data"]["refund"] | {"id": "", "sequence": 0} == {
        "id": "", "sequence": 0, "amount": str(credit), "value_date": "2026-03-10",
        "channel": "bank", "reference": "RF-1",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"code": "NOPE"}, 422, "code"),
        ({"code": "MGMT"}, 422, "code"),  # an installment charge
        ({"code": "SVC"}, 422, "code"),  # a disbursement charge
        ({"installment": 0}, 422, "installment"),
        ({"installment": 13}, 422, "installment"),
        ({"amount": "-1.00"}, 422, "amount"),
        ({"amount": "1.001"}, 422, "amount"),
        ({"amount": "1e3"}, 422, "amount"),
        ({"amount": 10.5}, 422, "amount"),
        ({"amount": "0"}, 422, "amount"),
        ({"reason": ""}, 422, "reason"),
        ({"colour": "red"}, 422, "colour"),
    ],
)
def test_a_bad_charge_is_refused_and_nothing_is_written(
    api: TestClient, loan: dict[str, Any], body: dict[str, Any], status: int, field: str
) -> None:
    before = head(api)
    charge = {"code": "VISIT", "installment": 2, "reason": "visited"} | body
    refused(post(api, f"/loans/{loan['id']}/charges", charge, OFFICER), status, field)
    assert head(api) == before


@pytest.mark.parametrize(
    ("body", "headers", "status", "field"),
    [
        ({"amount": "100000.00"}, CHECKER, 422, "amount"),  # more than the fees due
        ({"component": "principal"}, CHECKER, 422, "component"),
        ({"amount": "-5.00"}, CHECKER, 422, "amount"),
        ({"amount": "5.005"}, CHECKER, 422, "amount"),
        ({"installment": 0}, CHECKER, 422, "installment"),
        ({}, bearer("officer.zhang", Role.APPROVER, Role.LOAN_OFFICER), 403, None),  # the maker
        ({}, OFFICER, 403, None),  # not an approver
    ],
)
def test_a_bad_waiver_is_refused_and_nothing_is_written(
    api: TestClient,
    loan: dict[str, Any],
    body: dict[str, Any],
    headers: dict[str, str],
    status: int,
    field: str | None,
) -> None:
    before = head(api)
    waiver = {"component": "fee", "amount": "5.00", "reason": "hardship"} | body
    problem = refused(post(api, f"/loans/{loan['id']}/waive", waiver, headers), status, field)
    if headers is not OFFICER and status == 403:
        assert "maker-checker" in problem["detail"]
    assert head(api) == before


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"amount": "999999.00"}, 422, "amount"),  # more than the credit
        ({"amount": "-1.00"}, 422, "amount"),
        ({"amount": "1.001"}, 422, "amount"),
        ({"channel": ""}, 422, "channel"),
    ],
)
def test_a_bad_refund_is_refused_and_nothing_is_written(
    api: TestClient, loan: dict[str, Any], body: dict[str, Any], status: int, field: str
) -> None:
    before = head(api)
    refund = {"amount": "1.00", "channel": "bank", "reference": "RF-BAD"} | body
    refused(post(api, f"/loans/{loan['id']}/refund-credit", refund, OFFICER), status, field)
    assert head(api) == before


def test_a_closed_loan_takes_no_charge_and_a_reversal_may_not_unfund_a_refund(
    api: TestClient,
) -> None:
    applied = paid_out_loan(api)
    payoff = stored_loan(api, applied["id"]).payoff_amount(date(2026, 3, 10))
    payment = pay(api, applied["id"], str(payoff + Decimal("100.00")), "2026-03-10", "close-2")
    path = f"/loans/{applied['id']}"
    before = head(api)
    charge = {"code": "VISIT", "installment": 1, "reason": "visited"}
    problem = refused(post(api, f"{path}/charges", charge, OFFICER), 409)
    assert "closed" in problem["detail"]
    assert head(api) == before
    refund = {"amount": "100.00", "channel": "bank", "reference": "RF-2"}
    ok(post(api, f"{path}/refund-credit", refund, OFFICER))
    before = head(api)
    reversal = post(api, f"/repayments/{payment['id']}/reverse", {"reason": "bounced"}, OFFICER)
    assert "refund" in refused(reversal, 409)["detail"]
    assert head(api) == before


def final_approval(api: TestClient, loan: dict[str, Any], **figures: str) -> Any:
    """Sign the review levels, then answer the approver's final signature."""
    with pytest.raises(AssertionError):
        approved(api, loan, annual_rate_percent="1000")  # refused: above the product
    found = graphql(api, PENDING, AUDITOR, {"id": loan["id"]}, head(api))["data"]["loan"]
    body = dict(figures)
    if found["approval"]["overrides"]:
        body["override_reason"] = OVERRIDE
    return post(api, f"/loans/{loan['id']}/approve", body, APPROVER)


def test_the_legal_ceiling_caps_the_apr_of_an_approval_and_of_a_disbursement(
    db_url: str, tmp_path: Path
) -> None:
    """A 3% service fee and 20.00 a month: 27.95% a year at 18.5%, 21.42% at 12%."""
    fees = [SERVICE | {"code": "SVC3", "percent": "3"}, MONTHLY]
    strict = opened_on(db_url, tmp_path / "strict", date(2026, 1, 31))
    lenient = strict.model_copy(update={"credit": CreditPolicy(legal_ceiling_percent=30)})
    with client(strict) as api:
        ok(api.post("/products", json=micro_12(charges=fees), headers=ADMIN), 201)
        high = applied_loan(api, borrower(), annual_rate_percent="18.5")
        before = head(api)
        problem = refused(final_approval(api, high), 422, "apr")
        assert (problem["apr"], problem["legal_ceiling_percent"]) == ("27.95", "24")
        assert "27.95%" in problem["detail"]
        assert head(api) == before + 1  # the reviewer's signature, not the approval
        ok(final_approval(api, high, annual_rate_percent="12"))
        later = applied_loan(api, borrower(), annual_rate_percent="18.5")
    with client(lenient) as api:  # approved and signed under a higher ceiling
        approved(api, later)
        ok(api.post(f"/loans/{later['id']}/sign", json={"signed_on": PAID_OUT}, headers=OFFICER))
    with client(strict) as api:
        before = head(api)
        body = {"value_date": PAID_OUT, "account": "6222", "channel": "bank", "reference": "D-9"}
        problem = refused(post(api, f"/loans/{later['id']}/disburse", body, OFFICER), 422, "apr")
        assert (problem["apr"], problem["legal_ceiling_percent"]) == ("27.95", "24")
        assert head(api) == before


def test_a_loan_records_the_product_version_it_was_submitted_under(
    api: TestClient, loan: dict[str, Any]
) -> None:
    revised = micro_12(charges=[SERVICE, VISIT], late_fee="60")
    terms = {k: v for k, v in revised.items() if k != "code"}
    ok(api.post("/products/MICRO-12/revise", json=terms, headers=ADMIN))
    later = applied_loan(api, borrower())
    assert stored_loan(api, later["id"]).application.terms_version == 2
    assert stored_loan(api, loan["id"]).application.terms_version == 1
