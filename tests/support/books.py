"""Loans driven through the application layer, and the journal read as a finance team
reads it: entries, trial balances, reconciliations and whole-table dumps."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import dict_row

from application.borrowers import RegisterBorrower, register_borrower
from application.close_of_business import CloseOfBusiness, close_of_business
from application.loans import Disburse, Sign, SubmitApplication, disburse, sign, submit_application
from application.month_end import reconcile
from application.products import DefineProduct, define_product
from domain.accounting.reconcile import Difference
from domain.borrower import BorrowerKind, Profile
from domain.loan import Disbursement
from domain.product import ProductTerms
from domain.schedule import Frequency, Method
from infrastructure.runtime import Runtime
from projections.journal_schema import TABLES
from tests.support.people import resident_id
from tests.support.signing import signed_through

D = Decimal
people = itertools.count(1)


def micro_terms(**changes: Any) -> ProductTerms:
    """1,000 to 50,000 over 3 to 12 months at 6-24%, 0.05% a day penalty, 50.00 late fee."""
    return ProductTerms(
        name="Micro", currency="CNY", min_principal=D("1000"), max_principal=D("50000"),
        min_term=3, max_term=12, frequencies=(Frequency.MONTHLY,),
        methods=(Method.EQUAL_INSTALLMENTS, Method.EQUAL_PRINCIPAL),
        min_rate_percent=D("6"), max_rate_percent=D("24"), penalty_rate_percent=D("0.05"),
        late_fee=D("50.00"),
    ).model_copy(update=changes)  # fmt: skip


def define(runtime: Runtime, code: str = "MICRO", **changes: Any) -> None:
    define_product(runtime.app, DefineProduct("admin.wu", code, micro_terms(**changes)))


def open_loan(
    runtime: Runtime,
    on: date,
    principal: Decimal = Decimal("12000.00"),
    term: int = 12,
    code: str = "MICRO",
    rate: Decimal = Decimal("12"),
    method: Method = Method.EQUAL_INSTALLMENTS,
    profile: Profile | None = None,
    office: UUID | None = None,
) -> UUID:
    """A loan on product `code`, approved, signed and paid out on `on`, to a borrower of
    `profile` (a default one), of `office` (None: none recorded)."""
    app = runtime.app
    profile = profile or Profile(
        name="P", phone="13800138000", address="A", region="Hubei", monthly_income=D(30000)
    )
    number = resident_id(f"42010619850312{next(people) % 1000:03d}")
    borrower = register_borrower(
        app, RegisterBorrower("officer", BorrowerKind.INDIVIDUAL, number, profile, office=office)
    )
    command = SubmitApplication("officer", borrower.id, code, principal, term,
                                Frequency.MONTHLY, method, "stock", rate,
                                office=office)  # fmt: skip
    loan = submit_application(app, command).id
    signed_through(app, loan)
    sign(app, Sign("officer", loan, on))
    paid_out = Disbursement(value_date=on, account="1", channel="bank", reference="d")
    disburse(app, Disburse("officer", loan, paid_out))
    return loan


def close_through(runtime: Runtime, day: date) -> None:
    """Close the days up to `day`, as `lending close-of-business` and the REST call do:
    the store's checkpoint is written on `day` only."""
    steps = runtime.close_of_business_steps(until=day)
    close_of_business(runtime.app, CloseOfBusiness("cob", day, steps))


def caught_up(runtime: Runtime) -> None:
    runtime.projections.wait(runtime.projections.head())


def differences(runtime: Runtime, on: date) -> list[Difference]:
    caught_up(runtime)
    return reconcile(runtime.ledger_records.reconcile_facts(on))


def entries(db_url: str, loan_id: UUID | None = None) -> list[tuple[Any, ...]]:
    """(kind, value_date, posting_date, [(account, debit, credit), ...]) per entry, in order."""
    where, params = ("WHERE e.loan_id = %s", (loan_id,)) if loan_id else ("", ())
    rows = fetch(
        db_url,
        f"""SELECT e.id, e.kind, e.value_date, e.posting_date, l.account, l.debit, l.credit
        FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id {where}
        ORDER BY e.position, e.seq, l.line""",
        params,
    )
    found: dict[str, tuple[Any, ...]] = {}
    for row in rows:
        lines = found.setdefault(
            row["id"], (row["kind"], row["value_date"], row["posting_date"], [])
        )[3]
        lines.append((row["account"], str(row["debit"]), str(row["credit"])))
    return list(found.values())


def trial_balance(db_url: str, on: date) -> dict[str, Decimal]:
    """Each account's balance (debits less credits) on `on`, by posting date."""
    rows = fetch(
        db_url,
        """SELECT account, sum(debits - credits) AS balance FROM journal_totals
        WHERE posting_date <= %s GROUP BY account HAVING sum(debits - credits) <> 0""",
        (on,),
    )
    return {row["account"]: row["balance"] for row in rows}


def office_trial_balances(db_url: str, on: date) -> dict[UUID, dict[str, Decimal]]:
    """`trial_balance` of each office's own entries."""
    rows = fetch(
        db_url,
        """SELECT office, account, sum(debits - credits) AS balance FROM journal_totals
        WHERE posting_date <= %s GROUP BY office, account""",
        (on,),
    )
    found: dict[UUID, dict[str, Decimal]] = {}
    for row in rows:
        found.setdefault(row["office"], {})[row["account"]] = row["balance"]
    return found


def unbalanced_entries(db_url: str) -> list[Any]:
    return fetch(
        db_url,
        """SELECT entry_id FROM journal_lines GROUP BY entry_id
        HAVING sum(debit) <> sum(credit) OR count(*) < 2""",
    )


def dump(db_url: str) -> list[list[tuple[Any, ...]]]:
    """Every journal table's rows, in a fixed order, as text: what a rebuild must equal."""
    with psycopg.connect(db_url) as conn:
        return [
            conn.execute(f"SELECT t::text FROM {table} t ORDER BY t::text").fetchall()
            for table in TABLES
        ]


def fetch(db_url: str, query: str, params: tuple[Any, ...] = ()) -> list[Any]:
    with psycopg.connect(db_url, row_factory=dict_row) as conn:
        return conn.execute(query, params).fetchall()  # type: ignore[arg-type]


def postings(db_url: str, loan_id: UUID) -> list[tuple[str, str, str]]:
    """(posting date, kind, "Dr 130101 12000.00; Cr 1002 12000.00") per entry of the loan."""
    return [
        (str(posted), kind, "; ".join(
            f"Dr {account} {debit}" if debit != "0.00" else f"Cr {account} {credit}"
            for account, debit, credit in lines))
        for kind, _, posted, lines in entries(db_url, loan_id)
    ]  # fmt: skip
