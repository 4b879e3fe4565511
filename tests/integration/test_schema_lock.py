"""Processes that start together on one store (a scaled `lending worker --cob` service, a
server and its worker) make its tables one at a time, and all of them start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.database import as_url, new_database

OPEN = (
    "import sys; from infrastructure.runtime import Runtime; "
    "from infrastructure.settings import Settings; sys.stdin.readline(); "
    "Runtime.open(Settings()).close(); print('opened')"
)
PROCESSES = 4


def open_together(url: str, data_dir: Path) -> list[tuple[int, str]]:
    """Open the store from PROCESSES processes released at once: each one's exit code and
    output."""
    env = {"DATABASE_URL": url, "LENDING_DATA_DIR": str(data_dir), "PATH": ""}
    started = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    for process in started:  # each waits on its stdin: release them together
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    return [(p.wait(timeout=300), p.communicate()[0]) for p in started]


def test_processes_started_together_on_an_empty_store_all_open_it(
    database_server: str, tmp_path: Path
) -> None:
    with new_database(database_server, "lending_schema") as conninfo:
        for attempt in ("empty store", "tables made"):
            for code, output in open_together(as_url(conninfo), tmp_path):
                assert code == 0, f"{attempt}: {output}"
                assert output.strip().endswith("opened"), output
