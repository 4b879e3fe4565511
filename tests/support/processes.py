"""Start the real `lending` processes for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from infrastructure.settings import Settings

READY_LINE = "Uvicorn running on"


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


def lending(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from interfaces.cli import main; main()", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@contextmanager
def running_server(settings: Settings) -> Iterator[str]:
    """A real uvicorn server on a free port; yields its base URL once it listens."""
    port = free_port()
    process = lending("serve", env=lending_env(settings, LENDING_PORT=str(port)))
    assert process.stdout is not None
    seen = []
    for line in process.stdout:  # blocks until the server says it is listening
        seen.append(line)
        if READY_LINE in line:
            break
    else:
        raise AssertionError("server exited before listening:\n" + "".join(seen))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
