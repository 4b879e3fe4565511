"""Each journal entry belongs to one office, its loan's: a branch's trial balance is its
own entries, balances on its own, and the branches' trial balances add up to the book's.

Offices: the head office, branch A with its sub-branch A1, and branch B. Loans of A1, A
and B, and one applied for before offices were (it belongs to the head office, as a
manual entry does). A1's borrower moves to B half way: the loan's later entries stay
with A1, where it was applied for.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from application.accounting import PostManualEntry, post_manual_entry
from application.assignments import TransferBorrower, transfer_borrower
from application.loans import WriteOff, write_off
from application.offices import OpenOffice, head_office, open_office
from application.repayments import (
    ReceiveRepayment,
    ReverseRepayment,
    receive_repayment,
    reverse_repayment,
)
from domain.loan import Loan
from domain.office import HEAD_OFFICE_ID
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from projections.ledger_reports import export_rows
from projections.staff import offices_reached_on
from tests.support.books import caught_up, close_through, define, dump, fetch, open_loan
from tests.support.cli import invoke
from tests.support.processes import lending_env
from tests.support.settings import opened_on

D = Decimal
PAID_OUT = date(2026, 1, 15)
UNTIL = date(2026, 4, 30)
Totals = dict[str, tuple[Decimal, Decimal]]


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return opened_on(db_url, tmp_path, PAID_OUT)


@pytest.fixture
def story(runtime: Runtime) -> dict[str, Any]:
    """The offices' loans, four months on: payments (one backdated, one bounced), month
    ends, a write-off, a manual entry, and a borrower moved from A1 to B."""
    app = runtime.app
    define(runtime)
    runtime.projections.start()
    head_office(app, "admin.wu")

    def office(name: str, parent: UUID = HEAD_OFFICE_ID) -> UUID:
        return open_office(app, OpenOffice("admin.wu", name, parent)).id

    branch_a = office("Branch A")
    offices = {"head": HEAD_OFFICE_ID, "a": branch_a, "a1": office("A1", branch_a),
               "b": office("Branch B")}  # fmt: skip
    loans = {name: open_loan(runtime, PAID_OUT, office=offices[name]) for name in ("a1", "a", "b")}
    loans["old"] = open_loan(runtime, PAID_OUT)

    def pay(loan: str, amount: str, on: date, ref: str) -> UUID:
        command = ReceiveRepayment("collector", loans[loan], D(amount), on, "bank", ref)
        return receive_repayment(app, command).id

    close_through(runtime, date(2026, 2, 20))
    pay("a1", "1066.19", date(2026, 2, 15), "A1-1")
    pay("a1", "300.00", date(2026, 2, 1), "A1-EARLY")  # re-allocates the later one
    bounced = pay("b", "500.00", date(2026, 2, 10), "B-1")
    reverse_repayment(app, ReverseRepayment("officer", bounced, "bounced"))
    borrower = app.load(Loan, loans["a1"], "loan").application.borrower_id
    transfer_borrower(app, TransferBorrower("admin.wu", borrower, offices["b"]))
    close_through(runtime, date(2026, 3, 31))
    pay("a1", "1066.19", date(2026, 3, 20), "A1-2")
    pay("a", "2000.00", date(2026, 3, 25), "A-1")
    write_off(app, WriteOff("approver", loans["old"], date(2026, 3, 31), "absconded"))
    lines = [("6602", D("120.00"), D("0")), ("1002", D("0"), D("120.00"))]
    post_manual_entry(app, PostManualEntry("admin.wu", date(2026, 3, 31), lines, "rent"))
    close_through(runtime, UNTIL)
    caught_up(runtime)
    return {"offices": offices, "loans": loans}


def ledger(runtime: Runtime, office: UUID | None = None, only: bool = False) -> Any:
    """The export's journal lines and trial balance for `office` and those below it
    (`only`: that office alone; None: the whole book)."""
    with runtime.projections.datastore.transaction(commit=False) as cursor:
        offices = [office] if only and office else offices_reached_on(cursor, office)
        return export_rows(cursor, PAID_OUT, UNTIL, offices)


def totals(runtime: Runtime, office: UUID | None = None, only: bool = False) -> Totals:
    return {a.code: (a.debits, a.credits) for a in ledger(runtime, office, only)[1]}


def added(*books: Totals) -> Totals:
    summed: dict[str, list[Decimal]] = defaultdict(lambda: [D(0), D(0)])
    for book in books:
        for code, (debits, credits) in book.items():
            summed[code][0] += debits
            summed[code][1] += credits
    return {code: (debits, credits) for code, (debits, credits) in summed.items()}


def balances(book: Totals) -> bool:
    return sum(d for d, _ in book.values()) == sum(c for _, c in book.values())


def test_each_offices_trial_balance_balances_and_they_add_up_to_the_books(
    runtime: Runtime, story: dict[str, Any]
) -> None:
    offices = story["offices"]
    whole = totals(runtime)
    own = {name: totals(runtime, office, only=True) for name, office in offices.items()}
    for name, book in own.items():
        assert book, name  # every office posted something
        assert balances(book), name
    assert added(*own.values()) == whole
    # An office's subtree is its own entries and those of the offices below it.
    assert totals(runtime, offices["a"]) == added(own["a"], own["a1"])
    assert totals(runtime, offices["a1"]) == own["a1"]
    assert totals(runtime, HEAD_OFFICE_ID) == whole
    lines, _ = ledger(runtime, offices["b"])
    assert lines
    assert {line["office"] for line in lines} == {offices["b"]}
    assert {line["loan_id"] for line in lines} == {story["loans"]["b"]}


def test_entries_stay_with_the_office_the_loan_was_applied_for_in(
    runtime: Runtime, db_url: str, story: dict[str, Any]
) -> None:
    offices, loans = story["offices"], story["loans"]
    rows = fetch(db_url, "SELECT DISTINCT loan_id, office FROM journal_entries")
    found = {row["loan_id"]: row["office"] for row in rows}
    assert len(rows) == len(found)  # one office per loan, after the borrower's transfer too
    assert found == {
        loans["a1"]: offices["a1"], loans["a"]: offices["a"], loans["b"]: offices["b"],
        loans["old"]: HEAD_OFFICE_ID, None: HEAD_OFFICE_ID,
    }  # fmt: skip
    after_transfer = fetch(
        db_url,
        "SELECT count(*) AS n FROM journal_entries WHERE loan_id = %s AND value_date > %s",
        (loans["a1"], date(2026, 2, 20)),
    )
    assert after_transfer[0]["n"] > 0


def test_a_rebuild_equals_the_journal_followed_live_office_for_office(
    runtime: Runtime, db_url: str, story: dict[str, Any]
) -> None:
    live = dump(db_url)
    runtime.projections.rebuild("journal")
    assert dump(db_url) == live
    offices = fetch(db_url, "SELECT DISTINCT office FROM journal_totals")
    assert {row["office"] for row in offices} == set(story["offices"].values())


def test_a_journal_made_before_offices_is_built_again_with_them(
    runtime: Runtime, settings: Settings, db_url: str, story: dict[str, Any]
) -> None:
    live = dump(db_url)
    runtime.projections.stop()
    with psycopg.connect(db_url, autocommit=True) as conn:
        for table in ("journal_entries", "journal_lines", "journal_loans"):
            conn.execute(f"ALTER TABLE {table} DROP COLUMN office")
    upgraded = Runtime.open(settings)
    try:
        upgraded.projections.start()
        caught_up(upgraded)
        assert dump(db_url) == live
    finally:
        upgraded.close()


def test_the_export_of_a_branch_holds_its_entries_and_trial_balance(
    runtime: Runtime, settings: Settings, tmp_path: Path, story: dict[str, Any]
) -> None:
    offices, env = story["offices"], lending_env(settings)
    out = tmp_path / "branch.csv"
    period = ("--from", str(PAID_OUT), "--to", str(UNTIL), "--format", "csv")
    done = invoke("ledger", "export", *period, "--out", str(out),
                  "--office", str(offices["a"]), env=env)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    with (tmp_path / "branch-journal.csv").open(encoding="utf-8") as stream:
        journal = list(csv.DictReader(stream))
    assert {row["office"] for row in journal} == {str(offices["a"]), str(offices["a1"])}
    with (tmp_path / "branch-trial-balance.csv").open(encoding="utf-8") as stream:
        trial = {row["account"]: (D(row["debits"]), D(row["credits"]))
                 for row in csv.DictReader(stream)}  # fmt: skip
    assert trial == totals(runtime, offices["a"])
    unknown = invoke("ledger", "export", *period, "--out", str(out),
                     "--office", str(UUID(int=7)), env=env)  # fmt: skip
    assert unknown.returncode == 2
    assert "--office" in unknown.stdout + unknown.stderr
