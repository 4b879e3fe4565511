"""The general ledger over REST, GraphQL and the command line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support.api import AUDITOR, OFFICER, bearer, graphql, head
from tests.support.catalog import ADMIN, cob, disbursed_loan, micro_12, ok, pay
from tests.support.processes import lending_env, run
from tests.support.settings import opened_on

SECOND_ADMIN = bearer("admin.li", Role.ADMIN)
TRIAL = """query($on: Date) { trialBalance(asOf: $on) { asOf totalDebits totalCredits
    lines { account { code name type } debits credits balance } } }"""
JOURNAL = """query($id: ID!) { journal(loanId: $id) { id position valueDate postingDate loanId
    actor eventType kind lines { account debit credit } } }"""
LEDGER = """query($after: String) { generalLedger(account: "1002", from: "2026-01-01",
    to: "2026-03-31", first: 2, after: $after) { openingBalance pageInfo { hasNextPage endCursor }
    nodes { entryId postingDate debit credit balance } } }"""
STATEMENTS = """{ balanceSheet(asOf: "2026-02-28") { asOf sections { name total
    lines { account { code name } amount } } }
  incomeStatement(from: "2026-01-01", to: "2026-02-28") { from to sections { name total } } }"""

YEAR_TO_DATE = """{ incomeStatement(to: "2026-02-28") { from to sections { name total } } }"""


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return opened_on(db_url, tmp_path, date(2026, 1, 1))


def test_products_refuse_a_rule_without_every_account_or_with_unknown_ones(
    api: TestClient,
) -> None:
    partial = micro_12(code="PARTIAL", accounting={"basis": "accrual",
                       "accounts": {"fund_source": "1002"}})  # fmt: skip
    refused = api.post("/products", json=partial, headers=ADMIN)
    assert refused.status_code == 422, refused.text
    assert "accounting.accounts." in refused.text
    rule = {"basis": "cash", "accounts": {**_defaults(), "fund_source": "1009"}}
    unknown = api.post("/products", json=micro_12(code="UNKNOWN", accounting=rule), headers=ADMIN)
    assert unknown.status_code == 422, unknown.text
    assert "no account has code 1009" in unknown.text
    wrong = {"basis": "cash", "accounts": {**_defaults(), "fund_source": "6011"}}
    bad_type = api.post("/products", json=micro_12(code="WRONG", accounting=wrong), headers=ADMIN)
    assert bad_type.status_code == 422, bad_type.text
    ok(api.post("/products", json=micro_12(code="CASHY", accounting={"basis": "cash"}),
                headers=ADMIN), 201)  # fmt: skip


PRODUCT_ACCOUNTING = """query($code: String!) { product(code: $code) {
    accounting { basis mappings { role account } } versions { accounting { basis } } } }"""


def test_graphql_shows_a_products_accounting_rule(api: TestClient) -> None:
    rule = {"basis": "cash", "accounts": {**_defaults(), "recovery_income": "6021"}}
    written = ok(api.post("/products", json=micro_12(code="CASHY", accounting=rule),
                          headers=ADMIN), 201)  # fmt: skip
    found = graphql(api, PRODUCT_ACCOUNTING, OFFICER, {"code": "CASHY"}, written["position"])
    product = found["data"]["product"]
    accounting = product["accounting"]
    assert accounting["basis"] == "CASH"
    mappings = {m["role"]: m["account"] for m in accounting["mappings"]}
    assert mappings["RECOVERY_INCOME"] == "6021"
    assert mappings["FUND_SOURCE"] == "1002"
    assert len(mappings) == len(rule["accounts"])
    assert product["versions"] == [{"accounting": {"basis": "CASH"}}]


def _defaults() -> dict[str, str]:
    from domain.accounting.rules import DEFAULT_ACCOUNTS

    return {role.value: code for role, code in DEFAULT_ACCOUNTS.items()}


def test_accounts_open_close_and_refuse_what_would_break_the_books(api: TestClient) -> None:
    ok(api.post("/products", json=micro_12(), headers=ADMIN), 201)
    body = {"code": "100201", "name": "ICBC current account", "type": "asset", "parent": "1002"}
    ok(api.post("/accounts", json=body, headers=ADMIN), 201)
    assert api.post("/accounts", json=body, headers=ADMIN).status_code == 409
    orphan = body | {"code": "999901", "parent": "9999"}
    assert api.post("/accounts", json=orphan, headers=ADMIN).status_code == 422
    assert api.post("/accounts", json=body | {"code": "100202"}, headers=OFFICER).status_code == 403
    ok(api.post("/accounts/100201/close", json={}, headers=ADMIN))
    assert api.post("/accounts/100201/close", json={}, headers=ADMIN).status_code == 409
    entry = {
        "value_date": "2026-01-01",
        "narration": "capital paid in",
        "lines": [
            {"account": "100201", "debit": "100.00"},
            {"account": "4001", "credit": "100.00"},
        ],
    }
    assert api.post("/journal-entries", json=entry, headers=ADMIN).status_code == 409
    unbalanced = entry | {"lines": [{"account": "1002", "debit": "100.00"},
                                    {"account": "4001", "credit": "99.00"}]}  # fmt: skip
    assert api.post("/journal-entries", json=unbalanced, headers=ADMIN).status_code == 422
    unknown = entry | {"lines": [{"account": "1002", "debit": "1.00"},
                                 {"account": "4999", "credit": "1.00"}]}  # fmt: skip
    assert api.post("/journal-entries", json=unknown, headers=ADMIN).status_code == 422
    capital = entry | {"lines": [{"account": "1002", "debit": "1000000.00"},
                                 {"account": "4001", "credit": "1000000.00"}]}  # fmt: skip
    written = ok(api.post("/journal-entries", json=capital, headers=ADMIN), 201)
    found = graphql(api, TRIAL, AUDITOR, {"on": "2026-01-01"}, written["position"])
    lines = {line["account"]["code"]: line for line in found["data"]["trialBalance"]["lines"]}
    assert lines["1002"]["balance"] == "1000000.00"
    assert lines["4001"]["balance"] == "-1000000.00"
    with_balance = api.post("/accounts/1002/close", json={}, headers=ADMIN)
    assert with_balance.status_code == 409, with_balance.text


def test_a_loans_journal_statements_and_a_month_closed_by_two_admins(
    api: TestClient, settings: Settings, tmp_path: Path
) -> None:
    cob(api, "2026-01-15")
    loan = disbursed_loan(api, on="2026-01-15")
    cob(api, "2026-02-15")
    pay(api, loan["id"], "1066.19", "2026-02-15", "P1")
    cob(api, "2026-03-01")
    position = head(api)
    trial = graphql(api, TRIAL, AUDITOR, {"on": "2026-02-28"}, position)["data"]["trialBalance"]
    assert trial["totalDebits"] == trial["totalCredits"]
    assert sum(Decimal(line["balance"]) for line in trial["lines"]) == 0
    entries = graphql(api, JOURNAL, AUDITOR, {"id": loan["id"]}, position)["data"]["journal"]
    assert [e["kind"] for e in entries][:2] == ["disbursement", "month_end"]
    assert entries[0]["lines"] == [
        {"account": "130101", "debit": "12000.00", "credit": "0.00"},
        {"account": "1002", "debit": "0.00", "credit": "12000.00"},
    ]
    first = graphql(api, LEDGER, AUDITOR)["data"]["generalLedger"]
    assert first["openingBalance"] == "0"
    assert [n["balance"] for n in first["nodes"]] == ["-12000.00", "-10933.81"]
    assert first["pageInfo"]["hasNextPage"] is False
    statements = graphql(api, STATEMENTS, AUDITOR)["data"]
    sheet = {s["name"]: s for s in statements["balanceSheet"]["sections"]}
    assert Decimal(sheet["Assets"]["total"]) == (
        Decimal(sheet["Liabilities"]["total"]) + Decimal(sheet["Equity"]["total"])
    )
    income = {s["name"]: s["total"] for s in statements["incomeStatement"]["sections"]}
    profit = Decimal(income["Income"]) - Decimal(income["Expenses"])
    assert Decimal(income["Net profit"]) == profit
    # Without `from`, the year to date: the same figures as from 1 January.
    year_to_date = graphql(api, YEAR_TO_DATE, AUDITOR)["data"]["incomeStatement"]
    assert (year_to_date["from"], year_to_date["to"]) == ("2026-01-01", "2026-02-28")
    assert year_to_date["sections"] == statements["incomeStatement"]["sections"]
    assert graphql(api, TRIAL, OFFICER)["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    asked = ok(api.post("/accounting-periods/close", json={"month": "2026-01"}, headers=ADMIN))
    assert asked["status"] == "requested"
    again = api.post("/accounting-periods/close", json={"month": "2026-01"}, headers=ADMIN)
    assert again.status_code == 403
    closed = ok(api.post("/accounting-periods/close", json={"month": "2026-01"},
                         headers=SECOND_ADMIN))  # fmt: skip
    assert closed["status"] == "closed"
    twice = api.post("/accounting-periods/close", json={"month": "2026-01"}, headers=ADMIN)
    assert twice.status_code == 409
    early = api.post("/accounting-periods/close", json={"month": "2026-03"}, headers=ADMIN)
    assert early.status_code == 409

    env = lending_env(settings)
    agreed = run("reconcile", "--as-of", "2026-03-01", env=env)
    assert agreed.returncode == 0, agreed.stdout + agreed.stderr
    out = tmp_path / "ledger.xlsx"
    exported = run("ledger", "export", "--from", "2026-01-01", "--to", "2026-02-28",
                   "--format", "xlsx", "--out", str(out), env=env)  # fmt: skip
    assert exported.returncode == 0, exported.stdout + exported.stderr
    book = load_workbook(out)
    rows = list(book["Trial balance"].iter_rows(values_only=True))
    assert rows[0] == ("account", "name", "type", "debits", "credits", "balance")
    by_code: dict[Any, Any] = {row[0]: row for row in rows[1:]}
    tb = {line["account"]["code"]: line for line in trial["lines"]}
    exported_balances = {
        code: str(Decimal(str(row[5])).quantize(Decimal("0.01"))) for code, row in by_code.items()
    }
    assert exported_balances == {code: line["balance"] for code, line in tb.items()}
    journal = list(book["Journal"].iter_rows(values_only=True))
    assert sum(Decimal(str(r[13])) for r in journal[1:]) == sum(
        Decimal(str(r[14])) for r in journal[1:]
    )
