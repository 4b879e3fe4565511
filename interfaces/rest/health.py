"""GET /health: the database and every read model's position and lag."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["operations"])


@router.get("/health")
def health(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    body: dict[str, Any] = {"status": "ok"}
    try:
        head = runtime.projections.head()
        statuses = runtime.projections.status()
    except Exception as error:  # the database is the thing being checked
        body.update(status="unavailable", database={"ok": False, "error": type(error).__name__})
        return JSONResponse(body, status_code=503)
    body["database"] = {"ok": True, "position": head}
    body["projections"] = [asdict(s) for s in statuses]
    failed = [s for s in statuses if s.error]
    if failed:
        body["status"] = "degraded"
    return JSONResponse(body, status_code=503 if failed else 200)
