"""A store an earlier version of the service wrote, and the answers that version gave.

`tests/fixtures/store_787c842/` holds the events (and snapshots) of the demo portfolio
(12 borrowers, seed 5) and a cohort of six fresh loans lived through 35 days of close
of business (late fees, penalty interest, a reversal, a payoff), written by commit
787c842, the last before the read side moved to one `loan_books` read model. Beside
them, `answers.json`: what that commit's read models and GraphQL answered on that
store. A later version must load those events, rebuild its read models from them and
answer the same.

To write the fixture again (on the commit the store stands for):
    .venv/bin/python -m tests.support.old_store DIR
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
from fastapi.testclient import TestClient

from application.calendar import business_date
from application.close_of_business import close_of_business
from infrastructure.runtime import Runtime
from tests.support.api import AUDITOR, graphql
from tests.support.old_events import forget_chain
from tests.support.settings import suite_settings

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "store_787c842"
STORE_TABLES = ("lending_events", "lending_snapshots")
BORROWERS, SEED, DAYS = 12, 5, 35

# The analysts' tables, compared row by row. `arrears.next_delinquency_change` is left
# out: it is when close of business looks next, which a store without recorded timing
# answers "at once" until the loan is reviewed.
TABLES = {
    "loans": "SELECT * FROM loans ORDER BY id",
    "repayments": "SELECT * FROM repayments ORDER BY id",
    "installments": "SELECT * FROM installments ORDER BY loan_id, number",
    "arrears": """SELECT loan_id, position, active, oldest_unpaid_due_date, days_past_due,
        bucket, classification, delinquency_since, late_fee_lag, accrues_penalty
        FROM arrears ORDER BY loan_id""",
    "arrears_installments": "SELECT * FROM arrears_installments ORDER BY loan_id, number",
    "arrears_history": "SELECT * FROM arrears_history ORDER BY loan_id, valid_from",
    "arrears_history_installments": """SELECT * FROM arrears_history_installments
        ORDER BY loan_id, valid_from""",
    "portfolio_loans": "SELECT * FROM portfolio_loans ORDER BY loan_id",
}

MONEY = """principal disbursedAmount disbursedOn outstandingPrincipal outstandingInterest
    outstandingFees outstandingPenalty creditBalance principalRepaid interestRepaid"""
LOAN = f"""id status {MONEY} nextDueDate maturityDate version daysPastDue classification
    payoffAmount schedule {{ totalPrincipal totalInterest totalPayable installments {{
        number dueDate principal interest fee penalty total balanceAfter paidPrincipal
        paidInterest paidFee paidPenalty status }} }}
    repayments {{ id amount valueDate status principal interest fee penalty credit
        reversalReason }}"""
ARREARS = """query($asOf: Date, $bucket: DelinquencyBucket) {
    arrears(asOf: $asOf, bucket: $bucket, first: 100) { nodes { loanId daysPastDue bucket
        classification overduePrincipal overdueInterest overdueFees overduePenalty } } }"""
PORTFOLIO = """query($asOf: Date, $by: [PortfolioDimension!]) {
    portfolio(asOf: $asOf, groupBy: $by) { product region officer borrowerKind
        disbursementMonth classification loanCount disbursedAmount outstandingPrincipal
        collectedAmount par30 par90 nplRatio } }"""
OVERVIEW = """{ businessDate
    loans(first: 100) { nodes { id } }
    upcomingInstallments(withinDays: 60, first: 100) { nodes { loanId number dueDate
        amountDue } }
    collectionQueue(first: 100) { nodes { loanId daysPastDue bucket classification
        outstandingPrincipal overdueAmount } }
    riskWarnings(first: 100) { nodes { rule severity status subject threshold raisedOn
        detail } } }"""
PER_LOAN = f"""query($id: ID!) {{ loan(id: $id) {{ {LOAN} }}
    delinquencyHistory(loanId: $id) {{ on daysPastDue bucket classification actor }}
    loanHistory(id: $id) {{ version type valueDate actor }} }}"""
BUCKETS = ("CURRENT", "DPD_1_30", "DPD_31_60", "DPD_61_90", "DPD_91_180", "DPD_OVER_180")
DIMENSIONS = ("PRODUCT", "REGION", "OFFICER", "BORROWER_KIND", "DISBURSEMENT_MONTH",
              "CLASSIFICATION")  # fmt: skip


def write_store(url: str, data_dir: Path) -> None:
    """The demo portfolio, then a cohort of fresh loans lived through `DAYS` days of close
    of business: paid on time, paid late, never paid, paid and reversed, paid off early."""
    runtime = Runtime.open(suite_settings(url, data_dir))
    try:
        position = runtime.load_demo(BORROWERS, seed=SEED)
        runtime.projections.wait(position, timeout=300)
        app = runtime.app
        start = business_date(app)
        loans = cohort(app, start - timedelta(days=31))

        def run_to(day: date) -> None:
            runtime.projections.wait(runtime.projections.head(), timeout=300)
            close_of_business(app, "admin.wu", day, runtime.close_of_business_steps())

        run_to(start + timedelta(days=1))
        pay(app, loans[0], "1066.19", start, "OLD-0")  # on time
        pay(app, loans[3], "500.00", start, "OLD-3A")  # part
        paid = pay(app, loans[4], "1066.19", start, "OLD-4")
        pay(app, loans[5], "12200.00", start, "OLD-5")  # paid off early
        run_to(start + timedelta(days=12))
        pay(app, loans[1], "1200.00", start + timedelta(days=12), "OLD-1")  # late
        reverse(app, paid)
        run_to(start + timedelta(days=DAYS))
        runtime.projections.wait(runtime.projections.head(), timeout=300)
    finally:
        runtime.close()


def cohort(app: Any, on: date) -> list[Any]:
    """Six monthly annuities of 12,000 at 12% over 12 months, disbursed `on`, on a product
    with a late fee after 3 days' grace and penalty interest (the old code's API)."""
    from decimal import Decimal

    from application.loans import SubmitApplication, disburse, sign, submit_application
    from application.products import DefineProduct, define_product
    from domain.loan import Disbursement
    from domain.product import ProductTerms
    from domain.schedule import Frequency, Method
    from tests.support.portfolio import OFFICER, register
    from tests.support.signing import signed_through

    terms = ProductTerms(
        name="Fixture loan", currency="CNY", min_principal=Decimal("1000"),
        max_principal=Decimal("100000"), min_term=1, max_term=36,
        frequencies=(Frequency.MONTHLY,), methods=(Method.EQUAL_INSTALLMENTS,),
        min_rate_percent=Decimal("1"), max_rate_percent=Decimal("24"),
        penalty_rate_percent=Decimal("18"), late_fee=Decimal("50"), grace_days=3,
    )  # fmt: skip
    define_product(app, DefineProduct("admin.wu", "FIXTURE-12", terms))
    loans = []
    for n in range(6):
        command = SubmitApplication(
            actor=OFFICER, borrower_id=register(app, 9000 + n), product_code="FIXTURE-12",
            principal=Decimal("12000.00"), term=12, frequency=Frequency.MONTHLY,
            method=Method.EQUAL_INSTALLMENTS, purpose="fixture",
            annual_rate_percent=Decimal("12"),
        )  # fmt: skip
        loan_id = submit_application(app, command).id
        signed_through(app, loan_id)
        sign(app, OFFICER, loan_id, on)
        disburse(app, OFFICER, loan_id, Disbursement(
            value_date=on, account="6222021234567890123", channel="bank", reference=f"F-{n}"
        ))  # fmt: skip
        loans.append(loan_id)
    return loans


def pay(app: Any, loan_id: Any, amount: str, on: date, reference: str) -> Any:
    from decimal import Decimal

    from application.repayments import ReceiveRepayment, receive_repayment

    command = ReceiveRepayment(
        actor="officer.zhang", loan_id=loan_id, amount=Decimal(amount), value_date=on,
        channel="bank", external_reference=reference,
    )  # fmt: skip
    return receive_repayment(app, command).id


def reverse(app: Any, repayment_id: Any) -> None:
    from application.repayments import reverse_repayment

    reverse_repayment(app, "officer.zhang", repayment_id, "the bank returned it")


def dump(url: str, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        for table in STORE_TABLES:
            with (
                (directory / f"{table}.copy").open("wb") as out,
                cursor.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy,
            ):
                for chunk in copy:
                    out.write(chunk)


# The columns the fixture's commit stored; later columns are left for the chain's start.
STORE_COLUMNS = {
    "lending_events": "(originator_id, originator_version, topic, state, notification_id)",
    "lending_snapshots": "(originator_id, originator_version, topic, state)",
}


def restore(url: str, directory: Path) -> None:
    """Load the stored events into a store whose tables exist and are empty, and leave it
    as that commit left it: with no hash chain started (the next start begins it)."""
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        for table in STORE_TABLES:
            columns = STORE_COLUMNS[table]
            with cursor.copy(f"COPY {table} {columns} FROM STDIN (FORMAT binary)") as copy:
                copy.write((directory / f"{table}.copy").read_bytes())
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('lending_events', 'notification_id'),"
            " (SELECT max(notification_id) FROM lending_events))"
        )
        forget_chain(cursor)
        # Its events are encrypted with the master key itself, as that commit did.
        cursor.execute("TRUNCATE lending_data_keys")


def answers(api: TestClient, url: str) -> dict[str, Any]:
    """What the service answers on the store: tables, lists and each loan."""
    found: dict[str, Any] = {"tables": {}, "graphql": {}}
    with psycopg.connect(url) as conn:
        for name, query in TABLES.items():
            cursor = conn.execute(query)
            columns = [column.name for column in cursor.description or ()]
            found["tables"][name] = [dict(zip(columns, map(str, row), strict=True))
                                     for row in cursor.fetchall()]  # fmt: skip
    ask = found["graphql"]
    overview = data(api, OVERVIEW)
    ask["overview"] = overview
    today = date.fromisoformat(overview["businessDate"])
    days = [today - timedelta(days=n) for n in (0, 1, 10, 30, 60, 120)]
    for day in days:
        ask[f"arrears {day}"] = data(api, ARREARS, {"asOf": str(day)})
        for by in DIMENSIONS:
            ask[f"portfolio {day} {by}"] = data(api, PORTFOLIO, {"asOf": str(day), "by": [by]})
    ask["arrears now"] = data(api, ARREARS)
    for bucket in BUCKETS:
        ask[f"arrears {bucket}"] = data(api, ARREARS, {"bucket": bucket})
        earlier = {"asOf": str(days[2]), "bucket": bucket}
        ask[f"arrears {days[2]} {bucket}"] = data(api, ARREARS, earlier)
    ask["portfolio now"] = data(api, PORTFOLIO)
    for node in overview["loans"]["nodes"]:
        ask[f"loan {node['id']}"] = data(api, PER_LOAN, {"id": node["id"]})
    return found


def data(api: TestClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    body = graphql(api, query, AUDITOR, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


def main(directory: Path) -> None:  # pragma: no cover - run by hand, on the old commit
    import json
    import tempfile

    from tests.support.api import client
    from tests.support.database import as_url, new_database

    server = "postgresql://postgres@127.0.0.1:5432/postgres"
    with new_database(server, "old_store") as conninfo, tempfile.TemporaryDirectory() as tmp:
        url = as_url(conninfo)
        write_store(url, Path(tmp) / "data")
        dump(url, directory)
        with client(suite_settings(url, Path(tmp) / "data")) as api:
            api.app.state.runtime.projections.wait(  # type: ignore[attr-defined]
                api.app.state.runtime.projections.head(),
                timeout=300,  # type: ignore[attr-defined]
            )
            (directory / "answers.json").write_text(
                json.dumps(answers(api, url), indent=1, sort_keys=True, ensure_ascii=False)
            )


if __name__ == "__main__":  # pragma: no cover
    main(Path(sys.argv[1]))
