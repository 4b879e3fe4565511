"""Scorecards: one application scores in under 5 ms; 100,000 rows train in under 60 s."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from application.scorecard import Activate, Publish, activate, publish, score
from infrastructure.runtime import Runtime
from infrastructure.scorecard_training import train_file
from tests.benchmarks.baseline import InsertRate, ms, percentile
from tests.support.credit_data import histories, write_csv

RUNS = 500
SCORE_TARGET = 0.005
TRAINING_ROWS = 100_000
TRAINING_TARGET = 60.0


def test_scoring_one_application(
    runtime: Runtime,
    tmp_path: Path,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    app = runtime.app
    book = write_csv(tmp_path / "book.csv", histories(5_000, seed=41))
    published = publish(app, Publish("bench", train_file(book, "status").model))
    activate(app, Activate("bench", published.version))
    applicants = [
        {k: v for k, v in row.items() if k != "status"} for row in histories(RUNS, seed=42)
    ]
    baseline = insert_baseline(1, 2.0)
    timings = []
    for features in applicants:
        began = time.perf_counter()
        scored = score(app, features)
        timings.append(time.perf_counter() - began)
        assert scored.version == 2
    median = statistics.median(timings)
    report(
        "scorecard_score",
        f"{ms(median)} median of {RUNS}, p99 {ms(percentile(timings, 0.99))}, "
        f"best {ms(min(timings))} (loads the active model, then scores)",
        baseline.per_insert(),
        median / baseline.round_trip,
        f"< {SCORE_TARGET * 1000:g} ms",
        median < SCORE_TARGET,
    )
    assert median < 0.1, "scoring is badly broken"


@pytest.mark.timeout(300)
def test_training_on_100000_rows(
    runtime: Runtime,
    tmp_path: Path,
    insert_baseline: Callable[[int, float], InsertRate],
    report: Callable[..., str],
) -> None:
    book = write_csv(tmp_path / "book.csv", histories(TRAINING_ROWS, seed=43))
    baseline = insert_baseline(1, 2.0)
    began = time.perf_counter()
    trained = train_file(book, "status")
    version = publish(runtime.app, Publish("bench", trained.model)).version
    elapsed = time.perf_counter() - began
    metrics = trained.model.metrics
    assert metrics is not None
    # Compared with inserting the same rows one per transaction at the baseline's rate.
    inserting = TRAINING_ROWS / baseline.rate
    report(
        "scorecard_train_100k",
        f"{elapsed:.2f} s to read, bin, fit, measure and publish {TRAINING_ROWS} rows "
        f"(held-out AUC {metrics.auc})",
        f"{baseline.per_second()}, i.e. {inserting:.1f} s for {TRAINING_ROWS} rows",
        elapsed / inserting,
        f"< {TRAINING_TARGET:g} s",
        elapsed < TRAINING_TARGET,
    )
    assert version == 2
    assert metrics.auc >= 0.75
    assert elapsed < 10 * TRAINING_TARGET, "training is badly broken"
