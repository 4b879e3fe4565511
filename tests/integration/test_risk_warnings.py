"""Risk warnings raised by close of business: each rule fires once, and not just under.

Loans are disbursed on 2026-01-31 and fall due monthly from 2026-02-28; DPD d is
reached on due date + d days. Every test runs close of business on past the day a
warning was raised and checks it is still there once.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from application.risk import raise_warnings
from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support.api import bearer, client, head, runtime_of
from tests.support.catalog import cob, ok
from tests.support.people import resident_id
from tests.support.risk import (
    borrower,
    installments,
    lent,
    li_ming,
    pay,
    store,
    warnings,
)

OPENED, LENT = date(2026, 1, 1), date(2026, 1, 31)
COLLECTOR = bearer("collector.ma", Role.COLLECTOR)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def raised(api: TestClient, rule: str) -> list[tuple[str, Decimal, str, str]]:
    """(subject, threshold, severity, raisedOn) of the rule's warnings, oldest first."""
    found = warnings(api, head(api), rule)
    return [(w["subject"], Decimal(w["threshold"]), w["severity"], w["raisedOn"])
            for w in reversed(found)]  # fmt: skip


def test_dpd_thresholds_are_each_raised_once_on_the_day_they_are_reached(
    db_url: str, tmp_path: Path
) -> None:
    with client(store(db_url, tmp_path, OPENED)) as api:
        cob(api, LENT)
        loan = lent(api, borrower(api), LENT)
        due = installments(api, loan)[0][0]
        cob(api, due)
        assert raised(api, "DPD_THRESHOLD") == []  # due today is not past due
        cob(api, due + days(29))
        assert raised(api, "DPD_THRESHOLD") == [(loan, 1, "LOW", str(due + days(1)))]
        cob(api, due + days(90))
        cob(api, due + days(120))
        assert raised(api, "DPD_THRESHOLD") == [
            (loan, threshold, severity, str(due + days(threshold)))
            for threshold, severity in ((1, "LOW"), (30, "MEDIUM"), (60, "HIGH"),
                                        (90, "CRITICAL"))
        ]  # fmt: skip


def test_first_payment_default_thirty_days_after_an_unpaid_first_due_date(
    db_url: str, tmp_path: Path
) -> None:
    with client(store(db_url, tmp_path, OPENED)) as api:
        cob(api, LENT)
        unpaid = lent(api, borrower(api), LENT)
        paid_late = lent(api, borrower(api, li_ming()), LENT)
        due, amount = installments(api, paid_late)[0]
        cob(api, due + days(10))
        pay(api, paid_late, amount, due + days(10), "LATE-1")
        cob(api, due + days(29))
        assert raised(api, "FIRST_PAYMENT_DEFAULT") == []
        cob(api, due + days(60))
        assert raised(api, "FIRST_PAYMENT_DEFAULT") == [(unpaid, 30, "HIGH", str(due + days(30)))]
        (warning,) = warnings(api, head(api), "FIRST_PAYMENT_DEFAULT")
        assert f"the first installment, due {due}, still owes {amount}" in warning["detail"]


def test_repeated_late_on_the_second_late_installment_of_the_last_six(
    db_url: str, tmp_path: Path
) -> None:
    with client(store(db_url, tmp_path, OPENED)) as api:
        cob(api, LENT)
        loan = lent(api, borrower(api), LENT)
        (first, first_amount), (second, second_amount), (third, _) = installments(api, loan)[:3]
        cob(api, first + days(5))
        pay(api, loan, first_amount, first + days(5), "LATE-1")
        cob(api, second)
        pay(api, loan, second_amount, second, "ON-TIME-2")
        cob(api, third)
        assert raised(api, "REPEATED_LATE") == []  # one late of the last six
        cob(api, third + days(40))
        assert raised(api, "REPEATED_LATE") == [(loan, 2, "MEDIUM", str(third + days(1)))]


def test_a_broken_promise_is_raised_once_and_a_kept_one_never(db_url: str, tmp_path: Path) -> None:
    with client(store(db_url, tmp_path, OPENED)) as api:
        cob(api, LENT)
        broken = lent(api, borrower(api), LENT)
        kept = lent(api, borrower(api, li_ming()), LENT)
        due = installments(api, broken)[0][0]
        promised = due + days(10)
        cob(api, due + days(5))
        for loan in (broken, kept):
            body = {"kind": "call", "outcome": "promised to pay", "promised_amount": "500.00",
                    "promised_date": str(promised)}  # fmt: skip
            ok(api.post(f"/loans/{loan}/collection-actions", json=body, headers=COLLECTOR), 201)
        cob(api, promised)
        pay(api, kept, Decimal("500.00"), promised, "PROMISE-1")
        cob(api, promised + days(30))
        assert raised(api, "BROKEN_PROMISE") == [(broken, 1, "MEDIUM", str(promised + days(1)))]
        (warning,) = warnings(api, head(api), "BROKEN_PROMISE")
        assert f"promised 500.00 by {promised}, paid 0.00" in warning["detail"]


def test_exposure_above_the_limit_across_a_borrowers_loans(db_url: str, tmp_path: Path) -> None:
    with client(store(db_url, tmp_path, OPENED, exposure_limit=Decimal(20000))) as api:
        cob(api, LENT)
        wang, li = borrower(api), borrower(api, li_ming())
        lent(api, wang, LENT)
        lent(api, li, LENT, principal="20000.00")  # at the limit, not above it
        cob(api, LENT + days(1))
        assert raised(api, "EXPOSURE_LIMIT") == []
        lent(api, wang, LENT + days(1), principal="8000.01")
        cob(api, LENT + days(3))
        assert raised(api, "EXPOSURE_LIMIT") == [(wang, 20000, "HIGH", str(LENT + days(2)))]
        (warning,) = warnings(api, head(api), "EXPOSURE_LIMIT")
        assert (warning["borrowerId"], warning["loanId"]) == (wang, None)
        assert "is 20000.01, above the limit of 20000" in warning["detail"]


def test_concentration_of_a_region_above_its_share(db_url: str, tmp_path: Path) -> None:
    policy = {"concentration_floor": Decimal(0), "region_share": Decimal("0.55"),
              "product_share": Decimal(1)}  # fmt: skip
    with client(store(db_url, tmp_path, OPENED, **policy)) as api:
        cob(api, LENT)
        lent(api, borrower(api), LENT)  # Hubei: 12,000 of 22,000 is 54.55%
        lent(api, borrower(api, li_ming()), LENT, principal="10000.00")
        cob(api, LENT + days(1))
        assert raised(api, "CONCENTRATION") == []
        zhao = li_ming(name="Zhao Lei", id_number=resident_id("11010119900307777"),
                       phone="13700137000", region="Hubei")  # fmt: skip
        lent(api, borrower(api, zhao), LENT + days(1), principal="1000.00")
        cob(api, LENT + days(3))
        share = Decimal("0.55")
        assert raised(api, "CONCENTRATION") == [
            ("region:Hubei", share, "MEDIUM", str(LENT + days(2)))
        ]
        (warning,) = warnings(api, head(api), "CONCENTRATION")
        assert warning["detail"].startswith("region Hubei holds 56.52% of outstanding principal")


def test_a_rerun_after_a_crash_raises_nothing_twice(settings: Settings) -> None:
    with client(settings) as api:  # the books are at 2030-01-01: the loan is long overdue
        loan = lent(api, borrower(api), LENT)
        runtime = runtime_of(api)
        day = date(2030, 1, 2)
        findings = runtime.risk_findings(day, runtime.app.policies.risk)
        # Some warnings of the day are saved, then the process dies; another raises them all.
        assert raise_warnings(runtime.app, "admin.wu", day, findings[:2]) > 0
        rest = raise_warnings(runtime.app, "admin.wu", day, findings)
        assert len(warnings(api, rest)) == len(findings) == 6
        assert raise_warnings(runtime.app, "admin.wu", day, findings) == 0
        cob(api, day + days(1))
        found = warnings(api, head(api))
        assert sorted((w["rule"], Decimal(w["threshold"])) for w in found) == [
            ("DPD_THRESHOLD", 1), ("DPD_THRESHOLD", 30), ("DPD_THRESHOLD", 60),
            ("DPD_THRESHOLD", 90), ("FIRST_PAYMENT_DEFAULT", 30), ("REPEATED_LATE", 2),
        ]  # fmt: skip
        assert {w["raisedOn"] for w in found} == {str(day)}
        assert {w["loanId"] for w in found} == {loan}
