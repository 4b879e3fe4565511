"""Staff see and act only within their office and the offices below it.

Offices: the head office, branch A with its sub-branch A1, and branch B. A borrower of
A1 and their loan are reached by A1's and A's staff and the head office's; B's staff
get 404 on REST and null or nothing on GraphQL, nested fields included. After the
borrower moves to B, B reaches the borrower but not the loan A1 made. The ledger's
entries for the loan belong to A1: its trial balance, ledger and statements show them
to A1, A and the head office, and to none of them through an office outside their reach.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.office import HEAD_OFFICE_ID
from infrastructure.tokens import Role, issue
from tests.support.api import graphql
from tests.support.catalog import ADMIN, PENDING, cob, micro_12, ok, paid_out
from tests.support.people import tea_shop, wang_fang
from tests.support.settings import TEST_JWT_SECRET
from tests.support.staff import open_office

BORROWER = """query($id: ID!) { borrower(id: $id) { id loans { id } } }"""
LOAN = """query($id: ID!) { loan(id: $id) { id borrower { id } } }"""
LISTS = """{ borrowers { nodes { id } } loans { nodes { id } } }"""
HISTORY = """query($id: ID!) { loanHistory(id: $id) { type } }"""


def officer_of(office: str | UUID, name: str) -> dict[str, str]:
    token = issue(
        TEST_JWT_SECRET,
        name,
        [Role.LOAN_OFFICER, Role.ANALYST, Role.COLLECTOR, Role.RISK_OFFICER],
        office=UUID(str(office)),
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def book(module_api: TestClient) -> dict[str, Any]:
    api = module_api
    branch_a = open_office(api, ADMIN, "Branch A")
    sub_branch = open_office(api, ADMIN, "Sub-branch A1", parent=branch_a)
    branch_b = open_office(api, ADMIN, "Branch B")
    staff = {
        "own": officer_of(sub_branch, "officer.a1"),
        "parent": officer_of(branch_a, "officer.a"),
        "sibling": officer_of(branch_b, "officer.b"),
        "head": officer_of(HEAD_OFFICE_ID, "officer.hq"),
    }
    ok(api.post("/products", json=micro_12(), headers=ADMIN), 201)
    borrower = ok(api.post("/borrowers", json=wang_fang(), headers=staff["own"]), 201)
    application = {
        "borrower_id": borrower["id"], "product_code": "MICRO-12", "principal": "12000.00",
        "term": 12, "frequency": "monthly", "method": "equal_installments",
        "purpose": "buy tea seedlings", "annual_rate_percent": "12",
    }  # fmt: skip
    loan = ok(api.post("/loans", json=application, headers=staff["own"]), 201)
    return {"staff": staff, "borrower": borrower, "loan": loan, "application": application,
            "branch_a": branch_a, "branch_b": branch_b, "sub_branch": sub_branch,
            "head_office": str(HEAD_OFFICE_ID)}  # fmt: skip


def read(api: TestClient, query: str, who: dict[str, str], position: int, **variables: Any) -> Any:
    answer = graphql(api, query, who, variables, min_position=position)
    assert "errors" not in answer, answer
    return answer["data"]


@pytest.mark.parametrize("who", ["own", "parent", "head"])
def test_the_office_its_parents_and_the_head_office_reach_the_loan(
    module_api: TestClient, book: dict[str, Any], who: str
) -> None:
    staff, loan, borrower = book["staff"][who], book["loan"], book["borrower"]
    at = loan["position"]
    found = read(module_api, BORROWER, staff, at, id=borrower["id"])["borrower"]
    assert found == {"id": borrower["id"], "loans": [{"id": loan["id"]}]}
    assert read(module_api, LOAN, staff, at, id=loan["id"])["loan"]["borrower"] == {
        "id": borrower["id"]
    }
    lists = read(module_api, LISTS, staff, at)
    assert borrower["id"] in [b["id"] for b in lists["borrowers"]["nodes"]]
    assert loan["id"] in [n["id"] for n in lists["loans"]["nodes"]]
    assert read(module_api, HISTORY, staff, at, id=loan["id"])["loanHistory"]


def test_a_sibling_branch_reaches_nothing_of_it(
    module_api: TestClient, book: dict[str, Any]
) -> None:
    api, staff, loan, borrower = (
        module_api,
        book["staff"]["sibling"],
        book["loan"],
        book["borrower"],
    )
    at = loan["position"]
    assert read(api, BORROWER, staff, at, id=borrower["id"])["borrower"] is None
    assert read(api, LOAN, staff, at, id=loan["id"])["loan"] is None
    lists = read(api, LISTS, staff, at)
    assert lists == {"borrowers": {"nodes": []}, "loans": {"nodes": []}}
    assert read(api, HISTORY, staff, at, id=loan["id"])["loanHistory"] == []

    withdrawn = api.post(f"/loans/{loan['id']}/withdraw", json={"reason": "x"}, headers=staff)
    assert withdrawn.status_code == 404, withdrawn.text
    update = api.post(f"/borrowers/{borrower['id']}/update", json={}, headers=staff)
    assert update.status_code == 404, update.text
    applied = api.post("/loans", json=book["application"], headers=staff)
    assert applied.status_code == 422, applied.text
    assert "borrower_id" in applied.text
    repaid = api.post("/repayments", headers=staff, json={
        "loan_id": loan["id"], "amount": "10.00", "value_date": "2026-01-31",
        "channel": "bank", "external_reference": "REACH-1",
    })  # fmt: skip
    assert repaid.status_code == 422, repaid.text
    assert "no loan has this id" in repaid.text


def test_a_transferred_borrower_is_reached_without_the_loans_of_the_old_office(
    module_api: TestClient, book: dict[str, Any]
) -> None:
    api, loan, borrower = module_api, book["loan"], book["borrower"]
    moved = ok(api.post(f"/borrowers/{borrower['id']}/transfer",
                        json={"office": book["branch_b"]}, headers=ADMIN))  # fmt: skip
    at = moved["position"]
    sibling, own = book["staff"]["sibling"], book["staff"]["own"]
    assert read(api, BORROWER, sibling, at, id=borrower["id"])["borrower"] == {
        "id": borrower["id"],
        "loans": [],
    }
    assert read(api, LOAN, own, at, id=loan["id"])["loan"] == {"id": loan["id"], "borrower": None}
    assert read(api, LOAN, sibling, at, id=loan["id"])["loan"] is None
    # The transfer is undone so the other tests' story holds whatever their order.
    back = {"office": book["sub_branch"]}
    ok(api.post(f"/borrowers/{borrower['id']}/transfer", json=back, headers=ADMIN))


LATE_LISTS = """{
  arrears { nodes { loanId } }
  collectionQueue { nodes { loanId } }
  upcomingInstallments(withinDays: 60) { nodes { loanId } }
  riskWarnings { nodes { loanId } }
  portfolio(groupBy: [OFFICE]) { office loanCount }
}"""


@pytest.fixture(scope="module")
def late(module_api: TestClient, book: dict[str, Any]) -> dict[str, Any]:
    """A loan of sub-branch A1, paid out on 2029-12-01 and never repaid, on 2030-02-05."""
    api, own = module_api, book["staff"]["own"]
    borrower = ok(api.post("/borrowers", json=tea_shop(), headers=own), 201)
    body = book["application"] | {"borrower_id": borrower["id"]}
    loan = ok(api.post("/loans", json=body, headers=own), 201)
    paid_out(api, loan, "2029-12-01", reference="D-REACH")
    return loan | {"position": cob(api, "2030-02-05")["position"]}


def late_lists(api: TestClient, who: dict[str, str], at: int) -> dict[str, list[Any]]:
    found = read(api, LATE_LISTS, who, at)
    lists = {
        name: [n["loanId"] for n in found[name]["nodes"]] for name in found if name != "portfolio"
    }
    return lists | {"portfolio": found["portfolio"]}


@pytest.mark.parametrize("who", ["own", "parent", "head"])
def test_the_books_lists_show_the_late_loan_within_reach(
    module_api: TestClient, book: dict[str, Any], late: dict[str, Any], who: str
) -> None:
    lists = late_lists(module_api, book["staff"][who], late["position"])
    for name in ("arrears", "collectionQueue", "upcomingInstallments", "riskWarnings"):
        assert late["id"] in lists[name], name
    assert sum(row["loanCount"] for row in lists["portfolio"]) == 1


def test_the_books_lists_leave_the_late_loan_out_of_a_sibling_branchs_reach(
    module_api: TestClient, book: dict[str, Any], late: dict[str, Any]
) -> None:
    lists = late_lists(module_api, book["staff"]["sibling"], late["position"])
    assert lists == {
        "arrears": [], "collectionQueue": [], "upcomingInstallments": [], "riskWarnings": [],
        "portfolio": [],
    }  # fmt: skip
    actions = read(module_api, "query($id: ID!) { collectionActions(loanId: $id) { kind } }",
                   book["staff"]["sibling"], late["position"], id=late["id"])  # fmt: skip
    assert actions == {"collectionActions": []}
    statement = module_api.get(
        f"/loans/{late['id']}/statement.csv", headers=book["staff"]["sibling"]
    )
    assert statement.status_code == 404, statement.text
    own = module_api.get(f"/loans/{late['id']}/statement.csv", headers=book["staff"]["own"])
    assert own.status_code == 200, own.text


def test_the_review_queue_holds_only_applications_within_reach(
    module_api: TestClient, book: dict[str, Any]
) -> None:
    at, loan = book["loan"]["position"], book["loan"]["id"]
    pending = read(module_api, PENDING, ADMIN, at, id=loan)["loan"]["approval"]["pending"]
    role = pending["role"]  # the application's first level waits for its signer
    for office, sees in ((book["sub_branch"], True), (book["branch_b"], False)):
        token = issue(TEST_JWT_SECRET, "signer.x", [Role(role.lower())], office=UUID(office))
        query = f"{{ reviewQueue(role: {role}) {{ nodes {{ id }} }} }}"
        found = read(module_api, query, {"Authorization": f"Bearer {token}"}, at)
        assert (loan in [n["id"] for n in found["reviewQueue"]["nodes"]]) is sees, office


REPORT = """{ report(name: PAR_TREND, from: "2029-12-01", to: "2030-01-31") { rows } }"""


@pytest.mark.parametrize(("who", "sees"), [("own", True), ("parent", True), ("head", True),
                                           ("sibling", False)])  # fmt: skip
def test_reports_sum_only_the_loans_within_reach(
    module_api: TestClient, book: dict[str, Any], late: dict[str, Any], who: str, sees: bool
) -> None:
    staff = book["staff"][who]
    rows = read(module_api, REPORT, staff, late["position"])["report"]["rows"]
    # Month end, loans, outstanding principal: the late loan's 12,000 in January (the
    # books opened on 2030-01-01, so December's month end recorded nothing).
    assert [row[:3] for row in rows] == ([["2030-01-31", "1", "12000.00"]] if sees else [])
    period = {"from": "2029-12-01", "to": "2030-01-31", "format": "csv"}
    lines = module_api.get("/reports/par_trend", params=period, headers=staff).text.splitlines()
    assert len(lines) == (2 if sees else 1)


LEDGER = """query($office: ID) {
  trialBalance(office: $office) { totalDebits totalCredits lines { account { code } debits } }
  generalLedger(account: "1301", office: $office) {
    openingBalance edges { node { loanId office debit credit } }
  }
  balanceSheet(office: $office) { sections { name total } }
  incomeStatement(office: $office) { sections { name total } }
}"""
JOURNAL = """query($id: ID!) { journal(loanId: $id) { loanId office lines { debit } } }"""


def ledger(api: TestClient, book: dict[str, Any], who: str, office: str | None, at: int) -> Any:
    staff = book["staff"][who]
    return read(api, LEDGER, staff, at, office=book[office] if office else None)


def nothing_posted(found: dict[str, Any]) -> bool:
    statements = found["balanceSheet"]["sections"] + found["incomeStatement"]["sections"]
    return (
        found["trialBalance"]["lines"] == []
        and Decimal(found["trialBalance"]["totalDebits"]) == 0
        and found["generalLedger"] == {"openingBalance": "0", "edges": []}
        and all(Decimal(section["total"]) == 0 for section in statements)
    )


# (caller, the `office` asked for, whether the late loan's entries show)
LEDGER_REACH = [
    ("own", None, True), ("parent", None, True), ("head", None, True), ("sibling", None, False),
    ("own", "sub_branch", True), ("parent", "sub_branch", True), ("head", "sub_branch", True),
    ("head", "head_office", True), ("parent", "branch_a", True),
    ("own", "branch_a", False), ("own", "head_office", False), ("parent", "branch_b", False),
    ("sibling", "sub_branch", False), ("sibling", "head_office", False),
    ("sibling", "branch_b", False), ("head", "branch_b", False),
]  # fmt: skip


@pytest.mark.parametrize(("who", "office", "sees"), LEDGER_REACH)
def test_the_ledger_shows_the_loans_entries_only_within_reach(
    module_api: TestClient,
    book: dict[str, Any],
    late: dict[str, Any],
    who: str,
    office: str | None,
    sees: bool,
) -> None:
    at = late["position"]
    found = ledger(module_api, book, who, office, at)
    if not sees:
        assert nothing_posted(found), found
        return
    # Every entry of this store is the late loan's: A1's own ledger is the whole book's.
    assert found == ledger(module_api, book, "head", None, at)
    balance = found["trialBalance"]
    assert balance["totalDebits"] == balance["totalCredits"]
    lines = {line["account"]["code"]: line["debits"] for line in balance["lines"]}
    assert Decimal(lines["130101"]) >= Decimal("12000.00")
    edges = found["generalLedger"]["edges"]
    assert {edge["node"]["loanId"] for edge in edges} == {late["id"]}
    assert {edge["node"]["office"] for edge in edges} == {book["sub_branch"]}


@pytest.mark.parametrize(("who", "sees"), [("own", True), ("parent", True), ("head", True),
                                           ("sibling", False)])  # fmt: skip
def test_a_loans_journal_is_empty_out_of_reach(
    module_api: TestClient, book: dict[str, Any], late: dict[str, Any], who: str, sees: bool
) -> None:
    found = read(module_api, JOURNAL, book["staff"][who], late["position"], id=late["id"])
    if not sees:
        assert found == {"journal": []}
        return
    assert found["journal"]
    assert {(e["loanId"], e["office"]) for e in found["journal"]} == {
        (late["id"], book["sub_branch"])
    }


def test_an_office_argument_that_is_no_id_is_refused_naming_it(
    module_api: TestClient, book: dict[str, Any]
) -> None:
    answer = graphql(module_api, LEDGER, book["staff"]["head"], {"office": "branch"})
    assert "office" in answer["errors"][0]["message"], answer
