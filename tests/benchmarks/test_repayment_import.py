"""A repayment file through `import_repayments`: rows a second, and a second run of the
same file (which writes nothing), against raw single-row inserts in the same run."""

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

LOANS = 200
ROWS = 4_000
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
    baseline = insert_baseline(1, 2.0)
    began = time.perf_counter()
    first = import_file(runtime.app, ImportRepayments("officer.zhang", rows))
    landed = time.perf_counter() - began
    began = time.perf_counter()
    second = import_file(runtime.app, ImportRepayments("officer.zhang", rows))
    again = time.perf_counter() - began
    assert {r.status for r in first} == {RowStatus.RECEIVED}
    assert {r.status for r in second} == {RowStatus.ALREADY_RECEIVED}
    rate = ROWS / landed
    report(
        "repayment file import (in process, one row at a time)",
        f"{rate:.0f} rows/s ({ROWS} rows over {LOANS} loans in {landed:.1f} s); the same file"
        f" again {ROWS / again:.0f} rows/s, writing nothing",
        f"{baseline.rate:.0f} inserts/s",
        rate / baseline.rate,
        f">= {TARGET_PER_SECOND} rows/s",
        rate >= TARGET_PER_SECOND,
    )
