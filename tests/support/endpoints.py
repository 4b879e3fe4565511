"""A real HTTP endpoint on loopback for webhook tests: it records what it is sent and
answers with the status codes it is told to, in turn (the last one from then on)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson


@dataclass(frozen=True)
class Request:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        found: dict[str, Any] = orjson.loads(self.body)
        return found


class Endpoint:
    def __init__(self, answers: Sequence[int] = (200,)) -> None:
        self.answers = list(answers)
        self.requests: list[Request] = []
        self.arrived = threading.Condition()
        self.held = threading.Event()  # cleared: every request waits until it is set
        self.held.set()
        self.url = ""

    def answer(self) -> int:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def wait_for_other(self, message_id: str, timeout: float = 30.0) -> Request:
        """The first request for a message other than `message_id`, once it has come."""

        def other() -> Request | None:
            return next((r for r in self.requests if r.headers["webhook-id"] != message_id), None)

        with self.arrived:
            found = self.arrived.wait_for(other, timeout)
            if found is None:
                raise AssertionError(f"no message but {message_id} came")
            return found

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Request]:
        """The first `count` requests, once they have come."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"{len(self.requests)} of {count} requests came")
            return self.requests[:count]


@contextmanager
def endpoint(answers: Sequence[int] = (200,)) -> Iterator[Endpoint]:
    """An endpoint listening on a free loopback port, `url` set, until the block ends."""
    found = Endpoint(answers)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            found.held.wait(60)
            with found.arrived:
                found.requests.append(
                    Request({k.lower(): v for k, v in self.headers.items()}, body)
                )
                status = found.answer()
                found.arrived.notify_all()
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        found.held.set()
        server.shutdown()
        server.server_close()
