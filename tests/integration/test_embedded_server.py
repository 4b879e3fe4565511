"""`lending db status|stop`: the embedded server outlives `make run` until stopped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from infrastructure.database import start_embedded
from tests.support.cli import invoke


def lending(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """`lending ARGS` without DATABASE_URL, in process: the server it stops runs in a
    process of its own all the same (the one below goes through the real entry point)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LENDING_DATA_DIR"] = str(data_dir)
    return invoke(*args, env=env)


def test_db_stop_stops_the_embedded_server_that_serving_left_running(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    url = start_embedded(data_dir / "pg")
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)

    assert lending("db", "status", data_dir=data_dir).returncode == 0
    stopped = lending("db", "stop", data_dir=data_dir)
    assert stopped.returncode == 0, stopped.stderr
    assert "stopped" in stopped.stdout

    assert lending("db", "status", data_dir=data_dir).returncode == 1
    again = lending("db", "stop", data_dir=data_dir)
    assert again.returncode == 0
    assert "no server was running" in again.stdout


def test_db_commands_leave_a_configured_server_alone(tmp_path: Path) -> None:
    env = dict(os.environ, DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")
    env["LENDING_DATA_DIR"] = str(tmp_path)
    command = [sys.executable, "-c", "from interfaces.cli import main; main()", "db", "stop"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "DATABASE_URL is set" in done.stdout
