"""A file received a batch to a transaction records what its rows received one at a time
would: the same answers, row for row, and the same books on every loan."""

from __future__ import annotations

import csv
import time
from datetime import date
from itertools import count
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.repayment_files import (
    COLUMNS,
    ImportRepayments,
    RepaymentRow,
    RowStatus,
    import_repayments,
    receive_row,
)
from application.repayments import repayment_id
from domain.loan import Loan
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.support.cli import invoke
from tests.support.portfolio import OFFICER, books, disbursed_loan, disbursed_loans
from tests.support.processes import lending, lending_env

PAID_BY = date(2026, 2, 15)  # the business date
LOANS = 3
UNKNOWN = "9c7f0d6e-0000-4000-8000-000000000000"
# Most rows are good; a few are refused, each for a reason of its own.
GOOD_DATES = ("2026-02-01", "2026-02-10", "2026-02-15")
BAD_DATES = ("2026-01-15", "2026-03-01", "15/02/2026")
DATES = st.one_of(*[st.sampled_from(GOOD_DATES)] * 6, st.sampled_from(BAD_DATES))
AMOUNTS = st.one_of(
    *[st.decimals("0.01", "4000.00", places=2).map(str)] * 6,
    st.sampled_from(["0", "12.345", "1e3", "-5.00"]),
)
LOAN = st.one_of(*[st.integers(0, LOANS - 1)] * 8, st.none())
# (loan: its number, or None for no loan; amount; value date; reference number)
ROWS = st.lists(st.tuples(LOAN, AMOUNTS, DATES, st.integers(0, 9)), min_size=1, max_size=16)
files = count()


@pytest.fixture
def settings_(settings: Settings) -> Settings:
    return settings.model_copy(update={"opening_date": PAID_BY})


@pytest.fixture
def twins(settings_: Settings) -> Any:
    runtime = Runtime.open(settings_)
    yield runtime, disbursed_loans(runtime.app, 2 * LOANS)
    runtime.close()


def row_of(line: int, loan: UUID | None, amount: str, on: str, ref: str) -> RepaymentRow:
    return RepaymentRow(line, str(loan) if loan else UNKNOWN, amount, on, "bank", ref)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(drawn=ROWS)
def test_a_file_received_together_answers_and_books_as_one_row_at_a_time(
    twins: tuple[Runtime, list[UUID]], drawn: list[tuple[int | None, str, str, int]]
) -> None:
    runtime, loans = twins
    app, file = runtime.app, next(files)
    together = [row_of(n, loans[i] if i is not None else None, amount, on, f"B{file}-{ref}")
                for n, (i, amount, on, ref) in enumerate(drawn, 1)]  # fmt: skip
    alone = [row_of(n, loans[LOANS + i] if i is not None else None, amount, on, f"A{file}-{ref}")
             for n, (i, amount, on, ref) in enumerate(drawn, 1)]  # fmt: skip

    found = import_repayments(app, ImportRepayments(OFFICER, together))
    expected = [receive_row(app, ImportRepayments(OFFICER, alone), row) for row in alone]

    assert [(r.line, r.status, r.field) for r in found] == [
        (r.line, r.status, r.field) for r in expected
    ]
    for first, twin in zip(loans[:LOANS], loans[LOANS:], strict=True):
        assert books(app.load(Loan, first, "loan")) == books(app.load(Loan, twin, "loan"))
    again = import_repayments(app, ImportRepayments(OFFICER, together))
    assert all(r.status is not RowStatus.RECEIVED for r in again)


def test_a_file_with_one_bad_row_lands_all_the_others(twins: tuple[Runtime, list[UUID]]) -> None:
    (runtime, _), size = twins, 2_000
    loans = [disbursed_loan(runtime.app, n) for n in range(2 * LOANS, 2 * LOANS + 50)]
    rows = [row_of(n, loans[n % 50], "1.00", "2026-02-10", f"ONE-{n}") for n in range(1, size + 1)]
    rows[1_233] = row_of(1_234, loans[0], "1.00", "2026-03-01", "ONE-1234")
    found = import_repayments(runtime.app, ImportRepayments(OFFICER, rows))
    refused = [(r.line, r.field) for r in found if r.status is RowStatus.REFUSED]
    assert refused == [(1_234, "value_date")]
    assert sum(r.status is RowStatus.RECEIVED for r in found) == size - 1


def test_an_import_killed_part_way_lands_only_the_rest_when_run_again(
    settings_: Settings, tmp_path: Path
) -> None:
    runtime = Runtime.open(settings_)
    app, size = runtime.app, 2_000
    loans = disbursed_loans(app, 100)
    file = tmp_path / "settlement.csv"
    with file.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for n in range(size):
            writer.writerow([loans[n % 100], "1.00", "2026-02-10", "bank", f"KILL-{n}", ""])
    ids = {repayment_id(app, "bank", f"KILL-{n}") for n in range(size)}
    env = lending_env(settings_)
    importing = lending("repayments", "import", str(file), env=env)
    try:
        deadline = time.monotonic() + 120
        while not (landed := len(app.existing(ids))) and time.monotonic() < deadline:
            assert importing.poll() is None, importing.communicate()[0]
        importing.kill()  # SIGKILL, mid-file: some batches committed, the rest not begun
    finally:
        importing.wait()
    assert 0 < landed < size
    landed = len(app.existing(ids))  # what committed before the kill took effect

    again = invoke("repayments", "import", str(file), env=env)
    assert again.returncode == 0, again.stderr
    assert f"{size - landed} received, {landed} already received, 0 refused" in again.stdout
    assert sum(len(app.load(Loan, id_, "loan").payments) for id_ in loans) == size
    runtime.close()
