"""Security headers on every answer, and CORS only for the origins the settings name.

Answers are JSON for programs: nothing may frame, sniff, cache or embed them. The HTML
pages (OpenAPI docs, GraphiQL) load their scripts and styles from public CDNs, so their
Content-Security-Policy names those and nothing else. Strict-Transport-Security is sent
when the server speaks TLS itself (LENDING_TLS_CERT) or the request came over https.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CDNS = "https://cdn.jsdelivr.net https://unpkg.com"
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PAGE_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {CDNS}; "
    f"style-src 'self' 'unsafe-inline' {CDNS} https://fonts.googleapis.com; "
    "font-src 'self' data: https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.jsdelivr.net; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"
# What a browser at an allowed origin may send and read.
CORS_HEADERS = ["Authorization", "Content-Type", "If-Match", "X-Min-Position"]
CORS_EXPOSED = ["X-Read-Position", "Retry-After"]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, tls: bool = False) -> None:
        self.app = app
        self.tls = tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self.tls or scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                page = headers.get("content-type", "").startswith("text/html")
                headers.setdefault("Content-Security-Policy", PAGE_POLICY if page else API_POLICY)
                headers.setdefault("Cache-Control", "no-store")
                if secure:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)


def allow_origins(app: FastAPI, origins: list[str]) -> None:
    """Let browsers at `origins` call the API (bearer tokens, no cookies); none if empty."""
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=CORS_HEADERS,
            expose_headers=CORS_EXPOSED,
            allow_credentials=False,
            max_age=600,
        )
