"""A cap on request bodies, REST and GraphQL alike: 413 before a large body is read.

A declared `Content-Length` over the cap is answered at once, without reading a byte of
the body. A body without one (chunked) is counted as it streams in, and refused as soon
as the count passes the cap, so no request makes the server hold more than the cap.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interfaces.rest.problems import problem


class BodyTooLarge(HTTPException):
    """Raised from `receive`: the route reading the body answers it as problem JSON."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body must be at most {limit} bytes")


class BodyLimit:
    """`max_bytes` for every path but those `larger` names (path: its own cap)."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.max_bytes)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            # Only where no route turned it into a response already (the REST routes do).
            if started:
                raise
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        # The same body as the routes' answer to a BodyTooLarge (problems.py).
        detail = str(BodyTooLarge(limit).detail)
        response = problem(413, detail, detail)
        # Whatever is left of the body is not read; the connection is not reused for it.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
