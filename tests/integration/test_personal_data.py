"""Personal data in the read models: masked, digested, or (names, for officers' search) in
one deliberate table; in full only for the readers who call or visit the borrower."""

from __future__ import annotations

from typing import Any

import psycopg
from fastapi.testclient import TestClient
from psycopg.sql import SQL, Identifier

from infrastructure.tokens import Role
from tests.support.api import ANALYST, OFFICER, bearer, graphql, runtime_of
from tests.support.catalog import applied_loan, disbursed_loan, ok
from tests.support.people import LI_MING_ID, resident_id, wang_fang

ZHAO = "Zhao Xiaohong"
ZHAO_PHONE = "13611112222"
ZHAO_ADDRESS = "77 Lotus Pond Lane, Wuhan"
PAYER = "Qian Dabao"
WIDE_ZHAO = "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in "ZHAO Ming")  # full width

MASKED = {"name": "Z***********g", "phone": "136****2222", "address": "77 Lot****"}
FULL = {"name": ZHAO, "phone": "+86" + ZHAO_PHONE, "address": ZHAO_ADDRESS}
SEE_MASKED = (Role.ANALYST, Role.REVIEWER, Role.AUDITOR, Role.RISK_OFFICER, Role.APPROVER)
SEE_FULL = (Role.LOAN_OFFICER, Role.COLLECTOR)

BORROWER = """query($id: ID!, $asOf: DateTime) { borrower(id: $id, asOf: $asOf) {
    name phone address } }"""
LIST = """query($filter: BorrowerFilter) { borrowers(filter: $filter) {
    edges { node { id name phone address } } } }"""
HISTORY = "query($id: ID!) { borrowerHistory(id: $id) { type data } }"
PAYERS = "query($id: ID!) { loan(id: $id) { repayments { payer } } }"
LOAN_HISTORY = "query($id: ID!) { loanHistory(id: $id) { type data } }"


def zhao(**overrides: Any) -> dict[str, Any]:
    return wang_fang(name=ZHAO, phone=ZHAO_PHONE, address=ZHAO_ADDRESS, **overrides)


def paid_loan(api: TestClient) -> dict[str, Any]:
    """Zhao's disbursed loan with one repayment by Qian Dabao, all projected."""
    loan = disbursed_loan(api, borrower_body=zhao())
    body = {"loan_id": loan["id"], "amount": "500.00", "value_date": "2026-02-28",
            "channel": "bank", "external_reference": "R-ZHAO-1", "payer": PAYER}  # fmt: skip
    paid = ok(api.post("/repayments", json=body, headers=OFFICER), 201)
    runtime_of(api).projections.wait(paid["position"])
    return loan


def tables_holding(db_url: str, needle: str) -> set[str]:
    """Every table of the store whose rows, as text, contain `needle` (any case)."""
    found = set()
    with psycopg.connect(db_url) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )]  # fmt: skip
        # The loans read model keeps its rows in loan_records (`loans` is its view).
        assert {"borrowers", "credit_assessments", "repayments", "loan_records"} <= set(tables)
        for table in tables:
            query = SQL("SELECT count(*) FROM {} AS r WHERE strpos(lower(r::text), %s) > 0")
            row = conn.execute(query.format(Identifier(table)), (needle.lower(),)).fetchone()
            if row and row[0]:
                found.add(table)
    return found


def test_no_read_model_table_holds_a_name_phone_address_or_payer(
    api: TestClient, db_url: str
) -> None:
    paid_loan(api)
    assert tables_holding(db_url, ZHAO_PHONE) == set()
    assert tables_holding(db_url, ZHAO_ADDRESS) == set()
    assert tables_holding(db_url, PAYER) == set()
    # Names stay searchable by officers through digests of their pieces, not the names.
    assert tables_holding(db_url, ZHAO) == set()
    assert tables_holding(db_url, ZHAO.casefold()) == set()


def test_the_shared_phone_signal_fires_by_digest(api: TestClient, db_url: str) -> None:
    ok(api.post("/borrowers", json=zhao(), headers=OFFICER), 201)
    # The same phone written another way: the digest is of the normalised number.
    li_ming = wang_fang(name="Li Ming", id_number=LI_MING_ID, phone="+86 136 1111 2222")
    loan = applied_loan(api, li_ming)
    intake = graphql(
        api,
        "query($id: ID!) { loan(id: $id) { assessment { flags checks { name inputs } } } }",
        ANALYST,
        {"id": loan["id"]},
        min_position=loan["position"],
    )["data"]["loan"]["assessment"]
    assert intake["flags"] == ["shared_phone"]
    shared = next(c for c in intake["checks"] if c["name"] == "shared_phone")
    assert shared["inputs"]["other_borrowers"] == "1"
    with psycopg.connect(db_url) as conn:
        digests = conn.execute("SELECT DISTINCT phone_digest FROM borrowers").fetchall()
        assessed = conn.execute("SELECT phone_digest FROM credit_assessments").fetchall()
    assert len(digests) == 1
    assert assessed == digests
    assert len(digests[0][0]) == 64  # HMAC-SHA256, hex


def test_contact_details_are_full_only_for_officers_collectors_and_the_borrower(
    api: TestClient,
) -> None:
    me = "0b9f4a56-3c1d-4e8a-9f27-6d5e4c3b2a10"
    mine = ok(api.post("/borrowers", json=zhao(), headers=bearer(me, Role.BORROWER)), 201)
    ok(api.post(f"/borrowers/{me}/update", json={"region": "Hunan"}, headers=OFFICER))
    graphql(api, "{ businessDate }", ANALYST, min_position=mine["position"] + 1)
    readers = [(role, bearer(f"{role.value}.x", role)) for role in (*SEE_MASKED, *SEE_FULL)]
    for role, token in readers:
        expected = FULL if role in SEE_FULL else MASKED
        one = graphql(api, BORROWER, token, {"id": me})
        assert one["data"]["borrower"] == expected, role
        as_of = graphql(api, BORROWER, token, {"id": me, "asOf": "2199-01-01T00:00:00Z"})
        assert as_of["data"]["borrower"] == expected, role
        listed = graphql(api, LIST, token)["data"]["borrowers"]["edges"]
        assert [e["node"] for e in listed] == [{"id": me} | expected], role
        history = graphql(api, HISTORY, token, {"id": me})["data"]["borrowerHistory"]
        profiles = [event["data"]["profile"] for event in history]
        assert len(profiles) == 2
        for profile in profiles:
            assert {k: profile[k] for k in expected} == expected, role
        assert all("phone_digest" not in event["data"] for event in history)
    own = graphql(api, BORROWER, bearer(me, Role.BORROWER), {"id": me})
    assert own["data"]["borrower"] == FULL


def test_payers_are_full_only_for_officers_collectors_and_the_borrower(api: TestClient) -> None:
    loan = paid_loan(api)
    owner = bearer(loan["borrower_id"], Role.BORROWER)
    for token, payer in [
        (ANALYST, "Q********o"),
        (bearer("auditor.x", Role.AUDITOR), "Q********o"),
        (OFFICER, PAYER),
        (bearer("collector.x", Role.COLLECTOR), PAYER),
        (owner, PAYER),
    ]:
        found = graphql(api, PAYERS, token, {"id": loan["id"]})["data"]["loan"]["repayments"]
        assert found == [{"payer": payer}]
    for token, payer in [(ANALYST, "Q********o"), (OFFICER, PAYER)]:
        history = graphql(api, LOAN_HISTORY, token, {"id": loan["id"]})["data"]["loanHistory"]
        received = next(e for e in history if e["type"] == "RepaymentReceived")
        assert received["data"]["receipt"]["payer"] == payer


def test_officers_search_names_and_no_one_else_does(api: TestClient) -> None:
    last = {}
    for n, name in enumerate((ZHAO, "Zhao Xiao", "Li 50%_off", WIDE_ZHAO)):
        body = wang_fang(name=name, id_number=resident_id(f"4201061985031201{n}"),
                         phone=f"1390027{n:04d}")  # fmt: skip
        last = ok(api.post("/borrowers", json=body, headers=OFFICER), 201)
    graphql(api, "{ businessDate }", ANALYST, min_position=last["position"])

    def named(part: str, token: dict[str, str] = OFFICER) -> Any:
        return graphql(api, LIST, token, {"filter": {"nameContains": part}})

    def names(part: str) -> list[str]:
        return [e["node"]["name"] for e in named(part)["data"]["borrowers"]["edges"]]

    assert names("zhao  xiao") == [ZHAO, "Zhao Xiao"]  # case and spacing aside
    assert names("XIAOHONG") == [ZHAO]
    assert names("zhao ming") == [WIDE_ZHAO]  # full-width letters as ASCII
    assert names("50%_") == ["Li 50%_off"]  # wildcards are literal
    assert names("5_") == []  # not "50"
    for role in (Role.ANALYST, Role.COLLECTOR, Role.AUDITOR):
        refused = named("zhao", bearer(f"{role.value}.x", role))
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", role


def test_a_table_made_with_plaintext_columns_is_built_again(api: TestClient, db_url: str) -> None:
    paid_loan(api)
    runtime = runtime_of(api)
    with psycopg.connect(db_url) as conn:
        before = {
            table: conn.execute(
                SQL("SELECT * FROM {} ORDER BY 1").format(Identifier(table))
            ).fetchall()
            for table in ("borrowers", "borrower_search", "credit_assessments", "repayments")
        }
        # As a store made before this change had them.
        conn.execute("ALTER TABLE borrowers ADD COLUMN phone text")
        conn.execute("ALTER TABLE credit_assessments ADD COLUMN phone text")
        conn.execute("ALTER TABLE repayments ADD COLUMN payer text")
    runtime.projections.stop()
    for view in runtime.projections.views.values():
        view.create_table()
    runtime.projections.start()
    runtime.projections.wait(runtime.projections.head())
    with psycopg.connect(db_url) as conn:
        for table, rows in before.items():
            again = conn.execute(SQL("SELECT * FROM {} ORDER BY 1").format(Identifier(table)))
            assert again.fetchall() == rows, table
    assert tables_holding(db_url, PAYER) == set()
