"""Where a repayment's time goes: py-spy samples the real server while 8 clients pay.

The server runs as `test_repayments_http` runs it, with py-spy attached to it for the
whole paying window (every thread, idle ones left out). Each sampled stack is put in the
first stage, in the order of `STAGES`, that one of its frames belongs to, and the
report gives each stage's share in µs of work per repayment. The stages are those of a
repayment end to end: HTTP, auth, load, ledger, events, encryption, the lookups' queries,
insert, commit, and the read models' follower.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from tests.benchmarks.baseline import InsertRate
from tests.benchmarks.test_repayments_http import (
    CLIENTS,
    LOANS,
    SECONDS,
    pay_for_a_while,
    running_server,
)
from tests.support.portfolio import disbursed_loans

RATE = 250  # samples a second, per thread

# (stage, what a frame of it contains); the first stage a stack touches takes the sample.
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("follower", ("projections/", "eventsourcing/system.py")),
    ("commit", ("commit (psycopg",)),
    ("encryption", ("cipher.py", "personal_fields.py", "personal_keys.py", "compressor")),
    ("load", ("get (eventsourcing/application.py", "load (application/app.py")),
    ("insert", ("insert_events (", "chain_recorder.py")),
    ("queries", ("psycopg/", "eventsourcing/postgres.py")),
    ("events", ("eventsourcing/persistence.py", "eventsourcing/domain.py", "domain/model.py")),
    ("ledger", ("domain/ledger/", "domain/loan/", "domain/repayment")),
    ("auth", ("interfaces/rest/auth.py", "infrastructure/tokens.py", "jwt/", "sessions")),
    ("http", ("uvicorn/", "starlette/", "fastapi/", "pydantic", "h11/", "anyio/", "orjson")),
)


def stage_of(stack: str) -> str:
    for stage, marks in STAGES:
        if any(mark in stack for mark in marks):
            return stage
    return "other"


def samples_by_stage(raw: Path) -> Counter[str]:
    """py-spy's raw (collapsed) output: `frame;frame;... count` a line."""
    found: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            found[stage_of(stack)] += int(count)
    return found


@pytest.mark.timeout(300)
def test_where_a_repayments_time_goes(
    settings: Settings,
    runtime: Runtime,
    tmp_path: Path,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    assert spy, "py-spy is a dev dependency: make .venv/.installed"
    loans = disbursed_loans(runtime.app, LOANS)
    raw = tmp_path / "samples.txt"
    with running_server(settings, 1) as base_url:
        runtime.projections.wait(runtime.projections.head(), timeout=120)
        baseline = insert_baseline(CLIENTS, SECONDS)
        server = server_pid(base_url)
        recording = subprocess.Popen(
            [spy, "record", "--pid", str(server), "--subprocesses", "--rate", str(RATE),
             "--format", "raw", "--output", str(raw), "--nonblocking",
             "--duration", str(int(SECONDS) + 1)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        paid = pay_for_a_while(base_url, loans, runtime)
        _, errors = recording.communicate(timeout=60)
    assert raw.exists(), f"py-spy wrote nothing: {errors}"
    stages = samples_by_stage(raw)
    repayments = len(paid.latencies)
    per = {stage: count / RATE / repayments * 1e6 for stage, count in stages.items()}
    order = [stage for stage, _ in STAGES] + ["other"]
    breakdown = ", ".join(f"{stage} {per.get(stage, 0.0):,.0f}" for stage in order)
    total = sum(per.values())
    report(
        "repayment_profile",
        f"{total:,.0f} µs of work per repayment at {paid.rate:.1f}/s: {breakdown}",
        baseline.per_second(),
        total / 1e6 * baseline.rate,  # work per repayment, in baseline inserts
    )
    assert stages["ledger"] > 0, stages
    assert stages["http"] > 0, stages


def server_pid(base_url: str) -> int:
    """The pid listening on `base_url`'s port (the uvicorn process itself)."""
    port = base_url.rsplit(":", 1)[1]
    listing = subprocess.run(
        ["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout
    return int(listing.split("pid=", 1)[1].split(",", 1)[0])
