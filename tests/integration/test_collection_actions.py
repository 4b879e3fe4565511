"""Collection actions over REST, and promises to pay judged by close of business.

A promise is judged by the close of business that moves the business date past the
promised date: payments valued on the promised date itself still count.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.collections import settle_promises
from domain.collections import CollectionCase, PromiseSettled, case_id
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support.api import OFFICER, bearer, client, graphql, runtime_of
from tests.support.catalog import ADMIN, applied_loan, cob, disbursed_loan, ok, pay
from tests.support.people import tea_shop

COLLECTOR = bearer("collector.he", Role.COLLECTOR)
AUDITOR = bearer("auditor.chen", Role.AUDITOR)
ACTIONS = """query($loan: ID!) { collectionActions(loanId: $loan) { number kind outcome note
    actor actionDate promisedAmount promisedDate promiseStatus paidAmount } }"""


def act(api: TestClient, loan_id: str, status: int = 201, **body: Any) -> dict[str, Any]:
    action = {"kind": "call", "outcome": "answered, short of cash"} | body
    return ok(api.post(f"/loans/{loan_id}/collection-actions", json=action, headers=COLLECTOR),
              status)  # fmt: skip


def settled(api: TestClient, loan_id: str) -> list[PromiseSettled]:
    app = runtime_of(api).app
    return [e for e in app.events_of(case_id(UUID(loan_id))) if isinstance(e, PromiseSettled)]


def actions_table(runtime: Runtime) -> list[dict[str, Any]]:
    view = runtime.projections.views["collections"]
    with view.datastore.transaction(commit=False) as cursor:
        cursor.execute("SELECT * FROM collection_actions ORDER BY position")
        return list(cursor.fetchall())


def early(settings: Settings) -> Settings:
    """A store that opens in 2026, so close of business can walk through a promise."""
    return settings.model_copy(update={"opening_date": date(2026, 1, 1)})


def test_an_action_answers_with_the_loan_s_case(settings: Settings) -> None:
    with client(settings) as api:
        loan = disbursed_loan(api)
        first = act(api, loan["id"], kind="visit", outcome="  met at the shop ", note="wife paid",
                    promised_amount="500", promised_date="2030-01-15")  # fmt: skip
        assert (first["id"], first["version"]) == (str(case_id(UUID(loan["id"]))), 2)
        version = {"If-Match": str(first["version"])}
        second = ok(api.post(f"/loans/{loan['id']}/collection-actions", headers=COLLECTOR | version,
                             json={"kind": "sms", "outcome": "reminder sent"}), 201)  # fmt: skip
        assert (second["id"], second["version"]) == (first["id"], 3)
        stale = api.post(f"/loans/{loan['id']}/collection-actions", headers=COLLECTOR | version,
                         json={"kind": "sms", "outcome": "reminder sent"})  # fmt: skip
        assert stale.status_code == 409, stale.text
        legal = {"kind": "legal", "outcome": "demand letter from counsel"}
        by_admin = api.post(f"/loans/{loan['id']}/collection-actions", json=legal, headers=ADMIN)
        assert by_admin.status_code == 201, by_admin.text

        found = graphql(api, ACTIONS, AUDITOR, {"loan": loan["id"]},
                        min_position=by_admin.json()["position"])["data"]  # fmt: skip
        assert found["collectionActions"] == [
            {"number": 1, "kind": "VISIT", "outcome": "met at the shop", "note": "wife paid",
             "actor": "collector.he", "actionDate": "2030-01-01", "promisedAmount": "500.00",
             "promisedDate": "2030-01-15", "promiseStatus": "OPEN", "paidAmount": None},
            {"number": 2, "kind": "SMS", "outcome": "reminder sent", "note": "",
             "actor": "collector.he", "actionDate": "2030-01-01", "promisedAmount": None,
             "promisedDate": None, "promiseStatus": None, "paidAmount": None},
            {"number": 3, "kind": "LEGAL", "outcome": "demand letter from counsel", "note": "",
             "actor": "admin.wu", "actionDate": "2030-01-01", "promisedAmount": None,
             "promisedDate": None, "promiseStatus": None, "paidAmount": None},
        ]  # fmt: skip


def test_each_refused_action_names_its_field(settings: Settings) -> None:
    with client(settings) as api:
        loan = disbursed_loan(api)
        refusals = [
            ({"kind": "email"}, "kind"),
            ({"outcome": ""}, "outcome"),
            ({"outcome": "   "}, "outcome"),
            ({"promised_amount": "100"}, "promised_date"),
            ({"promised_date": "2030-01-10"}, "promised_amount"),
            ({"promised_amount": "0", "promised_date": "2030-01-10"}, "promised_amount"),
            ({"promised_amount": "-5", "promised_date": "2030-01-10"}, "promised_amount"),
            ({"promised_amount": "10.001", "promised_date": "2030-01-10"}, "promised_amount"),
            ({"promised_amount": "10", "promised_date": "2029-12-31"}, "promised_date"),
            ({"promised_amount": "10", "promised_date": "soon"}, "promised_date"),
            ({"channel": "phone"}, "channel"),
        ]
        for body, field in refusals:
            problem = act(api, loan["id"], 422, **body)
            assert [e["field"] for e in problem["errors"]] == [field], (body, problem)

        missing = act(api, "7d6f1c1e-0000-4000-8000-000000000000", 404)
        assert "loan" in missing["detail"]
        submitted = applied_loan(api, tea_shop())
        refused = act(api, submitted["id"], 409)
        assert "the loan is submitted" in refused["detail"]

        officer = api.post(f"/loans/{loan['id']}/collection-actions", headers=OFFICER,
                           json={"kind": "call", "outcome": "no answer"})  # fmt: skip
        assert officer.status_code == 403
        anonymous = api.post(f"/loans/{loan['id']}/collection-actions",
                             json={"kind": "call", "outcome": "no answer"})  # fmt: skip
        assert anonymous.status_code == 401
        app = runtime_of(api).app
        assert not app.exists(case_id(UUID(loan["id"])))


def test_close_of_business_records_a_kept_and_a_broken_promise_once(settings: Settings) -> None:
    with client(early(settings)) as api:
        cob(api, "2026-01-31")
        tea = disbursed_loan(api, on="2026-01-31")
        shop = disbursed_loan(api, on="2026-01-31", borrower_body=tea_shop())
        cob(api, "2026-03-10")
        act(api, tea["id"], promised_amount="500", promised_date="2026-03-15")
        act(api, shop["id"], kind="visit", promised_amount="800", promised_date="2026-03-15")
        pay(api, tea["id"], "150.00", "2026-03-09", "BEFORE-PROMISE")  # made before: not counted
        pay(api, tea["id"], "300.00", "2026-03-10", "TEA-1")
        bounced = pay(api, shop["id"], "800.00", "2026-03-10", "SHOP-1")
        ok(api.post(f"/repayments/{bounced['id']}/reverse", json={"reason": "bounced"},
                    headers=OFFICER))  # fmt: skip

        cob(api, "2026-03-15")
        assert settled(api, tea["id"]) == settled(api, shop["id"]) == []
        pay(api, tea["id"], "200.00", "2026-03-15", "TEA-2")  # on the promised date: counted
        done = cob(api, "2026-03-16")

        (kept,) = settled(api, tea["id"])
        (broken,) = settled(api, shop["id"])
        assert isinstance(kept, CollectionCase.PromiseKept)
        assert isinstance(broken, CollectionCase.PromiseBroken)
        assert (kept.paid_amount, kept.promised_amount) == (Decimal("500.00"), Decimal("500.00"))
        assert (broken.loan_id, broken.borrower_id) == (UUID(shop["id"]), UUID(shop["borrower_id"]))
        assert (broken.promised_date, broken.value_date) == (date(2026, 3, 15), date(2026, 3, 15))
        assert (broken.promised_amount, str(broken.paid_amount)) == (Decimal("800.00"), "0.00")
        assert broken.actor == "admin.wu"

        again = cob(api, "2026-03-16")
        assert (again["days_closed"], again["position"]) == (0, 0)
        later = cob(api, "2026-04-30")
        assert [len(settled(api, loan["id"])) for loan in (tea, shop)] == [1, 1]

        statuses = [
            graphql(api, ACTIONS, COLLECTOR, {"loan": loan["id"]},
                    min_position=max(done["position"], later["position"]))
            ["data"]["collectionActions"][0]
            for loan in (tea, shop)
        ]  # fmt: skip
        assert [(s["promiseStatus"], s["paidAmount"]) for s in statuses] == [
            ("KEPT", "500.00"),
            ("BROKEN", "0.00"),
        ]

        runtime = runtime_of(api)
        projected = actions_table(runtime)
        runtime.projections.rebuild("collections")
        assert actions_table(runtime) == projected


def test_a_run_that_stopped_after_judging_records_nothing_twice(settings: Settings) -> None:
    with client(early(settings)) as api:
        cob(api, "2026-01-31")
        loan = disbursed_loan(api, on="2026-01-31")
        cob(api, "2026-03-10")
        # A promise for today is judged when today is over.
        act(api, loan["id"], promised_amount="100.00", promised_date="2026-03-10")
        pay(api, loan["id"], "100.00", "2026-03-10", "TODAY-1")
        runtime = runtime_of(api)
        day = date(2026, 3, 11)
        # The promises of the day are judged, then the process dies before the day closes.
        assert settle_promises(runtime.app, "admin.wu", day, runtime.promises_due(day)) > 0
        cob(api, "2026-03-11")
        (kept,) = settled(api, loan["id"])
        assert isinstance(kept, CollectionCase.PromiseKept)
        assert kept.paid_amount == Decimal("100.00")
        assert settle_promises(runtime.app, "admin.wu", day, [case_id(UUID(loan["id"]))]) == 0
