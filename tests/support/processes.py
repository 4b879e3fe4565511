"""Start the real `lending` processes for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from infrastructure.settings import Settings

READY_LINE = "Uvicorn running on"
# Each API process prints it once its lifespan has run.
STARTED_LINE = "Application startup complete"
MAIN = "from interfaces.cli import main; main()"


def lending_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=str(settings.database_url),
        LENDING_DATA_DIR=str(settings.data_dir),
        LENDING_JWT_SECRET=str(settings.jwt_secret),
        LENDING_CIPHER_KEY=str(settings.cipher_key),
        **extra,
    )
    if settings.opening_date is not None:
        env["LENDING_OPENING_DATE"] = settings.opening_date.isoformat()
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def lending(*args: str, env: dict[str, str], prelude: str = "") -> subprocess.Popen[str]:
    """`lending ARGS`; `prelude`, Python run first in the process (a benchmark's patch)."""
    code = f"{prelude}; from interfaces.cli import main; main()" if prelude else MAIN
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@contextmanager
def server_process(
    settings: Settings,
    *args: str,
    processes: int = 1,
    env: dict[str, str] | None = None,
    prelude: str = "",
    **more: str,
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`lending serve ARGS` on a free port: the process and its base URL, once it listens
    and its `processes` API processes have started. What it prints after that is left
    in its stdout. `env` and `more`: more settings; `prelude`: see `lending`."""
    port = free_port()
    environment = lending_env(settings, LENDING_PORT=str(port), **(env or {}), **more)
    process = lending("serve", *args, env=environment, prelude=prelude)
    assert process.stdout is not None
    seen = []
    listening, started = False, 0
    for line in process.stdout:  # blocks until the server says it is listening
        seen.append(line)
        listening = listening or READY_LINE in line
        started += STARTED_LINE in line
        if listening and started == processes:
            break
    else:
        raise AssertionError("server exited before listening:\n" + "".join(seen))
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def running_server(settings: Settings, *args: str, processes: int = 1, **env: str) -> Iterator[str]:
    """A real uvicorn server (`lending serve ARGS`); yields its base URL once it listens."""
    with server_process(settings, *args, processes=processes, **env) as (_, url):
        yield url


def run(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the `lending` command line with `args` (and `stdin` for its input), and wait."""
    command = [sys.executable, "-c", MAIN, *args]
    return subprocess.run(
        command, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )


@contextmanager
def drained_server(settings: Settings, *args: str, **options: Any) -> Iterator[str]:
    """`lending serve ARGS` (`options` as `server_process` takes them), its log drained
    while it runs: uvicorn logs every request, and unread, thousands of lines fill the
    pipe and stall the server."""
    with server_process(settings, *args, **options) as (process, url):
        assert process.stdout is not None
        output = process.stdout
        drain = threading.Thread(target=lambda: deque(output, maxlen=0), daemon=True)
        drain.start()
        yield url
    drain.join(timeout=5)
