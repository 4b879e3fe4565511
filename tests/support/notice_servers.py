"""Real servers the notice channels talk to: an HTTP SMS gateway on loopback and an
SMTP server (aiosmtpd), each keeping what it received."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.processes import free_port


@dataclass
class Gateway:
    url: str
    key: str
    received: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    # While set, each POST is answered 503 and kept nowhere: a provider's outage.
    down: bool = False

    def wait_for(self, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """The first `count` messages, once that many have arrived (sent after an answer
        has gone, as login codes are)."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
            return self.received[:count]


@contextmanager
def sms_gateway(key: str = "gateway-key") -> Iterator[Gateway]:
    """A gateway that answers 200 to each POST and keeps its JSON body (503 while down)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    gateway = Gateway(f"http://127.0.0.1:{server.server_address[1]}/sms", key)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a provider's gateway would
        # The headers and the body go out as two writes: with Nagle's algorithm the body
        # waited for the client's delayed ACK, 40 ms an SMS that no real gateway costs.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            if gateway.down:
                self.send_response(503)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            with gateway.arrived:
                gateway.received.append(json.loads(body))
                gateway.keys.append(self.headers.get("authorization", ""))
                gateway.arrived.notify_all()
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def do_GET(self) -> None:  # how many it has kept, for a gateway in its own process
            body = json.dumps({"received": len(gateway.received)}).encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    host: str
    port: int
    received: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox("127.0.0.1", free_port())
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
