"""429 with Retry-After for a client or a user past its rate (infrastructure/rate_limits.py).

Two families of requests are limited, each per client address and per user:
- any request to /auth/* (signing in, refreshing, codes), before anything else looks at
  it: the user is the `username`, `phone` or `email` of its JSON body (at most
  READ_AT_MOST bytes are read for it), so guessing one account's password from many
  addresses is slowed too;
- commands: REST requests that send something (POST, PUT, PATCH, DELETE), GraphQL
  aside, once AuthenticateFirst found the token's user: the user is its subject.

So the app holds two: `RateLimit(app, limits, "auth")` outside AuthenticateFirst and
`RateLimit(app, limits, "command")` inside it. Limits are counted per process: see
infrastructure/rate_limits.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infrastructure.rate_limits import Buckets, Rate, RateLimits
from interfaces.rest.problems import problem

log = logging.getLogger(__name__)
AUTH = "/auth/"
SENDING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NAMING_FIELDS = ("username", "phone", "email")
READ_AT_MOST = 16_384  # bytes of an /auth/* body read to find whom it names


def _buckets(rate: str | None) -> Buckets | None:
    return Buckets(Rate.parse(rate)) if rate else None


class RateLimit:
    def __init__(
        self,
        app: ASGIApp,
        limits: RateLimits,
        kind: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.kind = kind
        self.clock = clock
        rates = {
            "auth": (limits.auth_per_client, limits.auth_per_user),
            "command": (limits.commands_per_client, limits.commands_per_user),
        }[kind]
        self.per_client, self.per_user = (_buckets(rate) for rate in rates)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = _kind(scope)
        if kind != self.kind:
            await self.app(scope, receive, send)
            return
        per_client, per_user = self.per_client, self.per_user
        user = getattr(scope.get("state", {}).get("user"), "sub", None)
        if kind == "auth" and user is None and per_user is not None:
            body, receive = await _read_some(receive)
            user = _named(body)
        now = self.clock()
        client = (scope.get("client") or ("unknown",))[0]
        for buckets, key, who in ((per_client, client, "client"), (per_user, user, "user")):
            if buckets is None or key is None:
                continue
            wait = buckets.take(f"{kind}:{key}", now)
            if wait is not None:
                log.info("%s rate limit reached for a %s on %s", kind, who, scope["path"])
                detail = f"too many {kind} requests from this {who}; try again in {wait} s"
                answer = problem(429, "Too many requests", detail)
                answer.headers["Retry-After"] = str(wait)
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _kind(scope: Scope) -> str | None:
    if scope["type"] != "http":
        return None
    path: str = scope["path"]
    if path.startswith(AUTH):
        return "auth"
    if scope["method"] in SENDING and not path.startswith("/graphql"):
        return "command"
    return None


async def _read_some(receive: Receive) -> tuple[bytes, Receive]:
    """Up to READ_AT_MOST bytes of the body, and a `receive` that hands them on first."""
    read: list[Message] = []
    size, more = 0, True
    while more and size <= READ_AT_MOST:
        message = await receive()
        read.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        more = message.get("more_body", False)

    async def replay() -> Message:
        return read.pop(0) if read else await receive()

    whole = not more and size <= READ_AT_MOST
    body = b"".join(m.get("body", b"") for m in read) if whole else b""
    return body, replay


def _named(body: bytes) -> str | None:
    try:
        found: Any = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None
    if not isinstance(found, dict):
        return None
    for field in NAMING_FIELDS:
        value = found.get(field)
        if isinstance(value, str) and value.strip():
            return f"{field}:{value.strip().lower()}"
    return None
