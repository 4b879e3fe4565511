"""Intake over REST: hard checks reject at once, soft signals flag for review."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from application.borrowers import RegisterBorrower, register_borrower
from application.loans import SubmitApplication, submit_application
from application.products import DefineProduct, define_product
from domain.borrower import Borrower, BorrowerKind, Profile
from domain.schedule import Frequency, Method
from infrastructure.runtime import Runtime
from infrastructure.tokens import Role
from tests.support.api import ANALYST, OFFICER, bearer, graphql
from tests.support.assessments import assessment_of
from tests.support.catalog import (
    ADMIN,
    APPROVER,
    applied_loan,
    disbursed_loan,
    micro_12,
    ok,
    product_terms,
)
from tests.support.people import LI_MING_ID, WANG_FANG_ID, resident_id, wang_fang

RISK_OFFICER = bearer("risk.ma", Role.RISK_OFFICER)
INTAKE = """query($id: ID!) { loan(id: $id) { status assessment {
    decision flags decisionReasons score grade limit rate
    checks { name result hard detail threshold inputs } } } }"""
HISTORY = """query($id: ID!) { loanHistory(id: $id) { type actor data } }"""
HARD = ["identity", "age", "blacklist", "written_off"]
SOFT = ["application_velocity", "shared_phone", "debt_to_income", "income_consistency"]


def read(api: TestClient, written: dict[str, Any]) -> Any:
    body = graphql(api, INTAKE, ANALYST, {"id": written["id"]}, min_position=written["position"])
    assert "errors" not in body, body
    return body["data"]["loan"]


def caught_up(api: TestClient, position: int) -> None:
    """Wait until the read models intake consults have processed `position`."""
    graphql(api, "{ businessDate }", ANALYST, min_position=position)


def results(loan: Any) -> dict[str, str]:
    return {c["name"]: c["result"] for c in loan["assessment"]["checks"]}


def check(loan: Any, name: str) -> Any:
    return next(c for c in loan["assessment"]["checks"] if c["name"] == name)


def apply(api: TestClient, borrower_id: str, **overrides: Any) -> dict[str, Any]:
    """Apply for 12,000 over 12 months at 12% on MICRO-12 (defined if new)."""
    assert api.post("/products", json=micro_12(), headers=ADMIN).status_code in (201, 409)
    body = {
        "borrower_id": borrower_id, "product_code": "MICRO-12", "principal": "12000.00",
        "term": 12, "frequency": "monthly", "method": "equal_installments",
        "purpose": "buy tea seedlings", "annual_rate_percent": "12",
    } | overrides  # fmt: skip
    return ok(api.post("/loans", json=body, headers=OFFICER), 201)


def test_every_check_passes_for_a_complete_application(api: TestClient) -> None:
    loan = read(api, applied_loan(api))
    assert list(results(loan)) == HARD + SOFT
    assert set(results(loan).values()) == {"PASS"}
    assert [c["hard"] for c in loan["assessment"]["checks"]] == [True] * 4 + [False] * 4
    assert loan["assessment"]["decision"] == "CLEAR"
    assert loan["status"] != "REJECTED"
    age = check(loan, "age")
    assert age["inputs"] == {"birth_date": "1985-03-12", "as_of": "2030-01-01", "age": "44"}
    assert age["threshold"] == "18 to 65 years"


def rejected_by(api: TestClient, written: dict[str, Any], name: str) -> Any:
    """The loan exists, rejected by `system` naming the failed check, and was not scored."""
    assert written["version"] == 2  # submitted, then rejected in the same save
    loan = read(api, written)
    assert loan["status"] == "REJECTED"
    assessment = loan["assessment"]
    assert assessment["decision"] == "REJECTED"
    assert results(loan)[name] == "FAIL"
    assert (assessment["score"], assessment["grade"], assessment["limit"]) == (None, None, None)
    history = graphql(api, HISTORY, ANALYST, {"id": written["id"]})["data"]["loanHistory"]
    assert [e["type"] for e in history][:2] == ["LoanApplicationSubmitted", "LoanRejected"]
    assert history[1]["actor"] == "system"
    assert history[1]["data"]["reason"].startswith(f"failed intake checks: {name}: ")
    return loan


def test_a_minor_is_rejected_with_the_age_found_on_the_business_date(api: TestClient) -> None:
    minor = wang_fang(id_number=resident_id("42010620120102004"))  # 18 on 2030-01-02
    loan = rejected_by(api, applied_loan(api, minor), "age")
    assert check(loan, "age")["detail"] == "aged 17, under the product's minimum 18"
    assert loan["assessment"]["decisionReasons"] == ["age: aged 17, under the product's minimum 18"]


def test_the_product_sets_the_age_bounds(api: TestClient) -> None:
    ok(api.post("/products", json=micro_12(code="YOUNG-12", max_age=40), headers=ADMIN), 201)
    loan = rejected_by(api, applied_loan(api, product_code="YOUNG-12"), "age")
    assert check(loan, "age")["threshold"] == "18 to 40 years"


def test_a_missing_address_fails_identity(api: TestClient) -> None:
    loan = rejected_by(api, applied_loan(api, wang_fang(address="")), "identity")
    assert check(loan, "identity")["inputs"]["missing"] == "address"


def test_blacklisting_rejects_until_lifted(api: TestClient) -> None:
    borrower = ok(api.post("/borrowers", json=wang_fang(), headers=OFFICER), 201)["id"]
    path = f"/borrowers/{borrower}"
    body = {"reason": "forged payslips"}
    assert api.post(f"{path}/blacklist", json=body, headers=OFFICER).status_code == 403
    listed = ok(api.post(f"{path}/blacklist", json=body, headers=RISK_OFFICER))
    assert api.post(f"{path}/blacklist", json=body, headers=RISK_OFFICER).status_code == 409
    query = "query($id: ID!) { borrower(id: $id) { blacklisting { reason since } } }"
    shown = graphql(api, query, ANALYST, {"id": borrower}, min_position=listed["position"])
    assert shown["data"]["borrower"]["blacklisting"] == {
        "reason": "forged payslips",
        "since": "2030-01-01",
    }
    loan = rejected_by(api, apply(api, borrower), "blacklist")
    assert check(loan, "blacklist")["inputs"]["by"] == "risk.ma"
    lift = {"reason": "payslips verified with the employer"}
    ok(api.post(f"{path}/lift-blacklist", json=lift, headers=RISK_OFFICER))
    assert api.post(f"{path}/lift-blacklist", json=lift, headers=RISK_OFFICER).status_code == 409
    assert results(read(api, apply(api, borrower)))["blacklist"] == "PASS"


def test_a_borrower_with_a_loan_written_off_is_rejected(api: TestClient) -> None:
    first = disbursed_loan(api)
    body = {"value_date": "2026-06-30", "reason": "absconded"}
    ok(api.post(f"/loans/{first['id']}/write-off", json=body, headers=APPROVER))
    loan = rejected_by(api, apply(api, first["borrower_id"]), "written_off")
    assert check(loan, "written_off")["inputs"]["written_off_loans"] == first["id"]


def test_three_applications_in_thirty_days_flag_the_third(api: TestClient) -> None:
    first = applied_loan(api)
    read(api, first)  # counted once the read models have it
    second = apply(api, first["borrower_id"])
    assert results(read(api, second))["application_velocity"] == "PASS"
    third = read(api, apply(api, first["borrower_id"]))
    velocity = check(third, "application_velocity")
    assert velocity["result"] == "FLAG"
    assert (velocity["inputs"]["by_id_number"], velocity["inputs"]["by_phone"]) == ("3", "3")
    assert third["assessment"]["decision"] == "REVIEW"
    assert "application_velocity" in third["assessment"]["flags"]
    assert third["status"] != "REJECTED"


def test_a_phone_shared_by_two_borrowers_flags(api: TestClient) -> None:
    ok(api.post("/borrowers", json=wang_fang(), headers=OFFICER), 201)
    li_ming = wang_fang(name="Li Ming", id_number=LI_MING_ID)  # Wang Fang's phone
    li = ok(api.post("/borrowers", json=li_ming, headers=OFFICER), 201)
    caught_up(api, li["position"])
    loan = read(api, apply(api, li["id"]))
    shared = check(loan, "shared_phone")
    assert (shared["result"], shared["inputs"]["other_borrowers"]) == ("FLAG", "1")
    assert loan["assessment"]["flags"] == ["shared_phone"]


def test_an_unaffordable_application_flags_debt_to_income_and_the_limit(api: TestClient) -> None:
    # 50,000 over 3 months at 12% is about 17,000 a month against 8,500 of income.
    loan = read(api, applied_loan(api, principal="50000.00", term=3))
    assert results(loan)["debt_to_income"] == "FLAG"
    assert set(loan["assessment"]["flags"]) == {"debt_to_income", "above_limit"}
    assert loan["assessment"]["decision"] == "REVIEW"
    assert check(loan, "debt_to_income")["detail"].endswith("above 50%")


def test_racing_applications_for_one_borrower_are_each_counted(runtime: Runtime) -> None:
    """Each application is recorded on the borrower: a racing one retries and sees it."""
    app = runtime.app
    define_product(app, DefineProduct("admin.wu", "MICRO-12", product_terms(micro_12())))
    profile = Profile(**{k: wang_fang()[k] for k in ("name", "phone", "address", "region")},
                      monthly_income=Decimal("8500.00"))  # fmt: skip
    borrower = register_borrower(
        app, RegisterBorrower("officer.zhang", BorrowerKind.INDIVIDUAL, WANG_FANG_ID, profile)
    ).id
    command = SubmitApplication(
        "officer.zhang", borrower, "MICRO-12", Decimal("3000.00"), 6, Frequency.MONTHLY,
        Method.EQUAL_INSTALLMENTS, "stock", Decimal(12),
    )  # fmt: skip
    with ThreadPoolExecutor(max_workers=4) as pool:
        loans = list(pool.map(lambda _: submit_application(app, command).id, range(4)))
    counts = []
    for loan_id in loans:
        found = assessment_of(app, loan_id)
        assert found is not None
        velocity = next(c for c in found.checks if c.name == "application_velocity")
        counts.append(int(velocity.inputs["by_id_number"]))
    assert sorted(counts) == [1, 2, 3, 4]
    recorded = app.load(Borrower, borrower, "borrower").applications
    assert sorted(a.loan_id for a in recorded) == sorted(loans)
