"""The `risk_warnings` read model over the demo portfolio (a copy of the suite's loaded
demo): its running totals agree with the books, and a rebuild from the events gives the
same tables."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from application import risk
from application.calendar import business_date
from application.close_of_business import CloseOfBusiness, close_of_business
from projections.risk_warnings import RiskWarningsView
from tests.support.database import select
from tests.support.demo import DemoStore

ORDER = {
    "risk_warnings": "position",
    "risk_loans": "loan_id",
    "risk_installments": "loan_id, number",
    "risk_exposures": "borrower_id",
    "risk_concentrations": "dimension, value",
    "risk_broken_promises": "loan_id, action_number",
}


def tables(url: str) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: select(url, f"SELECT * FROM {name} ORDER BY {order}") for name, order in ORDER.items()
    }


def test_totals_agree_with_the_books_and_a_rebuild_changes_nothing(demo_copy: DemoStore) -> None:
    assert set(ORDER) == set(RiskWarningsView.tables)
    runtime, db_url = demo_copy.runtime, demo_copy.url
    app = runtime.app
    runtime.projections.wait(demo_copy.head, timeout=120)
    day = business_date(app) + timedelta(days=1)
    steps = runtime.close_of_business_steps()
    closed = close_of_business(app, CloseOfBusiness("admin.wu", day, steps))
    runtime.projections.wait(closed.written.position)
    raised = select(db_url, "SELECT id FROM risk_warnings ORDER BY position")
    assert len(raised) >= 2  # the demo has late loans
    risk.acknowledge(app, risk.Acknowledge("risk.he", raised[0][0], "looking into it"))
    written = risk.resolve(app, risk.Resolve("risk.he", raised[1][0], "paid at the branch"))
    runtime.projections.wait(written.position)

    assert select(
        db_url,
        """SELECT l.id, l.outstanding_principal FROM loans l
        WHERE l.disbursed_on IS NOT NULL ORDER BY l.id""",
    ) == select(
        db_url,
        """SELECT loan_id,
        outstanding_principal FROM risk_loans WHERE status <> 'submitted' ORDER BY loan_id""",
    )
    assert select(
        db_url,
        """SELECT borrower_id, sum(outstanding_principal) FROM loans
        WHERE disbursed_on IS NOT NULL GROUP BY borrower_id ORDER BY borrower_id""",
    ) == select(db_url, "SELECT * FROM risk_exposures ORDER BY borrower_id")
    assert select(
        db_url,
        """SELECT 'region', region, sum(outstanding_principal) FROM loans
        WHERE disbursed_on IS NOT NULL GROUP BY region ORDER BY region""",
    ) == select(
        db_url, "SELECT * FROM risk_concentrations WHERE dimension = 'region' ORDER BY value"
    )
    assert select(db_url, """SELECT loan_id, oldest_unpaid_due_date FROM arrears WHERE active
        ORDER BY loan_id""") == select(db_url, """SELECT loan_id, oldest_unpaid_due_date
        FROM risk_loans WHERE status = 'active' ORDER BY loan_id""")  # fmt: skip

    incremental = tables(db_url)
    assert runtime.projections.rebuild("risk_warnings") == written.position
    assert tables(db_url) == incremental
    statuses = [row[4] for row in incremental["risk_warnings"][:2]]
    assert statuses == ["acknowledged", "resolved"]
