"""GraphQL reads of loans: the read models, as-of rebuilds, history, access, loaders."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.tokens import Role
from tests.support.api import ANALYST, AUDITOR, OFFICER, OTHER_OFFICER, bearer, graphql, runtime_of
from tests.support.catalog import (
    ADMIN,
    APPROVER,
    REVIEWER,
    applied_loan,
    disbursed_loan,
    micro_12,
    ok,
)
from tests.support.database import select
from tests.support.people import tea_shop, wang_fang

LOAN = """query($id: ID!, $asOf: DateTime, $payoffOn: Date) { loan(id: $id, asOf: $asOf) {
    id status principal annualRatePercent term frequency method purpose currency
    outstandingPrincipal outstandingInterest outstandingFees outstandingPenalty
    disbursedAmount disbursedOn nextDueDate maturityDate daysPastDue classification version
    payoffAmount(asOf: $payoffOn) product { code } repayments { id }
    schedule { totalInterest totalPayable
        installments { number dueDate principal interest fee total balanceAfter } } } }"""
LOANS = """query($filter: LoanFilter, $first: Int, $after: String) {
    loans(filter: $filter, first: $first, after: $after) {
        nodes { id purpose } pageInfo { hasNextPage endCursor } } }"""
HISTORY = """query($id: ID!) { loanHistory(id: $id) { version type valueDate actor data } }"""
STATUS = """query($id: ID!) { loan(id: $id) { status principal term version } }"""


def submit(
    api: TestClient, borrower_id: str, headers: dict[str, str] = OFFICER, **overrides: Any
) -> dict[str, Any]:
    # Above the automatic-approval limit: the application waits for a reviewer.
    body = {
        "borrower_id": borrower_id, "product_code": "MICRO-12", "principal": "25000.00", "term": 6,
        "frequency": "monthly", "method": "equal_installments", "purpose": "stock up",
    }  # fmt: skip
    return ok(api.post("/loans", json=body | overrides, headers=headers), 201)


def read_loan(api: TestClient, loan_id: str, position: int | None = None, **variables: Any) -> Any:
    body = graphql(api, LOAN, ANALYST, {"id": loan_id, **variables}, min_position=position)
    assert "errors" not in body, body
    return body["data"]["loan"]


def annuity_rows(principal: str, monthly_rate: str, months: int) -> list[tuple[str, str, str, str]]:
    """Principal, interest, total and balance of each month, worked out here, not by the domain."""
    cent, rate, balance = Decimal("0.01"), Decimal(monthly_rate), Decimal(principal)
    level = (balance * rate / (1 - (1 + rate) ** -months)).quantize(cent, ROUND_HALF_EVEN)
    rows = []
    for month in range(months):
        interest = (balance * rate).quantize(cent, ROUND_HALF_EVEN)
        paid = balance if month == months - 1 else level - interest
        balance -= paid
        rows.append((str(paid), str(interest), str(paid + interest), str(balance)))
    return rows


MONTH_ENDS = [
    "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31",
    "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-30", "2026-12-31", "2027-01-31",
]  # fmt: skip


def test_a_disbursed_loan_reads_back_with_exact_figures(api: TestClient) -> None:
    written = disbursed_loan(api)
    loan = read_loan(api, written["id"], written["position"], payoffOn="2026-03-31")
    schedule = loan.pop("schedule")
    assert loan == {
        "id": written["id"], "status": "ACTIVE", "principal": "12000.00",
        "annualRatePercent": "12", "term": 12, "frequency": "MONTHLY",
        "method": "EQUAL_INSTALLMENTS", "purpose": "buy tea seedlings", "currency": "CNY",
        "outstandingPrincipal": "12000.00", "outstandingInterest": "794.23",
        "outstandingFees": "0.00", "outstandingPenalty": "0.00",
        "disbursedAmount": "12000.00", "disbursedOn": "2026-01-31",
        "nextDueDate": "2026-02-28", "maturityDate": "2027-01-31", "daysPastDue": 0,
        "classification": "NORMAL", "version": 4,
        # Settling on 31 March: all principal plus the interest of February and March
        # (12230.54), installment 1's late fee (due 28 February, no grace days: 50.00) and
        # March's penalty on its 946.19 principal (0.05% a year, 30/360: 0.0394 -> 0.04).
        "payoffAmount": "12280.58", "product": {"code": "MICRO-12"}, "repayments": [],
    }  # fmt: skip
    expected = annuity_rows("12000.00", "0.01", 12)
    assert expected[0] == ("946.19", "120.00", "1066.19", "11053.81")
    assert schedule["installments"] == [
        {"number": n, "dueDate": due, "principal": p, "interest": i, "fee": "0.00",
         "total": t, "balanceAfter": b}
        for n, (due, (p, i, t, b)) in enumerate(zip(MONTH_ENDS, expected, strict=True), start=1)
    ]  # fmt: skip
    assert schedule["totalInterest"] == "794.23"
    assert schedule["totalPayable"] == "12794.23"
    before_first = read_loan(api, written["id"], payoffOn="2026-02-27")
    # Nothing is due yet: all principal plus February's 120.00 interest accrued for
    # 27 of the period's 28 days (30/360: 31 Jan -> 27 Feb is 27 days, -> 28 Feb is 28).
    accrued = (Decimal("120.00") * 27 / 28).quantize(Decimal("0.01"))
    assert before_first["payoffAmount"] == str(Decimal("12000.00") + accrued)


def test_status_changes_show_in_the_read_model(api: TestClient) -> None:
    first = applied_loan(api)
    path = f"/loans/{first['id']}"
    steps = [
        (None, {}, "SUBMITTED", "12000.00", 12),
        ("approve", {"principal": "8000.00", "term": 6}, "APPROVED", "8000.00", 6),
        ("sign", {"signed_on": "2026-01-30"}, "SIGNED", "8000.00", 6),
        ("withdraw", {"reason": "found cheaper"}, "WITHDRAWN", "8000.00", 6),
    ]
    for command, body, status, principal, term in steps:
        headers = APPROVER if command == "approve" else OFFICER
        written = (
            ok(api.post(f"{path}/{command}", json=body, headers=headers)) if command else first
        )
        read = graphql(api, STATUS, ANALYST, {"id": first["id"]}, min_position=written["position"])
        assert read["data"]["loan"] == {
            "status": status, "principal": principal, "term": term, "version": written["version"]
        }  # fmt: skip
    second = submit(api, first["borrower_id"])
    rejected = ok(
        api.post(f"/loans/{second['id']}/reject", json={"reason": "too soon"}, headers=REVIEWER)
    )
    loan = read_loan(api, second["id"], rejected["position"])
    assert (loan["status"], loan["schedule"], loan["outstandingPrincipal"]) == (
        "REJECTED",
        None,
        "0.00",
    )
    assert loan["payoffAmount"] == "0.00"


@pytest.fixture
def portfolio(api: TestClient) -> dict[str, Any]:
    """Wang Fang (Hubei, officer.zhang) applies twice; the tea shop (Hunan, officer.li) once."""
    tea = applied_loan(api, purpose="tea")
    ok(api.post("/products", json=micro_12(code="SEASON-6", max_term=6), headers=ADMIN), 201)
    season = submit(api, tea["borrower_id"], product_code="SEASON-6", purpose="season")
    shop = ok(api.post("/borrowers", json=tea_shop(region="Hunan"), headers=OTHER_OFFICER), 201)
    kiosk = submit(api, shop["id"], headers=OTHER_OFFICER, purpose="kiosk")
    last = ok(
        api.post(f"/loans/{kiosk['id']}/reject", json={"reason": "thin file"}, headers=REVIEWER)
    )
    return {"wang": tea["borrower_id"], "shop": shop["id"], "position": last["position"],
            "ids": {"tea": tea["id"], "season": season["id"], "kiosk": kiosk["id"]}}  # fmt: skip


def purposes(api: TestClient, headers: dict[str, str] = ANALYST, **variables: Any) -> list[str]:
    body = graphql(api, LOANS, headers, variables)
    assert "errors" not in body, body
    return [node["purpose"] for node in body["data"]["loans"]["nodes"]]


def test_filters_and_pages(api: TestClient, portfolio: dict[str, Any]) -> None:
    everything = graphql(api, LOANS, ANALYST, {"first": 2}, min_position=portfolio["position"])
    page = everything["data"]["loans"]
    assert [n["purpose"] for n in page["nodes"]] == ["tea", "season"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert purposes(api, after=page["pageInfo"]["endCursor"]) == ["kiosk"]
    assert purposes(api, filter={"status": "REJECTED"}) == ["kiosk"]
    assert purposes(api, filter={"status": "SUBMITTED"}) == ["tea", "season"]
    assert purposes(api, filter={"borrowerId": portfolio["wang"]}) == ["tea", "season"]
    assert purposes(api, filter={"productCode": "season-6"}) == ["season"]
    assert purposes(api, filter={"officer": "officer.li"}) == ["kiosk"]
    assert purposes(api, filter={"region": "Hubei", "productCode": "MICRO-12"}) == ["tea"]
    bad = graphql(api, LOANS, ANALYST, {"filter": {"borrowerId": "nope"}})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_as_of_shows_the_loan_as_it_was_recorded(api: TestClient) -> None:
    loan = applied_loan(api)
    path = f"/loans/{loan['id']}"
    ok(api.post(f"{path}/approve", json={}, headers=APPROVER))
    approved_at = datetime.now(UTC).isoformat()
    ok(api.post(f"{path}/sign", json={"signed_on": "2026-01-31"}, headers=OFFICER))
    signed_at = datetime.now(UTC).isoformat()
    disbursement = {
        "value_date": "2026-01-31",
        "account": "6222",
        "channel": "bank",
        "reference": "D-9",
    }
    disbursed = ok(api.post(f"{path}/disburse", json=disbursement, headers=OFFICER))
    approved = read_loan(api, loan["id"], asOf=approved_at)
    assert (approved["status"], approved["version"], approved["schedule"]) == ("APPROVED", 2, None)
    signed = read_loan(api, loan["id"], asOf=signed_at, payoffOn="2026-12-31")
    assert (signed["status"], signed["outstandingPrincipal"], signed["payoffAmount"]) == (
        "SIGNED",
        "0.00",
        "0.00",
    )
    now = read_loan(api, loan["id"], asOf=datetime.now(UTC).isoformat(), payoffOn="2026-03-31")
    projected = read_loan(api, loan["id"], disbursed["position"], payoffOn="2026-03-31")
    assert now["status"] == "ACTIVE"
    assert now == projected  # the rebuilt loan and the read model agree field for field
    assert read_loan(api, loan["id"], asOf="2000-01-01T00:00:00Z") is None


def test_history_lists_the_lifecycle_with_actors(api: TestClient) -> None:
    loan = disbursed_loan(api)
    events = graphql(api, HISTORY, AUDITOR, {"id": loan["id"]})["data"]["loanHistory"]
    assert [(e["version"], e["type"], e["actor"], e["valueDate"]) for e in events] == [
        (1, "LoanApplicationSubmitted", "officer.zhang", None),
        (2, "LoanApproved", "approver.sun", None),
        (3, "LoanContractSigned", "officer.zhang", None),
        (4, "LoanDisbursed", "officer.zhang", "2026-01-31"),
    ]
    assert events[3]["data"]["schedule"]["installments"][0]["total"] == "1066.19"
    not_a_loan = graphql(api, HISTORY, AUDITOR, {"id": loan["borrower_id"]})
    assert not_a_loan["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_a_borrower_token_sees_only_its_own_loans(api: TestClient) -> None:
    me = str(uuid.uuid4())
    token = bearer(me, Role.BORROWER)
    ok(api.post("/products", json=micro_12(), headers=ADMIN), 201)
    ok(api.post("/borrowers", json=wang_fang(), headers=token), 201)
    mine = submit(api, me, headers=token, purpose="mine")
    shop = ok(api.post("/borrowers", json=tea_shop(), headers=OFFICER), 201)
    theirs = submit(api, shop["id"], purpose="theirs")
    own = graphql(api, STATUS, token, {"id": mine["id"]}, min_position=theirs["position"])
    assert own["data"]["loan"]["status"] == "SUBMITTED"
    for query, variables in [
        (STATUS, {"id": theirs["id"]}),
        (LOAN, {"id": theirs["id"], "asOf": datetime.now(UTC).isoformat()}),
        (LOANS, {"filter": {"borrowerId": shop["id"]}}),
        (HISTORY, {"id": mine["id"]}),
    ]:
        refused = graphql(api, query, token, variables)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", refused
    assert purposes(api, token) == ["mine"]
    assert purposes(api, token, filter={"status": "SUBMITTED"}) == ["mine"]


def test_borrowers_and_loans_resolve_each_other(api: TestClient, portfolio: dict[str, Any]) -> None:
    query = """query($id: ID!) { borrower(id: $id) { name loans { purpose status } } }"""
    # Loan officers read names in full (analysts masked: test_personal_data.py).
    body = graphql(
        api, query, OFFICER, {"id": portfolio["wang"]}, min_position=portfolio["position"]
    )
    assert body["data"]["borrower"] == {
        "name": "Wang Fang",
        "loans": [
            {"purpose": "tea", "status": "SUBMITTED"},
            {"purpose": "season", "status": "SUBMITTED"},
        ],
    }
    listing = graphql(
        api, "{ loans { nodes { purpose borrower { name } product { code } } } }", OFFICER
    )
    assert [
        (n["purpose"], n["borrower"]["name"], n["product"]["code"])
        for n in listing["data"]["loans"]["nodes"]
    ] == [
        ("tea", "Wang Fang", "MICRO-12"),
        ("season", "Wang Fang", "SEASON-6"),
        ("kiosk", "Wuhan Spring Tea Shop", "MICRO-12"),
    ]


def nested_loan_query(loan_id: str, round_trips: int) -> str:
    """`loan { borrower { loans { ... { id } } } }` with `round_trips` borrower-loans pairs."""
    inner = "id"
    for _ in range(round_trips):
        inner = f"borrower {{ loans {{ {inner} }} }}"
    return f'{{ loan(id: "{loan_id}") {{ {inner} }} }}'


def test_deep_nesting_is_refused(api: TestClient) -> None:
    loan = applied_loan(api)
    # Four round trips put `id` at depth 9 (the root field is depth 0): within the limit of 10.
    allowed = graphql(api, nested_loan_query(loan["id"], 4), ANALYST, min_position=loan["position"])
    assert "errors" not in allowed, allowed
    refused = graphql(api, nested_loan_query(loan["id"], 5), ANALYST)
    assert "exceeds maximum operation depth" in refused["errors"][0]["message"]
    assert refused.get("data") is None


def test_rebuilt_tables_equal_the_incremental_ones(api: TestClient, db_url: str) -> None:
    disbursed = disbursed_loan(api)
    rejected = submit(api, disbursed["borrower_id"])
    last = ok(
        api.post(
            f"/loans/{rejected['id']}/reject", json={"reason": "one is enough"}, headers=REVIEWER
        )
    )
    runtime = runtime_of(api)
    runtime.projections.wait(last["position"])
    queries = {
        "loans": "SELECT * FROM loans ORDER BY position",
        "installments": "SELECT * FROM installments ORDER BY loan_id, number",
    }
    incremental = {name: select(db_url, sql) for name, sql in queries.items()}
    assert len(incremental["loans"]) == 2
    assert len(incremental["installments"]) == 12
    for name, sql in queries.items():
        assert runtime.projections.rebuild(name) == last["position"]
        assert select(db_url, sql) == incremental[name]


def test_unknown_loans_read_as_null(api: TestClient) -> None:
    missing = str(uuid.uuid4())
    assert graphql(api, STATUS, ANALYST, {"id": missing})["data"]["loan"] is None
    refused = graphql(api, LOAN, ANALYST, {"id": missing, "asOf": datetime.now(UTC).isoformat()})
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_payoff_without_a_date_is_on_the_business_date(api: TestClient) -> None:
    # The suite's store opens at 2030-01-01, after this loan's maturity (2027-01-31):
    # with nothing paid, every installment is due, so payoff = the whole schedule (on a
    # product without late fees or penalty interest).
    ok(api.post("/products", json=micro_12(late_fee="0", penalty_rate_percent="0"),
                headers=ADMIN), 201)  # fmt: skip
    written = disbursed_loan(api)
    query = "query($id: ID!) { loan(id: $id) { payoffAmount schedule { totalPayable } } }"
    loan = graphql(api, query, ANALYST, {"id": written["id"]}, min_position=written["position"])
    figures = loan["data"]["loan"]
    assert figures["payoffAmount"] == figures["schedule"]["totalPayable"] == "12794.23"
