"""Late fees and penalty interest as close of business walks the calendar.

MICRO-12 here charges 36.5% a year on actual/365 (0.1% of overdue principal a day)
and a 25.00 late fee after 3 grace days. The loan is disbursed on 31 December 2027,
so installment 1 falls due on 31 January and installment 2 on 29 February 2028 (a
leap day). Every expected amount is worked out here from the contract's principal
split with plain arithmetic; the application's figures are compared against them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from domain.loan import Loan
from tests.support.api import ANALYST, OFFICER, client, graphql, runtime_of, stored_loan
from tests.support.catalog import ADMIN, cob, disbursed_loan, micro_12, ok
from tests.support.ledger import cents
from tests.support.settings import opened_on

DAILY = Decimal("0.001")
FEE = Decimal("25.00")
DISBURSED = date(2027, 12, 31)
JAN_31, FEB_29 = date(2028, 1, 31), date(2028, 2, 29)


def penalised_loan(api: TestClient) -> dict[str, Any]:
    product = micro_12(penalty_rate_percent="36.5", late_fee="25", grace_days=3,
                       day_count="actual/365")  # fmt: skip
    ok(api.post("/products", json=product, headers=ADMIN), 201)
    cob(api, DISBURSED)
    return disbursed_loan(api, on=str(DISBURSED))


def events(api: TestClient, loan_id: str) -> list[tuple[str, date]]:
    """(type, value date) of the loan's events after its disbursement."""
    app = runtime_of(api).app
    recorded = app.events_of(UUID(loan_id))
    start = next(i for i, e in enumerate(recorded) if isinstance(e, Loan.Disbursed))
    return [(type(e).__name__, e.value_date) for e in recorded[start + 1 :]]


def charged(api: TestClient, loan_id: str) -> list[tuple[str, Decimal, date]]:
    loan = stored_loan(api, loan_id)
    return [(c.id, c.amount, c.value_date) for c in sorted(
        loan.charges.values(), key=lambda c: (c.value_date, c.id))]  # fmt: skip


def test_fees_and_penalty_fall_due_across_a_leap_month_end(db_url: str, tmp_path: Path) -> None:
    with client(opened_on(db_url, tmp_path, date(2027, 12, 1))) as api:
        loan = penalised_loan(api)
        p1, p2 = (i.principal for i in stored_loan(api, loan["id"]).schedule.installments[:2])
        done = cob(api, date(2028, 3, 5))

        february = cents(p1 * DAILY * 29)  # 1-29 February on installment 1's principal
        assert charged(api, loan["id"]) == [
            ("late-fee:1", FEE, date(2028, 2, 4)),
            ("penalty:1:2028-02-29", february, FEB_29),
            ("late-fee:2", FEE, date(2028, 3, 4)),
        ]
        # Events only on the days something happened: never one a day.
        assert events(api, loan["id"]) == [
            ("DelinquencyChanged", date(2028, 2, 1)),
            ("ChargesRecorded", date(2028, 2, 4)),
            ("ChargesRecorded", FEB_29),
            ("DelinquencyChanged", date(2028, 3, 2)),
            ("ChargesRecorded", date(2028, 3, 4)),
        ]
        query = """query($id: ID!) { loan(id: $id) { daysPastDue classification
            outstandingFees outstandingPenalty } arrears { nodes { daysPastDue bucket
            classification overdueFees overduePenalty } } }"""
        data = graphql(api, query, ANALYST, {"id": loan["id"]}, done["position"])["data"]
        assert data["loan"] == {
            "daysPastDue": 34, "classification": "SPECIAL_MENTION",
            "outstandingFees": "50.00", "outstandingPenalty": str(february),
        }  # fmt: skip
        assert data["arrears"]["nodes"] == [{
            "daysPastDue": 34, "bucket": "DPD_31_60", "classification": "SPECIAL_MENTION",
            "overdueFees": "50.00", "overduePenalty": str(february)}]  # fmt: skip
        assert p2 > 0


def test_the_amount_payable_is_the_same_before_and_after_close_of_business_reaches_it(
    db_url: str, tmp_path: Path
) -> None:
    with client(opened_on(db_url, tmp_path, date(2027, 12, 1))) as api:
        loan = penalised_loan(api)
        cob(api, date(2028, 2, 10))
        query = 'query($id: ID!) { loan(id: $id) { payoffAmount(asOf: "2028-03-20") } }'
        before = graphql(api, query, ANALYST, {"id": loan["id"]})["data"]["loan"]
        done = cob(api, date(2028, 3, 20))
        after = graphql(api, query, ANALYST, {"id": loan["id"]}, done["position"])["data"]["loan"]
        assert before == after

        installments = stored_loan(api, loan["id"]).schedule.installments
        p1, p2 = installments[0].principal, installments[1].principal
        february = cents(p1 * DAILY * 29)
        # 1-20 March, each installment's penalty rounded on its own (1's with February's
        # remainder carried).
        march = cents(p1 * DAILY * 29 - february + p1 * DAILY * 20) + cents(p2 * DAILY * 20)
        # Installment 3 (29 Feb to 31 Mar): interest accrued for 20 of its 31 days.
        accrued = cents(installments[2].interest * 20 / 31)
        due = sum((i.principal + i.interest for i in installments[:2]), Decimal(0))
        rest = sum((i.principal for i in installments[2:]), Decimal(0))
        expected = due + 2 * FEE + february + march + rest + accrued
        assert Decimal(after["payoffAmount"]) == expected


def test_a_backdated_payment_takes_back_the_fee_and_cures_the_loan(
    db_url: str, tmp_path: Path
) -> None:
    with client(opened_on(db_url, tmp_path, date(2027, 12, 1))) as api:
        loan = penalised_loan(api)
        cob(api, date(2028, 2, 10))
        assert [c[0] for c in charged(api, loan["id"])] == ["late-fee:1"]

        first = stored_loan(api, loan["id"]).schedule.installments[0]
        penalty = cents(first.principal * DAILY * 2)  # 1 and 2 February: within grace
        body = {
            "loan_id": loan["id"], "amount": str(first.total + penalty),
            "value_date": "2028-02-02", "channel": "bank", "external_reference": "LATE-1",
        }  # fmt: skip
        paid = ok(api.post("/repayments", json=body, headers=OFFICER), 201)

        assert charged(api, loan["id"]) == [("penalty:1:2028-02-02", penalty, date(2028, 2, 2))]
        app = runtime_of(api).app
        allocated = app.events_of(UUID(loan["id"]))[-2]
        assert isinstance(allocated, Loan.RepaymentAllocated)
        assert [c.id for c in allocated.change.uncharged] == ["late-fee:1"]
        assert events(api, loan["id"])[-1] == ("DelinquencyChanged", date(2028, 2, 10))
        query = "query($id: ID!) { loan(id: $id) { daysPastDue outstandingFees } }"
        data = graphql(api, query, ANALYST, {"id": loan["id"]}, paid["position"])["data"]
        assert data["loan"] == {"daysPastDue": 0, "outstandingFees": "0.00"}


def test_closing_a_day_twice_records_nothing_the_second_time(db_url: str, tmp_path: Path) -> None:
    with client(opened_on(db_url, tmp_path, date(2027, 12, 1))) as api:
        loan = penalised_loan(api)
        cob(api, date(2028, 2, 29))
        app = runtime_of(api).app
        again = stored_loan(api, loan["id"])
        again.close_day(actor="admin.wu", on=FEB_29)
        assert again.pending_events == []
        assert cob(api, FEB_29)["days_closed"] == 0
        assert len(app.events_of(UUID(loan["id"]))) == again.version
