"""Benchmarks measure a raw PostgreSQL baseline in the same run and report ours as a ratio.

The machines are shared and noisy, so an absolute number alone says little. Every
benchmark also times single-row INSERTs (each its own transaction) against the same
server and database, and reports one `BENCH` line with both and their ratio; the
lines are printed together at the end of the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.benchmarks.baseline import InsertRate, measure_insert_rate
from tests.benchmarks.seed import seeded_copy

LINES = pytest.StashKey[list[str]]()


@pytest.fixture(scope="module")
def seeded(database_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh copy of the 100,000-loan store (tests/benchmarks/seed.py) for the module."""
    with seeded_copy(database_server, tmp_path_factory.mktemp("seed")) as url:
        yield url


@pytest.fixture
def insert_baseline(session_database: str) -> Callable[[int, float], InsertRate]:
    """Measure raw inserts into this run's database: `insert_baseline(clients, seconds)`."""

    def measure(clients: int, seconds: float) -> InsertRate:
        return measure_insert_rate(session_database, clients, seconds)

    return measure


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Callable[..., str]:
    """Record one BENCH line (ours | baseline | ratio | target) for the end-of-run summary."""

    def line(
        name: str,
        ours: str,
        baseline: str,
        ratio: float,
        target: str | None = None,
        met: bool = True,
    ) -> str:
        text = f"BENCH {name}: {ours} | {baseline} | ratio {ratio:.3f}"
        if target is not None:
            text += f" | target {target}: {'met' if met else 'not met'}"
        request.config.stash.setdefault(LINES, []).append(text)
        return text

    return line


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = terminalreporter.config.stash.get(LINES, [])
    if lines:
        terminalreporter.section("benchmarks (ours vs raw PostgreSQL inserts, same run)")
        for text in lines:
            terminalreporter.write_line(text)
