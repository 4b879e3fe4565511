"""The SMS gateway (tests/support/notice_servers.py) in a process of its own, as a
provider's gateway is: a benchmark's sender then shares no interpreter lock with the
server answering it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
SERVE = (
    "import sys; from tests.support.notice_servers import sms_gateway\n"
    "with sms_gateway(sys.argv[1]) as gateway:\n"
    "    print(gateway.url, flush=True)\n"
    "    sys.stdin.read()  # until the test closes it\n"
)


@dataclass(frozen=True)
class GatewayProcess:
    url: str
    key: str

    def received(self) -> int:
        """How many messages it has kept so far."""
        answer = httpx.get(self.url, timeout=10.0)
        answer.raise_for_status()
        count: int = answer.json()["received"]
        return count


@contextmanager
def sms_gateway_process(key: str = "gateway-key") -> Iterator[GatewayProcess]:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, key],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        assert url.startswith("http://"), "the gateway did not start"
        yield GatewayProcess(url, key)
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=30)
