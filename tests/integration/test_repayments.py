"""Repayments over REST: allocation, idempotency, backdating, reversal, closing."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.loan import LoanStatus
from tests.support.api import OFFICER, runtime_of, stored_loan
from tests.support.catalog import disbursed_loan, ok, repay
from tests.support.people import LI_MING_ID, wang_fang

# 12,000 at 12% a year, monthly over 12 months from 2026-01-31:
# level installment 12000 * 0.01 / (1 - 1.01**-12) = 1066.1854 -> 1066.19.
FIRST_DUE = "2026-02-28"


def test_an_on_time_installment_pays_interest_then_principal(api: TestClient) -> None:
    loan = disbursed_loan(api)
    receipt = ok(repay(api, loan["id"], "1066.19", FIRST_DUE, "T-1"), 201)
    recorded = stored_loan(api, loan["id"])
    (result,) = recorded.results.values()
    split = {a.component.value: a.amount for a in result.allocations}
    assert split == {"interest": Decimal("120.00"), "principal": Decimal("946.19")}
    assert recorded.balances is not None
    assert recorded.balances.outstanding.principal == Decimal("11053.81")
    assert receipt["id"] == str(result.payment_id)


def test_a_repeated_notification_returns_the_same_repayment_and_writes_nothing(
    api: TestClient,
) -> None:
    loan = disbursed_loan(api)
    first = ok(repay(api, loan["id"], "500.00", FIRST_DUE, "DUP-7"), 201)
    again = ok(repay(api, loan["id"], "500.00", FIRST_DUE, "DUP-7"), 200)
    assert again["id"] == first["id"]
    assert again["position"] == 0
    assert len(stored_loan(api, loan["id"]).payments) == 1
    different = repay(api, loan["id"], "600.00", FIRST_DUE, "DUP-7")
    assert different.status_code == 409


def test_full_repayment_closes_the_loan_and_overpayment_is_credit(api: TestClient) -> None:
    loan = disbursed_loan(api)
    recorded = stored_loan(api, loan["id"])
    assert recorded.schedule is not None
    for item in recorded.schedule.installments:
        amount = item.total + (Decimal("5.00") if item.number == 12 else 0)
        ok(repay(api, loan["id"], str(amount), str(item.due_date), f"I-{item.number}"), 201)
    closed = stored_loan(api, loan["id"])
    assert closed.status is LoanStatus.CLOSED
    assert closed.balances is not None
    assert closed.balances.outstanding.total == 0
    assert closed.balances.credit == Decimal("5.00")
    assert closed.balances.paid.principal == Decimal("12000.00")


def test_a_backdated_payment_reallocates_later_ones_as_if_in_value_date_order(
    api: TestClient,
) -> None:
    loan = disbursed_loan(api)
    ok(repay(api, loan["id"], "1066.19", "2026-03-31", "LATE"), 201)
    ok(repay(api, loan["id"], "1066.19", "2026-02-27", "EARLY"), 201)
    arrived_backwards = stored_loan(api, loan["id"])

    other = disbursed_loan(api, borrower_body=wang_fang(name="Li Ming", id_number=LI_MING_ID))["id"]
    ok(repay(api, other, "1066.19", "2026-02-27", "EARLY-2"), 201)
    ok(repay(api, other, "1066.19", "2026-03-31", "LATE-2"), 201)
    arrived_in_order = stored_loan(api, other)
    assert arrived_backwards.balances == arrived_in_order.balances
    assert arrived_backwards.installments == arrived_in_order.installments


def test_reversal_undoes_a_payment_and_reopens_a_closed_loan(api: TestClient) -> None:
    loan = disbursed_loan(api)
    payoff = stored_loan(api, loan["id"]).payoff_amount(date(2026, 2, 10))
    receipt = ok(repay(api, loan["id"], str(payoff), "2026-02-10", "PAYOFF"), 201)
    assert stored_loan(api, loan["id"]).status is LoanStatus.CLOSED
    ok(
        api.post(
            f"/repayments/{receipt['id']}/reverse", json={"reason": "bounced"}, headers=OFFICER
        )
    )
    reopened = stored_loan(api, loan["id"])
    assert reopened.status is LoanStatus.ACTIVE
    assert reopened.balances is not None
    assert reopened.balances.outstanding.principal == Decimal("12000.00")
    twice = api.post(
        f"/repayments/{receipt['id']}/reverse", json={"reason": "again"}, headers=OFFICER
    )
    assert twice.status_code == 409


def test_bad_repayments_are_refused(api: TestClient) -> None:
    loan = disbursed_loan(api)
    assert repay(api, loan["id"], "0.00", FIRST_DUE, "Z").status_code == 422
    assert repay(api, loan["id"], "1.001", FIRST_DUE, "Z").status_code == 422
    assert (
        repay(api, loan["id"], "10.00", "2025-12-31", "Z").json()["errors"][0]["field"]
        == "value_date"
    )
    missing = repay(api, str(uuid.uuid4()), "10.00", FIRST_DUE, "Z")
    assert missing.json()["errors"][0]["field"] == "loan_id"
    assert repay(api, loan["id"], "10.00", FIRST_DUE, "Z", prepayment="shorter").status_code == 422


@pytest.mark.parametrize("option", ["reduce_installment", "reduce_term"])
def test_a_prepayment_recasts_the_remaining_schedule(
    api: TestClient, db_url: str, option: str
) -> None:
    loan = disbursed_loan(api)
    # On the first due date: the installment (1066.19) and 5,000.00 of principal ahead.
    written = ok(repay(api, loan["id"], "6066.19", FIRST_DUE, "PRE", prepayment=option), 201)
    recast = stored_loan(api, loan["id"])
    assert recast.schedule is not None
    assert recast.balances is not None
    assert recast.balances.outstanding.principal == Decimal("6053.81")  # 11053.81 - 5000
    # The 5,000.00 is shown paid on the current installment (the 2nd); the 6,053.81
    # still owed is recast over the remaining periods from the 2nd one on.
    later = [i for i in recast.schedule.installments if i.number > 1]
    assert sum(i.principal for i in later) == Decimal("11053.81")
    assert recast.installments[2].paid.principal == Decimal("5000.00")
    r, level = Decimal("0.01"), Decimal("1066.19")
    if option == "reduce_installment":
        # Same 11 months, lower installment: 6053.81 * r / (1 - (1 + r) ** -11).
        expected = (Decimal("6053.81") * r / (1 - (1 + r) ** -11)).quantize(Decimal("0.01"))
        assert len(later) == 11
    else:
        # Same installment at most, fewer months: the fewest n whose level payment fits.
        n = next(n for n in range(1, 12) if Decimal("6053.81") * r / (1 - (1 + r) ** -n) <= level)
        expected = (Decimal("6053.81") * r / (1 - (1 + r) ** -n)).quantize(Decimal("0.01"))
        assert len(later) == n
    assert later[1].total == expected
    assert later[0].total == expected + Decimal("5000.00")
    runtime_of(api).projections.wait(written["position"])
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT number, total, paid_principal FROM installments "
            "WHERE loan_id = %s ORDER BY number",
            (loan["id"],),
        ).fetchall()
    assert [(n, total) for n, total, _ in rows] == [
        (i.number, i.total) for i in recast.schedule.installments
    ]
    assert rows[1][2] == Decimal("5000.00")


def test_amounts_keep_the_currency_minor_unit(api: TestClient, db_url: str) -> None:
    loan = disbursed_loan(api)
    written = ok(repay(api, loan["id"], "50", FIRST_DUE, "SMALL"), 201)
    runtime_of(api).projections.wait(written["position"])
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT amount, principal, interest, credit FROM repayments WHERE id = %s",
            (written["id"],),
        ).fetchone()
    assert row is not None
    # 50 pays interest only; every figure reads with two decimals, as money should.
    assert [str(value) for value in row] == ["50.00", "0.00", "50.00", "0.00"]


def test_a_whole_number_principal_is_recorded_to_the_cent(api: TestClient) -> None:
    from tests.support.catalog import applied_loan

    loan = applied_loan(api, principal="12000")
    assert str(stored_loan(api, loan["id"]).principal) == "12000.00"
