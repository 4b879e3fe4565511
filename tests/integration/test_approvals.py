"""Approval levels over REST, read back over GraphQL: routes, maker-checker, queues."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.approval import ApprovalPolicy
from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support.api import ANALYST, AUDITOR, OFFICER, bearer, client, graphql, runtime_of
from tests.support.catalog import (
    ADMIN,
    APPROVER,
    REVIEWER,
    SECOND_REVIEWER,
    applied_loan,
    micro_12,
    ok,
)
from tests.support.database import select
from tests.support.people import resident_id, tea_shop, wang_fang

APPROVAL = """query($id: ID!) { loan(id: $id) { status principal version approval {
    status route reason submitter grade overrides levels { level role } pending { level role }
    steps { level role decision note overrideReason actor recordedAt } } } }"""
QUEUE = """query($role: ReviewRole!, $first: Int, $after: String) {
    reviewQueue(role: $role, first: $first, after: $after) {
        nodes { id purpose } pageInfo { hasNextPage endCursor } } }"""
HISTORY = """query($id: ID!) { loanHistory(id: $id) { type actor } }"""
MANAGER = bearer("manager.lin", Role.REVIEWER, Role.APPROVER)
# Submits applications and also holds both signing roles: maker-checker must stop them.
OFFICER_WHO_SIGNS = bearer("officer.zhang", Role.LOAN_OFFICER, Role.REVIEWER, Role.APPROVER)


@pytest.fixture
def two_products(api: TestClient) -> None:
    """MICRO-12 and SME-36 (up to 1,000,000 over 36 months) are on offer."""
    ok(api_post(api, "/products", micro_12(), ADMIN), 201)
    sme = micro_12(code="SME-36", name="SME term loan", max_principal="1000000.00",
                   max_term=36)  # fmt: skip
    ok(api_post(api, "/products", sme, ADMIN), 201)


def api_post(api: TestClient, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return api.post(path, json=body, headers=headers)


def borrower(n: int) -> dict[str, Any]:
    """A distinct tea farmer for each n: own id number and phone."""
    return wang_fang(
        name=f"Tea farmer {n}",
        id_number=resident_id(f"42010619850312{n:03d}"),
        phone=f"1390027{n:04d}",
    )


def application(api: TestClient, n: int, principal: str, **more: Any) -> dict[str, Any]:
    code = "SME-36" if float(principal) > 50_000 else "MICRO-12"
    return applied_loan(
        api, borrower(n), principal=principal, product_code=code, purpose=f"application {n}", **more
    )


def sign(
    api: TestClient, loan: dict[str, Any], headers: dict[str, str], status: int = 200, **body: Any
) -> dict[str, Any]:
    return ok(api.post(f"/loans/{loan['id']}/approve", json=body, headers=headers), status)


def reject(
    api: TestClient, loan: dict[str, Any], headers: dict[str, str], status: int = 200
) -> dict[str, Any]:
    body = {"reason": "turnover does not support the installment"}
    return ok(api.post(f"/loans/{loan['id']}/reject", json=body, headers=headers), status)


def approval(api: TestClient, loan: dict[str, Any], position: int) -> dict[str, Any]:
    data = graphql(api, APPROVAL, AUDITOR, {"id": loan["id"]}, min_position=position)
    found: dict[str, Any] = data["data"]["loan"]
    return found


def steps(found: dict[str, Any]) -> list[tuple[int, str, str, str]]:
    return [(s["level"], s["role"], s["decision"], s["actor"]) for s in found["approval"]["steps"]]


@pytest.mark.usefixtures("two_products")
def test_a_mid_sized_application_is_reviewed_then_approved(api: TestClient) -> None:
    loan = application(api, 1, "30000.00")
    submitted = approval(api, loan, loan["position"])
    assert submitted["approval"]["route"] == "reviewer, approver"
    assert "above 20000" in submitted["approval"]["reason"]
    assert submitted["approval"]["pending"] == {"level": 1, "role": "REVIEWER"}

    reviewed = sign(api, loan, REVIEWER, note="stall visited; stock matches the books")
    assert (reviewed["id"], reviewed["version"]) == (loan["id"], 1)  # the loan waits
    waiting = approval(api, loan, reviewed["position"])
    assert (waiting["status"], waiting["approval"]["pending"]) == (
        "SUBMITTED",
        {"level": 2, "role": "APPROVER"},
    )
    # Lending within the assessed limit goes against nothing: no override to explain.
    approved = sign(api, loan, APPROVER, principal="20000.00", note="lend what the limit allows")
    assert approved["version"] == 2
    done = approval(api, loan, approved["position"])
    assert (done["status"], done["principal"]) == ("APPROVED", "20000.00")
    assert done["approval"]["status"] == "APPROVED"
    assert done["approval"]["pending"] is None
    assert steps(done) == [
        (1, "REVIEWER", "APPROVE", "reviewer.qian"),
        (2, "APPROVER", "APPROVE", "approver.sun"),
    ]
    assert done["approval"]["steps"][0]["note"] == "stall visited; stock matches the books"


@pytest.mark.usefixtures("two_products")
def test_a_large_application_needs_two_reviewers_then_an_approver(api: TestClient) -> None:
    loan = application(api, 2, "250000.00", term=24)
    sign(api, loan, REVIEWER)
    sign(api, loan, SECOND_REVIEWER)
    last = sign(api, loan, APPROVER, override_reason="the cooperative guarantees the loan")
    done = approval(api, loan, last["position"])
    assert done["status"] == "APPROVED"
    assert done["approval"]["levels"] == [
        {"level": 1, "role": "REVIEWER"},
        {"level": 2, "role": "REVIEWER"},
        {"level": 3, "role": "APPROVER"},
    ]
    assert [s[3] for s in steps(done)] == ["reviewer.qian", "reviewer.he", "approver.sun"]


@pytest.mark.usefixtures("two_products")
@pytest.mark.parametrize("level", [1, 2, 3])
def test_a_rejection_at_any_level_rejects_the_loan(api: TestClient, level: int) -> None:
    loan = application(api, 3, "250000.00", term=24)
    signers = (REVIEWER, SECOND_REVIEWER, APPROVER)
    for headers in signers[: level - 1]:
        sign(api, loan, headers)
    rejected = reject(api, loan, signers[level - 1])
    done = approval(api, loan, rejected["position"])
    assert (done["status"], done["approval"]["status"]) == ("REJECTED", "REJECTED")
    assert steps(done)[-1][:3] == (level, "APPROVER" if level == 3 else "REVIEWER", "REJECT")
    assert done["approval"]["steps"][-1]["note"] == "turnover does not support the installment"
    later = sign(api, loan, MANAGER, status=409)
    assert "rejected" in later["detail"]


@pytest.mark.usefixtures("two_products")
def test_a_small_clean_application_is_approved_by_the_system_as_it_is_submitted(
    api: TestClient,
) -> None:
    loan = application(api, 8, "5000.00")
    assert loan["version"] == 2  # submitted and approved in one request
    done = approval(api, loan, loan["position"])
    assert (done["status"], done["approval"]["route"]) == ("APPROVED", "system")
    assert done["approval"]["reason"] == "principal 5000.00 is at most 20000, grade B, no flags"
    assert steps(done) == [(1, "SYSTEM", "APPROVE", "system")]
    history = graphql(api, HISTORY, AUDITOR, {"id": loan["id"]})["data"]["loanHistory"]
    assert [(e["type"], e["actor"]) for e in history] == [
        ("LoanApplicationSubmitted", "officer.zhang"),
        ("LoanApproved", "system"),
    ]
    assert (
        sign(api, loan, APPROVER, status=409)["detail"]
        == "cannot approve while the loan is approved"
    )


@pytest.mark.usefixtures("two_products")
def test_a_small_application_graded_c_waits_for_one_approver(api: TestClient) -> None:
    loan = application(api, 9, "12000.00")
    found = approval(api, loan, loan["position"])["approval"]
    assert (found["route"], found["grade"], found["overrides"]) == ("approver", "C", [])
    assert reject(api, loan, REVIEWER, status=403)["detail"] == (
        "level 1 of 1 is signed by the approver role, which reviewer.qian does not hold"
    )
    done = approval(api, loan, sign(api, loan, APPROVER)["position"])
    assert steps(done) == [(1, "APPROVER", "APPROVE", "approver.sun")]


@pytest.mark.usefixtures("two_products")
def test_a_flagged_small_application_is_reviewed_and_approving_it_needs_a_reason(
    api: TestClient,
) -> None:
    loan = applied_loan(api, tea_shop(), principal="12000.00", purpose="flagged")
    found = approval(api, loan, loan["position"])["approval"]
    assert (found["route"], found["reason"]) == ("reviewer, approver", "flags: income_consistency")
    assert found["overrides"] == ["flags: income_consistency"]
    sign(api, loan, REVIEWER)  # a reviewer recommends; only the decision overrides
    missing = sign(api, loan, APPROVER, status=422)
    assert missing["errors"][0]["field"] == "override_reason"
    assert "flags: income_consistency" in missing["errors"][0]["reason"]
    approved = sign(api, loan, APPROVER, override_reason="sales ledger checked on site")
    last = approval(api, loan, approved["position"])["approval"]["steps"][-1]
    assert (last["overrideReason"], last["decision"]) == ("sales ledger checked on site", "APPROVE")


@pytest.mark.usefixtures("two_products")
def test_lending_above_the_assessed_limit_needs_a_reason(api: TestClient) -> None:
    loan = application(api, 16, "30000.00")
    sign(api, loan, REVIEWER)
    missing = sign(api, loan, APPROVER, status=422)
    assert missing["errors"][0]["field"] == "override_reason"
    assert "principal 30000.00 is above the assessed limit" in missing["detail"]
    sign(api, loan, APPROVER, override_reason="second income from the tea shop")


@pytest.mark.usefixtures("two_products")
def test_the_submitter_may_not_review_or_approve(api: TestClient) -> None:
    loan = applied_loan(api, borrower(4), principal="30000.00")
    for path in ("approve", "reject"):
        body = {"reason": "x"} if path == "reject" else {}
        refused = ok(
            api.post(f"/loans/{loan['id']}/{path}", json=body, headers=OFFICER_WHO_SIGNS), 403
        )
        assert refused["detail"] == (
            "officer.zhang submitted this application and so may not review or approve it"
        )


@pytest.mark.usefixtures("two_products")
def test_one_person_may_not_sign_two_levels(api: TestClient) -> None:
    loan = application(api, 5, "30000.00")
    sign(api, loan, MANAGER)
    refused = sign(api, loan, MANAGER, status=403)
    assert refused["detail"] == "manager.lin already signed level 1; level 2 needs someone else"
    assert reject(api, loan, MANAGER, status=403)["detail"] == refused["detail"]


@pytest.mark.usefixtures("two_products")
def test_a_level_needs_its_role_in_order(api: TestClient) -> None:
    loan = application(api, 6, "30000.00")
    early = sign(api, loan, APPROVER, status=409)
    assert early["detail"] == "cannot approve while level 1 of 2 waits for the reviewer role"
    sign(api, loan, REVIEWER)
    wrong = sign(api, loan, SECOND_REVIEWER, status=403)
    assert wrong["detail"] == (
        "level 2 of 2 is signed by the approver role, which reviewer.he does not hold"
    )
    assert api.post(f"/loans/{loan['id']}/approve", json={}, headers=OFFICER).status_code == 403


@pytest.mark.usefixtures("two_products")
def test_only_the_final_level_sets_the_figures(api: TestClient) -> None:
    loan = application(api, 7, "30000.00")
    refused = sign(api, loan, REVIEWER, status=422, principal="20000.00")
    assert refused["errors"][0]["field"] == "principal"
    sign(api, loan, REVIEWER)
    outside = sign(api, loan, APPROVER, status=422, annual_rate_percent="30")
    assert outside["errors"][0]["field"] == "annual_rate_percent"


def queue(api: TestClient, role: str, headers: dict[str, str], position: int) -> list[str]:
    data = graphql(api, QUEUE, headers, {"role": role}, min_position=position)
    return [node["purpose"] for node in data["data"]["reviewQueue"]["nodes"]]


@pytest.mark.usefixtures("two_products")
def test_each_role_sees_what_waits_for_it_except_its_own(api: TestClient) -> None:
    application(api, 10, "30000.00")  # waits for a first review
    reviewed = application(api, 11, "30000.00")
    sign(api, reviewed, REVIEWER)  # waits for the approver
    large = application(api, 12, "250000.00", term=24)
    sign(api, large, REVIEWER)  # waits for a second reviewer, not reviewer.qian again
    application(api, 15, "12000.00")  # graded C: waits for the approver alone
    decided = application(api, 13, "30000.00")
    reject(api, decided, REVIEWER)
    withdrawn = application(api, 14, "30000.00")
    last = ok(api.post(f"/loans/{withdrawn['id']}/withdraw", json={}, headers=OFFICER))

    position = last["position"]
    assert queue(api, "REVIEWER", REVIEWER, position) == ["application 10"]
    assert queue(api, "REVIEWER", SECOND_REVIEWER, position) == [
        "application 10",
        "application 12",
    ]
    assert queue(api, "APPROVER", APPROVER, position) == ["application 11", "application 15"]
    assert queue(api, "APPROVER", OFFICER_WHO_SIGNS, position) == []  # submitted them all
    assert queue(api, "REVIEWER", AUDITOR, position) == ["application 10", "application 12"]

    page = graphql(api, QUEUE, SECOND_REVIEWER, {"role": "REVIEWER", "first": 1})["data"]
    info = page["reviewQueue"]["pageInfo"]
    assert info["hasNextPage"] is True
    rest = graphql(api, QUEUE, SECOND_REVIEWER, {"role": "REVIEWER", "after": info["endCursor"]})[
        "data"
    ]["reviewQueue"]["nodes"]
    assert [node["purpose"] for node in rest] == ["application 12"]

    for caller in (REVIEWER, ANALYST):
        refused = graphql(api, QUEUE, caller, {"role": "APPROVER"})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.usefixtures("two_products")
def test_a_rebuild_equals_the_incremental_tables(api: TestClient, db_url: str) -> None:
    application(api, 20, "5000.00")  # automatic
    large = application(api, 21, "250000.00", term=24)
    sign(api, large, REVIEWER)
    rejected = application(api, 22, "30000.00")
    sign(api, rejected, REVIEWER)
    last = reject(api, rejected, APPROVER)
    runtime = runtime_of(api)
    runtime.projections.wait(last["position"])
    queries = {
        "approvals": "SELECT * FROM approvals ORDER BY position",
        "approval_steps": "SELECT * FROM approval_steps ORDER BY loan_id, level",
    }
    incremental = {name: select(db_url, sql) for name, sql in queries.items()}
    assert [len(rows) for rows in incremental.values()] == [3, 4]
    assert runtime.projections.rebuild("approvals") == last["position"]
    assert {name: select(db_url, sql) for name, sql in queries.items()} == incremental


def test_settings_change_the_levels(settings: Settings) -> None:
    strict = ApprovalPolicy(automatic_limit=Decimal(0), single_review_limit=Decimal(10_000))
    with client(settings.model_copy(update={"approval": strict})) as api:
        loan = applied_loan(api, borrower(30), principal="12000.00")
        found = approval(api, loan, loan["position"])["approval"]
    assert (found["route"], found["reason"]) == (
        "reviewer, reviewer, approver",
        "principal 12000.00 is above 10000",
    )
