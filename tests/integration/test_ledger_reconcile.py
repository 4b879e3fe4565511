"""A journal that disagrees with the loan books: `lending reconcile` names it and exits 1,
and the month end records it and raises a critical risk warning."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg
import pytest

from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.books import caught_up, close_through, define, fetch, open_loan
from tests.support.processes import lending_env, run
from tests.support.settings import opened_on


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return opened_on(db_url, tmp_path, date(2026, 1, 15))


def test_a_difference_is_named_and_raises_a_critical_warning_at_the_month_end(
    runtime: Runtime, settings: Settings, db_url: str
) -> None:
    define(runtime)
    runtime.projections.start()
    loan = open_loan(runtime, date(2026, 1, 15))
    caught_up(runtime)
    agreed = run("reconcile", env=lending_env(settings))
    assert agreed.returncode == 0, agreed.stdout + agreed.stderr
    with psycopg.connect(db_url) as conn:  # a journal gone wrong
        conn.execute(
            "UPDATE journal_loan_balances SET balance = balance + 1 WHERE role = 'loans_normal'"
        )
    found = run("reconcile", "--as-of", "2026-01-15", env=lending_env(settings))
    assert found.returncode == 1, found.stdout + found.stderr
    assert f"loan {loan}: loans: journal 12001.00, loan books 12000.00" in found.stdout
    assert "all loans: loans: journal 12001.00, loan books 12000.00" in found.stdout
    close_through(runtime, date(2026, 1, 31))
    caught_up(runtime)
    (warning,) = fetch(db_url, "SELECT rule, severity, detail FROM risk_warnings")
    assert (warning["rule"], warning["severity"]) == ("ledger_difference", "critical")
    assert str(loan) in warning["detail"]
