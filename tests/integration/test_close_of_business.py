"""Close of business: the business date, arrears transitions, cures and re-runs.

Expected dates are worked out here from the loan's first due date with plain date
arithmetic: DPD d is reached on due date + d days, and the bucket and tier floors are
1, 31, 61, 91, 181 (buckets) and 1, 91, 181, 361 (default tiers).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from application.close_of_business import review_loans
from application.repayments import ReceiveRepayment, receive_repayment
from domain.loan import Loan
from tests.support.api import ANALYST, OFFICER, client, graphql, runtime_of
from tests.support.catalog import APPROVER, applied_loan, cob, disbursed_loan, ok
from tests.support.people import LI_MING_ID, wang_fang
from tests.support.settings import opened_on

OFFICER_NAME = "officer.zhang"
# (DPD, bucket, classification) from the first day each is reached, nothing paid.
TRANSITIONS = (
    (1, "dpd_1_30", "special_mention"),
    (31, "dpd_31_60", "special_mention"),
    (61, "dpd_61_90", "special_mention"),
    (91, "dpd_91_180", "substandard"),
    (181, "dpd_over_180", "doubtful"),
    (361, "dpd_over_180", "loss"),
)


def delinquency(api: TestClient, loan_id: str) -> list[tuple[date, int, str, str]]:
    app = runtime_of(api).app
    return [
        (
            e.value_date,
            e.delinquency.days_past_due,
            e.delinquency.bucket.value,
            e.delinquency.classification.value,
        )
        for e in app.events_of(UUID(loan_id))
        if isinstance(e, Loan.DelinquencyChanged)
    ]


def first_due(api: TestClient, loan_id: str) -> date:
    app = runtime_of(api).app
    loan = app.load(Loan, UUID(loan_id), "loan")
    due: date = loan.schedule.installments[0].due_date
    return due


def expected(due: date, until: date) -> list[tuple[date, int, str, str]]:
    return [
        (due + timedelta(days=dpd), dpd, bucket, tier)
        for dpd, bucket, tier in TRANSITIONS
        if due + timedelta(days=dpd) <= until
    ]


def test_an_unpaid_loan_moves_through_every_bucket_on_its_own_dates(
    db_url: str, tmp_path: Path
) -> None:
    with client(opened_on(db_url, tmp_path, date(2026, 1, 1))) as api:
        assert cob(api, date(2026, 1, 31))["days_closed"] == 30
        loan = disbursed_loan(api, on="2026-01-31")
        due = first_due(api, loan["id"])
        end = date(2027, 3, 1)
        done = cob(api, end)
        assert done["days_closed"] == (end - date(2026, 1, 31)).days
        assert delinquency(api, loan["id"]) == expected(due, end)

        query = """query { businessDate arrears { nodes { daysPastDue bucket classification
            overduePrincipal loan { id daysPastDue classification } } } }"""
        data = graphql(api, query, ANALYST, min_position=done["position"])["data"]
        assert data["businessDate"] == "2027-03-01"
        (row,) = data["arrears"]["nodes"]
        assert row["daysPastDue"] == (end - due).days
        assert (row["bucket"], row["classification"]) == ("DPD_OVER_180", "LOSS")
        assert row["loan"] == {"id": loan["id"], "daysPastDue": (end - due).days,
                               "classification": "LOSS"}  # fmt: skip
        assert Decimal(row["overduePrincipal"]) > 0

        history = """query($id: ID!) { delinquencyHistory(loanId: $id) {
            on daysPastDue bucket classification } }"""
        changes = graphql(api, history, ANALYST, {"id": loan["id"]})["data"]
        assert [
            (date.fromisoformat(c["on"]), c["daysPastDue"], c["bucket"].lower(),
             c["classification"].lower())
            for c in changes["delinquencyHistory"]
        ] == expected(due, end)  # fmt: skip


def test_transitions_count_the_2028_leap_day(db_url: str, tmp_path: Path) -> None:
    with client(opened_on(db_url, tmp_path, date(2027, 12, 1))) as api:
        cob(api, date(2027, 12, 31))
        loan = disbursed_loan(api, on="2027-12-31")
        due = first_due(api, loan["id"])
        end = date(2028, 6, 30)
        cob(api, end)
        found = delinquency(api, loan["id"])
        assert found == expected(due, end)
        assert (due + timedelta(days=31)) == found[1][0]  # crosses 29 February


def test_a_second_run_to_the_same_date_writes_nothing(db_url: str, tmp_path: Path) -> None:
    with client(opened_on(db_url, tmp_path, date(2026, 1, 1))) as api:
        cob(api, date(2026, 1, 31))
        loan = disbursed_loan(api, on="2026-01-31")
        cob(api, date(2026, 5, 1))
        head = runtime_of(api).projections.head()
        again = cob(api, date(2026, 5, 1))
        assert again["days_closed"] == 0
        assert again["position"] == 0
        assert api.app.state.runtime.projections.head() == head  # type: ignore[attr-defined]
        assert len(delinquency(api, loan["id"])) == 3
        problem = cob(api, date(2026, 4, 30), 422)
        assert problem["errors"][0]["field"] == "business_date"


def test_a_rerun_after_a_crash_mid_day_records_the_same_events(db_url: str, tmp_path: Path) -> None:
    with client(opened_on(db_url, tmp_path, date(2026, 1, 1))) as api:
        cob(api, date(2026, 1, 31))
        loan = disbursed_loan(api, on="2026-01-31")
        due = first_due(api, loan["id"])
        runtime = runtime_of(api)
        crash_day = due + timedelta(days=31)
        cob(api, crash_day - timedelta(days=1))
        # The loans of the day are saved, then the process dies before the day closes.
        written = review_loans(
            runtime.app, "admin.wu", crash_day, runtime.loans_to_review(crash_day)
        )
        assert written > 0
        cob(api, crash_day + timedelta(days=40))
        assert delinquency(api, loan["id"]) == expected(due, crash_day + timedelta(days=40))


def test_a_payment_that_clears_the_arrears_records_the_cure(db_url: str, tmp_path: Path) -> None:
    with client(opened_on(db_url, tmp_path, date(2026, 1, 1))) as api:
        cob(api, date(2026, 1, 31))
        loan = disbursed_loan(api, on="2026-01-31")
        due = first_due(api, loan["id"])
        today = due + timedelta(days=40)
        done = cob(api, today)
        query = """{ arrears(bucket: DPD_31_60) { nodes {
            overduePrincipal overdueInterest overdueFees overduePenalty } } }"""
        (row,) = graphql(api, query, ANALYST, min_position=done["position"])["data"]["arrears"][
            "nodes"
        ]
        # Penalty accrued since the month end is crystallised by the payment itself, ahead
        # of principal: a yuan more covers it (the rest pays ahead).
        owed = sum((Decimal(amount) for amount in row.values()), Decimal(1))
        body = {"loan_id": loan["id"], "amount": str(owed), "value_date": str(today),
                "channel": "bank", "external_reference": "CURE-1"}  # fmt: skip
        paid = ok(api.post("/repayments", json=body, headers=OFFICER), 201)
        assert delinquency(api, loan["id"])[-1] == (today, 0, "current", "normal")
        data = graphql(api, "{ arrears { nodes { daysPastDue bucket } } }", ANALYST,
                       min_position=paid["position"])["data"]  # fmt: skip
        assert data["arrears"]["nodes"] == [{"daysPastDue": 0, "bucket": "CURRENT"}]


def test_value_dates_after_the_business_date_are_refused(db_url: str, tmp_path: Path) -> None:
    with client(opened_on(db_url, tmp_path, date(2026, 1, 1))) as api:
        later = "2026-01-02"
        applied = applied_loan(api)
        path = f"/loans/{applied['id']}"
        ok(api.post(f"{path}/approve", json={}, headers=APPROVER))
        refused = ok(api.post(f"{path}/sign", json={"signed_on": later}, headers=OFFICER), 422)
        assert refused["errors"][0]["field"] == "signed_on"
        ok(api.post(f"{path}/sign", json={"signed_on": "2026-01-01"}, headers=OFFICER))
        disbursement = {"value_date": later, "account": "6222021234567890123",
                        "channel": "bank", "reference": "D-1"}  # fmt: skip
        refused = ok(api.post(f"{path}/disburse", json=disbursement, headers=OFFICER), 422)
        assert refused["errors"][0]["field"] == "value_date"
        disbursement["value_date"] = "2026-01-01"
        ok(api.post(f"{path}/disburse", json=disbursement, headers=OFFICER))
        payment = {"loan_id": applied["id"], "amount": "100", "value_date": later,
                   "channel": "bank", "external_reference": "LATE-1"}  # fmt: skip
        refused = ok(api.post("/repayments", json=payment, headers=OFFICER), 422)
        assert refused["errors"][0]["field"] == "value_date"
        write_off = {"value_date": later, "reason": "fled"}
        refused = ok(api.post(f"{path}/write-off", json=write_off, headers=APPROVER), 422)
        assert refused["errors"][0]["field"] == "value_date"
        change = {"from_date": later, "new_term": 6, "reason": "hardship"}
        refused = ok(api.post(f"{path}/reschedule", json=change, headers=APPROVER), 422)
        assert refused["errors"][0]["field"] == "from_date"


def test_arrears_refuse_a_date_after_the_business_date(db_url: str, tmp_path: Path) -> None:
    with client(opened_on(db_url, tmp_path, date(2026, 1, 1))) as api:
        done = cob(api, date(2026, 1, 5))
        body = graphql(api, '{ arrears(asOf: "2026-01-06") { nodes { bucket } } }', ANALYST,
                       min_position=done["position"])  # fmt: skip
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "asOf" in body["errors"][0]["message"]
        for day in ("2026-01-04", "2026-01-05"):  # a past date reads the history
            body = graphql(api, f'{{ arrears(asOf: "{day}") {{ nodes {{ bucket }} }} }}', ANALYST)
            assert body["data"]["arrears"]["nodes"] == []


def test_a_loan_paid_while_its_batch_is_reviewed_is_reviewed_again_on_its_own(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with client(opened_on(db_url, tmp_path, date(2026, 1, 1))) as api:
        cob(api, date(2026, 1, 31))
        paid = disbursed_loan(api, on="2026-01-31")["id"]
        li_ming = wang_fang(name="Li Ming", id_number=LI_MING_ID, region="Sichuan")
        other = disbursed_loan(api, on="2026-01-31", borrower_body=li_ming)["id"]
        due = first_due(api, paid)
        cob(api, due)
        app = runtime_of(api).app
        load = app.load
        payments: list[int] = []

        def load_then_pay_the_first(kind: type, loan_id: UUID, name: str) -> Any:
            """While the batch holds `paid` unsaved, a repayment to it is recorded."""
            if loan_id == UUID(other) and not payments:
                received = ReceiveRepayment(OFFICER_NAME, UUID(paid), Decimal("100.00"), due,
                                            "bank", "RACE-1")  # fmt: skip
                payments.append(receive_repayment(app, received).position)
            return load(kind, loan_id, name)

        monkeypatch.setattr(app, "load", load_then_pay_the_first)
        day = due + timedelta(days=1)
        assert review_loans(app, "admin.wu", day, [UUID(paid), UUID(other)]) > payments[0]

        late = [(day, 1, "dpd_1_30", "special_mention")]
        assert delinquency(api, paid) == late
        assert delinquency(api, other) == late
        kinds = [type(e).__name__ for e in app.events_of(UUID(paid))]
        assert kinds.index("RepaymentAllocated") < kinds.index("DelinquencyChanged")
