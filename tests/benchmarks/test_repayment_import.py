"""A repayment file through `import_repayments`: rows a second, and a second run of the
same file (which writes nothing), against raw single-row inserts in the same run. One row
of the 10,000 is bad (dated after the business date): the other 9,999 land."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import pytest

from application.repayment_files import ImportRepayments, RepaymentRow, RowStatus
from application.repayment_files import import_repayments as import_file
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.benchmarks.baseline import InsertRate
from tests.support.portfolio import disbursed_loans

LOANS = 500
ROWS = 10_000
BAD = 4_321  # the line dated after the business date
TARGET_PER_SECOND = 2_000
PAID_ON = date(2026, 2, 15)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"opening_date": PAID_ON})


@pytest.mark.timeout(1800)
def test_a_repayment_file(
    runtime: Runtime,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    loans = disbursed_loans(runtime.app, LOANS)
    rows = [
        RepaymentRow(n, str(loans[n % LOANS]), "1.00", PAID_ON.isoformat(), "bank", f"IMP-{n}")
        for n in range(1, ROWS + 1)
    ]
    rows[BAD - 1] = RepaymentRow(BAD, str(loans[0]), "1.00", "2026-03-01", "bank", f"IMP-{BAD}")
    baseline = insert_baseline(1, 2.0)
    began = time.perf_counter()
    first = import_file(runtime.app, ImportRepayments("officer.zhang", rows))
    landed = time.perf_counter() - began
    head = runtime.projections.head()
    began = time.perf_counter()
    second = import_file(runtime.app, ImportRepayments("officer.zhang", rows))
    again = time.perf_counter() - began
    refused = [(r.line, r.field) for r in first if r.status is RowStatus.REFUSED]
    assert refused == [(BAD, "value_date")]
    assert sum(r.status is RowStatus.RECEIVED for r in first) == ROWS - 1
    assert sum(r.status is RowStatus.ALREADY_RECEIVED for r in second) == ROWS - 1
    assert runtime.projections.head() == head  # the second run wrote nothing
    rate = ROWS / landed
    report(
        "repayment file import (in process, 100 rows to a transaction)",
        f"{rate:.0f} rows/s ({ROWS} rows over {LOANS} loans in {landed:.1f} s); the same file"
        f" again {ROWS / again:.0f} rows/s, writing nothing",
        f"{baseline.rate:.0f} inserts/s",
        rate / baseline.rate,
        f">= {TARGET_PER_SECOND} rows/s",
        rate >= TARGET_PER_SECOND,
    )
