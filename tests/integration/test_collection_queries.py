"""The collectors' queue and upcoming installments, read over GraphQL.

The store opens on 2030-01-01 (the `settings` fixture); loans are disbursed on earlier
dates so that they fall due, or are late, around it. Monthly due dates keep the day of
the month of the disbursement.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support.api import OFFICER, bearer, client, graphql
from tests.support.catalog import ADMIN, APPROVER, applied_loan, disbursed_loan, ok, paid_out
from tests.support.people import LI_MING_ID, resident_id, tea_shop, wang_fang

COLLECTOR = bearer("collector.he", Role.COLLECTOR)
RISK_OFFICER = bearer("risk.gao", Role.RISK_OFFICER)
LI_MING = wang_fang(name="Li Ming", id_number=LI_MING_ID, phone="13900139000")
ZHAO_LEI = wang_fang(name="Zhao Lei", id_number=resident_id("11010519880615002"))

QUEUE = """query($bucket: DelinquencyBucket, $first: Int, $after: String) {
  collectionQueue(bucket: $bucket, first: $first, after: $after) {
    edges { cursor node { loanId borrowerId productCode daysPastDue bucket classification
      outstandingPrincipal overdueAmount lastAction { number kind } borrower { name }
      openPromise { number promisedAmount promisedDate promiseStatus }
      loan { schedule { installments { principal interest fee penalty } } } } }
    pageInfo { hasNextPage endCursor } } }"""
UPCOMING = """query($days: Int!, $first: Int, $after: String) {
  upcomingInstallments(withinDays: $days, first: $first, after: $after) {
    nodes { loanId borrowerId number dueDate amountDue }
    pageInfo { hasNextPage endCursor } } }"""
SCHEDULE = "query($id: ID!) { loan(id: $id) { schedule { installments { total } } } }"


def first_total(api: TestClient, loan: dict[str, Any]) -> Decimal:
    """What the loan's first installment was scheduled to take."""
    body = graphql(api, SCHEDULE, OFFICER, {"id": loan["id"]}, min_position=loan["position"])
    return Decimal(body["data"]["loan"]["schedule"]["installments"][0]["total"])


def last_position(*written: dict[str, Any]) -> int:
    return max(int(w["position"]) for w in written)


def test_the_queue_lists_late_loans_worst_first_a_page_at_a_time(settings: Settings) -> None:
    with client(settings) as api:
        worst = disbursed_loan(api, on="2026-01-31")  # first due 2026-02-28
        middle = disbursed_loan(api, on="2029-10-15", borrower_body=tea_shop())  # due 11-15
        least = disbursed_loan(api, on="2029-11-20", borrower_body=LI_MING)  # due 12-20
        disbursed_loan(api, on="2029-12-20", borrower_body=ZHAO_LEI)  # due 2030-01-20: current
        actions = f"/loans/{least['id']}/collection-actions"
        promise = {"kind": "call", "outcome": "will pay after harvest",
                   "promised_amount": "200", "promised_date": "2030-01-10"}  # fmt: skip
        ok(api.post(actions, json=promise, headers=COLLECTOR), 201)
        sms = {"kind": "sms", "outcome": "reminder sent"}
        ok(api.post(actions, json=sms, headers=COLLECTOR), 201)
        done = ok(api.post("/close-of-business", json={"business_date": "2030-01-02"},
                           headers=ADMIN))  # fmt: skip

        def page(
            after: str | None = None, bucket: str | None = None, first: int = 2
        ) -> dict[str, Any]:
            variables = {"first": first, "after": after, "bucket": bucket}
            body = graphql(api, QUEUE, COLLECTOR, variables, min_position=done["position"])
            found: dict[str, Any] = body["data"]["collectionQueue"]
            return found

        one = page()
        two = page(one["pageInfo"]["endCursor"])
        assert one["pageInfo"]["hasNextPage"]
        assert not two["pageInfo"]["hasNextPage"]
        rows = [edge["node"] for edge in one["edges"] + two["edges"]]
        assert [r["loanId"] for r in rows] == [worst["id"], middle["id"], least["id"]]
        on = date(2030, 1, 2)
        assert [r["daysPastDue"] for r in rows] == [
            (on - date(2026, 2, 28)).days, (on - date(2029, 11, 15)).days, 13
        ]  # fmt: skip
        assert [(r["bucket"], r["classification"]) for r in rows] == [
            ("DPD_OVER_180", "LOSS"), ("DPD_31_60", "SPECIAL_MENTION"),
            ("DPD_1_30", "SPECIAL_MENTION"),
        ]  # fmt: skip
        assert [r["borrower"]["name"] for r in rows] == [
            "Wang Fang", "Wuhan Spring Tea Shop", "Li Ming"
        ]  # fmt: skip
        assert {r["productCode"] for r in rows} == {"MICRO-12"}
        assert rows[2]["borrowerId"] == least["borrower_id"]
        assert Decimal(rows[2]["outstandingPrincipal"]) == Decimal("12000.00")
        first_installment = rows[2]["loan"]["schedule"]["installments"][0]
        assert Decimal(rows[2]["overdueAmount"]) == sum(map(Decimal, first_installment.values()))
        assert rows[2]["lastAction"] == {"number": 2, "kind": "SMS"}
        assert rows[2]["openPromise"] == {
            "number": 1, "promisedAmount": "200.00", "promisedDate": "2030-01-10",
            "promiseStatus": "OPEN",
        }  # fmt: skip
        assert rows[0]["lastAction"] is rows[0]["openPromise"] is None

        filtered = page(bucket="DPD_31_60")
        assert [e["node"]["loanId"] for e in filtered["edges"]] == [middle["id"]]
        assert page(bucket="CURRENT")["edges"] == []
        bad = graphql(api, QUEUE, COLLECTOR, {"after": "bm9wZQ=="})["errors"][0]
        assert bad["extensions"]["code"] == "BAD_USER_INPUT"
        assert "after" in bad["message"]


def test_only_collections_staff_read_collections(settings: Settings) -> None:
    with client(settings) as api:
        loan = disbursed_loan(api)
        borrower = bearer(loan["borrower_id"], Role.BORROWER)
        queries = [
            "{ collectionQueue { nodes { loanId } } }",
            f'{{ collectionActions(loanId: "{loan["id"]}") {{ number }} }}',
            "{ upcomingInstallments(withinDays: 30) { nodes { loanId } } }",
        ]
        for query in queries:
            for caller in (borrower, OFFICER):
                body = graphql(api, query, caller)
                assert body["data"] is None, query
                assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", query
            for caller in (COLLECTOR, RISK_OFFICER, bearer("auditor.chen", Role.AUDITOR), ADMIN):
                assert "errors" not in graphql(api, query, caller), query


def test_upcoming_installments_run_from_the_business_date_for_n_days(settings: Settings) -> None:
    with client(settings) as api:
        today = disbursed_loan(api, on="2029-12-01")  # due 2030-01-01, 02-01, ...
        # Quarterly from 2029-10-01: due 01-01, 04-01. Its first installment is paid on its
        # due date: one paid in advance would still owe the interest of the days left.
        paid = applied_loan(api, tea_shop(), frequency="quarterly")
        paid |= paid_out(api, paid, "2029-10-01")
        late = disbursed_loan(api, on="2029-11-20", borrower_body=LI_MING)  # 12-20, 01-20
        gone = disbursed_loan(api, on="2029-12-10", borrower_body=ZHAO_LEI)  # 01-10
        payments = [
            (today, Decimal(100), "PART-1"),
            (paid, first_total(api, paid), "FULL-1"),
        ]
        written = [
            ok(api.post("/repayments", headers=OFFICER, json={
                "loan_id": loan["id"], "amount": str(amount), "value_date": "2030-01-01",
                "channel": "bank", "external_reference": ref}), 201)
            for loan, amount, ref in payments
        ]  # fmt: skip
        write_off = {"value_date": "2030-01-01", "reason": "fled"}
        written.append(ok(api.post(f"/loans/{gone['id']}/write-off", json=write_off,
                                   headers=APPROVER)))  # fmt: skip
        position = last_position(*written)

        def window(days: int) -> list[tuple[str, int, str]]:
            body = graphql(api, UPCOMING, COLLECTOR, {"days": days}, min_position=position)
            nodes = body["data"]["upcomingInstallments"]["nodes"]
            return [(n["loanId"], n["number"], n["dueDate"]) for n in nodes]

        due_today = (today["id"], 1, "2030-01-01")
        assert window(0) == [due_today]
        assert window(18) == [due_today]  # paid, written off and overdue ones are left out
        assert window(19) == [due_today, (late["id"], 2, "2030-01-20")]
        assert window(30) == window(19)
        assert window(31) == [*window(19), (today["id"], 2, "2030-02-01")]
        everything = window(31)  # nothing more falls due by 02-15 (the paid loan: 04-01)
        assert window(45) == everything

        node = graphql(api, UPCOMING, COLLECTOR, {"days": 0}, min_position=position)["data"][
            "upcomingInstallments"
        ]["nodes"][0]
        assert Decimal(node["amountDue"]) == first_total(api, today) - 100
        assert node["borrowerId"] == today["borrower_id"]

        seen, after = [], None
        while True:
            body = graphql(api, UPCOMING, COLLECTOR, {"days": 45, "first": 1, "after": after})
            found = body["data"]["upcomingInstallments"]
            seen += [(n["loanId"], n["number"], n["dueDate"]) for n in found["nodes"]]
            if not found["pageInfo"]["hasNextPage"]:
                break
            after = found["pageInfo"]["endCursor"]
        assert seen == everything

        for days in (-1, 367):
            error = graphql(api, UPCOMING, COLLECTOR, {"days": days})["errors"][0]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert "withinDays" in error["message"]
