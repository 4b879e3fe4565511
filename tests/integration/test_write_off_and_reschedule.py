"""Write-off and reschedule over REST, with the figures checked independently."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from fastapi.testclient import TestClient

from domain.loan import LoanStatus
from tests.support.api import OFFICER, stored_loan
from tests.support.catalog import APPROVER, disbursed_loan, ok, pay

CENT = Decimal("0.01")


def test_write_off_records_what_was_owed_and_later_payments_recover(api: TestClient) -> None:
    loan = disbursed_loan(api)
    pay(api, loan["id"], "1066.19", "2026-02-28", "P1")
    ok(
        api.post(
            f"/loans/{loan['id']}/write-off",
            json={"value_date": "2026-03-31", "reason": "absconded"},
            headers=APPROVER,
        )
    )
    written = stored_loan(api, loan["id"])
    assert written.status is LoanStatus.WRITTEN_OFF
    assert written.written_off is not None
    # After the first installment: 12000 - (1066.19 - 120.00) = 11053.81 principal owed;
    # the March installment's interest, 1% of that balance, is due on the write-off date.
    assert written.written_off.principal == Decimal("11053.81")
    assert written.written_off.interest == (Decimal("11053.81") * Decimal("0.01")).quantize(
        CENT, ROUND_HALF_EVEN
    )
    pay(api, loan["id"], "200.00", "2026-04-15", "RECOVERY")
    recovered = stored_loan(api, loan["id"])
    assert recovered.status is LoanStatus.WRITTEN_OFF
    books = recovered.balances
    assert books is not None
    assert books.outstanding.total == 0  # written off: nothing left on the books
    assert books.written_off == written.written_off
    assert books.recovered is not None
    assert books.recovered.total == Decimal("200.00")
    again = api.post(
        f"/loans/{loan['id']}/write-off",
        json={"value_date": "2026-04-30", "reason": "x"},
        headers=APPROVER,
    )
    assert again.status_code == 409


def test_reschedule_spreads_the_remaining_principal_over_the_new_term(api: TestClient) -> None:
    loan = disbursed_loan(api)
    pay(api, loan["id"], "1066.19", "2026-02-28", "P1")
    body = {
        "from_date": "2026-02-28",
        "new_term": 22,
        "new_rate_percent": "9",
        "reason": "harvest failed",
    }
    ok(api.post(f"/loans/{loan['id']}/reschedule", json=body, headers=APPROVER))
    loan_now = stored_loan(api, loan["id"])
    assert loan_now.schedule is not None
    items = loan_now.schedule.installments
    assert len(items) == 23
    assert items[0].due_date == date(2026, 2, 28)
    assert items[1].due_date == date(2026, 3, 31)  # the loan's month ends, not the 28th
    assert sum(i.principal for i in items) == Decimal("12000.00")
    # 11053.81 over 22 months at 0.75% a month: P * r / (1 - (1 + r) ** -n).
    r = Decimal("0.0075")
    level = (Decimal("11053.81") * r / (1 - (1 + r) ** -22)).quantize(CENT, ROUND_HALF_EVEN)
    assert items[1].total == level
    assert loan_now.annual_rate_percent == Decimal("9")
    assert loan_now.balances is not None
    assert loan_now.balances.outstanding.principal == Decimal("11053.81")


def test_reschedule_outside_the_product_rate_or_without_changes_is_refused(api: TestClient) -> None:
    loan = disbursed_loan(api)
    path = f"/loans/{loan['id']}/reschedule"
    high = api.post(
        path,
        json={"from_date": "2026-02-28", "new_rate_percent": "40", "reason": "x"},
        headers=APPROVER,
    )
    assert high.json()["errors"][0]["field"] == "new_rate_percent"
    nothing = api.post(path, json={"from_date": "2026-02-28", "reason": "x"}, headers=APPROVER)
    assert nothing.status_code == 422
    late = api.post(
        path, json={"from_date": "2027-06-01", "new_term": 3, "reason": "x"}, headers=APPROVER
    )
    assert late.json()["errors"][0]["field"] == "from_date"
    assert (
        api.post(
            path, json={"from_date": "2026-02-28", "new_term": 3, "reason": "x"}, headers=OFFICER
        ).status_code
        == 403
    )
