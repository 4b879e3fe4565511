"""A manual journal entry goes in the books of an office: its poster's, or one they name.

Offices: the head office, branch A with its sub-branch A1, and branch B. A's admin posts
a cash adjustment in A's books and one in A1's; the head office's admin posts one in
B's; an admin without an office posts one in the head office's, as an entry stored
before entries recorded an office is posted. A's admin may not post in B's books, nor
in the head office's; an office no office has is refused naming `office`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest
from fastapi.testclient import TestClient

from domain.accounting import EntryKind, JournalEntry, Line, ManualEntry
from domain.accounting.entries import balanced
from domain.office import HEAD_OFFICE_ID
from infrastructure.tokens import Role, issue
from tests.support.api import AUDITOR, graphql, head, runtime_of
from tests.support.catalog import ADMIN, ok
from tests.support.settings import TEST_JWT_SECRET
from tests.support.staff import open_office

ON = "2030-01-01"  # the suite's opening day (tests/support/settings.py)
TRIAL = """query($office: ID) { trialBalance(asOf: "2030-01-01", office: $office) {
    totalDebits lines { account { code } debits credits } } }"""
LEDGER = """query($office: ID) { generalLedger(account: "6602", from: "2030-01-01",
    to: "2030-01-01", office: $office) { nodes { narration office debit kind actor } } }"""
HEAD = str(HEAD_OFFICE_ID)


def admin_of(office: str, name: str) -> dict[str, str]:
    token = issue(TEST_JWT_SECRET, name, [Role.ADMIN], office=UUID(office))
    return {"Authorization": f"Bearer {token}"}


def entry(narration: str, amount: str, office: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "value_date": ON, "narration": narration,
        "lines": [{"account": "6602", "debit": amount}, {"account": "1002", "credit": amount}],
    }  # fmt: skip
    return body if office is None else body | {"office": office}


def stored_before_offices(api: TestClient, narration: str, amount: str) -> int:
    """Store a manual entry as entries were stored before they recorded an office."""
    app = runtime_of(api).app
    lines = (Line(account="6602", debit=Decimal(amount), credit=Decimal(0)),
             Line(account="1002", debit=Decimal(0), credit=Decimal(amount)))  # fmt: skip
    on = date.fromisoformat(ON)
    journal = JournalEntry(kind=EntryKind.MANUAL, value_date=on, lines=lines, narration=narration)
    old = ManualEntry._create(
        ManualEntry.Posted, actor="admin.old", value_date=on, entry=balanced(journal)
    )
    position = app.save_all(old).position
    stored = app.recorder.select_events(old.id)[0]
    assert app.mapper.cipher is not None
    assert "office" not in orjson.loads(app.mapper.cipher.decrypt(stored.state))
    return position


@pytest.fixture(scope="module")
def books(module_api: TestClient) -> dict[str, Any]:
    api = module_api
    branch_a = open_office(api, ADMIN, "Branch A")
    offices = {"head": HEAD, "a": branch_a, "a1": open_office(api, ADMIN, "A1", parent=branch_a),
               "b": open_office(api, ADMIN, "Branch B")}  # fmt: skip
    staff = {"a": admin_of(branch_a, "admin.a"), "head": admin_of(HEAD, "admin.hq")}
    ok(api.post("/journal-entries", json=entry("A cash short", "11.00"), headers=staff["a"]), 201)
    in_a1 = entry("A1 cash short", "22.00", offices["a1"])
    ok(api.post("/journal-entries", json=in_a1, headers=staff["a"]), 201)
    in_b = entry("B rent", "33.00", offices["b"])
    ok(api.post("/journal-entries", json=in_b, headers=staff["head"]), 201)
    # ADMIN's token names no office: its entries are the head office's.
    ok(api.post("/journal-entries", json=entry("head rent", "44.00"), headers=ADMIN), 201)
    stored_before_offices(api, "old rent", "55.00")
    return {"offices": offices, "staff": staff, "position": head(api)}


def read(api: TestClient, query: str, books: dict[str, Any], office: str | None) -> Any:
    answer = graphql(api, query, AUDITOR, {"office": office}, books["position"])
    assert "errors" not in answer, answer
    return answer["data"]


def expenses(api: TestClient, books: dict[str, Any], office: str | None) -> Decimal:
    lines = read(api, TRIAL, books, office)["trialBalance"]["lines"]
    return sum((Decimal(line["debits"]) for line in lines if line["account"]["code"] == "6602"),
               Decimal(0))  # fmt: skip


def test_each_entry_is_in_the_books_of_its_office(
    module_api: TestClient, books: dict[str, Any]
) -> None:
    offices = books["offices"]
    nodes = read(module_api, LEDGER, books, None)["generalLedger"]["nodes"]
    found = {node["narration"]: node["office"] for node in nodes}
    assert found == {
        "A cash short": offices["a"], "A1 cash short": offices["a1"], "B rent": offices["b"],
        "head rent": HEAD, "old rent": HEAD,
    }  # fmt: skip
    assert {node["kind"] for node in nodes} == {"manual"}


def test_a_branchs_trial_balance_holds_its_entries_and_not_a_siblings(
    module_api: TestClient, books: dict[str, Any]
) -> None:
    offices = books["offices"]
    assert expenses(module_api, books, offices["a1"]) == Decimal("22.00")
    assert expenses(module_api, books, offices["a"]) == Decimal("33.00")  # A's and A1's
    assert expenses(module_api, books, offices["b"]) == Decimal("33.00")
    assert expenses(module_api, books, HEAD) == Decimal("165.00")  # the whole book
    b_only = read(module_api, LEDGER, books, offices["b"])["generalLedger"]["nodes"]
    assert [node["narration"] for node in b_only] == ["B rent"]
    for office in offices.values():
        trial = read(module_api, TRIAL, books, office)["trialBalance"]
        debits = sum(Decimal(line["debits"]) for line in trial["lines"])
        assert debits == sum(Decimal(line["credits"]) for line in trial["lines"]), office
    # The branch's own staff read the same book of it.
    mine = graphql(module_api, TRIAL, books["staff"]["a"], {"office": None}, books["position"])
    lines = mine["data"]["trialBalance"]["lines"]
    assert {line["account"]["code"]: line["debits"] for line in lines}["6602"] == "33.00"


def test_a_branch_may_not_post_in_a_siblings_or_the_head_offices_books(
    module_api: TestClient, books: dict[str, Any]
) -> None:
    offices, branch = books["offices"], books["staff"]["a"]
    for elsewhere in (offices["b"], HEAD):
        refused = module_api.post(
            "/journal-entries", json=entry("not ours", "1.00", elsewhere), headers=branch
        )
        assert refused.status_code == 403, refused.text
    for who in (branch, books["staff"]["head"], ADMIN):
        unknown = module_api.post(
            "/journal-entries", json=entry("nowhere", "1.00", str(uuid4())), headers=who
        )
        assert unknown.status_code == 422, unknown.text
        assert [e["field"] for e in unknown.json()["errors"]] == ["office"]
    assert head(module_api) == books["position"]  # none of them was stored
